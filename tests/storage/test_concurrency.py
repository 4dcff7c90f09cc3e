"""Reliability check 17: the event loop stays responsive during hundreds of concurrent database writes."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

from bot.core.clock import ManualClock
from bot.service import QuizService
from tests.conftest import admin


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
