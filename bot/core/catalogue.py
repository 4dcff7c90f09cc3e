"""The command catalogue: every command's name, arguments and one-line summary, in one place.

The help text (``/studybot help``), Discord's registered command descriptions and the Slack
manifest's descriptions and usage hints are all read from here, so a new or changed command shows
up everywhere at once (tests hold ``slack-app-manifest.yaml`` and the README's table to it).
Summaries fit Discord's 100-character description limit.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ADMIN_MARK",
    "MEMBER_COMMANDS",
    "STUDYBOT",
    "STUDYBOT_SUBCOMMANDS",
    "CommandInfo",
    "member_command",
    "studybot_help",
    "subcommand",
]

ADMIN_MARK = "*"
DESCRIPTION_LIMIT = 100  # Discord's limit for a command's or option's description


@dataclass(frozen=True, slots=True)
class CommandInfo:
    """One command (``/drill``) or one ``/studybot`` subcommand (``subscribe``, ``team add``)."""

    name: str
    args: str  # the argument grammar as people type it on Slack and in the terminal, "" for none
    summary: str
    admin: bool = False
    who: str = "everyone"

    @property
    def usage(self) -> str:
        return f"{self.name} {self.args}".strip()


MEMBER_COMMANDS: tuple[CommandInfo, ...] = (
    CommandInfo(
        "drill",
        "[weak | missed | topicN | 3.2 | 3.2.4] [count 1-20]",
        "Practise questions privately (due reviews first by default)",
        who="everyone, privately",
    ),
    CommandInfo(
        "leaderboard",
        "[this | last | YYYY-MM-DD] [topicN]",
        "Your team's week: points, accuracy, streaks, by topic",
        who="everyone, privately",
    ),
    CommandInfo(
        "weakspots",
        "[team] [topicN]",
        "Leads: the objectives your team (or a named team) gets wrong most",
        who="team leads and admins",
    ),
    CommandInfo("stats", "", "Your own answers, streak, reviews due and exam readiness", who="everyone, privately"),
    CommandInfo(
        "exam",
        "[count] [minutes] | end",
        "A timed mock exam in the real exam's proportions, scored at the end",
        who="everyone, privately",
    ),
    CommandInfo(
        "plan",
        "[remind HH:MM [zone] | remind off | pause 14d | resume | cap N | exam YYYY-MM-DD | weekly on|off]",
        "Your study plan: review reminders by DM, exam date and pace, pause, daily review cap",
        who="everyone, privately",
    ),
)

STUDYBOT = CommandInfo(
    "studybot",
    "help | subscribe [HH:MM] [Area/City] | settings | post-now | reveal-now | team ...",
    "Daily questions in this channel, schedule, teams, focus (admins)",
    admin=True,
)

STUDYBOT_SUBCOMMANDS: tuple[CommandInfo, ...] = (
    CommandInfo("help", "", "This list of commands"),
    CommandInfo("subscribe", "[time] [zone]", "Post a daily question in this channel (default 09:00 UTC)", admin=True),
    CommandInfo("unsubscribe", "", "Stop daily questions in this channel (answers are kept)", admin=True),
    CommandInfo("settings", "", "Show this channel's schedule"),
    CommandInfo("settings", "[time T] [tz ZONE] [reveal 8h]", "Change this channel's schedule", admin=True),
    CommandInfo("post-now", "", "Post a question in this channel now", admin=True),
    CommandInfo("reveal-now", "", "Reveal this channel's open question now", admin=True),
    CommandInfo(
        "focus", "topicN [weeks] | focus off", "Daily questions only from one topic for 1-12 weeks (or off)", admin=True
    ),
    CommandInfo("team list", "", "The teams, their zones, leads and sizes", admin=True),
    CommandInfo("team create", "NAME", "Create a team", admin=True),
    CommandInfo("team delete", "NAME", "Delete a team (its members keep their answers)", admin=True),
    CommandInfo("team add", "NAME @person", "Put a member in a team (moving them from their old one)", admin=True),
    CommandInfo("team remove", "NAME @person", "Take a member out of a team", admin=True),
    CommandInfo("team lead", "NAME @person", "Make a member a lead of a team (leads see /weakspots)", admin=True),
    CommandInfo("team unlead", "NAME @person", "A lead becomes an ordinary member", admin=True),
    CommandInfo("forget-me", "[confirm]", "Delete everything StudyBot stores about you here"),
)


def member_command(name: str) -> CommandInfo:
    """The catalogue entry of a top-level member command (``drill``, ``stats``, ...)."""
    for info in MEMBER_COMMANDS:
        if info.name == name:
            return info
    raise KeyError(name)


def subcommand(name: str, *, admin: bool | None = None) -> CommandInfo:
    """The catalogue entry of a ``/studybot`` subcommand; ``admin`` picks between same-named forms."""
    for info in STUDYBOT_SUBCOMMANDS:
        if info.name == name and (admin is None or info.admin == admin):
            return info
    raise KeyError(name)


def studybot_help() -> str:
    """``/studybot help``: every subcommand with its arguments, admin-only ones marked, then the others."""
    width = max(len(i.usage) for i in STUDYBOT_SUBCOMMANDS) + 2
    lines = [f"Usage: /studybot <command>   ({ADMIN_MARK} = workspace admins and StudyBot admins only)"]
    for info in STUDYBOT_SUBCOMMANDS:
        mark = ADMIN_MARK if info.admin else " "
        lines.append(f"{mark} {info.usage.ljust(width)}{info.summary}")
    lines.append("Other commands:")
    lines += [f"  /{info.usage}\n      {info.summary}" for info in MEMBER_COMMANDS]
    return "\n".join(lines)
