"""The review stage: the one place where a candidate becomes a finding.

Extraction proposes candidates; a person decides. Every way of deciding (``dna extract
--save``, ``dna accept``/``reject``/``set``, the review and interview panels, a committed
review file such as ``examples/logistics/review.yaml``) calls the functions here, so they
agree on four things:

**Identity.** :func:`candidate_key` says when two candidates (or a candidate and a finding
already in the ledger) are the same proposal: the source's *file name* and the quote with
whitespace collapsed and case folded. The line numbers are left out on purpose: a source
edited above the quote, or a transcript re-read with one more answer, moves the quote but
proposes the same rule. The directory is left out too, because candidates carry the path
they were read by (relative to the shell, or absolute) while the ledger stores it relative
to the repository. Against the ledger, the quote compared is the one stored, redacted.
Saving the same extraction twice adds nothing the second time, accepting a candidate saved
earlier updates its finding, and a candidate once rejected is not saved again.

**Redaction.** Every text stored from a candidate or a person's edit (title, statement,
rationale, rejection reason, parameter values given as text, provenance quotes) passes
through :func:`redact_fields` with the project's settings (:func:`redaction_settings`,
from ``llm.redact_names`` and ``llm.redact_ip_addresses``) just before it is written. A
password in a postmortem reaches ``dna/findings/`` as ``[REDACTED:password]``, whichever
shell accepted it. The patterns are :mod:`dna_kit.redact`'s alone; :func:`redacted` (what a
shell shows before anyone decides) applies the same ones to whole candidates through
:func:`dna_kit.extract.llm_extractor.redact_candidate`.

**What a person may change.** :data:`EDITABLE` are a finding's reviewable fields (the
panels show one widget each; ``dna set`` takes them as ``FIELD=VALUE``); ``dna set`` can
also change the bookkeeping fields in :data:`LEDGER_FIELDS`. Both validate the same way:
names checked here, values by :class:`~dna_kit.finding.Finding` itself.

**One writer at a time.** Each read-check-write of the ledger (is this candidate there
yet? then add it; read a finding, apply ``dna set``'s assignments to it as it is now,
write it) holds :func:`dna_kit.ledger.locked`. :func:`decide_findings` accepts or rejects
several findings all or nothing: every id is found and every change checked before any
file is written. Source paths are stored relative to
the repository (:func:`dna_kit.fileio.relative_path`).

**A committed review file.** :func:`apply_review` applies a team's decisions written down
as YAML (the shape of ``examples/logistics/review.yaml``: ``_file``'s docstring describes
it) to freshly extracted candidates, headless and reproducibly. :func:`plan_review` checks
every entry first, so a bad one raises :class:`ReviewError` naming the file, the line and
the field, with nothing written.

The code lives in ``_decide`` (identity, redaction, fields, accept/reject/save/edit) and
``_file`` (the review file); import from ``dna_kit.review``.

>>> from dna_kit.extract import Candidate, CandidateSource
>>> c = Candidate("Retries  are capped at 5 s.", "Cap", "Retries are capped at 5 s.",
...               "how", "retry_policy", CandidateSource("/tmp/incidents/pm.md", 3, 3))
>>> candidate_key(c)
('pm.md', 'retries are capped at 5 s.')
>>> accept_candidate(project, c, edits={"layer": "why"}).status   # doctest: +SKIP
'accepted'
>>> apply_review(project, "review.yaml", candidates).accepted      # doctest: +SKIP
[Finding(id='F-0001', ...), ...]
"""

from __future__ import annotations

from dna_kit.review._decide import (
    EDITABLE,
    LEDGER_FIELDS,
    accept_candidate,
    apply_assignments,
    candidate_fields,
    candidate_key,
    check_changes,
    decide_findings,
    edit_finding,
    params_text,
    parse_assignments,
    parse_params_text,
    redact_fields,
    redacted,
    redaction_settings,
    reject_candidate,
    save_candidates,
)
from dna_kit.review._file import (
    Review,
    ReviewEntry,
    ReviewError,
    ReviewPlan,
    ReviewResult,
    apply_review,
    load_review,
    manual_fields,
    match_candidate,
    plan_review,
)

__all__ = [
    "EDITABLE",
    "LEDGER_FIELDS",
    "Review",
    "ReviewEntry",
    "ReviewError",
    "ReviewPlan",
    "ReviewResult",
    "accept_candidate",
    "apply_assignments",
    "apply_review",
    "candidate_fields",
    "candidate_key",
    "check_changes",
    "decide_findings",
    "edit_finding",
    "load_review",
    "manual_fields",
    "match_candidate",
    "params_text",
    "parse_assignments",
    "parse_params_text",
    "plan_review",
    "redact_fields",
    "redacted",
    "redaction_settings",
    "reject_candidate",
    "save_candidates",
]
