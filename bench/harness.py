"""Measuring tools shared by the benchmarks: timers, an event-loop lag monitor, an in-memory notifier,
a store proxy that attributes time to store methods, and the in-run baselines every figure is divided by.
"""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import statistics
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, Table, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import Runtime, build_runtime
from bot.core.clock import Clock
from bot.core.messages import ChannelRef, Message
from storage.tables import Answer

__all__ = [
    "SCRATCH",
    "BenchNotifier",
    "LoopLag",
    "TimedStore",
    "Timing",
    "bench_runtime",
    "create_scratch",
    "drop_scratch",
    "pk_select_baseline",
    "raw_sqlite_event_baseline",
    "scratch_insert_baseline",
    "time_repeated",
]


@dataclass
class Timing:
    """Wall-clock samples (seconds) of one measured operation."""

    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def best(self) -> float:
        return min(self.samples)

    def as_dict(self, samples: bool = True) -> dict[str, Any]:
        out = {"median_s": self.median, "min_s": self.best, "max_s": max(self.samples), "runs": len(self.samples)}
        return out | ({"samples_s": [round(s, 6) for s in self.samples]} if samples else {})


class LoopLag:
    """Measures event-loop lateness while active: a ticker sleeps ``interval`` and records how late it wakes.

    Anything that holds the loop (CPU work in a coroutine, a blocking call) shows up as lag; waiting on
    the database in a worker thread or socket does not.
    """

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.lags: list[float] = []
        self.gc_pauses: list[float] = []  # full (generation 2) collections of the cyclic GC meanwhile
        self._task: asyncio.Task[None] | None = None
        self._gc_start = 0.0

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            self.gc_pauses.append(time.perf_counter() - self._gc_start)

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(self.interval)
            self.lags.append(max(0.0, loop.time() - start - self.interval))

    async def __aenter__(self) -> LoopLag:
        gc.callbacks.append(self._on_gc)
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0)  # let the ticker start
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        finally:
            gc.callbacks.remove(self._on_gc)
        self._task = None

    @property
    def max(self) -> float:
        return max(self.lags, default=0.0)

    @property
    def gc_max(self) -> float:
        return max(self.gc_pauses, default=0.0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "max_s": self.max,
            "p99_s": self.p99,
            "ticks": len(self.lags),
            "gc_full_collections": len(self.gc_pauses),
            "gc_longest_s": self.gc_max,
        }

    @property
    def p99(self) -> float:
        if not self.lags:
            return 0.0
        ordered = sorted(self.lags)
        return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


class BenchNotifier:
    """An in-memory :class:`bot.core.ports.Notifier` (like the tests' RecordingNotifier) that only counts."""

    def __init__(self) -> None:
        self.posts = 0
        self.by_channel: dict[str, int] = defaultdict(int)
        self._run = uuid.uuid4().hex[:8]  # message refs unique per run (a --cache database holds earlier runs')

    async def post(self, channel: ChannelRef, message: Message) -> str:
        self.posts += 1
        self.by_channel[channel.channel] += 1
        return f"bench-ts-{self._run}-{self.posts}"

    async def add_option_reactions(self, channel: ChannelRef, message_ref: str, count: int) -> None:
        return None

    async def direct(self, to: ChannelRef, message: Message) -> str:
        return f"bench-dm-{self._run}-{to.channel}"

    async def fetch_reactions(self, channel: ChannelRef, message_ref: str) -> Mapping[str, set[str]] | None:
        return {}

    async def update(self, channel: ChannelRef, message_ref: str, message: Message) -> None:
        return None


async def bench_runtime(url: str, clock: Clock, *, charts: bool = True) -> Runtime:
    """The runtime every benchmark process measures: the bot's own ``build_runtime`` (bank, migrations,
    wiring) with an in-memory notifier. ``charts=False`` gives text replies only."""
    return await build_runtime(url, BenchNotifier(), clock, charts=charts)


