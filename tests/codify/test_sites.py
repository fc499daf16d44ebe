"""Rule sites: where a finding's values live in the code its binding reaches.

Every test writes a small package into a fresh repository and searches it statically
(urllib3 and tenacity need not be installed: only their calls' syntax is read).
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from dna_kit.codify import codify
from dna_kit.codify.sites import locate_sites, merge_sites, save_sites, search_sites
from dna_kit.errors import CodifyError
from dna_kit.finding import Binding, Finding, Site
from dna_kit.ledger import add_finding, find_entry

SETTINGS = """\
\"\"\"The service's tuned values.\"\"\"
RETRY_CAP = 5
BACKOFF_BASE_MS = 500
MAX_RETRIES = 3
ALIAS_CAP = RETRY_CAP
LOAD_PCT = 80
FETCH_ATTEMPTS = 4
"""

CLIENT = """\
from app import settings
from tenacity import retry, stop_after_attempt, wait_exponential
from urllib3.util.retry import Retry

RETRY = Retry(total=settings.MAX_RETRIES, backoff_max=settings.RETRY_CAP,
              respect_retry_after_header=False)


@retry(stop=stop_after_attempt(4), wait=wait_exponential(multiplier=0.5, max=30))
def fetch(url):
    return url


def backoff_delay(attempt: int) -> float:
    base = settings.BACKOFF_BASE_MS / 1000
    return min(base * 2 ** (attempt - 1), settings.RETRY_CAP)


def timeout_for(items: int, timeout_ms=1500) -> float:
    if items < 0:
        return 0.0
    return 2.5 + items * 0.05


def is_spike(load: float) -> bool:
    return load * 100 > settings.LOAD_PCT
"""

OTHER = """\
import app.settings as s
from app.settings import RETRY_CAP
from .settings import ALIAS_CAP, MAX_RETRIES


def cap_a():
    return s.RETRY_CAP


def cap_b():
    return RETRY_CAP


def cap_c():
    return ALIAS_CAP


def retries():
    return MAX_RETRIES


def via_helper():
    return cap_b() + 1
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def app(project):
    _write(project.root, {"app/__init__.py": "", "app/settings.py": SETTINGS,
                          "app/client.py": CLIENT, "app/other.py": OTHER})
    return project


def _finding(params: dict[str, object]) -> Finding:
    return Finding.from_dict({"id": "F-0001", "title": "Retry rule", "layer": "how",
                              "kind": "retry_policy", "statement": "Retries are bounded.",
                              "params": params})


def _sites(project, target: str, params: dict[str, object]) -> list[tuple[str, str, int]]:
    binding = Binding(template="backoff_schedule", target=target)
    return [(s.param, s.path, s.line)
            for s in locate_sites(project, _finding(params), binding)]


