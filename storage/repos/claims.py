"""Exactly-once claims (deliveries, weekly boards) and the audit log: the SQL side of :class:`bot.core.ports.ClaimStore`."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete

from storage.sql import AU, WB, D, SqlBase

__all__ = ["ClaimsRepo"]


class ClaimsRepo(SqlBase):
    """Exactly-once claims (deliveries, weekly boards) and the audit log."""

    async def claim_delivery(self, delivery_id: str, now: dt.datetime) -> bool:
        """True the first time a delivery id is seen, False for every repeat."""
        async with self._tx() as conn:
            return await self._insert_ignore(conn, D, {"id": delivery_id, "received_at": now})

    async def prune_deliveries(self, before: dt.datetime) -> int:
        async with self._tx() as conn:
            result = await conn.execute(delete(D).where(D.c.received_at < before))
        return int(result.rowcount or 0)

    async def claim_weekly_board(self, channel_id: int, week_start: dt.date, now: dt.datetime) -> bool:
        async with self._tx() as conn:
            return await self._insert_ignore(
                conn, WB, {"channel_id": channel_id, "week_start": week_start, "posted_at": now}
            )

    async def release_weekly_board(self, channel_id: int, week_start: dt.date) -> None:
        async with self._tx() as conn:
            await conn.execute(delete(WB).where(WB.c.channel_id == channel_id, WB.c.week_start == week_start))

    # -- item analytics ---------------------------------------------------------------------------

    async def audit(
        self, workspace_id: int | None, actor: str, actor_name: str, action: str, detail: str, at: dt.datetime
    ) -> None:
        async with self._tx() as conn:
            await conn.execute(
                AU.insert().values(
                    workspace_id=workspace_id, actor=actor, actor_name=actor_name, action=action, detail=detail, at=at
                )
            )
