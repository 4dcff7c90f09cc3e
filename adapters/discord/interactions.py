"""Discord interactions for the service: slash commands, drill and reminder buttons, the report form.

:class:`Interactions` is the client's interaction handler (the service injected, like a cog's): the
slash commands (``commands.py``) and the dynamic buttons (``buttons.py``) reach it as
``interaction.client.interactions``. An interaction must be answered within 3 seconds, so commands
defer first; autocomplete does not constrain what is submitted, so the core's parser checks it again.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable
from typing import Any, Protocol

import discord
from discord import app_commands

from adapters.discord.notifier import DiscordNotifier
from adapters.discord.render import message_parts, render
from adapters.discord.views import disabled_copy, report_form, report_form_answers
from bot.core.commands import UsageError
from bot.core.feedback import ReportTarget
from bot.core.messages import ChannelRef, Reply
from bot.core.model import Syllabus
from bot.service import Invocation

__all__ = ["FAILED", "GUILDS_ONLY", "NO_BUTTONS", "NO_REPORTS", "PLATFORM", "InteractionService", "Interactions"]

log = logging.getLogger(__name__)

PLATFORM = "discord"
FAILED = "Something went wrong on StudyBot's side; the error is in the bot's log. Please try again later."
GUILDS_ONLY = "StudyBot works in servers, not in direct messages."
NO_BUTTONS = "Drill buttons are not available in this version of StudyBot yet."
NO_REPORTS = "Reporting a problem is not available in this version of StudyBot yet."


class InteractionService(Protocol):
    """What interactions need from the service (``press_button`` and ``report_problem`` are looked up at run time)."""

    syllabus: Syllabus

    async def handle_command(self, inv: Invocation, command: str, text: str) -> list[Reply]: ...


class Interactions:
    """Slash commands, buttons and the report form, translated into service calls; replies sent back.

    Args:
        service: the quiz service (``bot.service.QuizService``).
        notifier: sends rendered replies (splits long ones, attaches charts).
    """

    def __init__(self, service: InteractionService, notifier: DiscordNotifier) -> None:
        self.service = service
        self.notifier = notifier

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
        """A report form sent (type 5, MODAL_SUBMIT): store it once per interaction id, answer privately.

        Registered with ``Client.event``, so it runs for every interaction, like ``Client.on_interaction``."""
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

    async def on_tree_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        """The command tree's error handler: logged, and the person told privately."""
        log.error("slash command failed", exc_info=error)
        message = GUILDS_ONLY if isinstance(error, app_commands.NoPrivateMessage) else FAILED
        with contextlib.suppress(discord.HTTPException):
            if interaction.response.is_done():
                await interaction.followup.send(message, ephemeral=True)
            else:
                await interaction.response.send_message(message, ephemeral=True)
