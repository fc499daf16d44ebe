"""The finding model: validation, and finding → file → finding round-trips unchanged."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dna_kit.errors import InvalidFinding
from dna_kit.finding import KINDS, LAYERS, Finding
from dna_kit.ledger import parse_finding_file, render_finding_file

BASE = {"id": "F-0001", "title": "Retry cap", "statement": "Retries are capped at 5 s.",
        "layer": "how", "kind": "retry_policy"}

text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85"),
    min_size=1, max_size=60,
).filter(lambda s: s.strip() == s and s.strip())
multiline = st.lists(text, min_size=1, max_size=3).map("\n".join)
quantities = st.sampled_from(["300ms", "5 s", "1.5h", "2 GiB", "80%", "20+ tx/s", "3 retries",
                              "4", "0.25", "10 MB"])
params = st.dictionaries(
    st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True),
    st.one_of(quantities, st.sampled_from(["desc", "asc", "ConnectionError"]), st.booleans(),
              st.lists(st.sampled_from(["TimeoutError", "ConnectionError"]), min_size=1,
                       max_size=2)),
    max_size=4,
)
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1))
provenance = st.one_of(
    st.fixed_dictionaries({"source": text, "line_start": st.integers(1, 50)},
                          optional={"quote": multiline}).map(
        lambda d: {**d, "line_end": d["line_start"] + 2}),
    st.fixed_dictionaries({"interview": text}, optional={"question": text}),
)


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    status = draw(st.sampled_from(["candidate", "accepted", "codified", "rejected"]))
    data = {
        "id": f"F-{draw(st.integers(1, 99999)):04d}",
        "title": draw(text), "statement": draw(multiline),
        "layer": draw(st.sampled_from(LAYERS)), "kind": draw(st.sampled_from(KINDS)),
        "status": status, "params": draw(params),
        "rationale": draw(st.none() | multiline), "owner": draw(st.none() | text),
        "tags": draw(st.lists(text, max_size=3)),
        "created": draw(st.none() | dates), "updated": draw(st.none() | dates),
        "provenance": draw(st.lists(provenance, max_size=2)),
        "confidence": draw(st.none() | st.floats(0, 1)),
        "links": {"tests": draw(st.lists(text, max_size=2)),
                  "supersedes": draw(st.lists(st.from_regex(r"F-[0-9]{4}", fullmatch=True),
                                              max_size=1))},
    }
    if status == "rejected":
        data["rejected_reason"] = draw(text)
    return Finding.from_dict(data)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(findings())
def test_any_valid_finding_round_trips_through_its_file(tmp_path_factory, finding):
    path = tmp_path_factory.mktemp("ledger") / finding.filename
    path.write_text(render_finding_file(finding), encoding="utf-8")
    loaded, body = parse_finding_file(path)
    assert loaded == finding
    assert finding.statement.splitlines()[0] in body


def test_params_become_quantities_with_canonical_values():
    f = Finding.from_dict({**BASE, "params": {"cap": "5 s", "max_attempts": 4,
                                             "order": "desc"}})
    assert f.params["cap"].value == 5.0
    assert f.params["max_attempts"].value == 4.0
    assert f.params["order"] == "desc"


@pytest.mark.parametrize(
    ("change", "field", "named"),
    [
        ({"layer": "hwo"}, "layer", "'hwo'"),
        ({"kind": "vibe"}, "kind", "'vibe'"),
        ({"id": "F-12"}, "id", "'F-12'"),
        ({"params": {"cap": "5 parsecs"}}, "params.cap", "'5 parsecs'"),
        ({"status": "done"}, "status", "'done'"),
        ({"status": "rejected"}, "rejected_reason", ""),
        ({"title": ""}, "title", ""),
        ({"confidence": 2}, "confidence", "2"),
        ({"provenance": [{"source": "a.md", "line_start": 9, "line_end": 3}]},
         "provenance[0].line_end", "3"),
        ({"provenance": [{"quote": "x"}]}, "provenance[0]", ""),
        ({"links": {"supersedes": ["seven"]}}, "links.supersedes", "'seven'"),
        ({"binding": {"template": "bounded", "target": "not a target"}}, "binding.target",
         "'not a target'"),
        ({"colour": "red"}, "colour", "'colour'"),
    ],
)
def test_invalid_fields_name_the_field_and_the_value(change, field, named):
    with pytest.raises(InvalidFinding) as info:
        Finding.from_dict({**BASE, **change})
    assert info.value.field == field
    assert named in str(info.value)


def test_rejecting_needs_a_reason_and_keeps_it():
    f = Finding.from_dict(BASE)
    with pytest.raises(InvalidFinding):
        f.with_status("rejected")
    rejected = f.with_status("rejected", reason="one-off", today=dt.date(2026, 1, 2))
    assert (rejected.status, rejected.rejected_reason) == ("rejected", "one-off")
    assert rejected.updated == dt.date(2026, 1, 2)
    assert rejected.with_status("accepted").rejected_reason is None


def test_binding_sites_round_trip_and_bad_ones_name_their_field():
    from dna_kit.errors import InvalidFinding
    from dna_kit.finding import Binding

    data = {"template": "backoff_schedule", "target": "app.retry:delay",
            "sites": [{"param": "cap", "path": "app/settings.py", "line": 5,
                       "code": "RETRY_CAP = 5"}]}
    binding = Binding.from_dict(data)
    assert binding is not None and binding.sites[0].describe() == "app/settings.py:5 RETRY_CAP = 5"
    assert binding.to_dict() == data
    for bad, field in (({"param": "cap", "path": "/etc/x.py", "line": 1}, "path"),
                       ({"param": "cap", "path": "../x.py", "line": 1}, "path"),
                       ({"param": "cap", "path": "a.py", "line": 0}, "line"),
                       ({"param": "cap", "path": "a.py", "line": 2, "colour": 1}, "sites[0]"),
                       ({"param": "1x", "path": "a.py", "line": 2}, "param")):
        with pytest.raises(InvalidFinding) as info:
            Binding.from_dict({**data, "sites": [bad]})
        assert field in (info.value.field or ""), info.value
