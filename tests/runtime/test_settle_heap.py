"""Once the runtime is built the start-up heap is frozen and the collector's young threshold raised (bench/
measured full collections of 60-80 ms inside a 5,000-reaction burst without it)."""

from __future__ import annotations

import gc

from bot.app import GC_YOUNG_THRESHOLD, settle_heap


def test_settle_heap_freezes_the_heap_and_raises_only_the_young_threshold() -> None:
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        settle_heap()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, 10, 10)
        gc.set_threshold(100_000, 5, 5)  # a deployment that set a higher one keeps it
        settle_heap()
        assert gc.get_threshold() == (100_000, 5, 5)
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
