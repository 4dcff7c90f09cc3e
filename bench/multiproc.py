"""Several bot processes on one PostgreSQL database (``--processes``).

After seeding, the parent starts N OS processes (multiprocessing, ``spawn``: nothing is inherited but the
arguments). Each builds its runtime with :func:`bench.harness.bench_runtime` (the bot's ``build_runtime``
against the same database URL), warms up, and says it is ready; the parent then gives every process the
same start time for each phase, and each sends its results back on its pipe:

- ``ingest``: its share of ``--sustained`` deliveries on one open post shared by all processes, at most
  ``--in-flight`` outstanding per process; 10% are redeliveries, each given to another process than the
  one holding the original delivery id (as when two replicas both receive a retried event);
- ``leaderboard`` / ``weakspots``: the text replies (no chart), ``--repeats`` calls one after another in
  every process at once.

The parent then checks that exactly one event is stored per distinct delivery id. The pure parts
(splitting the deliveries, merging the results, the exactly-once check) are unit-tested.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing as mp
import random
import statistics
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy import select

from bench.harness import BenchNotifier, LoopLag, Timing, bench_runtime, scratch_insert_baseline
from bench.scenarios import TARGET_EVENTS_PER_S, Figure, _deliver, _Reaction, _reaction_burst
from bench.seed import Seeded
from bot.app import Runtime, settle_heap
from bot.core.clock import ManualClock
from bot.core.messages import Reply
from bot.service import QuizService
from storage.tables import ReactionEventRow, table_of

__all__ = [
    "BoardsResult",
    "IngestResult",
    "OnceCheck",
    "bench_processes",
    "exactly_once",
    "merge_boards",
    "merge_ingestion",
    "split_deliveries",
]

PHASES = ("ingest", "leaderboard", "weakspots")
READY_TIMEOUT_S = 300.0  # a process imports, loads the bank and connects: seconds, unless the machine stalls
PHASE_TIMEOUT_S = 600.0
START_DELAY_S = 0.5  # the common start time is this far after the last process said it is ready
STOP_TIMEOUT_S = 30.0  # told to stop, a worker closes its runtime; after this it is terminated


def _quantile(ordered: Sequence[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


# -- pure parts ------------------------------------------------------------------------------------
def split_deliveries(
    total: int, duplicate_share: float, processes: int, prefix: str, rng: random.Random
) -> tuple[list[list[_Reaction]], int]:
    """``total`` deliveries split into ``processes`` shares of (nearly) equal size, and the distinct count.

    The distinct events go round-robin; every redelivery repeats a delivery id held by *another*
    process (with one process, its own). Each share is shuffled.
    """
    if processes < 1 or total < 1:
        raise ValueError("need at least one process and one delivery")
    unique = max(1, round(total * (1 - duplicate_share)))
    events, _ = _reaction_burst(unique, 0.0, prefix, rng)
    shares: list[list[_Reaction]] = [events[p::processes] for p in range(processes)]
    for k in range(total - unique):
        target = k % processes
        owner = target if processes == 1 else (target + 1 + rng.randrange(processes - 1)) % processes
        shares[target].append(rng.choice(events[owner::processes]))
    for share in shares:
        rng.shuffle(share)
    return shares, unique


@dataclass(frozen=True)
class OnceCheck:
    """Stored events against the distinct delivery ids delivered."""

    expected: int
    stored: int
    missing: list[str]  # delivered, not stored
    repeated: list[str]  # stored more than once
    unexpected: list[str]  # stored, never delivered

    @property
    def ok(self) -> bool:
        return not (self.missing or self.repeated or self.unexpected) and self.stored == self.expected

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "distinct_deliveries": self.expected,
            "stored_events": self.stored,
            "missing": self.missing[:10],
            "missing_count": len(self.missing),
            "repeated": self.repeated[:10],
            "unexpected": self.unexpected[:10],
        }


def exactly_once(delivered: Iterable[str], stored: Iterable[str]) -> OnceCheck:
    """Whether exactly one event is stored per distinct delivery id delivered (and nothing else)."""
    expected = set(delivered)
    counts = Counter(stored)
    return OnceCheck(
        expected=len(expected),
        stored=sum(counts.values()),
        missing=sorted(expected - counts.keys()),
        repeated=sorted(k for k, n in counts.items() if n > 1),
        unexpected=sorted(counts.keys() - expected),
    )


@dataclass
class IngestResult:
    """What one process reports of its share of deliveries."""

    process: int
    deliveries: int
    started_at: float  # wall clock (time.time()) of the first delivery
    ended_at: float  # ... and when the last one was answered
    latencies: list[float]  # seconds, one per answered delivery
    new: int  # deliveries the service called new
    errors: int = 0
    first_error: str = ""
    lag: dict[str, Any] = field(default_factory=dict)
    lag_ticks: list[float] = field(default_factory=list)
    gc_pauses: list[float] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return self.ended_at - self.started_at

    @property
    def p99(self) -> float:
        return _quantile(sorted(self.latencies), 0.99)


def merge_ingestion(results: Sequence[IngestResult], distinct: int) -> dict[str, Any]:
    """The aggregate of the processes' reports: one window from the first start to the last end."""
    if not results:
        raise ValueError("no results")
    start = min(r.started_at for r in results)
    end = max(r.ended_at for r in results)
    total = sum(r.deliveries for r in results)
    wall = end - start
    merged = sorted(x for r in results for x in r.latencies)
    return {
        "processes": len(results),
        "deliveries": total,
        "distinct": distinct,
        "wall_s": wall,
        "deliveries_per_s": total / wall if wall > 0 else float("inf"),
        "start_skew_s": max(r.started_at for r in results) - start,
        "p50_s": _quantile(merged, 0.5),
        "p99_s": _quantile(merged, 0.99),
        "worst_process_p99_s": max(r.p99 for r in sorted(results, key=lambda r: r.process)),
        "new_flags": sum(r.new for r in results),
        # a redelivery racing its original in another process may also be called new (the unique index
        # still stores it once; see AnswersRepo.record_reactions)
        "new_flags_over_distinct": sum(r.new for r in results) - distinct,
        "errors": sum(r.errors for r in results),
        "per_process": [
            {
                "process": r.process,
                "deliveries": r.deliveries,
                "seconds": r.seconds,
                "deliveries_per_s": r.deliveries / r.seconds if r.seconds > 0 else float("inf"),
                "p50_s": _quantile(sorted(r.latencies), 0.5),
                "p99_s": r.p99,
                "new": r.new,
                "errors": r.errors,
                "first_error": r.first_error,
                "loop_lag": r.lag,
            }
            for r in sorted(results, key=lambda r: r.process)
        ],
    }


