"""A real browser on a real JupyterLab: Debian's Chromium, driven by Playwright, runs the
interview notebook, answers two questions in the widgets, moves on, and the transcript on
disk and the review panel show the result. Then the postmortem notebook's review panel
accepts a candidate into the ledger.

Every wait has a time limit and JupyterLab is killed in a ``finally``, so a broken browser
or server fails the test instead of hanging the suite. Screenshots go to the test's temp
folder; with ``DNA_UPDATE_SCREENSHOTS=1`` they are also copied to ``docs/img/`` for the
README.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(420),
              pytest.mark.xdist_group("browser")]

ANSWER_1 = ("The carrier retry storm in March. Every 4xx from the carrier was retried 10 times,"
            " 100 ms apart, until they suspended our key for 40 minutes.")
ANSWER_2 = ("The 10 retries came from a library default nobody chose. After the incident we "
            "decided to never retry a 4xx, and we capped the backoff at 5 s.")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except AssertionError:
            raise
        except Exception as exc:  # the server is still starting
            last = exc
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} ({last})")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled example and the notebooks, parameterized to use it."""
    import papermill

    root = tmp_path_factory.mktemp("browser")
    project = root / "logistics"
    shutil.copytree(REPO / "examples" / "logistics", project,
                    ignore=shutil.ignore_patterns("__pycache__", ".ruff_cache"))
    work = root / "work"
    work.mkdir()
    common = {"project_dir": str(project), "interactive": True}
    papermill.execute_notebook(
        str(REPO / "notebooks" / "03_engineer_interview.ipynb"), str(work / "interview.ipynb"),
        parameters={**common, "interviewee": "Ana Ruiz",
                    "incident": "the March carrier retry storm", "methods": ["cdm"]},
        prepare_only=True, kernel_name="python3")
    papermill.execute_notebook(
        str(REPO / "notebooks" / "02_postmortem_session.ipynb"), str(work / "postmortem.ipynb"),
        parameters={**common, "sources": ["incidents/2026-03-14-carrier-retry-storm.md"]},
        prepare_only=True, kernel_name="python3")
    papermill.execute_notebook(
        str(REPO / "notebooks" / "04_codify.ipynb"), str(work / "codify.ipynb"),
        parameters=common, prepare_only=True, kernel_name="python3")
    return root


