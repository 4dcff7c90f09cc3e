"""The command grammar, the same on every platform; parsing never touches storage.

Every parse function returns a command object or raises :class:`UsageError` whose message is the
usage text to show (privately) to the person who typed it.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from bot.core.model import Syllabus

__all__ = [
    "Drill",
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
    "parse_leaderboard",
    "parse_studybot",
    "parse_weakspots",
    "parse_time",
    "parse_timezone",
    "parse_topic",
]

MAX_ARG_LENGTH = 200
DRILL_DEFAULT = 5
DRILL_MAX = 20


class UsageError(ValueError):
    """Bad arguments; the message is the usage text for the person."""


@dataclass(frozen=True, slots=True)
class StudybotCommand:
    action: str  # help subscribe unsubscribe settings post-now reveal-now
    time: str | None = None  # "HH:MM"
    tz: str | None = None
    reveal_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class Focus:
    topic: str | None  # None: focus off
    weeks: int = 1


@dataclass(frozen=True, slots=True)
class TeamCommand:
    action: str  # list create add remove lead unlead
    team: str = ""
    user: str = ""


@dataclass(frozen=True, slots=True)
class ForgetMe:
    confirmed: bool


@dataclass(frozen=True, slots=True)
class Drill:
    kind: str  # topic subtopic objective weak missed due
    target: str = ""
    count: int = DRILL_DEFAULT


@dataclass(frozen=True, slots=True)
class Leaderboard:
    week: str = "this"  # this | last | an ISO date in the week (past weeks stay queryable)
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class WeakSpots:
    team: str | None = None


@dataclass(frozen=True, slots=True)
class Stats:
    pass


STUDYBOT_USAGE = """Usage: /studybot <command>
  help                              this text
  subscribe [HH:MM] [Area/City]     post a daily question here (default 09:00 UTC)
  unsubscribe                       stop daily questions here
  settings [time HH:MM] [tz Area/City] [reveal 8h]   show or change this channel's settings
  post-now                          post a question now
  reveal-now                        reveal the open question now
  focus topicN [weeks] | focus off  weight daily questions toward one topic for a while
  team list | team create NAME | team add NAME @person | team remove NAME @person
       | team lead NAME @person | team unlead NAME @person
  forget-me [confirm]               delete everything stored about you
