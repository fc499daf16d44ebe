"""No finding text can inject code: hostile titles, statements, rationales, quotes, source
paths and parameter values render to a file that parses, and whose statements are exactly
the ones the template puts there (only the literal values differ)."""

from __future__ import annotations

import ast

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dna_kit.codify import render_adr, render_test
from dna_kit.codify.literals import comment_text, emit, emit_docstring
from dna_kit.errors import CodifyError
from dna_kit.finding import Binding, Finding, parse_param, printable_text
from dna_kit.units import is_quantity_text

ATTACKS = [
    '"""\nimport os; os.system("rm -rf /")\n"""',
    "'''\nraise SystemExit\n'''",
    "\\",
    "x\\\n__import__('os')",
    "\r\nimport os\r\n",
    "\x00\x0b\x0c\x1c\u2028\u2029\x85",
    "# dna-kit-hash: " + "0" * 64,
    "${header}$constants",
    '"; import os; x = "',
    "\n## Status\n\nRejected\n\n# 9. Fake\n---\n<!-- hidden -->",
    "{DNA_FINDING}",
    "\t\tindented\n\tcode()",
]
hostile_text = st.sampled_from(ATTACKS) | st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)
# A finding stores its text without control characters (finding.printable_text): what
# is left must still say something, or the finding is rightly refused as empty.
non_empty = hostile_text.filter(lambda s: printable_text(s).strip())
# A value that starts with a number is a quantity in a finding; key is a word.
word = non_empty.filter(lambda s: not is_quantity_text(printable_text(s)))


class _Blank(ast.NodeTransformer):
    """Every literal (a constant, or a tuple of constants) becomes one placeholder."""

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        return ast.Constant("<literal>")

    def visit_Tuple(self, node: ast.Tuple) -> ast.AST:
        if all(isinstance(e, ast.Constant) for e in node.elts):
            return ast.Constant("<literal>")
        return self.generic_visit(node)


def _shape(source: str) -> str:
    """What code a file runs, not what text it holds."""
    return ast.dump(_Blank().visit(ast.parse(source)))


def _finding(title: str, statement: str, rationale: str, quote: str, source: str,
             key: str) -> Finding:
    return Finding.from_dict({
        "id": "F-0042", "title": title, "statement": statement, "layer": "how",
        "kind": "ordering_rule", "status": "accepted", "rationale": rationale,
        "params": {"key": key, "order": "desc"},
        "provenance": [{"source": source, "line_start": 3, "quote": quote}],
        "links": {"decisions": [source]}})


BENIGN = _finding("Urgent first", "Urgent orders go first.", "Spikes.", "urgent first",
                  "pm.md", "priority")
BINDING = Binding("priority_order", "service:next_batch", domain="int:0..5")
RETRY = Binding("retry_limit", "service:call", params={
    "max_attempts": parse_param("max_attempts", "3")})


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(title=non_empty, statement=non_empty, rationale=non_empty, quote=non_empty,
       source=non_empty, key=word)
@example(title=ATTACKS[0], statement=ATTACKS[1], rationale=ATTACKS[3], quote=ATTACKS[4],
         source=ATTACKS[5], key=ATTACKS[8])
def test_hostile_finding_text_cannot_change_the_code(title, statement, rationale, quote,
                                                     source, key):
    finding = _finding(title, statement, rationale, quote, source, key)
    text = render_test(finding, BINDING)
    assert _shape(text) == _shape(render_test(BENIGN, BINDING))
    compile(text, "<generated>", "exec")
    tree = ast.parse(text)
    shown = " ".join(printable_text(title).split())  # stored without control characters
    assert ast.get_docstring(tree, clean=False).startswith(f"F-0042: {shown}")
    values = {t.id: ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
              for t in n.targets if isinstance(t, ast.Name) and t.id in ("KEY", "DNA_FINDING")}
    assert values == {"KEY": printable_text(key).strip(), "DNA_FINDING": "F-0042"}


