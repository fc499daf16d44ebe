"""Registries and their plugins: entry points in ``dna_kit.readers``, ``dna_kit.templates``
and ``dna_kit.adr_formats``.

The fast tests load real :class:`importlib.metadata.EntryPoint` objects pointing at a plugin
module written to ``tmp_path`` (or a real ``*.dist-info`` beside it, which
``importlib.metadata`` discovers on ``sys.path``). The slow test installs a plugin package
with pip into a fresh virtual environment and runs ``dna`` there.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import sysconfig
import textwrap
import uuid
import venv
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from dna_kit.cli import main
from dna_kit.codify import RecordContext, render_adr, render_test
from dna_kit.codify.adr import build_format_registry, register_builtin_formats
from dna_kit.codify.templates import (
    TemplateSpec,
    build_template_registry,
    register_builtin_templates,
)
from dna_kit.errors import DnaKitError, PluginError
from dna_kit.finding import Binding
from dna_kit.ingest import Reader, build_readers, ingest, register_builtin_readers
from dna_kit.ledger import add_finding
from dna_kit.registry import Registry, apply_plugin, build_registry, load_plugins

# One plugin module holding every hook the tests point entry points at. It imports only
# public dna_kit names, as a third party's plugin would.
PLUGIN = '''\
from pathlib import Path

from dna_kit.codify.templates import TemplateSpec
from dna_kit.document import Document, TimelineEvent
from dna_kit.ingest import Reader


def read_incident(path, text, options):
    """``.incident`` files: one ``HH:MM actor: what happened`` line per event."""
    events = []
    for number, line in enumerate(text.splitlines(), 1):
        time, _, rest = line.partition(" ")
        actor, _, said = rest.partition(": ")
        if time[:2].isdigit() and said:
            events.append(TimelineEvent(time, actor, said, number))
    return [Document(path=str(path), text=text, kind="incident", events=events)]


class AlertWithin(TemplateSpec):
    def source_path(self):
        return Path(__file__).with_name("alert_within.py.tmpl")


def register_reader(readers):
    readers.register("incident", Reader("incident", read_incident, (".incident",), None,
                                        "incident timelines from the paging tool"))


def register_template(templates):
    templates.register("alert_within", AlertWithin(
        "alert_within", rule="an alert fires within the paging budget",
        call_shape="alert_delay() -> float (seconds)", params=(),
        example="dna codify F-0001 --template alert_within --target pager:alert_delay"))


def register_format(formats):
    formats.register("brief", str(Path(__file__).with_name("brief.md.tmpl")))


def register(formats):
    formats.register("from_module", "module.md.tmpl")


def take_bounded(templates):
    templates.register("bounded", templates.get("monotonic"))


def take_brief(formats):
    formats.register("brief", "mine.md.tmpl")


def replace_madr(formats):
    formats.register("madr", "house-madr.md.tmpl", replace=True)


def wrong_kind(templates):
    templates.register("loose", {"rule": "a dict is not a template"})


def crash(registry):
    raise RuntimeError("the plugin's own bug\\nwith a second line")


NOT_A_HOOK = 42
'''

BRIEF = """\
# ${number}. ${title}

${status} (${date})

${decision}

${hash_line}
"""

ALERT_WITHIN = """\
${header}

from __future__ import annotations

${target_import}

DNA_FINDING = ${finding_id}


def test_${test_id}_alerts_within_budget() -> None:
    assert f() <= 300.0, DNA_FINDING
