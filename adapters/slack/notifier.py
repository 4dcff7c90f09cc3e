"""``SlackNotifier``: the Notifier port over the Slack Web API (chat.postMessage, reactions.*).

Rate limits (api.slack.com/docs/rate-limits, 2026-11): ``chat.postMessage`` allows about one
message per second per channel, so posts are paced per channel here and a 429 is retried by
slack-sdk's ``AsyncRateLimitErrorRetryHandler`` after ``Retry-After`` (slack-sdk does not retry
429s unless such a handler is installed). Different channels post concurrently.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import fallback_text, to_blocks
from adapters.slack.files import ChartUploads
from bot.core.answers import OPTION_EMOJI
from bot.core.messages import ChannelRef, Message, Reply, RevealPost
from bot.core.ports import DirectMessageRefused, PlatformError

__all__ = ["RATE_LIMIT_RETRIES", "SlackNotifier", "ensure_rate_limit_retries"]

log = logging.getLogger(__name__)

# a direct message these errors refused will not go through on a retry: the person is noticed once
DM_REFUSED = frozenset(
    {
        "channel_not_found",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "messages_tab_disabled",
        "is_archived",
        "restricted_action",
    }
)
THREAD_GONE = frozenset({"thread_not_found", "message_not_found"})  # the question was deleted: reveal in the channel

RATE_LIMIT_RETRIES = 3
# Slack errors that retrying will not fix: report them as PlatformError so the post is marked failed.
# Anything else (429 after the retries, 5xx, network) propagates and the service retries later.
_TRANSIENT_STATUS = {429, 500, 502, 503, 504}


def ensure_rate_limit_retries(client: AsyncWebClient, max_retry_count: int = RATE_LIMIT_RETRIES) -> None:
    """Install slack-sdk's async 429 handler on ``client`` unless one is there already."""
    if not any(isinstance(h, AsyncRateLimitErrorRetryHandler) for h in client.retry_handlers):
        client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=max_retry_count))


def _error_code(exc: SlackApiError) -> str:
    data = exc.response.data if exc.response is not None else None
    return str(data.get("error", "unknown_error")) if isinstance(data, dict) else "unknown_error"


def _is_transient(exc: SlackApiError) -> bool:
    return exc.response is not None and exc.response.status_code in _TRANSIENT_STATUS


