"""Write the guided notebooks (01-04, 06) from the cell lists below, clean: no outputs, no
execution counts. Notebook 05 belongs to the regeneration test and is written by hand.

    python notebooks/_build.py          # rewrite them
    python notebooks/_build.py --check  # exit 1 if a committed notebook differs

Keeping them here keeps the series consistent (one imports cell, one ``parameters`` cell,
library calls, display) and keeps every line of logic in the library, where it is tested.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

Cell = tuple[str, str]  # ("md" | "code" | "params", source)


def md(text: str) -> Cell:
    return ("md", text.strip("\n"))


def code(text: str) -> Cell:
    return ("code", text.strip("\n"))


def params(text: str) -> Cell:
    return ("params", text.strip("\n"))


LAYERS_TABLE = """\
| layer | what it holds | example |
|---|---|---|
| **what** | behaviour: contracts, inputs and outputs | an order with no address is rejected |
| **how** | quality rules under conditions: limits, timeouts, retries, ordering under load | retry the carrier at most 4 times, backoff capped at 5 s |
| **why** | decisions, reasons, agreements, heuristics | the cap was cut from 60 s to 5 s after a retry storm |"""

PROJECT_PARAM = '''\
# Parameters (papermill: -p name value). An empty project_dir works on a scratch copy of
# the bundled example, so trying this notebook never changes committed files.
project_dir = ""
interactive = True'''

NOTEBOOKS: dict[str, list[Cell]] = {
    "01_start_here.ipynb": [
        md(f"""
# 1 · Start here: your system's DNA

A service's DNA is what you would need to rebuild it correctly. It has three layers:

{LAYERS_TABLE}

Tests usually cover *what*. *How* and *why* live in people's heads and incident write-ups,
and they are the first thing lost in a rewrite. dna_kit keeps them as **findings** (one
file each, in git), turns them into **property tests** and **decision records**, and scores
how much would survive a regeneration.

The notebooks in this folder:

