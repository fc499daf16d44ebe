"""Tables and plots the notebooks show: plain functions returning frames and figures.

>>> timeline_frame(ingest("incidents/")).head()     # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dna_kit.finding import LAYERS, STATUSES
from dna_kit.project import Project

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from dna_kit.document import Document
    from dna_kit.extract import Candidate
    from dna_kit.interview import QuestionBank
    from dna_kit.ledger import Ledger

__all__ = [
    "bank_frame",
    "candidates_frame",
    "findings_map",
    "plot_score_change",
    "plot_timeline",
    "project_summary",
    "propose_candidates",
    "score_change",
    "tally",
    "timeline_frame",
]


def project_summary(project: Project) -> pd.DataFrame:
    """Where a repository keeps its DNA, and how much is there: one row per folder.

    >>> project_summary(open_project("")).columns.tolist()   # doctest: +SKIP
    ['folder', 'holds', 'files']
    """
    import pandas as pd

    rows = [
        (project.findings_dir, "findings: one Markdown file each (front matter + notes)"),
        (project.tests_dir, "generated property tests, one per codified finding"),
        (project.interviews_dir, "interview transcripts"),
        (project.adr_dir, "decision records (MADR or Nygard; adr-tools reads them)"),
        (project.config_path, "settings: decision-record format, optional model"),
    ]
    out = []
    for path, holds in rows:
        if path.is_dir():
            count = sum(1 for p in path.iterdir() if not p.name.startswith("."))
        else:
            count = int(path.is_file())
        out.append({"folder": path.relative_to(project.root).as_posix(), "holds": holds,
                    "files": count})
    return pd.DataFrame(out, columns=["folder", "holds", "files"])


def timeline_frame(documents: Iterable[Document]) -> pd.DataFrame:
    """Every timeline event of the documents, sorted by time where it parses.

    Columns: ``time`` (as written), ``at`` (parsed, or NaT), ``actor``, ``text``,
    ``source`` (file name) and ``line``.

    >>> timeline_frame(ingest("incidents/"))[["time", "actor", "text"]]  # doctest: +SKIP
    """
    import pandas as pd

    rows = [{"time": e.time, "actor": e.actor or "", "text": e.text,
             "source": Path(d.path).name, "line": e.line}
            for d in documents for e in d.events]
    frame = pd.DataFrame(rows, columns=["time", "actor", "text", "source", "line"])
    parsed = pd.to_datetime(frame["time"], errors="coerce", utc=True, format="mixed")
    frame.insert(1, "at", parsed)
    return frame.sort_values(["at", "source", "line"], na_position="last",
                             kind="stable").reset_index(drop=True)


def plot_timeline(frame: pd.DataFrame) -> Figure:
    """Events over time, one row per source, so a chat, a log and a write-up line up.

    >>> display(plot_timeline(timeline_frame(documents)))  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 3))
    known = frame.dropna(subset=["at"])
    sources = list(dict.fromkeys(known["source"]))
    for row, source in enumerate(sources):
        points = known[known["source"] == source]
        ax.scatter(points["at"], [row] * len(points), s=30)
    ax.set_yticks(range(len(sources)), sources)
    ax.set_title(f"Timeline: {len(known)} of {len(frame)} events have a full date and time")
    fig.autofmt_xdate()
    fig.tight_layout()
    plt.close(fig)  # shown by display(), not twice
    return fig


def propose_candidates(documents: Iterable[Document], *, llm: Any = None) -> list[Candidate]:
    """Candidate findings from every document (the mining library's extractor).

    >>> len(propose_candidates(ingest("incidents/")))  # doctest: +SKIP
    17
    """
    from dna_kit.extract import extract_findings

    out: list[Candidate] = []
    for document in documents:
        out.extend(extract_findings(document, llm=llm))
    return out


def candidates_frame(candidates: Sequence[Candidate]) -> pd.DataFrame:
    """One row per candidate: where it is, what it says, the extractor's guesses.

    >>> candidates_frame(candidates).sort_values("confidence")  # doctest: +SKIP
    """
    import pandas as pd

    rows = [{"source": f"{Path(c.source.path).name}:{c.source.line_start}",
             "question": c.question or "", "layer": c.layer, "kind": c.kind,
             "title": c.title, "params": ", ".join(f"{k}={v}" for k, v in c.params.items()),
             "confidence": round(float(c.confidence), 2), "quote": c.quote}
            for c in candidates]
    return pd.DataFrame(rows, columns=["source", "question", "layer", "kind", "title",
                                       "params", "confidence", "quote"])


