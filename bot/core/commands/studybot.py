"""The ``/studybot`` grammar: subscribe, settings, unsubscribe, post-now, reveal-now, help, focus,
team ..., forget-me."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.args import (
    UsageError,
    arg_error,
    normalise_words,
    parse_count,
    parse_team_name,
    parse_time,
    parse_timezone,
    parse_topic,
    shown,
)
from bot.core.catalogue import studybot_help

__all__ = ["STUDYBOT_USAGE", "Focus", "ForgetMe", "StudybotCommand", "TeamCommand", "parse_studybot"]


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
