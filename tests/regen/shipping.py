"""The fixture project the regen tests (and, without the bundled example, the benchmark) use.

``fixtures/shipping/`` holds a tiny package (``shipping.retry``, ``shipping.batching``),
two property tests written to the codify contract and a decision record;
:func:`build_shipping_project` copies it and writes the findings through the ledger API:

========  ==========  ==============================================  ==========
id        status      artifacts                                       expected
========  ==========  ==============================================  ==========
F-0001    codified    test (backoff schedule), binding                verified/proven
F-0002    codified    test (batch bounds), binding                    verified/proven
F-0003    accepted    decision record only                            documented
F-0004    accepted    nothing                                         tacit
F-0005    candidate   nothing                                         not scored
========  ==========  ==============================================  ==========

``fixtures/rewrites/lost_cap/`` is a rewrite that caps the backoff at 6 s: F-0001 fails there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from dna_kit.ledger import add_finding
from dna_kit.project import Project, init_project

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LOST_CAP = FIXTURES / "rewrites" / "lost_cap"

FINDINGS: list[dict[str, object]] = [
    {"title": "Carrier retry backoff", "layer": "how", "kind": "retry_policy",
     "status": "codified",
     "statement": "Carrier API retries back off from 0.2 s, doubling, capped at 5 s.",
     "params": {"base": "0.2 s", "factor": 2, "cap": "5 s"},
     "rationale": "A 60 s cap kept retrying through an outage and made it worse.",
     "binding": {"template": "backoff_schedule", "target": "shipping.retry:backoff_delay",
                 "params": {"base": "0.2 s", "factor": 2, "cap": "5 s"},
                 # Where the values live, as codify's locator (or a person) records them.
                 "sites": [{"param": p, "path": "shipping/retry.py", "line": 10, "code": c}
                           for p, c in (("base", "0.2"), ("factor", "2"), ("cap", "5.0"))]},
     "links": {"tests": ["dna/tests/test_f0001_carrier_backoff.py"]}},
    {"title": "Dispatch batch bounds", "layer": "how", "kind": "threshold",
     "status": "codified", "statement": "A dispatch batch holds 1 to 50 orders.",
     "params": {"low": 1, "high": 50},
     "binding": {"template": "bounded", "target": "shipping.batching:batch_size",
                 "sites": [{"param": "high", "path": "shipping/batching.py", "line": 6,
                            "code": "MAX_BATCH = 50"},
                           {"param": "low", "path": "shipping/batching.py", "line": 11,
                            "code": "max(1"}]},
     "links": {"tests": ["dna/tests/test_f0002_batch_bounds.py"]}},
    {"title": "Order data stays in its region", "layer": "why", "kind": "decision",
     "status": "accepted", "statement": "Orders are stored in the region they came from.",
     "links": {"decisions": ["docs/adr/0001-keep-order-data-in-region.md"]}},
    {"title": "No order without an address", "layer": "what", "kind": "invariant",
     "status": "accepted", "statement": "An order with no address is rejected."},
    {"title": "Maybe page the carrier", "layer": "how", "kind": "heuristic",
     "statement": "Page the carrier after three failed pickups."},
]


def build_shipping_project(dest: Path) -> Project:
    """Copy the fixture to ``dest`` and write its five findings; returns the project."""
    shutil.copytree(FIXTURES / "shipping", dest, dirs_exist_ok=True)
    project = init_project(dest)
    for fields in FINDINGS:
        add_finding(project, fields)
    return project


def copy_rewrite(dest: Path, **replace: str) -> Path:
    """A rewrite of the ``shipping`` package under ``dest``: the original files, with
    ``replace`` mapping a module file name (``retry.py``) to new source."""
    package = dest / "shipping"
    shutil.copytree(FIXTURES / "shipping" / "shipping", package, dirs_exist_ok=True)
    for name, source in replace.items():
        (package / name).write_text(source, encoding="utf-8")
    return dest
