"""``dna init --ci``: a CI workflow (GitHub Actions) that re-runs the DNA on every change.

The workflow executes the notebooks headless with ``dna notebooks run``, runs the
regeneration test with mutation proof, adds the Markdown summary to the job's summary, and
keeps the executed notebooks, the JSON scorecard and the HTML report as artifacts. It is
written once: a workflow that already exists is left as it is (a person may have edited it).

With ``shards=N`` (N >= 2) the proof is spread over the CI system's own job matrix: N jobs
each run ``dna regen --prove --shard K/N`` (the findings dealt to part K whole, and a share
of the mutants of each finding with many, whose checks every part runs) and keep their
scorecard, and a merge job (``needs`` them all) runs ``dna regen merge`` into one scorecard
and the reports. Nothing of dna_kit's own distributes the work.

>>> path = write_ci_workflow(find_project("."))        # doctest: +SKIP
>>> path.relative_to(Path.cwd()).as_posix()            # doctest: +SKIP
'.github/workflows/dna.yml'
"""

from __future__ import annotations

from pathlib import Path

from dna_kit.fileio import create_exclusive
from dna_kit.project import Project

__all__ = ["WORKFLOW_PATH", "render_ci_workflow", "write_ci_workflow"]

_SHARDED = """\
# Written by `dna init --ci` (dna_kit). On every change: run the notebooks headless, prove
# the findings in {shards} parallel jobs (`dna regen --prove --shard K/{shards}`), merge their
# scorecards into one report, and keep it as an artifact. Yours to edit: dna_kit never
# rewrites this file once it exists.
name: dna

on:
  push:
  pull_request:

jobs:
  regeneration-shard:
    runs-on: ubuntu-latest
    timeout-minutes: 60
    strategy:
      fail-fast: false
      matrix:
        shard: [{shard_list}]
{defaults}    steps:
{setup}      - name: Regeneration test, shard ${{{{ matrix.shard }}}}/{shards}
        run: >-
          dna regen --prove --shard ${{{{ matrix.shard }}}}/{shards} --no-history
          --json dna-shards/scorecard-${{{{ matrix.shard }}}}.json
      - name: Keep the shard's scorecard
        if: ${{{{ always() }}}}
        uses: actions/upload-artifact@v4
        with:
          name: dna-shard-${{{{ matrix.shard }}}}
          path: {prefix}dna-shards/

  regeneration-test:
    needs: regeneration-shard
    if: ${{{{ !cancelled() }}}}
    runs-on: ubuntu-latest
    timeout-minutes: 60
{defaults}    steps:
{setup}      - name: Fetch the shards' scorecards
        uses: actions/download-artifact@v4
        with:
          pattern: dna-shard-*
          path: {prefix}dna-shards/
          merge-multiple: true
{notebooks}      - name: Merge the scorecards
        run: >-
          dna regen merge {cards}{min_score}
          --json dna-report/scorecard.json
          --html dna-report/report.html
          --markdown dna-report/summary.md
{report}"""

_SETUP = """\
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: {python}
      - name: Install
        run: |
          python -m pip install --upgrade pip
          python -m pip install {install}
          if [ -f requirements.txt ]; then python -m pip install -r requirements.txt; fi
          python -m ipykernel install --user --name python3
"""

WORKFLOW_PATH = Path(".github") / "workflows" / "dna.yml"

_TEMPLATE = """\
# Written by `dna init --ci` (dna_kit). On every change: run the notebooks headless, run the
# regeneration test with mutation proof, and keep the executed notebooks and the report as
# artifacts. Yours to edit: dna_kit never rewrites this file once it exists.
name: dna

on:
  push:
  pull_request:

jobs:
  regeneration-test:
    runs-on: ubuntu-latest
    timeout-minutes: 60
{defaults}    steps:
{setup}{notebooks}      - name: Regeneration test
        if: ${{{{ !cancelled() }}}}
        run: >-
          dna regen --prove{min_score}
          --json dna-report/scorecard.json
          --html dna-report/report.html
          --markdown dna-report/summary.md
{report}"""

# The steps both shapes share: run the notebooks first, keep the summary and the report last.
_NOTEBOOKS = """\
      - name: Run the notebooks
        if: hashFiles('{nb_glob}') != ''
        run: dna notebooks run --parallel 2 --out dna-report/notebooks -p interactive=False
"""

_REPORT = """\
      - name: Summary
        if: ${{{{ always() }}}}
        run: cat dna-report/summary.md >> "$GITHUB_STEP_SUMMARY" || true
      - name: Keep the executed notebooks and the report
        if: ${{{{ always() }}}}
        uses: actions/upload-artifact@v4
        with:
          name: dna-report
          path: {prefix}dna-report/
"""


def _git_root(start: Path) -> Path:
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return start


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    import json

    return json.dumps(text)


def render_ci_workflow(project: Project, *, min_score: float | None = None,
                       python: str = "3.11", install: str = "dna_kit[notebooks]",
                       shards: int = 1) -> str:
    """The workflow text for ``project``; steps run in the project's folder even when it
    is not the repository's top (the workflow must live at the top). ``shards`` >= 2
    proves the findings in that many matrix jobs and merges them in a last job.

    >>> "--shard ${{ matrix.shard }}/3" in render_ci_workflow(project, shards=3)  # doctest: +SKIP
    True
    """
    if isinstance(shards, bool) or not isinstance(shards, int) or shards < 1:
        from dna_kit.errors import ProjectError

        raise ProjectError(f"shards={shards!r} must be a whole number of jobs, 1 or more")
    root = project.root.resolve()
    top = _git_root(root)
    rel = root.relative_to(top).as_posix()
    defaults = "" if rel == "." else (
        f"    defaults:\n      run:\n        working-directory: {_quote(rel)}\n")
    prefix = "" if rel == "." else rel + "/"
    shared = {
        "defaults": defaults,
        "setup": _SETUP.format(python=_quote(python), install=_quote(install)),
        "notebooks": _NOTEBOOKS.format(nb_glob=f"{prefix}notebooks/*.ipynb"),
        "report": _REPORT.format(prefix=prefix),
        "min_score": "" if min_score is None else f" --min-score {float(min_score)}",
    }
    if shards > 1:
        return _SHARDED.format(
            shards=shards, shard_list=", ".join(str(k) for k in range(1, shards + 1)),
            prefix=prefix,
            cards=" ".join(f"dna-shards/scorecard-{k}.json" for k in range(1, shards + 1)),
            **shared)
    return _TEMPLATE.format(**shared)


def write_ci_workflow(project: Project, *, min_score: float | None = None,
                      python: str = "3.11", shards: int = 1) -> Path:
    """Write ``.github/workflows/dna.yml`` at the top of the repository holding ``project``
    and return its path; an existing workflow is kept unchanged. ``shards``: see
    :func:`render_ci_workflow`.

    >>> write_ci_workflow(project, shards=2).name                     # doctest: +SKIP
    'dna.yml'
    """
    top = _git_root(project.root.resolve())
    path = top / WORKFLOW_PATH
    create_exclusive(path, render_ci_workflow(project, min_score=min_score, python=python,
                                              shards=shards))
    return path
