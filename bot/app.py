"""The composition root: builds storage, content, the service and adapters. Nothing imports it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import Clock
from bot.core.messages import ChannelRef, Message
from bot.core.model import Question, Syllabus
from bot.core.ports import Notifier
from bot.service import QuizService
from content.loader import Bank, load_content
from storage.db import create_engine
from storage.migrate import upgrade_async
from storage.store import SqlStore

__all__ = ["RoutingNotifier", "Runtime", "build_runtime"]

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    engine: AsyncEngine
    store: SqlStore
    service: QuizService
    syllabus: Syllabus
    questions: Sequence[Question]

    async def close(self) -> None:
        await self.service.aclose()
        await self.engine.dispose()


async def build_runtime(
    db_url: str,
    notifier: Notifier,
    clock: Clock,
    *,
    admins: frozenset[str] = frozenset(),
    migrate: bool = True,
    bank: Bank | None = None,
    charts: bool = True,
    answered_every: float = 0.0,
) -> Runtime:
    """Load and validate content (unless given), migrate the database, and wire the service."""
    # reading and validating ~350 YAML items takes most of a second: keep it off the event loop
    if bank is None:
        bank = await asyncio.to_thread(load_content)
    if migrate:
        await upgrade_async(db_url)
    engine = create_engine(db_url)
    store = SqlStore(engine)
    renderer = None
    if charts:
        from bot.charts import MatplotlibCharts

        renderer = MatplotlibCharts()
    service = QuizService(
        store,
        bank.syllabus,
        bank.questions,
        notifier,
        clock,
        admins=admins,
        charts=renderer,
        answered_every=answered_every,
    )
    log.info(
        "content loaded: %d questions over %d objectives",
        len(bank.questions),
        len({q.objective_id for q in bank.questions}),
    )
    return Runtime(engine, store, service, bank.syllabus, bank.questions)


class RoutingNotifier:
    """One notifier per platform behind one port: the service posts, this picks the platform."""

    def __init__(self) -> None:
        self._by_platform: dict[str, Notifier] = {}

    def register(self, platform: str, notifier: Notifier) -> None:
        self._by_platform[platform] = notifier

    def _for(self, platform: str) -> Notifier:
        try:
            return self._by_platform[platform]
        except KeyError:
            from bot.core.ports import PlatformUnavailable

            raise PlatformUnavailable(f"no {platform} connection in this process") from None

    async def post(self, channel: ChannelRef, message: Message) -> str:
        return await self._for(channel.platform).post(channel, message)

    async def add_option_reactions(self, channel: ChannelRef, message_ref: str, count: int) -> None:
        await self._for(channel.platform).add_option_reactions(channel, message_ref, count)

    async def fetch_reactions(self, channel: ChannelRef, message_ref: str) -> Mapping[str, set[str]] | None:
        return await self._for(channel.platform).fetch_reactions(channel, message_ref)

    async def update(self, channel: ChannelRef, message_ref: str, message: Message) -> None:
        await self._for(channel.platform).update(channel, message_ref, message)

    async def direct(self, to: ChannelRef, message: Message) -> str:
        return await self._for(to.platform).direct(to, message)