class _ChannelPacer:
    """At most one send per ``interval`` seconds per channel; channels do not wait for each other."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._last: dict[tuple[str, str], float] = {}

    async def run(self, key: tuple[str, str], send: Callable[[], Awaitable[Any]]) -> Any:
        lock = self._locks.setdefault(key, asyncio.Lock())
        loop = asyncio.get_running_loop()
        async with lock:
            wait = self._last.get(key, -math.inf) + self.interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                return await send()
            finally:
                # measured from the end of the call (retries included): never faster than the limit
                self._last[key] = loop.time()


def _post_payload(channel: str, message: Message, auth: Mapping[str, str]) -> dict[str, Any]:
    """``chat.postMessage`` arguments: Block Kit, the plain-text fallback, no unfurls."""
    return {
        "channel": channel,
        "text": fallback_text(message),
        "blocks": to_blocks(message),
        "unfurl_links": False,
        "unfurl_media": False,
        **auth,
    }


class SlackNotifier:
    """Posts neutral messages to Slack channels and reads reactions back.

    Args:
        client: the Web API client (its token is the bot token of a single workspace).
        token_for: for multi-workspace installs, resolves a team id to its bot token; ``None`` uses
            the client's own token.
        bot_user_id: the bot's user id, excluded from ``fetch_reactions``; found with ``auth.test``
            when not given.
        team_id: with a single token, the workspace it belongs to; channels of any other workspace are
            refused with PlatformError instead of being sent with the wrong token.
        min_interval: seconds between two messages in one channel (Slack allows about one per second).
    """

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        token_for: Callable[[str], Awaitable[str | None]] | None = None,
        bot_user_id: str | None = None,
        team_id: str | None = None,
        min_interval: float = 1.0,
    ) -> None:
        ensure_rate_limit_retries(client)
        self.client = client
        self._token_for = token_for
        self._team_id = team_id
        self._bot_user_ids: dict[str, str] = {}
        self._default_bot_user_id = bot_user_id
        self._pacer = _ChannelPacer(min_interval)
        self.uploads = ChartUploads()

    async def _token(self, workspace: str) -> dict[str, str]:
        if self._token_for is None:
            if self._team_id and workspace != self._team_id:
                raise PlatformError(f"this process is connected to Slack workspace {self._team_id}, not {workspace}")
            return {}
        token = await self._token_for(workspace)
        if not token:
            raise PlatformError(f"StudyBot is not installed in Slack workspace {workspace}")
        return {"token": token}

    async def _bot_user(self, workspace: str) -> str | None:
        if self._token_for is None and self._default_bot_user_id:
            return self._default_bot_user_id
        if workspace not in self._bot_user_ids:
            try:
                resp = await self.client.auth_test(**await self._token(workspace))
            except SlackApiError as exc:
                raise self._translate(exc, "auth.test", None) from exc
            self._bot_user_ids[workspace] = str(resp.get("user_id") or "")
        return self._bot_user_ids[workspace] or None

    def _translate(self, exc: SlackApiError, method: str, channel: ChannelRef | None) -> Exception:
        code = _error_code(exc)
        where = f" in {channel.workspace}/{channel.channel}" if channel is not None else ""
        if _is_transient(exc):
            log.warning("slack %s failed%s: %s (will be retried later)", method, where, code)
            return exc
        return PlatformError(f"Slack refused {method}{where}: {code}")

    async def post(self, channel: ChannelRef, message: Message) -> str:
        """``chat.postMessage`` with Block Kit and a plain-text fallback; returns the message ts."""
        auth = await self._token(channel.workspace)
        payload = _post_payload(channel.channel, message, auth)

        threaded = isinstance(message, RevealPost) and bool(message.thread_of)
        if threaded:  # the reveal goes in the question's thread; a short line in the channel points to it
            payload["thread_ts"] = message.thread_of  # type: ignore[union-attr]

        async def send() -> Any:
            try:
                return await self.client.chat_postMessage(**payload)
            except SlackApiError as exc:
                if "thread_ts" not in payload or _error_code(exc) not in THREAD_GONE:
                    raise
                log.info("the question's message is gone (%s); revealing in the channel", _error_code(exc))
                payload.pop("thread_ts")
                return await self.client.chat_postMessage(**payload)

        try:
            resp = await self._pacer.run((channel.workspace, channel.channel), send)
        except SlackApiError as exc:
            if _error_code(exc) == "not_in_channel" and await self._join(channel, auth):
                try:
                    resp = await self._pacer.run((channel.workspace, channel.channel), send)
                except SlackApiError as again:
                    raise self._translate(again, "chat.postMessage", channel) from again
            else:
                raise self._translate(exc, "chat.postMessage", channel) from exc
        ts = resp.get("ts")
        if not ts:
            raise PlatformError(f"Slack accepted a message in {channel.channel} but returned no ts")
        if threaded and "thread_ts" in payload and isinstance(message, RevealPost):
            await self._point_to_thread(channel, message, auth)
        if isinstance(message, Reply) and message.image is not None:  # the Monday board's chart, after its text
            await self.uploads.upload(
                self.client, message.image, channel.channel, channel.workspace, token=auth.get("token")
            )
        return str(ts)

    async def direct(self, to: ChannelRef, message: Message) -> str:
        """A direct message from the app (``chat.postMessage`` with the user id as the channel, which
        lands in the app's Messages tab); a person who cannot be reached raises DirectMessageRefused."""
        auth = await self._token(to.workspace)
        payload = _post_payload(to.channel, message, auth)
        try:
            resp = await self._pacer.run((to.workspace, to.channel), lambda: self.client.chat_postMessage(**payload))
        except SlackApiError as exc:
            if _error_code(exc) in DM_REFUSED:
                raise DirectMessageRefused(
                    f"Slack refused a direct message to {to.channel}: {_error_code(exc)}"
                ) from exc
            raise self._translate(exc, "chat.postMessage", to) from exc
        return str(resp.get("ts") or "")

    async def update(self, channel: ChannelRef, message_ref: str, message: Message) -> None:
        """``chat.update`` of a message the bot posted (paced like posts; Slack's 429s are retried by the SDK)."""
        auth = await self._token(channel.workspace)
        payload: dict[str, Any] = {
            "channel": channel.channel,
            "ts": message_ref,
            "text": fallback_text(message),
            "blocks": to_blocks(message),
            **auth,
        }
        try:
            await self._pacer.run((channel.workspace, channel.channel), lambda: self.client.chat_update(**payload))
        except SlackApiError as exc:
            raise self._translate(exc, "chat.update", channel) from exc

    async def _point_to_thread(self, channel: ChannelRef, message: RevealPost, auth: Mapping[str, str]) -> None:
        """One short channel line under the question: where the answer is, and how many answered."""
        line = (
            f"Answer revealed in the thread of this question ({message.answered} answered): "
            "open the thread to see it and talk it over."
        )
        payload: dict[str, Any] = {"channel": channel.channel, "text": line, "unfurl_links": False, **auth}
        try:
            await self._pacer.run((channel.workspace, channel.channel), lambda: self.client.chat_postMessage(**payload))
        except SlackApiError as exc:
            log.warning("could not post the pointer to the reveal thread: %s", _error_code(exc))

    async def _join(self, channel: ChannelRef, auth: Mapping[str, str]) -> bool:
        """Join a public channel the bot was subscribed in but is not a member of (needs channels:join)."""
        try:
            await self.client.conversations_join(channel=channel.channel, **auth)
        except SlackApiError as exc:
            log.warning("cannot join %s: %s; invite the bot with /invite", channel.channel, _error_code(exc))
            return False
        log.info("joined channel %s to post", channel.channel)
        return True

    async def add_option_reactions(self, channel: ChannelRef, message_ref: str, count: int) -> None:
        """``reactions.add`` for one, two, ... in order, so the options sit ready under the question."""
        auth = await self._token(channel.workspace)
        for name in OPTION_EMOJI[:count]:
            try:
                await self.client.reactions_add(channel=channel.channel, timestamp=message_ref, name=name, **auth)
            except SlackApiError as exc:
                if _error_code(exc) == "already_reacted":  # a repeat after a restart: fine
                    continue
                raise self._translate(exc, "reactions.add", channel) from exc

    async def fetch_reactions(self, channel: ChannelRef, message_ref: str) -> Mapping[str, set[str]] | None:
        """``reactions.get`` (full list): ``{reaction name: {user ids}}`` without the bot's own; None if
        Slack listed fewer users than it counted (the service then leaves the post as it is)."""
        auth = await self._token(channel.workspace)
        bot = await self._bot_user(channel.workspace)
        try:
            resp = await self.client.reactions_get(channel=channel.channel, timestamp=message_ref, full=True, **auth)
        except SlackApiError as exc:
            raise self._translate(exc, "reactions.get", channel) from exc
        item = resp.get("message") or {}
        out: dict[str, set[str]] = {}
        for r in item.get("reactions") or []:
            listed = [str(u) for u in r.get("users") or []]
            if int(r.get("count") or 0) > len(listed):
                # Slack may cut long user lists short; a missing person must not look like a removal
                log.info(
                    "reactions.get listed %d of %d users on %s; not reconciling it",
                    len(listed),
                    r.get("count"),
                    message_ref,
                )
                return None
            users = {u for u in listed if u != bot}
            if users:
                out.setdefault(str(r.get("name", "")), set()).update(users)
        return out
