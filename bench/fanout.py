"""Daily fan-out through the real Slack notifier: every subscribed channel due in the same minute, posted
against a loopback Slack that answers each Web API call after ``latency`` seconds and refuses (429 with
``Retry-After``) a second ``chat.postMessage`` to one channel within a second, as Slack does.

The baseline is one ``chat.postMessage`` round trip to the same loopback, measured in the same run.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

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


class LoopbackSlack:
    """A Web API double on 127.0.0.1, port 0: slow answers, Slack's one message a second per channel."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.posts: dict[str, list[float]] = defaultdict(list)  # channel -> times of accepted postMessage
        self.refused = 0  # postMessage calls answered 429
        self.calls = 0
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _api(self, request: web.Request) -> web.Response:
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

    async def __aenter__(self) -> LoopbackSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/api/"
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


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
    async with LoopbackSlack(latency) as slack:
        client = make_client("xoxb-bench-loopback", slack.url)
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
