"""Helpers shared by the scheduler tests and their subprocess harness (not fixtures)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from bot.core.clock import Clock
from bot.core.ports import Notifier
from bot.service import Invocation, QuizService
from content.loader import Bank, bank_files, load_syllabus, read_bank_files, to_question
from storage.db import create_engine
from storage.migrate import upgrade
from storage.store import SqlStore

PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def small_bank() -> Bank:
    """The syllabus and the first question file: the scheduler does not care how many questions exist."""
    syllabus = load_syllabus()
    items, _problems = read_bank_files(bank_files()[:1], syllabus)
    active = [it for it in items if it.model.status != "retired"]
    return Bank(syllabus, tuple(to_question(it.model) for it in active), tuple(items))


@contextlib.asynccontextmanager
async def fresh_postgres() -> AsyncIterator[str]:
    """A throwaway, migrated database on the TEST_DATABASE_URL server (dropped afterwards)."""
    from tests.conftest import _drop_pg_database, _fresh_pg_database

    url, name = await _fresh_pg_database(PG_URL)
    try:
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        await _drop_pg_database(PG_URL, name)


def make_service(url: str, notifier: Notifier, clock: Clock, bank: Bank) -> QuizService:
    return QuizService(SqlStore(create_engine(url)), bank.syllabus, bank.questions, notifier, clock)


def admin(channel: str = "C1") -> Invocation:
    return Invocation("slack", "T1", channel, "UADMIN", "admin", True, channel.lower(), "T1")


async def subscribe(service: QuizService, channel: str, post_time: str, tz: str, *, reveal: str | None = None) -> int:
    """Subscribe ``channel`` as an admin would; returns the channel's database id."""
    replies = await service.handle_command(admin(channel), "/studybot", f"subscribe {post_time} {tz}")
    assert not replies[0].private, replies[0].text
    if reveal:
        await service.handle_command(admin(channel), "/studybot", f"settings reveal {reveal}")
    ws = await service.store.ensure_workspace("slack", "T1")
    ch = await service.store.get_channel(ws, channel)
    assert ch is not None
    return ch.id


async def wait_for(
    predicate: Callable[[], bool | Awaitable[bool]], seconds: float = 5.0, what: str = "condition"
) -> None:
    """Poll ``predicate`` every 10 ms until it is true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if not isinstance(value, bool):
            value = await value
        if value:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        await asyncio.sleep(0.01)
