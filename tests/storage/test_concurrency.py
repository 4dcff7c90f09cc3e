"""Reliability check 17: the event loop stays responsive during hundreds of concurrent database writes."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest
from sqlalchemy.exc import OperationalError

from bot.core.clock import ManualClock
from bot.service import QuizService
from tests.conftest import admin

T = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


async def test_loop_lag_stays_low_during_500_concurrent_writes(any_service: QuizService, clock: ManualClock) -> None:
    await any_service.handle_command(admin(), "/studybot", "subscribe 09:00 UTC")
    ws = await any_service.store.ensure_workspace("slack", "T1")
    ch = await any_service.store.get_channel(ws, "C1")
    assert ch is not None
    clock.set(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    post = await any_service.daily.post_daily(ch.id)
    assert post is not None and post.message_ref
    lag = 0.0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal lag
        while not stop.is_set():
            t0 = time.perf_counter()
            await asyncio.sleep(0.01)
            lag = max(lag, time.perf_counter() - t0 - 0.01)

    probe = asyncio.create_task(ticker())
    writes = [
        any_service.record_reaction(
            platform="slack",
            workspace="T1",
            channel="C1",
            message_ref=post.message_ref,
            user=f"U{i % 150}",
            reaction=("one", "two", "three", "four")[i % 4],
            added=i % 7 != 0,
            delivery_id=f"Ev{i % 350}",
        )
        for i in range(500)
    ]
    results = await asyncio.gather(*writes)
    stop.set()
    await probe
    assert sum(results) == 350  # 150 duplicate deliveries changed nothing
    assert await any_service.store.count_rows("reaction_event") == 350  # type: ignore[attr-defined]
    assert lag < 0.2, f"event loop stalled {lag:.3f} s"


async def test_sqlite_transactions_of_one_process_take_turns_without_losing_an_update(sql_service: QuizService) -> None:
    """200 read-then-write blocks at once on the SQLite file: each sees the one before it (one writer at a
    time, queued in the process), and none fails or waits out the busy timeout."""
    store = sql_service.store
    ws = await store.ensure_workspace("slack", "T1")
    ch = await store.subscribe_channel(ws, "C1", "c1", "UTC", "09:00", T)

    async def bump() -> None:
        async with store.atomic():
            current = await store.channel_by_id(ch.id)
            await asyncio.sleep(0)  # let every other block try to start meanwhile
            await store.update_channel(ch.id, T, reveal_minutes=current.reveal_minutes + 1)

    await asyncio.gather(*(bump() for _ in range(200)))
    assert (await store.channel_by_id(ch.id)).reveal_minutes == 480 + 200


async def test_a_transaction_waiting_on_one_its_own_block_holds_fails_instead_of_hanging(
    sql_service: QuizService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A block that awaits another task's store call deadlocks on SQLite's one writer; it gets the error
    SQLite's busy timeout would give (here shortened), and the store works afterwards."""
    import storage.sql

    monkeypatch.setattr(storage.sql, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    store = sql_service.store
    ws = await store.ensure_workspace("slack", "T1")
    ch = await store.subscribe_channel(ws, "C1", "c1", "UTC", "09:00", T)
    with pytest.raises(OperationalError, match="database is locked"):
        async with store.atomic():
            await store.channel_by_id(ch.id)
            await asyncio.create_task(store.channel_by_id(ch.id))  # a new task: its own transaction
    assert (await store.channel_by_id(ch.id)).id == ch.id