@dataclass
class BoardsResult:
    """One process's timed calls of one reply."""

    process: int
    samples: list[float]
    started_at: float
    ended_at: float
    lag_ticks: list[float] = field(default_factory=list)
    gc_pauses: list[float] = field(default_factory=list)


def merge_boards(results: Sequence[BoardsResult]) -> dict[str, Any]:
    """Median over every process's samples, and each process's median."""
    if not results or not all(r.samples for r in results):
        raise ValueError("no samples")
    every = [s for r in results for s in r.samples]
    return {
        "processes": len(results),
        "median_s": statistics.median(every),
        "max_s": max(every),
        "samples": len(every),
        "start_skew_s": max(r.started_at for r in results) - min(r.started_at for r in results),
        "per_process_median_s": [statistics.median(r.samples) for r in sorted(results, key=lambda r: r.process)],
    }


def _lag_of(ticks: Iterable[float], pauses: Iterable[float]) -> LoopLag:
    lag = LoopLag()
    lag.lags = list(ticks)
    lag.gc_pauses = list(pauses)
    return lag


# -- the worker process ----------------------------------------------------------------------------
@dataclass(frozen=True)
class WorkerSpec:
    process: int
    url: str
    now: dt.datetime
    workspace: str  # the ingestion post's workspace, channel and message ref (external ids, as a platform sends)
    channel: str
    message_ref: str
    warm_ref: str  # another open post to warm up on
    deliveries: list[_Reaction]
    in_flight: int
    board_workspace_id: int
    board_team_id: int
    repeats: int
    token: str


def _worker_main(conn: Connection, spec: WorkerSpec) -> None:
    """The spawned process: run the phases the parent starts, send each result back."""
    try:
        asyncio.run(_worker(conn, spec))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
        raise
    finally:
        conn.close()


