"""Discord's slash commands: ``/studybot`` subcommands for admins, top-level commands for members.

Every command only turns its typed options into the command text the core parses (the same grammar
as Slack and the console), so validation, replies and the help text stay in one place. Discord
applies ``default_member_permissions`` to a whole top-level command, so the member commands
(``/drill``, ``/leaderboard``, ``/weakspots``, ``/stats``, ``/forget-me``) are top-level and only the
admin group ``/studybot`` needs Manage Server.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import discord
from discord import app_commands

from bot.core.catalogue import STUDYBOT, member_command, subcommand
from bot.core.commands import parse_drill, parse_exam, parse_leaderboard, parse_studybot, parse_weakspots
from bot.core.model import Syllabus

__all__ = ["CommandRunner", "build_commands", "scope_choices", "zone_choices"]

REVEAL_CHOICES = ["30m", "1h", "2h", "4h", "8h", "12h", "23h"]
# Discord has one settings command for both catalogue forms (show, and change with options).
SETTINGS_SUMMARY = "Show or change this channel's schedule (changing it: admins)"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _args(*parts: object) -> str:
    return " ".join(str(p).strip() for p in parts if p is not None and str(p).strip())


class _HasSyllabus(Protocol):
    @property
    def syllabus(self) -> Syllabus: ...


@runtime_checkable
class CommandRunner(Protocol):
    """What a command callback needs: the client's ``interactions`` (``Interactions`` is one); no import of it."""

    @property
    def service(self) -> _HasSyllabus: ...

    async def run_command(
        self,
        interaction: discord.Interaction[Any],
        command: str,
        text: str,
        validate: Callable[[str], object] | None = None,
    ) -> None: ...


def _runner(interaction: discord.Interaction[Any]) -> CommandRunner:
    runner = getattr(interaction.client, "interactions", None)
    if not isinstance(runner, CommandRunner):
        raise TypeError("StudyBot commands need a client with interactions (StudyBotClient)")
    return runner


def scope_choices(syllabus: Syllabus, current: str, limit: int = 25) -> list[app_commands.Choice[str]]:
    """Drill scopes matching what the person has typed so far (Discord shows at most 25)."""
    options: list[tuple[str, str]] = [
        ("weak", "weak · your weakest objectives"),
        ("missed", "missed · questions you got wrong"),
    ]
    for topic in syllabus.topics:
        options.append((f"topic{topic.id}", f"topic{topic.id} · {topic.title}"))
    for topic in syllabus.topics:
        for sub in topic.subtopics:
            options.append((sub.id, f"{sub.id} · {sub.title}"))
    for objective in syllabus.objectives():
        options.append((objective.id, f"{objective.id} · {objective.text}"))
    needle = current.strip().lower()[:100]
    if needle:
        hits = [o for o in options if needle in o[1].lower()]
        hits.sort(key=lambda o: not o[0].lower().startswith(needle))  # stable: prefix matches first
    else:
        hits = options
    return [app_commands.Choice(name=_cut(label, 100), value=value) for value, label in hits[:limit]]


@functools.cache
def _zone_names() -> tuple[str, ...]:
    return tuple(
        sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "posix/", "right/")))
    )


def zone_choices(current: str, limit: int = 25) -> list[app_commands.Choice[str]]:
    """IANA zones containing what was typed (prefix matches first); UTC first when nothing is typed."""
    needle = current.strip().lower()[:64]
    names = _zone_names()
    if not needle:
        picks = [
            "UTC",
            "Europe/London",
            "Europe/Berlin",
            "America/New_York",
            "America/Chicago",
            "America/Los_Angeles",
            "Asia/Kolkata",
            "Asia/Singapore",
            "Asia/Tokyo",
            "Australia/Sydney",
        ]
    else:
        hits = [z for z in names if needle in z.lower()]
        hits.sort(key=lambda z: (not z.lower().startswith(needle), not z.lower().split("/")[-1].startswith(needle), z))
        picks = (["UTC"] if "utc".startswith(needle) else []) + hits
    return [app_commands.Choice(name=z, value=z) for z in picks[:limit]]


async def _zone_autocomplete(_interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    return zone_choices(current)


def _mention(member: discord.abc.User) -> str:
    return f"<@{member.id}>"


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
