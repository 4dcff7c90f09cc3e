"""Draw the charts of :mod:`bot.core.charts` as PNG with matplotlib (Agg, no display).

Sized for a chat preview (1000 x 560 px), colour scales that read in greyscale and for colour-blind
people (cividis for accuracy, viridis-sampled bars), and every number also in the text reply. Drawing
takes tens of milliseconds: callers run it in a worker thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import functools
import io
import threading
import warnings
from typing import Any

from bot.core.charts import BoardChart, ChartImage, HeatmapChart, ProgressChart

__all__ = ["MatplotlibCharts", "render_board", "render_heatmap", "render_progress"]

_LOCK = threading.Lock()  # pyplot's state is global: one drawing at a time
SIZE = (10.0, 5.6)
DPI = 100


# Member and team names may be in any script: fonts for CJK and emoji are used when installed, and a
# name whose glyphs no installed font has is drawn with boxes instead of printing a warning per glyph
# into the log (the text reply beside the chart always has the names right).
FALLBACK_FONTS = ("DejaVu Sans", "Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans", "Noto Color Emoji", "Noto Emoji")
_MISSING_GLYPH = r"Glyph \d+ .*missing from (current )?font"


@functools.cache
def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    have = {f.name for f in font_manager.fontManager.ttflist}
    plt.rcParams["font.family"] = [f for f in FALLBACK_FONTS if f in have] or ["DejaVu Sans"]
    return plt


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    _plt().close(fig)
    return buf.getvalue()


def _finish(fig: Any, chart: BoardChart | HeatmapChart | ProgressChart, filename: str) -> ChartImage:
    """Title, layout and PNG: the common last step of every chart."""
    fig.suptitle(chart.title, fontsize=11)
    with warnings.catch_warnings():  # drawing happens here; callers hold _LOCK, so no other chart interleaves
        warnings.filterwarnings("ignore", message=_MISSING_GLYPH, category=UserWarning)
        fig.tight_layout()
        png = _png(fig)
    return ChartImage(png, chart.alt(), filename)


def render_board(chart: BoardChart, filename: str = "weekly-board.png") -> ChartImage:
    with _LOCK:
        plt = _plt()
        fig, (left, right) = plt.subplots(1, 2, figsize=SIZE, gridspec_kw={"width_ratios": [3, 2]})
        colours = plt.get_cmap("viridis")([i / max(1, len(chart.topics) - 1) * 0.9 for i in range(len(chart.topics))])
        names = [n for n, _p in chart.members][:12][::-1]
        points = [p for _n, p in chart.members][:12][::-1]
        base = [0] * len(names)
        for ti, topic in enumerate(chart.topics):
            values = [p[ti] for p in points]
            left.barh(names, values, left=base, color=colours[ti], label=f"Topic {topic}", edgecolor="white")
            base = [b + v for b, v in zip(base, values, strict=True)]
        from matplotlib.ticker import MaxNLocator

        left.xaxis.set_major_locator(MaxNLocator(integer=True))
        left.set_xlabel("points this week")
        left.set_title("Members by points")
        if names:
            left.legend(loc="lower right", fontsize=8)
        else:
            left.text(0.5, 0.5, "no answers yet", ha="center", va="center", transform=left.transAxes)
        width = 0.8 / max(1, len(chart.teams))
        for k, (team, acc) in enumerate(chart.teams[:6]):
            xs = [i + k * width for i in range(len(chart.topics))]
            ys = [100 * a if a is not None else 0 for a in acc]
            shade = plt.get_cmap("cividis")(0.85 - 0.6 * k / max(1, len(chart.teams) - 1))
            bars = right.bar(xs, ys, width=width, color=shade, label=team, edgecolor="black" if k == 0 else "white")
            right.bar_label(
                bars,
                labels=[f"{y:.0f}%" if a is not None else "–" for y, a in zip(ys, acc, strict=True)],
                fontsize=7,
                padding=2,
            )
        right.set_xticks([i + 0.4 - width / 2 for i in range(len(chart.topics))], [f"T{t}" for t in chart.topics])
        right.set_ylim(0, 100)
        right.set_ylabel("accuracy %")
        right.set_title("Teams by topic")
        if chart.teams:
            right.legend(fontsize=8)
        return _finish(fig, chart, filename)


def render_heatmap(chart: HeatmapChart, filename: str = "weak-spots.png") -> ChartImage:
    with _LOCK:
        plt = _plt()
        fig, (grid, trend) = plt.subplots(1, 2, figsize=SIZE, gridspec_kw={"width_ratios": [4, 1]}, sharey=True)
        from matplotlib.patches import Rectangle

        values = [[c.value if c is not None and c.enough else float("nan") for c in row] for row in chart.cells]
        cmap = plt.get_cmap("cividis").with_extremes(bad="white")  # no such cell; "too few" is hatched below
        image = grid.imshow(values, cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto")
        for i, row in enumerate(chart.cells):
            for j, c in enumerate(row):
                if c is None:
                    continue
                if not c.enough:
                    grid.add_patch(
                        Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="#e0e0e0", edgecolor="white", hatch="//")
                    )
                label = f"{100 * c.value:.0f}%\n{c.answers} ans." if c.enough else f"too few\n{c.answers} ans."
                dark = c.enough and c.value < 0.55
                grid.text(j, i, label, ha="center", va="center", fontsize=8, color="white" if dark else "black")
        grid.set_xticks(range(len(chart.columns)), chart.columns, fontsize=8)
        grid.set_yticks(range(len(chart.rows)), chart.rows, fontsize=8)
        grid.set_title("Smoothed accuracy (hatched grey: too few answers to read)", fontsize=10)
        fig.colorbar(image, ax=grid, fraction=0.04, label="accuracy")
        deltas = [t if t is not None else 0.0 for t in chart.trends]
        # purple up, orange down (PuOr: distinct for colour-blind readers and in greyscale)
        trend.barh(
            range(len(chart.rows)),
            deltas,
            color=["#5e3c99" if d >= 0 else "#e66101" for d in deltas],
            edgecolor="black",
        )
        for i, t in enumerate(chart.trends):
            d = 0.0 if t is None else t
            trend.text(
                d + (2 if d >= 0 else -2),
                i,
                "n/a" if t is None else f"{t:+.0f}",
                fontsize=8,
                ha="left" if d >= 0 else "right",
                va="center",
            )
        trend.axvline(0, color="black", linewidth=0.8)
        reach = max([abs(d) for d in deltas] + [10.0]) * 1.3
        trend.set_xlim(-reach, reach)
        trend.set_xlabel("last 7 days vs 4 weeks before", fontsize=7)
        trend.set_title("Trend (pts)")
        return _finish(fig, chart, filename)


def render_progress(chart: ProgressChart, filename: str = "progress.png") -> ChartImage:
    with _LOCK:
        plt = _plt()
        fig, (lines, bars) = plt.subplots(1, 2, figsize=SIZE, gridspec_kw={"width_ratios": [3, 2]})
        cmap = plt.get_cmap("viridis")
        markers = "osD^v"
        for k, (topic, series) in enumerate(chart.accuracy):
            xs = [i for i, v in enumerate(series) if v is not None]
            ys = [100 * v for v in series if v is not None]
            lines.plot(
                xs,
                ys,
                marker=markers[k % len(markers)],
                color=cmap(k / max(1, len(chart.accuracy) - 1) * 0.9),
                label=f"Topic {topic}",
            )
        lines.set_xticks(range(len(chart.weeks)), chart.weeks, fontsize=8)
        lines.set_ylim(-3, 105)
        lines.set_ylabel("accuracy % (week from Monday)")
        lines.set_title("Accuracy per topic")
        lines.legend(fontsize=8, loc="lower left", ncols=3)
        labels = [f"T{t}\n({100 * w:.0f}%)" for t, _r, w in chart.readiness]
        ready = [100 * r for _t, r, _w in chart.readiness]
        bars_drawn = bars.bar(
            labels, ready, color=[cmap(0.15 + 0.7 * r) for _t, r, _w in chart.readiness], edgecolor="black"
        )
        bars.bar_label(bars_drawn, labels=[f"{r:.0f}%" for r in ready], fontsize=8, padding=2)
        bars.axhline(25, color="grey", linestyle=":", linewidth=1)
        bars.text(-0.45, 26, "guessing: 25%", ha="left", va="bottom", fontsize=7, color="grey")
        bars.set_xlabel("topic (its share of the exam)", fontsize=8)
        bars.set_ylim(0, 100)
        bars.tick_params(axis="x", labelsize=8)
        bars.set_title("Readiness in 7 days")
        return _finish(fig, chart, filename)


class MatplotlibCharts:
    """The chart renderer the service is given (``bot.core.ports.ChartRenderer``)."""

    def board(self, chart: BoardChart) -> ChartImage:
        return render_board(chart)

    def heatmap(self, chart: HeatmapChart) -> ChartImage:
        return render_heatmap(chart)

    def progress(self, chart: ProgressChart) -> ChartImage:
        return render_progress(chart)
