"""The codify stage: findings become property tests and decision records.

>>> from dna_kit.codify import codify, preview_test, write_adr
>>> print(preview_test(".", "F-0007", template="backoff_schedule",
...                    target="dispatch.carrier:backoff_delay"))   # doctest: +SKIP
>>> codify(".", "F-0007", template="backoff_schedule",
...        target="dispatch.carrier:backoff_delay")                # doctest: +SKIP
>>> write_adr(".", "F-0004", fmt="madr")                           # doctest: +SKIP

The modules, lowest first: ``render``/``templates``/``params``/``domains`` work out text;
``artifacts`` is the one writer; ``property_tests`` (tests) and ``adr`` (records) each write
one kind of artifact; ``linked`` keeps a finding's test and record naming each other.
Templates are listed by :func:`build_template_registry` (``dna templates``).
"""

from __future__ import annotations

from dna_kit.codify.adr import (
    RecordContext,
    build_format_registry,
    own_record,
    render_adr,
    write_record,
)
from dna_kit.codify.artifacts import write_generated
from dna_kit.codify.domains import DOMAIN_HELP, Domain, parse_domain
from dna_kit.codify.linked import codify, write_adr
from dna_kit.codify.property_tests import (
    Artifact,
    TargetShape,
    default_test_path,
    domain_from_target,
    inspect_target,
    preview_test,
    write_test,
)
from dna_kit.codify.render import render_test
from dna_kit.codify.templates import (
    DECISION_RECORD,
    TemplateSpec,
    build_template_registry,
    suggest_template,
)

__all__ = [
    "DECISION_RECORD",
    "DOMAIN_HELP",
    "Artifact",
    "Domain",
    "RecordContext",
    "TargetShape",
    "TemplateSpec",
    "build_format_registry",
    "build_template_registry",
    "codify",
    "default_test_path",
    "domain_from_target",
    "inspect_target",
    "own_record",
    "parse_domain",
    "preview_test",
    "render_adr",
    "render_test",
    "suggest_template",
    "write_adr",
    "write_generated",
    "write_record",
    "write_test",
]
