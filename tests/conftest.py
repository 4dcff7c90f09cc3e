"""Shared fixtures: a clean environment, a temporary SQLite file (or TEST_DATABASE_URL), a manual clock."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.core.messages import ChannelRef, Message
from bot.service import Invocation, QuizService
from content.loader import Bank, load_content
from tests.dbshare import pytest_addoption as pytest_addoption
from tests.dbshare import pytest_configure as pytest_configure

_KEEP = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TEST_DATABASE_URL", "PYTHONPATH", "VIRTUAL_ENV", "SYSTEMROOT"}


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees a real token or a developer's settings."""
    for key in list(os.environ):
        if key not in _KEEP and (key.startswith(("STUDYBOT_", "SLACK_", "DISCORD_")) or key == "DATABASE_URL"):
            monkeypatch.delenv(key)
    yield


@pytest.fixture(scope="session")
def bank() -> Bank:
    return load_content()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC))  # a Monday


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite file per test."""
    return sqlite_url(tmp_path)


class RecordingNotifier:
    """A Notifier that records what the service sent and lets tests set platform reactions."""

    def __init__(self) -> None:
        self.sent: list[tuple[ChannelRef, Message, str]] = []
        self.reactions: dict[str, dict[str, set[str]]] = {}
        self.refuse: set[str] = set()  # channel ids that raise PlatformError
        self.updates: list[tuple[ChannelRef, str, Message]] = []  # messages replaced in place
        self.directs: list[tuple[ChannelRef, Message]] = []  # direct messages (``to.channel`` is the user)
        self.refuse_dm: set[str] = set()  # users whose DMs are refused (DirectMessageRefused)
        self.dm_attempts = 0
        self._n = 0

    async def post(self, channel: ChannelRef, message: Message) -> str:
        from bot.core.ports import PlatformError

        if channel.channel in self.refuse:
            raise PlatformError("missing permission")
        self._n += 1
        ref = f"ts{self._n}"
        self.sent.append((channel, message, ref))
        return ref

    async def add_option_reactions(self, channel: ChannelRef, message_ref: str, count: int) -> None:
        self.reactions.setdefault(message_ref, {})

    async def fetch_reactions(self, channel: ChannelRef, message_ref: str) -> Mapping[str, set[str]] | None:
        return {k: set(v) for k, v in self.reactions.get(message_ref, {}).items()}

    async def update(self, channel: ChannelRef, message_ref: str, message: Message) -> None:
        self.updates.append((channel, message_ref, message))

    async def direct(self, to: ChannelRef, message: Message) -> str:
        from bot.core.ports import DirectMessageRefused

        self.dm_attempts += 1
        if to.channel in self.refuse_dm:
            raise DirectMessageRefused("cannot send messages to this user")
        self.directs.append((to, message))
        return f"dm{len(self.directs)}"

    def of_type(self, kind: type) -> list[Message]:
        return [m for _c, m, _r in self.sent if isinstance(m, kind)]


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
async def sql_service(
    db_url: str, notifier: RecordingNotifier, clock: ManualClock, bank: Bank
) -> AsyncIterator[QuizService]:
    """The service of ``build_runtime`` on a migrated SQLite file (or TEST_DATABASE_URL's database)."""
    from bot.app import build_runtime

    rt = await build_runtime(db_url, notifier, clock, bank=bank)
    try:
        yield rt.service
    finally:
        await rt.close()


@pytest.fixture
def service(sql_service: QuizService) -> QuizService:
    """On SQL here; folders above storage import ``tests.backends.above_storage_service`` (MemoryStore)."""
    return sql_service


def admin(channel: str = "C1", user: str = "UADMIN", workspace: str = "T1", platform: str = "slack") -> Invocation:
    return Invocation(platform, workspace, channel, user, user.lower(), True, channel.lower(), workspace)


def member(user: str, channel: str = "C1", workspace: str = "T1", platform: str = "slack") -> Invocation:
    return Invocation(platform, workspace, channel, user, user.lower(), False, channel.lower(), workspace)


async def _pg_admin(base_url: str, sql: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on the maintenance database of ``base_url``'s server."""
    import asyncpg
    from sqlalchemy.engine import make_url

    u = make_url(base_url)
    conn = await asyncpg.connect(
        user=u.username, password=u.password, host=u.host, port=u.port, database=u.database or "postgres"
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _fresh_pg_database(base_url: str) -> tuple[str, str]:
    """Create a throwaway database on the server of ``base_url``, a copy of the migrated template; return (url, name)."""
    import uuid

    from sqlalchemy.engine import make_url

    name = f"studybot_test_{uuid.uuid4().hex[:12]}"
    template = await _pg_template(base_url)
    await _pg_admin(base_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = make_url(base_url).set(drivername="postgresql+asyncpg", database=name)
    return url.render_as_string(hide_password=False), name


_PG_TEMPLATES: dict[str, str] = {}  # server URL -> a database migrated to head once per test session


async def _pg_template(base_url: str) -> str:
    """A database migrated to head from empty, once per session: each test's database is a copy of it
    (``CREATE DATABASE ... TEMPLATE``), so a test's own ``upgrade`` finds it at head instead of running
    every migration again. Dropped at the end of the session."""
    import uuid

    from sqlalchemy.engine import make_url

    from storage.migrate import upgrade_async

    if base_url not in _PG_TEMPLATES:
        name = f"studybot_template_{uuid.uuid4().hex[:12]}"
        await _pg_admin(base_url, f'CREATE DATABASE "{name}"')
        url = make_url(base_url).set(drivername="postgresql+asyncpg", database=name)
        await upgrade_async(url.render_as_string(hide_password=False))
        _PG_TEMPLATES[base_url] = name
    return _PG_TEMPLATES[base_url]


@pytest.fixture(scope="session", autouse=True)
def _drop_pg_templates() -> Iterator[None]:
    yield
    import asyncio

    for base_url, name in _PG_TEMPLATES.items():
        asyncio.run(_drop_pg_database(base_url, name))


async def _drop_pg_database(base_url: str, name: str) -> None:
    await _pg_admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
async def any_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Storage tests run on a SQLite file and, when TEST_DATABASE_URL is set, on PostgreSQL."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL storage tests need a server (.ci/run starts one)")
    url, name = await _fresh_pg_database(base)
    try:
        yield url
    finally:
        await _drop_pg_database(base, name)


@pytest.fixture
async def any_service(
    any_db_url: str, notifier: RecordingNotifier, clock: ManualClock, bank: Bank
) -> AsyncIterator[QuizService]:
    from bot.app import build_runtime

    rt = await build_runtime(any_db_url, notifier, clock, bank=bank)
    try:
        yield rt.service
    finally:
        await rt.close()
