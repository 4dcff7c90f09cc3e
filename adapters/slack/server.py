"""Run the Slack adapter: validate settings, register the notifier, serve Socket Mode or HTTP.

Socket Mode (``SLACK_APP_TOKEN``) needs no public URL. HTTP mode serves one endpoint,
``POST /slack/events``, for events, slash commands and interactivity, with Slack's request
signature always checked; ``GET /healthz`` answers ``ok`` for load balancers.
Reconciliation (re-reading the reactions of open posts) runs at start-up and every few minutes,
because Slack gives up after three retries and a process that was down hears nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import build_slack_app, wait_idle
from adapters.slack.notifier import SlackNotifier, ensure_rate_limit_retries
from bot.core.ports import Notifier
from bot.service import QuizService
from bot.settings import ConfigError

__all__ = [
    "DEFAULT_API_URL",
    "EVENTS_PATH",
    "RECONCILE_SECONDS",
    "SlackConfig",
    "make_client",
    "serve_http",
    "serve_slack",
    "validate_slack_settings",
]

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
EVENTS_PATH = "/slack/events"
RECONCILE_SECONDS = 300.0
DRAIN_SECONDS = 10.0
_REJECTED_TOKEN = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "not_allowed_token_type",
}


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str
    app_token: str | None
    signing_secret: str | None
    api_url: str
    http: bool
    port: int

    def __repr__(self) -> str:  # never print secrets
        mode = "http" if self.http else "socket-mode"
        return f"SlackConfig(mode={mode}, api_url={self.api_url}, port={self.port})"


def validate_slack_settings(
    *,
    bot_token: str | None,
    app_token: str | None,
    signing_secret: str | None,
    api_url: str | None,
    http: bool,
    port: int,
) -> SlackConfig:
    """Check the Slack settings; raise ConfigError naming every problem (never a value)."""
    problems: list[str] = []
    bot = (bot_token or "").strip()
    if not bot:
        problems.append(
            "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from your app's OAuth & Permissions page."
        )
    elif not bot.startswith("xoxb-") or re.search(r"\s", bot):
        problems.append(
            "SLACK_BOT_TOKEN does not look like a bot token: it must start with xoxb- (not xoxp- or xapp-)."
        )
    app = (app_token or "").strip() or None
    secret = (signing_secret or "").strip() or None
    if http:
        if secret is None:
            problems.append(
                "HTTP mode needs SLACK_SIGNING_SECRET: Basic Information > App Credentials > Signing Secret."
            )
        elif re.search(r"\s", secret) or len(secret) < 16:
            problems.append("SLACK_SIGNING_SECRET looks malformed (Slack's signing secrets are 32 hex characters).")
        if not 0 <= port <= 65535:
            problems.append(f"--port must be between 1 and 65535, not {port}.")
    else:
        if app is None:
            problems.append(
                "Socket Mode needs SLACK_APP_TOKEN: an app-level token (xapp-...) with the connections:write scope "
                "(Basic Information > App-Level Tokens). For HTTP mode instead, run with --http and set SLACK_SIGNING_SECRET."
            )
        elif not app.startswith("xapp-") or re.search(r"\s", app):
            problems.append("SLACK_APP_TOKEN does not look like an app-level token: it must start with xapp-.")
    url = (api_url or "").strip() or DEFAULT_API_URL
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        problems.append("SLACK_API_URL must be an http(s) URL such as https://slack.com/api/.")
    if problems:
        raise ConfigError("Slack settings: " + " ".join(problems))
    if not url.endswith("/"):  # slack-sdk joins method names with urljoin: ".../api" would drop "api"
        url += "/"
    return SlackConfig(bot, app, secret, url, http, port)


def make_client(token: str | None, api_url: str = DEFAULT_API_URL) -> AsyncWebClient:
    """A Web API client with connection-error and 429 retries (slack-sdk does not retry 429 by default)."""
    client = AsyncWebClient(token=token, base_url=api_url, retry_handlers=[AsyncConnectionErrorRetryHandler()])
    ensure_rate_limit_retries(client)
    return client


def _rejected(exc: SlackApiError) -> str | None:
    error = exc.response.get("error") if exc.response is not None else None
    return str(error) if error in _REJECTED_TOKEN else None


async def _check_bot_token(client: AsyncWebClient, api_url: str) -> tuple[str, str]:
    try:
        auth = await client.auth_test()
    except SlackApiError as exc:
        code = _rejected(exc)
        if code:
            raise ConfigError(
                f"Slack rejected SLACK_BOT_TOKEN ({code}); reinstall the app and copy the current bot token."
            ) from None
        raise
    except (aiohttp.ClientError, OSError) as exc:
        raise ConfigError(
            f"Cannot reach the Slack Web API at {api_url} ({type(exc).__name__}); check SLACK_API_URL and the network."
        ) from None
    return str(auth.get("user_id") or ""), str(auth.get("team_id") or "")


async def reconcile_forever(service: QuizService, stop: asyncio.Event, every: float = RECONCILE_SECONDS) -> None:
    """Repair answers from the platforms' reactions now and then every ``every`` seconds until ``stop``."""
    while not stop.is_set():
        try:
            added = await service.reconcile_open_posts()
            if added:
                log.info("reconciliation repaired %d reaction event(s)", added)
        except Exception:
            log.exception("reconciliation failed; trying again later")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


