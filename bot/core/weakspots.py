"""The lead's weak-spot report as pure rules: accuracy by area, the weakest objectives, members' weakest topic.

Input is what the store returns for one team (right/answers per objective overall, in the last 7 days
and in the 4 weeks before; the most chosen wrong options; each member's right/answers per topic);
output is the report's text tables. The chart of the same figures is
:func:`bot.core.charts.weakspot_heatmap`. Nothing here reads the database or the clock.

Rules:
- an objective needs ``MIN_ANSWERS_FOR_RANKING`` answers to be ranked; fewer shows "too few";
- accuracy is smoothed, ``(right + 2) / (answers + 3)``, so a few answers do not dominate;
- the trend is the last 7 days against the 4 weeks before, in percentage points ("n/a" without both);
- a member's weakest topic is the one with the lowest smoothed accuracy among topics with enough answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.core import charts as chartdata
from bot.core.boards import Tally, pct
from bot.core.learning import MIN_ANSWERS_FOR_RANKING, ObjectiveStat, weakest_objectives
from bot.core.messages import Table
from bot.core.model import Syllabus
from bot.core.render import shorten
from bot.core.selection import smoothed_accuracy

__all__ = ["Counts", "weakspot_tables"]

Counts = Mapping[str, tuple[int, int]]  # objective id -> (right, answers)


def _sum(stats: Counts, objective_ids: Sequence[str]) -> tuple[int, int]:
    return (sum(stats.get(o, (0, 0))[0] for o in objective_ids), sum(stats.get(o, (0, 0))[1] for o in objective_ids))


def weakspot_tables(
    syllabus: Syllabus,
    stats: Counts,
    recent: Counts,
    before: Counts,
    *,
    topic: str | None,
    wrong_choices: Mapping[str, str],
    member_topics: Sequence[tuple[int, str, int, int]],
    names: Mapping[int, str],
) -> tuple[Table, ...] | None:
    """The report's three tables, or None when the team has no answers in scope.

    ``wrong_choices``: objective id -> the text of its most chosen wrong option (weakest objectives only).
    ``member_topics``: (person, topic, right, answers) for each member and topic.
    """
    in_scope = {o: v for o, v in stats.items() if topic is None or o.split(".")[0] == topic}
    if not in_scope:
        return None
    weakest, too_few = ranked_weakest(stats, topic)
    if topic is None:
        area_rows = []
        for t in syllabus.topics:
            tc, tn = _sum(stats, [o.id for s in t.subtopics for o in s.objectives])
            area_rows.append((f"{t.id} {shorten(t.title, 70)}", pct(Tally(tc, tn)), str(tn)))
            for s in t.subtopics:
                sc, sn = _sum(stats, [o.id for o in s.objectives])
                area_rows.append((f"  {s.id} {shorten(s.title, 68)}", pct(Tally(sc, sn)), str(sn)))
        first = Table("Accuracy by topic and subtopic", ("Area", "Accuracy", "Answers"), tuple(area_rows))
    else:
        objective_rows = []
        for s in syllabus.topic(topic).subtopics:
            for o in s.objectives:
                c, n = stats.get(o.id, (0, 0))
                cell = chartdata.heat_cell((c, n), MIN_ANSWERS_FOR_RANKING)
                smoothed = f"{100 * cell.value:.0f}%" if cell.enough else "too few"
                delta = chartdata.trend_points(recent.get(o.id, (0, 0)), before.get(o.id, (0, 0)))
                objective_rows.append(
                    (o.id, shorten(o.text, 48), smoothed, f"{c}/{n}", "n/a" if delta is None else f"{delta:+.0f} pts")
                )
        first = Table(
            f"Topic {topic} by objective", ("Objective", "", "Smoothed", "Right", "Trend"), tuple(objective_rows)
        )
    texts = {o.id: o.text for o in syllabus.objectives()}
    weak_rows = []
    for w in weakest:
        delta = chartdata.trend_points(recent.get(w.objective_id, (0, 0)), before.get(w.objective_id, (0, 0)))
        trend = "n/a" if delta is None else f"{'▲' if delta > 0 else '▼' if delta < 0 else '='} {delta:+.0f} pts"
        weak_rows.append(
            (
                w.objective_id,
                shorten(texts.get(w.objective_id, ""), 48),
                f"{100 * w.smoothed:.0f}%",
                f"{w.correct}/{w.attempts}",
                shorten(wrong_choices.get(w.objective_id, "–"), 50),
                trend,
            )
        )
    note = (
        f"Smoothed = (right + 2) / (answers + 3), so a few answers do not dominate. {len(too_few)} objective(s) "
        f"with fewer than {MIN_ANSWERS_FOR_RANKING} answers are not ranked. Trend: last 7 days vs the 4 weeks before."
    )
    return (
        first,
        Table(
            "Five weakest objectives",
            ("Objective", "", "Smoothed", "Right", "Most chosen wrong option", "Trend"),
            tuple(weak_rows),
            note=note,
        ),
        Table(
            "Members: weakest topic",
            ("Member", "Weakest", "Right"),
            member_weakest(member_topics, names),
            note=f"Only topics where a member has at least {MIN_ANSWERS_FOR_RANKING} answers.",
        ),
    )


def ranked_weakest(stats: Counts, topic: str | None) -> tuple[list[ObjectiveStat], list[ObjectiveStat]]:
    """The five weakest ranked objectives in scope, and those with too few answers to rank."""
    in_scope = {o: v for o, v in stats.items() if topic is None or o.split(".")[0] == topic}
    return weakest_objectives([ObjectiveStat(o, c, n) for o, (c, n) in in_scope.items()])


def member_weakest(
    member_topics: Sequence[tuple[int, str, int, int]], names: Mapping[int, str]
) -> tuple[tuple[str, ...], ...]:
    """Each member (by name) with their weakest topic among topics with enough answers."""
    by_member: dict[int, list[tuple[float, str, int, int]]] = {}
    for pid, member_topic, c, n in member_topics:
        if n >= MIN_ANSWERS_FOR_RANKING:
            by_member.setdefault(pid, []).append((smoothed_accuracy(c, n), member_topic, c, n))
    return tuple(
        (names.get(pid, "?"), f"Topic {min(v)[1]}", f"{min(v)[2]}/{min(v)[3]}")
        for pid, v in sorted(by_member.items(), key=lambda kv: (names.get(kv[0], ""), kv[0]))
    )
