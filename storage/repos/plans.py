"""Personal study plans and pauses: the SQL side of :class:`bot.core.ports.PlanStore`."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.ports import StudyPlanInfo
from storage.sql import SP, SPP, P, R, SqlBase, W

__all__ = ["PLAN_FIELDS", "PlansRepo", "pauses_on", "plans_on"]

# what save_plan may change (the rest is the bot's own bookkeeping)
PLAN_FIELDS = frozenset({"tz", "remind_time", "exam_date", "weekly_summary", "daily_cap", "dm_blocked_at"})
_CLAIM_COLUMN = {"reminder": "last_reminded_on", "summary": "last_summary_on"}


def plans_on(conn: Connection, *where: Any) -> list[StudyPlanInfo]:
    """Study plans (with their pauses) matching ``where``, by person; sync, for :meth:`SqlBase._one_trip`."""
    rows = conn.execute(
        select(SP, W.c.platform, W.c.external_id.label("ws_ext"), P.c.external_id.label("user_ext"))
        .join(P, P.c.id == SP.c.person_id)
        .join(W, W.c.id == P.c.workspace_id)
        .where(*where)
        .order_by(SP.c.person_id)
    ).all()
    pauses = pauses_on(conn, [r.person_id for r in rows])
    return [
        StudyPlanInfo(
            person_id=r.person_id,
            platform=r.platform,
            workspace=r.ws_ext,
            user=r.user_ext,
            tz=r.tz,
            remind_time=r.remind_time,
            last_reminded_on=r.last_reminded_on,
            dm_blocked_at=r.dm_blocked_at,
            exam_date=r.exam_date,
            weekly_summary=bool(r.weekly_summary),
            last_summary_on=r.last_summary_on,
            daily_cap=r.daily_cap,
            reviews_on=r.reviews_on,
            reviews_done=r.reviews_done,
            pauses=tuple(pauses.get(r.person_id, ())),
        )
        for r in rows
    ]


def pauses_on(conn: Connection, person_ids: Sequence[int]) -> dict[int, list[tuple[dt.date, dt.date]]]:
    """Each person's study pauses, in date order; sync, for :meth:`SqlBase._one_trip`."""
    out: dict[int, list[tuple[dt.date, dt.date]]] = {}
    if not person_ids:
        return out
    rows = conn.execute(
        select(SPP.c.person_id, SPP.c.start_date, SPP.c.end_date)
        .where(SPP.c.person_id.in_(list(person_ids)))
        .order_by(SPP.c.person_id, SPP.c.start_date, SPP.c.id)
    ).all()
    for r in rows:
        out.setdefault(r.person_id, []).append((r.start_date, r.end_date))
    return out


