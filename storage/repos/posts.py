"""Daily question posts: the SQL side of :class:`bot.core.ports.PostStore`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Integer, Row, String, delete, func, literal, select, union_all, update

from bot.core.ports import ChannelPostSummary, PostInfo
from storage.sql import PO, C, SqlBase

__all__ = ["PostsRepo"]


class PostsRepo(SqlBase):
    """Daily question posts."""

    async def channel_posts(self, channel_id: int) -> list[PostInfo]:
        async with self._tx() as conn:
            rows = (
                await conn.execute(select(PO).where(PO.c.channel_id == channel_id).order_by(PO.c.created_at, PO.c.id))
            ).all()
        return [self._post(r) for r in rows]

    async def channel_post_summary(self, channel_id: int, day: dt.date, recent: int = 3) -> ChannelPostSummary:
        mine = PO.c.channel_id == channel_id
        # posts per question and the day's slots in one statement (both over the unique channel/date/slot index)
        counts_and_slots = union_all(
            select(PO.c.question_id, func.count().label("n"), literal(None, Integer).label("slot"))
            .where(mine, PO.c.status != "failed")
            .group_by(PO.c.question_id),
            select(literal(None, String).label("question_id"), literal(0).label("n"), PO.c.slot).where(
                mine, PO.c.local_date == day
            ),
        )
        latest = select(PO).where(mine).order_by(PO.c.created_at.desc(), PO.c.id.desc()).limit(recent)

        def read(conn: Connection) -> tuple[Sequence[Row[Any]], Sequence[Row[Any]]]:
            return conn.execute(counts_and_slots).all(), conn.execute(latest).all() if recent > 0 else []

        async with self._tx() as conn:
            rows, last = await self._one_trip(conn, read)
        return ChannelPostSummary(
            question_counts={r.question_id: int(r.n) for r in rows if r.question_id is not None},
            slots_on_day=tuple(sorted(int(r.slot) for r in rows if r.question_id is None)),
            recent=tuple(self._post(r) for r in reversed(last)),
        )

    async def reserve_post(
        self,
        channel_id: int,
        local_date: dt.date,
        slot: int,
        question_id: str,
        objective_id: str,
        option_order: Sequence[int],
        reason: str,
        reason_detail: str,
        reveal_due_at: dt.datetime,
        now: dt.datetime,
    ) -> PostInfo | None:
        """Insert the post row first (unique on channel, local date, slot); None if it already exists."""
        async with self._tx() as conn:
            values = {
                "channel_id": channel_id,
                "local_date": local_date,
                "slot": slot,
                "question_id": question_id,
                "objective_id": objective_id,
                "option_order": "".join(str(i) for i in option_order),
                "reason": reason,
                "reason_detail": reason_detail[:200],
                "status": "reserved",
                "created_at": now,
                "reveal_due_at": reveal_due_at,
            }
            # one statement: the row comes back only if this call inserted it
            row = (
                await conn.execute(self._insert(PO).values(**values).on_conflict_do_nothing().returning(*PO.c))
            ).first()
        return self._post(row) if row else None

    async def mark_posted(self, post_id: int, message_ref: str, now: dt.datetime) -> PostInfo | None:
        async with self._tx() as conn:
            row = (
                await conn.execute(
                    update(PO)
                    .where(PO.c.id == post_id)
                    .values(status="posted", message_ref=message_ref, posted_at=now)
                    .returning(*PO.c)
                )
            ).first()
        return self._post(row) if row else None

    async def mark_failed(self, post_id: int) -> None:
        async with self._tx() as conn:
            await conn.execute(update(PO).where(PO.c.id == post_id, PO.c.status == "reserved").values(status="failed"))

    async def release_reservation(self, post_id: int) -> None:
        async with self._tx() as conn:
            await conn.execute(delete(PO).where(PO.c.id == post_id, PO.c.status == "reserved"))

    async def get_post(self, post_id: int) -> PostInfo | None:
        async with self._tx() as conn:
            row = (await conn.execute(select(PO).where(PO.c.id == post_id))).first()
        return self._post(row) if row else None

    async def post_by_message(self, workspace_id: int, channel_external_id: str, message_ref: str) -> PostInfo | None:
        async with self._tx() as conn:
            row = (
                await conn.execute(
                    select(PO)
                    .join(C, C.c.id == PO.c.channel_id)
                    .where(
                        C.c.workspace_id == workspace_id,
                        C.c.external_id == channel_external_id,
                        PO.c.message_ref == message_ref,
                    )
                )
            ).first()
        return self._post(row) if row else None

    async def open_posts(self, channel_id: int | None = None) -> list[PostInfo]:
        where = [PO.c.status == "posted"]
        if channel_id is not None:
            where.append(PO.c.channel_id == channel_id)
        async with self._tx() as conn:
            rows = (await conn.execute(select(PO).where(*where).order_by(PO.c.id))).all()
        return [self._post(r) for r in rows]

    async def due_reveals(self, now: dt.datetime) -> list[PostInfo]:
        async with self._tx() as conn:
            rows = (
                await conn.execute(
                    select(PO).where(PO.c.status == "posted", PO.c.reveal_due_at <= now).order_by(PO.c.reveal_due_at)
                )
            ).all()
        return [self._post(r) for r in rows]

    # -- reactions and answers ------------------------------------------------------------------

    async def claim_reveal(self, post_id: int, now: dt.datetime) -> bool:
        """Move a post to ``revealed`` exactly once; only the caller that wins may announce it."""
        async with self._tx() as conn:
            result = await conn.execute(
                update(PO).where(PO.c.id == post_id, PO.c.status == "posted").values(status="revealed", revealed_at=now)
            )
        return bool(result.rowcount)
