"""Run the Slack adapter: validate settings, register the notifier, serve Socket Mode or HTTP.

Socket Mode (``SLACK_APP_TOKEN``) needs no public URL. HTTP mode serves one endpoint,
``POST /slack/events``, for events, slash commands and interactivity, with Slack's request
signature always checked; ``GET /healthz`` answers ``ok`` for load balancers.
With ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` (HTTP mode only) one process serves every workspace
that installs the app through ``GET /slack/install`` (OAuth distribution, :mod:`adapters.slack.oauth`):
installations live in the database and each request and post uses its own workspace's bot token.
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
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import build_slack_app, wait_idle
from adapters.slack.gate import MAX_BODY_BYTES, check_http_request
from adapters.slack.notifier import SlackNotifier, ensure_rate_limit_retries
from adapters.slack.oauth import INSTALL_PATH, SlackInstallationStore, make_oauth_settings, parse_scopes
from bot.core.ports import Notifier, SlackInstallations
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
    bot_token: str  # "" with OAuth distribution: each workspace's token comes from its installation
    app_token: str | None
    signing_secret: str | None
    api_url: str
    http: bool
    port: int
    client_id: str | None = None
    client_secret: str | None = None
    scopes: tuple[str, ...] = ()

    @property
    def oauth(self) -> bool:
        return self.client_id is not None and self.client_secret is not None

    def __repr__(self) -> str:  # never print secrets
        mode = "http+oauth" if self.oauth else "http" if self.http else "socket-mode"
        return f"SlackConfig(mode={mode}, api_url={self.api_url}, port={self.port})"


def validate_slack_settings(
    *,
    bot_token: str | None,
    app_token: str | None,
    signing_secret: str | None,
    api_url: str | None,
    http: bool,
    port: int,
    client_id: str | None = None,
    client_secret: str | None = None,
    scopes: str | None = None,
) -> SlackConfig:
    """Check the Slack settings; raise ConfigError naming every problem (never a value).

    ``client_id``/``client_secret`` (``SLACK_CLIENT_ID``/``SLACK_CLIENT_SECRET``) select OAuth distribution:
    HTTP mode, no ``SLACK_BOT_TOKEN``, and ``scopes`` (``SLACK_SCOPES``) optionally replaces the bot scopes.
    """
    problems: list[str] = []
    bot = (bot_token or "").strip()
    cid = (client_id or "").strip() or None
    csecret = (client_secret or "").strip() or None
    oauth = cid is not None or csecret is not None
    wanted = parse_scopes(scopes)
    if oauth:
        problems += _oauth_problems(cid, csecret, bot, http)
        if wanted is None:
            problems.append("SLACK_SCOPES must be comma-separated bot scope names such as chat:write,commands.")
    elif not bot:
        problems.append(
            "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from your app's OAuth & Permissions page "
            "(or, to serve many workspaces, set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET and run with --http)."
        )
    elif not bot.startswith("xoxb-") or re.search(r"\s", bot):
        problems.append(
            "SLACK_BOT_TOKEN does not look like a bot token: it must start with xoxb- (not xoxp- or xapp-)."
        )
    app = (app_token or "").strip() or None
    secret = (signing_secret or "").strip() or None
    if http or oauth:
        if secret is None:
            problems.append(
                "HTTP mode needs SLACK_SIGNING_SECRET: Basic Information > App Credentials > Signing Secret."
            )
        elif re.search(r"\s", secret) or len(secret) < 16:
            problems.append("SLACK_SIGNING_SECRET looks malformed (Slack's signing secrets are 32 hex characters).")
        if not 0 <= port <= 65535:
            problems.append(f"--port must be between 1 and 65535, not {port}.")
    if not http and not oauth:
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
    if oauth:
        return SlackConfig("", app, secret, url, http, port, cid, csecret, wanted or ())
    return SlackConfig(bot, app, secret, url, http, port)


def _oauth_problems(client_id: str | None, client_secret: str | None, bot_token: str, http: bool) -> list[str]:
    where = "(Basic Information > App Credentials)"
    problems: list[str] = []
    if client_id is None:
        problems.append(
            f"SLACK_CLIENT_SECRET is set but SLACK_CLIENT_ID is not: OAuth distribution needs both {where}."
        )
    elif not re.fullmatch(r"[A-Za-z0-9._-]+", client_id):
        problems.append(
            f"SLACK_CLIENT_ID looks malformed (Slack's client ids look like 1234567890.1234567890) {where}."
        )
    if client_secret is None:
        problems.append(
            f"SLACK_CLIENT_ID is set but SLACK_CLIENT_SECRET is not: OAuth distribution needs both {where}."
        )
    elif re.search(r"\s", client_secret) or len(client_secret) < 16:
        problems.append(f"SLACK_CLIENT_SECRET looks malformed (Slack's client secrets are 32 hex characters) {where}.")
    if not http:
        problems.append(
            "OAuth distribution (SLACK_CLIENT_ID/SLACK_CLIENT_SECRET) needs HTTP mode: run with --http, because Slack "
            "sends installers back to /slack/oauth_redirect. For Socket Mode in one workspace, unset them."
        )
    if bot_token:
        problems.append(
            "SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are both set: with OAuth distribution every "
            "workspace (yours too) installs the app at /slack/install and its token is kept in the database; unset "
            "SLACK_BOT_TOKEN, or unset the client id and secret to serve the one workspace of SLACK_BOT_TOKEN."
        )
    return problems


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
    client_id: str | None = None,
    client_secret: str | None = None,
    scopes: str | None = None,
    installations: SlackInstallations | None = None,
) -> None:
    """Run StudyBot in one Slack workspace (or, with OAuth distribution, in every installed one) until ``stop``.

    Args:
        client_id, client_secret, scopes: ``SLACK_CLIENT_ID``, ``SLACK_CLIENT_SECRET``, ``SLACK_SCOPES``;
            the first two select OAuth distribution (HTTP mode), which needs ``installations``.
        installations: where installations and OAuth states are kept (``storage.installations.SqlSlackInstallations``).

    Raises:
        ConfigError: a setting is missing or malformed, or Slack rejected a token (the message
            names the setting, never its value).
    """
    cfg = validate_slack_settings(
        bot_token=bot_token,
        app_token=app_token,
        signing_secret=signing_secret,
        api_url=api_url,
        http=http,
        port=port,
        client_id=client_id,
        client_secret=client_secret,
        scopes=scopes,
    )
    socket_url: str | None = None
    if cfg.oauth:
        if installations is None:
            raise ValueError("OAuth distribution needs an installation store: pass installations=")
        client = make_client(None, cfg.api_url)  # no token of its own: each request and post brings its workspace's
        store = SlackInstallationStore(installations)
        register_notifier("slack", SlackNotifier(client, token_for=store.bot_token_for))
        settings = make_oauth_settings(
            installations,
            client_id=cfg.client_id or "",
            client_secret=cfg.client_secret or "",
            scopes=cfg.scopes,
            api_url=cfg.api_url,
            now=service.now,
        )
        app = build_slack_app(service, client=client, signing_secret=cfg.signing_secret, oauth_settings=settings)
        log.info("Slack OAuth distribution: workspaces install the app at %s on this server", INSTALL_PATH)
    else:
        client = make_client(cfg.bot_token, cfg.api_url)
        bot_user_id, team_id = await _check_bot_token(client, cfg.api_url)
        log.info(
            "Slack bot user %s in workspace %s (%s)", bot_user_id, team_id, "HTTP mode" if cfg.http else "Socket Mode"
        )
        socket_url = None if cfg.http or cfg.app_token is None else await _open_socket_url(client, cfg.app_token)
        register_notifier("slack", SlackNotifier(client, bot_user_id=bot_user_id or None, team_id=team_id or None))
        app = build_slack_app(
            service,
            client=client,
            signing_secret=cfg.signing_secret if cfg.http else None,
            bot_user_id=bot_user_id or None,
        )
    reconciler = asyncio.create_task(reconcile_forever(service, stop, reconcile_every))
    try:
        if cfg.app_token is not None and socket_url is not None:
            await _serve_socket_mode(app, client, cfg.app_token, socket_url, stop, ready)
        else:
            await serve_http(
                app, host=host, port=cfg.port, stop=stop, ready=ready, signing_secret=cfg.signing_secret or ""
            )
    finally:
        if stop.is_set():  # let a running reconciliation pass finish its writes
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(reconciler), DRAIN_SECONDS)
        reconciler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reconciler
        if not await wait_idle(app, DRAIN_SECONDS):
            log.warning("stopped with Slack work still running")