class TimedStore:
    """Wraps a store: every coroutine method call is timed and counted (to attribute an operation's time).

    Concurrent calls overlap, so use it for one operation at a time.
    """

    def __init__(self, inner: object) -> None:
        self._inner = inner
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not asyncio.iscoroutinefunction(attr):
            return attr

        async def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return await attr(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start
                self.calls[name] += 1

        return timed


async def time_repeated(op: Callable[[], Awaitable[object]], runs: int, *, warmup: int = 1) -> tuple[Timing, LoopLag]:
    """Run ``op`` ``warmup`` times untimed, then ``runs`` times timed, under a loop-lag monitor."""
    for _ in range(warmup):
        await op()
    timing = Timing()
    async with LoopLag() as lag:
        for _ in range(runs):
            start = time.perf_counter()
            await op()
            timing.samples.append(time.perf_counter() - start)
    return timing, lag


# -- baselines -----------------------------------------------------------------------------------
SCRATCH = Table("bench_scratch", MetaData(), Column("v", Integer))


_RAW_EVENTS = """CREATE TABLE raw_event (
    id INTEGER PRIMARY KEY, delivery_id VARCHAR(100) NOT NULL UNIQUE, post_id INTEGER NOT NULL,
    person_id INTEGER NOT NULL, option INTEGER, raw_emoji VARCHAR(100) NOT NULL, added BOOLEAN NOT NULL,
    is_bot BOOLEAN NOT NULL, source VARCHAR(16) NOT NULL, occurred_at DATETIME NOT NULL,
    received_at DATETIME NOT NULL)"""


def _raw_events(path: Path, n: int, per_commit: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # as storage/db.py sets it
        conn.execute(_RAW_EVENTS)
        now = "2026-03-05 09:00:00.000000"
        rows = [(f"Ev{k:08d}", 1, k % 2500, k % 4, "one", True, False, "event", now, now) for k in range(n)]
        insert = (
            "INSERT INTO raw_event (delivery_id, post_id, person_id, option, raw_emoji, added, is_bot, source,"
            " occurred_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        start = time.perf_counter()
        for i in range(0, n, per_commit):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(insert, rows[i : i + per_commit])
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
        if conn.execute("SELECT count(*) FROM raw_event").fetchone()[0] != n:
            raise RuntimeError("the raw sqlite3 baseline did not store every event")
        return elapsed / n
    finally:
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


async def raw_sqlite_event_baseline(beside: Path, n: int, per_commit: int) -> float:
    """Seconds per event for plain ``sqlite3`` (no engine, no event loop) storing ``n`` reaction-event-shaped
    rows with a unique delivery id, ``per_commit`` to a ``BEGIN IMMEDIATE ... COMMIT``, in WAL mode with the
    bot's ``synchronous=NORMAL``, in a new file next to ``beside`` (the same file system). The physical
    baseline of ingestion: what this machine's SQLite does without anything of ours around it. Run in a
    worker thread, so the loop stays free; the file is removed afterwards."""
    return await asyncio.to_thread(_raw_events, beside.parent / f"bench-raw-{uuid.uuid4().hex[:8]}.db", n, per_commit)


async def create_scratch(engine: AsyncEngine) -> None:
    """The baseline's one-column table; created once per run so every baseline meets warm statement caches."""
    async with engine.begin() as conn:
        await conn.run_sync(SCRATCH.metadata.drop_all)
        await conn.run_sync(SCRATCH.metadata.create_all)


async def drop_scratch(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(SCRATCH.metadata.drop_all)


async def scratch_insert_baseline(engine: AsyncEngine, n: int, warmup: int = 50) -> tuple[float, LoopLag]:
    """``n`` concurrent one-row INSERTs, each in its own transaction, into the one-column scratch table.

    Issued the way the ingestion burst is issued (``asyncio.gather``) so both share the engine's pool,
    the driver and (on SQLite) the write lock. A small untimed burst first opens the pool's connections.
    Returns the total seconds for all ``n``.
    """

    async def one(i: int) -> None:
        async with engine.begin() as conn:
            await conn.execute(SCRATCH.insert().values(v=i))

    await asyncio.gather(*(one(-i) for i in range(warmup)))
    async with LoopLag() as lag:
        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        elapsed = time.perf_counter() - start
    return elapsed, lag


async def pk_select_baseline(engine: AsyncEngine, ids: list[int], runs: int) -> Timing:
    """A single primary-key SELECT on ``answer`` per transaction, as the store issues reads."""
    A = Answer.__table__  # type: ignore[attr-defined]
    timing = Timing()
    for i in range(runs + 5):
        key = ids[i % len(ids)]
        start = time.perf_counter()
        async with engine.begin() as conn:
            (await conn.execute(select(A.c.id, A.c.person_id, A.c.correct).where(A.c.id == key))).one()
        if i >= 5:  # the first few warm the pool and the statement cache
            timing.samples.append(time.perf_counter() - start)
    return timing