async def _worker(conn: Connection, spec: WorkerSpec) -> None:
    rt = await bench_runtime(spec.url, ManualClock(spec.now), charts=False)
    settle_heap()  # as bot/runner.py does once the runtime is built
    try:
        service = rt.service
        ws, team = spec.board_workspace_id, spec.board_team_id
        boards: dict[str, Callable[[], Awaitable[Reply]]] = {
            "leaderboard": lambda: service.boards.reply(ws, team, "this", None, private=True),
            "weakspots": lambda: service.weakspots.reply(team),
        }
        # warm-up: the pool's connections, statement caches, the single-flight look-ups
        warm, _ = _reaction_burst(50, 0.0, f"{spec.token}w{spec.process}-", random.Random(spec.process))
        await asyncio.gather(*(_deliver(service, spec.workspace, spec.channel, spec.warm_ref, ev) for ev in warm))
        for op in boards.values():
            await op()
        conn.send(("ready", spec.process))
        while True:
            message = await asyncio.to_thread(conn.recv)
            if message[0] == "stop":
                return
            _go, phase, start_at = message
            delay = start_at - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if phase == "ingest":
                conn.send(("result", await _ingest(service, spec)))
            else:
                conn.send(("result", await _boards(boards[phase], spec)))
    finally:
        await rt.close()


async def _ingest(service: QuizService, spec: WorkerSpec) -> IngestResult:
    gate = asyncio.Semaphore(spec.in_flight)
    latencies: list[float] = []
    errors: list[str] = []
    new = 0

    async def one(ev: _Reaction) -> None:
        nonlocal new
        async with gate:
            try:
                fresh, seconds = await _deliver(service, spec.workspace, spec.channel, spec.message_ref, ev)
            except Exception as exc:  # a failed batch fails its callers; counted, not fatal here
                errors.append(f"{type(exc).__name__}: {exc}"[:500])
                return
        latencies.append(seconds)
        new += fresh

    async with LoopLag() as lag:
        started = time.time()
        await asyncio.gather(*(one(ev) for ev in spec.deliveries))
        ended = time.time()
    return IngestResult(
        spec.process,
        len(spec.deliveries),
        started,
        ended,
        latencies,
        new,
        len(errors),
        errors[0] if errors else "",
        lag.as_dict(),
        lag.lags,
        lag.gc_pauses,
    )


async def _boards(op: Callable[[], Awaitable[Reply]], spec: WorkerSpec) -> BoardsResult:
    samples: list[float] = []
    async with LoopLag() as lag:
        started = time.time()
        for _ in range(spec.repeats):
            t = time.perf_counter()
            await op()
            samples.append(time.perf_counter() - t)
        ended = time.time()
    return BoardsResult(spec.process, samples, started, ended, lag.lags, lag.gc_pauses)


