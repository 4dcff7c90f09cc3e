"""``studybot run``: serve Slack and/or Discord (or a terminal chat) on one event loop with one scheduler.

- The platforms come from the settings (a token each) or ``--platform``; with no token the terminal
  chat runs instead. Each configured adapter is started with ``serve_<platform>`` and registers its
  notifier with the :class:`~bot.app.RoutingNotifier`; the scheduler starts once every adapter is
  ready, so no scheduled post goes to a platform that is not connected yet.
- The scheduler runs in whichever process holds the database lease (:mod:`scheduler.leader`).
- SIGTERM or SIGINT sets one stop event: adapters stop taking work, scheduled runs in flight finish,
  the lease is released and the database engine disposed. A second signal kills at once.
- ``--health-port`` serves ``GET /healthz`` (JSON; 200 when every adapter is ready and the scheduler
  loop is alive, else 503).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import signal
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from bot.app import RoutingNotifier, Runtime, build_runtime, settle_heap
from bot.core.clock import Clock, SystemClock
from bot.core.ports import Notifier
from bot.health import start_health_server
from bot.process import INTERRUPTED, ServeFn, holder_id, load_server, resolve_platforms, stop_on_signals
from bot.settings import ConfigError, Settings
from bot.terminal import run_console
from scheduler import ChannelScheduler, SchedulerNode

ANSWERED_EVERY = 5.0  # seconds between edits of an open question's "N answered so far" (Slack and Discord)

__all__ = ["ANSWERED_EVERY", "BotRunner", "run"]

log = logging.getLogger(__name__)


async def run(
    settings: Settings, platform: str = "auto", *, http: bool = False, port: int = 3000, health_port: int | None = None
) -> int:
    """The ``studybot run`` entry point; returns the exit code (ConfigError propagates: exit 2)."""
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # our own lines say what ran, with channel and job
    platforms = resolve_platforms(settings, platform)
    stop = asyncio.Event()
    with stop_on_signals(stop) as received:
        if platforms == ["console"]:
            code = await run_console(settings, stop=stop, health_port=health_port)
            if code == 0 and signal.SIGINT in received:
                print("\n(interrupted) bye", flush=True)
                return INTERRUPTED  # Ctrl-C: the shell convention, 128 + SIGINT
            return code
        return await BotRunner(settings, platforms, http=http, port=port, health_port=health_port).run(stop)


class BotRunner:
    """Runs the platform adapters and one scheduler node on the current event loop until ``stop``.

    Args:
        settings: the typed settings (tokens are passed to the adapters, never logged).
        platforms: ``slack`` and/or ``discord``.
        http: Slack HTTP mode instead of Socket Mode; ``port`` is its port.
        health_port: serve ``GET /healthz`` on this port (0 picks a free one; None: no server).
        health_host: the interface for ``/healthz``.
        clock: the clock (tests pass a manual one).
        servers: ``serve_<platform>`` functions to use instead of importing the adapters (tests).
        options: extra keyword arguments per platform for its ``serve_<platform>`` (tests: fast reconnects).
        drain_seconds: how long scheduled runs in flight may take to finish at shutdown.
    """

    def __init__(
        self,
        settings: Settings,
        platforms: list[str],
        *,
        http: bool = False,
        port: int = 3000,
        health_port: int | None = None,
        health_host: str = "0.0.0.0",
        clock: Clock | None = None,
        servers: Mapping[str, ServeFn] | None = None,
        options: Mapping[str, Mapping[str, Any]] | None = None,
        drain_seconds: float = 30.0,
    ) -> None:
        self.settings = settings
        self.platforms = platforms
        self.http = http
        self.port = port
        self.health_port = health_port
        self.health_host = health_host
        self.clock = clock or SystemClock()
        self.servers = dict(servers or {})
        self.options = {p: dict(o) for p, o in (options or {}).items()}
        self.drain_seconds = drain_seconds
        self.routing: RoutingNotifier | None = None  # built with the runtime in run(), before any adapter starts
        self.node: SchedulerNode | None = None
        self.health_url: str | None = None
        self.ready = asyncio.Event()  # every adapter ready and the scheduler node started
        self._registered: dict[str, Notifier] = {}
        self._registered_event = {p: asyncio.Event() for p in platforms}
        self._platform_ready = {p: asyncio.Event() for p in platforms}

    def _server(self, platform: str) -> ServeFn:
        fn = self.servers.get(platform) or load_server(platform)
        if fn is None:
            raise ConfigError(
                f"the {platform} adapter is not available in this installation; "
                f"unset its token or run with --platform for another platform"
            )
        return fn

    def _register(self, platform: str, notifier: Notifier) -> None:
        assert self.routing is not None, "adapters start after the runtime is built"
        self.routing.register(platform, notifier)
        self._registered[platform] = notifier
        if platform in self._registered_event:
            self._registered_event[platform].set()

    def _serve_kwargs(self, platform: str, fn: ServeFn, stop: asyncio.Event) -> dict[str, Any]:
        s = self.settings
        if platform == "slack":
            kwargs: dict[str, Any] = {
                "bot_token": s.slack_bot_token.get_secret_value(),
                "app_token": s.slack_app_token.get_secret_value() or None,
                "signing_secret": s.slack_signing_secret.get_secret_value() or None,
                "api_url": s.slack_api_url or None,
                "http": self.http,
                "port": self.port,
                "stop": stop,
            }
            if s.slack_client_id or s.slack_client_secret:  # OAuth distribution (run() adds the installation store)
                kwargs |= {
                    "client_id": s.slack_client_id or None,
                    "client_secret": s.slack_client_secret.get_secret_value() or None,
                    "scopes": s.slack_scopes or None,
                }
        else:
            kwargs = {
                "token": s.discord_token.get_secret_value(),
                "api_url": s.discord_api_url or None,
                "gateway_url": s.discord_gateway_url or None,
                "sharded": s.discord_sharded,
                "stop": stop,
                **({"dev_guild": s.discord_dev_guild} if s.discord_dev_guild else {}),
            }
        if "ready" in inspect.signature(fn).parameters:
            kwargs["ready"] = lambda _where: self._platform_ready[platform].set()
        kwargs.update(self.options.get(platform, {}))
        return kwargs

    async def _wait_ready(self, platform: str, has_ready_callback: bool) -> None:
        if has_ready_callback:
            await self._platform_ready[platform].wait()
            return
        # no ready callback (Discord): ready once its notifier is registered and its client says so
        await self._registered_event[platform].wait()
        client = getattr(self._registered[platform], "client", None)
        waiter = getattr(client, "wait_until_ready", None)
        while callable(waiter):
            try:
                await waiter()
                break
            except RuntimeError:  # discord.py: the client is not set up yet (before ``async with client``)
                await asyncio.sleep(0.05)
        self._platform_ready[platform].set()

    async def run(self, stop: asyncio.Event) -> int:
        """Serve until ``stop`` is set (or an adapter fails); returns the exit code, raises ConfigError."""
        servers = {p: self._server(p) for p in self.platforms}
        rt = await build_runtime(
            self.settings.db_url, None, self.clock, admins=self.settings.admins, answered_every=ANSWERED_EVERY
        )
        self.routing = rt.routing
        settle_heap()  # loaded content out of the cyclic GC's full collections, and fewer collections
        self.node = node = SchedulerNode(
            rt.service,
            rt.lease,
            self.clock,
            holder=holder_id(),
            drain_timeout=self.drain_seconds,
            scheduler=ChannelScheduler(rt.service, reconcile=False),  # the adapters reconcile on their own timers
        )
        # the adapters stop after the scheduler: a scheduled post in flight still has its platform connection
        adapters_stop = asyncio.Event()
        adapters: dict[str, asyncio.Task[None]] = {}
        helpers: list[asyncio.Task[Any]] = []
        node_task: asyncio.Task[None] | None = None
        health: web.AppRunner | None = None
        signalled = False
        try:
            if self.health_port is not None:
                health = await self._start_health(rt)
            for p, fn in servers.items():
                kwargs = self._serve_kwargs(p, fn, adapters_stop)
                if "client_id" in kwargs:
                    kwargs["installations"] = rt.installations
                adapters[p] = asyncio.create_task(fn(rt.service, self._register, **kwargs), name=f"serve-{p}")
                helpers.append(asyncio.create_task(self._wait_ready(p, "ready" in kwargs), name=f"ready-{p}"))
            stopper = asyncio.create_task(stop.wait(), name="stop")
            all_ready = asyncio.create_task(asyncio.wait(helpers[:]), name="all-ready")
            helpers += [stopper, all_ready]
            done, _ = await asyncio.wait({*adapters.values(), stopper, all_ready}, return_when=asyncio.FIRST_COMPLETED)
            if all_ready in done and not stop.is_set():
                node_task = asyncio.create_task(node.run(stop), name="scheduler-node")
                self.ready.set()
                log.info("serving %s with one scheduler node (%s)", " and ".join(self.platforms), node.holder)
                await asyncio.wait({*adapters.values(), stopper}, return_when=asyncio.FIRST_COMPLETED)
            signalled = stop.is_set()
        finally:
            stop.set()
            for t in helpers:
                t.cancel()
            if node_task is not None:
                await self._finish([node_task], self.drain_seconds + 5)
            else:
                await node.shutdown()
            adapters_stop.set()
            await self._finish(list(adapters.values()), 20.0)
            if health is not None:
                await health.cleanup()
            await rt.close()
            log.info("stopped; database closed")
        return self._outcome(adapters, signalled)

    @staticmethod
    async def _finish(tasks: list[asyncio.Task[Any]], within: float) -> None:
        if not tasks:
            return
        _done, late = await asyncio.wait(tasks, timeout=within)
        for t in late:
            log.warning("%s did not stop in %.0f s; cancelling it", t.get_name(), within)
            t.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    def _outcome(self, adapters: Mapping[str, asyncio.Task[None]], signalled: bool) -> int:
        code = 0
        for p, task in adapters.items():
            if task.cancelled():
                continue
            exc = task.exception()
            if isinstance(exc, ConfigError):
                raise exc
            if exc is not None:
                log.error("the %s adapter failed", p, exc_info=exc)
                code = 1
        if not signalled and code == 0:
            log.error("an adapter stopped on its own; the bot stopped too")
            code = 1
        return code

    async def _start_health(self, rt: Runtime) -> web.AppRunner:
        async def healthz(_request: web.Request) -> web.Response:
            node = self.node
            platforms = {p: e.is_set() for p, e in self._platform_ready.items()}
            scheduler: dict[str, Any] = node.status() if node is not None else {"healthy": False, "jobs": []}
            scheduler["jobs"] = len(scheduler["jobs"])
            ok = all(platforms.values()) and bool(scheduler.get("healthy"))
            body = {
                "status": "ok" if ok else "starting" if not self.ready.is_set() else "degraded",
                "platforms": platforms,
                "scheduler": scheduler,
            }
            return web.json_response(body, status=200 if ok else 503)

        return await start_health_server(healthz, self.health_host, self.health_port or 0, self._set_health_url)

    def _set_health_url(self, url: str) -> None:
        self.health_url = url
