"""Hand-written SQL baselines of the reports: one query each that returns the figures a reply shows.

``/leaderboard``, ``/weakspots`` and ``/stats`` are divided by the time of one such query on the same
engine and data, and :func:`check_leaderboard`, :func:`check_weakspots` and :func:`check_stats` assert
that the reply shows exactly the figures of the query (the text tables are rebuilt from the query's
rows by the same pure rules of ``bot.core``, so any difference is a difference in the figures).
Not covered by the queries: streaks (they need the team's zone per answer) and readiness (a model over
the answer history); the leaderboard check takes the streak column from the reply itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, case, cast, func, literal, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core import boards, present, weakspots
from bot.core.learning import MIN_ANSWERS_FOR_RANKING, week_bounds
from bot.core.messages import Reply
from bot.core.model import Question, Syllabus
from bot.core.render import shorten
from storage.tables import Answer, Person, Review, Team, table_of

__all__ = [
    "LeaderboardFigures",
    "StatsFigures",
    "WeakspotFigures",
    "check_leaderboard",
    "check_stats",
    "check_weakspots",
    "leaderboard_sql",
    "stats_sql",
    "weakspots_sql",
]

A, P, R, T = (table_of(m) for m in (Answer, Person, Review, Team))


def _right(column: Any) -> Any:
    return func.sum(case((column.is_(True), 1), else_=0))


def s(v: Any) -> Any:
    return cast(v, String)


def i(v: Any) -> Any:
    return cast(v, Integer)


# -- /leaderboard ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LeaderboardFigures:
    rows: list[boards.FirstAttempts]  # the team's members per topic; other teams per topic (person 0)
    names: dict[int, str]
    team_names: dict[int, str]


async def leaderboard_sql(engine: AsyncEngine, ws: int, team: int, tz: str, now: dt.datetime) -> LeaderboardFigures:
    """One query: first attempts of the week, per member and topic for ``team``, per team and topic for
    the others, with the members' and teams' names."""
    start, end, _monday = week_bounds(now, tz, "this")
    ranked = (
        select(
            A.c.team_id,
            A.c.person_id,
            A.c.topic_id,
            A.c.correct,
            func.row_number()
            .over(partition_by=(A.c.person_id, A.c.question_id), order_by=(A.c.answered_at, A.c.id))
            .label("rn"),
        ).where(A.c.workspace_id == ws, A.c.answered_at >= start, A.c.answered_at < end)
    ).subquery()
    who = case((ranked.c.team_id == team, ranked.c.person_id), else_=0).label("who")
    grouped = (
        select(ranked.c.team_id, who, ranked.c.topic_id, func.count().label("n"), _right(ranked.c.correct).label("c"))
        .where(ranked.c.rn == 1, ranked.c.team_id.is_not(None))
        .group_by(ranked.c.team_id, who, ranked.c.topic_id)
    ).subquery()
    query = (
        select(grouped, P.c.display_name, T.c.name)
        .outerjoin(P, P.c.id == grouped.c.who)
        .join(T, T.c.id == grouped.c.team_id)
    )
    async with engine.begin() as conn:
        result = (await conn.execute(query)).all()
    rows: list[boards.FirstAttempts] = [(r[0], int(r[1]), r[2], int(r[3]), int(r[4] or 0)) for r in result]
    names = {int(r[1]): r[5] or "" for r in result if r[0] == team}
    return LeaderboardFigures(rows, names, {int(r[0]): r[6] for r in result})


def check_leaderboard(reply: Reply, figures: LeaderboardFigures, team: int, syllabus: Syllabus) -> None:
    """The reply's tables are those of the query's figures (streaks taken from the reply)."""
    streak_of_name = {row[1]: int(row[4]) for row in reply.tables[0].rows}
    streaks = {pid: streak_of_name.get(name, 0) for pid, name in figures.names.items()}
    board = boards.leaderboard(
        figures.rows,
        team,
        [t.id for t in syllabus.topics],
        names=figures.names,
        streaks=streaks,
        team_names=figures.team_names,
    )
    _same_tables(reply, present.tables(board), "leaderboard")


# -- /weakspots --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WeakspotFigures:
    stats: dict[str, tuple[int, int]]
    recent: dict[str, tuple[int, int]]
    before: dict[str, tuple[int, int]]
    wrong: dict[str, dict[tuple[str, int], int]]  # objective -> (question, option) -> wrong answers
    members: list[tuple[int, str, int, int]]
    names: dict[int, str]


async def weakspots_sql(engine: AsyncEngine, team: int, now: dt.datetime) -> WeakspotFigures:
    """One query over the team's answers (five groupings in a UNION ALL, each over its fitting index): per
    objective overall, in the last 7 days and in the 4 weeks before; wrong answers per objective,
    question and option; per member and topic, with the member's name."""
    recent_from, before_from = now - dt.timedelta(days=7), now - dt.timedelta(days=35)

    def per_objective(kind: str, *where: Any) -> Any:
        return (
            select(
                literal(kind).label("kind"),
                s(A.c.objective_id).label("k1"),
                s(null()).label("k2"),
                i(null()).label("k3"),
                i(_right(A.c.correct)).label("n1"),
                i(func.count()).label("n2"),
            )
            .where(A.c.team_id == team, *where)
            .group_by(A.c.objective_id)
        )

    # the five weakest ranked objectives (smoothed accuracy, then more answers, then id), as the core ranks them
    overall = per_objective("o").subquery()
    weakest = (
        select(overall.c.k1)
        .where(overall.c.n2 >= MIN_ANSWERS_FOR_RANKING)
        .order_by((overall.c.n1 + 2.0) / (overall.c.n2 + 3.0), overall.c.n2.desc(), overall.c.k1)
        .limit(5)
    )
    wrong = (
        select(literal("w"), s(A.c.objective_id), s(A.c.question_id), i(A.c.option), i(func.count()), i(literal(0)))
        .where(A.c.team_id == team, A.c.correct.is_(False), A.c.objective_id.in_(weakest.scalar_subquery()))
        .group_by(A.c.objective_id, A.c.question_id, A.c.option)
    )
    per_member = (
        select(A.c.person_id, A.c.topic_id, _right(A.c.correct).label("c"), func.count().label("n"))
        .where(A.c.team_id == team)
        .group_by(A.c.person_id, A.c.topic_id)
    ).subquery()
    members = select(
        literal("m"), s(P.c.display_name), s(per_member.c.topic_id), i(per_member.c.person_id), i(per_member.c.c),
        i(per_member.c.n),
    ).join(P, P.c.id == per_member.c.person_id)  # fmt: skip
    query = union_all(
        per_objective("o"),
        per_objective("r", A.c.answered_at >= recent_from),
        per_objective("b", A.c.answered_at >= before_from, A.c.answered_at < recent_from),
        wrong,
        members,
    )
    async with engine.begin() as conn:
        result = (await conn.execute(query)).all()
    out = WeakspotFigures({}, {}, {}, {}, [], {})
    counts = {"o": out.stats, "r": out.recent, "b": out.before}
    for kind, k1, k2, k3, n1, n2 in result:
        if kind in counts:
            counts[kind][k1] = (int(n1), int(n2))
        elif kind == "w":
            out.wrong.setdefault(k1, {})[(k2, int(k3))] = int(n1)
        else:
            out.members.append((int(k3), k2, int(n1), int(n2)))
            out.names[int(k3)] = k1 or ""
    return out


