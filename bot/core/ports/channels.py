"""The ``ChannelStore`` role port: subscribed channels and their schedules."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from bot.core.ports.records import ChannelInfo

__all__ = ["ChannelStore"]


class ChannelStore(Protocol):
    """Subscribed channels and their schedules."""

    async def get_channel(self, workspace_id: int, external_id: str) -> ChannelInfo | None: ...

    async def channel_by_id(self, channel_id: int) -> ChannelInfo: ...

    async def subscribe_channel(
        self, workspace_id: int, external_id: str, name: str, tz: str, post_time: str, now: dt.datetime
    ) -> ChannelInfo: ...

    async def update_channel(self, channel_id: int, now: dt.datetime, **changes: object) -> ChannelInfo: ...

    async def active_channels(self) -> list[ChannelInfo]: ...

    async def set_team_tz(self, team_id: int, tz: str) -> None: ...
