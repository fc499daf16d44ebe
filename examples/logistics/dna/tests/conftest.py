"""Written by `dna init` (dna_kit); yours to edit, dna_kit never rewrites it.

Plain `pytest dna/tests` imports the repository's code: its root goes on sys.path (unless it
is there already, so an implementation put first on the path stays first). The tests of a
finding rejected since they were generated (`status: rejected` in dna/findings/) are
deselected. Nothing here imports dna_kit.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_FIELD = re.compile(r"^(id|status):[ \t]*(\S+)", re.M)


def _rejected() -> set[str]:
    rejected = set()
    for path in (ROOT / "dna" / "findings").glob("*.md"):
        head = path.read_text(encoding="utf-8", errors="replace").split("\n---", 1)[0]
        fields = {k: v.strip("'\"") for k, v in _FIELD.findall(head)}
        if fields.get("status") == "rejected" and "id" in fields:
            rejected.add(fields["id"])
    return rejected


def pytest_collection_modifyitems(config, items):
    rejected = _rejected()
    if not rejected:
        return
    keep, drop = [], []
    for item in items:
        owner = getattr(getattr(item, "module", None), "DNA_FINDING", None)
        (drop if owner in rejected else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
