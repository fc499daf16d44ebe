"""Every error dna_kit raises on purpose.

The tree::

    DnaKitError                         root; the CLI turns it into exit code 1 + one line
    ├── InvalidFinding(ValueError)      a finding (file or arguments) breaks the model
    │   ├── InvalidFields               several fields of one finding do (all listed)
    │   └── InvalidUnit                 a value such as "5 parsecs" names no known unit
    ├── LedgerError                     a ledger as a whole is unusable
    │   ├── LedgerInvalid(ValueError)   loading found one or more bad files (all listed)
    │   ├── DuplicateId                 two files claim the same finding id
    │   └── FindingNotFound(KeyError)   no finding has that id
    ├── ProjectError                    no dna/ directory, or one laid out wrongly
    │   └── NoProject                   no ledger in the folder or above it
    ├── RegistryError(LookupError)      a name asked of a registry is not registered
    ├── PluginError                     an installed plugin failed to load or to register
    ├── SourceError(ValueError)         an input source cannot be read (path, line, reason)
    ├── CodifyError                     a finding cannot become an artifact
    │   └── EditedArtifact              a person edited a generated file; no overwrite
    ├── RegenError                      the regeneration test could not run at all
    ├── NotebookError                   a notebook failed under papermill (name, cell, error)
    └── ModelError                      the model endpoint is missing, down or answered garbage

User errors also subclass a builtin (``ValueError``, ``KeyError``, ``LookupError``) so
callers that do not know dna_kit still catch them sensibly. Each error keeps its context
as attributes (``path``, ``line``, ``field``, ``value``) so tools can act on it, and its
message names the bad value.

Messages speak the domain, never a shell's controls: "F-0003 is a candidate; only an
accepted finding is codified", not "run dna accept". How to act on an error is the shell's
to say, through one mechanism: every error has a ``hint`` attribute (None by default). A
shell that knows its own controls catches the specific error where it calls the library,
sets ``exc.hint`` (a CLI command group: "pass --force to replace it") and re-raises; the
CLI's one error funnel (:func:`dna_kit.cli.main`) prints the message with the hint after
it. The library never sets ``hint``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "CodifyError",
    "DnaKitError",
    "DuplicateId",
    "EditedArtifact",
    "FindingNotFound",
    "InvalidFields",
    "InvalidFinding",
    "InvalidUnit",
    "LedgerError",
    "LedgerInvalid",
    "ModelError",
    "NoProject",
    "NotebookError",
    "PluginError",
    "ProjectError",
    "RegenError",
    "RegistryError",
    "SourceError",
]


class DnaKitError(Exception):
    """Root of every error dna_kit raises on purpose."""

    exit_code = 1
    #: How to act on the error, in a shell's own words; set only by a shell (see above).
    hint: str | None = None


#: How much of a value a message may quote: enough to recognise it, never a megabyte.
MAX_SHOWN = 200


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to about ``limit`` characters, saying how much was left out.

    >>> clip("x" * 500, 10)
    'xxxxxxxxxx… (490 more characters)'
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


class InvalidFinding(DnaKitError, ValueError):
    """A finding breaks the model: names where (path, line) and what (field, value)."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        value: Any = None,
    ) -> None:
        self.reason = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        self.value = value
        super().__init__(self._render())

    def _render(self) -> str:
        where = ""
        if self.path:
            where = self.path + (f":{self.line}" if self.line else "") + ": "
        what = f"{self.field}: " if self.field else ""
        return f"{where}{what}{clip(self.reason, 2 * MAX_SHOWN)}"

    def located(self, path: str | Path, line: int | None = None) -> InvalidFinding:
        """Return a copy of this error that names the file (and line) it came from."""
        return type(self)(
            self.reason,
            path=path,
            line=line if line is not None else self.line,
            field=self.field,
            value=self.value,
        )


class InvalidFields(InvalidFinding):
    """Several fields of one finding are wrong: ``errors`` holds one
    :class:`InvalidFinding` each (this error's own field and value are the first's), and
    the message has one line each."""

    def __init__(self, errors: Sequence[InvalidFinding]) -> None:
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.reason, path=first.path, line=first.line, field=first.field,
                         value=first.value)

    def _render(self) -> str:
        return "\n".join(e._render() for e in self.errors)

    def located(self, path: str | Path, line: int | None = None) -> InvalidFields:
        return InvalidFields([e.located(path, line) for e in self.errors])


