"""codify(): the binding, the links, the status, idempotence, --force, and clear errors."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from dna_kit.codify import codify
from dna_kit.codify.render import is_pristine
from dna_kit.errors import CodifyError, EditedArtifact, RegistryError
from dna_kit.ledger import add_finding, find_entry, set_status

RETRY = {"title": "Carrier retry cap", "layer": "how", "kind": "retry_policy",
         "statement": "Carrier API retries back off from 0.2 s, doubling, capped at 5 s, at "
                      "most 4 attempts",
         "params": {"base": "0.2s", "factor": "2", "cap": "5 s", "max_attempts": "4"},
         "status": "accepted"}


@pytest.fixture
def retry(project):
    return add_finding(project, RETRY)


def _snapshot(project) -> dict[str, bytes]:
    return {str(p.relative_to(project.root)): p.read_bytes()
            for p in sorted(project.root.rglob("*")) if p.is_file()}


def test_codify_writes_the_test_and_records_binding_link_and_status(project, retry):
    artifact = codify(project, retry.id, template="backoff_schedule",
                      target="dispatch.carrier:backoff_delay", params={"cap": "6s"})
    assert artifact.written and artifact.kind == "test"
    assert artifact.path == project.tests_dir / "test_f0001_carrier_retry_cap.py"
    finding = find_entry(project, retry.id).finding
    assert finding.status == "codified"
    assert finding.links.tests == ("dna/tests/test_f0001_carrier_retry_cap.py",)
    assert finding.binding is not None
    assert finding.binding.template == "backoff_schedule"
    assert finding.binding.target == "dispatch.carrier:backoff_delay"
    assert finding.binding.params["cap"].value == 6.0  # the override, stored
    text = artifact.path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    assigned = {t.id: n.value for n in tree.body if isinstance(n, ast.Assign)
                for t in n.targets if isinstance(t, ast.Name)}
    assert ast.literal_eval(assigned["DNA_FINDING"]) == "F-0001"
    assert ast.literal_eval(assigned["CAP"]) == 6.0  # the binding wins over the finding
    assert ast.literal_eval(assigned["BASE"]) == 0.2
    assert 'CAP = 6.0  # seconds; the binding says "6s"' in text
    assert 'BASE = 0.2  # seconds; the finding says "0.2s"' in text
    assert "from dispatch.carrier import backoff_delay as delay" in text
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert names == ["test_f0001_backoff_schedule"]
    assert is_pristine(text)


def test_codify_twice_changes_nothing(project, retry):
    codify(project, retry.id, template="backoff_schedule", target="svc:delay")
    before = _snapshot(project)
    mtimes = {p: p.stat().st_mtime_ns for p in project.root.rglob("*") if p.is_file()}
    again = codify(project, retry.id)  # from the stored binding
    assert not again.written
    assert _snapshot(project) == before
    assert {p: p.stat().st_mtime_ns for p in project.root.rglob("*") if p.is_file()} == mtimes
    also = codify(project, retry.id, template="backoff_schedule", target="svc:delay")
    assert not also.written and _snapshot(project) == before


def test_an_edited_test_is_not_overwritten_without_force(project, retry):
    path = codify(project, retry.id, template="backoff_schedule", target="svc:delay").path
    edited = path.read_text(encoding="utf-8").replace("CAP = 5.0", "CAP = 5.5")
    path.write_text(edited, encoding="utf-8")
    with pytest.raises(EditedArtifact, match=r"edited by a person since it was generated"):
        codify(project, retry.id, params={"cap": "4s"})
    assert path.read_text(encoding="utf-8") == edited  # untouched
    assert find_entry(project, retry.id).finding.binding.params == {}  # nothing recorded
    forced = codify(project, retry.id, params={"cap": "4s"}, force=True)
    assert forced.written
    assert "CAP = 4.0" in path.read_text(encoding="utf-8")
    assert is_pristine(path.read_text(encoding="utf-8"))


def test_a_foreign_file_at_the_path_is_never_overwritten(project, retry):
    target = project.tests_dir / "test_f0001_carrier_retry_cap.py"
    target.write_text("def test_mine():\n    pass\n", encoding="utf-8")
    with pytest.raises(EditedArtifact):
        codify(project, retry.id, template="backoff_schedule", target="svc:delay")


def test_out_puts_the_test_elsewhere_and_links_it(project, retry):
    artifact = codify(project, retry.id, template="backoff_schedule", target="svc:delay",
                      out="tests/dna/test_carrier.py")
    assert artifact.path == project.root / "tests/dna/test_carrier.py"
    assert find_entry(project, retry.id).finding.links.tests == ("tests/dna/test_carrier.py",)


def test_only_an_accepted_finding_is_codified(project):
    finding = add_finding(project, {**RETRY, "status": "candidate"})
    with pytest.raises(CodifyError, match=r"^F-0001 is a candidate; only an accepted finding is codified$"):
        codify(project, finding.id, template="backoff_schedule", target="svc:delay")
    set_status(project, finding.id, "accepted")
    assert codify(project, finding.id, template="backoff_schedule",
                  target="svc:delay").written


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"template": "nope", "target": "svc:f"}, "unknown template 'nope'; known: .*backoff"),
    ({"template": "backoff_schedule", "target": "svc"}, "must look like MODULE:CALLABLE"),
    ({"template": "backoff_schedule", "target": "svc:class"}, "'class' is not a Python"),
    ({"template": "backoff_schedule", "target": "svc:f", "params": {"cap": "5 MB"}},
     "cap='5 MB' is a size; cap needs a duration"),
    ({"template": "backoff_schedule", "target": "svc:f", "params": {"cap": "5 parsecs"}},
     "unknown unit"),
    ({"template": "backoff_schedule", "target": "svc:f", "params": {"colour": "red"}},
     "has no parameter 'colour'"),
    ({"template": "backoff_schedule", "target": "svc:f", "params": {"jitter": "150%"}},
     "jitter='150%' must be below 1.0"),
    ({"template": "backoff_schedule", "target": "svc:f", "params": {"max_attempts": "2.5"}},
     "must be a whole number"),
    ({"template": "backoff_schedule", "target": "svc:f", "domain": "int:0..9"},
     "takes no domain"),
    ({"template": "bounded", "target": "svc:f", "params": {"max": "9"},
      "domain": "int:1000"}, "not a known domain"),
    ({"template": "bounded", "target": "svc:f", "params": {"max": "9"}, "domain": "int"},
     "needs bounds"),
    ({"template": "bounded", "target": "svc:f", "params": {"max": "9"},
      "domain": "__import__('os')"}, "not a known domain"),
    ({"template": "roundtrip", "target": "svc:f", "domain": "text"}, "needs a decode target"),
    ({"template": "monotonic", "target": "svc:f", "domain": "json"}, "needs values it can"),
    ({"template": "retry_limit", "target": "svc:f", "params": {"retry_on": "os.system()"}},
     "is not a name"),
])
def test_bad_input_is_a_clear_error_and_writes_nothing(project, retry, kwargs, message):
    before = _snapshot(project)
    with pytest.raises((CodifyError, RegistryError), match=message):
        codify(project, retry.id, **kwargs)
    assert _snapshot(project) == before


def test_a_missing_parameter_says_how_to_give_it(project):
    finding = add_finding(project, {**RETRY, "params": {"base": "0.2s"}})
    with pytest.raises(CodifyError, match=r"needs cap .*has no params\.cap: add it to the finding"):
        codify(project, finding.id, template="backoff_schedule", target="svc:f")


def test_the_domain_comes_from_the_targets_type_hints(project):
    (project.root / "pricing.py").write_text(textwrap.dedent("""\
        def surcharge(load: float) -> float:
            return 1.0 + load / 100

        def untyped(load):
            return load
        """), encoding="utf-8")
    finding = add_finding(project, {**RETRY, "title": "Surcharge", "params": {}})
    artifact = codify(project, finding.id, template="monotonic", target="pricing:surcharge")
    assert artifact.finding.binding.domain == "float:-1000.0..1000.0"
    assert "INPUTS = st.floats(" in artifact.path.read_text(encoding="utf-8")
    with pytest.raises(CodifyError, match=r"no type hint.*give the input domain"):
        codify(project, finding.id, template="idempotent", target="pricing:untyped")
    with pytest.raises(CodifyError, match="cannot import target 'nowhere:f'"):
        codify(project, finding.id, template="idempotent", target="nowhere:f")


def test_two_target_templates_import_both(project, retry):
    artifact = codify(project, retry.id, template="roundtrip", target="labels:encode",
                      targets={"decode": "labels:decode"}, domain="text")
    text = artifact.path.read_text(encoding="utf-8")
    assert "from labels import decode, encode\n" in text
    assert artifact.finding.binding.targets == {"decode": "labels:decode"}
    again = codify(project, retry.id)
    assert not again.written


def test_a_dotted_callable_and_a_clashing_name(project, retry):
    artifact = codify(project, retry.id, template="backoff_schedule",
                      target="carrier:Policy.delay_for")
    text = artifact.path.read_text(encoding="utf-8")
    assert "from carrier import Policy\n\ndelay = Policy.delay_for\n" in text
    with pytest.raises(CodifyError, match="clashes"):
        codify(project, retry.id, template="backoff_schedule", target="carrier:CAP.x",
               force=True)


def test_json_and_list_domains_render_formatted_bounded_strategies(project, retry):
    for domain in ("json", "list:int:0..9", "bytes:8", "text:3", "bool"):
        artifact = codify(project, retry.id, template="idempotent", target="svc:f",
                          domain=domain, force=True)
        text = artifact.path.read_text(encoding="utf-8")
        assert ast.parse(text)
        assert "max_size" in text or "booleans" in text
        assert all(len(line) <= 88 for line in text.splitlines()
                   if not line.startswith(("# dna-kit-hash", "    >")))


def test_generated_test_names_carry_the_finding(project, retry):
    path = codify(project, retry.id, template="circuit_breaker", target="svc:make",
                  params={"failure_threshold": "5", "reset_timeout": "30s"}).path
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    tests = [n.name for n in tree.body
             if isinstance(n, ast.FunctionDef) and n.name.startswith("test")]
    assert tests and all("f0001" in name for name in tests)


def test_params_given_as_values_not_text(project, retry):
    artifact = codify(project, retry.id, template="retry_limit", target="svc:call",
                      params={"max_attempts": 6, "retry_on": ("ConnectionError",),
                              "give_up_on": ["ValueError", "KeyError"]})
    text = artifact.path.read_text(encoding="utf-8")
    assert "MAX_ATTEMPTS = 6  # count" in text
    assert 'GIVE_UP_ON = ("ValueError", "KeyError")' in text
    with pytest.raises(CodifyError, match="params max_attempts="):
        codify(project, retry.id, template="retry_limit", target="svc:call",
               params={"max_attempts": {"a": 1}})


def test_a_renamed_finding_moves_its_unedited_test(project, retry):
    old = codify(project, retry.id, template="backoff_schedule", target="svc:delay").path
    from dna_kit.ledger import update_finding

    update_finding(project, retry.id, {"title": "Carrier backoff"})
    new = codify(project, retry.id).path
    assert new.name == "test_f0001_carrier_backoff.py" and new.is_file()
    assert not old.exists()
    assert find_entry(project, retry.id).finding.links.tests == (
        "dna/tests/test_f0001_carrier_backoff.py",)
    # An edited old test is a person's: it stays, and stays linked.
    new.write_text(new.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    update_finding(project, retry.id, {"title": "Carrier backoff policy"})
    newest = codify(project, retry.id).path
    assert new.is_file() and newest.is_file()
    assert find_entry(project, retry.id).finding.links.tests == (
        "dna/tests/test_f0001_carrier_backoff.py",
        "dna/tests/test_f0001_carrier_backoff_policy.py")


def test_test_and_record_name_each_other_whichever_comes_first(project, retry):
    from dna_kit.codify import write_adr

    record = write_adr(project, retry.id)
    assert "No property test enforces this decision yet" in record.read_text(encoding="utf-8")
    test = codify(project, retry.id, template="backoff_schedule", target="svc:delay").path
    assert "dna/tests/test_f0001_carrier_retry_cap.py" in record.read_text(encoding="utf-8")
    assert "Decision record: docs/adr/0001-carrier-retry-cap.md" in test.read_text(
        encoding="utf-8")

    other = add_finding(project, {**RETRY, "title": "Second rule"})
    test2 = codify(project, other.id, template="backoff_schedule", target="svc:delay").path
    assert "Decision record" not in test2.read_text(encoding="utf-8")
    write_adr(project, other.id)
    assert "Decision record: docs/adr/0002-second-rule.md" in test2.read_text(encoding="utf-8")
    snapshot = _snapshot(project)
    codify(project, other.id)
    write_adr(project, other.id)
    assert _snapshot(project) == snapshot
