# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 3 · Engineer interview
#
# A guided interview with an experienced engineer, anchored in **one real incident** they
# handled (asking "what would you do in general" gets the policy, not the practice).
#
# The questions follow two methods from cognitive task analysis:
#
# - **Critical Decision Method** (Klein, Calderwood and MacGregor, 1989): four sweeps over
#   the incident: choose it, build its timeline, deepen each decision point (cues, knowledge,
#   analogues, goals, options, the rule followed, ...), then "what if".
# - **ACTA knowledge audit** (Militello and Hutton, 1998): a 3-6 step task diagram, then probes
#   for the big picture, noticing, job smarts, improvising, anomalies, ...
#
# Every number the engineer mentions draws "where does it come from, when was it set, what
# breaks if it is higher or lower"; every "we always / never" draws "since when, and why".
# With a model configured, follow-up questions are written from the answer; without one, the
# bank's follow-ups are used.
#
# The transcript is saved to `dna/interviews/` **after every answer**, so a crashed kernel
# loses nothing: set `resume` to the transcript and run again to carry on where it stopped.
# Candidate findings are proposed
# from the answers and reviewed with the same panel as the postmortem session.

# %%
from IPython.display import display

from dna_kit.interview import InterviewSession, load_question_bank, replay_transcript
from dna_kit.notebook import (
    InterviewPanel,
    bank_frame,
    candidates_frame,
    open_project,
    save_candidates,
)

# %% tags=["parameters"]
# Parameters (papermill: -p name value). An empty project_dir works on a scratch copy of
# the bundled example, so trying this notebook never changes committed files.
project_dir = ""
interactive = True
interviewee = "Ana Ruiz"
incident = "the 2026-07-02 summer sale, partner key suspended"
methods = ["cdm", "acta"]
# Carry on an interview whose kernel died: its transcript, relative to the repository.
resume = ""
# Headless: replay this transcript (relative to the repository) instead of asking.
transcript = "interviews/2026-09-17-ana-ruiz.md"

# %%
project = open_project(project_dir)
bank = load_question_bank()
for key, method in bank.methods.items():
    print(f"{key:8} {method['name']}: {method['citation']}")
display(bank_frame(bank)[["method", "phase", "id", "question"]])

# %% [markdown]
# ## The interview
#
# Type the engineer's answer in their words and press **Save answer, next**. Candidates from
# the answers appear below the interview as you go.

# %%
if interactive and resume:
    session = InterviewSession.resume(project.root / resume)
elif interactive:
    session = InterviewSession(project, interviewee=interviewee, incident=incident,
                               methods=methods)
if interactive:
    print("transcript:", session.path)
    panel = InterviewPanel(session)
    display(panel)

# %% [markdown]
# ## Replay (headless)
#
# Without a person at the keyboard, the notebook replays a saved transcript and proposes the
# same candidates the live session did.

# %%
if not interactive:
    candidates = replay_transcript(project.root / transcript)
    print(f"{len(candidates)} candidates from {transcript}")
    display(candidates_frame(candidates))
    saved, skipped = save_candidates(project, candidates)
    print(f"saved {len(saved)} new candidate(s) for review ({skipped} already there)")