# -- the parent ------------------------------------------------------------------------------------
class _Pool:
    """N spawned workers and their pipes; every phase starts in all of them at one wall-clock time.

    Use it as ``async with``: on leaving, however the block ends (an error, a timeout, cancellation), every
    worker is told to stop, then terminated, then killed if still alive; none outlives the block. The
    workers are daemonic too, so an interpreter that exits without leaving the block takes them with it.
    """

    def __init__(self, specs: Sequence[WorkerSpec]) -> None:
        self.specs = list(specs)
        self.conns: list[Connection] = []
        self.procs: list[mp.process.BaseProcess] = []

    async def __aenter__(self) -> _Pool:
        ctx = mp.get_context("spawn")
        try:
            for spec in self.specs:
                parent, child = ctx.Pipe()
                proc = ctx.Process(
                    target=_worker_main, args=(child, spec), name=f"bench-worker-{spec.process}", daemon=True
                )
                self.conns.append(parent)
                self.procs.append(proc)
                proc.start()
                child.close()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def _receive(self, index: int, wait_s: float) -> Any:
        conn, proc = self.conns[index], self.procs[index]

        def recv() -> Any:
            if not conn.poll(wait_s):
                raise TimeoutError(f"bench worker {index} sent nothing in {wait_s:g} s")
            try:
                return conn.recv()
            except EOFError:
                proc.join(5)
                raise RuntimeError(f"bench worker {index} ended without a word (exit code {proc.exitcode})") from None

        kind, payload = await asyncio.to_thread(recv)
        if kind == "error":
            raise RuntimeError(f"bench worker {index} failed:\n{payload}")
        return payload

    async def ready(self) -> None:
        await asyncio.gather(*(self._receive(i, READY_TIMEOUT_S) for i in range(len(self.conns))))

    async def run(self, phase: str) -> list[Any]:
        start_at = time.time() + START_DELAY_S
        for c in self.conns:
            c.send(("go", phase, start_at))
        return list(await asyncio.gather(*(self._receive(i, PHASE_TIMEOUT_S) for i in range(len(self.conns)))))

    async def close(self) -> None:
        """Stop every worker: a word first (each closes its runtime), then SIGTERM, then SIGKILL."""
        for c in self.conns:
            try:
                c.send(("stop",))
            except (BrokenPipeError, OSError):
                pass
        procs = [p for p in self.procs if p.pid is not None]  # started

        def join_all(deadline_s: float) -> None:
            end = time.monotonic() + deadline_s
            for p in procs:
                p.join(max(0.0, end - time.monotonic()))

        try:
            await asyncio.shield(asyncio.to_thread(join_all, STOP_TIMEOUT_S))
        finally:
            # a worker still busy with a phase (after a timeout or an error elsewhere) does not read the word
            for p in procs:
                if p.is_alive():
                    p.terminate()
            join_all(5.0)
            for p in procs:
                if p.is_alive():
                    p.kill()
                    p.join(5.0)
            for c in self.conns:
                c.close()


