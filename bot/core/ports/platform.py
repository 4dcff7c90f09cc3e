"""The platform port: ``Notifier`` (channel posts, reactions, direct messages, edits) and the errors a
platform raises."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from bot.core.messages import ChannelRef, Message

__all__ = ["DirectMessageRefused", "Notifier", "PlatformError", "PlatformUnavailable"]


class PlatformError(Exception):
    """A platform refused an action (missing permission, unknown channel); not worth retrying."""


class DirectMessageRefused(PlatformError):
    """The person cannot be sent a direct message (DMs closed, app messages off, user gone)."""


class PlatformUnavailable(PlatformError):
    """This process has no connection to the channel's platform; another process may have one."""


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

    async def direct(self, to: ChannelRef, message: Message) -> str:
        """Send a direct message to the user ``to.channel`` (a user id) of workspace ``to.workspace``;
        raises :class:`DirectMessageRefused` when the person cannot be reached by DM."""
        ...

    async def update(self, channel: ChannelRef, message_ref: str, message: Message) -> None:
        """Replace a message the bot posted (a question's answered count); PlatformError if refused."""
        ...
