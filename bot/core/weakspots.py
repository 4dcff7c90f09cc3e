"""The lead's weak-spot report as pure rules: accuracy by area, the weakest objectives, members' weakest topic.

Input is what the store returns for one team (right/answers per objective overall, in the last 7 days
and in the 4 weeks before; the most chosen wrong options; each member's right/answers per topic);
output is a typed :class:`WeakSpotReport` (numbers, not strings); its text tables are
:func:`bot.core.present.tables`, its chart :func:`bot.core.charts.weakspot_heatmap` of the same figures.
Nothing here reads the database or the clock.

Rules:
- an objective needs ``MIN_ANSWERS_FOR_RANKING`` answers to be ranked; fewer shows "too few";
- accuracy is smoothed, ``(right + 2) / (answers + 3)``, so a few answers do not dominate;
- the trend is the last 7 days against the 4 weeks before, in percentage points ("n/a" without both);
- a member's weakest topic is the one with the lowest smoothed accuracy among topics with enough answers
  (then the lowest topic id);
- members are listed weakest first (their weakest topic's smoothed accuracy, then more answers in it, then
  person id), the first ``MEMBERS_SHOWN`` of them: a team of thousands does not fit a chat message.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.core import charts as chartdata
from bot.core.boards import Tally
from bot.core.learning import MIN_ANSWERS_FOR_RANKING, ObjectiveStat, weakest_objectives
from bot.core.model import Syllabus
from bot.core.selection import smoothed_accuracy

__all__ = [
    "MEMBERS_SHOWN",
    "AreaFigures",
    "Counts",
    "MemberRanking",
    "MemberWeakest",
    "ObjectiveFigures",
    "WeakObjective",
    "WeakSpotReport",
    "asked_for_else_all",
    "rank_members",
    "ranked_weakest",
    "weakspot_report",
]

Counts = Mapping[str, tuple[int, int]]  # objective id -> (right, answers)
MEMBERS_SHOWN = 30  # members listed in the report, weakest first


@dataclass(frozen=True, slots=True)
class AreaFigures:
    """A topic (``subtopic`` False) or a subtopic: its answers over all time."""

    area_id: str
    title: str
    tally: Tally
    subtopic: bool


@dataclass(frozen=True, slots=True)
class ObjectiveFigures:
    """One objective of the topic asked for: its answers, smoothed accuracy and trend."""

    objective_id: str
    text: str
    tally: Tally
    smoothed: float  # (right + 2) / (answers + 3)
    enough: bool  # at least MIN_ANSWERS_FOR_RANKING answers: ranked, else "too few"
    trend: float | None  # last 7 days against the 4 weeks before, in percentage points (None without both)


@dataclass(frozen=True, slots=True)
class WeakObjective:
    """One of the weakest ranked objectives, with its most chosen wrong option (None if not known)."""

    objective_id: str
    text: str
    smoothed: float
    tally: Tally
    wrong_choice: str | None
    trend: float | None


@dataclass(frozen=True, slots=True)
class MemberWeakest:
    """A member's weakest topic among the topics where they have enough answers."""

    person: int
    name: str
    topic: str
    tally: Tally


@dataclass(frozen=True, slots=True)
class MemberRanking:
    """The members with enough answers in some topic, weakest first: ``shown`` holds (person, weakest
    topic, its tally) of the first of them, ``count`` how many there are in all."""

    shown: tuple[tuple[int, str, Tally], ...]
    count: int


@dataclass(frozen=True, slots=True)
class WeakSpotReport:
    """A team's report: the whole syllabus by area (``topic`` None) or one topic by objective, the five
    weakest objectives, how many in scope have too few answers to rank, and the weakest members' weakest
    topic (the first of ``member_count`` members with enough answers somewhere)."""

    topic: str | None
    areas: tuple[AreaFigures, ...]  # each topic, then its subtopics (empty for one topic)
    objectives: tuple[ObjectiveFigures, ...]  # the topic's objectives (empty for the whole syllabus)
    weakest: tuple[WeakObjective, ...]
    unranked: int
    members: tuple[MemberWeakest, ...]
    member_count: int

    @property
    def unlisted(self) -> int:
        """Members with enough answers who are not listed."""
        return self.member_count - len(self.members)