"""

INCIDENT = """\
09:02 pager: carrier API p99 above 5 s
09:04 ana: retry storm, capping backoff at 5 s
"""


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The name of a fresh plugin module importable from ``tmp_path`` (unique per test,
    so no test sees another's module)."""
    name = f"dna_plugin_{uuid.uuid4().hex[:12]}"
    package = tmp_path / "site" / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(PLUGIN, encoding="utf-8")
    (package / "brief.md.tmpl").write_text(BRIEF, encoding="utf-8")
    (package / "alert_within.py.tmpl").write_text(ALERT_WITHIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    yield name
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


def ep(group: str, name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=group)


def add_distribution(site: Path, module: str, entry_points: str) -> str:
    """Write the ``*.dist-info`` an installer would, declaring ``entry_points``; returns
    the distribution's name."""
    dist = module.replace("_", "-")
    info = site / f"{module}-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1.0\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points), encoding="utf-8")
    return dist


# -- the registry ----------------------------------------------------------------------------

def test_a_registry_checks_the_kind_of_what_it_is_given():
    formats: Registry[str] = Registry("decision-record format", item_type=str)
    with pytest.raises(TypeError, match="'brief' must be a str, not PosixPath"):
        formats.register("brief", Path("brief.md.tmpl"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="name must be non-empty text"):
        formats.register("", "x.md.tmpl")
    assert formats.names() == []


def test_a_name_taken_twice_says_who_took_it_first():
    formats: Registry[str] = Registry("decision-record format")
    formats.register("brief", "a.md.tmpl")
    with pytest.raises(ValueError, match="'brief' is already registered by the caller"):
        formats.register("brief", "b.md.tmpl")
    formats.register("brief", "b.md.tmpl", replace=True)
    assert formats.get("brief") == "b.md.tmpl"


# -- what ships goes through the plugin seam -------------------------------------------------

@pytest.mark.parametrize(("build", "register", "names"), [
    (build_readers, register_builtin_readers,
     ["transcript", "chat", "jsonl", "html", "csv", "markdown", "docx", "pdf"]),
    (build_template_registry, register_builtin_templates, None),
    (build_format_registry, register_builtin_formats, ["madr", "nygard"]),
])
def test_the_built_ins_are_registered_as_a_plugin_would_be(build, register, names):
    registry = build()
    by_hand: Registry[object] = Registry(registry.kind)
    register(by_hand)
    assert registry.names() == by_hand.names()
    if names is not None:
        assert registry.names() == names
    assert {registry.origin(name) for name in registry} == {"dna_kit (built-in)"}


def test_every_build_is_fresh():
    first, second = build_template_registry(), build_template_registry()
    first.register("mine", first.get("bounded"))
    assert "mine" in first and "mine" not in second
    assert "mine" not in build_template_registry()


# -- plugins from entry points ---------------------------------------------------------------

def test_plugins_add_a_reader_a_template_and_a_format(plugin):
    readers = build_registry("source format", "dna_kit.readers", register_builtin_readers,
                             item_type=Reader, entry_points=[
                                 ep("dna_kit.readers", "incident", f"{plugin}:register_reader")])
    templates = build_registry("template", "dna_kit.templates", register_builtin_templates,
                               item_type=TemplateSpec, entry_points=[
                                   ep("dna_kit.templates", "alert",
                                      f"{plugin}:register_template")])
    formats = build_registry("decision-record format", "dna_kit.adr_formats",
                             register_builtin_formats, item_type=str, entry_points=[
                                 ep("dna_kit.adr_formats", "brief", f"{plugin}:register_format")])

    assert readers.names()[-1] == "incident"
    assert readers.get("incident").extensions == (".incident",)
    assert readers.origin("incident") == (
        f"plugin {plugin} (entry point dna_kit.readers: incident = {plugin}:register_reader)")
    assert templates.names()[-1] == "alert_within"
    assert templates.get("alert_within").source_path().name == "alert_within.py.tmpl"
    assert Path(formats.get("brief")).read_text(encoding="utf-8") == BRIEF
    assert templates.origin("bounded") == "dna_kit (built-in)"


def test_an_entry_point_naming_a_module_calls_its_register(plugin):
    formats: Registry[str] = Registry("decision-record format")
    load_plugins(formats, "dna_kit.adr_formats",
                 entry_points=[ep("dna_kit.adr_formats", "mod", plugin)])
    assert formats.names() == ["from_module"]


def test_plugins_run_in_entry_point_name_order(plugin):
    formats: Registry[str] = Registry("decision-record format")
    load_plugins(formats, "dna_kit.adr_formats", entry_points=[
        ep("dna_kit.adr_formats", "zz", f"{plugin}:register_format"),
        ep("dna_kit.adr_formats", "aa", plugin)])
    assert formats.names() == ["from_module", "brief"]


def test_a_plugin_may_replace_a_built_in_when_it_says_so(plugin):
    formats = build_registry("decision-record format", "dna_kit.adr_formats",
                             register_builtin_formats, item_type=str, entry_points=[
                                 ep("dna_kit.adr_formats", "house", f"{plugin}:replace_madr")])
    assert formats.get("madr") == "house-madr.md.tmpl"
    assert formats.origin("madr").startswith(f"plugin {plugin} (entry point")


# -- plugins that fail: one PluginError naming the plugin and its entry point ----------------

def failure(plugin: str, group: str, value: str, builtin=register_builtin_templates,
            item_type: type = TemplateSpec) -> PluginError:
    with pytest.raises(PluginError) as caught:
        build_registry("template", group, builtin, item_type=item_type,
                       entry_points=[ep(group, "broken", value.format(plugin=plugin))])
    error = caught.value
    assert isinstance(error, DnaKitError)
    assert "\n" not in str(error)
    assert error.entry_point == f"{group}: broken = {value.format(plugin=plugin)}"
    assert str(error).startswith(f"plugin {error.plugin} (entry point {error.entry_point}): ")
    return error


def test_a_plugin_that_cannot_be_imported(plugin):
    error = failure(plugin, "dna_kit.templates", "dna_no_such_plugin:register")
    assert error.plugin == "dna_no_such_plugin"
    assert error.reason == ("cannot be loaded: ModuleNotFoundError: No module named "
                            "'dna_no_such_plugin'")


def test_a_plugin_module_that_breaks_on_import(plugin, tmp_path):
    (tmp_path / "site" / plugin / "broken.py").write_text("import json\nx = = 1\n",
                                                         encoding="utf-8")
    error = failure(plugin, "dna_kit.templates", "{plugin}.broken:register")
    assert error.reason.startswith("cannot be loaded: SyntaxError: invalid syntax")


def test_an_entry_point_naming_a_missing_hook(plugin):
    error = failure(plugin, "dna_kit.templates", "{plugin}:no_such_hook")
    assert error.reason.startswith("cannot be loaded: AttributeError: ")
    assert "no_such_hook" in error.reason


def test_an_entry_point_naming_something_not_callable(plugin):
    error = failure(plugin, "dna_kit.templates", "{plugin}:NOT_A_HOOK")
    assert error.reason == "names int, not a callable register(registry)"


def test_a_plugin_taking_a_built_in_name(plugin):
    error = failure(plugin, "dna_kit.templates", "{plugin}:take_bounded")
    assert error.reason == "template 'bounded' is already registered by dna_kit (built-in)"


def test_two_plugins_taking_the_same_name(plugin):
    with pytest.raises(PluginError) as caught:
        build_format_registry_with(plugin, ("a_first", "register_format"),
                                   ("b_second", "take_brief"))
    first = f"plugin {plugin} (entry point dna_kit.adr_formats: a_first = {plugin}:register_format)"
    assert caught.value.reason == (
        f"decision-record format 'brief' is already registered by {first}")
    assert caught.value.entry_point.startswith("dna_kit.adr_formats: b_second = ")


def build_format_registry_with(plugin: str, *hooks: tuple[str, str]) -> Registry[str]:
    return build_registry("decision-record format", "dna_kit.adr_formats",
                          register_builtin_formats, item_type=str,
                          entry_points=[ep("dna_kit.adr_formats", name, f"{plugin}:{hook}")
                                        for name, hook in hooks])


def test_a_plugin_registering_the_wrong_kind_of_thing(plugin):
    error = failure(plugin, "dna_kit.templates", "{plugin}:wrong_kind")
    assert error.reason == "template 'loose' must be a TemplateSpec, not dict"


def test_a_plugin_whose_register_raises(plugin):
    error = failure(plugin, "dna_kit.templates", "{plugin}:crash")
    assert error.reason == ("register(template registry) raised RuntimeError: the plugin's "
                            "own bug")
    assert isinstance(error.__cause__, RuntimeError)


def test_a_failed_plugin_leaves_the_registry_it_was_applied_to_usable(plugin):
    formats: Registry[str] = Registry("decision-record format")
    with pytest.raises(PluginError):
        apply_plugin(formats, lambda r: r.register("", "x"), plugin="p", entry_point="e")
    formats.register("mine", "x")
    assert formats.origin("mine") == "the caller"


# -- discovery from installed metadata, in this process --------------------------------------

def test_installed_plugins_are_found_on_every_build_and_only_then(plugin, tmp_path):
    assert "incident" not in build_readers()
    dist = add_distribution(tmp_path / "site", plugin, f"""\
        [dna_kit.readers]
        incident = {plugin}:register_reader
        [dna_kit.templates]
        alert = {plugin}:register_template
        [dna_kit.adr_formats]
        brief = {plugin}:register_format
        """)
    assert build_readers().names()[-1] == "incident"
    assert build_template_registry().names()[-1] == "alert_within"
    assert build_format_registry().names() == ["madr", "nygard", "brief"]
    assert build_format_registry().origin("brief").startswith(f"plugin {dist} 0.1.0 ")

    source = tmp_path / "2026-03-14-retry-storm.incident"
    source.write_text(INCIDENT, encoding="utf-8")
    [document] = ingest(source)
    assert (document.reader, document.kind) == ("incident", "incident")
    assert [(e.time, e.actor) for e in document.events] == [("09:02", "pager"), ("09:04", "ana")]


def test_a_plugin_template_and_format_render(plugin, tmp_path, project):
    add_distribution(tmp_path / "site", plugin, f"""\
        [dna_kit.templates]
        alert = {plugin}:register_template
        [dna_kit.adr_formats]
        brief = {plugin}:register_format
        """)
    finding = add_finding(project, {
        "title": "Page within five minutes", "layer": "how", "kind": "timeout",
        "statement": "The carrier outage pages on-call within 5 minutes.",
        "status": "accepted"})

    record = render_adr(finding, "brief", ctx=RecordContext(7, dt.date(2026, 11, 20)))
    assert record.startswith("# 7. Page within five minutes\n\nAccepted (2026-11-20)\n\n")

    test = render_test(finding, Binding("alert_within", "pager:alert_delay"))
    assert "# Generated by dna_kit from finding F-0001 with the template alert_within." in test
    assert "def test_f0001_alerts_within_budget() -> None:" in test
    assert "from pager import alert_delay as f" in test


def test_dna_says_which_plugin_broke_in_one_line(plugin, tmp_path, capsys):
    dist = add_distribution(tmp_path / "site", plugin, f"""\
        [dna_kit.templates]
        alert = {plugin}:no_such_hook
        """)
    assert main(["templates"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"dna templates: plugin {dist} 0.1.0 (entry point dna_kit.templates: "
                          f"alert = {plugin}:no_such_hook): cannot be loaded: AttributeError")


# -- a real plugin package, installed by pip into a fresh environment ------------------------

BACKEND = '''\
"""A PEP 517 build backend small enough to write in a test: it packs the package and the
[project.entry-points] of pyproject.toml into a wheel, so the test needs no wheel package."""
import base64
import hashlib
import pathlib
import tomllib
import zipfile

ROOT = pathlib.Path(__file__).parent


def _files():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    name, version = project["name"].replace("-", "_"), project["version"]
    for path in sorted((ROOT / name).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            yield path.relative_to(ROOT).as_posix(), path.read_bytes()
    info = f"{name}-{version}.dist-info"
    yield f"{info}/METADATA", (f"Metadata-Version: 2.1\\nName: {project['name']}\\n"
                               f"Version: {version}\\n").encode()
    yield f"{info}/WHEEL", (b"Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\n"
                            b"Tag: py3-none-any\\n")
    groups = project.get("entry-points", {})
    yield f"{info}/entry_points.txt", "".join(
        f"[{group}]\\n" + "".join(f"{k} = {v}\\n" for k, v in eps.items()) + "\\n"
        for group, eps in groups.items()).encode()


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    name, version = project["name"].replace("-", "_"), project["version"]
    wheel = f"{name}-{version}-py3-none-any.whl"
    record = [f"{name}-{version}.dist-info/RECORD,,"]
    with zipfile.ZipFile(pathlib.Path(wheel_directory) / wheel, "w") as archive:
        for arcname, data in _files():
            archive.writestr(arcname, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{arcname},sha256={digest.decode()},{len(data)}")
        archive.writestr(record[0][:-2], "\\n".join(record[1:] + record[:1]) + "\\n")
    return wheel
'''

PYPROJECT = """\
[build-system]
requires = []
build-backend = "backend"
backend-path = ["."]

[project]
name = "dna-incident"
version = "0.1.0"

[project.entry-points."dna_kit.readers"]
incident = "dna_incident:register_reader"

[project.entry-points."dna_kit.templates"]
alert_within = "dna_incident:register_template"

[project.entry-points."dna_kit.adr_formats"]
brief = "dna_incident:register_format"
"""


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv that sees this environment's packages (dna_kit, its dependencies, pip)
    and has the ``dna-incident`` plugin package installed by pip."""
    base = tmp_path_factory.mktemp("plugin")
    src = base / "dna-incident"
    (src / "dna_incident").mkdir(parents=True)
    (src / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (src / "backend.py").write_text(BACKEND, encoding="utf-8")
    (src / "dna_incident" / "__init__.py").write_text(PLUGIN, encoding="utf-8")
    (src / "dna_incident" / "brief.md.tmpl").write_text(BRIEF, encoding="utf-8")
    (src / "dna_incident" / "alert_within.py.tmpl").write_text(ALERT_WITHIN, encoding="utf-8")

    env = base / "venv"
    # A venv made from inside a venv would see the base interpreter's packages, not this
    # environment's: a .pth file adds this environment's site-packages (and, through its
    # own .pth files, an editable dna_kit) after the new venv's own.
    venv.create(env, with_pip=False)
    python = str(env / "bin" / "python")
    purelib = subprocess.run([python, "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    here = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (Path(purelib) / "_outer_environment.pth").write_text(
        "".join(f"import site; site.addsitedir({p!r})\n" for p in here), encoding="utf-8")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--no-build-isolation", "--disable-pip-version-check", str(src)],
                   check=True, capture_output=True, text=True, cwd=base)
    assert list(Path(purelib).glob("dna_incident-0.1.0.dist-info"))
    return env


def run(env: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(env / "bin" / "python"), *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


@pytest.mark.slow
def test_an_installed_plugin_package_extends_all_three_registries(plugin_env, tmp_path):
    code = ("from dna_kit.ingest import build_readers\n"
            "from dna_kit.codify import build_format_registry, build_template_registry\n"
            "print(build_readers().names())\n"
            "print(build_template_registry().names()[-1])\n"
            "print(build_format_registry().names())\n"
            "print(build_format_registry().origin('brief'))\n")
    shown = run(plugin_env, "-c", code, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == [
        "['transcript', 'chat', 'jsonl', 'html', 'csv', 'markdown', 'docx', 'pdf', "
        "'incident']",
        "alert_within",
        "['madr', 'nygard', 'brief']",
        "plugin dna-incident 0.1.0 (entry point dna_kit.adr_formats: brief = "
        "dna_incident:register_format)",
    ]

    templates = run(plugin_env, "-m", "dna_kit", "templates", cwd=tmp_path)
    assert templates.returncode == 0, templates.stderr
    assert "\nalert_within\n  rule:    an alert fires within the paging budget\n" in (
        templates.stdout)

    (tmp_path / "retry-storm.incident").write_text(INCIDENT, encoding="utf-8")
    ingested = run(plugin_env, "-m", "dna_kit", "ingest", "--json", "retry-storm.incident",
                   cwd=tmp_path)
    assert ingested.returncode == 0, ingested.stderr
    result = json.loads(ingested.stdout)
    assert (result["reader"], result["ok"], result["events"]) == ("incident", True, 2)