@settings(max_examples=100, deadline=None)
@given(names=st.lists(hostile_text, min_size=1, max_size=3))
def test_hostile_exception_names_are_refused_or_kept_as_text(names):
    binding = Binding("retry_limit", "service:call", params={
        "max_attempts": parse_param("max_attempts", "3"),
        "retry_on": tuple(names)})
    finding = _finding("Retry", "Retry.", "Why.", "q", "pm.md", "priority")
    try:
        text = render_test(finding, binding)
    except CodifyError:
        return  # refused, with a message
    assert _shape(text) == _shape(render_test(finding, RETRY))


@settings(max_examples=200, deadline=None)
@given(text=hostile_text)
def test_literal_emitters_read_back_exactly(text):
    assert ast.literal_eval(emit(text)) == text
    assert ast.literal_eval(emit_docstring(text)) == text + "\n"
    assert ast.literal_eval(comment_text(text)) == " ".join(text.split())
    assert "\n" not in comment_text(text) and "\r" not in comment_text(text)


@settings(max_examples=100, deadline=None)
@given(title=non_empty, statement=non_empty, rationale=non_empty, quote=non_empty)
@example(title="t", statement="s", rationale="0\x1e#", quote="q")  # \x1e ends a line too
def test_hostile_text_cannot_add_sections_to_a_decision_record(title, statement, rationale,
                                                               quote):
    finding = _finding(title, statement, rationale, quote, "pm.md", "priority")
    for fmt in ("madr", "nygard"):
        text = render_adr(finding, fmt)
        headings = [line for line in text.splitlines() if line.startswith("#")]
        benign = [line for line in render_adr(BENIGN, fmt).splitlines()
                  if line.startswith("#")]
        assert [h.split(" ", 1)[0] for h in headings] == [h.split(" ", 1)[0] for h in benign]
        assert headings[1:] == benign[1:]  # only the title line differs
        assert text.count("<!--") == 1  # the hash line; no hidden text
        if fmt == "madr":
            assert text.count("\n---\n") == 1  # the front matter closes once


number_text = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["1e999 s", "-0.0 s", "0 s", "1e-320 s", "5 MB", "80%", "nan s", "2x",
                     "1,000,000 ms", "3 retries", "1e308", "0.1 s"]),
)


@settings(max_examples=200, deadline=None)
@given(base=number_text, factor=number_text, cap=number_text, jitter=number_text,
       attempts=number_text)
@example(base="0.2 s", factor="2", cap="5 s", jitter="10%", attempts="4")
@example(base="1e-320 s", factor="1e308", cap="1e308", jitter="0", attempts="1000")
def test_hostile_numbers_are_refused_or_emitted_as_finite_numbers(base, factor, cap, jitter,
                                                                  attempts):
    params = {"base": base, "factor": factor, "cap": cap, "jitter": jitter,
              "max_attempts": attempts}
    try:
        binding = Binding("backoff_schedule", "service:delay",
                          params={k: parse_param(k, v) for k, v in params.items()})
        text = render_test(BENIGN, binding)
    except (CodifyError, ValueError):
        return  # InvalidFinding (a ValueError) or CodifyError: refused with a message
    tree = ast.parse(text)
    compile(tree, "<generated>", "exec")
    values = {t.id: ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
              for t in n.targets if isinstance(t, ast.Name) and t.id.isupper()
              and t.id not in ("DNA_FINDING",)}
    for name in ("BASE", "FACTOR", "CAP", "JITTER", "MAX_ATTEMPTS", "ATTEMPT_LIMIT"):
        value = values[name]
        assert isinstance(value, int | float) and value == value and abs(value) < float("inf")
    assert 1 <= values["MAX_ATTEMPTS"] <= values["ATTEMPT_LIMIT"] <= 1002
    assert 0 <= values["JITTER"] < 1
