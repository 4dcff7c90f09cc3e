"""What the charts show, as plain data: the weekly board, the weak-spot heatmap, personal progress.

Built by the service from the same figures as the text tables, drawn by :mod:`bot.charts`
(matplotlib), and tested here without drawing. No platform, no plotting library.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.core.model import Syllabus
from bot.core.selection import smoothed_accuracy

__all__ = [
    "BoardChart",
    "ChartImage",
    "HeatCell",
    "HeatmapChart",
    "ProgressChart",
    "heat_cell",
    "progress",
    "trend_points",
    "weakspot_heatmap",
    "weekly_board",
]


@dataclass(frozen=True, slots=True)
class ChartImage:
    """A rendered chart: PNG bytes, the text a screen reader (or an image-less client) gets, a file name."""

    png: bytes
    alt: str
    filename: str


@dataclass(frozen=True, slots=True)
class BoardChart:
    """The week: each member's points split by topic (top members), and each team's accuracy per topic."""

    title: str
    topics: tuple[str, ...]  # topic ids, e.g. ("1", ..., "5")
    members: tuple[tuple[str, tuple[int, ...]], ...]  # (name, points per topic), best first
    teams: tuple[tuple[str, tuple[float | None, ...]], ...]  # (team, accuracy 0-1 per topic or None), this team first

    def alt(self) -> str:
        if not self.members:
            return f"{self.title}: no answers."
        top = ", ".join(f"{name} {sum(points)}" for name, points in self.members[:5])
        return f"{self.title}. Points by member: {top}."


@dataclass(frozen=True, slots=True)
class HeatCell:
    value: float  # smoothed accuracy 0-1
    answers: int
    enough: bool  # at least the minimum number of answers to be read as a weak spot


@dataclass(frozen=True, slots=True)
class HeatmapChart:
    """Smoothed accuracy in a grid (topics x subtopics, or one topic's subtopics x objectives), with the
    answer count per cell and each row's trend (last 7 days vs the 4 weeks before, in points)."""

    title: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[HeatCell | None, ...], ...]  # None: no such cell (e.g. a subtopic with fewer objectives)
    trends: tuple[float | None, ...]  # per row

    def alt(self) -> str:
        ranked = sorted(
            (
                (c.value, f"{self.rows[i]} / {self.columns[j]}")
                for i, row in enumerate(self.cells)
                for j, c in enumerate(row)
                if c is not None and c.enough
            ),
            key=lambda x: x[0],
        )
        if not ranked:
            return f"{self.title}: not enough answers yet."
        weakest = ", ".join(f"{label} {100 * v:.0f}%" for v, label in ranked[:3])
        return f"{self.title}. Weakest: {weakest}."


@dataclass(frozen=True, slots=True)
class ProgressChart:
    """A person's accuracy per topic over the last weeks, and readiness per topic against its exam weight."""

    title: str
    weeks: tuple[str, ...]  # week labels, oldest first ("11-09")
    accuracy: tuple[tuple[str, tuple[float | None, ...]], ...]  # (topic, accuracy per week or None)
    readiness: tuple[tuple[str, float, float], ...]  # (topic, readiness 0-1, exam weight 0-1)

    def alt(self) -> str:
        ready = ", ".join(f"topic {t} {100 * r:.0f}%" for t, r, _w in self.readiness)
        return f"{self.title}. Readiness: {ready}."


# -- building the chart data (pure: counts in, chart out) ----------------------------------------------
Counts = tuple[int, int]  # (right, answered)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def heat_cell(counts: Counts, min_answers: int) -> HeatCell:
    """A cell's smoothed accuracy, its answer count, and whether it has enough answers to be read."""
    right, answered = counts
    return HeatCell(smoothed_accuracy(right, answered), answered, answered >= min_answers)


def trend_points(recent: Counts, before: Counts) -> float | None:
    """Accuracy of the last 7 days minus the 4 weeks before, in percentage points (None without both)."""
    (rc, rn), (bc, bn) = recent, before
    if not rn or not bn:
        return None
    return 100.0 * (rc / rn - bc / bn)


