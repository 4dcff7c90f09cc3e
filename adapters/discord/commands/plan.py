"""``/plan ...``: the personal study plan's command group."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord.commands.options import _args, _runner, _zone_autocomplete
from bot.core.catalogue import member_command

__all__ = ["build_plan_group"]


def build_plan_group() -> app_commands.Group:
    """``/plan ...``: the personal study plan; each subcommand builds the text ``/plan`` takes on Slack."""
    group = app_commands.Group(
        name="plan",
        description=member_command("plan").summary,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )

    async def run(interaction: discord.Interaction[Any], text: str) -> None:
        await _runner(interaction).run_command(interaction, "/plan", text)

    @group.command(name="show", description="Your plan: reminder, exam date, pause and daily cap")
    async def show(interaction: discord.Interaction[Any]) -> None:
        await run(interaction, "")

    @group.command(name="remind", description="A direct message when reviews are due, at your time (or off)")
    @app_commands.describe(
        time="when, e.g. 08:00 or 8am", timezone="an IANA zone (default: your team's)", off="True to stop reminders"
    )
    @app_commands.autocomplete(timezone=_zone_autocomplete)
    async def remind(
        interaction: discord.Interaction[Any],
        time: app_commands.Range[str, 1, 20] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        off: bool | None = None,
    ) -> None:
        await run(interaction, "remind off" if off else _args("remind", time, timezone))

    @group.command(name="pause", description="A holiday: no reminders, reviews move later, streak kept")
    @app_commands.describe(length="14d, 2w, or the end date YYYY-MM-DD")
    async def pause(interaction: discord.Interaction[Any], length: app_commands.Range[str, 1, 20]) -> None:
        await run(interaction, _args("pause", length))

    @group.command(name="resume", description="End your pause today")
    async def resume(interaction: discord.Interaction[Any]) -> None:
        await run(interaction, "resume")

    @group.command(name="cap", description="At most this many reviews a day (default 20)")
    async def cap(interaction: discord.Interaction[Any], reviews: app_commands.Range[int, 1, 200]) -> None:
        await run(interaction, _args("cap", reviews))

    @group.command(name="exam", description="Your exam date: the pace to get there and the projected readiness")
    @app_commands.describe(date="YYYY-MM-DD (leave out to see the plan)", off="True to clear the date")
    async def exam(
        interaction: discord.Interaction[Any],
        date: app_commands.Range[str, 1, 10] | None = None,
        off: bool | None = None,
    ) -> None:
        await run(interaction, "exam off" if off else _args("exam", date))

    @group.command(name="weekly", description="A Monday direct message with last week and your progress")
    async def weekly(interaction: discord.Interaction[Any], on: bool) -> None:
        await run(interaction, f"weekly {'on' if on else 'off'}")

    return group