def _line(project, rel: str, text: str) -> int:
    lines = (project.root / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


# -- where values are found -----------------------------------------------------------------

def test_constants_read_through_settings_and_ms_naming(app):
    search = search_sites(app, _finding({"base": "0.5s", "cap": "5s", "factor": 2}),
                          Binding(template="backoff_schedule", target="app.client:backoff_delay"))
    by_param = {p.param: p for p in search.params}
    assert [(f.site.path, f.site.line, f.site.code) for f in by_param["base"].found] == [
        ("app/settings.py", 3, "BACKOFF_BASE_MS = 500")]  # 500 ms is 0.5 s
    # RETRY_CAP is read by the target and passed to Retry(backoff_max=...): one site
    assert [(f.site.path, f.site.line) for f in by_param["cap"].found] == [
        ("app/settings.py", 2)]
    assert "read as settings.RETRY_CAP by app.client:backoff_delay" in \
        by_param["cap"].found[0].how
    # the factor is the literal 2 in the target's own source
    assert [(f.site.path, f.site.line, f.site.code) for f in by_param["factor"].found] == [
        ("app/client.py", _line(app, "app/client.py", "2 ** (attempt"),
         "return min(base * 2 ** (attempt - 1), settings.RETRY_CAP)")]
    assert search.lines()[:2] == ["site: base = app/settings.py:3 BACKOFF_BASE_MS = 500",
                                  "site: cap = app/settings.py:2 RETRY_CAP = 5"]


def test_a_bare_number_under_a_parameter_name_with_a_unit(app):
    # `timeout_ms: 1500` in a finding is a bare number; its name says milliseconds
    assert _sites(app, "app.client:timeout_for", {"timeout_ms": 1500}) == [
        ("timeout_ms", "app/client.py", _line(app, "app/client.py", "timeout_ms=1500"))]
    # a bare count never matches a value under a name that says a duration
    assert _sites(app, "app.client:timeout_for", {"attempts": 1500}) == []


def test_a_name_that_says_ms_does_not_hold_seconds(app):
    # BACKOFF_BASE_MS = 500 is half a second, never 500 s; 5 s is no count of 5 ms either
    assert _sites(app, "app.client:backoff_delay", {"base": "500s"}) == []
    assert _sites(app, "app.client:timeout_for", {"timeout": "1500ms"}) == [
        ("timeout", "app/client.py", _line(app, "app/client.py", "timeout_ms=1500"))]


def test_every_import_form_and_a_constant_defined_as_another(app):
    cap = ("cap", "app/settings.py", 2)
    assert _sites(app, "app.other:cap_a", {"cap": "5s"}) == [cap]     # import ... as s
    assert _sites(app, "app.other:cap_b", {"cap": "5s"}) == [cap]     # from ... import
    assert _sites(app, "app.other:cap_c", {"cap": "5s"}) == [cap]     # ALIAS_CAP = RETRY_CAP
    assert _sites(app, "app.other:retries", {"max_retries": 3}) == [  # relative import
        ("max_retries", "app/settings.py", 4)]
    # a project function the target calls is followed one call deep
    assert _sites(app, "app.other:via_helper", {"cap": "5s"}) == [cap]


def test_keywords_of_a_library_constructor(app):
    # the configured object itself as the target: each keyword's constant, or its literal
    found = _sites(app, "app.client:RETRY", {"max_retries": "3 retries", "cap": "5s",
                                             "respect_retry_after": False})
    assert found == [("max_retries", "app/settings.py", 4), ("cap", "app/settings.py", 2),
                     ("respect_retry_after", "app/client.py", 6)]
    # from another function of the module, the constructor call is still searched
    search = search_sites(app, _finding({"max_retries": 3}),
                          Binding(template="retry_limit", target="app.client:fetch"))
    [site] = search.params[0].found
    assert (site.site.path, site.site.line) == ("app/settings.py", 4)
    assert "keyword total of Retry(...) at app/client.py:5" in site.how


def test_a_literal_in_a_decorator(app):
    line = _line(app, "app/client.py", "@retry(")
    found = _sites(app, "app.client:fetch", {"max_attempts": 4, "base": "0.5s",
                                             "cap": "30s"})
    assert found == [("max_attempts", "app/client.py", line),
                     ("base", "app/client.py", line), ("cap", "app/client.py", line)]
    # FETCH_ATTEMPTS = 4 in settings is not read by anything fetch reaches
    assert ("max_attempts", "app/settings.py", 7) not in found


def test_literals_inside_the_target_and_bare_zeros_and_ones(app):
    assert _sites(app, "app.client:timeout_for", {"min": "2.5s", "per_item": "50ms"}) == [
        ("min", "app/client.py", _line(app, "app/client.py", "2.5 +")),
        ("per_item", "app/client.py", _line(app, "app/client.py", "2.5 +"))]
    # `items < 0` and `return 0.0` are arithmetic, not the rule's value
    assert _sites(app, "app.client:timeout_for", {"min": 0}) == []


def test_a_percentage_under_a_pct_name(app):
    assert _sites(app, "app.client:is_spike", {"threshold": "80%"}) == [
        ("threshold", "app/settings.py", 6)]
    assert _sites(app, "app.client:is_spike", {"threshold": "0.8%"}) == []


CONF = """\
import os


class Settings:
    retry_cap: float = 5.0
    TTL_MIN = 10


settings = Settings()
loop = loop.again()
TIMEOUT_S = float(os.getenv("TIMEOUT_S", "30"))
BACKOFF_MIN = 0.25
"""

USES = """\
from app.conf import BACKOFF_MIN, TIMEOUT_S, Settings, loop, settings


def cap():
    return settings.retry_cap


def ttl():
    return Settings.TTL_MIN


def timeout():
    return TIMEOUT_S


def floor():
    return BACKOFF_MIN


def spin():
    return loop.again.x
"""


def test_settings_objects_environment_defaults_and_a_trailing_min(app):
    _write(app.root, {"app/conf.py": CONF, "app/uses.py": USES})
    assert _sites(app, "app.uses:cap", {"cap": "5s"}) == [("cap", "app/conf.py", 5)]
    assert _sites(app, "app.uses:ttl", {"ttl": "10min"}) == [("ttl", "app/conf.py", 6)]
    assert _sites(app, "app.uses:timeout", {"timeout": "30s"}) == [
        ("timeout", "app/conf.py", 11)]
    # BACKOFF_MIN is a minimum in seconds, not minutes: a trailing MIN reads either way
    assert _sites(app, "app.uses:floor", {"floor": "0.25s"}) == [("floor", "app/conf.py", 12)]
    assert _sites(app, "app.uses:spin", {"x": "5s"}) == []  # a self-reference ends


def test_a_value_found_nowhere_is_said_plainly(app):
    search = search_sites(app, _finding({"cap": "7s", "retry_on": ["ConnectionError"]}),
                          Binding(template="backoff_schedule",
                                  target="app.client:backoff_delay"))
    assert search.sites == []
    assert search.lines() == ["no site: cap=7s: no literal or constant holding 7 (or 7000 ms) "
                              "reached from app.client:backoff_delay"]
    words = search.params[1]
    assert not words.searched and "a word or a list of names" in (words.reason or "")


def test_modules_outside_the_repository_are_not_followed(app, tmp_path):
    outside = tmp_path / "outside"
    _write(outside, {"vendor_cfg.py": "CAP = 9\n"})
    (app.root / "app" / "linked.py").symlink_to(outside / "vendor_cfg.py")
    _write(app.root, {"app/ext.py": """\
        from vendor_cfg import CAP
        from app import linked


        def delay():
            return CAP


        def linked_delay():
            return linked.CAP
        """})
    assert _sites(app, "app.ext:delay", {"cap": "9s"}) == []
    search = search_sites(app, _finding({"cap": "9s"}),
                          Binding(template="backoff_schedule", target="app.ext:linked_delay"))
    assert search.sites == []
    assert any("app/linked.py lies outside the repository" in n for n in search.notes)
    missing = search_sites(app, _finding({"cap": "9s"}),
                           Binding(template="backoff_schedule", target="vendor_cfg:CAP"))
    assert missing.notes == ("vendor_cfg is not a module of this repository (no "
                             "vendor_cfg.py under its root); nothing searched from "
                             "vendor_cfg:CAP",)


def test_a_module_that_does_not_parse_is_a_note_not_a_crash(app):
    _write(app.root, {"app/broken.py": "def delay(:\n"})
    search = search_sites(app, _finding({"cap": "5s"}),
                          Binding(template="backoff_schedule", target="app.broken:delay"))
    assert search.sites == []
    assert search.notes[0].startswith("app/broken.py:1: cannot be parsed")


# -- stored in the finding ----------------------------------------------------------------

CARRIER = """\
from app import settings


def backoff_delay(attempt: int) -> float:
    return min(settings.BACKOFF_BASE_MS / 1000 * 2 ** (attempt - 1), settings.RETRY_CAP)
"""


@pytest.fixture
def codified(app):
    _write(app.root, {"app/carrier.py": CARRIER})
    finding = add_finding(app, {"title": "Carrier retry cap", "layer": "how",
                                "kind": "retry_policy", "status": "accepted",
                                "statement": "Back off from 0.5 s, doubling, capped at 5 s.",
                                "params": {"base": "0.5s", "factor": 2, "cap": "5s",
                                           "max_attempts": 4}})
    artifact = codify(app, finding.id, template="backoff_schedule",
                      target="app.carrier:backoff_delay")
    return artifact


def test_codify_stores_the_sites_in_the_finding_file(app, codified):
    entry = find_entry(app, codified.finding.id)
    text = entry.path.read_text(encoding="utf-8")
    assert "  sites:\n  - param: base\n    path: app/settings.py\n    line: 3\n" in text
    assert [s.describe() for s in entry.finding.binding.sites] == [
        "app/settings.py:3 BACKOFF_BASE_MS = 500", "app/carrier.py:5 " + CARRIER.splitlines()[4]
        .strip(), "app/settings.py:2 RETRY_CAP = 5"]
    assert codified.sites is not None and codified.sites.lines()[0] == \
        "site: base = app/settings.py:3 BACKOFF_BASE_MS = 500"
    # codifying again changes nothing
    before = entry.path.read_bytes()
    codify(app, codified.finding.id)
    assert entry.path.read_bytes() == before


def test_a_site_added_by_hand_is_kept_while_its_code_is_there(app, codified):
    entry = find_entry(app, codified.finding.id)
    text = entry.path.read_text(encoding="utf-8")
    # a person adds two sites to the finding file: one true, one naming code that is gone
    hand = ("  - param: cap\n    path: app/other.py\n    line: 11\n"
            "    code: return RETRY_CAP\n"
            "  - param: base\n    path: app/settings.py\n    line: 1\n"
            "    code: BACKOFF = 0.5\n")
    marker = "    code: RETRY_CAP = 5\n"
    assert marker in text
    entry.path.write_text(text.replace(marker, marker + hand, 1), encoding="utf-8")
    artifact = codify(app, codified.finding.id)
    sites = find_entry(app, codified.finding.id).finding.binding.sites
    assert Site("cap", "app/other.py", 11, "return RETRY_CAP") in sites
    assert not any(s.path == "app/settings.py" and s.line == 1 for s in sites)
    assert artifact.sites is not None
    assert "dropped site: base = app/settings.py:1 BACKOFF = 0.5 (line 1 now reads " \
           "'\"\"\"The service\\'s tuned values.\"\"\"')" in artifact.sites.lines()
    # the code moves down a line: the kept site follows it
    other = app.root / "app" / "other.py"
    other.write_text("# moved\n" + other.read_text(encoding="utf-8"), encoding="utf-8")
    artifact = codify(app, codified.finding.id)
    sites = find_entry(app, codified.finding.id).finding.binding.sites
    assert Site("cap", "app/other.py", 12, "return RETRY_CAP") in sites
    assert artifact.sites is not None
    assert "site: cap = app/other.py:12 return RETRY_CAP (kept from the finding: the search " \
           "does not find it)" in artifact.sites.lines()


def test_merge_keeps_stored_order_and_refreshes_code(app):
    search = search_sites(app, _finding({"cap": "5s"}),
                          Binding(template="backoff_schedule", target="app.other:cap_a"))
    stored = (Site("cap", "app/other.py", 7), Site("cap", "app/settings.py", 2, "old text"))
    merge = merge_sites(app, stored, search)
    assert merge.sites == (Site("cap", "app/other.py", 7, "return s.RETRY_CAP"),
                           Site("cap", "app/settings.py", 2, "RETRY_CAP = 5"))
    assert merge.kept == (Site("cap", "app/other.py", 7, "return s.RETRY_CAP"),)
    assert merge.changed


def test_a_finding_without_a_binding_has_nothing_to_search(app):
    finding = add_finding(app, {"title": "Cap", "layer": "how", "kind": "retry_policy",
                                "statement": "Capped at 5 s.", "params": {"cap": "5s"}})
    with pytest.raises(CodifyError, match="no binding yet"):
        save_sites(app, finding.id)


# -- dna locate -----------------------------------------------------------------------------

def _dna(dna_cmd, project, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*dna_cmd, "-C", str(project.root), *args], capture_output=True,
                          text=True, timeout=60)


