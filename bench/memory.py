"""Resident memory of one bot process on the seeded database (issue #15: "RSS ≤ 200 MB with the bank
loaded and 10,000 people").

The bench's own process is no measure of the bot: besides the bot's runtime it holds what only the
bench needs (the baselines' thousands of concurrent raw INSERTs and their connections, the hand-written
SQL's results, the loopback Slack server of the fan-out, every latency sample). So a fresh process
(multiprocessing, ``spawn``: nothing is inherited but the arguments) builds the bot's runtime with
:func:`bench.harness.bench_runtime` on the same database and does a bot's work on it, in this order:

1. ``start-up``: the Slack and Discord adapters are imported (slack-bolt, discord.py, aiohttp: a deployed
   bot holds them) and the runtime is built (bank loaded and validated, migrations checked, wiring);
2. ``burst``: ``reactions`` reaction deliveries at once on a new daily post (30% redeliveries);
3. ``boards``: ``/leaderboard``, ``/weakspots`` and ``/stats`` with their charts (matplotlib is imported
   here, on the first chart, as in the bot), for the biggest team and a person with a year of answers;
4. ``drill``: a new person's first drill question;
5. ``daily``: today's question in every seeded channel (a year of history each).

It sends back its resident memory after each step and its peak (``VmHWM``); the parent checks the
peak against the limit.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import multiprocessing as mp
import os
import random
import traceback
import uuid
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench.harness import bench_runtime
from bench.scenarios import _deliver, _reaction_burst
from bench.seed import Seeded
from bot.app import settle_heap
from bot.core.clock import ManualClock
from bot.core.messages import Invocation

__all__ = ["MemoryResult", "bench_memory", "rss_mb"]

TIMEOUT_S = 600.0


def rss_mb() -> float:
    """This process's resident memory now (Linux ``/proc/self/statm``), in MB; NaN elsewhere."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return float("nan")


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (``VmHWM``), in MB; NaN off Linux.

    Not ``ru_maxrss``: Linux keeps that across ``exec``, so a spawned child would report its parent's size."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return float("nan")


@dataclass(frozen=True)
class MemoryResult:
    """What the bot process measured: MB after each step (in order), and its peak."""

    after: list[tuple[str, float]]
    peak_mb: float

    @property
    def end_mb(self) -> float:
        return self.after[-1][1]

    def as_dict(self) -> dict[str, Any]:
        return {
            "after_each_step_mb": {step: round(mb, 1) for step, mb in self.after},
            "end_mb": round(self.end_mb, 1),
            "peak_mb": round(self.peak_mb, 1),
        }


@dataclass(frozen=True)
class _Spec:
    url: str
    now: dt.datetime
    seeded: Seeded
    reactions: int


def _child_main(conn: Connection, spec: _Spec) -> None:
    try:
        conn.send(("result", asyncio.run(_child(spec))))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
        raise
    finally:
        conn.close()


async def _child(spec: _Spec) -> MemoryResult:
    # a deployed bot holds its platform libraries too (slack-bolt, discord.py, aiohttp): both, as a bot serving
    # Slack and Discord at once does, though the bench posts through an in-memory notifier
    importlib.import_module("adapters.slack")
    importlib.import_module("adapters.discord")
    after: list[tuple[str, float]] = []
    rt = await bench_runtime(spec.url, ManualClock(spec.now))
    settle_heap()  # as bot/runner.py does once the runtime is built
    try:
        after.append(("start-up", rss_mb()))
        service, store, seeded = rt.service, rt.store, spec.seeded
        token = uuid.uuid4().hex[:6]  # a database restored from --cache holds earlier runs' deliveries
        ws = await store.ensure_workspace("slack", "TMEMORY", "Memory bench")
        ch = await store.subscribe_channel(ws, f"CMEM{token}", "memory", "UTC", "09:00", service.clock.now())
        post = await service.daily.post_daily(ch.id, manual=True)
        assert post is not None and post.message_ref is not None
        burst, _unique = _reaction_burst(spec.reactions, 0.3, f"{token}m-", random.Random(spec.reactions))
        await asyncio.gather(*(_deliver(service, "TMEMORY", f"CMEM{token}", post.message_ref, ev) for ev in burst))
        after.append(("burst", rss_mb()))

        team, person = seeded.team_ids[0], seeded.sample_people[0]
        for reply in (
            await service.boards.reply(seeded.workspace_id, team, "this", None, private=True),
            await service.weakspots.reply(team),
            await service.progress.reply(seeded.workspace_id, person),
        ):
            assert reply.image is not None, "the boards were to be drawn with their charts"
        after.append(("boards", rss_mb()))

        await service.drills.command(Invocation("slack", "TMEMORY", f"CMEM{token}", f"U{token}drill"), "")
        after.append(("drill", rss_mb()))

        for channel_id in seeded.channel_ids:
            await service.daily.post_daily(channel_id, manual=True)
        after.append(("daily", rss_mb()))
    finally:
        await rt.close()
    return MemoryResult(after, peak_rss_mb())


async def bench_memory(url: str, now: dt.datetime, seeded: Seeded, reactions: int) -> MemoryResult:
    """Run the steps above in a fresh bot process on ``url``; raise if it fails or takes over 10 minutes."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child_main, args=(child, _Spec(url, now, seeded, reactions)), daemon=True)
    proc.start()
    child.close()
    try:
        if not await asyncio.to_thread(parent.poll, TIMEOUT_S):
            raise RuntimeError(f"the memory bench's bot process sent nothing in {TIMEOUT_S:g} s")
        kind, payload = await asyncio.to_thread(parent.recv)
    finally:
        await asyncio.to_thread(proc.join, 30)
        if proc.is_alive():
            proc.kill()
        parent.close()
    if kind != "result":
        raise RuntimeError(f"the memory bench's bot process failed:\n{payload}")
    assert isinstance(payload, MemoryResult)
    return payload