async def serve_http(
    app: AsyncApp, *, host: str, port: int, stop: asyncio.Event, ready: Callable[[str], None] | None = None
) -> None:
    """Serve ``POST /slack/events`` (and OAuth install routes, if the app has an OAuth flow) until ``stop``."""

    async def events(request: web.Request) -> web.StreamResponse:
        bolt_resp = await app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_resp)

    async def healthz(_request: web.Request) -> web.StreamResponse:
        return web.Response(text="ok")

    web_app = web.Application()
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
        if ready is not None:
            ready(url)
        await stop.wait()
    finally:
        await runner.cleanup()


async def _open_socket_url(client: AsyncWebClient, app_token: str) -> str:
    """The first Socket Mode URL (``apps.connections.open``), opened before anything else starts:
    SocketModeClient.connect() retries forever on any error, a rejected app token included."""
    try:
        opened = await client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        code = _rejected(exc)
        if code:
            raise ConfigError(
                f"Slack rejected SLACK_APP_TOKEN ({code}); create an app-level token with connections:write."
            ) from None
        raise
    return str(opened["url"])


async def _serve_socket_mode(
    app: AsyncApp,
    client: AsyncWebClient,
    app_token: str,
    first_url: str,
    stop: asyncio.Event,
    ready: Callable[[str], None] | None,
) -> None:
    handler = AsyncSocketModeHandler(app, app_token, web_client=client)
    handler.client.wss_uri = first_url
    # connect() retries until it succeeds or the client is closed: race it against ``stop``
    connecting = asyncio.ensure_future(handler.connect_async())  # type: ignore[no-untyped-call]
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if connecting.done():
            connecting.result()
            log.info("Slack Socket Mode connected")
            if ready is not None:
                ready("socket-mode")
            await stop.wait()
    finally:
        stopping.cancel()
        await handler.close_async()  # type: ignore[no-untyped-call]
        connecting.cancel()  # a connect() still retrying (it sleeps between attempts)
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await connecting


async def serve_slack(
    service: QuizService,
    register_notifier: Callable[[str, Notifier], None],
    *,
    bot_token: str,
    app_token: str | None,
    signing_secret: str | None,
    api_url: str | None,
    http: bool,
    port: int,
    stop: asyncio.Event,
    host: str = "0.0.0.0",
    ready: Callable[[str], None] | None = None,
    reconcile_every: float = RECONCILE_SECONDS,
) -> None:
    """Run StudyBot in one Slack workspace until ``stop`` is set.

    Raises:
        ConfigError: a setting is missing or malformed, or Slack rejected a token (the message
            names the setting, never its value).
    """
    cfg = validate_slack_settings(
        bot_token=bot_token, app_token=app_token, signing_secret=signing_secret, api_url=api_url, http=http, port=port
    )
    client = make_client(cfg.bot_token, cfg.api_url)
    bot_user_id, team_id = await _check_bot_token(client, cfg.api_url)
    log.info("Slack bot user %s in workspace %s (%s)", bot_user_id, team_id, "HTTP mode" if cfg.http else "Socket Mode")
    socket_url = None if cfg.http or cfg.app_token is None else await _open_socket_url(client, cfg.app_token)
    register_notifier("slack", SlackNotifier(client, bot_user_id=bot_user_id or None, team_id=team_id or None))
    app = build_slack_app(
        service, client=client, signing_secret=cfg.signing_secret if cfg.http else None, bot_user_id=bot_user_id or None
    )
    reconciler = asyncio.create_task(reconcile_forever(service, stop, reconcile_every))
    try:
        if cfg.app_token is not None and socket_url is not None:
            await _serve_socket_mode(app, client, cfg.app_token, socket_url, stop, ready)
        else:
            await serve_http(app, host=host, port=cfg.port, stop=stop, ready=ready)
    finally:
        if stop.is_set():  # let a running reconciliation pass finish its writes
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(reconciler), DRAIN_SECONDS)
        reconciler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reconciler
        if not await wait_idle(app, DRAIN_SECONDS):
            log.warning("stopped with Slack work still running")