class PlansRepo(SqlBase):
    """Study plans (one row per person) and their pauses."""

    async def _plans(self, conn: AsyncConnection, *where: Any) -> list[StudyPlanInfo]:
        """Study plans (with their pauses) matching ``where``, by person, as one trip (``plans_on``)."""
        return await self._one_trip(conn, lambda sync: plans_on(sync, *where))

    async def _pauses(
        self, conn: AsyncConnection, person_ids: Sequence[int]
    ) -> dict[int, list[tuple[dt.date, dt.date]]]:
        return await self._one_trip(conn, lambda sync: pauses_on(sync, person_ids))

    async def _ensure_plan(self, conn: AsyncConnection, person_id: int, now: dt.datetime) -> None:
        await self._insert_ignore(conn, SP, {"person_id": person_id, "updated_at": now})

    async def get_plan(self, person_id: int) -> StudyPlanInfo | None:
        async with self._tx() as conn:
            found = await self._plans(conn, SP.c.person_id == person_id)
        return found[0] if found else None

    async def save_plan(self, person_id: int, now: dt.datetime, **changes: object) -> StudyPlanInfo:
        unknown = set(changes) - PLAN_FIELDS
        if unknown:
            raise TypeError(f"not a study plan field: {', '.join(sorted(unknown))}")
        async with self._tx() as conn:
            await self._ensure_plan(conn, person_id, now)
            await conn.execute(update(SP).where(SP.c.person_id == person_id).values(**changes, updated_at=now))
            return (await self._plans(conn, SP.c.person_id == person_id))[0]

    async def messaged_plans(self) -> list[StudyPlanInfo]:
        async with self._tx() as conn:
            return await self._plans(
                conn,
                SP.c.dm_blocked_at.is_(None),
                or_(SP.c.remind_time.is_not(None), SP.c.weekly_summary.is_(True)),
            )

    async def plans_to_message(self, now: dt.datetime) -> list[StudyPlanInfo]:
        reachable = SP.c.dm_blocked_at.is_(None)
        async with self._tx() as conn:
            zones = (await conn.execute(select(SP.c.tz).where(reachable).distinct())).scalars().all()
            per_zone = []
            for tz in zones:
                try:
                    day = now.astimezone(zoneinfo.ZoneInfo(tz)).date()
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    per_zone.append(SP.c.tz == tz)  # left to the sweep's own rules, as before
                    continue
                monday = day - dt.timedelta(days=day.weekday())
                per_zone.append(
                    and_(
                        SP.c.tz == tz,
                        or_(
                            and_(
                                SP.c.remind_time.is_not(None),
                                or_(SP.c.last_reminded_on.is_(None), SP.c.last_reminded_on < day),
                            ),
                            and_(
                                SP.c.weekly_summary.is_(True),
                                or_(SP.c.last_summary_on.is_(None), SP.c.last_summary_on < monday),
                            ),
                        ),
                    )
                )
            if not per_zone:
                return []
            return await self._plans(conn, reachable, or_(*per_zone))

    async def count_reminded(self, workspace_id: int) -> int:
        async with self._tx() as conn:
            return int(
                (
                    await conn.execute(
                        select(func.count())
                        .select_from(SP)
                        .join(P, P.c.id == SP.c.person_id)
                        .where(
                            P.c.workspace_id == workspace_id,
                            SP.c.dm_blocked_at.is_(None),
                            SP.c.remind_time.is_not(None),
                            SP.c.remind_time != "",
                        )
                    )
                ).scalar_one()
            )

    async def claim_message(self, person_id: int, kind: str, day: dt.date) -> bool:
        column = SP.c[_CLAIM_COLUMN[kind]]
        async with self._tx() as conn:
            result = await conn.execute(
                update(SP).where(SP.c.person_id == person_id, or_(column.is_(None), column < day)).values({column: day})
            )
        return bool(result.rowcount)

    async def count_review(self, person_id: int, day: dt.date, now: dt.datetime) -> int:
        async with self._tx() as conn:
            await self._ensure_plan(conn, person_id, now)
            same_day = await conn.execute(
                update(SP)
                .where(SP.c.person_id == person_id, SP.c.reviews_on == day)
                .values(reviews_done=SP.c.reviews_done + 1)
            )
            if not same_day.rowcount:
                await conn.execute(update(SP).where(SP.c.person_id == person_id).values(reviews_on=day, reviews_done=1))
            return int((await conn.execute(select(SP.c.reviews_done).where(SP.c.person_id == person_id))).scalar_one())

    async def add_pause(self, person_id: int, start: dt.date, end: dt.date) -> None:
        async with self._tx() as conn:
            await conn.execute(SPP.insert().values(person_id=person_id, start_date=start, end_date=end))

    async def end_pause(self, person_id: int, day: dt.date) -> tuple[dt.date, dt.date] | None:
        covering = and_(SPP.c.person_id == person_id, SPP.c.start_date <= day, SPP.c.end_date > day)
        async with self._tx() as conn:
            row = (
                await conn.execute(
                    select(SPP.c.id, SPP.c.start_date, SPP.c.end_date).where(covering).order_by(SPP.c.id.desc())
                )
            ).first()
            if row is None:
                return None
            if row.start_date == day:  # a pause that had not begun in earnest leaves no trace
                await conn.execute(SPP.delete().where(SPP.c.id == row.id))
            else:
                await conn.execute(update(SPP).where(SPP.c.id == row.id).values(end_date=day))
        return row.start_date, row.end_date

    async def reschedule_reviews(self, person_id: int, cards: Sequence[tuple[str, str, dt.datetime]]) -> None:
        if not cards:
            return
        stmt = (
            update(R)
            .where(R.c.person_id == bindparam("b_person"), R.c.question_id == bindparam("b_question"))
            .values(card=bindparam("b_card"), due=bindparam("b_due"))
        )
        async with self._tx() as conn:
            await conn.execute(
                stmt, [{"b_person": person_id, "b_question": q, "b_card": c, "b_due": d} for q, c, d in cards]
            )

    async def pauses_of(self, person_ids: Sequence[int]) -> dict[int, list[tuple[dt.date, dt.date]]]:
        async with self._tx() as conn:
            return await self._pauses(conn, person_ids)
