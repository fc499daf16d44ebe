"""The JSON scorecard and its committed schema, the HTML report and the Markdown summary."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import fields
from pathlib import Path

import jsonschema
import pytest

from dna_kit.regen import Scorecard, regenerate, write_report
from dna_kit.regen.report import render_html, render_markdown
from dna_kit.regen.scorecard import FindingResult, MutantResult, read_history, scorecard_schema
from tests.conftest import REPO
from tests.regen.shipping import LOST_CAP, build_shipping_project

SCHEMA_FILE = REPO / "schema" / "scorecard.schema.json"


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> Scorecard:
    """One proved run of the lost-cap rewrite: every status but verified appears."""
    project = build_shipping_project(tmp_path_factory.mktemp("reports") / "shipping")
    regenerate(project)  # a first point for the trend
    return regenerate(project, impl=LOST_CAP, prove=True, min_score=0.5)


def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_the_committed_schema_is_the_one_the_code_builds() -> None:
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == scorecard_schema(), (
        "schema/scorecard.schema.json is stale: python -m dna_kit.regen.scorecard "
        "> schema/scorecard.schema.json")


def test_the_schema_names_every_field_the_code_writes() -> None:
    schema = scorecard_schema()
    finding = schema["properties"]["findings"]["items"]
    assert set(finding["properties"]) == {f.name for f in fields(FindingResult)}
    assert set(finding["properties"]["mutants"]["items"]["properties"]) == {
        f.name for f in fields(MutantResult)}
    assert set(schema["properties"]) == set(Scorecard().to_json())


@pytest.mark.slow
def test_a_real_scorecard_validates_and_a_wrong_one_does_not(card: Scorecard) -> None:
    data = card.to_json()
    _validator().validate(data)
    assert data["counts"] == {"failing": 1, "stale": 0, "tacit": 1, "documented": 1,
                              "verified": 0, "proven": 1}
    assert data["findings"][0]["id"] == "F-0001"  # lost rules first
    bad = copy.deepcopy(data)
    bad["findings"][0]["status"] = "probably fine"
    with pytest.raises(jsonschema.ValidationError, match="probably fine"):
        _validator().validate(bad)
    bad = copy.deepcopy(data)
    del bad["layers"]["why"]
    with pytest.raises(jsonschema.ValidationError, match="'why' is a required property"):
        _validator().validate(bad)


@pytest.mark.slow
def test_the_html_report_is_one_self_contained_file(card: Scorecard, tmp_path: Path) -> None:
    out = tmp_path / "site" / "report.html"
    written = write_report(card, html=out, json_path=tmp_path / "card.json",
                           history=read_history(Path(card.project) / "dna"))
    assert written == [tmp_path / "card.json", out]
    html = out.read_text(encoding="utf-8")
    # Nothing to fetch: no scripts, stylesheets or images from anywhere, no URLs at all.
    assert not re.search(r"https?://", html)
    assert not re.search(r"<script|<link|<img|<iframe|\bsrc=|@import|url\(", html, re.I)
    assert "<style>" in html and html.count("<svg") == 2  # by layer, and the trend
    assert "<polyline" in html  # the trend has the two runs of this project
    # Lost rules come first: the failing rule heads the page, before the proven one.
    assert html.index("F-0001") < html.index("F-0002")
    assert "Lost rules" in html and "6.0" in html
    # Each link (finding, test, decision record) leads to a file that exists.
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert any(h.endswith("F-0001-carrier-retry-backoff.md") for h in hrefs)
    assert any(h.endswith("test_f0002_batch_bounds.py") for h in hrefs)
    assert any(h.endswith("0001-keep-order-data-in-region.md") for h in hrefs)
    for href in hrefs:
        assert (out.parent / href).resolve().is_file(), href
    _validator().validate(json.loads((tmp_path / "card.json").read_text(encoding="utf-8")))


@pytest.mark.slow
def test_the_markdown_summary_fits_a_ci_comment(card: Scorecard) -> None:
    text = render_markdown(card, max_questions=1)
    assert text.startswith("### Regeneration test: 25% proven, 25% verified")
    assert "Gate: score ≥ 50%: **failed**" in text
    assert "- `F-0001` Carrier retry backoff (how, failing): " in text
    assert "- `F-0004` No order without an address (what, tacit): no artifact" in text
    assert "is that acceptable?" in text and "more in the report" in text
    assert "| how | 2 | 1 | 1 | 50% |" in text


def test_an_empty_scorecard_renders_without_scores() -> None:
    empty = Scorecard(project="", proved=False)
    assert empty.score is None and empty.to_json()["layers"]["what"]["score"] is None
    assert "n/a" in render_html(empty) and "n/a" in render_markdown(empty)
    assert not Scorecard(min_score=0.1).passed  # no accepted finding cannot pass a gate


@pytest.mark.slow
def test_in_a_notebook_the_report_keeps_its_styles_in_a_frame(card: Scorecard) -> None:
    from dna_kit.notebook.plots import report_frame

    shown = report_frame(card).data
    assert shown.startswith('<div><iframe srcdoc="&lt;!DOCTYPE html&gt;')
    assert "<style>" not in shown and "&lt;style&gt;" in shown
