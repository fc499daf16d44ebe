"""dna_kit: capture a system's tacit knowledge and turn it into artifacts that survive a rewrite.

The public names are re-exported here and loaded on first use, so ``import dna_kit`` (and
the ``dna`` command) stays fast::

    from dna_kit import load_ledger
    ledger = load_ledger(".")
    ledger.to_dataframe().groupby(["layer", "status"]).size()
"""

from __future__ import annotations

import importlib

# Not `from typing import TYPE_CHECKING`: importing typing alone costs a third of the
# start-up budget of `dna --help`. Type checkers treat this name the same way.
TYPE_CHECKING = False

__version__ = "0.1.0"

# public name -> the private or stage module that defines it
_EXPORTS: dict[str, str] = {
    # errors
    "DnaKitError": "dna_kit.errors",
    "InvalidFinding": "dna_kit.errors",
    "InvalidUnit": "dna_kit.errors",
    "LedgerError": "dna_kit.errors",
    "LedgerInvalid": "dna_kit.errors",
    "DuplicateId": "dna_kit.errors",
    "FindingNotFound": "dna_kit.errors",
    "ProjectError": "dna_kit.errors",
    "NoProject": "dna_kit.errors",
    "RegistryError": "dna_kit.errors",
    "PluginError": "dna_kit.errors",
    "SourceError": "dna_kit.errors",
    "CodifyError": "dna_kit.errors",
    "EditedArtifact": "dna_kit.errors",
    "RegenError": "dna_kit.errors",
    "NotebookError": "dna_kit.errors",
    "ModelError": "dna_kit.errors",
    # model
    "Finding": "dna_kit.finding",
    "Provenance": "dna_kit.finding",
    "Links": "dna_kit.finding",
    "Binding": "dna_kit.finding",
    "LAYERS": "dna_kit.finding",
    "KINDS": "dna_kit.finding",
    "STATUSES": "dna_kit.finding",
    "Quantity": "dna_kit.units",
    "parse_quantity": "dna_kit.units",
    # ledger and project
    "Ledger": "dna_kit.ledger",
    "load_ledger": "dna_kit.ledger",
    "add_finding": "dna_kit.ledger",
    "update_finding": "dna_kit.ledger",
    "set_status": "dna_kit.ledger",
    "Project": "dna_kit.project",
    "find_project": "dna_kit.project",
    "init_project": "dna_kit.project",
    "Registry": "dna_kit.registry",
    "finding_schema": "dna_kit.schema",
    # codify
    "codify": "dna_kit.codify",
    "write_adr": "dna_kit.codify",
    "render_adr": "dna_kit.codify",
    "build_template_registry": "dna_kit.codify",
    "Artifact": "dna_kit.codify",
    # the optional model, and redaction
    "LLMClient": "dna_kit.llm",
    "LLMConfig": "dna_kit.llm",
    "load_llm_config": "dna_kit.llm",
    # (not `redact` itself: the name is its module's, and which one `dna_kit.redact` meant
    # would depend on import order; use `from dna_kit.redact import redact`)
    "Redacted": "dna_kit.redact",
    # incident mining
    # (not `ingest` itself: `dna_kit.ingest` is its package; use
    # `from dna_kit.ingest import ingest`)
    "Document": "dna_kit.document",
    "Candidate": "dna_kit.extract",
    "extract_findings": "dna_kit.extract",
    "extract_paths": "dna_kit.extract",
    "evaluate_extraction": "dna_kit.extract.evaluate",
    # guided interviews
    "InterviewSession": "dna_kit.interview",
    "load_question_bank": "dna_kit.interview",
    "replay_transcript": "dna_kit.interview",
    # the regeneration test
    "regenerate": "dna_kit.regen",
    "Scorecard": "dna_kit.regen",
    "FindingResult": "dna_kit.regen",
    "scorecard_schema": "dna_kit.regen",
    "write_html": "dna_kit.regen",
    "run_notebooks": "dna_kit.regen",
    "write_ci_workflow": "dna_kit.ci",
}

__all__ = sorted([*_EXPORTS, "__version__"])

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from dna_kit.ci import write_ci_workflow
    from dna_kit.codify import Artifact, build_template_registry, codify, render_adr, write_adr
    from dna_kit.document import Document
    from dna_kit.errors import (
        CodifyError,
        DnaKitError,
        DuplicateId,
        EditedArtifact,
        FindingNotFound,
        InvalidFinding,
        InvalidUnit,
        LedgerError,
        LedgerInvalid,
        ModelError,
        NoProject,
        NotebookError,
        PluginError,
        ProjectError,
        RegenError,
        RegistryError,
        SourceError,
    )
    from dna_kit.extract import Candidate, extract_findings, extract_paths
    from dna_kit.extract.evaluate import evaluate_extraction
    from dna_kit.finding import KINDS, LAYERS, STATUSES, Binding, Finding, Links, Provenance
    from dna_kit.interview import InterviewSession, load_question_bank, replay_transcript
    from dna_kit.ledger import Ledger, add_finding, load_ledger, set_status, update_finding
    from dna_kit.llm import LLMClient, LLMConfig, load_llm_config
    from dna_kit.project import Project, find_project, init_project
    from dna_kit.redact import Redacted
    from dna_kit.regen import (
        FindingResult,
        Scorecard,
        regenerate,
        run_notebooks,
        scorecard_schema,
        write_html,
    )
    from dna_kit.registry import Registry
    from dna_kit.schema import finding_schema
    from dna_kit.units import Quantity, parse_quantity


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dna_kit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