def test_dna_locate_prints_saves_and_speaks_json(app, codified, dna_cmd):
    fid = codified.finding.id
    entry = find_entry(app, fid)
    # a person removes every stored site; locate shows them again without saving
    finding = entry.finding
    text = entry.path.read_text(encoding="utf-8")
    stripped = text[:text.index("  sites:\n")] + text[text.index("---\n", 4):]
    entry.path.write_text(stripped, encoding="utf-8")
    assert find_entry(app, fid).finding.binding.sites == ()
    out = _dna(dna_cmd, app, "locate", fid)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "site: base = app/settings.py:3 BACKOFF_BASE_MS = 500"
    assert "--save` stores these" in out.stdout
    assert find_entry(app, fid).finding.binding.sites == ()
    data = json.loads(_dna(dna_cmd, app, "locate", fid, "--json").stdout)
    assert [(s["param"], s["path"], s["line"]) for s in data["sites"]] == [
        (s.param, s.path, s.line) for s in finding.binding.sites]
    assert data["params"][0]["sites"][0]["how"].startswith("constant BACKOFF_BASE_MS")
    saved = _dna(dna_cmd, app, "locate", fid, "--save")
    assert saved.returncode == 0 and f"{fid}: 3 site(s) stored" in saved.stdout
    assert find_entry(app, fid).finding.binding.sites == finding.binding.sites