1. **Start here** (this one): set up `dna/` and see where things live.
2. **Postmortem session**: mine an incident's write-up, chat and timeline; review candidates.
3. **Engineer interview**: a guided interview (Critical Decision Method, ACTA).
4. **Codify**: turn a finding into a property test or a decision record.
5. **Regeneration test**: what share of the rules is *proven* to survive.
6. **Workshop**: a facilitator's run sheet for an afternoon."""),
        code("""
from IPython.display import display

from dna_kit import load_ledger
from dna_kit.notebook import open_project, project_summary"""),
        params(PROJECT_PARAM),
        md("""
## Set up `dna/` in a repository

`open_project` uses the repository you name, creating `dna/findings`, `dna/tests`,
`dna/interviews`, `dna/config.yaml` and a decision-record folder if they are missing
(nothing existing is replaced; `dna init` on the command line does the same)."""),
        code("""
project = open_project(project_dir)
print("repository:", project.root)
display(project_summary(project))"""),
        md("""
## The ledger

Every finding is `dna/findings/F-NNNN-slug.md`: YAML front matter (the fields) and a
readable body that is yours to edit. The ledger loads them all, validated, as a table."""),
        code("""
ledger = load_ledger(project)
frame = ledger.to_dataframe()
print(f"{len(ledger)} findings")
display(frame[["id", "layer", "kind", "status", "title"]].head(20))"""),
        code("""
if len(ledger):
    display(frame.groupby(["layer", "status"]).size().unstack(fill_value=0))"""),
        md("""
## Next

Open **2 · Postmortem session** after an incident, or **3 · Engineer interview** to draw
out what an experienced engineer knows. Both write findings to the ledger above."""),
    ],
    "02_postmortem_session.ipynb": [
        md("""
# 2 · Postmortem session

Right after an incident: load its write-up, chat export and timeline; read the timeline;
let the extractor propose candidate findings; and review them one by one. Each candidate
shows its quote highlighted in the text around it. **Accept** writes it to the ledger at
once; **Reject** needs a reason (it is kept, so it is not proposed again); **Skip** leaves
it for later. Keyboard: Tab between fields, or type `a`, `r reason`, `s`, `b` in the
command box and press Enter."""),
        code("""
from IPython.display import display

from dna_kit.ingest import ingest
from dna_kit.notebook import (
    ReviewPanel, candidates_frame, open_project, plot_timeline, propose_candidates,
    save_candidates, timeline_frame,
)"""),
        params(PROJECT_PARAM + '''
# Sources: files or folders, relative to the repository (write-ups, Slack exports, logs).
sources = ["incidents"]'''),
        code("""
project = open_project(project_dir)
documents = [doc for src in sources for doc in ingest(project.root / src)]
for doc in documents:
    print(f"{doc.kind:11} {doc.path}  ({len(doc.events)} events, {len(doc.sections)} sections)")"""),
        md("## The timeline, from every source at once"),
        code("""
timeline = timeline_frame(documents)
display(timeline[["time", "actor", "text", "source"]])
display(plot_timeline(timeline))"""),
        md("## Candidate findings"),
        code("""
candidates = propose_candidates(documents)
print(f"{len(candidates)} candidates")
display(candidates_frame(candidates))"""),
        md("""
## Review

Interactive: the panel below. Headless (`interactive=False`, as CI runs it): the
candidates are saved with status `candidate`, for a person to review later."""),
        code("""
if interactive:
    review = ReviewPanel(project, candidates)
    display(review)
else:
    saved = save_candidates(project, candidates)
    print(f"saved {len(saved)} new candidate(s) to {project.findings_dir}")"""),
    ],
    "03_engineer_interview.ipynb": [
        md("""
# 3 · Engineer interview

A guided interview with an experienced engineer, anchored in **one real incident** they
handled (asking "what would you do in general" gets the policy, not the practice).

The questions follow two methods from cognitive task analysis:

- **Critical Decision Method** (Klein, Calderwood and MacGregor, 1989): four sweeps over
  the incident: choose it, build its timeline, deepen each decision point (cues, knowledge,
  analogues, goals, options, the rule followed, ...), then "what if".
- **ACTA knowledge audit** (Militello and Hutton, 1998): a 3-6 step task diagram, then probes
  for the big picture, noticing, job smarts, improvising, anomalies, ...

Every number the engineer mentions draws "where does it come from, when was it set, what
breaks if it is higher or lower"; every "we always / never" draws "since when, and why".
With a model configured, follow-up questions are written from the answer; without one, the
bank's follow-ups are used.

The transcript is saved to `dna/interviews/` **after every answer**, so a crashed kernel
loses nothing (`InterviewSession.resume(path)` carries on). Candidate findings are proposed
from the answers and reviewed with the same panel as the postmortem session."""),
        code("""
from IPython.display import display

from dna_kit.interview import InterviewSession, load_question_bank, replay_transcript
from dna_kit.notebook import (
    InterviewPanel, bank_frame, candidates_frame, open_project, save_candidates,
)"""),
        params(PROJECT_PARAM + '''
interviewee = "Ana Ruiz"
incident = "the 2026-07-02 summer sale, partner key suspended"
methods = ["cdm", "acta"]
# Headless: replay this transcript (relative to the repository) instead of asking.
transcript = "interviews/2026-09-17-ana-ruiz.md"'''),
        code("""
project = open_project(project_dir)
bank = load_question_bank()
for key, method in bank.methods.items():
    print(f"{key:8} {method['name']}: {method['citation']}")
display(bank_frame(bank)[["method", "phase", "id", "question"]])"""),
        md("""
## The interview

Type the engineer's answer in their words and press **Save answer, next**. Candidates from
the answers appear below the interview as you go."""),
        code("""
if interactive:
    session = InterviewSession(project, interviewee=interviewee, incident=incident,
                               methods=methods)
    print("transcript:", session.path)
    panel = InterviewPanel(session)
    display(panel)"""),
        md("""
## Replay (headless)

Without a person at the keyboard, the notebook replays a saved transcript and proposes the
same candidates the live session did."""),
        code("""
if not interactive:
    candidates = replay_transcript(project.root / transcript)
    print(f"{len(candidates)} candidates from {transcript}")
    display(candidates_frame(candidates))
    saved = save_candidates(project, candidates)
    print(f"saved {len(saved)} new candidate(s) for review")"""),
    ],
}


def build(name: str, cells: list[Cell]) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    for kind, source in cells:
        if kind == "md":
            cell = new_markdown_cell(source)
        else:
            cell = new_code_cell(source)
            if kind == "params":
                cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    # Stable ids, so rebuilding an unchanged notebook changes nothing in git.
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{Path(name).stem[:2]}-{i:02d}"
    nbformat.validate(nb)
    return nb


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, cells in NOTEBOOKS.items():
        text = nbformat.writes(build(name, cells)) + "\n"
        path = HERE / name
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("out of date (run python notebooks/_build.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
