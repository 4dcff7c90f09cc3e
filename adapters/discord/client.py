"""The StudyBot Discord client: slash commands, raw reaction events and drill buttons, translated for the service.

The client only translates: an interaction or gateway event becomes an :class:`Invocation` or a
``record_reaction`` call, and the service's neutral replies become embeds. Facts it relies on
(protocols.md §2): raw reaction events fire for messages that are not cached (every question
posted before a restart); an interaction must be answered within 3 seconds, so commands defer
first; autocomplete does not constrain what is submitted; a RESUME replays missed events with
their original sequence numbers, and a new session (INVALID_SESSION or a restart) replays
nothing, hence reconciliation on every ``on_ready`` and on a timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import itertools
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import discord
from discord import app_commands

from adapters.discord.commands import build_commands, scope_choices
from adapters.discord.notifier import DiscordNotifier
from adapters.discord.render import (
    DRILL_CUSTOM_ID,
    REPORT_CUSTOM_ID,
    REVIEW_CUSTOM_ID,
    disabled_copy,
    message_parts,
    render,
    report_form,
    report_form_answers,
)
from bot.core.commands import UsageError
from bot.core.feedback import ReportTarget
from bot.core.messages import ChannelRef, Reply
from bot.core.model import Syllabus
from bot.service import Invocation

__all__ = [
    "DrillButton",
    "ReportButton",
    "ReviewButton",
    "ServicePort",
    "ShardedStudyBotClient",
    "StudyBotClient",
    "delivery_id",
    "scope_choices",
]

log = logging.getLogger(__name__)

PLATFORM = "discord"
RECONCILE_EVERY = 300.0
FAILED = "Something went wrong on StudyBot's side; the error is in the bot's log. Please try again later."
GUILDS_ONLY = "StudyBot works in servers, not in direct messages."
NO_BUTTONS = "Drill buttons are not available in this version of StudyBot yet."
NO_REPORTS = "Reporting a problem is not available in this version of StudyBot yet."


class ServicePort(Protocol):
    """What the client needs from :class:`bot.service.QuizService` (``press_button`` is looked up at run time)."""

    syllabus: Syllabus

    async def handle_command(self, inv: Invocation, command: str, text: str) -> list[Reply]: ...

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

    async def reconcile_open_posts(self, platform: str | None = None) -> int: ...


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


class DrillButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=DRILL_CUSTOM_ID):
    """Routes any ``drill:<id>:<seq>:<letter>`` button to the service, on any message, after any restart."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(discord.ui.Button(label=custom_id.rsplit(":", 1)[-1].upper(), custom_id=custom_id))
        self.value = custom_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[discord.Client], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> DrillButton:
        return cls(match.group(0))

    async def callback(self, interaction: discord.Interaction[discord.Client]) -> None:
        client = interaction.client
        if isinstance(client, StudyBotClient):
            await client.press_drill_button(interaction, self.value)


class ReportButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=REPORT_CUSTOM_ID):
    """Routes any "Report a problem" button (``report:<source>:<id>:<version>``) to its form, after any restart."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(discord.ui.Button(label="Report a problem", custom_id=custom_id))
        self.value = custom_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[discord.Client], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReportButton:
        return cls(match.group(0))

    async def callback(self, interaction: discord.Interaction[discord.Client]) -> None:
        client = interaction.client
        if isinstance(client, StudyBotClient):
            await client.open_report_form(interaction, self.value)


class ReviewButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=REVIEW_CUSTOM_ID):
    """Routes a review reminder's ``review:<guild>`` button (pressed in a DM, so the guild is in the id)."""

    def __init__(self, custom_id: str, guild: str) -> None:
        super().__init__(discord.ui.Button(label="Start my reviews", custom_id=custom_id))
        self.value, self.guild = custom_id, guild

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[discord.Client], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReviewButton:
        return cls(match.group(0), match.group("guild"))

    async def callback(self, interaction: discord.Interaction[discord.Client]) -> None:
        client = interaction.client
        if isinstance(client, StudyBotClient):
            await client.press_drill_button(interaction, self.value, guild=self.guild)


