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
# # 1 · Start here: your system's DNA
#
# A service's DNA is what you would need to rebuild it correctly. It has three layers:
#
# | layer | what it holds | example |
# |---|---|---|
# | **what** | behaviour: contracts, inputs and outputs | an order with no address is rejected |
# | **how** | quality rules under conditions: limits, timeouts, retries, ordering under load | retry the carrier at most 4 times, backoff capped at 5 s |
# | **why** | decisions, reasons, agreements, heuristics | the cap was cut from 60 s to 5 s after a retry storm |
#
# Tests usually cover *what*. *How* and *why* live in people's heads and incident write-ups,
# and they are the first thing lost in a rewrite. dna_kit keeps them as **findings** (one
# file each, in git), turns them into **property tests** and **decision records**, and scores
# how much would survive a regeneration.
#
# The notebooks in this folder:
#
# 1. **Start here** (this one): set up `dna/` and see where things live.
# 2. **Postmortem session**: mine an incident's write-up, chat and timeline; review candidates.
# 3. **Engineer interview**: a guided interview (Critical Decision Method, ACTA).
# 4. **Codify**: turn a finding into a property test or a decision record.
# 5. **Regeneration test**: what share of the rules is *proven* to survive.
# 6. **Workshop**: a facilitator's run sheet for an afternoon.

# %%
from IPython.display import display

from dna_kit import load_ledger
from dna_kit.notebook import open_project, project_summary

# %% tags=["parameters"]
# Parameters (papermill: -p name value). An empty project_dir works on a scratch copy of
# the bundled example, so trying this notebook never changes committed files.
project_dir = ""
interactive = True

# %% [markdown]
# ## Set up `dna/` in a repository
#
# `open_project` uses the repository you name, creating `dna/findings`, `dna/tests`,
# `dna/interviews`, `dna/config.yaml` and a decision-record folder if they are missing
# (nothing existing is replaced; `dna init` on the command line does the same).

# %%
project = open_project(project_dir)
print("repository:", project.root)
display(project_summary(project))

# %% [markdown]
# ## The ledger
#
# Every finding is `dna/findings/F-NNNN-slug.md`: YAML front matter (the fields) and a
# readable body that is yours to edit. The ledger loads them all, validated, as a table.

# %%
ledger = load_ledger(project)
frame = ledger.to_dataframe()
print(f"{len(ledger)} findings")
display(frame[["id", "layer", "kind", "status", "title"]].head(20))

# %%
if len(ledger):
    display(frame.groupby(["layer", "status"]).size().unstack(fill_value=0))

# %% [markdown]
# ## Next
#
# Open **2 · Postmortem session** after an incident, or **3 · Engineer interview** to draw
# out what an experienced engineer knows. Both write findings to the ledger above.
