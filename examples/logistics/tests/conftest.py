"""Put the implementation under test first on the import path.

By default that is this example's own ``dispatch`` package; set ``DISPATCH_IMPL`` to a
folder holding another ``dispatch`` package (the rewrite in ``regenerated/``) to run the
same tests against it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent
IMPL = Path(os.environ.get("DISPATCH_IMPL") or EXAMPLE).resolve()

if str(IMPL) not in sys.path[:1]:
    sys.path.insert(0, str(IMPL))


def pytest_report_header() -> str:
    import dispatch

    return f"dispatch under test: {Path(dispatch.__file__).parent}"
