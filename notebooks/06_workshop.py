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
# # 6 · Workshop: thicken the DNA in an afternoon
#
# A facilitator's run sheet. The team measures its regeneration score, interviews its most
# experienced engineers, mines old incidents, codifies what it finds, and measures again.
#
# | time | step | notebook |
# |---|---|---|
# | 0:00 - 0:15 | why we are here; the score **before** (below) | this one |
# | 0:15 - 0:45 | mine the last incidents; review candidates together | 2 · Postmortem session |
# | 0:45 - 1:45 | two interviews, 30 min each, anchored in a real incident | 3 · Engineer interview |
# | 1:45 - 2:00 | break; the live tally (below) | this one |
# | 2:00 - 3:15 | codify in pairs: one test or record per finding | 4 · Codify |
# | 3:15 - 3:45 | the score **after**, and what the surviving mutants ask | this one, 5 |
# | 3:45 - 4:00 | owners for what is still tacit; next session's questions | |
#
# Ground rules: one incident per interview; findings are the team's words, reviewed by the
# person who knows; a rule is done when its check fails on broken code.

# %%
# %matplotlib inline
from IPython.display import display

from dna_kit import load_ledger
from dna_kit.notebook import findings_map, open_project, plot_score_change, score_change, tally
from dna_kit.notebook.plots import plot_scorecard, plot_trend
from dna_kit.regen import read_history, regenerate

# %% tags=["parameters"]
# Parameters (papermill: -p name value). An empty project_dir works on a scratch copy of
# the bundled example, so trying this notebook never changes committed files.
project_dir = ""
interactive = True
impl = ""       # score another implementation (a rewrite) instead of the code
prove = False   # True: mutation proof, the honest score (slower)

# %% [markdown]
# ## Before: the score as the team walks in

# %%
project = open_project(project_dir)
before = regenerate(project, impl=impl or None, prove=prove)
print(f"accepted findings: {before.accepted}; verified {before.verified_score or 0:.0%}, "
      f"proven {before.score or 0:.0%}")
display(plot_scorecard(before))

# %% [markdown]
# ## The map: what we know, by area and layer

# %%
ledger = load_ledger(project)
display(findings_map(ledger))

# %% [markdown]
# ## Live tally
#
# Re-run this cell during the afternoon: findings by layer and status, as the team accepts
# and codifies them in notebooks 2, 3 and 4.

# %%
display(tally(load_ledger(project)))

# %% [markdown]
# ## Rules a rewrite would lose
#
# Failing first, then tacit: these are the next session's questions.

# %%
lost = before.lost()
print(f"{len(lost)} rule(s) a rewrite would lose today")
for result in lost[:10]:
    print(f"{result.id} {result.status:8} {result.title}")
for finding_id, question in before.questions()[:10]:
    print(f"{finding_id}: {question}")

# %% [markdown]
# ## After: the score as the team leaves, and the difference

# %%
after = regenerate(project, impl=impl or None, prove=prove)
display(score_change(before, after).style.format("{:.0%}", subset=[
    "proven before", "proven after", "proven change",
    "verified before", "verified after", "verified change"]))
display(plot_score_change(before, after))
display(plot_trend(read_history(project.dna_dir)))
