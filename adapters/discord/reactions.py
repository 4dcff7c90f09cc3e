"""Raw reaction events, queued in gateway order and stored one by one through the service.

Raw reaction events fire for messages that are not cached (every question posted before a
restart); a RESUME replays missed events with their original sequence numbers, so an event's id
is built from its gateway position and a replay is stored once.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import discord

__all__ = ["ReactionIntake", "ReactionService", "delivery_id"]

log = logging.getLogger(__name__)

PLATFORM = "discord"


class ReactionService(Protocol):
    """What storing a reaction needs from the service."""

    async def record_reaction(
        self,
        *,
        platform: str,
        workspace: str,
        channel: str,
        message_ref: str,
        user: str,
        reaction: str,
        added: bool,
        delivery_id: str,
        at: Any = None,
        is_bot: bool = False,
        user_name: str = "",
        source: str = "event",
    ) -> bool: ...


@dataclass(frozen=True, slots=True)
class _ReactionDelivery:
    payload: discord.RawReactionActionEvent
    added: bool
    position: tuple[str, int] | None  # (gateway session id, sequence number) of the event


def delivery_id(
    *, guild: int | None, channel: int, message: int, user: int, emoji: str, added: bool, position: str
) -> str:
    """A stable id for one reaction event; a RESUME replay of the same event gets the same id.

    ``position`` is ``"<session id>:<seq>"`` from the gateway (unique per event and identical when
    Discord replays it), or a process-local counter when that is unknown. Message, user and the
    direction stay readable; the rest is hashed so the id fits the 128-character column.
    """
    digest = hashlib.blake2b(f"{guild}:{channel}:{emoji}:{position}".encode(), digest_size=10).hexdigest()
    return f"discord:{message}:{user}:{'add' if added else 'remove'}:{digest}"


class ReactionIntake:
    """The queue of received reaction events and the worker that stores them in order.

    Args:
        service: stores each event (``record_reaction``).
        get_user: the client's user cache (is the reacting user a bot?).
    """

    def __init__(self, service: ReactionService, get_user: Callable[[int], discord.User | None]) -> None:
        self.service = service
        self._get_user = get_user
        self._boot = uuid.uuid4().hex[:12]
        self._local_seq = itertools.count(1)
        self._queue: asyncio.Queue[_ReactionDelivery] = asyncio.Queue()

    def put(
        self, payload: discord.RawReactionActionEvent, added: bool, position: tuple[str, int] | None, me: int | None
    ) -> None:
        """Queue an event unless it is not an answer (a DM, or the bot's own reaction, ``me``)."""
        if payload.guild_id is None or (me is not None and payload.user_id == me):
            return  # DMs are not quiz channels; the bot's own seed reactions are not answers
        self._queue.put_nowait(_ReactionDelivery(payload, added, position))

    async def worker(self) -> None:
        """Store queued events one at a time, for ever (cancelled at close)."""
        while True:
            item = await self._queue.get()
            try:
                await self._record(item)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("could not record a reaction", extra={"message_id": item.payload.message_id})
            finally:
                self._queue.task_done()

    async def _record(self, item: _ReactionDelivery) -> None:
        p = item.payload
        emoji = str(p.emoji)
        if item.position is not None:
            position = f"{item.position[0]}:{item.position[1]}"
        else:  # not from the gateway: unique in this process (a replay would then rely on the answer policy)
            position = f"local:{self._boot}:{next(self._local_seq)}"
        member = p.member
        user = member or self._get_user(p.user_id)
        await self.service.record_reaction(
            platform=PLATFORM,
            workspace=str(p.guild_id),
            channel=str(p.channel_id),
            message_ref=str(p.message_id),
            user=str(p.user_id),
            reaction=emoji,
            added=item.added,
            delivery_id=delivery_id(
                guild=p.guild_id,
                channel=p.channel_id,
                message=p.message_id,
                user=p.user_id,
                emoji=emoji,
                added=item.added,
                position=position,
            ),
            is_bot=bool(user and user.bot),
            user_name=member.display_name if member else "",
        )

    async def join(self) -> None:
        """Wait until every event queued so far is stored."""
        await self._queue.join()