class InvalidUnit(InvalidFinding):
    """A quantity such as ``"5 parsecs"`` has a unit dna_kit does not know."""


class LedgerError(DnaKitError):
    """A ledger as a whole is unusable."""


class LedgerInvalid(LedgerError, ValueError):
    """Loading a ledger found bad files; ``errors`` lists every one, not just the first."""

    def __init__(self, errors: Sequence[InvalidFinding]) -> None:
        self.errors = list(errors)
        files = len({e.path for e in self.errors}) or len(self.errors)
        lines = [f"{files} invalid finding file(s):"]
        lines += [f"  {e}" for e in self.errors]
        super().__init__("\n".join(lines))


class DuplicateId(LedgerError, ValueError):
    """Two files in the ledger claim the same id."""

    def __init__(self, finding_id: str, paths: Sequence[str | Path]) -> None:
        self.finding_id = finding_id
        self.paths = [str(p) for p in paths]
        super().__init__(f"id={finding_id!r} is claimed by {len(self.paths)} files: "
                         + ", ".join(self.paths))


class FindingNotFound(LedgerError, KeyError):
    """No finding in the ledger has this id."""

    def __init__(self, finding_id: str) -> None:
        self.finding_id = finding_id
        super().__init__(f"no finding with id={finding_id!r}")

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class ProjectError(DnaKitError):
    """The repository has no dna/ directory, or one laid out wrongly."""


class NoProject(ProjectError):
    """No ``dna/findings/`` in the folder or above it: the repository has no ledger yet."""


class RegistryError(DnaKitError, LookupError):
    """A name asked of a registry is not registered; the message lists what is."""

    def __init__(self, kind: str, name: str, known: Sequence[str]) -> None:
        self.kind = kind
        self.name = name
        self.known = list(known)
        super().__init__(
            f"unknown {kind} {name!r}; known: {', '.join(sorted(self.known)) or '(none)'}"
        )

    def __str__(self) -> str:
        return str(self.args[0])


class PluginError(DnaKitError):
    """An installed plugin (an entry point in a ``dna_kit.*`` group) failed to load, or
    registered a name already taken or a thing of the wrong kind; names the plugin
    (its distribution) and the entry point."""

    def __init__(self, reason: str, *, plugin: str, entry_point: str) -> None:
        self.reason = reason
        self.plugin = plugin
        self.entry_point = entry_point
        super().__init__(f"plugin {plugin} (entry point {entry_point}): {reason}")


class SourceError(DnaKitError, ValueError):
    """An input source cannot be read; names the file and, where known, the line."""

    def __init__(self, message: str, *, path: str | Path | None = None,
                 line: int | None = None, field: str | None = None) -> None:
        self.reason = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        where = ""
        if self.path:
            where = self.path + (f":{line}" if line else "") + ": "
        what = f"{field}: " if field else ""
        super().__init__(f"{where}{what}{message}")


class CodifyError(DnaKitError, ValueError):
    """A finding cannot become an artifact (wrong template, bad target, bad parameter).

    ``field`` names what is missing or wrong, as the binding calls it (``template``,
    ``target``, ``targets.decode``, ``params``, ``params.cap``, ``domain``, ``status``,
    ``supersedes``, ``model``), so a shell can say how to give it.
    """

    def __init__(self, message: str, *, field: str | None = None,
                 value: Any = None) -> None:
        self.field = field
        self.value = value
        super().__init__(message)


class EditedArtifact(CodifyError):
    """A person edited a generated file; dna_kit will not overwrite it unless forced."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        super().__init__(
            f"{self.path} was edited by a person since it was generated; not overwriting "
            "it (edit the finding instead, or replace the file on purpose)",
            field="force",
        )


class RegenError(DnaKitError):
    """The regeneration test could not run at all (per-finding problems are scored)."""


class NotebookError(DnaKitError):
    """A notebook failed under papermill: names the notebook, the cell and the error."""

    def __init__(self, message: str, *, notebook: str | None = None,
                 cell: int | None = None) -> None:
        self.notebook = notebook
        self.cell = cell
        super().__init__(message)


class ModelError(DnaKitError):
    """The model endpoint is missing, down, too slow, or answered something unusable."""
