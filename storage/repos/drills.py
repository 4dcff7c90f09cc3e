"""Drills and mock exams: the SQL side of :class:`bot.core.ports.DrillStore`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update

from bot.core.ports import DrillInfo
from storage.repos.boards import link_attempts
from storage.sql import DS, A, SqlBase, _drill

__all__ = ["DrillsRepo"]


class DrillsRepo(SqlBase):
    """Drills and mock exams."""

    async def create_drill(
        self,
        workspace_id: int,
        person_id: int,
        scope: str,
        questions: Sequence[tuple[str, Sequence[int]]],
        now: dt.datetime,
        expires_at: dt.datetime,
    ) -> int:
        async with self.engine.begin() as conn:
            # one active drill per person: a new one replaces the old
            await conn.execute(
                update(DS).where(DS.c.person_id == person_id, DS.c.status == "active").values(status="expired")
            )
            result = await conn.execute(
                DS.insert().values(
                    workspace_id=workspace_id,
                    person_id=person_id,
                    scope=scope[:40],
                    questions=json.dumps([[q, list(o)] for q, o in questions]),
                    position=0,
                    status="active",
                    created_at=now,
                    expires_at=expires_at,
                )
            )
            pk = result.inserted_primary_key
            assert pk is not None
            return int(pk[0])

    async def get_drill(self, drill_id: int) -> DrillInfo | None:
        async with self.engine.begin() as conn:
            row = (await conn.execute(select(DS).where(DS.c.id == drill_id))).first()
        return _drill(row._mapping) if row else None

    async def answer_drill(self, drill: DrillInfo, seq: int, values: dict[str, Any], done: bool) -> bool:
        """Record the answer to question ``seq`` and advance; False if it was already answered."""
        async with self.engine.begin() as conn:
            if not await self._insert_ignore(conn, A, values):
                return False
            await link_attempts(conn, [(int(values["person_id"]), str(values["question_id"]))])
            result = await conn.execute(
                update(DS)
                .where(DS.c.id == drill.id, DS.c.position == seq, DS.c.status == "active")
                .values(position=seq + 1, status="done" if done else "active")
            )
            return bool(result.rowcount)

    async def expire_drill(self, drill_id: int) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(DS).where(DS.c.id == drill_id, DS.c.status == "active").values(status="expired"))

    async def drill_results(self, drill_id: int) -> list[tuple[int, str, str, bool]]:
        async with self.engine.begin() as conn:
            rows = (
                await conn.execute(
                    select(A.c.drill_seq, A.c.question_id, A.c.objective_id, A.c.correct)
                    .where(A.c.drill_id == drill_id)
                    .order_by(A.c.drill_seq)
                )
            ).all()
        return [(int(r[0]), r[1], r[2], bool(r[3])) for r in rows]

    # -- teams ----------------------------------------------------------------------------------

    async def active_drill(self, person_id: int) -> DrillInfo | None:
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(
                    select(DS).where(DS.c.person_id == person_id, DS.c.status == "active").order_by(DS.c.id.desc())
                )
            ).first()
        return _drill(row._mapping) if row else None
