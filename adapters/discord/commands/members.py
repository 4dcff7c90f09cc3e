"""The members' top-level commands (``/drill``, ``/leaderboard``, ``/weakspots``, ``/stats``, ``/exam``,
``/forget-me``) and build_commands, which adds the ``/plan`` and ``/studybot`` groups."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from adapters.discord.commands.options import _args, _cut, _runner, scope_choices
from adapters.discord.commands.plan import build_plan_group
from adapters.discord.commands.studybot import build_studybot_group
from bot.core.catalogue import member_command, subcommand
from bot.core.commands import parse_drill, parse_exam, parse_leaderboard, parse_studybot, parse_weakspots
from bot.core.model import Syllabus

__all__ = ["build_commands"]


def build_commands(syllabus: Syllabus) -> list[app_commands.Command[Any, Any, None] | app_commands.Group]:
    """All slash commands; each one only builds the command text and hands it to the client."""
    topic_choices = [
        app_commands.Choice(name=_cut(f"Topic {t.id}: {t.title}", 100), value=f"topic{t.id}") for t in syllabus.topics
    ][:25]

    @app_commands.command(name="drill", description=member_command("drill").summary)
    @app_commands.describe(scope="weak, missed, topicN, a subtopic like 3.2 or an objective like 3.2.1", count="1-20")
    @app_commands.guild_only()
    async def drill(
        interaction: discord.Interaction[Any],
        scope: app_commands.Range[str, 1, 200] | None = None,
        count: app_commands.Range[int, 1, 20] | None = None,
    ) -> None:
        runner = _runner(interaction)
        # Autocomplete suggests but does not enforce: whatever arrives is checked by the core's parser.
        await runner.run_command(
            interaction, "/drill", _args(scope, count), lambda t: parse_drill(t, runner.service.syllabus)
        )

    @drill.autocomplete("scope")
    async def drill_scope(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return scope_choices(_runner(interaction).service.syllabus, current)

    @app_commands.command(name="leaderboard", description=member_command("leaderboard").summary)
    @app_commands.describe(week="this, last, or a date YYYY-MM-DD in the week", topic="only one topic")
    @app_commands.choices(topic=topic_choices)
    @app_commands.guild_only()
    async def leaderboard(
        interaction: discord.Interaction[Any],
        week: app_commands.Range[str, 1, 10] | None = None,
        topic: app_commands.Choice[str] | None = None,
    ) -> None:
        text = _args(week, topic.value if topic else None)
        await _runner(interaction).run_command(interaction, "/leaderboard", text, parse_leaderboard)

    @leaderboard.autocomplete("week")
    async def leaderboard_week(_interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=w, value=w) for w in ("this", "last") if w.startswith(current.strip().lower())]

    @app_commands.command(name="weakspots", description=member_command("weakspots").summary)
    @app_commands.describe(
        team="a team name (default: this channel's team)",
        topic="one topic's objectives one by one (default: every topic)",
    )
    @app_commands.choices(topic=topic_choices)
    @app_commands.guild_only()
    async def weakspots(
        interaction: discord.Interaction[Any],
        team: app_commands.Range[str, 1, 40] | None = None,
        topic: app_commands.Choice[str] | None = None,
    ) -> None:
        text = _args(team, topic.value if topic else None)
        await _runner(interaction).run_command(interaction, "/weakspots", text, parse_weakspots)

    @app_commands.command(name="stats", description=member_command("stats").summary)
    @app_commands.guild_only()
    async def stats(interaction: discord.Interaction[Any]) -> None:
        await _runner(interaction).run_command(interaction, "/stats", "")

    @app_commands.command(name="exam", description=member_command("exam").summary)
    @app_commands.describe(
        count="questions (default: the real exam's 59)",
        minutes="time budget (default: the real exam's pace)",
        end="True to finish the exam in progress now and see the result",
    )
    @app_commands.guild_only()
    async def exam(
        interaction: discord.Interaction[Any],
        count: app_commands.Range[int, 1, 120] | None = None,
        minutes: app_commands.Range[int, 1, 240] | None = None,
        end: bool | None = None,
    ) -> None:
        await _runner(interaction).run_command(
            interaction, "/exam", "end" if end else _args(count, minutes), parse_exam
        )

    @app_commands.command(name="forget-me", description=subcommand("forget-me").summary)
    @app_commands.describe(confirm="True to delete now; leave it out to see what is deleted")
    @app_commands.guild_only()
    async def forget_me(interaction: discord.Interaction[Any], confirm: bool | None = None) -> None:
        await _runner(interaction).run_command(
            interaction, "/studybot", "forget-me confirm" if confirm else "forget-me", parse_studybot
        )

    return [drill, leaderboard, weakspots, stats, exam, forget_me, build_plan_group(), build_studybot_group(syllabus)]
