"""What the Slack listener groups share: the user directory, reply sending, and the tracking of listener
bodies that run after their ``ack()`` (``wait_idle``)."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import fallback_text, to_blocks
from adapters.slack.files import ChartUploads
from bot.core.messages import Reply
from bot.service import Invocation, QuizService

__all__ = [
    "FAILED",
    "PLATFORM",
    "Directory",
    "Inflight",
    "Listeners",
    "UserInfo",
    "send_replies",
    "team_of",
    "track_listeners",
    "wait_idle",
]

log = logging.getLogger(__name__)

PLATFORM = "slack"
USER_CACHE_SECONDS = 120.0
FAILED = "Sorry, that failed on our side; the error was logged. Please try again."

P = ParamSpec("P")
R = TypeVar("R")


class Inflight:
    """Counts listener bodies still running after their ack (tests and graceful shutdown wait on it)."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def track(self, fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(fn)  # bolt reads the listener's argument names through inspect.unwrap
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            self.count += 1
            self._idle.clear()
            try:
                return await fn(*args, **kwargs)
            finally:
                self.count -= 1
                if self.count == 0:
                    self._idle.set()

        return wrapper

    async def wait(self, within: float) -> bool:
        try:
            await asyncio.wait_for(self._idle.wait(), within)
        except TimeoutError:
            return False
        return True


_INFLIGHT: weakref.WeakKeyDictionary[AsyncApp, Inflight] = weakref.WeakKeyDictionary()


def track_listeners(app: AsyncApp) -> Inflight:
    """Start counting the listener bodies of ``app`` that run after their ack (``wait_idle`` waits for them)."""
    inflight = _INFLIGHT[app] = Inflight()
    return inflight


async def wait_idle(app: AsyncApp, within: float = 10.0) -> bool:
    """Wait until no listener of ``app`` is running (work continues after ``ack()``); False on timeout."""
    inflight = _INFLIGHT.get(app)
    if inflight is None:
        return True
    # a request that has just been acked may not have started its listener task yet
    for _ in range(3):
        await asyncio.sleep(0)
    return await inflight.wait(within)


@dataclass(frozen=True, slots=True)
class UserInfo:
    name: str
    is_admin: bool
    is_bot: bool
    expires: float
    tz: str = ""  # the profile's IANA zone (users.info ``tz``)


class Directory:
    """``users.info`` with a short cache: display names and the workspace admin/owner flag."""

    def __init__(self, ttl: float = USER_CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._cache: dict[tuple[str, str], UserInfo] = {}

    async def lookup(self, client: AsyncWebClient, team: str, user: str) -> UserInfo:
        key = (team, user)
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and hit.expires > now:
            return hit
        try:
            resp = await client.users_info(user=user)
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else "unknown_error"
            log.warning("users.info failed for %s: %s (treated as a member)", user, error)
            info = UserInfo("", False, False, now + min(self.ttl, 30.0))
        else:
            u = resp.get("user") or {}
            profile = u.get("profile") or {}
            name = profile.get("display_name") or profile.get("real_name") or u.get("real_name") or u.get("name") or ""
            is_admin = bool(u.get("is_admin") or u.get("is_owner") or u.get("is_primary_owner"))
            info = UserInfo(str(name), is_admin, bool(u.get("is_bot")), now + self.ttl, str(u.get("tz") or ""))
        if len(self._cache) > 10_000:  # bound memory in very large workspaces
            self._cache.clear()
        self._cache[key] = info
        return info


@dataclass(slots=True)
class Listeners:
    """What every listener group is registered with: the service and the app's shared helpers."""

    service: QuizService
    inflight: Inflight
    bot_user_id: str | None = None
    directory: Directory = field(default_factory=Directory)
    uploads: ChartUploads = field(default_factory=ChartUploads)
    background: set[asyncio.Future[Any]] = field(default_factory=set)  # tasks kept alive until they finish


def team_of(body: dict[str, Any]) -> str:
    """The workspace of a request: the envelope's team (events, commands) or the payload's (actions).

    Not bolt's ``context.team_id``: that prefers ``view.app_installed_team_id`` and ``authorizations``,
    which name another workspace in Slack Connect channels."""
    team = body.get("team_id") or (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    return str(team or "")


async def send_replies(
    replies: Sequence[Reply],
    respond: AsyncRespond | None,
    client: AsyncWebClient,
    user: str,
    uploads: ChartUploads | None = None,
    inv: Invocation | None = None,
) -> None:
    """Private replies are ephemeral, others go to the channel; without a response_url, a DM.

    A reply's chart is uploaded after its text (into the channel, or by DM for a private reply);
    a refused upload leaves the text as it is and tells an admin once what to grant.
    """
    for reply in replies:
        text, blocks = fallback_text(reply), to_blocks(reply)
        if respond is not None and respond.response_url:
            await respond(
                text=text,
                blocks=blocks,
                response_type="ephemeral" if reply.private else "in_channel",
                replace_original=False,
            )
        else:
            await client.chat_postMessage(channel=user, text=text, blocks=blocks)
        if reply.image is None or uploads is None or inv is None:
            continue
        target = await uploads.direct_channel(client, user) if reply.private or not inv.channel else inv.channel
        if target is None:
            continue
        error = await uploads.upload(client, reply.image, target, inv.workspace)
        notice = uploads.admin_notice(inv.workspace, error, inv.is_admin)
        if notice is not None and respond is not None and respond.response_url:
            await respond(text=notice, response_type="ephemeral", replace_original=False)
