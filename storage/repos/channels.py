"""Subscribed channels and their schedules: the SQL side of :class:`bot.core.ports.ChannelStore`."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from bot.core.ports import ChannelInfo
from storage.sql import C, SqlBase, T

__all__ = ["ChannelsRepo"]


class ChannelsRepo(SqlBase):
    """Subscribed channels and their schedules."""

    async def get_channel(self, workspace_id: int, external_id: str) -> ChannelInfo | None:
        async with self._tx() as conn:
            found = await self._channels_where(conn, C.c.workspace_id == workspace_id, C.c.external_id == external_id)
        return found[0] if found else None

    async def channel_by_id(self, channel_id: int) -> ChannelInfo:
        async with self._tx() as conn:
            found = await self._channels_where(conn, C.c.id == channel_id)
        if not found:
            raise KeyError(channel_id)
        return found[0]

    async def subscribe_channel(
        self, workspace_id: int, external_id: str, name: str, tz: str, post_time: str, now: dt.datetime
    ) -> ChannelInfo:
        async with self._tx() as conn:
            await self._insert_ignore(
                conn,
                C,
                {
                    "workspace_id": workspace_id,
                    "external_id": external_id,
                    "name": name,
                    "tz": tz,
                    "post_time": post_time,
                    "active": True,
                    "reveal_minutes": 480,
                    "created_at": now,
                    "updated_at": now,
                    "scheduled_since": now,
                },
            )
            await conn.execute(
                update(C)
                .where(C.c.workspace_id == workspace_id, C.c.external_id == external_id)
                .values(
                    tz=tz,
                    post_time=post_time,
                    active=True,
                    updated_at=now,
                    scheduled_since=now,
                    **({"name": name} if name else {}),
                )
            )
            row = (
                await conn.execute(select(C).where(C.c.workspace_id == workspace_id, C.c.external_id == external_id))
            ).one()
            if row.team_id is None:
                # by default a subscribed channel is one team
                team_name = ("#" + (name or external_id))[:80]
                await self._insert_ignore(conn, T, {"workspace_id": workspace_id, "name": team_name, "tz": tz})
                team_id = (
                    await conn.execute(select(T.c.id).where(T.c.workspace_id == workspace_id, T.c.name == team_name))
                ).scalar_one()
                await conn.execute(update(C).where(C.c.id == row.id).values(team_id=team_id))
            else:
                await conn.execute(
                    update(T).where(T.c.id == row.team_id).values(tz=tz)
                )  # the team follows the channel's zone
            found = await self._channels_where(conn, C.c.id == row.id)
        return found[0]

    async def update_channel(self, channel_id: int, now: dt.datetime, **changes: object) -> ChannelInfo:
        allowed = {"tz", "post_time", "reveal_minutes", "active", "focus_topic", "focus_until", "team_id", "name"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"cannot change {sorted(unknown)}")
        if "tz" in changes or "post_time" in changes:
            changes["scheduled_since"] = now
        async with self._tx() as conn:
            await conn.execute(update(C).where(C.c.id == channel_id).values(updated_at=now, **changes))
            found = await self._channels_where(conn, C.c.id == channel_id)
        return found[0]

    async def active_channels(self) -> list[ChannelInfo]:
        async with self._tx() as conn:
            return await self._channels_where(conn, C.c.active.is_(True))

    # -- posts ----------------------------------------------------------------------------------

    async def set_team_tz(self, team_id: int, tz: str) -> None:
        """A channel's team follows the channel's zone (its weeks and streak days are local to it)."""
        async with self._tx() as conn:
            await conn.execute(update(T).where(T.c.id == team_id).values(tz=tz))
