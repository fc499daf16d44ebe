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
# # 5 · Regeneration test
#
# If this service were regenerated from its artifacts alone (its tests, decision records and
# findings), what share of its rules would survive? This notebook answers with a number that
# is **proven**: a rule counts only when a check protects it, the check passes on the code, and
# the check *fails* when the code it protects is broken (mutated).
#
# | status | meaning |
# |---|---|
# | **failing** | its check fails (or cannot run) on this implementation: the rule was lost |
# | **tacit** | no artifact at all: the rule lives only in the finding |
# | **documented** | a decision record, but no executable check |
# | **verified** | its check passes |
# | **proven** | its check passes *and* fails on at least one mutant of its target |
#
# Score = proven / accepted findings. `dna regen --prove` runs the same function from the
# command line; CI runs this notebook headless with papermill.

# %%
# %matplotlib inline
from IPython.display import Markdown, display

from dna_kit.notebook import open_project
from dna_kit.notebook.plots import plot_scorecard, plot_trend, report_frame
from dna_kit.regen import glue, read_history, regenerate, render_markdown

# %% tags=["parameters"]
# Parameters (papermill: -p name value). An empty project_dir scores a scratch copy of the
# bundled example; impl is an alternate implementation (a rewrite) to score instead.
project_dir = ""
impl = ""
prove = True
min_score = None
interactive = True

# %% [markdown]
# ## Run the regeneration test
#
# Every accepted or codified finding's tests run in a pytest subprocess; with `prove`, each
# finding's target is mutated (constants, comparisons, operators, `min`/`max`, conditions,
# return values) and only that finding's tests run against each mutant.

# %%
project = open_project(project_dir)
card = regenerate(project, impl=impl or None, prove=prove, min_score=min_score)
print(project.root)
print(card.summary())
display(card.to_dataframe())

# %% [markdown]
# ## Score by layer and status
#
# Lost rules (failing, tacit) are the knowledge a rewrite would drop; documented ones survive
# only as prose.

# %%
display(plot_scorecard(card))

# %% [markdown]
# ## Lost rules and the questions the surviving mutants raise
#
# A surviving mutant is a change to the code that no check notices. Each becomes a plain
# question for the rule's owner; take them to the next interview (notebook 3).

# %%
display(Markdown(render_markdown(card, max_questions=20)))

# %% [markdown]
# ## The trend
#
# Each run appends a line to `dna/regen-history.jsonl`.

# %%
history = read_history(project.dna_dir)
display(plot_trend(history))

# %% [markdown]
# ## Results for CI
#
# The scorecard is published into the executed notebook (read back with
# `dna_kit.regen.read_results`); below `min_score`, the notebook fails, as
# `dna regen --min-score` does.

# %%
glue("scorecard", card.to_json())
glue("score", card.score)
if interactive:
    display(report_frame(card, history))
card.check()
