"""Group commit (bot/batching.py): order, batch limits, one result per caller, failures reach every caller."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from bot.batching import Batcher


async def test_concurrent_items_share_batches_and_each_caller_gets_its_own_result() -> None:
    written: list[list[int]] = []

    async def flush(items: Sequence[int]) -> list[int]:
        written.append(list(items))
        await asyncio.sleep(0.01)  # a slow commit: the next batch fills up meanwhile
        return [i * 10 for i in items]

    batcher: Batcher[int, int] = Batcher(flush, max_items=50, max_wait=0.002)
    results = await asyncio.gather(*(batcher.submit(i) for i in range(230)))
    assert results == [i * 10 for i in range(230)]
    assert [i for batch in written for i in batch] == list(range(230))  # written in submission order
    assert all(len(b) <= 50 for b in written) and len(written) <= 6 and batcher.batches == len(written)
    assert await batcher.submit(7) == 70  # a lone item still goes out after max_wait


async def test_a_failed_write_fails_every_caller_of_that_batch_and_the_next_batch_still_works() -> None:
    calls = 0

    async def flush(items: Sequence[str]) -> list[bool]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database gone")
        return [True for _ in items]

    batcher: Batcher[str, bool] = Batcher(flush, max_items=10, max_wait=0.001)
    first = await asyncio.gather(*(batcher.submit(f"a{i}") for i in range(3)), return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in first)
    assert await batcher.submit("b") is True


async def test_a_flush_with_the_wrong_number_of_results_is_an_error() -> None:
    async def flush(items: Sequence[int]) -> list[int]:
        return [1]

    batcher: Batcher[int, int] = Batcher(flush, max_items=10, max_wait=0.001)
    with pytest.raises(RuntimeError, match="2 items"):
        await asyncio.gather(batcher.submit(1), batcher.submit(2))
