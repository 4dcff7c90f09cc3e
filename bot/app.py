"""The composition root: the one module that names the concrete classes and builds them.

SqlStore, the engines, migrations, the lease, the Slack installation store, the content loader, the chart
renderer, QuizService and RoutingNotifier are built here and nowhere else (an import-linter contract keeps
``storage`` and ``content.loader`` to this module). ``studybot run`` (:mod:`bot.runner`), the command-line
tools (``doctor``, ``teams load``, ``content item-stats|reports|validate``, ``db upgrade``, ``demo``) and the
tests get their objects from these functions.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.clock import Clock
from bot.core.messages import ChannelRef, Message
from bot.core.model import Question, Syllabus
from bot.core.ports import Notifier, SlackInstallations, Store
from bot.service import QuizService
from content.loader import Bank, ContentError, load_content
from scheduler.leader import LeaseStore
from storage.db import create_engine, sqlite_url_for
from storage.installations import SqlSlackInstallations
from storage.lease import LeaseState, SqlLease
from storage.migrate import head_revisions, upgrade, upgrade_async
from storage.store import SqlStore

__all__ = [
    "GC_YOUNG_THRESHOLD",
    "Bank",
    "ContentError",
    "Database",
    "RoutingNotifier",
    "Runtime",
    "build_runtime",
    "database_in",
    "load_bank",
    "open_database",
    "open_store",
    "settle_heap",
    "upgrade_database",
]

log = logging.getLogger(__name__)


# the cyclic collector's youngest-generation threshold once the runtime is built (Python's default is 700)
GC_YOUNG_THRESHOLD = 50_000


def settle_heap() -> None:
    """Call once the runtime is built. Content and libraries are loaded for good: freezing them keeps them
    out of the cyclic collector's full collections, whose pauses otherwise reach ~0.2 s on the event loop
    during bursts. A higher young-generation threshold makes the collector run less often while a burst
    allocates its coroutines and futures, so that fewer of them reach the old generation and set off a full
    collection in the middle of it (measured by bench/: no full collection in a 5,000-reaction burst,
    instead of one of 60-80 ms). Garbage without reference cycles is freed at once either way."""
    gc.freeze()
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(young, GC_YOUNG_THRESHOLD), middle, old)


def load_bank() -> Bank:
    """Load and validate the syllabus and the question bank (ContentError names every problem)."""
    return load_content()


def database_in(folder: Path) -> str:
    """The URL of a SQLite file in ``folder`` (``studybot demo`` without ``--database``)."""
    return sqlite_url_for(folder)


def upgrade_database(db_url: str) -> None:
    """Apply the migrations (``studybot db upgrade``; blocking)."""
    upgrade(db_url)


@asynccontextmanager
async def open_store(db_url: str, *, migrate: bool = True) -> AsyncIterator[Store]:
    """The store over ``db_url`` for a command-line tool (migrated first unless told), disposed after."""
    if migrate:
        await upgrade_async(db_url)
    engine = create_engine(db_url)
    try:
        yield SqlStore(engine)
    finally:
        await engine.dispose()


@dataclass
class Database:
    """An open, unmigrated database for ``studybot doctor``: the engine to probe, the store, the lease."""

    url: str
    engine: AsyncEngine
    store: Store
    _lease: SqlLease

    async def lease(self, name: str) -> LeaseState | None:
        """Who holds the lease ``name`` and until when; None if nobody ever took it."""
        return await self._lease.current(name)

    async def code_revisions(self) -> set[str]:
        """The migration heads this code brings (compare with the database's own)."""
        return await asyncio.to_thread(head_revisions, self.url)


@asynccontextmanager
async def open_database(db_url: str) -> AsyncIterator[Database]:
    """The database at ``db_url`` as it is (no migration), disposed after."""
    engine = create_engine(db_url)
    try:
        yield Database(db_url, engine, SqlStore(engine), SqlLease(engine))
    finally:
        await engine.dispose()


@dataclass
class Runtime:
    engine: AsyncEngine
    store: SqlStore
    service: QuizService
    syllabus: Syllabus
    questions: Sequence[Question]
    lease: LeaseStore  # the scheduler's lease among processes
    installations: SlackInstallations  # Slack OAuth installations and states (OAuth distribution)
    routing: RoutingNotifier | None = None  # the platforms' notifiers register here (built without a notifier)

    async def close(self) -> None:
        await self.service.aclose()
        await self.engine.dispose()


async def build_runtime(
    db_url: str,
    notifier: Notifier | None,
    clock: Clock,
    *,
    admins: frozenset[str] = frozenset(),
    migrate: bool = True,
    bank: Bank | None = None,
    charts: bool = True,
    answered_every: float = 0.0,
) -> Runtime:
    """Load and validate content (unless given), migrate the database, and wire the service.

    With ``notifier=None`` the service posts through a :class:`RoutingNotifier` (``Runtime.routing``), where
    each platform's adapter registers its own notifier once it is connected.
    """
    # reading and validating ~350 YAML items takes most of a second: keep it off the event loop
    if bank is None:
        bank = await asyncio.to_thread(load_bank)
    if migrate:
        await upgrade_async(db_url)
    engine = create_engine(db_url)
    store = SqlStore(engine)
    routing = None
    if notifier is None:
        notifier = routing = RoutingNotifier()
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
    return Runtime(
        engine, store, service, bank.syllabus, bank.questions, SqlLease(engine), SqlSlackInstallations(engine), routing
    )


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
