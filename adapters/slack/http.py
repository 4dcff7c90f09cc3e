"""Slack HTTP mode: ``POST /slack/events`` behind the request gate, ``GET /healthz``, the OAuth install routes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack.gate import MAX_BODY_BYTES, check_http_request

__all__ = ["EVENTS_PATH", "serve_http"]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


async def serve_http(
    app: AsyncApp,
    *,
    host: str,
    port: int,
    stop: asyncio.Event,
    signing_secret: str,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve ``POST /slack/events`` (and OAuth install routes, if the app has an OAuth flow) until ``stop``.

    Every request passes :func:`adapters.slack.gate.check_http_request` first: unsigned or forged
    requests get 401, unparseable or wrongly typed ones 400, and nothing that reaches bolt can turn into a 500.
    """

    async def events(request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        gate = check_http_request(raw, request.headers, request.content_type or "", signing_secret)
        if gate.text is None:
            log.info("Slack request refused with %d: %s", gate.status, gate.reason)
            return web.Response(status=gate.status, text=gate.reason)
        try:  # bolt reads ids out of the payload while building the request; a payload it cannot read is malformed
            bolt_request = AsyncBoltRequest(body=gate.text, query=request.query_string, headers=dict(request.headers))
        except Exception as exc:
            log.info("Slack request refused with 400: bolt cannot read it (%s: %s)", type(exc).__name__, exc)
            return web.Response(status=400, text="malformed payload")
        try:
            bolt_resp = await app.async_dispatch(bolt_request)
        except Exception:
            log.exception("Slack request could not be handled")
            return web.Response(status=400, text="the request could not be handled")
        if bolt_resp.status >= 500:  # bolt answers its own listener errors with 500; Slack would only retry
            log.warning("Slack request failed inside bolt (%d); answered 400", bolt_resp.status)
            return web.Response(status=400, text="the request could not be handled")
        return await to_aiohttp_response(bolt_resp)

    async def healthz(_request: web.Request) -> web.StreamResponse:
        return web.Response(text="ok")

    web_app = web.Application(client_max_size=MAX_BODY_BYTES)  # larger bodies get 413 before they are read
    web_app.router.add_post(EVENTS_PATH, events)
    web_app.router.add_get("/healthz", healthz)
    flow = app.oauth_flow
    if flow is not None:

        async def install(request: web.Request) -> web.StreamResponse:
            return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))

        async def callback(request: web.Request) -> web.StreamResponse:
            return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

        web_app.router.add_get(flow.install_path, install)
        web_app.router.add_get(flow.redirect_uri_path, callback)
    runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1] if runner.addresses else port
        url = f"http://{host}:{bound}{EVENTS_PATH}"
        log.info("Slack HTTP mode listening on %s", url)
        if flow is not None:
            log.info("Slack install page on http://%s:%s%s (behind your HTTPS proxy)", host, bound, flow.install_path)
        if ready is not None:
            ready(url)
        await stop.wait()
    finally:
        await runner.cleanup()
