"""``dna ingest``, ``extract``, ``eval-extract``: mining incident sources for findings."""

from __future__ import annotations

import argparse
import sys

from dna_kit.cli._base import add_command, fraction, positive_int

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: `dna --help` must start fast
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

FORMATS = ("markdown", "html", "docx", "pdf", "chat", "jsonl", "csv", "transcript")


def register(subparsers: Any) -> None:
    p = add_command(
        subparsers, "ingest", cmd_ingest,
        help="read incident sources and report what each holds (copies nothing)",
        description="Read postmortems (Markdown, text, HTML, Word .docx or PDF; a PDF "
                    "gives one document per page), Slack-shaped chat exports, "
                    "JSON-lines logs, CSV timelines and interview transcripts, and report "
                    "per file: the reader used, documents, sections, timeline events and "
                    "problems. Directories are walked. Nothing is copied or written. The "
                    "exit code is 1 when some file could not be read; the others are "
                    "still read.",
        example="dna ingest incidents/ chat-export/incident-42/ timeline.csv",
    )
    _source_args(p)
    p.add_argument("--json", action="store_true", help="print one JSON object per file")

    p = add_command(
        subparsers, "extract", cmd_extract,
        help="propose candidate findings from incident sources",
        description="Find the rules, limits, decisions and agreements in incident sources "
                    "and propose them as candidate findings, each with a verbatim quote "
                    "and its lines. Offline by default (no network, no model); --llm asks "
                    "the configured model and falls back to the offline extractor if it "
                    "fails. --save adds the candidates to the ledger with status "
                    "'candidate', skipping quotes already there. The exit code is 1 when "
                    "some file could not be read; the others are still processed.",
        example="dna extract incidents/2026-03-retry-storm.md --json > candidates.json",
    )
    _source_args(p)
    p.add_argument("--json", action="store_true",
                   help="print exactly a JSON list of candidates on stdout")
    p.add_argument("--save", action="store_true",
                   help="add the candidates to the ledger (skips quotes already there)")
    p.add_argument("--llm", action="store_true",
                   help="use the configured model (DNA_LLM_MODEL or dna/config.yaml llm.model, "
                        "OPENAI_BASE_URL, OPENAI_API_KEY)")
    p.add_argument("--min-confidence", type=fraction, default=0.0, metavar="P",
                   help="drop candidates below this confidence (0..1)")
    p.add_argument("--workers", type=positive_int, default=None, metavar="N",
                   help="processes to use (default: every core)")

    p = add_command(
        subparsers, "eval-extract", cmd_eval,
        help="score the extractor against hand annotations (precision, recall, F1)",
        description="Run the offline extractor on every source named by the YAML "
                    "annotations in --gold (paths relative to --corpus) and print "
                    "precision, recall, F1, recall per layer and layer accuracy. A "
                    "candidate matches an annotation when their quotes, whitespace "
                    "collapsed, overlap by at least half of each (one to one).",
        example="dna eval-extract --gold ../shared/corpus/gold-dev --corpus ../shared/corpus",
    )
    p.add_argument("--gold", required=True, metavar="DIR", help="folder of gold *.yaml files")
    p.add_argument("--corpus", required=True, metavar="DIR",
                   help="folder the gold files' 'postmortem:' paths are relative to")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--misses", action="store_true",
                   help="also list missed annotations and unmatched candidates per file")
    p.add_argument("--cv", action="store_true",
                   help="instead, refit the extractor's weights without each annotated "
                        "source in turn and score that source (leave one out): an estimate "
                        "for sources nobody annotated")


def _source_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="source files or directories")
    p.add_argument("--format", choices=FORMATS,
                   help="read every file with this reader instead of detecting it")
    p.add_argument("--time-field", metavar="NAME", help="the time column (JSON lines, CSV)")
    p.add_argument("--message-field", metavar="NAME",
                   help="the message column (JSON lines, CSV)")
    p.add_argument("--actor-field", metavar="NAME", help="the actor column (JSON lines, CSV)")


def _fields(args: argparse.Namespace) -> dict[str, str]:
    return {k: v for k, v in (("time", args.time_field), ("message", args.message_field),
                              ("actor", args.actor_field)) if v}


def _paths(args: argparse.Namespace) -> list[Path]:
    from pathlib import Path

    base = Path(args.cwd)
    return [p if p.is_absolute() else base / p for p in map(Path, args.paths)]


def _problems(results: list[Any], command: str) -> int:
    failed = 0
    for r in results:
        for warning in r.warnings:
            print(f"dna {command}: warning: {warning}", file=sys.stderr)
        if r.error is not None:
            failed += 1
            # The reader says which column it could not find; the flag naming it is ours.
            hint = (f" (name it with --{r.error_field}-field)"
                    if r.error_field in ("time", "message", "actor") else "")
            print(f"dna {command}: {r.error}{hint}", file=sys.stderr)
    return failed


