"""The ``PostStore`` role port: daily question posts (reserve, mark posted or failed, open, due for reveal)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from bot.core.ports.records import ChannelPostSummary, PostInfo

__all__ = ["PostStore"]


class PostStore(Protocol):
    """Daily question posts: reserve, mark posted or failed, find by message, open and due for reveal."""

    async def channel_posts(self, channel_id: int) -> list[PostInfo]: ...

    async def channel_post_summary(self, channel_id: int, day: dt.date, recent: int = 3) -> ChannelPostSummary:
        """In one read: how often each question was posted in the channel (failed posts not counted), the
        slots taken on local ``day``, and its last ``recent`` posts (see :class:`ChannelPostSummary`)."""
        ...

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

    async def mark_posted(self, post_id: int, message_ref: str, now: dt.datetime) -> PostInfo | None:
        """Record the platform's message id (whatever the status was); the post as it now is, None if there is
        no such post."""
        ...

    async def mark_failed(self, post_id: int) -> None: ...

    async def release_reservation(self, post_id: int) -> None: ...

    async def get_post(self, post_id: int) -> PostInfo | None: ...

    async def post_by_message(
        self, workspace_id: int, channel_external_id: str, message_ref: str
    ) -> PostInfo | None: ...

    async def open_posts(self, channel_id: int | None = None) -> list[PostInfo]: ...

    async def due_reveals(self, now: dt.datetime) -> list[PostInfo]: ...

    async def claim_reveal(self, post_id: int, now: dt.datetime) -> bool: ...
