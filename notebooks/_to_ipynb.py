"""Build each notebook ``notebooks/NN_name.ipynb`` from its source ``NN_name.py`` (jupytext
percent format), clean: no outputs, no execution counts, cell ids ``NN-<position>`` and
only the kernelspec and language in the metadata, so an unchanged source rebuilds to the
same bytes.

    python notebooks/_to_ipynb.py            # rewrite every .ipynb (make notebooks)
    python notebooks/_to_ipynb.py --check    # exit 1 if a committed .ipynb differs
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat

HERE = Path(__file__).resolve().parent
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def sources() -> list[Path]:
    """The notebook sources: ``NN_*.py`` next to this file."""
    return sorted(HERE.glob("[0-9][0-9]_*.py"))


def build(source: Path) -> str:
    """The clean ``.ipynb`` text for one percent-format source."""
    nb = jupytext.read(source, fmt="py:percent")
    nb.metadata = nbformat.from_dict({"kernelspec": dict(KERNELSPEC),
                                      "language_info": {"name": "python"}})
    nb.nbformat, nb.nbformat_minor = 4, 5
    for i, cell in enumerate(nb.cells):
        tags = cell.metadata.get("tags")
        cell.metadata = nbformat.from_dict({"tags": list(tags)} if tags else {})
        cell["id"] = f"{source.stem[:2]}-{i:02d}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.pop("attachments", None)
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for source in sources():
        text, target = build(source), source.with_suffix(".ipynb")
        if check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                stale.append(target.name)
        elif not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            print("wrote", target.relative_to(HERE.parent))
    if stale:
        print("out of date (run make notebooks):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