async def bench_processes(
    rt: Runtime,
    seeded: Seeded,
    url: str,
    counts: Sequence[int],
    total: int,
    duplicate_share: float,
    in_flight: int,
    repeats: int,
    rng: random.Random,
    progress: Callable[[str], None],
) -> list[Figure]:
    """Ingestion and the two team boards from 1 and each of ``counts`` processes at once (see the module)."""
    if rt.engine.dialect.name != "postgresql":
        raise ValueError("several bot processes need PostgreSQL (one SQLite file has one writer)")
    counts = sorted({1, *counts})
    service, store = rt.service, rt.store
    now = service.clock.now()
    token = uuid.uuid4().hex[:6]
    ws = await store.ensure_workspace("slack", "TMULTI", "Multi-process bench")
    RE = table_of(ReactionEventRow)

    # in-process baselines, measured once before any worker starts
    base_n = min(total, 500)
    base_insert_s, _lag = await scratch_insert_baseline(rt.engine, base_n)
    single = Timing()
    for k in range(55):
        t = time.perf_counter()
        await scratch_insert_baseline(rt.engine, 1, warmup=0)
        if k >= 5:
            single.samples.append(time.perf_counter() - t)
    plain = QuizService(rt.store, rt.syllabus, rt.questions, BenchNotifier(), service.clock)
    team = seeded.team_ids[0]
    parent_ops: dict[str, Callable[[], Awaitable[Reply]]] = {
        "leaderboard": lambda: plain.boards.reply(seeded.workspace_id, team, "this", None, private=True),
        "weakspots": lambda: plain.weakspots.reply(team),
    }
    in_process: dict[str, Timing] = {}
    for name, op in parent_ops.items():
        await op()
        timing = Timing()
        for _ in range(repeats):
            t = time.perf_counter()
            await op()
            timing.samples.append(time.perf_counter() - t)
        in_process[name] = timing

    ingest: dict[int, dict[str, Any]] = {}
    boards: dict[tuple[str, int], dict[str, Any]] = {}
    lags: dict[tuple[str, int], LoopLag] = {}
    for n in counts:
        ch = await store.subscribe_channel(ws, f"CMULTI{n}", f"multi-{n}", "UTC", "09:00", now)
        warm_post = await service.daily.post_daily(ch.id, manual=True)
        post = await service.daily.post_daily(ch.id, manual=True)
        assert warm_post is not None and warm_post.message_ref is not None
        assert post is not None and post.message_ref is not None
        shares, distinct = split_deliveries(total, duplicate_share, n, f"{token}m{n}-", rng)
        specs = [
            WorkerSpec(
                p,
                url,
                now,
                "TMULTI",
                f"CMULTI{n}",
                post.message_ref,
                warm_post.message_ref,
                shares[p],
                in_flight,
                seeded.workspace_id,
                team,
                repeats,
                f"{token}n{n}",
            )
            for p in range(n)
        ]
        progress(f"  {n} process(es): starting, each building its runtime ...")
        async with _Pool(specs) as pool:
            await pool.ready()
            results: list[IngestResult] = await pool.run("ingest")
            merged = merge_ingestion(results, distinct)
            async with rt.engine.begin() as conn:
                stored = list((await conn.execute(select(RE.c.delivery_id).where(RE.c.post_id == post.id))).scalars())
            check = exactly_once((ev.delivery_id for share in shares for ev in share), stored)
            merged["exactly_once"] = check.as_dict()
            ingest[n] = merged
            lags[("ingest", n)] = _lag_of(
                (t for r in results for t in r.lag_ticks), (g for r in results for g in r.gc_pauses)
            )
            p99s = ", ".join(f"{p['p99_s'] * 1000:.0f}" for p in merged["per_process"])
            progress(
                f"  {n} process(es): {total:,} deliveries in {merged['wall_s']:.2f} s "
                f"({merged['deliveries_per_s']:,.0f}/s), p99 per process {p99s} ms, "
                f"errors {merged['errors']}, one event per distinct delivery: {check.ok}"
            )
            for r in merged["per_process"]:
                if r["errors"]:
                    progress(f"    process {r['process']}: {r['errors']:,} failed, the first: {r['first_error']}")
            for phase in ("leaderboard", "weakspots"):
                board_results: list[BoardsResult] = await pool.run(phase)
                boards[(phase, n)] = merge_boards(board_results)
                lags[(phase, n)] = _lag_of(
                    (t for r in board_results for t in r.lag_ticks), (g for r in board_results for g in r.gc_pauses)
                )
                medians = ", ".join(f"{m * 1000:.0f}" for m in boards[(phase, n)]["per_process_median_s"])
                progress(
                    f"  {n} process(es): {phase} median {boards[(phase, n)]['median_s'] * 1000:.1f} ms "
                    f"(per process {medians} ms)"
                )

    figures: list[Figure] = []
    one = ingest[1]
    for n in counts:
        m = ingest[n]
        first = n == 1
        figures.append(
            Figure(
                f"{n} process{'es' if n > 1 else ''}: ingestion ({total:,} deliveries, {duplicate_share:.0%} "
                f"duplicates{' across processes' if n > 1 else ''}, {in_flight} in flight each)",
                m["wall_s"] / total,
                base_insert_s / base_n if first else one["wall_s"] / total,
                f"one of {base_n} concurrent one-row INSERT transactions"
                if first
                else "the same with 1 process (per delivery)",
                None,
                lags[("ingest", n)],
                "per delivery",
                details=m,
                limit_s=1 / TARGET_EVENTS_PER_S,
                passed=m["exactly_once"]["ok"] and m["errors"] == 0,
            )
        )
        figures.append(
            Figure(
                f"{n} process{'es' if n > 1 else ''}: ingestion p99 latency, worst process (burst, no target)",
                m["worst_process_p99_s"],
                single.median if first else one["worst_process_p99_s"],
                "one INSERT transaction alone" if first else "the same with 1 process",
                None,
                lags[("ingest", n)],
                "p99",
                details={"per_process_p99_s": [p["p99_s"] for p in m["per_process"]], "all_p99_s": m["p99_s"]},
            )
        )
    for phase, label in (("leaderboard", "/leaderboard"), ("weakspots", "/weakspots")):
        for n in counts:
            b = boards[(phase, n)]
            first = n == 1
            figures.append(
                Figure(
                    f"{n} process{'es' if n > 1 else ''}: {label} text reply, {repeats} calls each at once",
                    b["median_s"],
                    in_process[phase].median if first else boards[(phase, 1)]["median_s"],
                    "the same call in the bench's own process" if first else "the same with 1 process",
                    None,
                    lags[(phase, n)],
                    "median",
                    details=b | ({"in_process": in_process[phase].as_dict()} if first else {}),
                )
            )
    failed = [n for n in counts if not ingest[n]["exactly_once"]["ok"]]
    if failed:
        progress(f"  NOT exactly one stored event per distinct delivery with {failed} process(es)")
    return figures
