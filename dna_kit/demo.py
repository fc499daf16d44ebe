"""``dna demo``: the whole path on the bundled logistics example, offline, in one command.

``dna demo --out DIR`` (or ``python -m dna_kit.demo``, or ``make demo``) copies the
logistics example dna_kit ships (``examples/logistics`` in a checkout,
``dna_kit/_examples/logistics`` in an installed wheel) into ``DIR/logistics``, then:

1. ingests its incidents and interview transcripts and extracts candidate findings;
2. applies the team's committed review decisions (``review.yaml``) and codifies the
   accepted rules into property tests and decision records (the example's own
   ``build_dna.py``, which calls the library);
3. runs the regeneration test with mutation proof on the service and on the rewrite in
   ``regenerated/``;
4. writes the report (HTML and JSON scorecards, Markdown summaries, and the executed
   notebooks in a checkout that has them) and prints both scores and the rules the rewrite
   lost.

No model is asked, whatever the environment configures: every step is called with no
model (extraction without ``llm``, decision records without ``draft``, the notebooks with
``interactive=False``, which replays the committed transcripts instead of asking).

The demo writes only into a folder it made: a new one, an empty one, or one a previous run
made (it leaves a ``.dna-demo`` marker there, and a re-run replaces its own output). Any
other folder is refused before anything is written.

>>> result = run_demo("dna-demo")                       # doctest: +SKIP
>>> result.service.score > result.rewrite.score          # doctest: +SKIP
True
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from dna_kit._resources import bundled_example, notebooks_dir
from dna_kit.errors import DnaKitError
from dna_kit.fileio import atomic_write, shown_path

if TYPE_CHECKING:
    from dna_kit.regen import Scorecard

__all__ = ["DEFAULT_OUT", "MARKER", "DemoError", "DemoResult", "build_parser", "main",
           "run_demo", "summary"]

#: Where the demo writes when no folder is named: a new folder in the current directory.
DEFAULT_OUT = "dna-demo"
#: Marks a folder this demo made, so a later run may replace its output and nothing else.
MARKER = ".dna-demo"
#: Everything a run writes beside the marker; a re-run removes these, and only these.
OUTPUTS = ("logistics", "sessions", "notebooks", "report-*.html", "summary-*.md",
           "scorecard-*.json")
#: Notebooks the demo executes: the report (on the demo's copy, the rewrite as ``impl``),
#: then the session notebooks, replaying the example's sources on a copy of their own.
NOTEBOOKS = (("01_start_here.ipynb", "05_regeneration_test.ipynb"),
             ("02_postmortem_session.ipynb", "03_engineer_interview.ipynb"))
_SKIP = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache",
                               "*.pyc", ".dna.lock", "regen-history.jsonl")


class DemoError(DnaKitError):
    """The demo cannot run where it was asked to: names the folder and why.

    ``about`` names the :func:`run_demo` argument at fault (``"out_dir"`` or
    ``"example"``), None for a failure on the way (a disk that fills up).
    """

    def __init__(self, message: str, *, path: str | Path | None = None,
                 about: str | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.about = about
        super().__init__(message)


@dataclass
class DemoResult:
    """What one demo run produced; ``summary`` tells it, tests read it."""

    out_dir: Path
    example: Path
    build: Any = None
    service: Scorecard | None = None
    rewrite: Scorecard | None = None
    html: dict[str, Path] = field(default_factory=dict)
    json: dict[str, Path] = field(default_factory=dict)
    markdown: dict[str, Path] = field(default_factory=dict)
    notebooks: list[Path] = field(default_factory=list)
    failed_notebooks: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def lost(self) -> list[tuple[str, str]]:
        """``(id, title)`` of the rules that hold on the service and fail on the rewrite."""
        if self.service is None or self.rewrite is None:
            return []
        held = {r.id for r in self.service.findings if r.status in ("verified", "proven")}
        return [(r.id, r.title) for r in self.rewrite.findings
                if r.status == "failing" and r.id in held]


def run_demo(out_dir: str | Path = DEFAULT_OUT, *, example: str | Path | None = None,
             prove: bool = True, notebooks: bool = True,
             say: Callable[[str], None] = print) -> DemoResult:
    """Run the whole path on a copy of the bundled example in ``out_dir``.

    ``out_dir`` must be new, empty, or made by an earlier run (whose output is replaced);
    otherwise :class:`DemoError` says so and nothing is written. ``example`` is another
    copy of the logistics example (default: the one dna_kit ships). ``say`` receives the
    progress lines.

    >>> result = run_demo("dna-demo", prove=False, notebooks=False)   # doctest: +SKIP
    >>> [fid for fid, title in result.lost]                          # doctest: +SKIP
    ['F-0001', 'F-0002', 'F-0007', 'F-0008']
    """
    start = time.perf_counter()
    source = _source(example)
    out = _claim(Path(out_dir), source)
    try:
        result = _run(out, source, prove, notebooks, say)
    except OSError as exc:
        raise DemoError(_os_reason(exc, name_file=True), path=exc.filename) from None
    result.seconds = time.perf_counter() - start
    return result


def _source(example: str | Path | None) -> Path:
    source = (Path(example).expanduser() if example is not None else bundled_example())
    source = source.resolve()
    for name in ("review.yaml", "build_dna.py"):
        if not (source / name).is_file():
            raise DemoError(f"{shown_path(source)} is not a copy of the logistics example: "
                            f"it has no {name}", path=source, about="example")
    return source


def _claim(out_dir: Path, source: Path) -> Path:
    """Make ``out_dir`` the demo's, or refuse before writing anything."""
    out = out_dir.expanduser().resolve()
    shown = shown_path(out)
    if out == source or out.is_relative_to(source):
        raise DemoError(f"{shown} is inside the example it would copy", path=out,
                        about="out_dir")
    if out.exists() and not out.is_dir():
        raise DemoError(f"{shown} is a file, not a folder", path=out, about="out_dir")
    if out.is_dir():
        try:
            entries = [p.name for p in out.iterdir()]
        except OSError as exc:
            raise DemoError(f"{shown}: cannot list it: {_os_reason(exc)}", path=out,
                            about="out_dir") from None
        if entries and not (out / MARKER).is_file():
            raise DemoError(f"{shown} is not empty and was not made by the demo; nothing was "
                            "written", path=out, about="out_dir")
    try:
        out.mkdir(parents=True, exist_ok=True)
        atomic_write(out / MARKER, "made by dna demo: a later run replaces the demo's output "
                     "here; safe to delete\n")
        for pattern in OUTPUTS:  # the previous run's output, and nothing else
            for old in out.glob(pattern):
                if old.is_dir() and not old.is_symlink():
                    shutil.rmtree(old)
                else:
                    old.unlink()
    except OSError as exc:
        raise DemoError(f"{shown}: cannot write there: {_os_reason(exc)}", path=out,
                        about="out_dir") from None
    return out


