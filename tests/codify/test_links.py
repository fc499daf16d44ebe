"""``dna link`` / ``dna unlink``: a hand-written pytest test is a finding's check, run and
proven by regen like a generated one (real pytest subprocesses, real files)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from dna_kit.codify.links import collect_node_ids, link_test, unlink_test
from dna_kit.codify.stale import LINKED_TEMPLATE
from dna_kit.errors import CodifyError
from dna_kit.ledger import add_finding, find_entry
from dna_kit.project import Project, init_project
from dna_kit.regen.core import regenerate

RETRY = '''\
CAP = 5.0


def delay(attempt: int) -> float:
    return min(0.5 * 2 ** (attempt - 1), CAP)
'''

TESTS = '''\
from app.retry import delay


def test_cap():
    assert delay(1) == 0.5
    assert delay(3) == 2.0
    assert delay(20) == 5.0


def test_unrelated():
    assert 1 + 1 == 2
'''


@pytest.fixture
def repo(tmp_path: Path) -> Project:
    project = init_project(tmp_path / "repo")
    (project.root / "app").mkdir()
    (project.root / "app" / "__init__.py").write_text("", encoding="utf-8")
    (project.root / "app" / "retry.py").write_text(RETRY, encoding="utf-8")
    (project.root / "tests").mkdir()
    (project.root / "tests" / "test_retry.py").write_text(TESTS, encoding="utf-8")
    for title in ("Retry delays are capped at 5 s", "Something else entirely"):
        add_finding(project, {"title": title, "statement": title + ".", "layer": "how",
                              "kind": "retry_policy", "status": "accepted"})
    add_finding(project, {"title": "Not reviewed", "statement": "Maybe.", "layer": "how",
                          "kind": "heuristic"})
    return project


def _file(project: Project, finding_id: str) -> bytes:
    return find_entry(project, finding_id).path.read_bytes()


def test_pytest_collects_the_node_ids(repo: Project) -> None:
    assert collect_node_ids(repo, "tests/test_retry.py") == [
        "tests/test_retry.py::test_cap", "tests/test_retry.py::test_unrelated"]


def test_a_linked_test_is_run_and_proven_by_its_own_node_id(repo: Project) -> None:
    linked = link_test(repo, "F-0001", "tests/test_retry.py::test_cap",
                       target="app.retry:delay")
    assert linked.links.tests == ("tests/test_retry.py::test_cap",)
    assert linked.status == "codified"
    assert linked.binding is not None and linked.binding.template == LINKED_TEMPLATE
    assert linked.binding.target == "app.retry:delay"
    # Absolute paths are stored relative to the root; linking twice changes nothing.
    again = link_test(repo, "2", str(repo.root / "tests/test_retry.py") + "::test_unrelated",
                      target="app.retry:delay")
    assert again.links.tests == ("tests/test_retry.py::test_unrelated",)

    card = regenerate(repo, prove=True, history=False)
    cap, other = card.finding("F-0001"), card.finding("F-0002")
    assert cap.tests_passed == 1 and other.tests_passed == 1
    assert cap.mutants_total and cap.mutants_killed and cap.mutants_killed > 0
    # Only its own test ran against the mutants: test_cap would have killed them.
    assert other.mutants_total and other.mutants_killed == 0
    assert other.status == "verified"


def test_a_failing_linked_test_is_failing(repo: Project) -> None:
    link_test(repo, "1", "tests/test_retry.py::test_cap", target="app.retry:delay")
    (repo.root / "app" / "retry.py").write_text(RETRY.replace("5.0", "6.0"), encoding="utf-8")
    assert regenerate(repo, history=False).finding("F-0001").status == "failing"


def test_a_whole_file_can_be_linked(repo: Project) -> None:
    link_test(repo, "1", "tests/test_retry.py")
    result = regenerate(repo, history=False).finding("F-0001")
    assert result.tests_passed == 2 and result.status == "verified"


@pytest.mark.parametrize(("test", "message"), [
    ("../outside/test_x.py::test_a", "lies outside the repository"),
    ("tests/test_retry.py::test_nope", "collects no test"),
    ("tests/test_missing.py", "does not exist"),
    ("tests/link/test_x.py", "lies outside the repository"),
])
def test_a_bad_link_is_one_error_and_writes_nothing(repo: Project, test: str,
                                                      message: str) -> None:
    outside = repo.root.parent / "outside"
    outside.mkdir()
    (outside / "test_x.py").write_text("def test_a():\n    pass\n", encoding="utf-8")
    (repo.root / "tests" / "link").symlink_to(outside)
    before = _file(repo, "F-0001")
    with pytest.raises(CodifyError, match=message):
        link_test(repo, "F-0001", test)
    assert _file(repo, "F-0001") == before


def test_a_missing_target_or_a_candidate_is_refused(repo: Project) -> None:
    before = _file(repo, "F-0001")
    with pytest.raises(CodifyError, match="has no 'nope'"):
        link_test(repo, "1", "tests/test_retry.py::test_cap", target="app.retry:nope")
    assert _file(repo, "F-0001") == before
    with pytest.raises(CodifyError, match="only an accepted finding"):
        link_test(repo, "3", "tests/test_retry.py::test_cap")


def test_unlink_takes_the_test_off_and_leaves_the_file(repo: Project) -> None:
    link_test(repo, "1", "tests/test_retry.py::test_cap", target="app.retry:delay")
    finding = unlink_test(repo, "1", "tests/test_retry.py::test_cap")
    assert finding.links.tests == () and finding.status == "accepted"
    assert (repo.root / "tests" / "test_retry.py").read_text(encoding="utf-8") == TESTS
    with pytest.raises(CodifyError, match="does not link"):
        unlink_test(repo, "1", "tests/test_retry.py::test_cap")


def test_codify_does_not_treat_linked_as_a_template(repo: Project) -> None:
    from dna_kit.codify import codify

    link_test(repo, "1", "tests/test_retry.py::test_cap", target="app.retry:delay")
    with pytest.raises(CodifyError, match="has no template yet"):
        codify(repo, "F-0001")


def test_dna_link_and_unlink(repo: Project, dna_cmd: list[str]) -> None:
    def dna(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*dna_cmd, "-C", str(repo.root), *args], capture_output=True,
                              text=True, timeout=300)

    done = dna("link", "1", "tests/test_retry.py::test_cap", "--target", "app.retry:delay")
    assert done.returncode == 0, done.stderr
    assert "F-0001: linked tests/test_retry.py::test_cap" in done.stdout
    bad = dna("link", "1", "../elsewhere.py")
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1
    assert "outside the repository" in bad.stderr and "Traceback" not in bad.stderr
    done = dna("unlink", "1", "tests/test_retry.py::test_cap")
    assert done.returncode == 0, done.stderr
    assert find_entry(repo, "1").finding.links.tests == ()
