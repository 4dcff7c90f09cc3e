"""The Notifier port on Discord: embeds in channels, seeded option reactions, reaction reads for reconciliation."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import discord

from adapters.discord.render import OPTION_REACTIONS, Rendered, message_parts, render
from bot.core.answers import option_for_reaction
from bot.core.messages import ChannelRef, Message, QuestionPost, RevealPost
from bot.core.ports import DirectMessageRefused, PlatformError

__all__ = ["DiscordNotifier"]

log = logging.getLogger(__name__)

NEEDED = "View Channel, Send Messages, Embed Links, Add Reactions and Read Message History"
ATTACH_NEEDED = "Attach Files"
# A refused upload: 403 (no Attach Files), 413 (too large), 400 (Discord rejected the file).
IMAGE_REFUSALS = frozenset({400, 403, 413})


class DiscordNotifier:
    """Sends the service's messages through a connected discord.py client.

    Rate limits are discord.py's job (bucket locks, sleep and retry on 429 with ``Via``); this class
    adds no retry loop. A 403 or 404 becomes :class:`PlatformError` at once, because retrying it only
    spends Discord's invalid-request budget (10,000 per 10 minutes, then a temporary ban). A 403 is
    also reported once per channel to the server owner by direct message, and in the log.
    """

    def __init__(self, client: discord.Client) -> None:
        self.client = client
        self._reported: set[tuple[str, str]] = set()
        self._image_refused: set[str] = set()  # guild ids already told about Attach Files

    # -- Notifier port ---------------------------------------------------------------------------
    async def post(self, channel: ChannelRef, message: Message) -> str:
        target = self._channel(channel)
        send: Callable[..., Awaitable[Any]] = target.send
        if isinstance(message, RevealPost) and message.thread_of and message.thread_of.isdigit():
            # the reveal answers the question's message, so the two sit together (a missing one is no error)
            ref = discord.MessageReference(
                message_id=int(message.thread_of), channel_id=int(channel.channel), fail_if_not_exists=False
            )
            send = functools.partial(target.send, reference=ref)
        try:
            # Over-long text goes in parts: a question's reactions go on its last part, which says how to answer.
            sent = await self.send_rendered(channel, render(message), send)
        except discord.Forbidden as exc:
            raise await self._refused(channel, "post", exc) from exc
        except discord.NotFound as exc:
            raise PlatformError(
                f"Discord channel {channel.channel} not found (deleted, or the bot was removed)"
            ) from exc
        kind = "question" if isinstance(message, QuestionPost) else type(message).__name__
        log.info(
            "posted %s", kind, extra={"guild": channel.workspace, "channel": channel.channel, "message_id": sent.id}
        )
        return str(sent.id)

    async def direct(self, to: ChannelRef, message: Message) -> str:
        """A direct message (``POST /users/@me/channels`` then the message); a person whose DMs are
        closed (403, code 50007) or who is unknown raises DirectMessageRefused."""
        try:
            dm = await self.client.create_dm(discord.Object(_snowflake(to.channel, "user")))
            sent = await self.send_rendered(to, render(message), dm.send)
        except (discord.Forbidden, discord.NotFound) as exc:
            raise DirectMessageRefused(
                f"Discord refused a direct message to {to.channel}: {exc.status} {exc.code}"
            ) from exc
        return str(sent.id)

    async def update(self, channel: ChannelRef, message_ref: str, message: Message) -> None:
        """Edit a message the bot posted (discord.py waits out a 429 and retries)."""
        target = self._channel(channel).get_partial_message(_snowflake(message_ref, "message"))
        rendered = render(message)
        try:
            if rendered.embed is not None:
                await target.edit(embed=rendered.embed)
            else:
                await target.edit(content=rendered.chunks[-1])
        except discord.Forbidden as exc:
            raise await self._refused(channel, "edit a message", exc) from exc
        except discord.NotFound as exc:
            raise PlatformError(f"Discord message {message_ref} not found (deleted?)") from exc

    async def add_option_reactions(self, channel: ChannelRef, message_ref: str, count: int) -> None:
        message = self._channel(channel).get_partial_message(_snowflake(message_ref, "message"))
        try:
            for emoji in OPTION_REACTIONS[:count]:
                await message.add_reaction(emoji)
        except discord.Forbidden as exc:
            raise await self._refused(channel, "add reactions", exc) from exc
        except discord.NotFound as exc:
            raise PlatformError(f"Discord message {message_ref} not found") from exc

    async def fetch_reactions(self, channel: ChannelRef, message_ref: str) -> Mapping[str, set[str]] | None:
        """Who reacts with which option emoji now (the bot and other bots excluded).

        Only option emoji are paged (100 users per REST call), and a reaction whose only user is the
        bot itself (``count == 1 and me``) costs no call at all.
        """
        target = self._channel(channel)
        try:
            msg = await target.fetch_message(_snowflake(message_ref, "message"))
            me = self.client.user.id if self.client.user else None
            found: dict[str, set[str]] = {}
            for reaction in msg.reactions:
                emoji = str(reaction.emoji)
                if option_for_reaction(emoji) is None:
                    continue
                if reaction.count <= (1 if reaction.me else 0):
                    found[emoji] = set()
                    continue
                users: set[str] = set()
                async for user in reaction.users(limit=None):
                    if user.id != me and not user.bot:
                        users.add(str(user.id))
                found[emoji] = users
        except discord.Forbidden as exc:
            raise await self._refused(channel, "read reactions", exc) from exc
        except discord.NotFound as exc:
            raise PlatformError(f"Discord message {message_ref} not found (deleted?)") from exc
        return found

    async def send_rendered(self, channel: ChannelRef, rendered: Rendered, send: Callable[..., Awaitable[Any]]) -> Any:
        """Send every part of ``rendered`` with ``send``; returns what the last send returned.

        When Discord refuses the part that carries a chart (no Attach Files, or the file is
        rejected), that part is sent again without it, so the text always arrives; once the text
        is through, the log and the server owner hear once per server what to grant.
        """
        sent: Any = None
        for index, kwargs in enumerate(message_parts(rendered)):
            if "file" not in kwargs:
                sent = await send(**kwargs)
                continue
            try:
                sent = await send(**kwargs)
            except discord.HTTPException as exc:
                if exc.status not in IMAGE_REFUSALS:
                    raise
                sent = await send(**message_parts(rendered, with_image=False)[index])
                await self._chart_refused(channel, exc)
        return sent

    # -- helpers ---------------------------------------------------------------------------------
    async def _chart_refused(self, channel: ChannelRef, exc: discord.HTTPException) -> None:
        log.warning(
            "Discord refused a chart upload (%s): %s; the text version was sent. Grant StudyBot %s.",
            exc.status,
            exc.text,
            ATTACH_NEEDED,
            extra={"guild": channel.workspace, "channel": channel.channel},
        )
        if channel.workspace in self._image_refused:
            return
        self._image_refused.add(channel.workspace)
        guild = self.client.get_guild(_snowflake(channel.workspace, "guild"))
        name = f" on **{guild.name}**" if guild is not None else ""
        await self._tell_owner(
            channel,
            f"StudyBot could not attach a chart in <#{channel.channel}>{name}: Discord answered {exc.status}. "
            f"Charts need the **{ATTACH_NEEDED}** permission: give it to StudyBot in that channel (or re-invite "
            "the bot with the link from `studybot discord invite-url`). The text version was sent, so "
            "nothing is missing but the picture. (Reported once; the bot's log has the details.)",
        )

    def _channel(self, channel: ChannelRef) -> discord.PartialMessageable:
        if channel.platform != "discord":
            raise PlatformError(f"not a Discord channel: {channel.platform}")
        return self.client.get_partial_messageable(
            _snowflake(channel.channel, "channel"), guild_id=_snowflake(channel.workspace, "guild")
        )

    async def _refused(self, channel: ChannelRef, action: str, exc: discord.HTTPException) -> PlatformError:
        """Log a 403 and tell the server owner once per channel and action; return the error to raise."""
        log.warning(
            "Discord refused to %s (403, missing permission): %s",
            action,
            exc.text,
            extra={"guild": channel.workspace, "channel": channel.channel},
        )
        key = (channel.channel, action)
        if key not in self._reported:
            self._reported.add(key)
            guild = self.client.get_guild(_snowflake(channel.workspace, "guild"))
            name = f" on **{guild.name}**" if guild is not None else ""
            await self._tell_owner(
                channel,
                f"StudyBot could not {action} in <#{channel.channel}>{name}: Discord answered "
                f"403 (missing permission). Give StudyBot {NEEDED} in that channel, then try "
                "`/studybot post-now` there. (Reported once; the bot's log has the details.)",
            )
        return PlatformError(f"Discord refused to {action} in channel {channel.channel}: missing permission ({NEEDED})")

    async def _tell_owner(self, channel: ChannelRef, text: str) -> None:
        guild = self.client.get_guild(_snowflake(channel.workspace, "guild"))
        if guild is None or guild.owner_id is None:
            return
        try:
            dm = await self.client.create_dm(discord.Object(guild.owner_id))
            await dm.send(text)
        except discord.HTTPException as exc:
            log.warning("could not tell the server owner about the refusal: %s", exc.status, extra={"guild": guild.id})


def _snowflake(value: str, what: str) -> int:
    if not value.isdigit():
        raise PlatformError(f"{value!r} is not a Discord {what} id")
    return int(value)