def test_dna_locate_without_a_binding_is_one_line(app, dna_cmd):
    add_finding(app, {"title": "Cap", "layer": "how", "kind": "retry_policy",
                      "statement": "Capped at 5 s.", "params": {"cap": "5s"}})
    out = _dna(dna_cmd, app, "locate", "F-0001")
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "dna locate: F-0001 has no binding yet, so there is no code to search for its "
        "values: codify it first; bind it first: dna codify F-0001 --template NAME "
        "--target MODULE:CALLABLE"]


def test_dna_codify_prints_the_sites(app, dna_cmd):
    _write(app.root, {"app/carrier.py": CARRIER})
    add_finding(app, {"title": "Carrier retry cap", "layer": "how", "kind": "retry_policy",
                      "status": "accepted", "statement": "Capped at 7 s.",
                      "params": {"base": "0.5s", "factor": 2, "cap": "7s",
                                 "max_attempts": 4}})
    out = _dna(dna_cmd, app, "codify", "F-0001", "--template", "backoff_schedule",
               "--target", "app.carrier:backoff_delay")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[1] == "site: base = app/settings.py:3 BACKOFF_BASE_MS = 500"
    assert lines[-2:] == [
        "no site: cap=7s: no literal or constant holding 7 (or 7000 ms) reached from "
        "app.carrier:backoff_delay",
        "no site: max_attempts=4: no literal or constant holding 4 reached from "
        "app.carrier:backoff_delay"]
