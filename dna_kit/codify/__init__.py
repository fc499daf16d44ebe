"""The codify stage: findings become property tests and decision records.

>>> from dna_kit.codify import codify, write_adr
>>> codify(".", "F-0007", template="backoff_schedule",
...        target="dispatch.carrier:backoff_delay")          # doctest: +SKIP
>>> write_adr(".", "F-0004", fmt="madr")                     # doctest: +SKIP

Templates are listed by :func:`build_template_registry` (``dna templates``).
"""

from __future__ import annotations

from dna_kit.codify.adr import RecordContext, build_format_registry, render_adr, write_adr
from dna_kit.codify.domains import DOMAIN_HELP, Domain, parse_domain
from dna_kit.codify.property_tests import Artifact, codify, default_test_path
from dna_kit.codify.render import render_test
from dna_kit.codify.templates import TemplateSpec, build_template_registry

__all__ = [
    "DOMAIN_HELP",
    "Artifact",
    "Domain",
    "RecordContext",
    "TemplateSpec",
    "build_format_registry",
    "build_template_registry",
    "codify",
    "default_test_path",
    "parse_domain",
    "render_adr",
    "render_test",
    "write_adr",
]
