"""The command grammar, the same on every platform; parsing never touches storage.

Every parse function returns a command object or raises :class:`UsageError` whose message is the
text to show (privately) to the person who typed it: what was wrong, what is accepted, one example.
Argument kinds (times, zones, topics, counts, dates, team names) are parsed by :mod:`bot.core.args`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.args import (
    UsageError,
    arg_error,
    normalise_words,
    parse_count,
    parse_date,
    parse_team_name,
    parse_time,
    parse_timezone,
    parse_topic,
    shown,
)
from bot.core.catalogue import studybot_help
from bot.core.model import Syllabus

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

DRILL_DEFAULT = 5
DRILL_MAX = 20


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
    action: str  # list create delete add remove lead unlead
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
    topic: str | None = None  # one topic's objectives instead of the whole syllabus


@dataclass(frozen=True, slots=True)
class Stats:
    pass


@dataclass(frozen=True, slots=True)
class Exam:
    """``/exam [count] [minutes]`` (``None``: the exam's own format), ``/exam end``, ``/exam help``."""

    action: str = "start"  # start | end | help
    count: int | None = None
    minutes: int | None = None


STUDYBOT_USAGE = studybot_help()  # from the command catalogue, like Discord's and Slack's descriptions

_SUBSCRIBE_EX = "/studybot subscribe 9am Europe/Berlin"
_SETTINGS_USAGE = "Usage: /studybot settings [time T] [tz ZONE] [reveal 8h]"


def _parse_duration(value: str) -> int:
    m = re.fullmatch(r"([0-9]{1,3})\s*(h|m|min|hours?|minutes?)", value.lower(), flags=re.ASCII)
    accepted = "a delay from 1m to 23h, as minutes (90m) or hours (8h)"
    if not m:
        raise arg_error(f"{shown(value)} is not a duration.", accepted, "/studybot settings reveal 8h")
    minutes = int(m.group(1)) * (60 if m.group(2).startswith("h") else 1)
    if not 1 <= minutes <= 23 * 60:
        raise arg_error(
            "The reveal delay must be between 1 minute and 23 hours.", accepted, "/studybot settings reveal 8h"
        )
    return minutes


def _looks_like_time(word: str) -> bool:
    return re.fullmatch(r"[0-9]{1,4}([:.h][0-9]{0,2})?\s*(am|pm|a|p)?", word.lower(), flags=re.ASCII) is not None


def parse_studybot(text: str) -> StudybotCommand | Focus | TeamCommand | ForgetMe:
    words = normalise_words(text)
    if not words or words[0].lower() in {"help", "-h", "--help", "?"}:
        return StudybotCommand("help")
    action, args = words[0].lower(), words[1:]
    if action == "subscribe":
        # what is left out keeps the channel's current setting (09:00 UTC for a new channel): the service decides
        time: str | None = None
        tz: str | None = None
        if len(args) > 2:
            raise arg_error(
                f"Too many arguments: {shown(' '.join(args))}.", "a time and a zone, in either order", _SUBSCRIBE_EX
            )
        for a in args:
            if _looks_like_time(a):
                time = parse_time(a, _SUBSCRIBE_EX)
            else:
                tz = parse_timezone(a, _SUBSCRIBE_EX)
        return StudybotCommand("subscribe", time=time, tz=tz)
    if action in {"unsubscribe", "post-now", "reveal-now", "postnow", "revealnow"}:
        action = {"postnow": "post-now", "revealnow": "reveal-now"}.get(action, action)
        if args:
            raise UsageError(f"/studybot {action} takes no arguments.\nExample: /studybot {action}")
        return StudybotCommand(action)
    if action == "settings":
        return _parse_settings(args)
    if action == "focus":
        return _parse_focus(args)
    if action == "team":
        return _parse_team(args)
    if action in {"forget-me", "forgetme"}:
        if args and [a.lower() for a in args] != ["confirm"]:
            raise arg_error(
                f"Unexpected {shown(' '.join(args))}.",
                "nothing (to see what is deleted) or confirm",
                "/studybot forget-me confirm",
            )
        return ForgetMe(confirmed=bool(args))
    raise UsageError(f"Unknown command {shown(action)}.\n{STUDYBOT_USAGE}")


def _parse_settings(args: list[str]) -> StudybotCommand:
    time = tz = None
    reveal: int | None = None
    it = iter(args)
    for key in it:
        k = key.lower()
        value = next(it, None)
        if k not in {"time", "tz", "timezone", "zone", "reveal"}:
            raise arg_error(
                f"Unknown setting {shown(key)}.", "time, tz, reveal", "/studybot settings time 9am tz Europe/Berlin"
            )
        if value is None:
            raise UsageError(
                f"The setting {k} needs a value.\n{_SETTINGS_USAGE}\nExample: /studybot settings {k} "
                + {"time": "09:00", "reveal": "8h"}.get(k, "Europe/Berlin")
            )
        if k == "time":
            time = parse_time(value, "/studybot settings time 09:00")
        elif k == "reveal":
            reveal = _parse_duration(value)
        else:
            tz = parse_timezone(value)
    return StudybotCommand("settings", time=time, tz=tz, reveal_minutes=reveal)


def _parse_focus(args: list[str]) -> Focus:
    example = "/studybot focus topic3 2"
    if len(args) == 1 and args[0].lower() == "off":
        return Focus(None)
    if not 1 <= len(args) <= 2:
        raise arg_error("Focus takes a topic and, optionally, a number of weeks.", "topicN [weeks], or off", example)
    topic = parse_topic(args[0], example=example)
    weeks = parse_count(args[1], low=1, high=12, what="weeks", example=example) if len(args) == 2 else 1
    return Focus(topic, weeks)


_TEAM_USAGE = (
    "Usage: /studybot team list | create NAME | delete NAME | add NAME @person | remove NAME @person"
    " | lead NAME @person | unlead NAME @person"
)
_PERSON = re.compile(r"<@!?([A-Za-z0-9]+)(\|[^>]*)?>|@?([\w.\-]{1,64})")


def _parse_team(args: list[str]) -> TeamCommand:
    if not args:
        raise UsageError(_TEAM_USAGE)
    action, rest = args[0].lower(), args[1:]
    if action == "list":
        if rest:
            raise UsageError(f"/studybot team list takes no arguments.\n{_TEAM_USAGE}")
        return TeamCommand("list")
    if action in {"create", "delete"}:
        return TeamCommand(action, team=parse_team_name(rest, f"/studybot team {action} Data Science"))
    if action in {"add", "remove", "lead", "unlead"}:
        example = f"/studybot team {action} Data Science @alice"
        if len(rest) < 2:
            raise arg_error(f"team {action} needs a team and a person.", "NAME @person", example)
        m = _PERSON.fullmatch(rest[-1])
        if not m:
            raise arg_error(f"{shown(rest[-1])} is not a person.", "a mention such as @alice", example)
        return TeamCommand(action, team=parse_team_name(rest[:-1], example), user=m.group(1) or m.group(3))
    raise UsageError(f"Unknown team command {shown(action)}.\n{_TEAM_USAGE}")


DRILL_SHORT_USAGE = (
    "Usage: /drill [scope] [count] · scope: topic1-5, a subtopic like 3.2, an objective like 3.2.4, "
    f"weak, missed or due · count 1-{DRILL_MAX} (default {DRILL_DEFAULT}) · /drill help lists the topics"
)


def drill_usage(syllabus: Syllabus, problem: str = "") -> str:
    """The full /drill help (asked for with ``/drill help``), with the topics."""
    lines = [problem] if problem else []
    lines += [
        f"Usage: /drill [scope] [count]   (count 1-{DRILL_MAX}, default {DRILL_DEFAULT}; the scope comes first)",
        "Scopes:",
        "  (nothing) or due   due reviews first, then new questions from your weakest areas",
        "  weak               your weakest objectives",
        "  missed             questions you got wrong",
        "  3.2                a subtopic      3.2.4   an objective",
    ]
    lines += [f"  topic{t.id} or {t.id}        {t.title}" for t in syllabus.topics]
    lines.append("Examples: /drill topic3 · /drill 3.2 10 · /drill due 15")
    return "\n".join(lines)


def _drill_error(problems: list[str]) -> UsageError:
    return UsageError("\n".join([*problems, DRILL_SHORT_USAGE, "Example: /drill topic3 10"]))


def _drill_scope(word: str, syllabus: Syllabus) -> Drill | str:
    """A scope word as a Drill (count left default), or the problem with it."""
    scope = word.lower()
    if scope in {"weak", "missed", "due"}:
        return Drill(scope)
    topics = tuple(t.id for t in syllabus.topics)
    m = re.fullmatch(r"(?:topic|t)?([0-9]{1,3})", scope, flags=re.ASCII)
    if m:
        if m.group(1) not in topics:
            bare = scope.isascii() and scope.isdigit() and int(scope) <= DRILL_MAX
            hint = f" (a count goes after the scope: /drill due {int(m.group(1))})" if bare else ""
            return f"There is no topic {int(m.group(1))}: topics are {topics[0]}-{topics[-1]}{hint}."
        return Drill("topic", m.group(1))
    if re.fullmatch(r"[0-9]\.[0-9]{1,2}", scope, flags=re.ASCII):
        try:
            syllabus.subtopic(scope)
        except KeyError:
            return f"There is no subtopic {scope}."
        return Drill("subtopic", scope)
    if re.fullmatch(r"[0-9]\.[0-9]{1,2}\.[0-9]{1,2}", scope, flags=re.ASCII):
        try:
            syllabus.objective(scope)
        except KeyError:
            return f"There is no objective {scope}."
        return Drill("objective", scope)
    return f"{shown(word)} is not a drill scope."


def parse_drill(text: str, syllabus: Syllabus) -> Drill:
    try:
        words = normalise_words(text)
    except UsageError as exc:
        raise _drill_error([str(exc)]) from None
    if words and words[0].lower() in {"help", "-h", "--help", "?"}:
        raise UsageError(drill_usage(syllabus))
    if len(words) > 2:
        raise _drill_error([f"Too many arguments: {shown(' '.join(words))}."])
    if not words:
        return Drill("due")
    problems: list[str] = []
    scope = _drill_scope(words[0], syllabus)
    if isinstance(scope, str):
        problems.append(scope)
    count = DRILL_DEFAULT
    if len(words) == 2:
        try:
            count = parse_count(words[1], low=1, high=DRILL_MAX, what="count", example="/drill topic3 10")
        except UsageError as exc:
            problems.append(str(exc).splitlines()[0])
    if problems:
        raise _drill_error(problems)
    assert isinstance(scope, Drill)
    return Drill(scope.kind, scope.target, count)


LEADERBOARD_USAGE = "Usage: /leaderboard [this|last|YYYY-MM-DD] [topicN]   (a date shows the week containing it)"


def parse_leaderboard(text: str) -> Leaderboard:
    try:
        return _parse_leaderboard(text)
    except UsageError as exc:
        raise UsageError(f"{exc}\n{LEADERBOARD_USAGE}") from None


def _parse_leaderboard(text: str) -> Leaderboard:
    words = normalise_words(text)
    week, topic = "this", None
    example = "/leaderboard last topic3"
    for w in words:
        lw = w.lower()
        if lw in {"this", "last"}:
            week = lw
        elif re.fullmatch(r"[0-9-]{8,10}", lw, flags=re.ASCII):
            week = parse_date(lw, "/leaderboard 2026-11-30").isoformat()
        elif re.fullmatch(r"(topic|t)?[0-9]{1,3}", lw, flags=re.ASCII):
            topic = parse_topic(lw, example=example)
        else:
            raise arg_error(f"Unexpected {shown(w)}.", "this, last or a date YYYY-MM-DD, and a topic topic1-5", example)
    return Leaderboard(week, topic)


WEAKSPOTS_USAGE = "Usage: /weakspots [team] [topicN]   (topicN: that topic's objectives one by one)"


def parse_weakspots(text: str) -> WeakSpots:
    """``/weakspots``, ``/weakspots Data Science``, ``/weakspots topic3``, ``/weakspots Data Science topic3``."""
    words = normalise_words(text)
    topic = None
    if words and re.fullmatch(r"(?:topic|t)[0-9]{1,3}", words[-1].lower(), flags=re.ASCII):
        try:
            topic = parse_topic(words.pop(), example="/weakspots topic3")
        except UsageError as exc:
            raise UsageError(f"{exc}\n{WEAKSPOTS_USAGE}") from None
    if not words:
        return WeakSpots(None, topic)
    return WeakSpots(parse_team_name(words, "/weakspots Data Science"), topic)


EXAM_MAX_QUESTIONS = 120
EXAM_MAX_MINUTES = 240
EXAM_USAGE = (
    "Usage: /exam [count] [minutes]   a timed mock exam (default: the real exam's questions and time)\n"
    "       /exam end                  finish now and see your result\n"
    "Example: /exam 20 40  (a short one: 20 questions in 40 minutes)"
)


def parse_exam(text: str) -> Exam:
    words = normalise_words(text)
    if words in (["help"], ["?"]):
        return Exam("help")
    if words in (["end"], ["stop"], ["finish"]):
        return Exam("end")
    if len(words) > 2:
        raise UsageError(f"Too many words: {shown(' '.join(words[2:]))}.\n{EXAM_USAGE}")
    count = (
        parse_count(words[0], low=1, high=EXAM_MAX_QUESTIONS, what="the number of questions", example="/exam 20 40")
        if words
        else None
    )
    minutes = (
        parse_count(
            words[1].removesuffix("m").removesuffix("min"),
            low=1,
            high=EXAM_MAX_MINUTES,
            what="the minutes",
            example="/exam 20 40",
        )
        if len(words) > 1
        else None
    )
    return Exam("start", count, minutes)


def parse_stats(text: str) -> Stats:
    if normalise_words(text):
        raise UsageError("Usage: /stats  (takes no arguments)\nExample: /stats")
    return Stats()
