"""Command grammar: good input parses, bad input gets one clear error (issues #2, #4, #10, #18).

Every error has the same shape (what was wrong, what is accepted, one example); the whole /drill scope
list is shown only when asked for with ``/drill help``.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.args import parse_time, parse_timezone, parse_topic
from bot.core.commands import (
    Drill,
    Focus,
    ForgetMe,
    Leaderboard,
    StudybotCommand,
    TeamCommand,
    UsageError,
    WeakSpots,
    parse_drill,
    parse_leaderboard,
    parse_stats,
    parse_studybot,
    parse_weakspots,
)
from content.loader import Bank, load_syllabus


def test_subscribe_defaults_and_arguments() -> None:
    assert parse_studybot("subscribe") == StudybotCommand(
        "subscribe"
    )  # the service fills in the channel's own (or 09:00 UTC)
    assert parse_studybot("subscribe 7:30 Europe/Berlin") == StudybotCommand(
        "subscribe", time="07:30", tz="Europe/Berlin"
    )
    assert parse_studybot("subscribe America/New_York 18:05").tz == "America/New_York"
    assert parse_studybot("SUBSCRIBE 9am europe/berlin") == StudybotCommand(
        "subscribe", time="09:00", tz="Europe/Berlin"
    )


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("9", "09:00"),
        ("9am", "09:00"),
        ("9AM", "09:00"),
        ("9pm", "21:00"),
        ("12am", "00:00"),
        ("12pm", "12:00"),
        ("09:00", "09:00"),
        ("9:05", "09:05"),
        ("0900", "09:00"),
        ("09.00", "09:00"),
        ("17:30", "17:30"),
        ("9:30pm", "21:30"),
    ],
)
def test_one_time_vocabulary(typed: str, expected: str) -> None:
    assert parse_time(typed) == expected
    assert parse_studybot(f"settings time {typed}").time == expected


@pytest.mark.parametrize("typed", ["25:00", "9:5", "13pm", "soon", "²", "٩", "9:60", "0960", "-1"])
def test_bad_times_say_what_is_accepted(typed: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_time(typed)
    lines = str(err.value).splitlines()
    assert (
        "not a time of day" in lines[0] and lines[1].startswith("Accepted: 9, 9am") and lines[2].startswith("Example: ")
    )


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("AMERICA/NEW_YORK", "America/New_York"),
        ("utc", "UTC"),
        ("UTC", "UTC"),
    ],
)
def test_zones_are_case_insensitive(typed: str, expected: str) -> None:
    assert parse_timezone(typed) == expected


@pytest.mark.parametrize(
    "typed,says",
    [
        ("Europe/Berln", "Did you mean Europe/Berlin?"),
        ("EST", "abbreviation"),
        ("+02:00", "offset"),
        ("America", "not a time zone"),
        ("America/Argentina", "not a time zone"),
        ("US", "abbreviation"),
        ("Brazil", "not a time zone"),
        ("Mars/Base", "not a time zone"),
        ("localtime", "not a time zone"),
        ("../../etc/passwd", "not a time zone"),
    ],
)
def test_bad_zones_get_one_clear_message(typed: str, says: str) -> None:
    # zone-database folders (America, US, Brazil) once raised IsADirectoryError
    with pytest.raises(UsageError) as err:
        parse_studybot(f"settings tz {typed}")
    text = str(err.value)
    assert says in text and "Accepted: an IANA Area/City name" in text and "Example: " in text


@pytest.mark.parametrize(
    "text",
    [
        "subscribe 25:00",
        "subscribe 09:00 Mars/Olympus",
        "subscribe soon",
        "frobnicate",
        "post-now now",
        "x" * 2000,
        "focus topic3 ²",
        "focus topic9",
        "settings reveal 99h",
        "team create 🚀",
        "team add",
        "subscribe 9 UTC extra",
    ],
)
def test_bad_studybot_arguments(text: str) -> None:
    with pytest.raises(UsageError):
        parse_studybot(text)


def test_help_focus_and_forget_me() -> None:
    assert parse_studybot("").action == "help"  # type: ignore[union-attr]
    assert parse_studybot("focus topic3 2") == Focus("3", 2)
    assert parse_studybot("focus Topic 3 2") == Focus("3", 2)
    assert parse_studybot("focus 3") == Focus("3", 1)
    assert parse_studybot("focus off") == Focus(None)
    assert parse_studybot("forget-me CONFIRM") == ForgetMe(True)


def test_help_lists_every_team_action_and_marks_admin_commands() -> None:
    from bot.core.commands import STUDYBOT_USAGE as text

    for action in ("team list", "team create", "team delete", "team add", "team remove", "team lead", "team unlead"):
        assert action in text
    assert "* = workspace admins" in text and "* subscribe" in text and "  forget-me" in text


@pytest.mark.parametrize(
    "text,expected",
    [
        ("team create Data Science", TeamCommand("create", "Data Science")),
        ("team create Ünïcødé", TeamCommand("create", "Ünïcødé")),
        ('team create "Two Words"', TeamCommand("create", "Two Words")),
        ("team add Data Science @alice", TeamCommand("add", "Data Science", "alice")),
        ("team lead data-sci <@U123|carol>", TeamCommand("lead", "data-sci", "U123")),
        ("team delete #study-group", TeamCommand("delete", "#study-group")),
    ],
)
def test_team_names_allow_letters_and_spaces(text: str, expected: TeamCommand) -> None:
    assert parse_studybot(text) == expected


def test_bad_team_name_says_why() -> None:
    with pytest.raises(UsageError) as err:
        parse_studybot("team create 🚀")
    assert "is not a team name" in str(err.value) and "Accepted: 1-40 letters" in str(err.value)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("", Drill("due")),
        ("topic3", Drill("topic", "3")),
        ("3", Drill("topic", "3")),
        ("Topic 3", Drill("topic", "3")),
        ("t3", Drill("topic", "3")),
        ("3.2", Drill("subtopic", "3.2")),
        ("3.2.4", Drill("objective", "3.2.4")),
        ("weak 10", Drill("weak", count=10)),
        ("missed", Drill("missed")),
        ("due 15", Drill("due", count=15)),
        ("Topic 3 10", Drill("topic", "3", 10)),
    ],
)
def test_drill_scopes(text: str, expected: Drill, bank: Bank) -> None:
    assert parse_drill(text, bank.syllabus) == expected


@pytest.mark.parametrize(
    "text,first_line",
    [
        ("topic9", "There is no topic 9: topics are 1-5."),
        ("6", "There is no topic 6: topics are 1-5 (a count goes after the scope: /drill due 6)."),
        ("3.9", "There is no subtopic 3.9."),
        ("3.2.9", "There is no objective 3.2.9."),
        ("banana", "'banana' is not a drill scope."),
        ("topic3 extra", "'extra' is not a whole number."),
        ("topic3 0", "Count must be 1-20, not 0."),
        ("topic3 21", "Count must be 1-20, not 21."),
        ("weak 3 extra", "Too many arguments: 'weak 3 extra'."),
        ("topic3 ²", "'²' is not a whole number."),
        ("тема3", "'тема3' is not a drill scope."),
    ],
)
def test_bad_drill_gets_one_short_message(text: str, first_line: str, bank: Bank) -> None:
    with pytest.raises(UsageError) as err:
        parse_drill(text, bank.syllabus)
    message = str(err.value)
    assert message.splitlines()[0] == first_line
    assert "Usage: /drill [scope] [count]" in message and "Example: /drill topic3 10" in message
    assert "Model Registry, Governance & Release Management" not in message  # the scope list only on request
    assert len(message.splitlines()) <= 4


def test_drill_reports_both_problems_and_lists_topics_only_on_request(bank: Bank) -> None:
    with pytest.raises(UsageError) as err:
        parse_drill("abc 500", bank.syllabus)
    lines = str(err.value).splitlines()
    assert lines[0] == "'abc' is not a drill scope." and lines[1] == "Count must be 1-20, not 500."
    with pytest.raises(UsageError) as err:
        parse_drill("help", bank.syllabus)
    assert "Model Registry, Governance & Release Management" in str(err.value)


def test_leaderboard_arguments() -> None:
    assert parse_leaderboard("last topic2") == Leaderboard("last", "2")
    assert parse_leaderboard("Topic 2") == Leaderboard("this", "2")
    assert parse_leaderboard("2026-11-30") == Leaderboard("2026-11-30", None)
    for bad, says in [
        ("yesterday", "Unexpected 'yesterday'."),
        ("topic9", "There is no topic 9."),
        ("0001-01-01", "outside the years"),
        ("9999-12-31", "outside the years"),
        ("2026-02-30", "not a date in the calendar"),
    ]:
        with pytest.raises(UsageError) as err:
            parse_leaderboard(bad)
        assert str(err.value).splitlines()[0].startswith(says) or says in str(err.value), bad


def test_topics_and_weakspots_and_stats() -> None:
    assert parse_topic("Topic3".lower()) == "3"
    assert parse_weakspots("Data Science").team == "Data Science"
    assert parse_weakspots("").team is None
    assert parse_weakspots("topic3") == WeakSpots(None, "3")
    assert parse_weakspots("Topic 3") == WeakSpots(None, "3")  # "Topic 3" is joined into one word
    assert parse_weakspots("Data Science t2") == WeakSpots("Data Science", "2")
    with pytest.raises(UsageError, match=r"There is no topic 9\.[\s\S]*Usage: /weakspots \[team\] \[topicN\]"):
        parse_weakspots("topic9")
    with pytest.raises(UsageError):
        parse_stats("now")


_SYLLABUS = load_syllabus()

# -- properties: any string gives a command or a usage error, never another exception ---------------------------

_typed = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=250)
_wordy = st.lists(
    st.sampled_from(
        [
            "topic3",
            "3",
            "3.2",
            "3.2.4",
            "²",
            "٣",
            "9am",
            "25:00",
            "Europe/Berlin",
            "America",
            "UTC",
            "weak",
            "missed",
            "due",
            "20",
            "0",
            "-1",
            "team",
            "add",
            "create",
            "@x",
            "off",
            "focus",
            "settings",
            "time",
            "tz",
            "reveal",
            "8h",
            "0001-01-01",
            "9999-12-31",
            "🚀",
            "'",
            '"',
            "<@U1>",
            "help",
            "Topic",
            "subscribe",
        ]
    ),
    max_size=6,
).map(" ".join)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.one_of(_typed, _wordy))
def test_any_text_parses_or_gives_a_usage_error(text: str) -> None:
    for parse in (parse_studybot, parse_leaderboard, parse_weakspots, parse_stats):
        try:
            parse(text)
        except UsageError as exc:
            assert str(exc).strip()


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.one_of(_typed, _wordy))
def test_any_drill_text_parses_or_gives_a_usage_error(text: str) -> None:
    syllabus = _SYLLABUS
    try:
        cmd = parse_drill(text, syllabus)
    except UsageError as exc:
        assert str(exc).strip()
    else:
        assert 1 <= cmd.count <= 20 and cmd.kind in {"due", "weak", "missed", "topic", "subtopic", "objective"}
