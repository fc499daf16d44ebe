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
# # 4 · Codify: from a finding to a test that fails when the rule breaks
#
# Pick an accepted finding. The template is suggested from its kind (a retry policy with a
# base, factor and cap becomes `backoff_schedule`; an ordering rule `priority_order`; a
# decision or agreement a decision record). Bind it to the code (`package.module:callable`),
# look at the generated test, **run it live** (it passes, or you see the failing example
# hypothesis found), then save it: `dna/tests/test_<id>_<slug>.py`, linked both ways, the
# finding marked `codified`. For a reason or an agreement, write a decision record (MADR or
# Nygard) instead.
#
# Generated tests depend only on pytest, hypothesis and your code: they keep working with
# dna_kit uninstalled.

# %%
from IPython.display import Markdown, display

from dna_kit import load_ledger
from dna_kit.codify import build_template_registry, codify, write_adr
from dna_kit.notebook import CodifyPanel, open_project, preview_test, run_test_source

# %% tags=["parameters"]
# Parameters (papermill: -p name value). An empty project_dir works on a scratch copy of
# the bundled example, so trying this notebook never changes committed files.
project_dir = ""
interactive = True
# Headless: what to codify. Empty template/target reuse the finding's existing binding.
finding_id = "F-0001"
template = ""
target = ""
params: dict[str, object] = {}
# A finding to write a decision record for (empty: none), and the format.
record_finding_id = "F-0011"
record_format = "madr"

# %%
project = open_project(project_dir)
ledger = load_ledger(project)
display(ledger.to_dataframe().query("status in ['accepted', 'codified']")[
    ["id", "layer", "kind", "status", "title"]])
for name, spec in build_template_registry().items():
    print(f"{name:17} {spec.call_shape:45} {spec.rule[:70]}")

# %% [markdown]
# ## Codify interactively

# %%
if interactive:
    display(CodifyPanel(project))

# %% [markdown]
# ## Headless: the same steps as function calls
#
# Preview, run live, save. Saving twice changes nothing (codify is idempotent).

# %%
if not interactive:
    finding = ledger[finding_id]
    chosen = template or (finding.binding.template if finding.binding else "")
    bound = target or (finding.binding.target if finding.binding else "")
    source = preview_test(project, finding_id, template=chosen, target=bound, params=params)
    run = run_test_source(project, source)
    print(f"{finding_id} with {chosen} on {bound}: {'passed' if run.passed else 'FAILED'}")
    if run.failing_example:
        print(run.failing_example)
    artifact = codify(project, finding_id, template=chosen, target=bound, params=params)
    print(artifact.path.relative_to(project.root), "written" if artifact.written else "unchanged")
    display(Markdown(f"```python\n{artifact.path.read_text()}\n```"))

# %%
if not interactive and record_finding_id:
    record = write_adr(project, record_finding_id, fmt=record_format)
    print(record.relative_to(project.root))
    display(Markdown(record.read_text()))
