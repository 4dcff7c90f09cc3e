"""Command grammar: good input parses, bad input gets a usage message (issues #2, #4)."""

from __future__ import annotations

import pytest

from bot.core.commands import Drill, Focus, StudybotCommand, UsageError, parse_drill, parse_leaderboard, parse_studybot
from content.loader import Bank


def test_subscribe_defaults_and_arguments() -> None:
    assert parse_studybot("subscribe") == StudybotCommand("subscribe", time="09:00", tz="UTC")
    assert parse_studybot("subscribe 7:30 Europe/Berlin") == StudybotCommand("subscribe", time="07:30", tz="Europe/Berlin")
    assert parse_studybot("subscribe America/New_York 18:05").tz == "America/New_York"


@pytest.mark.parametrize("text", ["subscribe 25:00", "subscribe 09:00 Mars/Olympus", "subscribe soon", "subscribe 9", "frobnicate", "post-now now", "x" * 2000])
def test_bad_studybot_arguments(text: str) -> None:
    with pytest.raises(UsageError):
        parse_studybot(text)


def test_help_and_focus() -> None:
    assert parse_studybot("").action == "help"  # type: ignore[union-attr]
    assert parse_studybot("focus topic3 2") == Focus("3", 2)
    assert parse_studybot("focus off") == Focus(None)


@pytest.mark.parametrize(
    "text,expected",
    [("", Drill("due")), ("topic3", Drill("topic", "3")), ("3", Drill("topic", "3")), ("3.2", Drill("subtopic", "3.2")),
     ("3.2.4", Drill("objective", "3.2.4")), ("weak 10", Drill("weak", count=10)), ("missed", Drill("missed"))],
)
def test_drill_scopes(text: str, expected: Drill, bank: Bank) -> None:
    assert parse_drill(text, bank.syllabus) == expected


@pytest.mark.parametrize("text", ["topic9", "3.9", "3.2.9", "banana", "x" * 2000, "topic3 extra", "topic3 0", "topic3 21", "'; DROP TABLE answer; --", "тема3"])
def test_bad_drill_scope_gets_usage_listing_topics(text: str, bank: Bank) -> None:
    with pytest.raises(UsageError) as err:
        parse_drill(text, bank.syllabus)
    message = str(err.value)
    assert "Usage: /drill" in message
    assert "Model Registry, Governance & Release Management" in message


def test_leaderboard_arguments() -> None:
    assert parse_leaderboard("last topic2").week == "last"
    with pytest.raises(UsageError):
        parse_leaderboard("yesterday")
