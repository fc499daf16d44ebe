"""The codify panel: pick a finding, take the suggested template, bind a target, see the
generated test, run it live, save it; or write its decision record.

The panel holds no rules of its own: it reads its widgets and calls the library, the same
functions ``dna codify`` calls: :func:`~dna_kit.codify.suggest_template`,
:func:`~dna_kit.codify.preview_test`, :func:`~dna_kit.regen.runner.run_test_source` (the one
pytest runner), :func:`~dna_kit.codify.codify` and :func:`~dna_kit.codify.write_adr`.

>>> panel = CodifyPanel(project)                                  # doctest: +SKIP
>>> panel.finding.value = "F-0001"; panel.run_button.click()      # doctest: +SKIP
>>> panel.result.passed                                           # doctest: +SKIP
True
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from dna_kit.codify import (
    DECISION_RECORD,
    Artifact,
    build_template_registry,
    codify,
    preview_test,
    render_adr,
    suggest_template,
    write_adr,
)
from dna_kit.codify.adr import default_record_format
from dna_kit.errors import DnaKitError
from dna_kit.ledger import find_entry, load_ledger
from dna_kit.notebook._panel import Panel
from dna_kit.notebook.review_panel import params_text, parse_params_text
from dna_kit.project import Project
from dna_kit.regen.runner import SourceRun, run_test_source

__all__ = ["DECISION_RECORD", "CodifyPanel", "suggest_template"]


class CodifyPanel(Panel):
    """Finding → template → target → generated test → run → save (or a decision record).

    ``result`` holds the last thing done: the preview source (str), a
    :class:`~dna_kit.regen.runner.SourceRun`, an :class:`~dna_kit.codify.Artifact`, or the
    path of a decision record.
    """

    def __init__(self, project: Project, *, statuses: tuple[str, ...] = ("accepted",
                                                                          "codified")) -> None:
        import ipywidgets as w

        self.project = project
        self.result: Any = None
        self.error: str | None = None
        self.registry = build_template_registry()
        findings = load_ledger(project).filter(status=statuses)
        options = [(f"{f.id} · {f.status} · {f.title}", f.id) for f in findings]
        self.finding = w.Dropdown(options=options, description="Finding",
                                  layout=w.Layout(width="100%"))
        self.about = w.HTML()
        self.template = w.Dropdown(options=[*self.registry.names(), DECISION_RECORD],
                                   description="Template")
        self.rule = w.HTML()
        self.target = w.Text(description="Target", placeholder="package.module:callable",
                             layout=w.Layout(width="60%"))
        self.params = w.Textarea(description="Params", rows=3, layout=w.Layout(width="60%"))
        self.domain = w.Text(description="Domain", placeholder="int:0..1000 (if needed)")
        # New records follow the repository's convention (Nygard where adr-tools started it).
        fmt = default_record_format(project)
        self.fmt = w.Dropdown(options=list(dict.fromkeys(["madr", "nygard", fmt])), value=fmt,
                              description="Record")
        self.preview_button = w.Button(description="Show test", icon="eye")
        self.run_button = w.Button(description="Run it", icon="play", button_style="info")
        self.save_button = w.Button(description="Save test", icon="save",
                                    button_style="success")
        self.adr_button = w.Button(description="Write decision record", icon="file",
                                   layout=w.Layout(width="auto"))
        self.code = w.HTML()
        self.status = w.HTML()
        self.preview_button.on_click(lambda _: self.preview())
        self.run_button.on_click(lambda _: self.run())
        self.save_button.on_click(lambda _: self.save())
        self.adr_button.on_click(lambda _: self.write_record())
        self.finding.observe(lambda _: self._load(), names="value")
        self.template.observe(lambda _: self._describe(), names="value")
        self.widget = w.VBox([
            self.finding, self.about, w.HBox([self.template, self.fmt]), self.rule,
            self.target, self.params, self.domain,
            w.HBox([self.preview_button, self.run_button, self.save_button,
                    self.adr_button]),
            self.status, self.code])
        self.widget.add_class("dna-codify")
        for widget, name in ((self.preview_button, "preview"), (self.run_button, "run"),
                             (self.save_button, "save"), (self.adr_button, "record"),
                             (self.params, "params"), (self.status, "status"),
                             (self.target, "target")):
            widget.add_class(f"dna-codify-{name}")
        self._load()

    # -- what is shown ------------------------------------------------------------------

    def _load(self) -> None:
        if not self.finding.value:
            self.about.value = "<i>No accepted finding yet: accept some in notebook 2 or 3.</i>"
            return
        finding = find_entry(self.project, self.finding.value).finding
        self.about.value = (f"<b>{html.escape(finding.statement)}</b><br>"
                            f"<small>{finding.layer} · {finding.kind}"
                            + (f" · why: {html.escape(finding.rationale)}"
                               if finding.rationale else "") + "</small>")
        self.template.value = suggest_template(finding)
        binding = finding.binding
        self.target.value = binding.target if binding else ""
        self.domain.value = (binding.domain or "") if binding else ""
        self.params.value = params_text(binding.params if binding and binding.params
                                        else finding.params)
        self.code.value = ""
        self._describe()

    def _describe(self) -> None:
        if self.template.value == DECISION_RECORD:
            self.rule.value = ("<small>A reason, agreement or heuristic: write a decision "
                               "record (MADR or Nygard) that says why.</small>")
            return
        spec = self.registry.get(self.template.value)
        self.rule.value = (f"<small><b>rule</b>: {html.escape(spec.rule)}<br>"
                           f"<b>target</b>: <code>{html.escape(spec.call_shape)}</code>"
                           "</small>")

    def _fail(self, exc: Exception) -> None:
        self.error = str(exc)
        self.status.value = f'<span style="color:#b00">{html.escape(str(exc))}</span>'

    def _show_code(self, source: str) -> None:
        self.code.value = (f'<pre class="dna-code" style="max-height: 24em; overflow: auto;">'
                           f"{html.escape(source)}</pre>")

    # -- actions ------------------------------------------------------------------------

    def _options(self) -> dict[str, Any]:
        return {"template": self.template.value, "target": self.target.value.strip(),
                "params": parse_params_text(self.params.value),
                "domain": self.domain.value.strip() or None}

    def preview(self) -> str | None:
        if self.template.value == DECISION_RECORD:
            return self._preview_record()
        try:
            source = preview_test(self.project, self.finding.value, **self._options())
        except DnaKitError as exc:
            self._fail(exc)
            return None
        self.error, self.result = None, source
        self._show_code(source)
        self.status.value = "Generated; nothing is written until you save."
        return source

    def _preview_record(self) -> str | None:
        try:
            text = render_adr(find_entry(self.project, self.finding.value).finding,
                              self.fmt.value)
        except DnaKitError as exc:
            self._fail(exc)
            return None
        self.error, self.result = None, text
        self._show_code(text)
        self.status.value = ("The decision record as it would be written (its number is "
                             "taken when you write it).")
        return text

    def run(self) -> SourceRun | None:
        if self.template.value == DECISION_RECORD:
            self.result = None
            self.status.value = "A decision record is read, not run: write it, then review it."
            return None
        source = self.preview()
        if source is None:
            return None
        self.status.value = "Running…"
        run = run_test_source(self.project, source)
        self.result = run
        if run.passed:
            self.status.value = '<b style="color:#080">passed</b> on the current code.'
        else:
            shown = run.failing_example or run.output[-3000:]
            self.status.value = ('<b style="color:#b00">failed</b>: '
                                 + ("hypothesis found " if run.failing_example else "")
                                 + f"<pre>{html.escape(shown)}</pre>")
        return run

    def save(self) -> Artifact | Path | None:
        if self.template.value == DECISION_RECORD:
            return self.write_record()
        try:
            artifact = codify(self.project, self.finding.value, **self._options())
        except DnaKitError as exc:
            self._fail(exc)
            return None
        self.error, self.result = None, artifact
        where = artifact.path.relative_to(self.project.root)
        self.status.value = (f"{'Wrote' if artifact.written else 'Unchanged:'} "
                             f"<code>{html.escape(str(where))}</code>; "
                             f"{artifact.finding.id} is {artifact.finding.status}.")
        self._show_code(artifact.path.read_text(encoding="utf-8"))
        return artifact

    def write_record(self) -> Path | None:
        try:
            path = write_adr(self.project, self.finding.value, fmt=self.fmt.value)
        except DnaKitError as exc:
            self._fail(exc)
            return None
        self.error, self.result = None, path
        self.status.value = (f"Decision record <code>"
                             f"{html.escape(str(path.relative_to(self.project.root)))}</code>")
        self._show_code(path.read_text(encoding="utf-8"))
        return path
