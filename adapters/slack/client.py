"""The Slack Web API client (with 429 retries) and the start-up checks of the bot and app tokens."""

from __future__ import annotations

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.config import DEFAULT_API_URL
from adapters.slack.notifier import ensure_rate_limit_retries
from bot.settings import ConfigError

__all__ = ["check_bot_token", "make_client", "open_socket_url"]

_REJECTED_TOKEN = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "not_allowed_token_type",
}


def make_client(
    token: str | None, api_url: str = DEFAULT_API_URL, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    """A Web API client with connection-error and 429 retries (slack-sdk does not retry 429 by default).

    With ``session`` its calls share that session's keep-alive connections (the caller closes it);
    without, slack-sdk opens and closes a session, and a connection, for every call."""
    client = AsyncWebClient(
        token=token, base_url=api_url, session=session, retry_handlers=[AsyncConnectionErrorRetryHandler()]
    )
    ensure_rate_limit_retries(client)
    return client


def _rejected(exc: SlackApiError) -> str | None:
    error = exc.response.get("error") if exc.response is not None else None
    return str(error) if error in _REJECTED_TOKEN else None


async def check_bot_token(client: AsyncWebClient, api_url: str) -> tuple[str, str]:
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


async def open_socket_url(client: AsyncWebClient, app_token: str) -> str:
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
