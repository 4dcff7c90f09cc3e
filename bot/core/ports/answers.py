"""The ``AnswerStore`` role port: raw reaction events and the scored answers derived from them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Protocol

from bot.core.answers import ReactionEvent
from bot.core.ports.records import ChannelInfo, IncomingReaction, PostInfo

__all__ = ["AnswerStore"]


class AnswerStore(Protocol):
    """Raw reaction events (one or a batch at a time) and the answers derived from them at the reveal."""

    async def add_reaction_event(
        self, post_id: int, person_id: int, event: ReactionEvent, raw_emoji: str, source: str, received_at: dt.datetime
    ) -> bool: ...

    async def record_reactions(self, rows: Sequence[IncomingReaction]) -> list[bool]:
        """Store many reaction events in one transaction, each with its person (created if new), in order;
        one flag per row: True if the event was new (its delivery id not seen before)."""
        ...

    async def reaction_events(self, post_id: int) -> list[tuple[int, ReactionEvent]]: ...

    async def save_daily_answers(
        self, post: PostInfo, channel: ChannelInfo, answers: Mapping[int, int], correct_option: int, at: dt.datetime
    ) -> None: ...

    async def post_answer_counts(self, post_id: int) -> tuple[dict[int, int], list[int]]: ...
