"""Reports of a scorecard: one self-contained HTML file, and Markdown for a CI comment.

The HTML needs no network to view: its style is inline and its plots are inline SVG. Lost
rules come first, then the questions the surviving mutants raise, then the whole table with
links (relative to the report) to each finding, test and decision record.

>>> html = render_html(card, history=[], out_dir=Path("report"))   # doctest: +SKIP
>>> "<svg" in html and "http" not in html                          # doctest: +SKIP
True
"""

from __future__ import annotations

import html as _html
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dna_kit.fileio import atomic_write
from dna_kit.finding import LAYERS
from dna_kit.regen.scorecard import REGEN_STATUSES, FindingResult, Scorecard

__all__ = [
    "render_html", "render_markdown", "svg_layers", "svg_trend", "write_html", "write_report",
]

COLORS = {"failing": "#c0392b", "stale": "#8e44ad", "tacit": "#9e9e9e", "documented": "#e1a100",
          "verified": "#5d9cec", "proven": "#2e8b57"}

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;
max-width:1100px;color:#222;padding:0 1em}
h1{margin-bottom:.2em}.muted{color:#666}.score{font-size:2.6em;font-weight:700}
.cards{display:flex;gap:2em;align-items:flex-end;flex-wrap:wrap}
table{border-collapse:collapse;width:100%;margin:1em 0}
th,td{border-bottom:1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}.pill{border-radius:1em;padding:.1em .6em;color:#fff;font-size:.85em;
white-space:nowrap}.err{color:#a33;font-size:.9em;white-space:pre-wrap}
code{background:#f6f6f6;padding:0 .2em}.plots{display:flex;gap:2em;flex-wrap:wrap}
td a{word-break:break-all}td:first-child a{word-break:normal;white-space:nowrap}
td:nth-child(7),td:nth-child(8){max-width:14em}
"""


def _e(value: Any) -> str:
    return _html.escape(str(value), quote=True)


def _ec(value: Any) -> str:
    """Escaped HTML in which the text's `code spans` become ``<code>`` elements.

    >>> _ec("if `a < b` <i>")
    'if <code>a &lt; b</code> &lt;i&gt;'
    """
    parts = re.split(r"`([^`\n]*)`", str(value))
    return "".join(f"<code>{_e(part)}</code>" if i % 2 else _e(part)
                   for i, part in enumerate(parts))


def _md(value: Any) -> str:
    """Text for the Markdown summary: HTML escaped outside code spans, so a CI comment never
    runs or hides HTML from a title or a message; inside a code span Markdown shows
    ``<`` as it is, so there it stays.

    >>> _md("keep `a < b` <b>bold</b>")
    'keep `a < b` &lt;b&gt;bold&lt;/b&gt;'
    """
    parts = re.split(r"(`[^`\n]*`)", str(value))
    return "".join(part if i % 2 else _e(part) for i, part in enumerate(parts))


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def svg_layers(card: Scorecard, *, width: int = 420, height: int = 220) -> str:
    """Stacked bars: per layer, how many findings have each status."""
    layers = card.layers()
    counts = {layer: {s: sum(1 for f in card.findings if f.layer == layer and f.status == s)
                      for s in REGEN_STATUSES} for layer in LAYERS}
    top = max([layers[k]["accepted"] for k in LAYERS] + [1])
    bar_w, gap, base = 70, 50, height - 40
    parts = [f'<svg width="{width}" height="{height}" role="img" '
             'aria-label="findings by layer and status">']
    for i, layer in enumerate(LAYERS):
        x = 40 + i * (bar_w + gap)
        y = base
        for status in REGEN_STATUSES:
            n = counts[layer][status]
            if not n:
                continue
            h = (base - 20) * n / top
            y -= h
            parts.append(f'<rect x="{x}" y="{y:.1f}" width="{bar_w}" height="{h:.1f}" '
                         f'fill="{COLORS[status]}"><title>{layer}: {n} {status}</title></rect>')
        parts.append(f'<text x="{x + bar_w / 2}" y="{base + 16}" text-anchor="middle" '
                     f'font-size="13">{layer}</text>')
        parts.append(f'<text x="{x + bar_w / 2}" y="{base + 32}" text-anchor="middle" '
                     f'font-size="11" fill="#555">{_pct(layers[layer]["score"])} proven</text>')
    for j, status in enumerate(REGEN_STATUSES):
        parts.append(f'<rect x="{width - 95}" y="{10 + j * 18}" width="12" height="12" '
                     f'fill="{COLORS[status]}"/><text x="{width - 78}" y="{20 + j * 18}" '
                     f'font-size="11">{status}</text>')
    parts.append("</svg>")
    return "".join(parts)


def svg_trend(history: Sequence[dict[str, Any]], *, width: int = 420,
              height: int = 220) -> str:
    """Score (proven) and verified score over the recorded runs."""
    runs = [h for h in history if h.get("verified_score") is not None][-50:]
    parts = [f'<svg width="{width}" height="{height}" role="img" '
             f'aria-label="score over time">']
    left, right, top, bottom = 40, width - 10, 15, height - 30
    for frac in (0, 0.5, 1):
        y = bottom - (bottom - top) * frac
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y}" y2="{y}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y + 4}" font-size="11" text-anchor="end">'
                     f'{frac:.0%}</text>')
    if not runs:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" '
                     'font-size="12" fill="#777">no history yet</text></svg>')
        return "".join(parts)
    step = (right - left) / max(1, len(runs) - 1)
    for key, color in (("verified_score", COLORS["verified"]), ("score", COLORS["proven"])):
        points = [(left + i * step, bottom - (bottom - top) * float(r.get(key) or 0))
                  for i, r in enumerate(runs)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" '
                     'stroke-width="2"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>'
                  for x, y in points]
    parts.append(f'<text x="{left}" y="{height - 8}" font-size="11" fill="#555">'
                 f'{_e(runs[0].get("created", ""))[:10]} … {len(runs)} run(s): '
                 f'<tspan fill="{COLORS["proven"]}">proven</tspan>, '
                 f'<tspan fill="{COLORS["verified"]}">verified</tspan></text></svg>')
    return "".join(parts)


def _link(target: Path, out_dir: Path, label: str) -> str:
    href = os.path.relpath(target, out_dir).replace(os.sep, "/")
    return f'<a href="{_e(href)}">{_e(label)}</a>'


def _clip(text: str, lines: int = 8) -> str:
    """A failure message, cut to its first lines (the JSON keeps all of it)."""
    parts = text.splitlines()
    return "\n".join(parts[:lines] + (["…"] if len(parts) > lines else []))


#: How the report names the code a mutant changed (``MutantResult.kind``).
KIND_LABELS = {"target": "adapter/target", "settings": "project settings",
               "library": "library"}
STRENGTH_COLORS = {"strong": "#2e8b57", "weak": "#e1a100", "none": "#9e9e9e"}


def mutated_code(f: FindingResult) -> str:
    """Which code the proof changed, and how many of its behavioural and value mutants the
    checks killed: ``adapter/target: 12/13 behavioural, 2/2 value killed · project
    settings: 4/4 value killed``.

    >>> from dna_kit.regen.scorecard import MutantResult
    >>> def m(kind, operator, killed):
    ...     return MutantResult(1, "t", operator, 1, "a", "b", killed, kind=kind)
    >>> mutated_code(FindingResult(id="F-0001", title="t", layer="how", kind="k",
    ...     status="proven", mutants=[m("target", "compare", True),
    ...     m("target", "return", False), m("settings", "value", True)]))
    'adapter/target: 1/2 behavioural killed · project settings: 1/1 value killed'
    """
    counts: dict[str, dict[str, list[int]]] = {}
    for mutant in f.mutants:
        if mutant.error is not None:
            continue
        group = counts.setdefault(mutant.kind, {"behavioural": [0, 0], "value": [0, 0]})
        tally = group["value" if mutant.operator == "value" else "behavioural"]
        tally[0] += mutant.killed
        tally[1] += 1
    parts = []
    for kind, label in KIND_LABELS.items():
        if kind in counts:
            bits = [f"{k}/{n} {what}" for what, (k, n) in counts[kind].items() if n]
            parts.append(f"{label}: {', '.join(bits)} killed")
    libraries = sorted({s["library"] for s in (f.proof or {}).get("sites", [])
                        if "library" in s})
    parts += [f"{lib} (the value lives in the library's own behaviour: not mutated)"
              for lib in libraries]
    return " · ".join(parts) or "nothing mutated"


def _proof_cell(f: FindingResult) -> str:
    mutants = "—" if f.mutants_total is None else f"{f.mutants_killed}/{f.mutants_total}"
    if not f.proof:
        return mutants
    strength = f.proof["strength"]
    return (f"{mutants}<br><span class='pill' style='background:"
            f"{STRENGTH_COLORS.get(strength, '#777')}'>{_e(strength)} proof</span>"
            f"<br><span class='muted'>{_e(mutated_code(f))}</span>")


def _row(f: FindingResult, root: Path, out_dir: Path) -> str:
    finding = _link(root / f.path, out_dir, f.id) if f.path else _e(f.id)
    tests = "<br>".join(_link(root / t, out_dir, Path(t).name) for t in f.tests) or "—"
    decisions = "<br>".join(_link(root / d, out_dir, Path(d).name)
                            for d in f.decisions) or "—"
    mutants = _proof_cell(f)
    errors = "".join(f'<div class="err">{_e(_clip(e))}</div>' for e in f.errors)
    errors += "".join(
        f'<div class="err">{_e(x["test"].split("::")[-1])}: {_e(_clip(x["message"]))}</div>'
        for x in f.failures if not any(x["test"] in e for e in f.errors))
    return (f"<tr><td>{finding}</td><td>{_e(f.title)}<br><span class='muted'>"
            f"{_e(f.statement)}</span>{errors}</td><td>{_e(f.layer)}</td>"
            f"<td><span class='pill' style='background:{COLORS[f.status]}'>{_e(f.status)}"
            f"</span></td><td>{_e(f.outcome)}</td><td>{mutants}</td><td>{tests}</td>"
            f"<td>{decisions}</td></tr>")


def render_html(card: Scorecard, *, history: Sequence[dict[str, Any]] = (),
                out_dir: Path | None = None) -> str:
    """The whole report as one HTML page; links are relative to ``out_dir``."""
    root = Path(card.project or ".")
    out_dir = (out_dir or root).resolve()
    c = card.counts
    head = ("<table><tr><th>id</th><th>rule</th><th>layer</th><th>status</th>"
            "<th>tests</th><th>mutants killed</th><th>test files</th><th>decisions</th>"
            "</tr>")
    lost = card.lost()
    lost_html = (head + "".join(_row(f, root, out_dir) for f in lost) + "</table>") if lost \
        else "<p>No rule is lost: every accepted finding has a passing check or a record.</p>"
    questions = card.questions()
    q_html = "".join(f"<li><b>{_e(fid)}</b>: {_ec(q)}</li>" for fid, q in questions)
    proofs = [f for f in card.ordered() if f.proof and f.status in ("verified", "proven")]
    proof_html = "".join(
        f"<li><b>{_e(f.id)}</b> <span class='pill' style='background:"
        f"{STRENGTH_COLORS.get(f.proof['strength'], '#777')}'>{_e(f.proof['strength'])}"
        f"</span> {_e(f.title)}: {_e(mutated_code(f))}.<br><span class='muted'>"
        f"{_ec(f.proof['reason'])}</span></li>" for f in proofs if f.proof)
    layer_rows = "".join(
        f"<tr><td>{layer}</td><td>{v['accepted']}</td><td>{v['proven']}</td>"
        f"<td>{v['verified']}</td><td>{_pct(v['score'])}</td>"
        f"<td>{_pct(v['verified_score'])}</td></tr>" for layer, v in card.layers().items())
    gate = ""
    if card.min_score is not None:
        gate = (f"<p>Gate: {card.gate_on.replace('_', ' ')} ≥ {card.min_score:.0%}: "
                f"<b>{'passed' if card.passed else 'FAILED'}</b></p>")
    run_errors = "".join(f'<div class="err">{_e(e)}</div>' for e in card.errors)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Regeneration test: {_pct(card.score)} proven</title>
<style>{_CSS}</style></head><body>
<h1>Regeneration test</h1>
<p class="muted">{_e(card.project)} · {_e(card.created)}{
    " · implementation " + _e(card.impl) if card.impl else ""} ·
{"with mutation proof" if card.proved else "without proof (--prove not given)"}</p>
<div class="cards"><div><div class="score">{_pct(card.score)}</div>proven
({c['proven']}/{card.accepted})</div><div><div class="score">{_pct(card.verified_score)}
</div>verified</div><div>{" · ".join(f"{c[s]} {s}" for s in REGEN_STATUSES)}</div></div>
{gate}{run_errors}
<h2>Lost rules</h2>{lost_html}
<h2>Questions for the rules' owners</h2>
{f"<ul>{q_html}</ul>" if questions else "<p>No surviving mutant"
 + ("." if card.proved else " (run with --prove to ask).") + "</p>"}
{"<h2>Proof per finding</h2><p class='muted'>Strong: the checks fail when a site's value "
 "changes, at every site, and on a change of behaviour other than <code>return None</code>. "
 "A weak proof leaves the finding verified, not proven.</p><ul>" + proof_html + "</ul>"
 if proof_html else ""}
<h2>By layer</h2><div class="plots"><div>{svg_layers(card)}</div><div>{svg_trend(history)}
</div></div>
<table><tr><th>layer</th><th>accepted</th><th>proven</th><th>verified</th><th>score</th>
<th>verified score</th></tr>{layer_rows}</table>
<h2>Every finding</h2>{head}{"".join(_row(f, root, out_dir) for f in card.ordered())}</table>
<p class="muted">Statuses: failing (the check fails or cannot run), stale (the finding
changed since its test was generated: re-run dna codify), tacit (no artifact),
documented (decision record only), verified (the check passes), proven (it passes, and its
proof is strong: it fails when the rule's values change where they live and when its
behaviour changes). Score = proven / accepted.</p>
</body></html>
"""


def render_markdown(card: Scorecard, *, max_questions: int = 10) -> str:
    """A short summary for a CI comment: the score, lost rules, the top questions."""
    c = card.counts
    lines = [f"### Regeneration test: {_pct(card.score)} proven, "
             f"{_pct(card.verified_score)} verified",
             "",
             f"{card.accepted} accepted finding(s): "
             + ", ".join(f"{c[s]} {s}" for s in REGEN_STATUSES)
             + ("" if card.proved else " (no mutation proof: run with `--prove`)")]
    if card.min_score is not None:
        lines += ["", f"Gate: {card.gate_on.replace('_', ' ')} ≥ {card.min_score:.0%}: "
                      f"**{'passed' if card.passed else 'failed'}**"]
    lines += ["", "| layer | accepted | proven | verified | score |", "|---|---|---|---|---|"]
    lines += [f"| {k} | {v['accepted']} | {v['proven']} | {v['verified']} | "
              f"{_pct(v['score'])} |" for k, v in card.layers().items()]
    lost = card.lost()
    if lost:
        lines += ["", "**Lost rules**", ""]
        for f in lost:
            why = "; ".join(f.errors[:1] or [x["message"].splitlines()[0]
                                             for x in f.failures[:1]]) or "no artifact"
            # Titles and messages are people's and tests' text: escaped, a CI comment
            # renders them and never runs or hides HTML from them.
            lines.append(f"- `{f.id}` {_md(f.title)} ({f.layer}, {f.status}): {_md(why)}")
    proofs = [f for f in card.ordered() if f.proof and f.status in ("verified", "proven")]
    if proofs:
        lines += ["", "**Proof per finding** (the code mutated, mutants killed)", ""]
        for f in proofs:
            assert f.proof is not None
            why = "" if f.proof["strength"] == "strong" else f": {_md(f.proof['reason'])}"
            lines.append(f"- `{f.id}` {f.proof['strength']}, {mutated_code(f)}{why}")
    questions = card.questions()
    if questions:
        lines += ["", "**Questions from surviving mutants**", ""]
        lines += [f"- `{fid}`: {_md(q)}" for fid, q in questions[:max_questions]]
        if len(questions) > max_questions:
            lines.append(f"- … and {len(questions) - max_questions} more in the report")
    return "\n".join(lines) + "\n"


def write_report(card: Scorecard, *, html: str | Path | None = None,
                 markdown: str | Path | None = None, json_path: str | Path | None = None,
                 history: Sequence[dict[str, Any]] = ()) -> list[Path]:
    """Write whichever of the HTML report, Markdown summary and JSON scorecard are asked
    for (atomically); returns the paths written. A path that is a folder is a
    :class:`~dna_kit.errors.RegenError` naming it, before anything is written."""
    import json

    from dna_kit.errors import RegenError

    for path in (json_path, html, markdown):
        if path and Path(path).is_dir():
            raise RegenError(f"{path} is a folder; a report is written to a file")
    written = []
    if json_path:
        written.append(atomic_write(json_path, json.dumps(card.to_json(), indent=2,
                                                          ensure_ascii=False) + "\n"))
    if html:
        out = Path(html)
        written.append(atomic_write(out, render_html(card, history=history,
                                                     out_dir=out.resolve().parent)))
    if markdown:
        written.append(atomic_write(markdown, render_markdown(card)))
    return written


def write_html(card: Scorecard, path: str | Path, *,
               history: Sequence[dict[str, Any]] | None = None) -> Path:
    """Write the HTML report of ``card`` to ``path``; the trend comes from the project's
    history unless ``history`` is given.

    >>> write_html(regenerate("."), "report.html")      # doctest: +SKIP
    PosixPath('report.html')
    """
    if history is None:
        from dna_kit.errors import ProjectError
        from dna_kit.regen.scorecard import read_history

        try:
            history = read_history(card.project) if card.project else []
        except ProjectError:  # a scorecard read back where its project is not
            history = []
    out = Path(path)
    return atomic_write(out, render_html(card, history=history, out_dir=out.resolve().parent))