def check_weakspots(reply: Reply, figures: WeakspotFigures, syllabus: Syllabus, by_id: Mapping[str, Question]) -> None:
    """The reply's tables are those of the query's figures. The most chosen wrong option may be any of
    the options tied for the most wrong answers (the store orders by count only)."""
    weakest, _too_few = weakspots.ranked_weakest(figures.stats, None)
    shown = {row[0]: row[4] for row in reply.tables[1].rows}
    chosen: dict[str, str] = {}
    for w in weakest:
        counts = {k: n for k, n in figures.wrong.get(w.objective_id, {}).items() if k[0] in by_id}
        if not counts:
            continue
        tied = [by_id[q].options[o] for (q, o), n in counts.items() if n == max(counts.values())]
        match = [t for t in tied if shorten(t, 50) == shown.get(w.objective_id)]
        if not match:
            raise AssertionError(f"weakspots: {w.objective_id} shows {shown.get(w.objective_id)!r}, not one of {tied}")
        chosen[w.objective_id] = match[0]
    report = weakspots.weakspot_report(
        syllabus,
        figures.stats,
        figures.recent,
        figures.before,
        topic=None,
        wrong_choices=chosen,
        members=weakspots.rank_members(figures.members),
        names=figures.names,
    )
    assert report is not None
    _same_tables(reply, present.tables(report), "weakspots")


# -- /stats ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StatsFigures:
    by_topic: dict[str, tuple[int, int]]
    due: int


async def stats_sql(engine: AsyncEngine, person: int, now: dt.datetime) -> StatsFigures:
    """One query: the person's right answers and answers per topic, and their review cards due now."""
    topics = (
        select(
            cast(A.c.topic_id, String).label("k"),
            cast(_right(A.c.correct), Integer).label("c"),
            cast(func.count(), Integer).label("n"),
        )
        .where(A.c.person_id == person)
        .group_by(A.c.topic_id)
    )
    due = select(cast(literal("due"), String), cast(func.count(), Integer), cast(literal(0), Integer)).where(
        R.c.person_id == person, R.c.due <= now
    )
    async with engine.begin() as conn:
        result = (await conn.execute(union_all(topics, due))).all()
    return StatsFigures(
        {k: (int(c), int(n)) for k, c, n in result if k != "due"}, next(int(c) for k, c, _n in result if k == "due")
    )


def check_stats(reply: Reply, figures: StatsFigures) -> None:
    """The reply's right/answers per topic and its count of due reviews are the query's."""
    shown = {row[0]: row[2] for row in reply.tables[0].rows}
    expected = {t: f"{c}/{n}" for t, (c, n) in figures.by_topic.items()}
    for topic, cell in shown.items():
        if cell != expected.get(topic, "0/0"):
            raise AssertionError(f"stats: topic {topic} shows {cell}, the query says {expected.get(topic, '0/0')}")
    if f"reviews due: {figures.due}" not in reply.text:
        raise AssertionError(f"stats: the reply does not say 'reviews due: {figures.due}': {reply.text[:120]!r}")


def _same_tables(reply: Reply, expected: Sequence[Any], what: str) -> None:
    for got, want in zip(reply.tables, expected, strict=True):
        if got.rows != want.rows:
            diff = next((g, w) for g, w in zip(got.rows + ((),) * 9, want.rows + ((),) * 9, strict=False) if g != w)
            raise AssertionError(f"{what}: table {got.title!r} differs from the query's figures: {diff}")
