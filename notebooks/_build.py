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
loses nothing: set `resume` to the transcript and run again to carry on where it stopped.
Candidate findings are proposed
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
# Carry on an interview whose kernel died: its transcript, relative to the repository.
resume = ""
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
if interactive and resume:
    session = InterviewSession.resume(project.root / resume)
elif interactive:
    session = InterviewSession(project, interviewee=interviewee, incident=incident,
                               methods=methods)
if interactive:
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

NOTEBOOKS["04_codify.ipynb"] = [
    md("""
# 4 · Codify: from a finding to a test that fails when the rule breaks

Pick an accepted finding. The template is suggested from its kind (a retry policy with a
base, factor and cap becomes `backoff_schedule`; an ordering rule `priority_order`; a
decision or agreement a decision record). Bind it to the code (`package.module:callable`),
look at the generated test, **run it live** (it passes, or you see the failing example
hypothesis found), then save it: `dna/tests/test_<id>_<slug>.py`, linked both ways, the
finding marked `codified`. For a reason or an agreement, write a decision record (MADR or
Nygard) instead.

Generated tests depend only on pytest, hypothesis and your code: they keep working with
dna_kit uninstalled."""),
    code("""
from IPython.display import Markdown, display

from dna_kit import load_ledger
from dna_kit.codify import build_template_registry, codify, write_adr
from dna_kit.notebook import CodifyPanel, open_project, preview_test, run_test_source"""),
    params(PROJECT_PARAM + '''
# Headless: what to codify. Empty template/target reuse the finding's existing binding.
finding_id = "F-0001"
template = ""
target = ""
params = {}
# A finding to write a decision record for (empty: none), and the format.
record_finding_id = "F-0011"
record_format = "madr"'''),
    code("""
project = open_project(project_dir)
ledger = load_ledger(project)
display(ledger.to_dataframe().query("status in ['accepted', 'codified']")[
    ["id", "layer", "kind", "status", "title"]])
for name, spec in build_template_registry().items():
    print(f"{name:17} {spec.call_shape:45} {spec.rule[:70]}")"""),
    md("## Codify interactively"),
    code("""
if interactive:
    display(CodifyPanel(project))"""),
    md("""
## Headless: the same steps as function calls

Preview, run live, save. Saving twice changes nothing (codify is idempotent)."""),
    code("""
if not interactive:
    finding = ledger[finding_id]
    chosen = template or finding.binding.template
    bound = target or finding.binding.target
    source = preview_test(project, finding_id, template=chosen, target=bound, params=params)
    run = run_test_source(project, source)
    print(f"{finding_id} with {chosen} on {bound}: {'passed' if run.passed else 'FAILED'}")
    if run.failing_example:
        print(run.failing_example)
    artifact = codify(project, finding_id, template=chosen, target=bound, params=params)
    print(artifact.path.relative_to(project.root), "written" if artifact.written else "unchanged")
    display(Markdown(f"```python\\n{artifact.path.read_text()}\\n```"))"""),
    code("""
if not interactive and record_finding_id:
    record = write_adr(project, record_finding_id, fmt=record_format)
    print(record.relative_to(project.root))
    display(Markdown(record.read_text()))"""),
]

NOTEBOOKS["06_workshop.ipynb"] = [
    md("""
# 6 · Workshop: thicken the DNA in an afternoon

A facilitator's run sheet. The team measures its regeneration score, interviews its most
experienced engineers, mines old incidents, codifies what it finds, and measures again.

| time | step | notebook |
|---|---|---|
| 0:00 - 0:15 | why we are here; the score **before** (below) | this one |
| 0:15 - 0:45 | mine the last incidents; review candidates together | 2 · Postmortem session |
| 0:45 - 1:45 | two interviews, 30 min each, anchored in a real incident | 3 · Engineer interview |
| 1:45 - 2:00 | break; the live tally (below) | this one |
| 2:00 - 3:15 | codify in pairs: one test or record per finding | 4 · Codify |
| 3:15 - 3:45 | the score **after**, and what the surviving mutants ask | this one, 5 |
| 3:45 - 4:00 | owners for what is still tacit; next session's questions | |

Ground rules: one incident per interview; findings are the team's words, reviewed by the
person who knows; a rule is done when its check fails on broken code."""),
    code("""
%matplotlib inline
from IPython.display import display

from dna_kit import load_ledger
from dna_kit.notebook import findings_map, open_project, plot_score_change, score_change, tally
from dna_kit.regen import read_history, regenerate
from dna_kit.regen.plots import plot_scorecard, plot_trend"""),
    params(PROJECT_PARAM + '''
impl = ""       # score another implementation (a rewrite) instead of the code
prove = False   # True: mutation proof, the honest score (slower)'''),
    md("## Before: the score as the team walks in"),
    code("""
project = open_project(project_dir)
before = regenerate(project, impl=impl or None, prove=prove)
print(f"accepted findings: {before.accepted}; verified {before.verified_score or 0:.0%}, "
      f"proven {before.score or 0:.0%}")
display(plot_scorecard(before))"""),
    md("## The map: what we know, by area and layer"),
    code("""
ledger = load_ledger(project)
display(findings_map(ledger))"""),
    md("""
## Live tally

Re-run this cell during the afternoon: findings by layer and status, as the team accepts
and codifies them in notebooks 2, 3 and 4."""),
    code("""
display(tally(load_ledger(project)))"""),
    md("""
## Rules a rewrite would lose

Failing first, then tacit: these are the next session's questions."""),
    code("""
lost = before.lost()
print(f"{len(lost)} rule(s) a rewrite would lose today")
for result in lost[:10]:
    print(f"{result.id} {result.status:8} {result.title}")
for finding_id, question in before.questions()[:10]:
    print(f"{finding_id}: {question}")"""),
    md("## After: the score as the team leaves, and the difference"),
    code("""
after = regenerate(project, impl=impl or None, prove=prove)
display(score_change(before, after).style.format("{:.0%}", subset=[
    "proven before", "proven after", "proven change",
    "verified before", "verified after", "verified change"]))
display(plot_score_change(before, after))
display(plot_trend(read_history(project.dna_dir)))"""),
]


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
