"""Literal emitters: the only way a value from a finding enters generated source.

Finding text is data written by people (or mined from incident write-ups), so it never goes
into a generated file as pasted text. Every value passes through one of these functions,
which build Python literal source and prove it: :func:`emit` checks that
``ast.literal_eval`` gives back exactly the value it was given.

>>> emit("it's 5 s")
'"it\\'s 5 s"'
>>> emit(("ConnectionError", "TimeoutError"))
'("ConnectionError", "TimeoutError")'
"""

from __future__ import annotations

import ast
import keyword
import math
import re

from dna_kit.errors import CodifyError

__all__ = ["comment_text", "emit", "emit_docstring", "identifier", "is_dotted_name"]

_DOTTED_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")
Literal = str | int | float | bool | None | tuple["Literal", ...]


def _emit_str(text: str) -> str:
    body = repr(text)
    # ruff and black prefer double quotes; switch when that needs no extra escaping.
    if body.startswith("'") and '"' not in text:
        body = '"' + body[1:-1].replace("\\'", "'") + '"'
    return body


def emit(value: Literal) -> str:
    """Python source for ``value`` (text, number, yes/no, None, or a tuple of those).

    Raises :class:`~dna_kit.errors.CodifyError` for values that have no literal form
    (infinities, NaN) or that do not read back unchanged.
    """
    if value is None or isinstance(value, int):  # bool is an int
        source = repr(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise CodifyError(f"value={value!r} is not a finite number")
        source = repr(value)
    elif isinstance(value, str):
        source = _emit_str(value)
    elif isinstance(value, tuple):
        items = [emit(v) for v in value]
        source = "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    else:
        raise CodifyError(f"value={value!r} has no literal form in a generated test")
    _check(source, value)
    return source


def _check(source: str, value: object) -> None:
    back = ast.literal_eval(source)
    if back != value or type(back) is not type(value):
        raise CodifyError(f"value={value!r} does not survive as a literal ({source})")


def emit_docstring(text: str) -> str:
    """A triple-quoted string literal holding ``text``, readable across lines.

    Backslashes, runs of three double quotes and characters Python will not keep in source (NUL,
    carriage returns, other controls) are escaped; the result is proved with
    ``ast.literal_eval``, falling back to :func:`emit` if the proof ever failed.

    >>> ast.literal_eval(emit_docstring("cap at 5 s")).strip()
    'cap at 5 s'
    """
    escaped: list[str] = []
    for char in text:
        if char == "\\":
            escaped.append("\\\\")
        elif char in "\n\t" or char.isprintable():
            escaped.append(char)
        else:
            escaped.append(repr(char)[1:-1])
    # Only a run of three quotes could close the literal early; escape just those.
    body = re.sub(r'"{3,}', lambda m: '\\"' * len(m.group()), "".join(escaped))
    source = '"""' + body + '\n"""'
    try:
        back = ast.literal_eval(source)
    except (SyntaxError, ValueError):  # pragma: no cover - the property test says never
        return emit(text)
    if back != text + "\n":  # pragma: no cover - the property test says never
        return emit(text)
    return source


def comment_text(text: str) -> str:
    """``text`` on one line, safe inside a ``#`` comment: a quoted, escaped literal.

    >>> comment_text("5 s" + chr(10) + "import os")
    '"5 s import os"'
    """
    source = emit(" ".join(text.split()))
    assert "\n" not in source and "\r" not in source
    return source


def is_dotted_name(text: str) -> bool:
    """True for ``ConnectionError`` or ``requests.exceptions.Timeout``.

    >>> is_dotted_name("os.system()")
    False
    """
    return bool(_DOTTED_RE.match(text)) and not any(
        keyword.iskeyword(part) for part in text.split("."))


def identifier(text: str, *, what: str) -> str:
    """``text`` if it is a plain Python identifier (and not a keyword), else a clear error.

    >>> identifier("class", what="target")
    Traceback (most recent call last):
    ...
    dna_kit.errors.CodifyError: target='class' is not a Python identifier
    """
    if not text.isidentifier() or keyword.iskeyword(text) or not text.isascii():
        raise CodifyError(f"{what}={text!r} is not a Python identifier")
    return text
