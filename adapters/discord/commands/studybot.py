"""``/studybot ...``: the admin command group (Manage Server by default, servers only) and its team subgroup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands

from adapters.discord.commands.options import _args, _cut, _mention, _runner, _zone_autocomplete
from bot.core.catalogue import STUDYBOT, subcommand
from bot.core.commands import parse_studybot
from bot.core.model import Syllabus

__all__ = ["REVEAL_CHOICES", "SETTINGS_SUMMARY", "build_studybot_group"]

REVEAL_CHOICES = ["30m", "1h", "2h", "4h", "8h", "12h", "23h"]
# Discord has one settings command for both catalogue forms (show, and change with options).
SETTINGS_SUMMARY = "Show or change this channel's schedule (changing it: admins)"


def _team_named(action: str) -> Callable[..., Any]:
    @app_commands.describe(name="the team's name (letters, digits, spaces, - and _)")
    async def callback(interaction: discord.Interaction[Any], name: app_commands.Range[str, 1, 40]) -> None:
        await _runner(interaction).run_command(interaction, "/studybot", _args("team", action, name), parse_studybot)

    return callback


def _team_member(action: str) -> Callable[..., Any]:
    @app_commands.describe(name="the team's name", member="the member")
    async def callback(
        interaction: discord.Interaction[Any], name: app_commands.Range[str, 1, 40], member: discord.User
    ) -> None:
        await _runner(interaction).run_command(
            interaction, "/studybot", _args("team", action, name, _mention(member)), parse_studybot
        )

    return callback


def build_studybot_group(syllabus: Syllabus) -> app_commands.Group:
    """``/studybot ...``: the admin commands (Manage Server by default, servers only)."""
    topic_choices = [
        app_commands.Choice(name=_cut(f"Topic {t.id}: {t.title}", 100), value=f"topic{t.id}") for t in syllabus.topics
    ][:24] + [app_commands.Choice(name="off: the whole syllabus again", value="off")]
    group = app_commands.Group(
        name="studybot",
        description=STUDYBOT.summary,
        default_permissions=discord.Permissions(manage_guild=True),
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )

    @group.command(name="subscribe", description=subcommand("subscribe").summary)
    @app_commands.describe(
        time="when, e.g. 09:00 or 9am (default 09:00)", timezone="an IANA zone, e.g. Europe/Berlin (default UTC)"
    )
    @app_commands.autocomplete(timezone=_zone_autocomplete)
    async def subscribe(
        interaction: discord.Interaction[Any],
        time: app_commands.Range[str, 1, 20] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
    ) -> None:
        await _runner(interaction).run_command(
            interaction, "/studybot", _args("subscribe", time, timezone), parse_studybot
        )

    @group.command(name="unsubscribe", description=subcommand("unsubscribe").summary)
    async def unsubscribe(interaction: discord.Interaction[Any]) -> None:
        await _runner(interaction).run_command(interaction, "/studybot", "unsubscribe", parse_studybot)

    @group.command(name="settings", description=SETTINGS_SUMMARY)
    @app_commands.describe(
        time="post time, e.g. 09:00",
        timezone="an IANA zone, e.g. Europe/Berlin",
        reveal="how long after posting the answer is revealed",
    )
    @app_commands.autocomplete(timezone=_zone_autocomplete)
    @app_commands.choices(reveal=[app_commands.Choice(name=r, value=r) for r in REVEAL_CHOICES])
    async def settings(
        interaction: discord.Interaction[Any],
        time: app_commands.Range[str, 1, 20] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        reveal: app_commands.Choice[str] | None = None,
    ) -> None:
        text = _args(
            "settings",
            *(("time", time) if time else ()),
            *(("tz", timezone) if timezone else ()),
            *(("reveal", reveal.value) if reveal else ()),
        )
        await _runner(interaction).run_command(interaction, "/studybot", text, parse_studybot)

    @group.command(name="post-now", description=subcommand("post-now").summary)
    async def post_now(interaction: discord.Interaction[Any]) -> None:
        await _runner(interaction).run_command(interaction, "/studybot", "post-now", parse_studybot)

    @group.command(name="reveal-now", description=subcommand("reveal-now").summary)
    async def reveal_now(interaction: discord.Interaction[Any]) -> None:
        await _runner(interaction).run_command(interaction, "/studybot", "reveal-now", parse_studybot)

    @group.command(name="focus", description=subcommand("focus").summary)
    @app_commands.describe(topic="a topic, or off", weeks="for how many weeks (1-12, default 1)")
    @app_commands.choices(topic=topic_choices)
    async def focus(
        interaction: discord.Interaction[Any],
        topic: app_commands.Choice[str],
        weeks: app_commands.Range[int, 1, 12] | None = None,
    ) -> None:
        text = "focus off" if topic.value == "off" else _args("focus", topic.value, weeks)
        await _runner(interaction).run_command(interaction, "/studybot", text, parse_studybot)

    @group.command(name="help", description=subcommand("help").summary)
    async def help_(interaction: discord.Interaction[Any]) -> None:
        await _runner(interaction).run_command(interaction, "/studybot", "help", parse_studybot)

    team = app_commands.Group(name="team", description="Teams and their leads", parent=group)

    @team.command(name="list", description=subcommand("team list").summary)
    async def team_list(interaction: discord.Interaction[Any]) -> None:
        await _runner(interaction).run_command(interaction, "/studybot", "team list", parse_studybot)

    for action in ("create", "delete"):
        team.add_command(
            app_commands.Command(
                name=action, description=subcommand(f"team {action}").summary, callback=_team_named(action)
            )
        )
    for action in ("add", "remove", "lead", "unlead"):
        team.add_command(
            app_commands.Command(
                name=action, description=subcommand(f"team {action}").summary, callback=_team_member(action)
            )
        )
    return group
