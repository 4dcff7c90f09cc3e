"""The week's first attempts for one team's board: the SQL side of :meth:`bot.core.ports.ReportStore.team_first_attempts`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, func, select

from storage.sql import A, SqlBase, _n_correct

__all__ = ["BoardsRepo", "ranked_first_attempts"]


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


class BoardsRepo(SqlBase):
    """One team's board: its members per topic, the other teams summed per topic, in one query."""

    async def team_first_attempts(
        self, workspace_id: int, team_id: int, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[int, int | None, str, int, int]]:
        """As ``first_attempts``, but only ``team_id``'s rows per person; every other team's rows are summed
        per (team, topic) in the database and carry no person. Answers of no team are left out."""
        ranked = ranked_first_attempts(workspace_id, start, end)
        who = case((ranked.c.team_id == team_id, ranked.c.person_id), else_=None).label("who")
        async with self.engine.begin() as conn:
            rows = (
                await conn.execute(
                    select(ranked.c.team_id, who, ranked.c.topic_id, func.count(), _n_correct(ranked.c.correct))
                    .where(ranked.c.rn == 1, ranked.c.team_id.is_not(None))
                    .group_by(ranked.c.team_id, who, ranked.c.topic_id)
                )
            ).all()
        return [(int(r[0]), None if r[1] is None else int(r[1]), r[2], int(r[3]), int(r[4] or 0)) for r in rows]
