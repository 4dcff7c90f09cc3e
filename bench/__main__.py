"""``python -m bench``: StudyBot's benchmarks (not part of the test suite). See bench/README.md."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench import cache
from bench.fanout import bench_fanout
from bench.harness import LoopLag, bench_runtime, create_scratch, drop_scratch
from bench.memory import MemoryResult, bench_memory, rss_mb
from bench.multiproc import bench_processes
from bench.scenarios import (
    BURST_LAG_LIMIT,
    LOOP_LAG_LIMIT,
    Figure,
    bench_against_sql,
    bench_aggregations,
    bench_daily_posting,
    bench_drill,
    bench_ingestion,
    bench_sustained,
)
from bench.seed import FULL_PEOPLE, SeedPlan, seed_workspace
from bot.app import settle_heap
from bot.core.clock import ManualClock
from content.loader import load_content
from storage.migrate import upgrade_async

RESULTS = Path(__file__).resolve().parent / "results"
# a fixed Thursday afternoon: "this week" holds Monday to Thursday, and every run sees the same calendar
NOW = dt.datetime(2026, 3, 5, 15, 0, tzinfo=dt.UTC)
DEFAULT_SCALE = 0.25
# what ``--only`` can select, in the order they run
BENCHMARKS = ("ingestion", "aggregations", "sql", "drill", "daily", "fanout", "memory", "processes")
MAX_PROCESSES = 16


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument(
        "--scale",
        type=float,
        default=DEFAULT_SCALE,
        help=f"share of the full workload of {FULL_PEOPLE:,} people with a year of answers "
        f"(default {DEFAULT_SCALE}: {round(FULL_PEOPLE * DEFAULT_SCALE):,} people)",
    )
    p.add_argument(
        "--teams", type=int, default=4, help="teams (each with a subscribed channel) in the seeded workspace"
    )
    p.add_argument("--reactions", type=int, default=500, help="concurrent record_reaction calls per ingestion burst")
    p.add_argument("--duplicates", type=float, default=0.3, help="share of redelivered (duplicate) reaction events")
    p.add_argument(
        "--sustained", type=int, default=20_000, help="deliveries of the sustained-ingestion run (0: skip it)"
    )
    p.add_argument("--sustained-duplicates", type=float, default=0.1, help="share of redeliveries in that run")
    p.add_argument("--in-flight", type=int, default=1000, help="deliveries outstanding at once in that run")
    p.add_argument("--rate", type=float, default=1000.0, help="deliveries per second offered for the p99 latency")
    p.add_argument("--rounds", type=int, default=3, help="ingestion bursts (and baselines), alternating order")
    p.add_argument("--repeats", type=int, default=5, help="timed runs of each aggregation (after one warm-up)")
    p.add_argument("--baseline-runs", type=int, default=200, help="primary-key SELECTs per baseline measurement")
    p.add_argument(
        "--channels", type=int, default=200, help="new channels posted to at once in the daily-posting benchmark"
    )
    p.add_argument(
        "--backend",
        choices=("sqlite", "postgresql", "all"),
        default="all",
        help="all = SQLite, plus PostgreSQL when BENCH_DATABASE_URL is set",
    )
    p.add_argument("--workdir", type=Path, help="where the SQLite file goes (default: a temporary directory, deleted)")
    p.add_argument("--keep", action="store_true", help="keep the SQLite file / PostgreSQL database afterwards")
    p.add_argument("--seed", type=int, default=20260305, help="random seed of the generated data")
    p.add_argument(
        "--cache",
        type=Path,
        help="SQLite only: keep the seeded database in this folder and start later runs with the same seeding "
        "arguments from a copy of it (seeding at --scale 1 takes about two minutes)",
    )
    p.add_argument(
        "--fanout-channels", type=int, default=1000, help="channels of the daily fan-out benchmark (default 1000)"
    )
    p.add_argument(
        "--fanout-latency",
        type=float,
        default=0.05,
        help="seconds the loopback Slack takes to answer each Web API call (default 0.05)",
    )
    p.add_argument(
        "--only",
        type=lambda v: [x.strip() for x in v.split(",") if x.strip()],
        default=list(BENCHMARKS),
        metavar="NAMES",
        help=f"comma-separated benchmarks to run, of {','.join(BENCHMARKS)} (default: all); "
        "start-up and the bench process's own memory are always reported",
    )
    p.add_argument(
        "--processes",
        type=_counts,
        default=[],
        metavar="N[,N...]",
        help="PostgreSQL only: also run ingestion and the team boards from this many bot processes at once "
        "on the seeded database (e.g. 2,4; one process is always run too, as the baseline)",
    )
    p.add_argument("--no-json", action="store_true", help=f"do not write {RESULTS.name}/<timestamp>.json")
    p.add_argument("--check", action="store_true", help="exit 1 if a figure misses its target")
    args = p.parse_args(argv)
    if args.scale <= 0 or args.teams < 1 or args.reactions < 1 or args.channels < 1 or args.repeats < 1:
        p.error("--scale, --teams, --reactions, --channels and --repeats must be positive")
    if not 0 <= args.duplicates < 1:
        p.error("--duplicates must be in [0, 1)")
    unknown = sorted(set(args.only) - set(BENCHMARKS))
    if unknown or not args.only:
        p.error(f"--only takes a comma-separated list of {','.join(BENCHMARKS)}, not {','.join(unknown) or 'nothing'}")
    if args.processes and args.backend != "postgresql":
        p.error(
            "--processes needs --backend postgresql: several bot processes share one PostgreSQL database "
            "(a SQLite file has one writer at a time, and the bot runs one process on it)"
        )
    if args.processes and args.sustained < max(args.processes):
        p.error("--processes needs --sustained of at least one delivery per process")
    if args.only == ["processes"] and not args.processes:
        p.error("--only processes needs --processes N[,N...]")
    return args


def _counts(value: str) -> list[int]:
    """``--processes``: a comma-separated list of process counts."""
    try:
        counts = sorted({int(x) for x in value.split(",") if x.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of integers: {value!r}") from None
    if not counts or counts[0] < 1 or counts[-1] > MAX_PROCESSES:
        raise argparse.ArgumentTypeError(f"process counts must be between 1 and {MAX_PROCESSES}: {value!r}")
    return counts


def say(line: str) -> None:
    print(line, flush=True)


# -- databases -------------------------------------------------------------------------------------
@contextlib.contextmanager
def sqlite_database(args: argparse.Namespace) -> Iterator[str]:
    if args.workdir is not None or args.keep:
        directory = Path(args.workdir or tempfile.mkdtemp(prefix="studybot-bench-")).resolve()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"bench-{uuid.uuid4().hex[:8]}.db"
        say(f"  SQLite file: {path} (kept)")
        yield f"sqlite+aiosqlite:///{path}"
        return
    with tempfile.TemporaryDirectory(prefix="studybot-bench-") as tmp:
        yield f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"


@contextlib.asynccontextmanager
async def postgres_database(base_url: str, keep: bool) -> AsyncIterator[str]:
    """A throwaway database on the server of ``base_url`` (dropped afterwards unless ``keep``)."""
    import asyncpg
    from sqlalchemy.engine import make_url

    u = make_url(base_url)
    name = f"studybot_bench_{uuid.uuid4().hex[:12]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(
            user=u.username, password=u.password, host=u.host, port=u.port, database=u.database or "postgres"
        )
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    await admin(f'CREATE DATABASE "{name}"')
    try:
        say(f"  PostgreSQL database: {name}" + (" (kept)" if keep else " (dropped afterwards)"))
        yield u.set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- one backend -----------------------------------------------------------------------------------
async def run_backend(url: str, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    clock = ManualClock(NOW)
    plan = SeedPlan(people=max(args.teams * 10, round(FULL_PEOPLE * args.scale)), teams=args.teams, seed=args.seed)
    db_path = Path(make_url(url).database or "") if url.startswith("sqlite") else None
    cached = None
    if args.cache is not None and db_path is not None:
        cached = cache.restore(args.cache, plan, db_path)
        say(f"  seeded database {'restored from' if cached else 'not yet in'} the cache {args.cache}")
    bot_memory: MemoryResult | None = None
    rss_before = rss_mb()
    if cached is not None:
        # a copy seeded before the newest migrations is upgraded first, untimed: start-up is measured on a
        # database at head, as a running deployment has it (an upgrade is a one-off, reported here)
        started = time.perf_counter()
        await upgrade_async(url)
        say(
            f"  cached copy brought to the schema head in {time.perf_counter() - started:.1f} s (not in start-up); "
            f"resident memory {rss_before:.0f} MB before, {rss_mb():.0f} MB after"
        )
    started = time.perf_counter()
    rt = await bench_runtime(url, clock)
    startup_s = time.perf_counter() - started
    started = time.perf_counter()
    await asyncio.to_thread(load_content)
    content_s = time.perf_counter() - started
    rss_start = rss_mb()
    rss_phases: list[tuple[str, float]] = [("start-up", rss_start)]

    def mark(phase: str) -> None:
        rss_phases.append((phase, rss_mb()))

    settle_heap()  # as bot/runner.py does once the runtime is built
    await create_scratch(rt.engine)
    try:
        only = set(args.only)
        figures: list[Figure] = []
        if "ingestion" in only:
            say(f"1/3 reaction ingestion: {args.rounds} bursts of {args.reactions} calls")
            figures += await bench_ingestion(rt, args.reactions, args.duplicates, args.rounds, rng, say)
            mark("ingestion bursts")
            if args.sustained > 0:
                say(f"  sustained ingestion: {args.sustained:,} deliveries, then {args.rate:g}/s offered for 10 s")
                figures += await bench_sustained(
                    rt, args.sustained, args.sustained_duplicates, args.in_flight, args.rate, 10.0, rng, say
                )
                mark("sustained ingestion")
        if cached is not None:
            seeded = cached
        else:
            say(
                f"2/3 aggregations: seeding {plan.days} days for {plan.people:,} people in {plan.teams} teams "
                f"(scale {args.scale:g}) ..."
            )
            seeded = await seed_workspace(rt.store, rt.questions, plan, clock.now(), say)
            if args.cache is not None and db_path is not None:
                await drop_scratch(rt.engine)
                await rt.engine.dispose()
                await asyncio.to_thread(cache.save, args.cache, plan, db_path, seeded)
                await create_scratch(rt.engine)
        say(
            f"  seeded {seeded.answers:,} answers ({seeded.daily_answers:,} daily, {seeded.drill_answers:,} drill), "
            f"{seeded.posts:,} posts in {seeded.seconds:.1f} s"
        )
        if "aggregations" in only:
            figures += await bench_aggregations(rt, seeded, args.repeats, args.baseline_runs, rng, say)
            mark("aggregations")
        if "sql" in only:
            figures += await bench_against_sql(rt, seeded, args.repeats, say)
            mark("against SQL")
        if "drill" in only:
            say("  timing /drill for a person with 5,000 review states ...")
            figures += await bench_drill(rt, seeded, 5000, max(20, 4 * args.repeats), rng)
            mark("drill")
        if "daily" in only:
            say(f"3/3 daily posting: {args.channels} new channels + {len(seeded.channel_ids)} with history")
            figures += await bench_daily_posting(rt, seeded, args.channels, args.reactions, say)
            mark("daily posting")
        if "fanout" in only:
            say(f"daily fan-out: {args.fanout_channels} channels through the Slack notifier")
            figures += await bench_fanout(rt, seeded, args.fanout_channels, args.fanout_latency, say)
            mark("fan-out")
        if "memory" in only:
            say(
                f"resident memory of a fresh bot process: start-up, {args.reactions} reactions, the charted boards, ..."
            )
            bot_memory = await bench_memory(url, NOW, seeded, args.reactions)
            say(
                "  bot process: "
                + ", ".join(f"{step} {mb:.0f} MB" for step, mb in bot_memory.after)
                + f"; peak {bot_memory.peak_mb:.0f} MB (limit {RSS_LIMIT_MB} MB)"
            )
        if "processes" in only and args.processes:
            say(
                f"several bot processes: {', '.join(map(str, sorted({1, *args.processes})))} at once on {rt.engine.dialect.name}"
            )
            figures += await bench_processes(
                rt,
                seeded,
                url,
                args.processes,
                args.sustained,
                args.sustained_duplicates,
                args.in_flight,
                max(args.repeats, 5),
                rng,
                say,
            )
            mark("several processes")
    finally:
        await drop_scratch(rt.engine)
        await rt.close()
    startup = Figure(
        "start-up: content, migrations, wiring (build_runtime)",
        startup_s,
        content_s,
        "loading and validating the question bank alone",
        None,
        LoopLag(),
        "once",
        limit_s=2.0,
    )
    rss_end = rss_mb()
    say(
        "  the bench process's own resident memory (the bot's runtime plus the baselines, the hand-written SQL, "
        "the loopback servers; not the target): after each part "
        + ", ".join(f"{phase} {mb:.0f} MB" for phase, mb in rss_phases)
        + f"; {rss_end:.0f} MB at the end"
    )
    figures.insert(0, startup)
    return {
        "memory": {
            "limit_mb": RSS_LIMIT_MB,
            "bot_process": None if bot_memory is None else bot_memory.as_dict(),
            "bench_process": {"after_each_part_mb": dict(rss_phases), "end_mb": rss_end},
        },
        "dialect": rt.engine.dialect.name,
        "seed": seeded.as_dict() | {"scale": args.scale},
        "figures": [f.as_dict() for f in figures],
        "_figures": figures,
    }


RSS_LIMIT_MB = 200  # issue #15: with the bank loaded and 10,000 people


# -- report ----------------------------------------------------------------------------------------
def fmt_s(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.001:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def print_table(backend: str, result: dict[str, Any]) -> None:
    figures: list[Figure] = result["_figures"]
    seed = result["seed"]
    say("")
    say(
        f"== {backend} · scale {seed['scale']:g}: {seed['people']:,} people in {seed['teams']} teams, "
        f"{seed['answers']:,} answers over a year (seeded in {seed['seconds']:.1f} s)"
    )
    header = ("benchmark", "ratio", "target", "ok", "op", "baseline", "loop lag max")
    rows = [
        (
            f.name,
            f"{f.ratio:,.1f}x",
            " ".join(([f"<= {f.target:g}x"] if f.target else []) + ([f"<= {fmt_s(f.limit_s)}"] if f.limit_s else []))
            or "-",
            {True: "yes", False: "NO", None: "-"}[f.ok],
            f"{fmt_s(f.op_s)} {f.unit}",
            fmt_s(f.baseline_s),
            fmt_s(f.loop_lag_max_s) + (f" (GC {fmt_s(f.lag.gc_max)})" if f.lag.gc_pauses else ""),
        )
        for f in figures
    ]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    right = {1, 2, 4, 5, 6}
    for r in (header, tuple("-" * w for w in widths), *rows):
        say("  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    say(
        f"ratio = op / baseline (same run); ok = ratio within target and loop lag < {LOOP_LAG_LIMIT:g} s "
        f"(< {BURST_LAG_LIMIT:g} s in the ingestion burst); "
        "GC = the longest full collection of Python's cyclic garbage collector meanwhile (it stops the loop)"
    )
    say(
        "baselines: ingestion = one-row INSERT transactions issued the same way; aggregations = one primary-key "
        "SELECT; daily posting = one INSERT of the ingestion baseline"
    )
    for f in figures:
        d = f.details
        if "store_calls" in d:
            parts = [
                f"{name} {v['s'] / d['breakdown_run_s']:.0%} ({v['calls']}x)" for name, v in d["store_calls"].items()
            ]
            say(
                f"  where {f.name.split(' ')[0]} spends {fmt_s(d['breakdown_run_s'])}: "
                f"{', '.join(parts[:4])}; Python in the service {d['python_s'] / d['breakdown_run_s']:.0%}"
            )
        if "per_process" in d:
            once = d["exactly_once"]
            say(
                f"  {f.name.split(':')[0]}: {d['deliveries_per_s']:,.0f} deliveries/s aggregate "
                f"(per process {', '.join(format(p['deliveries_per_s'], ',.0f') for p in d['per_process'])}); "
                f"p99 per process {', '.join(fmt_s(p['p99_s']) for p in d['per_process'])}; start skew "
                f"{fmt_s(d['start_skew_s'])}; errors {d['errors']}; {once['stored_events']:,} stored for "
                f"{once['distinct_deliveries']:,} distinct delivery ids (exactly once: {once['ok']}); "
                f"called new {d['new_flags']:,}"
            )
        if "call_latency_p95_s" in d:
            say(
                f"  ingestion: {d['calls_per_s']:,.0f} calls/s vs {d['baseline_inserts_per_s']:,.0f} inserts/s; "
                f"call latency p50 {fmt_s(d['call_latency_p50_s'])}, p95 {fmt_s(d['call_latency_p95_s'])}; "
                f"stored events match the unique deliveries: {d['stored_events_match']}"
            )

    memory = result["memory"]
    if memory["bot_process"] is not None:
        bot = memory["bot_process"]
        say(
            f"  resident memory of a bot process (bank loaded, {seed['people']:,} people): peak {bot['peak_mb']:.0f} MB "
            f"(limit {memory['limit_mb']} MB: {'ok' if bot['peak_mb'] <= memory['limit_mb'] else 'MISSED'}); "
            f"{bot['end_mb']:.0f} MB after its burst, charted boards, drill and daily posts; MB after each step: "
            + ", ".join(f"{step} {mb:.0f}" for step, mb in bot["after_each_step_mb"].items())
        )
    say(f"  the bench process itself: {memory['bench_process']['end_mb']:.0f} MB at the end")


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "sqlite": sqlite3.sqlite_version,
    }
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        info["commit"] = (
            subprocess.run(
                ["git", "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                timeout=10,
                cwd=Path(__file__).resolve().parent.parent,
            ).stdout.strip()
            or None
        )
    return info


def write_json(
    args: argparse.Namespace,
    started: dt.datetime,
    seconds: float,
    results: dict[str, dict[str, Any]],
    failed: list[str],
) -> Path:
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{started:%Y%m%dT%H%M%SZ}.json"
    payload = {
        "started_at": started.isoformat(),
        "seconds": round(seconds, 1),
        "command": ["python", "-m", "bench", *sys.argv[1:]],
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "machine": machine(),
        "simulated_now": NOW.isoformat(),
        "loop_lag_limit_s": LOOP_LAG_LIMIT,
        "backends": {b: {k: v for k, v in r.items() if not k.startswith("_")} for b, r in results.items()},
        "missed_targets": failed,
    }
    out.write_text(json.dumps(payload, indent=2) + "\n")
    return out


def missed_targets(results: dict[str, dict[str, Any]]) -> list[str]:
    """The figures of ``run_backend``'s results that miss their target, and a bot process over the memory
    limit: what ``--check`` turns into exit status 1."""
    failed = [f.name for r in results.values() for f in r["_figures"] if f.ok is False]
    failed += [
        f"resident memory of a bot process ({b})"
        for b, r in results.items()
        if r["memory"]["bot_process"] is not None and r["memory"]["bot_process"]["peak_mb"] > r["memory"]["limit_mb"]
    ]
    return failed


async def main(args: argparse.Namespace) -> int:
    started = dt.datetime.now(dt.UTC)
    pg_url = os.environ.get("BENCH_DATABASE_URL")
    backends = ["sqlite", "postgresql"] if args.backend == "all" else [args.backend]
    if "postgresql" in backends and not pg_url:
        if args.backend == "postgresql":
            say("BENCH_DATABASE_URL is not set: no PostgreSQL server to benchmark")
            return 2
        backends.remove("postgresql")
    results: dict[str, dict[str, Any]] = {}
    t0 = time.perf_counter()
    for backend in backends:
        say(f"== {backend}")
        if backend == "sqlite":
            with sqlite_database(args) as url:
                results[backend] = await run_backend(url, args)
        else:
            assert pg_url is not None
            async with postgres_database(pg_url, args.keep) as url:
                results[backend] = await run_backend(url, args)
    for backend, result in results.items():
        print_table(backend, result)
    say(f"\nfinished in {time.perf_counter() - t0:.0f} s")
    failed = missed_targets(results)
    if not args.no_json:
        say(f"results: {write_json(args, started, time.perf_counter() - t0, results, failed)}")
    if failed:
        say(f"missed targets: {'; '.join(failed)}")
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
