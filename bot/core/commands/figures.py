"""The figure commands' grammar: ``/leaderboard [week] [topicN]``, ``/weakspots [team] [topicN]``, ``/stats``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.args import UsageError, arg_error, normalise_words, parse_date, parse_team_name, parse_topic, shown

__all__ = [
    "LEADERBOARD_USAGE",
    "WEAKSPOTS_USAGE",
    "Leaderboard",
    "Stats",
    "WeakSpots",
    "parse_leaderboard",
    "parse_stats",
    "parse_weakspots",
]


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


def parse_stats(text: str) -> Stats:
    if normalise_words(text):
        raise UsageError("Usage: /stats  (takes no arguments)\nExample: /stats")
    return Stats()