@pytest.fixture(scope="module")
def lab(workspace: Path) -> Iterator[str]:
    """JupyterLab on a free loopback port with a token; killed however the tests end."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium; .ci/run does)")
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(workspace / "jupyter-config"),
           "JUPYTER_RUNTIME_DIR": str(workspace / "jupyter-runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(workspace / "lab-settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(workspace / "lab-workspaces"),
           "IPYTHONDIR": str(workspace / "ipython")}
    # No "get notified about Jupyter news?" toast over the screenshots, and no fetching.
    settings = workspace / "lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}', encoding="utf-8")
    log = open(workspace / "jupyterlab.log", "wb")  # noqa: SIM115 - closed in finally
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={workspace / 'work'}",
         "--LabApp.news_url=None", "--LabApp.expose_app_in_browser=True", "--LabApp.extension_manager=readonly",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         # CI containers run as root; Jupyter refuses that unless told.
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        def up() -> bool:
            if process.poll() is not None:
                tail = (workspace / "jupyterlab.log").read_text(errors="replace")[-2000:]
                raise AssertionError(f"JupyterLab exited ({process.returncode}):\n{tail}")
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as r:
                return bool(r.status == 200)

        _wait_for(up, 90, "JupyterLab to answer")
        yield f"{base}|{token}"
    finally:
        # The whole process group: the server and every kernel it started.
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


@pytest.fixture
def page(lab: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                     headless=True, timeout=60_000)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1000})
            context.set_default_timeout(60_000)
            yield context.new_page()
        finally:
            browser.close()


def _open_and_run_all(page: Any, lab: str, notebook: str) -> None:
    base, token = lab.split("|")
    # A workspace of its own, so JupyterLab does not reopen the other test's notebook.
    workspace = Path(notebook).stem
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={token}",
              wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    # Run through JupyterLab's own command (the app is exposed for this): the menu's DOM
    # changes between versions, the command id does not.
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session"
                           ".kernel", timeout=90_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


def _screenshot(page: Any, locator: Any, name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    locator.screenshot(path=str(path))
    if os.environ.get("DNA_UPDATE_SCREENSHOTS"):
        (REPO / "docs" / "img").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, REPO / "docs" / "img" / name)


def test_interview_in_a_real_browser(page: Any, lab: str, workspace: Path,
                                     tmp_path: Path) -> None:
    from dna_kit.ingest.transcript import parse_transcript

    _open_and_run_all(page, lab, "interview.ipynb")
    panel = page.locator(".dna-interview")
    panel.wait_for(timeout=120_000)
    assert "Pick one incident" in panel.inner_text()

    interviews = workspace / "logistics" / "dna" / "interviews"
    transcript = _wait_for(lambda: sorted(interviews.glob("*.md")), 30, "a transcript")[0]

    def answers() -> list[str]:
        text = transcript.read_text(encoding="utf-8")
        return [e.answer for e in parse_transcript(text, transcript).entries]

    page.locator(".dna-answer textarea").fill(ANSWER_1)
    page.locator("button.dna-interview-next").click()
    _wait_for(lambda: answers() == [ANSWER_1], 30, "the first answer on disk")
    # The next question is a probe about a number the engineer just mentioned.
    _wait_for(lambda: "You" in page.locator(".dna-question").inner_text(), 30,
              "the follow-up question")
    page.locator(".dna-answer textarea").fill(ANSWER_2)
    page.locator("button.dna-interview-next").click()
    _wait_for(lambda: answers() == [ANSWER_1, ANSWER_2], 30, "the second answer on disk")
    page.locator("button.dna-interview-skip").click()  # move on

    review = page.locator(".dna-review")
    _wait_for(lambda: "Candidate 1 of" in review.locator(".dna-header").inner_text(), 90,
              "candidates in the review panel")
    assert page.locator(".dna-review mark.dna-quote").count() == 1
    quote = page.locator(".dna-review mark.dna-quote").inner_text()
    assert quote and " ".join(quote.split()) in " ".join((ANSWER_1 + " " + ANSWER_2).split())
    _screenshot(page, panel, "interview.png", tmp_path)


def test_postmortem_review_in_a_real_browser(page: Any, lab: str, workspace: Path,
                                             tmp_path: Path) -> None:
    from dna_kit.ledger import load_ledger

    _open_and_run_all(page, lab, "postmortem.ipynb")
    review = page.locator(".dna-review")
    review.wait_for(timeout=120_000)
    _wait_for(lambda: "Candidate 1 of" in review.locator(".dna-header").inner_text(), 90,
              "the first candidate")
    assert page.locator(".dna-review mark.dna-quote").count() == 1
    _screenshot(page, review, "review.png", tmp_path)
    before = len(load_ledger(workspace / "logistics"))
    rejected_before = len(load_ledger(workspace / "logistics").filter(status="rejected"))
    page.locator("button.dna-accept").click()
    _wait_for(lambda: "Candidate 2 of" in review.locator(".dna-header").inner_text(), 30,
              "the next candidate")
    ledger = load_ledger(workspace / "logistics")
    assert len(ledger) == before + 1
    assert ledger.findings[-1].status == "accepted"
    # Keyboard path: type a command and press Enter.
    page.locator(".dna-command input").fill("r covered by the finding just accepted")
    page.locator(".dna-command input").press("Enter")
    _wait_for(lambda: "Candidate 3 of" in review.locator(".dna-header").inner_text(), 30,
              "the command to reject")
    rejected = load_ledger(workspace / "logistics").filter(status="rejected")
    assert len(rejected) == rejected_before + 1
    assert "covered by the finding just accepted" in [f.rejected_reason for f in rejected]


def test_codify_runs_a_generated_test_live_in_a_real_browser(page: Any, lab: str,
                                                             tmp_path: Path) -> None:
    _open_and_run_all(page, lab, "codify.ipynb")
    panel = page.locator(".dna-codify")
    panel.wait_for(timeout=120_000)
    assert page.locator(".dna-codify-target input").input_value() == \
        "dispatch.carrier:backoff_delay"
    status = page.locator(".dna-codify-status")
    page.locator("button.dna-codify-run").click()
    _wait_for(lambda: "passed" in status.inner_text(), 120, "the live run to pass")
    # Break the rule in the binding: the generated test must now fail, with an example.
    params = page.locator(".dna-codify-params textarea")
    params.fill(params.input_value().replace("cap = 5s", "cap = 6s"))
    page.locator("button.dna-codify-run").click()
    _wait_for(lambda: "failed" in status.inner_text(), 120, "the live run to fail")
    shown = status.inner_text()
    assert "attempt=" in shown and "delay(" in shown and "\x1b[" not in shown
    _screenshot(page, panel, "codify.png", tmp_path)
