"""Fixtures for the Discord adapter: a FakeDiscord on 127.0.0.1:0, a real service, real discord.py clients.

The service runs on MemoryStore unless a test is marked ``sqlite`` (tests/backends.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from bot.app import RoutingNotifier, build_runtime
from bot.core.clock import ManualClock
from content.loader import Bank
from tests.adapters.discord.fake_discord import FakeDiscord
from tests.adapters.discord.harness import ADMIN, CHAN_A, CHAN_A2, CHAN_B, GUILD_A, GUILD_B, OWNER, Bot, World
from tests.backends import on_sqlite, wire_memory_service


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    f = FakeDiscord()
    f.add_guild(GUILD_A, "Study Group A", {CHAN_A: "daily-quiz", CHAN_A2: "locked"}, owner_id=OWNER)
    f.add_guild(GUILD_B, "Study Group B", {CHAN_B: "quiz"}, owner_id=OWNER)
    f.person(ADMIN, "admin")
    f.person(OWNER, "owner")
    await f.start()
    try:
        yield f
    finally:
        await f.close()


@pytest.fixture
async def world(
    request: pytest.FixtureRequest, fake: FakeDiscord, clock: ManualClock, bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[World]:
    """The real service on MemoryStore, or (a test marked ``sqlite``) ``build_runtime``'s on a SQLite file."""
    monkeypatch.setattr("bot.app.load_content", lambda: bank)  # parse the YAML bank once per session, not per test
    routing = RoutingNotifier()
    rt = await build_runtime(request.getfixturevalue("db_url"), routing, clock) if on_sqlite(request) else None
    w = World(fake, rt.service if rt else wire_memory_service(routing, clock, bank), routing, clock)
    try:
        yield w
    finally:
        for bot in w.bots:
            if not bot.task.done():
                bot.stop_event.set()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(bot.task, 10)
        # a database call cut short by a cancelled worker still finishes in aiosqlite's thread: let it
        # deliver its result while this test's event loop is open, then close the runtime
        await asyncio.sleep(0.2)
        if rt is not None:
            await rt.close()
        else:
            await w.service.aclose()


@pytest.fixture
async def bot(world: World) -> Bot:
    return await world.start_bot()
