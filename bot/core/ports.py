"""Ports: what the service needs from storage and from a chat platform, as Protocols.

Storage implements :class:`Store` (``storage.store.SqlStore``); each adapter implements
:class:`Notifier`. The records below cross the port; they are plain frozen dataclasses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.core.answers import ReactionEvent
from bot.core.messages import ChannelRef, Message

__all__ = [
    "ChannelInfo",
    "Notifier",
    "PlatformError",
    "PostInfo",
    "Store",
]


class PlatformError(Exception):
    """A platform refused an action (missing permission, unknown channel); not worth retrying."""


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    id: int
    workspace_id: int
    ref: ChannelRef
    name: str
    tz: str
    post_time: str  # "HH:MM"
    reveal_minutes: int
    team_id: int | None
    active: bool
    focus_topic: str | None = None
    focus_until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class PostInfo:
    id: int
    channel_id: int
    local_date: dt.date
    slot: int
    question_id: str
    objective_id: str
    option_order: tuple[int, ...]
    reason: str
    reason_detail: str
    status: str  # reserved posted revealed failed
    message_ref: str | None
    created_at: dt.datetime
    posted_at: dt.datetime | None
    reveal_due_at: dt.datetime
    revealed_at: dt.datetime | None


class Notifier(Protocol):
    """Sends neutral messages to a platform's channels."""

    async def post(self, channel: ChannelRef, message: Message) -> str:
        """Post ``message`` in ``channel``; return the platform's message reference."""
        ...

    async def add_option_reactions(self, channel: ChannelRef, message_ref: str, count: int) -> None:
        """Add the first ``count`` option emoji (one, two, ...) as reactions to the message."""
        ...

    async def fetch_reactions(self, channel: ChannelRef, message_ref: str) -> Mapping[str, set[str]] | None:
        """Who currently reacted with what: ``{raw emoji: {user ids}}``; None if unsupported."""
        ...


class Store(Protocol):
    """Persistence used by the service. Every write is idempotent where the platform may repeat."""

    async def ensure_workspace(self, platform: str, external_id: str, name: str = "") -> int: ...

    async def ensure_person(
        self, workspace_id: int, external_id: str, display_name: str = "", is_bot: bool = False
    ) -> int: ...

    async def person_names(self, person_ids: Sequence[int]) -> dict[int, str]: ...

    async def get_channel(self, workspace_id: int, external_id: str) -> ChannelInfo | None: ...

    async def channel_by_id(self, channel_id: int) -> ChannelInfo: ...

    async def subscribe_channel(
        self, workspace_id: int, external_id: str, name: str, tz: str, post_time: str, now: dt.datetime
    ) -> ChannelInfo: ...

    async def update_channel(self, channel_id: int, now: dt.datetime, **changes: object) -> ChannelInfo: ...

    async def active_channels(self) -> list[ChannelInfo]: ...

    async def channel_posts(self, channel_id: int) -> list[PostInfo]: ...

    async def reserve_post(
        self,
        channel_id: int,
        local_date: dt.date,
        slot: int,
        question_id: str,
        objective_id: str,
        option_order: Sequence[int],
        reason: str,
        reason_detail: str,
        reveal_due_at: dt.datetime,
        now: dt.datetime,
    ) -> PostInfo | None: ...

    async def mark_posted(self, post_id: int, message_ref: str, now: dt.datetime) -> None: ...

    async def mark_failed(self, post_id: int) -> None: ...

    async def get_post(self, post_id: int) -> PostInfo | None: ...

    async def post_by_message(self, workspace_id: int, channel_external_id: str, message_ref: str) -> PostInfo | None: ...

    async def open_posts(self, channel_id: int | None = None) -> list[PostInfo]: ...

    async def due_reveals(self, now: dt.datetime) -> list[PostInfo]: ...

    async def add_reaction_event(
        self, post_id: int, person_id: int, event: ReactionEvent, raw_emoji: str, source: str, received_at: dt.datetime
    ) -> bool: ...

    async def reaction_events(self, post_id: int) -> list[tuple[int, ReactionEvent]]: ...

    async def claim_reveal(self, post_id: int, now: dt.datetime) -> bool: ...

    async def save_daily_answers(
        self, post: PostInfo, channel: ChannelInfo, answers: Mapping[int, int], correct_option: int, at: dt.datetime
    ) -> None: ...

    async def post_answer_counts(self, post_id: int) -> tuple[dict[int, int], list[int]]: ...

    async def audit(
        self, workspace_id: int | None, actor: str, actor_name: str, action: str, detail: str, at: dt.datetime
    ) -> None: ...

    async def claim_delivery(self, delivery_id: str, now: dt.datetime) -> bool: ...