class StudyBotClient(discord.Client):
    """A discord.py client wired to the quiz service.

    Args:
        service: the quiz service (``bot.service.QuizService``).
        reconcile_every: seconds between reconciliations of open questions (also run on every ``on_ready``).
        identify_delay: seconds to wait before a re-IDENTIFY (discord.py's default 5 s; tests pass 0).
        sync_commands: register the slash commands at start-up when they changed (``PUT /applications/{id}/commands``).
        dev_guild: register them in this guild instead of globally (``DISCORD_DEV_GUILD``).
        ready: called once, on the first ``on_ready``, with a short description of the connection.
        **options: passed to :class:`discord.Client` (e.g. ``guild_ready_timeout``).
    """

    def __init__(
        self,
        service: ServicePort,
        *,
        reconcile_every: float = RECONCILE_EVERY,
        identify_delay: float = 5.0,
        sync_commands: bool = True,
        dev_guild: str | None = None,
        ready: Callable[[str], None] | None = None,
        **options: Any,
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_reactions = True  # raw reaction events; message_content is not needed
        options.setdefault("allowed_mentions", discord.AllowedMentions.none())
        options.setdefault("max_messages", None)  # nothing reads the message cache
        options.setdefault("chunk_guilds_at_startup", False)
        options.setdefault("member_cache_flags", discord.MemberCacheFlags.none())
        options.setdefault("max_ratelimit_timeout", 60.0)  # longer waits raise RateLimited instead of hanging
        # no voice here: skip discord.py's start-up warnings about PyNaCl and davey
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(intents=intents, **options)
        self.service = service
        self.notifier = DiscordNotifier(self)
        self.reconcile_every = reconcile_every
        self.identify_delay = identify_delay
        self.sync_commands = sync_commands
        self.dev_guild = dev_guild  # commands registered in this guild only (instant updates while developing)
        self._ready_callback = ready
        self.tree: app_commands.CommandTree[StudyBotClient] = app_commands.CommandTree(self)
        self.tree.on_error = self._on_tree_error  # type: ignore[method-assign]
        for command in build_commands(service.syllabus):
            self.tree.add_command(command)
        self.reconciliations = 0  # completed reconciliation runs (observability and tests)
        self._boot = uuid.uuid4().hex[:12]
        self._local_seq = itertools.count(1)
        self._reactions: asyncio.Queue[_ReactionDelivery] = asyncio.Queue()
        self._reconcile_wanted = asyncio.Event()
        self._workers: list[asyncio.Task[None]] = []

    # -- lifecycle -------------------------------------------------------------------------------
    async def setup_hook(self) -> None:
        self.add_dynamic_items(DrillButton, ReportButton, ReviewButton)
        if self.sync_commands:
            try:
                await self._sync_if_changed()
            except discord.HTTPException as exc:
                log.error(
                    "could not register slash commands (%s %s); was the bot invited with the "
                    "applications.commands scope? Reactions still work.",
                    exc.status,
                    exc.text,
                )
        self._workers = [
            asyncio.create_task(self._reaction_worker(), name="studybot-discord-reactions"),
            asyncio.create_task(self._reconcile_worker(), name="studybot-discord-reconcile"),
        ]

    async def _sync_if_changed(self) -> None:
        """Register the slash commands, globally or in the development guild, only when they changed
        (Discord rate-limits command updates; a restart with the same commands sends nothing)."""
        guild = discord.Object(id=int(self.dev_guild)) if self.dev_guild else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        wanted = [command_fingerprint(c.to_dict(self.tree)) for c in self.tree.get_commands(guild=guild)]
        try:
            current = [command_fingerprint(_registered_payload(c)) for c in await self.tree.fetch_commands(guild=guild)]
        except discord.HTTPException as exc:
            log.info("could not read the registered commands (%s); registering them", exc.status)
            current = []
        where = f"guild {self.dev_guild}" if guild is not None else "globally"
        if sorted(wanted, key=repr) == sorted(current, key=repr):
            log.info("slash commands unchanged %s; not synced", where)
            return
        synced = await self.tree.sync(guild=guild)
        log.info("slash commands synced %s: %s", where, ", ".join(c.name for c in synced))

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if not initial and self.identify_delay > 0:
            await asyncio.sleep(self.identify_delay)

    async def close(self) -> None:
        if self._workers:
            # answers already received are worth a moment; anything left is repaired by reconciliation
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._reactions.join(), timeout=2.0)
            for task in self._workers:
                task.cancel()
            await asyncio.gather(*self._workers, return_exceptions=True)
            self._workers = []
        await super().close()

    async def on_ready(self) -> None:
        guilds = len(self.guilds)
        log.info("connected to Discord as %s in %d server(s)", self.user, guilds)
        self.request_reconcile()
        if self._ready_callback is not None:
            callback, self._ready_callback = self._ready_callback, None
            callback(f"discord gateway ({guilds} server(s))")

    async def on_shard_ready(self, shard_id: int) -> None:
        self.request_reconcile()

    # -- reconciliation --------------------------------------------------------------------------
    def request_reconcile(self) -> None:
        """Ask for a reconciliation soon; requests arriving during a run coalesce into one more run."""
        self._reconcile_wanted.set()

    async def _reconcile_worker(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._reconcile_wanted.wait(), timeout=self.reconcile_every)
            self._reconcile_wanted.clear()
            try:
                added = await self.service.reconcile_open_posts(platform="discord")
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reconciliation failed; retrying at the next interval")
            else:
                if added:
                    log.info("reconciliation repaired %d reaction event(s) missed while disconnected", added)
            self.reconciliations += 1

    async def on_raw_reaction_clear(self, payload: discord.RawReactionClearEvent) -> None:
        self.request_reconcile()  # a moderator cleared reactions: re-read the message

    async def on_raw_reaction_clear_emoji(self, payload: discord.RawReactionClearEmojiEvent) -> None:
        self.request_reconcile()

    # -- reactions -------------------------------------------------------------------------------
    def dispatch(self, event: str, /, *args: Any, **kwargs: Any) -> None:
        # The gateway sets ws.sequence before it parses an event, and parsing calls dispatch
        # synchronously, so this is the one place where an event's sequence number is known.
        if event in ("raw_reaction_add", "raw_reaction_remove") and args:
            kwargs["position"] = self._gateway_position(args[0])
        super().dispatch(event, *args, **kwargs)

    def _gateway_position(self, payload: discord.RawReactionActionEvent) -> tuple[str, int] | None:
        try:
            ws = self._connection._get_websocket(payload.guild_id)
        except (AttributeError, KeyError, TypeError):
            return None
        if ws is None or ws.session_id is None or ws.sequence is None:
            return None
        return str(ws.session_id), int(ws.sequence)

    async def on_raw_reaction_add(
        self, payload: discord.RawReactionActionEvent, *, position: tuple[str, int] | None = None
    ) -> None:
        self._enqueue(payload, True, position)

    async def on_raw_reaction_remove(
        self, payload: discord.RawReactionActionEvent, *, position: tuple[str, int] | None = None
    ) -> None:
        self._enqueue(payload, False, position)

    def _enqueue(self, payload: discord.RawReactionActionEvent, added: bool, position: tuple[str, int] | None) -> None:
        # Handlers run as tasks in dispatch order and this runs before their first await, so the
        # queue keeps gateway order (remove A then add B must not be stored as add B, remove A).
        if payload.guild_id is None or (self.user is not None and payload.user_id == self.user.id):
            return  # DMs are not quiz channels; the bot's own seed reactions are not answers
        self._reactions.put_nowait(_ReactionDelivery(payload, added, position))

    async def _reaction_worker(self) -> None:
        while True:
            item = await self._reactions.get()
            try:
                await self._record(item)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("could not record a reaction", extra={"message_id": item.payload.message_id})
            finally:
                self._reactions.task_done()

    async def _record(self, item: _ReactionDelivery) -> None:
        p = item.payload
        emoji = str(p.emoji)
        if item.position is not None:
            position = f"{item.position[0]}:{item.position[1]}"
        else:  # not from the gateway: unique in this process (a replay would then rely on the answer policy)
            position = f"local:{self._boot}:{next(self._local_seq)}"
        member = p.member
        user = member or self.get_user(p.user_id)
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

    async def wait_for_reactions(self) -> None:
        """Wait until every reaction received so far is stored (tests, shutdown)."""
        await self._reactions.join()

    # -- interactions ----------------------------------------------------------------------------
    def invocation(self, interaction: discord.Interaction[Any], guild: str | None = None) -> Invocation | None:
        """Who did what where; None outside a guild, unless ``guild`` says which server a DM's press is for."""
        if interaction.guild_id is None and guild is not None and interaction.channel_id is not None:
            return Invocation(
                platform=PLATFORM,
                workspace=guild,
                channel=str(interaction.channel_id),
                user=str(interaction.user.id),
                user_name=interaction.user.display_name,
            )
        if interaction.guild_id is None or interaction.channel_id is None:
            return None
        perms = interaction.permissions
        channel = interaction.channel
        return Invocation(
            platform=PLATFORM,
            workspace=str(interaction.guild_id),
            channel=str(interaction.channel_id),
            user=str(interaction.user.id),
            user_name=interaction.user.display_name,
            is_admin=bool(perms.manage_guild or perms.administrator),
            channel_name=str(getattr(channel, "name", "") or ""),
            workspace_name=str(getattr(interaction.guild, "name", "") or ""),
        )

    async def run_command(
        self,
        interaction: discord.Interaction[Any],
        command: str,
        text: str,
        validate: Callable[[str], object] | None = None,
    ) -> None:
        """Validate, defer (ephemeral), ask the service, and send its replies as followups."""
        inv = self.invocation(interaction)
        if inv is None:
            await interaction.response.send_message(GUILDS_ONLY, ephemeral=True)
            return
        if validate is not None:
            try:
                validate(text)
            except UsageError as exc:  # answered at once; the service is not called, nothing is written
                await self._send_now(interaction, Reply(str(exc), private=True))
                return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            replies = await self.service.handle_command(inv, command, text)
        except Exception:
            log.exception("command %s failed", command, extra={"guild": inv.workspace, "channel": inv.channel})
            replies = [Reply(FAILED, private=True)]
        await self._send_replies(interaction, replies, inv)

    async def press_drill_button(
        self, interaction: discord.Interaction[Any], value: str, *, guild: str | None = None
    ) -> None:
        """A drill button (or a reminder's, from a DM of ``guild``): acknowledge (deferred update), ask
        the service, disable the pressed message's buttons."""
        inv = self.invocation(interaction, guild)
        handler = getattr(self.service, "press_button", None)
        if inv is None or handler is None:
            await interaction.response.send_message(GUILDS_ONLY if inv is None else NO_BUTTONS, ephemeral=True)
            return
        await interaction.response.defer()  # type 6: nothing visible changes until we edit
        failed = False
        try:
            replies: list[Reply] = list(await handler(inv, value))
        except Exception:
            log.exception("drill button failed", extra={"guild": inv.workspace, "custom_id": value})
            replies, failed = [Reply(FAILED, private=True)], True
        if not failed and interaction.message is not None:
            try:
                await interaction.edit_original_response(view=disabled_copy(interaction.message, value))
            except discord.HTTPException as exc:
                log.warning("could not disable the answered drill buttons: %s", exc.status)
        where = ChannelRef(PLATFORM, inv.workspace, inv.channel)
        for reply in replies:
            send = functools.partial(interaction.followup.send, ephemeral=reply.private)
            await self.notifier.send_rendered(where, render(reply), send)

    async def open_report_form(self, interaction: discord.Interaction[Any], value: str) -> None:
        """A "Report a problem" button: answer with the form at once (type 9), nothing stored yet."""
        target = ReportTarget.parse(value)
        if self.invocation(interaction) is None or target is None:
            await interaction.response.send_message(GUILDS_ONLY if target else FAILED, ephemeral=True)
            return
        if getattr(self.service, "report_problem", None) is None:
            await interaction.response.send_message(NO_REPORTS, ephemeral=True)
            return
        await interaction.response.send_modal(report_form(target))

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """A report form sent (type 5, MODAL_SUBMIT): store it once per interaction id, answer privately."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        answers = report_form_answers(interaction.data)
        if answers is None:
            return
        value, kind, text = answers
        inv = self.invocation(interaction)
        report = getattr(self.service, "report_problem", None)
        if inv is None or report is None:
            await interaction.response.send_message(GUILDS_ONLY if inv is None else NO_REPORTS, ephemeral=True)
            return
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
        except discord.HTTPException as exc:  # a replayed or late delivery: still store it (once), answer nobody
            refused: int | None = exc.status
        else:
            refused = None
        try:
            reply: Reply = await report(inv, value, kind, text, f"{PLATFORM}:interaction:{interaction.id}")
        except Exception:
            log.exception("storing a report failed", extra={"guild": inv.workspace})
            reply = Reply(FAILED, private=True)
        if refused is None:
            await self._send_replies(interaction, [reply], inv)
        else:
            log.info("report form %s handled without an answer (Discord refused it: %s)", interaction.id, refused)

    async def _send_now(self, interaction: discord.Interaction[Any], reply: Reply) -> None:
        parts = message_parts(render(reply), with_image=False)
        await interaction.response.send_message(ephemeral=True, **parts[0])
        for kwargs in parts[1:]:
            await interaction.followup.send(ephemeral=True, **kwargs)

    async def _send_replies(self, interaction: discord.Interaction[Any], replies: list[Reply], inv: Invocation) -> None:
        # After an ephemeral defer the "thinking" message is ephemeral for good, so it carries the
        # first private reply; public replies follow as ordinary (visible) followup messages.
        where = ChannelRef(PLATFORM, inv.workspace, inv.channel)
        pending_original = True

        async def private(**kwargs: Any) -> None:
            nonlocal pending_original
            if pending_original:
                if "file" in kwargs:  # an edit uploads new files as attachments
                    kwargs["attachments"] = [kwargs.pop("file")]
                await interaction.edit_original_response(**kwargs)
                pending_original = False
            else:
                await interaction.followup.send(ephemeral=True, **kwargs)

        public = functools.partial(interaction.followup.send, ephemeral=False)
        for reply in [r for r in replies if r.private]:
            await self.notifier.send_rendered(where, render(reply), private)
        shown = [r for r in replies if not r.private]
        if pending_original:
            await interaction.edit_original_response(content="Done." if shown else "Nothing to show.")
        for reply in shown:
            await self.notifier.send_rendered(where, render(reply), public)

    async def _on_tree_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        log.error("slash command failed", exc_info=error)
        message = GUILDS_ONLY if isinstance(error, app_commands.NoPrivateMessage) else FAILED
        with contextlib.suppress(discord.HTTPException):
            if interaction.response.is_done():
                await interaction.followup.send(message, ephemeral=True)
            else:
                await interaction.response.send_message(message, ephemeral=True)


_FINGERPRINT_KEYS = (
    "name",
    "description",
    "type",
    "required",
    "autocomplete",
    "min_value",
    "max_value",
    "min_length",
    "max_length",
    "channel_types",
)


def _registered_payload(command: app_commands.AppCommand) -> dict[str, Any]:
    payload = dict(command.to_dict())
    perms = command.default_member_permissions  # AppCommand.to_dict leaves this out
    payload["default_member_permissions"] = str(perms.value) if perms is not None else None
    return payload


def command_fingerprint(payload: dict[str, Any]) -> dict[str, Any]:
    """The parts of a command's payload that we set, normalised, so local and registered forms compare."""
    out: dict[str, Any] = {k: payload[k] for k in _FINGERPRINT_KEYS if payload.get(k) not in (None, False, [])}
    out.setdefault("type", 1)
    perms = payload.get("default_member_permissions")
    if perms is not None:
        out["default_member_permissions"] = str(perms)
    if payload.get("choices"):
        out["choices"] = [(c["name"], c["value"]) for c in payload["choices"]]
    if payload.get("options"):
        out["options"] = [command_fingerprint(o) for o in payload["options"]]
    return out


class ShardedStudyBotClient(StudyBotClient, discord.AutoShardedClient):
    """The same bot as an :class:`discord.AutoShardedClient` (one process, many shards).

    The shard count and gateway address come from ``GET /gateway/bot``; ``on_shard_ready``
    reconciles as well, because one shard may re-IDENTIFY while the others stay connected.
    """