def _os_reason(exc: OSError, *, name_file: bool = False) -> str:
    """One line for an OS error: ``Permission denied``, or with the file it names."""
    text = exc.strerror or (str(exc).splitlines() or [type(exc).__name__])[0]
    return f"{shown_path(exc.filename)}: {text}" if name_file and exc.filename else text


def _copy(source: Path, out_dir: Path, name: str) -> Path:
    target = out_dir / name
    shutil.copytree(source, target, ignore=_SKIP)
    return target


def _load_builder(root: Path) -> ModuleType:
    """The example's own ``build_dna.py``, loaded from the copy."""
    name = "_dna_demo_build"
    spec = importlib.util.spec_from_file_location(name, root / "build_dna.py")
    if spec is None or spec.loader is None:
        raise DemoError(f"{shown_path(root / 'build_dna.py')} cannot be loaded",
                        path=root / "build_dna.py")
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the file executes; only then.
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module


def _run(out_dir: Path, source: Path, prove: bool, notebooks: bool,
         say: Callable[[str], None]) -> DemoResult:
    from dna_kit.regen import regenerate

    root = _copy(source, out_dir, "logistics")
    result = DemoResult(out_dir=out_dir, example=root)
    say(f"copied {shown_path(source)} to {shown_path(root)}")

    say("ingest, extract, review, codify (build_dna.py):")
    stage = time.perf_counter()
    result.build = _load_builder(root).build(root, log=lambda text: say(_indent(text)),
                                             strict=False)
    say(_indent(f"{time.perf_counter() - stage:.1f} s"))

    say("regeneration test" + (" with mutation proof" if prove else "") + ":")
    for label in ("service", "rewrite"):
        stage = time.perf_counter()
        impl = root / "regenerated" if label == "rewrite" else None
        card = regenerate(root, impl=impl, prove=prove)
        setattr(result, label, card)
        say(_indent(f"the {label}: {_score(card)} [{time.perf_counter() - stage:.1f} s]"))
    _write_reports(result)
    if notebooks:
        _run_notebooks(result, source, prove, say)
    return result


def _write_reports(result: DemoResult) -> None:
    from dna_kit.regen import write_report

    for label, card in (("service", result.service), ("rewrite", result.rewrite)):
        if card is None:
            continue
        paths = {"html": result.out_dir / f"report-{label}.html",
                 "json": result.out_dir / f"scorecard-{label}.json",
                 "markdown": result.out_dir / f"summary-{label}.md"}
        write_report(card, html=paths["html"], json_path=paths["json"],
                     markdown=paths["markdown"])
        result.html[label] = paths["html"]
        result.json[label] = paths["json"]
        result.markdown[label] = paths["markdown"]


