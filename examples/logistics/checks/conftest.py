"""Make the example's ``dispatch`` importable when these checks run on their own.

``dna regen`` puts the implementation under test (the service, or a rewrite with
``--impl``) first on the import path itself; then ``dispatch`` is already found and nothing
changes. Run by hand (``pytest examples/logistics/checks``), the example's own ``dispatch``
is appended, or the package in ``DISPATCH_IMPL`` put first, as the what-tests do.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent

if os.environ.get("DISPATCH_IMPL"):
    sys.path.insert(0, str(Path(os.environ["DISPATCH_IMPL"]).resolve()))
elif importlib.util.find_spec("dispatch") is None:
    sys.path.append(str(EXAMPLE))