def _sum(stats: Mapping[str, Counts], objective_ids: Sequence[str]) -> Counts:
    right = sum(stats.get(o, (0, 0))[0] for o in objective_ids)
    answered = sum(stats.get(o, (0, 0))[1] for o in objective_ids)
    return right, answered


def weakspot_heatmap(
    title: str,
    syllabus: Syllabus,
    stats: Mapping[str, Counts],
    recent: Mapping[str, Counts],
    before: Mapping[str, Counts],
    *,
    min_answers: int,
    topic: str | None = None,
) -> HeatmapChart:
    """Topics x (whole topic, each subtopic); or, for one ``topic``, its subtopics x (whole, each objective).

    ``stats``/``recent``/``before`` map an objective id to (right, answered) over all time, the last 7
    days, and the 4 weeks before those; each row's trend compares the last two.
    """
    groups: list[tuple[str, list[list[str]]]] = []  # (row label, objective ids per column after the first)
    if topic is None:
        for t in syllabus.topics:
            groups.append((f"{t.id} {_short(t.title, 26)}", [[o.id for o in s.objectives] for s in t.subtopics]))
        width = max(len(t.subtopics) for t in syllabus.topics)
        columns = ("Topic", *(f"Subtopic {k + 1}" for k in range(width)))
    else:
        for s in syllabus.topic(topic).subtopics:
            groups.append((f"{s.id} {_short(s.title, 24)}", [[o.id] for o in s.objectives]))
        width = max(len(cols) for _label, cols in groups)
        columns = ("Subtopic", *(f"Obj. {k + 1}" for k in range(width)))
    rows, cells, trends = [], [], []
    for label, cols in groups:
        everything = [o for col in cols for o in col]
        row: list[HeatCell | None] = [heat_cell(_sum(stats, everything), min_answers)]
        row += [heat_cell(_sum(stats, col), min_answers) for col in cols]
        row += [None] * (width - len(cols))
        rows.append(label)
        cells.append(tuple(row))
        trends.append(trend_points(_sum(recent, everything), _sum(before, everything)))
    return HeatmapChart(title, tuple(rows), columns, tuple(cells), tuple(trends))


def weekly_board(
    title: str,
    topics: Sequence[str],
    members: Sequence[tuple[str, Mapping[str, int]]],
    teams: Sequence[tuple[str, Mapping[str, Counts]]],
    *,
    top: int = 12,
) -> BoardChart:
    """``members``: (name, points per topic), best first; ``teams``: (team, (right, answered) per topic),
    this team first. Only the ``top`` members are drawn (the text table lists everyone)."""
    return BoardChart(
        title,
        tuple(topics),
        tuple((name, tuple(points.get(t, 0) for t in topics)) for name, points in members[:top]),
        tuple(
            (team, tuple((c / n if n else None) for c, n in (per.get(t, (0, 0)) for t in topics)))
            for team, per in teams
        ),
    )


def progress(
    title: str,
    mondays: Sequence[dt.date],
    answers: Iterable[tuple[str, dt.date, bool]],
    readiness: Mapping[str, float],
    weights: Mapping[str, float],
    topics: Sequence[str],
) -> ProgressChart:
    """``answers``: (topic, local day, right?); accuracy per topic in each week starting on ``mondays``
    (oldest first; None for a week without answers), and readiness per topic beside its exam weight."""
    tally: dict[tuple[str, int], list[int]] = {}
    for topic, day, ok in answers:
        for k, monday in enumerate(mondays):
            if monday <= day < monday + dt.timedelta(days=7):
                cell = tally.setdefault((topic, k), [0, 0])
                cell[0] += int(ok)
                cell[1] += 1
                break
    accuracy = tuple(
        (t, tuple((tally[(t, k)][0] / tally[(t, k)][1]) if (t, k) in tally else None for k in range(len(mondays))))
        for t in topics
    )
    return ProgressChart(
        title,
        tuple(f"{m:%m-%d}" for m in mondays),
        accuracy,
        tuple((t, readiness.get(t, 0.0), weights.get(t, 0.0)) for t in topics),
    )
