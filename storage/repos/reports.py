"""Aggregates for boards, weak-spot reports and item analysis (in the database: window functions and GROUP BY): the SQL side of :class:`bot.core.ports.ReportStore`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select, union_all

from storage.repos.boards import ranked_first_attempts
from storage.sql import TMT, TOD, TOT, A, SqlBase, _n_correct

__all__ = ["ReportsRepo"]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def _window_days(
    since: dt.datetime | None, until: dt.datetime | None
) -> tuple[tuple[dt.date | None, dt.date | None] | None, list[tuple[dt.datetime, dt.datetime]]]:
    """[since, until) (None: unbounded) as the UTC days wholly inside it, [first, last) with None for
    unbounded (or None when no day is whole), and the partial days at its edges as [start, end) times."""
    start = None if since is None else since.astimezone(dt.UTC)
    end = None if until is None else until.astimezone(dt.UTC)
    first = None if start is None else start.date() + dt.timedelta(days=0 if _midnight(start.date()) == start else 1)
    last = None if end is None else end.date()
    if first is not None and last is not None and first >= last:  # no whole day: the answers themselves
        return None, [(start, end)] if start is not None and end is not None and start < end else []
    edges = []
    if start is not None and first is not None and start < _midnight(first):
        edges.append((start, _midnight(first)))
    if end is not None and last is not None and _midnight(last) < end:
        edges.append((_midnight(last), end))
    return (first, last), edges


class ReportsRepo(SqlBase):
    """Aggregates for boards, weak-spot reports and item analysis (in the database: window functions and GROUP BY)."""

    async def first_attempts(
        self, workspace_id: int, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[int | None, int, str, int, int]]:
        """Per (team, person, topic): first attempts at distinct questions in [start, end) and how many were right."""
        ranked = ranked_first_attempts(workspace_id, start, end)
        correct = _n_correct(ranked.c.correct)
        async with self._tx() as conn:
            rows = (
                await conn.execute(
                    select(ranked.c.team_id, ranked.c.person_id, ranked.c.topic_id, func.count(), correct)
                    .where(ranked.c.rn == 1)
                    .group_by(ranked.c.team_id, ranked.c.person_id, ranked.c.topic_id)
                )
            ).all()
        return [(r[0], int(r[1]), r[2], int(r[3]), int(r[4] or 0)) for r in rows]

    async def team_objective_stats(
        self, team_id: int, since: dt.datetime | None = None, until: dt.datetime | None = None
    ) -> list[tuple[str, int, int]]:
        """From the totals the triggers keep: all time from ``team_objective_total``; a window from the UTC
        days wholly inside it (``team_objective_day``) and the answers of its partial first and last day."""
        async with self._tx() as conn:
            if since is None and until is None:
                rows = (
                    await conn.execute(
                        select(TOT.c.objective_id, TOT.c.n_right, TOT.c.n).where(TOT.c.team_id == team_id)
                    )
                ).all()
                return [(r[0], int(r[1]), int(r[2])) for r in rows]
            days, edges = _window_days(since, until)
            parts = []
            if days is not None:
                first, last = days
                where = [TOD.c.team_id == team_id]
                if first is not None:
                    where.append(TOD.c.day >= first)
                if last is not None:
                    where.append(TOD.c.day < last)
                parts.append(
                    select(TOD.c.objective_id.label("o"), TOD.c.n_right.label("c"), TOD.c.n.label("n")).where(*where)
                )
            for start, end in edges:
                parts.append(
                    select(A.c.objective_id.label("o"), _n_correct(A.c.correct).label("c"), func.count().label("n"))
                    .where(A.c.team_id == team_id, A.c.answered_at >= start, A.c.answered_at < end)
                    .group_by(A.c.objective_id)
                )
            if not parts:
                return []
            window = union_all(*parts).subquery()
            rows = (
                await conn.execute(
                    select(window.c.o, func.sum(window.c.c), func.sum(window.c.n))
                    .group_by(window.c.o)
                    .having(func.sum(window.c.n) > 0)
                )
            ).all()
        return [(r[0], int(r[1] or 0), int(r[2])) for r in rows]

    async def team_wrong_choices(self, team_id: int, objective_ids: Sequence[str]) -> list[tuple[str, str, int, int]]:
        """(objective, question, canonical option, count) of wrong answers, most chosen first."""
        if not objective_ids:
            return []
        async with self._tx() as conn:
            rows = (
                await conn.execute(
                    select(A.c.objective_id, A.c.question_id, A.c.option, func.count().label("n"))
                    .where(A.c.team_id == team_id, A.c.correct.is_(False), A.c.objective_id.in_(list(objective_ids)))
                    .group_by(A.c.objective_id, A.c.question_id, A.c.option)
                    .order_by(func.count().desc())
                )
            ).all()
        return [(r[0], r[1], int(r[2]), int(r[3])) for r in rows]

    async def team_member_topic_stats(self, team_id: int) -> list[tuple[int, str, int, int]]:
        async with self._tx() as conn:
            rows = (
                await conn.execute(
                    select(TMT.c.person_id, TMT.c.topic_id, TMT.c.n_right, TMT.c.n).where(TMT.c.team_id == team_id)
                )
            ).all()
        return [(int(r[0]), r[1], int(r[2]), int(r[3])) for r in rows]

    async def first_attempt_choices(self) -> list[tuple[str, int, int, bool]]:
        """(question, person, canonical option, correct) of every person's first attempt at a question."""
        ranked = (
            select(
                A.c.question_id,
                A.c.person_id,
                A.c.option,
                A.c.correct,
                func.row_number()
                .over(partition_by=(A.c.person_id, A.c.question_id), order_by=(A.c.answered_at, A.c.id))
                .label("rn"),
            )
        ).subquery()
        async with self._tx() as conn:
            rows = (
                await conn.execute(
                    select(ranked.c.question_id, ranked.c.person_id, ranked.c.option, ranked.c.correct).where(
                        ranked.c.rn == 1
                    )
                )
            ).all()
        return [(r[0], int(r[1]), int(r[2]), bool(r[3])) for r in rows]

    # -- privacy --------------------------------------------------------------------------------
