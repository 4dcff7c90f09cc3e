"""The StudyBot Discord client: the gateway connection, raw reaction events and reconciliation.

The client only translates: a gateway event becomes a ``record_reaction`` call (``reactions.py``);
slash commands, buttons and the report form are handled by :class:`Interactions`
(``interactions.py``, with the dynamic button items in ``buttons.py``), and the commands are
registered only when they changed (``sync.py``). Facts it relies on (protocols.md §2): raw reaction
events fire for messages that are not cached (every question posted before a restart); a RESUME
replays missed events with their original sequence numbers, and a new session (INVALID_SESSION or
a restart) replays nothing, hence reconciliation on every ``on_ready`` and on a timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any, Protocol

import discord
from discord import app_commands

from adapters.discord.buttons import DrillButton, ReportButton, ReviewButton
from adapters.discord.commands import build_commands, scope_choices
from adapters.discord.interactions import (
    FAILED,
    GUILDS_ONLY,
    NO_BUTTONS,
    NO_REPORTS,
    PLATFORM,
    Interactions,
    InteractionService,
)
from adapters.discord.notifier import DiscordNotifier
from adapters.discord.reactions import ReactionIntake, ReactionService, delivery_id
from adapters.discord.sync import command_fingerprint, sync_if_changed

__all__ = [
    "FAILED",
    "GUILDS_ONLY",
    "NO_BUTTONS",
    "NO_REPORTS",
    "PLATFORM",
    "RECONCILE_EVERY",
    "DrillButton",
    "ReportButton",
    "ReviewButton",
    "ServicePort",
    "ShardedStudyBotClient",
    "StudyBotClient",
    "command_fingerprint",
    "delivery_id",
    "scope_choices",
]

log = logging.getLogger(__name__)

RECONCILE_EVERY = 300.0


class ServicePort(InteractionService, ReactionService, Protocol):
    """What the client needs from :class:`bot.service.QuizService` (``press_button`` is looked up at run time)."""

    async def reconcile_open_posts(self, platform: str | None = None) -> int: ...


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
        self.interactions = Interactions(service, self.notifier)  # commands and buttons reach it from the client
        self.tree.on_error = self.interactions.on_tree_error  # type: ignore[method-assign]
        for command in build_commands(service.syllabus):
            self.tree.add_command(command)
        self.event(self.interactions.on_interaction)  # the report form's submission
        self.reconciliations = 0  # completed reconciliation runs (observability and tests)
        self.reactions = ReactionIntake(service, self.get_user)
        self._reconcile_wanted = asyncio.Event()
        self._workers: list[asyncio.Task[None]] = []

    # -- lifecycle -------------------------------------------------------------------------------
    async def setup_hook(self) -> None:
        self.add_dynamic_items(DrillButton, ReportButton, ReviewButton)
        if self.sync_commands:
            try:
                await sync_if_changed(self.tree, self.dev_guild)
            except discord.HTTPException as exc:
                log.error(
                    "could not register slash commands (%s %s); was the bot invited with the "
                    "applications.commands scope? Reactions still work.",
                    exc.status,
                    exc.text,
                )
        self._workers = [
            asyncio.create_task(self.reactions.worker(), name="studybot-discord-reactions"),
            asyncio.create_task(self._reconcile_worker(), name="studybot-discord-reconcile"),
        ]

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if not initial and self.identify_delay > 0:
            await asyncio.sleep(self.identify_delay)

    async def close(self) -> None:
        if self._workers:
            # answers already received are worth a moment; anything left is repaired by reconciliation
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.reactions.join(), timeout=2.0)
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
        # Handlers run as tasks in dispatch order and this runs before their first await, so the
        # queue keeps gateway order (remove A then add B must not be stored as add B, remove A).
        self.reactions.put(payload, True, position, self.user.id if self.user is not None else None)

    async def on_raw_reaction_remove(
        self, payload: discord.RawReactionActionEvent, *, position: tuple[str, int] | None = None
    ) -> None:
        self.reactions.put(payload, False, position, self.user.id if self.user is not None else None)

    async def wait_for_reactions(self) -> None:
        """Wait until every reaction received so far is stored (tests, shutdown)."""
        await self.reactions.join()


class ShardedStudyBotClient(StudyBotClient, discord.AutoShardedClient):
    """The same bot as an :class:`discord.AutoShardedClient` (one process, many shards).

    The shard count and gateway address come from ``GET /gateway/bot``; ``on_shard_ready``
    reconciles as well, because one shard may re-IDENTIFY while the others stay connected.
    """
