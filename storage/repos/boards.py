"""The week's first attempts for one team's board: the SQL side of :meth:`bot.core.ports.ReportStore.team_first_attempts`,
and the upkeep of ``answer.prev_at`` that lets it read only the week (:func:`link_attempts`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.sql import A, SqlBase, _chunks, _n_correct

__all__ = ["BoardsRepo", "link_attempts", "ranked_first_attempts"]


def ranked_first_attempts(workspace_id: int, start: dt.datetime, end: dt.datetime) -> Any:
    """The workspace's answers in [start, end), ``rn`` = 1 on each person's first attempt at a question."""
    return (
        select(
            A.c.team_id,
            A.c.person_id,
            A.c.topic_id,
            A.c.correct,
            func.row_number()
            .over(partition_by=(A.c.person_id, A.c.question_id), order_by=(A.c.answered_at, A.c.id))
            .label("rn"),
        ).where(A.c.workspace_id == workspace_id, A.c.answered_at >= start, A.c.answered_at < end)
    ).subquery()


async def link_attempts(conn: AsyncConnection, pairs: Iterable[tuple[int, str]]) -> None:
    """Set ``prev_at`` on every answer of these (person, question) pairs: the time of the pair's previous
    answer by (time, id), NULL for the first. Call it in the transaction that inserted answers of the pairs
    (an answer stored out of time order changes its successor's ``prev_at`` too)."""
    by_question: dict[str, set[int]] = {}
    for person, question in pairs:
        by_question.setdefault(question, set()).add(person)
    b = A.alias("prev")
    previous = (
        select(b.c.answered_at)
        .where(
            b.c.person_id == A.c.person_id,
            b.c.question_id == A.c.question_id,
            or_(b.c.answered_at < A.c.answered_at, and_(b.c.answered_at == A.c.answered_at, b.c.id < A.c.id)),
        )
        .order_by(b.c.answered_at.desc(), b.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    for question, people in by_question.items():
        for chunk in _chunks(sorted(people), 500):
            await conn.execute(
                update(A).where(A.c.question_id == question, A.c.person_id.in_(chunk)).values(prev_at=previous)
            )


class BoardsRepo(SqlBase):
    """One team's board: its members per topic, the other teams summed per topic, in one query."""

    async def team_first_attempts(
        self, workspace_id: int, team_id: int, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[int, int | None, str, int, int]]:
        """As ``first_attempts``, but only ``team_id``'s rows per person; every other team's rows are summed
        per (team, topic) in the database and carry no person. Answers of no team are left out.

        Reads only the week's entries of ``ix_answer_ws_week``: a first attempt of the week is an answer of
        the week whose previous answer to the question (``prev_at``) is older than the week or missing."""
        who = case((A.c.team_id == team_id, A.c.person_id), else_=None).label("who")
        query = (
            select(A.c.team_id, who, A.c.topic_id, func.count(), _n_correct(A.c.correct))
            .where(
                A.c.workspace_id == workspace_id,
                A.c.answered_at >= start,
                A.c.answered_at < end,
                A.c.team_id.is_not(None),
                or_(A.c.prev_at.is_(None), A.c.prev_at < start),
            )
            .group_by(A.c.team_id, who, A.c.topic_id)
        )
        async with self._tx() as conn:
            rows = (await conn.execute(query)).all()
        return [(int(r[0]), None if r[1] is None else int(r[1]), r[2], int(r[3]), int(r[4] or 0)) for r in rows]
