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
from collections.abc import Callable

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import build_slack_app, wait_idle
from adapters.slack.client import check_bot_token, make_client, open_socket_url
from adapters.slack.config import validate_slack_settings
from adapters.slack.http import serve_http
from adapters.slack.notifier import SlackNotifier
from adapters.slack.oauth import INSTALL_PATH, SlackInstallationStore, make_oauth_settings
from bot.core.ports import Notifier, SlackInstallations
from bot.service import QuizService

__all__ = ["RECONCILE_SECONDS", "reconcile_forever", "serve_slack"]

log = logging.getLogger(__name__)

RECONCILE_SECONDS = 300.0
DRAIN_SECONDS = 10.0


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
    # one pool of keep-alive connections for every Web API call (slack-sdk opens a connection per call without)
    session = aiohttp.ClientSession()
    try:
        socket_url: str | None = None
        if cfg.oauth:
            if installations is None:
                raise ValueError("OAuth distribution needs an installation store: pass installations=")
            client = make_client(
                None, cfg.api_url, session
            )  # no token of its own: each request and post brings its workspace's
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
            client = make_client(cfg.bot_token, cfg.api_url, session)
            bot_user_id, team_id = await check_bot_token(client, cfg.api_url)
            log.info(
                "Slack bot user %s in workspace %s (%s)",
                bot_user_id,
                team_id,
                "HTTP mode" if cfg.http else "Socket Mode",
            )
            socket_url = None if cfg.http or cfg.app_token is None else await open_socket_url(client, cfg.app_token)
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
    finally:
        await session.close()