Other commands: /drill [scope] [count], /leaderboard [this|last|YYYY-MM-DD] [topicN], /weakspots [team], /stats"""


def _words(text: str) -> list[str]:
    if len(text) > MAX_ARG_LENGTH:
        raise UsageError(f"That is {len(text)} characters; arguments are at most {MAX_ARG_LENGTH}.")
    return text.split()


def parse_time(value: str) -> str:
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value)
    if not m:
        raise UsageError(f"{value!r} is not a time; use 24-hour HH:MM, e.g. 09:00 or 17:30.")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def parse_timezone(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z_]+(/[A-Za-z0-9_+\-]+){0,2}", value) or value.lower() == "localtime":
        raise UsageError(f"{value!r} is not a time zone; use an IANA name such as Europe/Berlin or America/New_York.")
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(
            f"Unknown time zone {value!r}; use an IANA name such as Europe/Berlin or America/New_York."
        ) from exc
    return value


def _parse_duration(value: str) -> int:
    m = re.fullmatch(r"(\d{1,3})(h|m)", value.lower())
    if not m:
        raise UsageError(f"{value!r} is not a duration; use e.g. 8h or 90m.")
    minutes = int(m.group(1)) * (60 if m.group(2) == "h" else 1)
    if not 1 <= minutes <= 23 * 60:
        raise UsageError("The reveal delay must be between 1 minute and 23 hours.")
    return minutes


def parse_studybot(text: str) -> StudybotCommand | Focus | TeamCommand | ForgetMe:
    words = _words(text)
    if not words or words[0].lower() in {"help", "-h", "--help"}:
        return StudybotCommand("help")
    action, args = words[0].lower(), words[1:]
    if action == "subscribe":
        time: str | None = "09:00"
        tz: str | None = None
        for a in args:
            if re.fullmatch(r"\d{1,2}:\d{2}", a):
                time = parse_time(a)
            elif "/" in a or a.upper() == "UTC":
                tz = "UTC" if a.upper() == "UTC" else parse_timezone(a)
            else:
                raise UsageError(f"Unexpected {a!r}.\nUsage: /studybot subscribe [HH:MM] [Area/City]")
        return StudybotCommand("subscribe", time=time, tz=tz or "UTC")
    if action in {"unsubscribe", "post-now", "reveal-now"}:
        if args:
            raise UsageError(f"/studybot {action} takes no arguments.")
        return StudybotCommand(action)
    if action == "settings":
        time = tz = None
        reveal: int | None = None
        it = iter(args)
        for key in it:
            value = next(it, None)
            if value is None:
                raise UsageError("Usage: /studybot settings [time HH:MM] [tz Area/City] [reveal 8h]")
            if key == "time":
                time = parse_time(value)
            elif key in {"tz", "timezone"}:
                tz = "UTC" if value.upper() == "UTC" else parse_timezone(value)
            elif key == "reveal":
                reveal = _parse_duration(value)
            else:
                raise UsageError(f"Unknown setting {key!r}.\nUsage: /studybot settings [time HH:MM] [tz Area/City] [reveal 8h]")
        return StudybotCommand("settings", time=time, tz=tz, reveal_minutes=reveal)
    if action == "focus":
        if len(args) == 1 and args[0].lower() == "off":
            return Focus(None)
        if not 1 <= len(args) <= 2:
            raise UsageError("Usage: /studybot focus topicN [weeks]  (or: /studybot focus off)")
        topic = re.fullmatch(r"(?:topic)?([1-5])", args[0].lower())
        if not topic:
            raise UsageError(f"{args[0]!r} is not a topic; use topic1 ... topic5.")
        weeks = 1
        if len(args) == 2:
            if not args[1].isdigit() or not 1 <= int(args[1]) <= 12:
                raise UsageError("Weeks must be a whole number from 1 to 12.")
            weeks = int(args[1])
        return Focus(topic.group(1), weeks)
    if action == "team":
        return _parse_team(args)
    if action in {"forget-me", "forgetme"}:
        if args and args != ["confirm"]:
            raise UsageError("Usage: /studybot forget-me [confirm]")
        return ForgetMe(confirmed=bool(args))
    raise UsageError(f"Unknown command {action!r}.\n{STUDYBOT_USAGE}")


def _parse_team(args: list[str]) -> TeamCommand:
    usage = "Usage: /studybot team list | create NAME | add NAME @person | remove NAME @person | lead NAME @person | unlead NAME @person"
    if not args:
        raise UsageError(usage)
    action = args[0].lower()
    name_ok = re.compile(r"#?[A-Za-z0-9_\-]{1,40}")
    if action == "list" and len(args) == 1:
        return TeamCommand("list")
    if action in {"create", "delete"} and len(args) == 2 and name_ok.fullmatch(args[1]):
        return TeamCommand(action, team=args[1])
    if action in {"add", "remove", "lead", "unlead"} and len(args) == 3 and name_ok.fullmatch(args[1]):
        user = args[2]
        m = re.fullmatch(r"<@!?([A-Za-z0-9]+)(\|[^>]*)?>|@?([A-Za-z0-9_.\-]{1,64})", user)
        if not m:
            raise UsageError(f"{user!r} is not a person; mention them, e.g. @alice.\n{usage}")
        return TeamCommand(action, team=args[1], user=m.group(1) or m.group(3))
    raise UsageError(usage)


def parse_topic(value: str) -> str:
    m = re.fullmatch(r"(?:topic)?([1-5])", value.lower())
    if not m:
        raise UsageError(f"{value!r} is not a topic; use topic1 ... topic5.")
    return m.group(1)


def drill_usage(syllabus: Syllabus, problem: str = "") -> str:
    lines = [problem] if problem else []
    lines += [
        "Usage: /drill [scope] [count]   (count 1-20, default 5)",
        "Scopes:",
        "  (nothing)   due reviews first, then new questions from your weakest areas",
        "  weak        your weakest objectives",
        "  missed      questions you got wrong",
        "  3.2         a subtopic      3.2.4   an objective",
    ]
    lines += [f"  topic{t.id} or {t.id}   {t.title}" for t in syllabus.topics]
    return "\n".join(lines)


def parse_drill(text: str, syllabus: Syllabus) -> Drill:
    try:
        words = _words(text)
    except UsageError as exc:
        raise UsageError(drill_usage(syllabus, str(exc))) from exc
    count = DRILL_DEFAULT
    if words and words[-1].isdigit() and len(words) <= 2 and not (len(words) == 1 and re.fullmatch(r"[1-5]", words[0])):
        n = int(words[-1])
        if not 1 <= n <= DRILL_MAX:
            raise UsageError(drill_usage(syllabus, f"Count must be 1-{DRILL_MAX}, not {n}."))
        count, words = n, words[:-1]
    if len(words) > 1:
        raise UsageError(drill_usage(syllabus, f"Unexpected {' '.join(words[1:])!r}."))
    if not words:
        return Drill("due", count=count)
    scope = words[0].lower()
    if scope in {"weak", "missed"}:
        return Drill(scope, count=count)
    m = re.fullmatch(r"(?:topic)?(\d)", scope)
    if m:
        tid = m.group(1)
        if tid not in {t.id for t in syllabus.topics}:
            raise UsageError(drill_usage(syllabus, f"There is no topic {tid}."))
        return Drill("topic", tid, count)
    if re.fullmatch(r"\d\.\d", scope):
        try:
            syllabus.subtopic(scope)
        except KeyError:
            raise UsageError(drill_usage(syllabus, f"There is no subtopic {scope}.")) from None
        return Drill("subtopic", scope, count)
    if re.fullmatch(r"\d\.\d\.\d{1,2}", scope):
        try:
            syllabus.objective(scope)
        except KeyError:
            raise UsageError(drill_usage(syllabus, f"There is no objective {scope}.")) from None
        return Drill("objective", scope, count)
    shown = scope if len(scope) <= 40 else scope[:40] + "…"
    raise UsageError(drill_usage(syllabus, f"{shown!r} is not a drill scope."))


LEADERBOARD_USAGE = "Usage: /leaderboard [this|last|YYYY-MM-DD] [topicN]   (a date shows the week containing it)"


def parse_leaderboard(text: str) -> Leaderboard:
    words = _words(text)
    week, topic = "this", None
    for w in words:
        lw = w.lower()
        if lw in {"this", "last"}:
            week = lw
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", lw):
            try:
                dt.date.fromisoformat(lw)
            except ValueError:
                raise UsageError(f"{w!r} is not a date.\n{LEADERBOARD_USAGE}") from None
            week = lw
        else:
            try:
                topic = parse_topic(lw)
            except UsageError:
                raise UsageError(f"Unexpected {w!r}.\n{LEADERBOARD_USAGE}") from None
    return Leaderboard(week, topic)


def parse_weakspots(text: str) -> WeakSpots:
    words = _words(text)
    if len(words) > 1 or (words and not re.fullmatch(r"#?[A-Za-z0-9_\-]{1,40}", words[0])):
        raise UsageError("Usage: /weakspots [team]")
    return WeakSpots(words[0] if words else None)
