"""A finding's test and decision record name each other, whichever is written first.

:func:`codify` writes the test (:func:`~dna_kit.codify.property_tests.write_test`) and then
re-renders the finding's decision record so its Confirmation names the test;
:func:`write_adr` writes the record (:func:`~dna_kit.codify.adr.write_record`) and then
re-renders the finding's test so its header names the record. Only an artifact nobody
edited is refreshed: a person's edits, and a model's unreviewed draft, stay as they are.
This module sits above both writers, so neither imports the other.

>>> codify(".", "F-0007", template="backoff_schedule",
...        target="dispatch.carrier:backoff_delay").written      # doctest: +SKIP
True
>>> write_adr(".", "F-0007").name                                  # doctest: +SKIP
'0001-carrier-retry-cap.md'
"""

from __future__ import annotations

import contextlib
import datetime as _dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dna_kit.codify.adr import DRAFT_MARK, own_record, write_record
from dna_kit.codify.property_tests import Artifact, write_test
from dna_kit.codify.render import is_pristine
from dna_kit.codify.stale import LINKED_TEMPLATE
from dna_kit.codify.templates import TemplateSpec
from dna_kit.errors import EditedArtifact
from dna_kit.ledger import find_entry
from dna_kit.project import Project, find_project
from dna_kit.registry import Registry

__all__ = ["codify", "write_adr"]


def codify(project: str | Path | Project, finding_id: str, *, template: str | None = None,
           target: str | None = None, params: Mapping[str, Any] | None = None,
           domain: str | None = None, out: str | Path | None = None, force: bool = False,
           targets: Mapping[str, str] | None = None,
           registry: Registry[TemplateSpec] | None = None) -> Artifact:
    """Turn an accepted finding into a property test, and mark it ``codified``.

    ``template``, ``target``, ``params`` (name → text such as ``"5s"``, overriding the
    finding's), ``domain`` and ``targets`` (extra roles, e.g. ``{"decode": "m:decode"}``)
    default to the finding's existing binding, so ``codify(project, "F-0007")``
    regenerates. Raises :class:`~dna_kit.errors.EditedArtifact` when the test file was
    edited by a person (``force=True`` replaces it). The finding's decision record, if
    nobody edited it, is refreshed so it names the test.

    >>> codify(".", "F-0007", template="backoff_schedule",
    ...        target="dispatch.carrier:backoff_delay").written      # doctest: +SKIP
    True
    """
    project = project if isinstance(project, Project) else find_project(project)
    artifact = write_test(project, finding_id, template=template, target=target,
                          params=params, domain=domain, out=out, force=force,
                          targets=targets, registry=registry)
    path = own_record(project, artifact.finding)
    if path is not None:
        text = path.read_text(encoding="utf-8")
        if is_pristine(text) and DRAFT_MARK not in text:
            write_record(project, artifact.finding.id,
                         fmt="madr" if text.startswith("---\n") else "nygard")
    return artifact


def write_adr(project: str | Path | Project, finding_id: str, *, fmt: str | None = None,
              draft: bool = False, force: bool = False, supersedes: str | None = None,
              decision_makers: Sequence[str] = (), consulted: Sequence[str] = (),
              informed: Sequence[str] = (), today: _dt.date | None = None) -> Path:
    """Write (or refresh) the decision record of a finding and link it both ways; see
    :func:`~dna_kit.codify.adr.write_record` for the arguments. The finding's generated
    test, if nobody edited it, is refreshed so its header names the record.

    >>> write_adr(".", "F-0004", fmt="nygard")          # doctest: +SKIP
    PosixPath('.../docs/adr/0001-cap-carrier-retry-backoff.md')
    """
    project = project if isinstance(project, Project) else find_project(project)
    before = find_entry(project, finding_id).finding
    path = write_record(project, finding_id, fmt=fmt, draft=draft, force=force,
                        supersedes=supersedes, decision_makers=decision_makers,
                        consulted=consulted, informed=informed, today=today)
    if before.binding is not None and before.status == "codified" \
            and before.binding.template != LINKED_TEMPLATE:  # no template renders those
        with contextlib.suppress(EditedArtifact):  # a person's test stays as it is
            write_test(project, before.id)
    return path