def bank_frame(bank: QuestionBank) -> pd.DataFrame:
    """The question bank as a table: method, phase, id, question, what it draws out.

    >>> bank_frame(load_question_bank()).groupby("method").size()  # doctest: +SKIP
    """
    import pandas as pd

    return pd.DataFrame([{"method": bank.methods[q.method]["name"],
                          "phase": bank.phases.get(q.phase, q.phase), "id": q.id,
                          "question": q.text, "elicits": q.elicits}
                         for q in bank.questions])


def tally(ledger: Ledger) -> pd.DataFrame:
    """Findings by layer (rows) and status (columns), with totals: the live count.

    >>> tally(load_ledger(".")).loc["total", "codified"]  # doctest: +SKIP
    7
    """
    import pandas as pd

    frame = ledger.to_dataframe()
    table = pd.crosstab(pd.Categorical(frame["layer"], categories=list(LAYERS)),
                        pd.Categorical(frame["status"], categories=list(STATUSES)),
                        rownames=["layer"], colnames=["status"], margins=True,
                        margins_name="total", dropna=False)
    return table


def findings_map(ledger: Ledger) -> Figure:
    """A map of the ledger: how many findings each area holds, by layer.

    >>> display(findings_map(load_ledger(".")))  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    frame = ledger.to_dataframe()
    frame["area"] = frame["area"].fillna("(no area)")
    fig, ax = plt.subplots(figsize=(8, 3.5))
    if frame.empty:
        ax.text(0.5, 0.5, "no findings yet", ha="center", va="center")
        ax.set_axis_off()
    else:
        counts = frame.groupby(["area", "layer"]).size().unstack(fill_value=0)
        counts = counts.reindex(columns=[c for c in LAYERS if c in counts.columns])
        counts.plot.barh(stacked=True, ax=ax)
        ax.set_xlabel("findings")
        ax.set_title(f"{len(frame)} findings by area and layer")
    fig.tight_layout()
    plt.close(fig)
    return fig


def score_change(before: Any, after: Any) -> pd.DataFrame:
    """Per layer and overall: the proven and verified shares before and after a session
    (two :class:`~dna_kit.regen.Scorecard` objects), and the difference.

    >>> score_change(before, after).loc["overall", "proven change"]  # doctest: +SKIP
    0.11
    """
    import pandas as pd

    def shares(card: Any) -> dict[str, tuple[float, float]]:
        out = {layer: (v["score"] or 0.0, v["verified_score"] or 0.0)
               for layer, v in card.layers().items()}
        out["overall"] = (card.score or 0.0, card.verified_score or 0.0)
        return out

    b, a = shares(before), shares(after)
    rows = [{"layer": k, "proven before": b[k][0], "proven after": a[k][0],
             "proven change": a[k][0] - b[k][0], "verified before": b[k][1],
             "verified after": a[k][1], "verified change": a[k][1] - b[k][1],
             "accepted before": (before.accepted if k == "overall"
                                 else before.layers()[k]["accepted"]),
             "accepted after": (after.accepted if k == "overall"
                                else after.layers()[k]["accepted"])}
            for k in [*LAYERS, "overall"]]
    return pd.DataFrame(rows).set_index("layer")


def plot_score_change(before: Any, after: Any) -> Figure:
    """Before and after bars per layer (proven and verified shares), the change labelled.

    >>> display(plot_score_change(before, after))  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    frame = score_change(before, after)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.2), sharey=True)
    for ax, what in zip(axes, ("proven", "verified"), strict=True):
        frame[[f"{what} before", f"{what} after"]].plot.bar(ax=ax, rot=0)
        for i, change in enumerate(frame[f"{what} change"]):
            top = max(frame[f"{what} before"].iloc[i], frame[f"{what} after"].iloc[i])
            ax.annotate(f"{change:+.0%}", (i, top), ha="center", va="bottom", fontsize=9)
        ax.set_ylim(0, 1.15)
        ax.set_title(f"{what} share of accepted findings")
        ax.set_xlabel("")
    fig.tight_layout()
    plt.close(fig)
    return fig
