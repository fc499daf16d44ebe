"""``make demo``: the whole path on the bundled logistics example, offline, in one command.

``python -m dna_kit.demo --out demo-out`` copies ``examples/logistics`` into ``demo-out/``,
then, with no network and no model:

1. ingests its incidents and interview transcripts and extracts candidate findings;
2. applies the team's committed review decisions (``review.yaml``) and codifies the
   accepted rules into property tests and decision records (the example's own
   ``build_dna.py``, which calls the library);
3. runs the regeneration test with mutation proof on the service and on the rewrite in
   ``regenerated/``;
4. writes the report (HTML and JSON scorecards, and the executed notebooks where they
   exist) and prints both scores and the rules the rewrite lost.

A stage whose part of dna_kit is missing is reported as "not there yet" and the rest runs.

>>> run_demo(Path("demo-out"))      # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dna_kit.errors import DnaKitError, ProjectError
from dna_kit.fileio import atomic_write, shown_path

__all__ = ["DemoResult", "find_example", "main", "run_demo"]

#: Settings that would point dna_kit at a model; the demo runs without them.
MODEL_SETTINGS = ("DNA_LLM_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY")
#: Marks a folder this demo made, so a second run may replace it and nothing else.
MARKER = ".dna-demo"
EXAMPLE = "examples/logistics"
#: Notebooks the demo executes: the report (on the demo's copy, the rewrite as ``impl``),
#: then the session notebooks, replaying the example's sources on a copy of their own.
NOTEBOOKS = (("01_start_here.ipynb", "05_regeneration_test.ipynb"),
             ("02_postmortem_session.ipynb", "03_engineer_interview.ipynb"))
_SKIP = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".hypothesis", "*.pyc",
                               "regen-history.jsonl")


@dataclass
class DemoResult:
    """What one demo run produced; ``main`` prints it, tests read it."""

    out_dir: Path
    example: Path
    build: Any = None
    service: Any = None
    rewrite: Any = None
    html: dict[str, Path] = field(default_factory=dict)
    json: dict[str, Path] = field(default_factory=dict)
    notebooks: list[Path] = field(default_factory=list)
    failed_notebooks: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def lost(self) -> list[tuple[str, str]]:
        """``(id, title)`` of the rules that hold on the service and fail on the rewrite."""
        if self.service is None or self.rewrite is None:
            return []
        held = {r.id for r in self.service.findings if r.status in ("verified", "proven")}
        return [(r.id, r.title) for r in self.rewrite.findings
                if r.status == "failing" and r.id in held]


def find_example(start: Path | None = None) -> Path:
    """The bundled example: ``examples/logistics`` of the checkout dna_kit runs from.

    >>> find_example().name     # doctest: +SKIP
    'logistics'
    """
    here = (start or Path(__file__)).resolve()
    for folder in (here, *here.parents):
        candidate = folder / EXAMPLE
        if (candidate / "review.yaml").is_file():
            return candidate
    raise ProjectError(f"the bundled example ({EXAMPLE}) is not beside this dna_kit; it ships "
                       "with the source checkout (git clone, then make demo)")


def _copy_example(example: Path, out_dir: Path, *, name: str = "logistics") -> Path:
    target = out_dir / name
    if target.exists():
        if not (out_dir / MARKER).is_file():
            raise ProjectError(f"{target} exists and was not made by the demo; choose "
                               "another --out")
        shutil.rmtree(target)
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(out_dir / MARKER, "made by python -m dna_kit.demo; safe to delete\n")
    shutil.copytree(example, target, ignore=_SKIP)
    return target


def _load_builder(root: Path) -> Any:
    """The example's own ``build_dna.py``, loaded from the copy."""
    spec = importlib.util.spec_from_file_location("_dna_demo_build", root / "build_dna.py")
    if spec is None or spec.loader is None:
        raise ProjectError(f"{root / 'build_dna.py'} cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the file executes.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _optional(module: str, *names: str) -> Callable[..., Any] | None:
    """The first of ``names`` that ``module`` defines, or None while it has not landed."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    for name in names:
        found = getattr(mod, name, None)
        if callable(found):
            return found
    return None


def _write_reports(result: DemoResult, say: Callable[[str], None]) -> None:
    write_report = _optional("dna_kit.regen", "write_report")
    for label, card in (("service", result.service), ("rewrite", result.rewrite)):
        if card is None:
            continue
        json_path = result.out_dir / f"scorecard-{label}.json"
        if write_report is None:
            atomic_write(json_path, json.dumps(card.to_json(), indent=2) + "\n")
            result.json[label] = json_path
            continue
        html = result.out_dir / f"report-{label}.html"
        write_report(card, html=html, json_path=json_path,
                     markdown=result.out_dir / f"summary-{label}.md")
        result.html[label] = html
        result.json[label] = json_path
    if write_report is None:
        result.missing.append("HTML report (dna_kit.regen.write_report)")
        say("HTML report: not there yet; the JSON scorecards are written")


def _run_notebooks(result: DemoResult, root: Path, prove: bool,
                   say: Callable[[str], None]) -> None:
    run = _optional("dna_kit.regen", "run_notebooks")
    folder = Path(__file__).resolve().parent.parent / "notebooks"
    absent = [name for group in NOTEBOOKS for name in group if not (folder / name).is_file()]
    if absent:
        result.missing.append("notebooks " + ", ".join(absent))
    if run is None:
        result.missing.append("executed notebooks (dna_kit.regen.run_notebooks)")
        say("notebooks: not there yet")
        return
    # The report notebooks read the demo's copy; the session notebooks write findings and
    # transcripts, so they get a copy of their own and the scores above stay as printed.
    sessions = _copy_example(result.example, result.out_dir, name="sessions")
    groups = [(NOTEBOOKS[0], root), (NOTEBOOKS[1], sessions)]
    stage = time.perf_counter()
    for names, project in groups:
        present = [folder / name for name in names if (folder / name).is_file()]
        if not present:
            continue
        say("notebooks (papermill): " + ", ".join(p.name for p in present))
        # Every notebook takes project_dir; papermill ignores the parameters one does not use.
        runs = run(present, out_dir=result.out_dir / "notebooks", parallel=2,
                   cwd=result.out_dir,
                   parameters={"project_dir": str(project),
                               "impl": str(project / "regenerated"), "prove": prove,
                               "interactive": False})
        for item in runs:
            if item.ok:
                result.notebooks.append(Path(item.output))
            else:
                result.failed_notebooks.append(
                    f"{Path(item.notebook).name}: cell {item.cell}: {item.error}")
                say(_indent(f"FAILED {Path(item.notebook).name}: {item.error}"))
    say(_indent(f"{time.perf_counter() - stage:.1f} s"))


def run_demo(out_dir: Path, *, example: Path | None = None, prove: bool = True,
             notebooks: bool = True, say: Callable[[str], None] = print) -> DemoResult:
    """Run the whole path on a copy of the bundled example in ``out_dir``.

    >>> result = run_demo(Path("demo-out"))                  # doctest: +SKIP
    >>> result.service.score > result.rewrite.score          # doctest: +SKIP
    True
    """
    with _offline():
        return _run(Path(out_dir), example, prove, notebooks, say)


@contextlib.contextmanager
def _offline() -> Iterator[None]:
    """No model, whatever the environment says (the notebooks' kernels inherit this)."""
    saved = {name: os.environ.pop(name) for name in MODEL_SETTINGS if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def _run(out_dir: Path, example: Path | None, prove: bool, notebooks: bool,
         say: Callable[[str], None]) -> DemoResult:
    start = time.perf_counter()
    source = (example or find_example()).resolve()
    out_dir = Path(out_dir).resolve()
    root = _copy_example(source, out_dir)
    result = DemoResult(out_dir=out_dir, example=root)
    say(f"copied {shown_path(source)} to {shown_path(root)}")

    say("ingest, extract, review, codify (build_dna.py):")
    stage = time.perf_counter()
    result.build = _load_builder(root).build(root, log=lambda text: say(_indent(text)),
                                             strict=False)
    say(_indent(f"{time.perf_counter() - stage:.1f} s"))
    result.missing += list(result.build.missing)

    regenerate = _optional("dna_kit.regen", "regenerate")
    if regenerate is None:
        result.missing.append("the regeneration test (dna_kit.regen.regenerate)")
        say("regeneration test: not there yet")
    else:
        say("regeneration test" + (" with mutation proof" if prove else "") + ":")
        for label in ("service", "rewrite"):
            stage = time.perf_counter()
            impl = root / "regenerated" if label == "rewrite" else None
            card = regenerate(root, impl=impl, prove=prove)
            setattr(result, label, card)
            say(_indent(f"the {label}: {_score(card)} [{time.perf_counter() - stage:.1f} s]"))
        _write_reports(result, say)
    if notebooks:
        _run_notebooks(result, root, prove, say)
    result.seconds = time.perf_counter() - start
    return result


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def _score(card: Any) -> str:
    """``78% (7 of 9 accepted rules proven; 1 documented, 1 tacit)``."""
    score = card.score
    counts = card.counts
    shown = "n/a" if score is None else f"{score:.0%}"
    rest = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())
                     if n and status != "proven")
    return (f"{shown} ({counts.get('proven', 0)} of {card.accepted} accepted rules proven"
            + (f"; {rest}" if rest else "") + ")")


def summary(result: DemoResult) -> str:
    """The story the demo tells, as printed at the end of the run."""
    lines = ["", "== dna_kit demo: the logistics dispatch service =="]
    if result.service is not None and result.rewrite is not None:
        lines += [f"regeneration score of the service: {_score(result.service)}",
                  f"regeneration score of the rewrite: {_score(result.rewrite)}"]
        lost = result.lost
        lines.append(f"rules the rewrite lost ({len(lost)}):")
        lines += [f"  {fid}  {title}" for fid, title in lost] or ["  (none)"]
    for label, path in result.html.items():
        lines.append(f"HTML report ({label}): {shown_path(path)}")
    for label, path in result.json.items():
        lines.append(f"scorecard ({label}): {shown_path(path)}")
    for path in result.notebooks:
        lines.append(f"executed notebook: {shown_path(path)}")
    lines += [f"notebook FAILED: {line}" for line in result.failed_notebooks]
    lines.append(f"the example's copy, with its DNA: {shown_path(result.example)}")
    lines += [f"not there yet: {item}" for item in result.missing]
    lines.append(f"took {result.seconds:.0f} s")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m dna_kit.demo --out DIR``; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m dna_kit.demo",
        description="Run the whole dna_kit path on the bundled logistics example.",
        epilog="Example:\n  python -m dna_kit.demo --out demo-out",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("demo-out"), metavar="DIR",
                        help="where the copy, the report and the notebooks go")
    parser.add_argument("--example", type=Path, default=None, metavar="DIR",
                        help="another copy of the example (default: the bundled one)")
    parser.add_argument("--no-prove", dest="prove", action="store_false",
                        help="score verified rules without the mutation proof (faster)")
    parser.add_argument("--no-notebooks", dest="notebooks", action="store_false",
                        help="skip executing the notebooks")
    args = parser.parse_args(argv)
    try:
        result = run_demo(args.out, example=args.example, prove=args.prove,
                          notebooks=args.notebooks)
    except DnaKitError as exc:
        for line in str(exc).splitlines():
            print(f"demo: {line}", file=sys.stderr)
        return 1
    print(summary(result))
    return 1 if result.failed_notebooks else 0


if __name__ == "__main__":
    sys.exit(main())
