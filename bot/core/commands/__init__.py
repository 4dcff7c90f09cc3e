"""The command grammar, the same on every platform; parsing never touches storage.

Every parse function returns a command object or raises :class:`UsageError` whose message is the
text to show (privately) to the person who typed it: what was wrong, what is accepted, one example.
Argument kinds (times, zones, topics, counts, dates, team names) are parsed by :mod:`bot.core.args`.
"""

from bot.core.args import UsageError, parse_time, parse_timezone, parse_topic
from bot.core.commands.figures import Leaderboard, Stats, WeakSpots, parse_leaderboard, parse_stats, parse_weakspots
from bot.core.commands.practice import (
    DRILL_DEFAULT,
    DRILL_MAX,
    EXAM_USAGE,
    Drill,
    Exam,
    drill_usage,
    parse_drill,
    parse_exam,
)
from bot.core.commands.studybot import STUDYBOT_USAGE, Focus, ForgetMe, StudybotCommand, TeamCommand, parse_studybot

__all__ = [
    "DRILL_DEFAULT",
    "DRILL_MAX",
    "STUDYBOT_USAGE",
    "Drill",
    "EXAM_USAGE",
    "Exam",
    "Focus",
    "ForgetMe",
    "Leaderboard",
    "Stats",
    "StudybotCommand",
    "TeamCommand",
    "UsageError",
    "WeakSpots",
    "drill_usage",
    "parse_drill",
    "parse_exam",
    "parse_leaderboard",
    "parse_stats",
    "parse_studybot",
    "parse_time",
    "parse_timezone",
    "parse_topic",
    "parse_weakspots",
]
