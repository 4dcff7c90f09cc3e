"""Running the Discord bot: settings checks, endpoint overrides, notifier registration and a clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord.client import PLATFORM, RECONCILE_EVERY, ServicePort, ShardedStudyBotClient, StudyBotClient
from bot.core.ports import Notifier
from bot.settings import ConfigError

__all__ = ["INVITE_PERMISSIONS", "INVITE_SCOPES", "check_settings", "discord_endpoints", "invite_url", "serve_discord"]

log = logging.getLogger(__name__)

INVITE_SCOPES = ("bot", "applications.commands")
# Exactly what the bot does: see channels, post embeds, attach charts, seed and read reactions, fetch its own old posts.
INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    read_message_history=True,
)
API_VERSION_PATH = "/api/v10"


def invite_url(application_id: str) -> str:
    """The OAuth2 URL that adds the bot to a server with exactly the scopes and permissions it needs.

    Raises:
        ValueError: ``application_id`` is not a Discord application id (a snowflake: 17-20 digits).
    """
    app = application_id.strip()
    if not (app.isdigit() and 15 <= len(app) <= 21):
        raise ValueError(
            "The application id is the 17-20 digit number on the Developer Portal's General Information page."
        )
    return discord.utils.oauth_url(app, permissions=INVITE_PERMISSIONS, scopes=INVITE_SCOPES)


def check_settings(token: str, api_url: str | None, gateway_url: str | None) -> tuple[str, str | None, yarl.URL | None]:
    """Validate the settings before anything connects; messages name the setting, never its value.

    Returns:
        The stripped token, the REST base (``.../api/v10``) if overridden, the gateway URL if overridden.

    Raises:
        ConfigError: a setting is missing or malformed.
    """
    token = (token or "").strip()
    if not token:
        raise ConfigError(
            "DISCORD_TOKEN is not set. Create a bot user in the Discord Developer Portal (your application → Bot → "
            "Reset Token), then export DISCORD_TOKEN=<that token>. See docs/discord.md."
        )
    if token.lower().startswith("bot "):
        raise ConfigError("DISCORD_TOKEN must be the bare bot token, without the 'Bot ' prefix.")
    if not token.isascii() or any(ch.isspace() for ch in token):
        raise ConfigError(
            "DISCORD_TOKEN contains spaces or non-ASCII characters; copy it again from the Developer Portal."
        )
    return token, _rest_base(api_url), _gateway(gateway_url)


def _rest_base(api_url: str | None) -> str | None:
    if not api_url:
        return None
    try:
        url = yarl.URL(api_url.strip())
    except ValueError:
        url = None
    if url is None or url.scheme not in {"http", "https"} or not url.host or url.user or url.password:
        raise ConfigError(
            "DISCORD_API_URL must be an http(s) URL without credentials, such as https://discord.com/api/v10 "
            "or http://127.0.0.1:8080 (then /api/v10 is added)."
        )
    path = url.path.rstrip("/")
    base = url.with_query(None).with_fragment(None).with_path(path or API_VERSION_PATH)
    return str(base)


def _gateway(gateway_url: str | None) -> yarl.URL | None:
    if not gateway_url:
        return None
    try:
        url = yarl.URL(gateway_url.strip())
    except ValueError:
        url = None
    if url is None or url.scheme not in {"ws", "wss"} or not url.host or url.user or url.password:
        raise ConfigError(
            "DISCORD_GATEWAY_URL must be a ws:// or wss:// URL without credentials, such as wss://gateway.discord.gg/."
        )
    return url.with_query(None)


@contextlib.contextmanager
def discord_endpoints(api_base: str | None, gateway: yarl.URL | None) -> Iterator[None]:
    """Point discord.py at other REST and gateway addresses for the duration (only those given).

    ``Route.BASE`` covers every REST call, interaction callbacks and followups included; the
    gateway default is used for the first connection and after INVALID_SESSION (discord.py 2.7).
    """
    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    if api_base is not None:
        Route.BASE = api_base
    if gateway is not None:
        DiscordWebSocket.DEFAULT_GATEWAY = gateway
    try:
        yield
    finally:
        if api_base is not None:
            Route.BASE = old_base
        if gateway is not None:
            DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


async def serve_discord(
    service: ServicePort,
    register_notifier: Callable[[str, Notifier], None],
    *,
    token: str,
    api_url: str | None,
    gateway_url: str | None,
    sharded: bool,
    stop: asyncio.Event,
    reconcile_every: float = RECONCILE_EVERY,
    ready: Callable[[str], None] | None = None,
    **client_options: Any,
) -> None:
    """Run the Discord bot until ``stop`` is set (or the connection fails for good).

    Registers the client's notifier for ``"discord"`` before connecting, so reconciliation on the
    first ``on_ready`` can already read reactions; calls ``ready`` once, on the first ``on_ready``.
    Returns after the client has closed. ``client_options`` go to the client (tests pass
    ``guild_ready_timeout=0.1, identify_delay=0``).

    Raises:
        ConfigError: a setting is missing or malformed, or Discord rejected the token.
    """
    token, api_base, gateway = check_settings(token, api_url, gateway_url)
    cls = ShardedStudyBotClient if sharded else StudyBotClient
    with discord_endpoints(api_base, gateway):
        client = cls(service, reconcile_every=reconcile_every, ready=ready, **client_options)
        register_notifier(PLATFORM, client.notifier)
        async with client:
            runner = asyncio.create_task(client.start(token), name="studybot-discord")
            stopper = asyncio.create_task(stop.wait(), name="studybot-discord-stop")
            try:
                await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stopper.cancel()
                if not runner.done():
                    log.info("stopping the Discord client")
                    await client.close()
                    with contextlib.suppress(asyncio.CancelledError):
                        await runner
            try:
                runner.result()
            except discord.LoginFailure:
                raise ConfigError(
                    "Discord rejected DISCORD_TOKEN (401 Unauthorized). Reset the token in the Developer Portal "
                    "(your application → Bot) and set DISCORD_TOKEN again."
                ) from None
            except discord.ConnectionClosed as exc:
                if exc.code == 4004:
                    raise ConfigError("The Discord gateway rejected DISCORD_TOKEN (close code 4004).") from None
                raise
            except asyncio.CancelledError:
                pass
