"""The ``GET /healthz`` server of ``studybot run`` (``--health-port``); the caller's handler writes the
JSON body."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

__all__ = ["start_health_server"]

log = logging.getLogger(__name__)


async def start_health_server(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]], host: str, port: int, bound: Callable[[str], None]
) -> web.AppRunner:
    app = web.Application()
    app.router.add_get("/healthz", handler)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    actual = runner.addresses[0][1] if runner.addresses else port
    url = f"http://{'127.0.0.1' if host in {'0.0.0.0', ''} else host}:{actual}/healthz"
    log.info("health check on %s", url)
    bound(url)
    return runner
