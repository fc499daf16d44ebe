"""What notebook 05 shows: matplotlib plots of a scorecard and of the score's history.

>>> fig = plot_scorecard(regenerate("."))       # doctest: +SKIP
>>> fig = plot_trend(read_history(Path("dna")))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dna_kit.finding import LAYERS
from dna_kit.regen.report import COLORS
from dna_kit.regen.scorecard import REGEN_STATUSES, Scorecard

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["plot_scorecard", "plot_trend", "report_frame"]


def plot_scorecard(card: Scorecard) -> Figure:
    """Findings per layer, stacked by status, with each layer's proven score on top."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.6))
    ax = fig.subplots()
    layers = card.layers()
    bottoms = [0] * len(LAYERS)
    for status in REGEN_STATUSES:
        heights = [sum(1 for f in card.findings if f.layer == layer and f.status == status)
                   for layer in LAYERS]
        ax.bar(LAYERS, heights, bottom=bottoms, color=COLORS[status], label=status)
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    for i, layer in enumerate(LAYERS):
        score = layers[layer]["score"]
        ax.annotate("n/a" if score is None else f"{score:.0%} proven", (i, bottoms[i]),
                    ha="center", va="bottom", fontsize=9)
    ax.set_ylabel("accepted findings")
    ax.set_ylim(0, max([*bottoms, 1]) * 1.25)
    title = "n/a" if card.score is None else f"{card.score:.0%}"
    ax.set_title(f"Regeneration score {title} proven" + ("" if card.proved
                                                          else " (no proof run)"))
    ax.legend(loc="upper left", fontsize=8, ncols=len(REGEN_STATUSES), frameon=False)
    fig.tight_layout()
    return fig


def plot_trend(history: Sequence[dict[str, Any]]) -> Figure:
    """The proven and verified scores of every recorded run, oldest first."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3))
    ax = fig.subplots()
    runs = [h for h in history if h.get("verified_score") is not None]
    xs = list(range(1, len(runs) + 1))
    ax.plot(xs, [float(r.get("score") or 0) for r in runs], marker="o",
            color=COLORS["proven"], label="proven")
    ax.plot(xs, [float(r["verified_score"]) for r in runs], marker="o",
            color=COLORS["verified"], label="verified")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("run")
    ax.set_ylabel("share of accepted findings")
    ax.set_title(f"Score over {len(runs)} run(s)" if runs else "No history yet")
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def report_frame(card: Scorecard, history: Sequence[dict[str, Any]] = (), *,
                 height: int = 640) -> Any:
    """The HTML report inside an iframe, for a notebook: its styles stay in the frame
    instead of restyling the notebook around it."""
    import html

    from IPython.display import HTML

    from dna_kit.regen.report import render_html

    page = render_html(card, history=history)
    # Wrapped in a div: IPython warns about HTML that starts with a bare iframe.
    return HTML(f'<div><iframe srcdoc="{html.escape(page, quote=True)}" '
                f'style="width:100%;height:{int(height)}px;border:1px solid #ddd"></iframe>'
                "</div>")
