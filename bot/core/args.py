"""One parser per argument kind, the same for every command and platform.

Each parser takes the text a person typed and returns a normal form, or raises :class:`UsageError`
with one message shaped the same way everywhere: what was wrong, what is accepted, one example.
Only ASCII digits count as digits (``"²".isdigit()`` is true, ``int("²")`` fails).
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import zoneinfo

__all__ = [
    "MAX_ARG_LENGTH",
    "UsageError",
    "arg_error",
    "normalise_words",
    "parse_count",
    "parse_date",
    "parse_time",
    "parse_timezone",
    "parse_topic",
    "parse_team_name",
    "shown",
]

MAX_ARG_LENGTH = 200
MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)


class UsageError(ValueError):
    """Bad arguments; the message is the text to show (privately) to the person who typed them."""


def shown(value: str, limit: int = 40) -> str:
    """A typed value quoted for a reply, cut to ``limit`` characters."""
    value = value if len(value) <= limit else value[: limit - 1] + "…"
    return repr(value)


def arg_error(problem: str, accepted: str, example: str) -> UsageError:
    """The one error shape: what was wrong, what is accepted, one example."""
    return UsageError(f"{problem}\nAccepted: {accepted}.\nExample: {example}")


def normalise_words(text: str) -> list[str]:
    """Split typed arguments into words; ``Topic 3`` becomes ``topic3``; long input is refused."""
    if len(text) > MAX_ARG_LENGTH:
        raise UsageError(f"That is {len(text)} characters; arguments are at most {MAX_ARG_LENGTH}.")
    text = re.sub(r"\btopic\s+([0-9])\b", r"topic\1", text, flags=re.IGNORECASE | re.ASCII)
    return text.split()


_TIME_FORMS = "9, 9am, 9:30pm, 09:00, 0900, 17:30"


def parse_time(value: str, example: str = "/studybot settings time 09:00") -> str:
    """A time of day as ``HH:MM`` (24-hour). Accepts ``9``, ``9am``, ``9:30pm``, ``09:00``, ``0900``, ``9.30``."""
    v = value.strip().lower().replace(" ", "")
    m = re.fullmatch(r"([0-9]{1,2})(?:[:.h]([0-9]{2}))?(am|pm|a|p)?", v, flags=re.ASCII)
    if m is None:
        m4 = re.fullmatch(r"([0-9]{2})([0-9]{2})", v, flags=re.ASCII)
        if m4 is None:
            raise arg_error(f"{shown(value)} is not a time of day.", _TIME_FORMS, example)
        hh, mm, half = int(m4.group(1)), int(m4.group(2)), None
    else:
        hh, mm, half = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if half is not None:
        if not 1 <= hh <= 12:
            raise arg_error(f"{shown(value)} is not a time of day: with am/pm the hour is 1-12.", _TIME_FORMS, example)
        hh = hh % 12 + (12 if half.startswith("p") else 0)
    if not (0 <= hh <= 23 and 0 <= mm <= 59):
        raise arg_error(f"{shown(value)} is not a time of day: hours go 0-23 and minutes 0-59.", _TIME_FORMS, example)
    return f"{hh:02d}:{mm:02d}"


@functools.cache
def _zones() -> dict[str, str]:
    """Lower-case name -> IANA name, for the Area/City zones of the zone database (no folders)."""
    names = {z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "posix/", "right/"))}
    names.add("UTC")
    return {z.lower(): z for z in names}


def parse_timezone(value: str, example: str = "/studybot settings tz Europe/Berlin") -> str:
    """An IANA ``Area/City`` zone or UTC, case-insensitive, with a "did you mean" for near misses."""
    v = value.strip()
    if v.lower() in {"utc", "z", "gmt", "etc/utc"}:
        return "UTC"
    zones = _zones()
    found = zones.get(v.lower())
    if found is not None:
        return found
    accepted = "an IANA Area/City name such as Europe/Berlin, America/New_York or Asia/Tokyo, or UTC"
    if re.fullmatch(r"[+\-−]?[0-9]{1,2}(:?[0-9]{2})?|(UTC|GMT)[+\-][0-9:]+", v, flags=re.ASCII | re.IGNORECASE):
        raise arg_error(
            f"{shown(value)} is an offset, not a time zone: offsets do not follow daylight saving.", accepted, example
        )
    if len(v) <= 64 and v.upper() == v and v.isalpha():
        raise arg_error(
            f"{shown(value)} is an abbreviation, not a time zone (abbreviations are ambiguous and skip daylight saving).",
            accepted,
            example,
        )
    close = difflib.get_close_matches(v.lower(), list(zones), n=1, cutoff=0.75) if len(v) <= 64 else []
    hint = f" Did you mean {zones[close[0]]}?" if close else ""
    raise arg_error(f"{shown(value)} is not a time zone.{hint}", accepted, example)


def parse_count(value: str, *, low: int, high: int, what: str, example: str) -> int:
    """A whole number from ``low`` to ``high`` (ASCII digits only)."""
    if not re.fullmatch(r"[0-9]{1,6}", value, flags=re.ASCII):
        raise arg_error(
            f"{shown(value)} is not a whole number.", f"{what}: a whole number from {low} to {high}", example
        )
    n = int(value)
    if not low <= n <= high:
        raise arg_error(
            f"{what.capitalize()} must be {low}-{high}, not {n}.",
            f"{what}: a whole number from {low} to {high}",
            example,
        )
    return n


def parse_topic(
    value: str, topics: tuple[str, ...] = ("1", "2", "3", "4", "5"), example: str = "/leaderboard topic3"
) -> str:
    """A topic: ``topic3``, ``3``, ``t3`` (``Topic 3`` is joined by :func:`normalise_words`)."""
    m = re.fullmatch(r"(?:topic|t)?([0-9]{1,3})", value.strip().lower(), flags=re.ASCII)
    accepted = f"topic{topics[0]} ... topic{topics[-1]} (or just {topics[0]}-{topics[-1]})"
    if m is None:
        raise arg_error(f"{shown(value)} is not a topic.", accepted, example)
    if m.group(1) not in topics:
        raise arg_error(f"There is no topic {int(m.group(1))}.", accepted, example)
    return m.group(1)


def parse_date(value: str, example: str) -> dt.date:
    """An ISO date ``YYYY-MM-DD`` between 2000 and 2999."""
    accepted = "a date as YYYY-MM-DD (2000-2999)"
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value, flags=re.ASCII):
        raise arg_error(f"{shown(value)} is not a date.", accepted, example)
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise arg_error(f"{shown(value)} is not a date in the calendar.", accepted, example) from None
    if not MIN_DATE <= day <= MAX_DATE:
        raise arg_error(f"{value} is outside the years StudyBot keeps.", accepted, example)
    return day


_NAME_OK = re.compile(r"[#]?[\w][\w .\-]{0,39}")


def parse_team_name(words: list[str], example: str = "/studybot team create Data Science") -> str:
    """A team name: letters (any script), digits, spaces, ``-``, ``_`` and ``.``; 1-40 characters; shown as typed."""
    name = " ".join(words).strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "\"'“”":
        name = name[1:-1].strip()
    accepted = "1-40 letters, digits, spaces, '-', '_' or '.' (a leading # for a channel's team)"
    if not name:
        raise arg_error("The team name is missing.", accepted, example)
    if len(name) > 40 or not _NAME_OK.fullmatch(name):
        raise arg_error(f"{shown(name)} is not a team name.", accepted, example)
    return name