def cmd_ingest(args: argparse.Namespace) -> int:
    import json

    from dna_kit.extract import extract_paths

    results = []
    for r in extract_paths(_paths(args), workers=1, format=args.format,
                           fields=_fields(args), extract=False):
        results.append(r)
        _problems([r], "ingest")
        if args.json:
            print(json.dumps({"path": str(r.path), "reader": r.reader, "ok": r.ok,
                              "documents": r.documents, "sections": r.sections,
                              "events": r.events, "metadata": r.metadata,
                              "warnings": r.warnings, "error": r.error},
                             ensure_ascii=False))
        elif r.ok:
            print(f"{r.path}: {r.reader}, {r.documents} document(s), {r.sections} "
                  f"section(s), {r.events} event(s)"
                  + (f", front matter ({', '.join(r.metadata)})" if r.metadata else "")
                  + (f", {len(r.warnings)} warning(s)" if r.warnings else ""))
        else:
            print(f"{r.path}: FAILED ({r.reader or 'unread'})")
    failed = sum(1 for r in results if r.error is not None)
    if not results:
        print(f"dna ingest: no source files under {', '.join(args.paths)}", file=sys.stderr)
        return 1
    if not args.json:
        print(f"{len(results) - failed} of {len(results)} file(s) read"
              + (f", {failed} failed" if failed else ""))
    return 1 if failed else 0


def cmd_extract(args: argparse.Namespace) -> int:
    import warnings

    from dna_kit.errors import ProjectError
    from dna_kit.extract.llm_extractor import ModelFallback
    from dna_kit.project import find_project

    llm = _llm(args) if args.llm else None
    project = None
    if args.save:
        project = find_project(args.cwd)  # fail before any work if there is no ledger
    else:
        try:  # only for its redaction settings
            project = find_project(args.cwd)
        except ProjectError:
            project = None
    # A model that fails is reported once per file, as "dna extract: warning: ...", not
    # also by Python's warning machinery with a line of dna_kit's source under it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelFallback)
        results, candidates = _extract_all(args, llm, project)
    failed = sum(1 for error in results if error is not None)
    if not results:
        print(f"dna extract: no source files under {', '.join(args.paths)}", file=sys.stderr)
        return 1
    summary = (f"{len(candidates)} candidate(s) from {len(results) - failed} of "
               f"{len(results)} file(s)" + (f", {failed} failed" if failed else ""))
    if args.save and project is not None:
        from dna_kit.review import save_candidates

        saved, skipped = save_candidates(project, candidates)
        summary += f"; saved {len(saved)} to the ledger, {skipped} already there"
    print(summary, file=sys.stderr if args.json else sys.stdout)
    return 1 if failed else 0


def _extract_all(args: argparse.Namespace, llm: Any, project: Any
                 ) -> tuple[list[str | None], list[Any]]:
    """Extract every source, printing candidates as they come: ``(each file's error or
    None, the candidates printed)``."""
    import json

    from dna_kit.extract import extract_paths
    from dna_kit.review import redacted

    results: list[str | None] = []
    candidates: list[Any] = []
    first = True
    if args.json:
        sys.stdout.write("[")
    for r in extract_paths(_paths(args), workers=args.workers, format=args.format,
                           fields=_fields(args), llm=llm):
        results.append(r.error)
        _problems([r], "extract")
        # Secrets and personal data never reach the terminal or the ledger.
        for c in redacted(r.candidates, project):
            if c.confidence < args.min_confidence:
                continue
            candidates.append(c)
            if args.json:
                sys.stdout.write(("\n  " if first else ",\n  ")
                                 + json.dumps(c.to_json(), ensure_ascii=False))
                first = False
            else:
                print(_line(c))
    if args.json:
        sys.stdout.write("\n]\n" if not first else "]\n")
    return results, candidates


def _line(c: Any) -> str:
    where = f"{c.source.path}:{c.source.line_start}"
    if c.source.line_end != c.source.line_start:
        where += f"-{c.source.line_end}"
    params = "  " + " ".join(f"{k}={v}" for k, v in c.params.items()) if c.params else ""
    return f"{where}  {c.layer}/{c.kind}  {c.confidence:.2f}  {c.statement}{params}"


def _llm(args: argparse.Namespace) -> Any:
    from dna_kit.errors import ModelError, ProjectError
    from dna_kit.llm import LLMClient, client_for_project, load_llm_config
    from dna_kit.project import find_project

    try:
        client = client_for_project(find_project(args.cwd))
    except ProjectError:  # no project is fine: the environment may configure the model
        config = load_llm_config(None)
        client = None if config is None else LLMClient(config)
    if client is None:
        raise ModelError("no model configured: set DNA_LLM_MODEL (and OPENAI_BASE_URL, "
                         "OPENAI_API_KEY) or llm.model in dna/config.yaml, or drop --llm")
    return client


def cmd_eval(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from dna_kit.extract.evaluate import evaluate_extraction

    base = Path(args.cwd)
    if args.cv:
        from dna_kit.extract.fit import cross_validate_extraction

        report = cross_validate_extraction(base / args.gold, base / args.corpus)
    else:
        report = evaluate_extraction(base / args.gold, base / args.corpus)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(report.to_text())
    if args.misses:
        for f in report.files:
            print(f"\n== {f.path}: {f.matched}/{f.gold} found, {f.candidates} candidate(s)")
            for quote in f.missed:
                print(f"  missed: {quote[:160]}")
            for quote in f.spurious:
                print(f"  extra:  {quote[:160]}")
    return 0