def _run_notebooks(result: DemoResult, source: Path, prove: bool,
                   say: Callable[[str], None]) -> None:
    folder = notebooks_dir()
    why = ("this installation has no notebooks" if folder is None else
           "papermill is not installed (dna_kit's notebooks extra)"
           if importlib.util.find_spec("papermill") is None else None)
    if folder is None or why is not None:
        result.skipped.append(f"the notebooks: {why}")
        say(f"notebooks: skipped; {why}")
        return
    from dna_kit.regen import run_notebooks

    absent = [name for group in NOTEBOOKS for name in group if not (folder / name).is_file()]
    if absent:
        result.skipped.append("notebooks missing: " + ", ".join(absent))
    # The report notebooks read the demo's copy; the session notebooks write findings and
    # transcripts, so they get a copy of their own and the scores above stay as printed.
    sessions = _copy(source, result.out_dir, "sessions")
    groups = [(NOTEBOOKS[0], result.example), (NOTEBOOKS[1], sessions)]
    stage = time.perf_counter()
    for names, project in groups:
        present = [folder / name for name in names if (folder / name).is_file()]
        if not present:
            continue
        say("notebooks (papermill): " + ", ".join(p.name for p in present))
        # Every notebook takes project_dir; papermill ignores the parameters one does not
        # use. interactive=False: replay the committed sources, ask no person and no model.
        runs = run_notebooks(present, out_dir=result.out_dir / "notebooks", parallel=2,
                             cwd=result.out_dir,
                             parameters={"project_dir": str(project),
                                         "impl": str(project / "regenerated"),
                                         "prove": prove, "interactive": False})
        for item in runs:
            if item.ok:
                result.notebooks.append(Path(item.output))
            else:
                result.failed_notebooks.append(
                    f"{Path(item.notebook).name}: cell {item.cell}: {item.error}")
                say(_indent(f"FAILED {Path(item.notebook).name}: {item.error}"))
    say(_indent(f"{time.perf_counter() - stage:.1f} s"))


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def _score(card: Scorecard) -> str:
    """``78% (7 of 9 accepted rules proven; 1 documented, 1 tacit)``."""
    score = card.score
    counts = card.counts
    shown = "n/a" if score is None else f"{score:.0%}"
    rest = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())
                     if n and status != "proven")
    return (f"{shown} ({counts.get('proven', 0)} of {card.accepted} accepted rules proven"
            + (f"; {rest}" if rest else "") + ")")


def summary(result: DemoResult) -> str:
    """The story the demo tells, as printed at the end of the run.

    >>> print(summary(result))                          # doctest: +SKIP
    == dna_kit demo: the logistics dispatch service ==
    regeneration score of the service: 100% (9 of 9 accepted rules proven)
    ...
    """
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
    for label, path in result.markdown.items():
        lines.append(f"summary ({label}): {shown_path(path)}")
    for path in result.notebooks:
        lines.append(f"executed notebook: {shown_path(path)}")
    lines += [f"notebook FAILED: {line}" for line in result.failed_notebooks]
    lines += [f"skipped: {item}" for item in result.skipped]
    lines.append(f"the example's copy, with its DNA: {shown_path(result.example)}")
    lines.append(f"took {result.seconds:.0f} s")
    return "\n".join(lines)


#: What to do about a refused argument, in the words of the command line (``dna demo``
#: says the same).
HINTS = {"out_dir": "pass --out with a new or empty folder",
         "example": "pass --example with a copy of the logistics example, or leave it out"}


def build_parser() -> argparse.ArgumentParser:
    """``python -m dna_kit.demo``'s arguments: the options of ``dna demo``, which declares
    them itself so that ``dna --help`` imports nothing of the demo (a test keeps the two
    alike).

    >>> build_parser().parse_args(["--no-prove"]).out
    'dna-demo'
    """
    parser = argparse.ArgumentParser(
        prog="python -m dna_kit.demo",
        description="Run the whole dna_kit path on the bundled logistics example, offline.",
        epilog=f"Example:\n  python -m dna_kit.demo --out {DEFAULT_OUT}",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                        help="a new or empty folder, or one an earlier run made, for the "
                             f"copy, the report and the notebooks (default: ./{DEFAULT_OUT})")
    parser.add_argument("--example", default=None, metavar="DIR",
                        help="another copy of the logistics example (default: the one "
                             "dna_kit ships)")
    parser.add_argument("--no-prove", dest="prove", action="store_false",
                        help="score verified rules without the mutation proof (faster)")
    parser.add_argument("--no-notebooks", dest="notebooks", action="store_false",
                        help="skip executing the notebooks")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m dna_kit.demo``, the same as ``dna demo``; returns the exit code.

    >>> main(["--out", "dna-demo", "--no-notebooks"])          # doctest: +SKIP
    0
    """
    args = build_parser().parse_args(argv)
    try:
        result = run_demo(args.out, example=args.example, prove=args.prove,
                          notebooks=args.notebooks)
    except DnaKitError as exc:
        lines = str(exc).splitlines() or [type(exc).__name__]
        hint = HINTS.get(getattr(exc, "about", None) or "")
        if hint:
            lines[-1] += f"; {hint}"
        for line in lines:
            print(f"demo: {line}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("demo: interrupted", file=sys.stderr)
        return 130
    print(summary(result))
    return 1 if result.failed_notebooks else 0


if __name__ == "__main__":
    sys.exit(main())
