"""What the charts show, as plain data: the weekly board, the weak-spot heatmap, personal progress.

Built by the service from the same figures as the text tables, drawn by :mod:`bot.charts`
(matplotlib), and tested here without drawing. No platform, no plotting library.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BoardChart", "ChartImage", "HeatCell", "HeatmapChart", "ProgressChart"]


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
        ranked = sorted(((c.value, f"{self.rows[i]} / {self.columns[j]}") for i, row in enumerate(self.cells)
                         for j, c in enumerate(row) if c is not None and c.enough), key=lambda x: x[0])
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
