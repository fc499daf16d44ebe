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
# # 2 · Postmortem session
#
# Right after an incident: load its write-up, chat export and timeline; read the timeline;
# let the extractor propose candidate findings; and review them one by one. Each candidate
# shows its quote highlighted in the text around it. **Accept** writes it to the ledger at
# once; **Reject** needs a reason (it is kept, so it is not proposed again); **Skip** leaves
# it for later. Keyboard: Tab between fields, or type `a`, `r reason`, `s`, `b` in the
# command box and press Enter.

# %%
from IPython.display import display

from dna_kit.ingest import ingest
from dna_kit.notebook import (
    ReviewPanel,
    candidates_frame,
    open_project,
    plot_timeline,
    propose_candidates,
    save_candidates,
    timeline_frame,
)

# %% tags=["parameters"]
# Parameters (papermill: -p name value). An empty project_dir works on a scratch copy of
# the bundled example, so trying this notebook never changes committed files.
project_dir = ""
interactive = True
# Sources: files or folders, relative to the repository (write-ups, Slack exports, logs).
sources = ["incidents"]

# %%
project = open_project(project_dir)
documents = [doc for src in sources for doc in ingest(project.root / src)]
for doc in documents:
    print(f"{doc.kind:11} {doc.path}  ({len(doc.events)} events, {len(doc.sections)} sections)")

# %% [markdown]
# ## The timeline, from every source at once

# %%
timeline = timeline_frame(documents)
display(timeline[["time", "actor", "text", "source"]])
display(plot_timeline(timeline))

# %% [markdown]
# ## Candidate findings

# %%
candidates = propose_candidates(documents)
print(f"{len(candidates)} candidates")
display(candidates_frame(candidates))

# %% [markdown]
# ## Review
#
# Interactive: the panel below. Headless (`interactive=False`, as CI runs it): the
# candidates are saved with status `candidate`, for a person to review later.

# %%
if interactive:
    review = ReviewPanel(project, candidates)
    display(review)
else:
    saved, skipped = save_candidates(project, candidates)
    print(f"saved {len(saved)} new candidate(s) to {project.findings_dir} "
          f"({skipped} already there)")
