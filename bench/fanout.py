"""Daily fan-out through the real Slack notifier: every subscribed channel due in the same minute, posted
against a loopback Slack that answers each Web API call after ``latency`` seconds and refuses (429 with
``Retry-After``) a second ``chat.postMessage`` to one channel within a second, as Slack does.

The loopback runs in a process of its own, as Slack is not in the bot's process. The baseline is one
``chat.postMessage`` round trip to the same loopback, measured in the same run.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections import defaultdict
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import aiohttp
from aiohttp import web

from adapters.slack.client import make_client
from adapters.slack.notifier import SlackNotifier
from bench.harness import LoopLag
from bench.scenarios import Figure
from bench.seed import Seeded
from bot.app import Runtime
from bot.core.messages import ChannelRef, Reply

__all__ = ["LoopbackSlack", "bench_fanout"]

FANOUT_LIMIT_S = 10.0  # issue #15: 1,000 channels within 10 s


class _SlackApi:
    """The Web API double's handlers and counters (inside the server process)."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.posts: dict[str, list[float]] = defaultdict(list)  # channel -> times of accepted postMessage
        self.refused = 0  # postMessage calls answered 429
        self.calls = 0

    async def api(self, request: web.Request) -> web.Response:
        self.calls += 1
        method = request.match_info["method"]
        form: dict[str, Any] = {}
        if request.can_read_body:
            form = await request.json() if request.content_type == "application/json" else dict(await request.post())
        await asyncio.sleep(self.latency)
        if method == "chat.postMessage":
            channel = str(form.get("channel", ""))
            now = time.monotonic()
            sent = self.posts[channel]
            if sent and now - sent[-1] < 1.0:
                self.refused += 1
                return web.json_response(
                    {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
                )
            sent.append(now)
            return web.json_response({"ok": True, "channel": channel, "ts": f"{now:.6f}"})
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": "UBOT", "team_id": "TBENCH"})
        return web.json_response({"ok": True})


async def _serve_until_told(latency: float, pipe: Connection) -> None:
    api = _SlackApi(latency)
    app = web.Application()
    app.router.add_post("/api/{method}", api.api)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    pipe.send((host, port))
    await asyncio.get_running_loop().run_in_executor(None, pipe.recv)  # "stop"
    await runner.cleanup()
    pipe.send({"posts": dict(api.posts), "refused": api.refused, "calls": api.calls})


def _server_process(latency: float, pipe: Connection) -> None:
    asyncio.run(_serve_until_told(latency, pipe))


class LoopbackSlack:
    """A Web API double on 127.0.0.1, port 0, in a process of its own (as Slack is not in the bot's
    process: its side of each call does not take the bot's CPU): slow answers, one message a second
    per channel. ``posts``, ``refused`` and ``calls`` are filled in when the block ends."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.posts: dict[str, list[float]] = {}
        self.refused = 0
        self.calls = 0
        self.url = ""
        self._pipe: Connection | None = None
        self._process: BaseProcess | None = None

    async def __aenter__(self) -> LoopbackSlack:
        ctx = multiprocessing.get_context("spawn")
        self._pipe, child = ctx.Pipe()
        self._process = ctx.Process(target=_server_process, args=(self.latency, child), daemon=True)
        self._process.start()
        host, port = await asyncio.to_thread(self._pipe.recv)
        self.url = f"http://{host}:{port}/api/"
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._pipe is None or self._process is None:
            return
        self._pipe.send("stop")
        stats = await asyncio.to_thread(self._pipe.recv)
        self.posts, self.refused, self.calls = stats["posts"], stats["refused"], stats["calls"]
        await asyncio.to_thread(self._process.join, 10)


async def bench_fanout(
    rt: Runtime, seeded: Seeded, channels: int, latency: float, progress: Callable[[str], None]
) -> list[Figure]:
    """Post today's question in ``channels`` new channels at once (as the scheduler's per-channel daily
    jobs fire in the same minute) through :class:`SlackNotifier`, and check one post per channel, none
    refused for pace."""
    service, store = rt.service, rt.store
    now = service.now()
    progress(
        f"  fan-out: subscribing {channels} channels, posting through Slack's notifier ({latency * 1000:.0f} ms API)"
    )
    ids = [
        (await store.subscribe_channel(seeded.workspace_id, f"CFAN{i:05d}", f"fan-{i}", "UTC", "09:00", now)).id
        for i in range(channels)
    ]
    old_notifier = service.notifier
    async with LoopbackSlack(latency) as slack, aiohttp.ClientSession() as session:
        client = make_client("xoxb-bench-loopback", slack.url, session)  # as serve_slack makes it
        notifier = SlackNotifier(client, bot_user_id="UBOT")
        # the baseline: one chat.postMessage round trip, alone, to channels the fan-out does not use
        rounds: list[float] = []
        for i in range(10):
            start = time.perf_counter()
            await notifier.post(ChannelRef("slack", "TBENCH", f"CBASE{i}"), Reply("baseline", private=False))
            rounds.append(time.perf_counter() - start)
        baseline = sorted(rounds)[len(rounds) // 2]
        service.notifier = notifier  # type: ignore[assignment]  # DailyQuestions reads the notifier of the moment
        try:
            async with LoopLag() as lag:
                start = time.perf_counter()
                posts = await asyncio.gather(*(service.daily.post_daily(cid) for cid in ids))
                elapsed = time.perf_counter() - start
        finally:
            service.notifier = old_notifier
    fan = {ch: t for ch, t in slack.posts.items() if ch.startswith("CFAN")}
    if any(p is None for p in posts) or len(fan) != channels or any(len(t) != 1 for t in fan.values()):
        raise RuntimeError("fan-out did not post exactly once per channel")
    return [
        Figure(
            f"daily fan-out: {channels} channels through the Slack notifier, {latency * 1000:.0f} ms loopback API",
            elapsed,
            baseline,
            "one chat.postMessage round trip to the same loopback",
            None,
            lag,
            "all channels",
            details={
                "channels": channels,
                "api_latency_s": latency,
                "api_calls": slack.calls,
                "refused_for_pace": slack.refused,
                "per_channel_s": elapsed / channels,
            },
            limit_s=FANOUT_LIMIT_S,
        )
    ]
