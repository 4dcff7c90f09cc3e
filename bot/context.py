"""What every command needs to know about its asker: who they are, which team the command means, which
local day it is; and the chart that goes beside a reply's figures.

Shared by the feature modules (:mod:`bot.boards`, :mod:`bot.weakspots`, :mod:`bot.progress`, the drills,
exams and plans), which get these as callables from :class:`bot.service.QuizService`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import zoneinfo
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.core.messages import Invocation, Reply

if TYPE_CHECKING:
    from bot.core.charts import ChartImage
    from bot.core.clock import Clock
    from bot.core.ports import ChartRenderer, Store

__all__ = ["Asker", "ChartAttacher", "attach_chart"]

log = logging.getLogger(__name__)

# the service's attach_chart with its current renderer: (reply, draw) -> the reply, with its chart if drawn
ChartAttacher = Callable[[Reply, Callable[["ChartRenderer"], "ChartImage"]], Awaitable[Reply]]


class Asker:
    """Resolves an invocation to the stored workspace, person and team."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def who(self, inv: Invocation) -> tuple[int, int]:
        """(workspace id, person id) of the invoker, created on first sight."""
        return await self.store.ensure_asker(inv.platform, inv.workspace, inv.workspace_name, inv.user, inv.user_name)

    def local_day(self, tz: str | None) -> dt.date:
        """Today in ``tz`` (UTC when None)."""
        return self.clock.now().astimezone(zoneinfo.ZoneInfo(tz or "UTC")).date()

    async def team_for(self, inv: Invocation, ws: int, person: int) -> tuple[int, str, str] | None:
        """The team a command refers to, as (id, name, zone): the channel's team, else the person's."""
        ch = await self.store.get_channel(ws, inv.channel)
        team_id = ch.team_id if ch is not None else None
        if team_id is None:
            mine = await self.store.person_team(ws, person)
            team_id = mine[0] if mine else None
        if team_id is None:
            return None
        tid, name, tz, _ws = await self.store.team_info(team_id)
        return tid, name, tz


async def attach_chart(
    renderer: ChartRenderer | None, reply: Reply, draw: Callable[[ChartRenderer], ChartImage]
) -> Reply:
    """The reply with its chart drawn in a worker thread; without one if charts are off or drawing fails."""
    if renderer is None or not reply.tables:
        return reply
    try:
        image = await asyncio.to_thread(draw, renderer)
    except Exception:
        log.exception("drawing a chart failed; the text reply goes alone")
        return reply
    return dataclasses.replace(reply, image=image)
