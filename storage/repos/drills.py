"""Drills and mock exams: the SQL side of :class:`bot.core.ports.DrillStore`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select, update

from bot.core.ports import DrillInfo, DrillStart
from storage.repos.boards import link_attempts
from storage.repos.plans import plans_on
from storage.sql import DS, SP, TM, A, R, SqlBase, T, _drill, _n_correct

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
        def create(conn: Connection) -> int:
            # one active drill per person: a new one replaces the old
            conn.execute(
                update(DS).where(DS.c.person_id == person_id, DS.c.status == "active").values(status="expired")
            )
            result = conn.execute(
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

        async with self._tx() as conn:
            return await self._one_trip(conn, create)

    async def get_drill(self, drill_id: int) -> DrillInfo | None:
        async with self._tx() as conn:
            row = (await conn.execute(select(DS).where(DS.c.id == drill_id))).first()
        return _drill(row._mapping) if row else None

    async def answer_drill(self, drill: DrillInfo, seq: int, values: dict[str, Any], done: bool) -> bool:
        """Record the answer to question ``seq`` and advance; False if it was already answered."""
        async with self._tx() as conn:
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
        async with self._tx() as conn:
            await conn.execute(update(DS).where(DS.c.id == drill_id, DS.c.status == "active").values(status="expired"))

    async def drill_results(self, drill_id: int) -> list[tuple[int, str, str, bool]]:
        async with self._tx() as conn:
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
        async with self._tx() as conn:
            row = (
                await conn.execute(
                    select(DS).where(DS.c.person_id == person_id, DS.c.status == "active").order_by(DS.c.id.desc())
                )
            ).first()
        return _drill(row._mapping) if row else None

    async def drill_start(self, workspace_id: int, person_id: int, now: dt.datetime, default_cap: int) -> DrillStart:
        """One read for ``/drill``, one trip to SQLite's thread: every statement is on the person's own rows
        through an index, and of the due reviews only the ``cap`` most overdue (``ix_review_person_due``)
        plus the rest of that day."""
        async with self._tx() as conn:
            return await self._one_trip(
                conn, lambda sync: _drill_start(sync, workspace_id, person_id, now, default_cap)
            )


def _drill_start(conn: Connection, workspace_id: int, person_id: int, now: dt.datetime, default_cap: int) -> DrillStart:
    # per objective and question: the objective stats and the seen set in one pass over the person's rows
    per_question = conn.execute(
        select(A.c.objective_id, A.c.question_id, _n_correct(A.c.correct), func.count())
        .where(A.c.person_id == person_id)
        .group_by(A.c.objective_id, A.c.question_id)
    ).all()
    found = plans_on(conn, SP.c.person_id == person_id)
    plan = found[0] if found else None
    cap = plan.daily_cap if plan is not None else default_cap
    due: dict[str, dt.datetime] = {}
    if cap > 0:
        mine = [R.c.person_id == person_id, R.c.due <= now]
        last = conn.execute(select(R.c.due).where(*mine).order_by(R.c.due).limit(1).offset(cap - 1)).scalar()
        if last is not None:  # at least ``cap`` due: the rest of that (UTC) day can still make the cut
            after = dt.datetime.combine(last.date() + dt.timedelta(days=1), dt.time(), tzinfo=last.tzinfo)
            mine.append(R.c.due < after)
        rows = conn.execute(select(R.c.question_id, R.c.due).where(*mine)).all()
        due = {r.question_id: r.due for r in rows}
    tz = conn.execute(
        select(T.c.tz)
        .join(TM, TM.c.team_id == T.c.id)
        .where(TM.c.workspace_id == workspace_id, TM.c.person_id == person_id)
    ).scalar()
    active = conn.execute(
        select(DS).where(DS.c.person_id == person_id, DS.c.status == "active").order_by(DS.c.id.desc())
    ).first()
    stats: dict[str, tuple[int, int]] = {}
    for objective, _question, right, n in per_question:
        had = stats.get(objective, (0, 0))
        stats[objective] = (had[0] + int(right or 0), had[1] + int(n))
    return DrillStart(
        objective_stats=tuple((o, c, n) for o, (c, n) in stats.items()),
        seen=frozenset(r[1] for r in per_question),
        due=due,
        plan=plan,
        team_tz=tz,
        active=_drill(active._mapping) if active else None,
    )