def asked_for_else_all(
    rows: Sequence[tuple[str, int, int]], objective_ids: Iterable[str]
) -> list[tuple[str, int, int]]:
    """The (objective, right, answers) rows of the objectives asked for, or every row when none of those has
    one: so the daily choice reads only the syllabus's objectives when they have figures, and an empty
    result still means the team answered nothing at all."""
    wanted = set(objective_ids)
    return [row for row in rows if row[0] in wanted] or list(rows)


def _sum(stats: Counts, objective_ids: Sequence[str]) -> Tally:
    return Tally(
        sum(stats.get(o, (0, 0))[0] for o in objective_ids), sum(stats.get(o, (0, 0))[1] for o in objective_ids)
    )


def weakspot_report(
    syllabus: Syllabus,
    stats: Counts,
    recent: Counts,
    before: Counts,
    *,
    topic: str | None,
    wrong_choices: Mapping[str, str],
    members: MemberRanking,
    names: Mapping[int, str],
) -> WeakSpotReport | None:
    """The report's figures, or None when the team has no answers in scope.

    ``wrong_choices``: objective id -> the text of its most chosen wrong option (weakest objectives only).
    ``members``: :func:`rank_members` of the team's (person, topic, right, answers); ``names`` those of
    its shown members.
    """
    in_scope = {o: v for o, v in stats.items() if topic is None or o.split(".")[0] == topic}
    if not in_scope:
        return None
    weakest, too_few = ranked_weakest(stats, topic)
    areas: list[AreaFigures] = []
    objectives: list[ObjectiveFigures] = []
    if topic is None:
        for t in syllabus.topics:
            areas.append(
                AreaFigures(t.id, t.title, _sum(stats, [o.id for s in t.subtopics for o in s.objectives]), False)
            )
            areas += [AreaFigures(s.id, s.title, _sum(stats, [o.id for o in s.objectives]), True) for s in t.subtopics]
    else:
        for s in syllabus.topic(topic).subtopics:
            for o in s.objectives:
                c, n = stats.get(o.id, (0, 0))
                cell = chartdata.heat_cell((c, n), MIN_ANSWERS_FOR_RANKING)
                delta = chartdata.trend_points(recent.get(o.id, (0, 0)), before.get(o.id, (0, 0)))
                objectives.append(ObjectiveFigures(o.id, o.text, Tally(c, n), cell.value, cell.enough, delta))
    texts = {o.id: o.text for o in syllabus.objectives()}
    weak = tuple(
        WeakObjective(
            w.objective_id,
            texts.get(w.objective_id, ""),
            w.smoothed,
            Tally(w.correct, w.attempts),
            wrong_choices.get(w.objective_id),
            chartdata.trend_points(recent.get(w.objective_id, (0, 0)), before.get(w.objective_id, (0, 0))),
        )
        for w in weakest
    )
    listed = tuple(MemberWeakest(pid, names.get(pid, "?"), t, tally) for pid, t, tally in members.shown)
    return WeakSpotReport(topic, tuple(areas), tuple(objectives), weak, len(too_few), listed, members.count)


def ranked_weakest(stats: Counts, topic: str | None) -> tuple[list[ObjectiveStat], list[ObjectiveStat]]:
    """The five weakest ranked objectives in scope, and those with too few answers to rank."""
    in_scope = {o: v for o, v in stats.items() if topic is None or o.split(".")[0] == topic}
    return weakest_objectives([ObjectiveStat(o, c, n) for o, (c, n) in in_scope.items()])


def rank_members(member_topics: Sequence[tuple[int, str, int, int]], shown: int = MEMBERS_SHOWN) -> MemberRanking:
    """Each member's weakest topic among topics with enough answers, the weakest ``shown`` members first.

    ``member_topics``: (person, topic, right, answers) for each member and topic."""
    weakest: dict[int, tuple[float, str, int, int]] = {}
    for pid, topic, c, n in member_topics:
        if n >= MIN_ANSWERS_FOR_RANKING:
            candidate = (smoothed_accuracy(c, n), topic, c, n)
            held = weakest.get(pid)
            if held is None or candidate[:2] < held[:2]:
                weakest[pid] = candidate
    first = heapq.nsmallest(shown, weakest.items(), key=lambda kv: (kv[1][0], -kv[1][3], kv[0]))
    return MemberRanking(tuple((pid, w[1], Tally(w[2], w[3])) for pid, w in first), len(weakest))
