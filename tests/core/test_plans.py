"""Pure rules of the study plan: reminder timing, pauses, the daily cap, the exam projection, /plan's grammar."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.args import UsageError
from bot.core.commands.plan import parse_plan
from bot.core.learning import daily_streak
from bot.core.plans import STUDIED_READINESS, capped_reviews, exam_plan, reminder_day, reviews_left_today, summary_week
from bot.core.ports import StudyPlanInfo

TODAY = dt.date(2026, 12, 3)
UTC = dt.UTC


def plan(**kw: object) -> StudyPlanInfo:
    base: dict[str, object] = {"person_id": 1, "platform": "slack", "workspace": "T1", "user": "U1"}
    return StudyPlanInfo(**{**base, **kw})  # type: ignore[arg-type]


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=UTC)


def test_a_reminder_is_due_from_its_local_time_once_a_day() -> None:
    p = plan(remind_time="08:00", tz="Asia/Tokyo")  # 08:00 Tokyo is 23:00 UTC the day before
    assert reminder_day(p, at(TODAY, 22, 59)) is None
    assert reminder_day(p, at(TODAY, 23, 0)) == TODAY + dt.timedelta(days=1)
    assert reminder_day(p, at(TODAY, 14, 0)) == TODAY  # late (the bot was down): still today's
    sent = plan(remind_time="08:00", tz="Asia/Tokyo", last_reminded_on=TODAY + dt.timedelta(days=1))
    assert reminder_day(sent, at(TODAY, 23, 30)) is None
    assert reminder_day(plan(remind_time=None), at(TODAY, 12)) is None
    assert reminder_day(plan(remind_time="08:00", dm_blocked_at=at(TODAY, 1)), at(TODAY, 12)) is None


def test_no_reminder_or_summary_on_a_paused_day() -> None:
    p = plan(remind_time="08:00", weekly_summary=True, pauses=((TODAY, TODAY + dt.timedelta(days=3)),))
    assert reminder_day(p, at(TODAY, 9)) is None and summary_week(p, at(TODAY, 9)) is None
    assert reminder_day(p, at(TODAY + dt.timedelta(days=3), 9)) == TODAY + dt.timedelta(days=3)  # the end is free


def test_daylight_saving_moves_a_skipped_time_forward_and_a_repeated_one_fires_once() -> None:
    spring = dt.date(2026, 3, 29)  # Berlin: 02:00 CET becomes 03:00 CEST
    p = plan(remind_time="02:30", tz="Europe/Berlin")
    assert reminder_day(p, dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) is None  # 03:00 CEST
    assert reminder_day(p, dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)) == spring  # 03:30 CEST
    autumn = dt.date(2026, 10, 25)  # 03:00 CEST becomes 02:00 CET: 02:30 happens twice
    first = dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert reminder_day(p, first) == autumn
    assert (
        reminder_day(
            plan(remind_time="02:30", tz="Europe/Berlin", last_reminded_on=autumn), first + dt.timedelta(hours=1)
        )
        is None
    )


def test_the_weekly_summary_is_due_from_monday_and_once_a_week() -> None:
    monday = dt.date(2026, 11, 30)
    p = plan(weekly_summary=True, tz="UTC")
    assert summary_week(p, at(monday, 8, 59)) is None
    assert summary_week(p, at(monday, 9)) == monday
    assert summary_week(p, at(monday + dt.timedelta(days=2), 9)) == monday  # missed Monday: later that week
    assert summary_week(plan(weekly_summary=True, last_summary_on=monday), at(monday, 10)) is None


def test_the_cap_keeps_the_most_overdue_then_the_weakest() -> None:
    base = at(TODAY, 0)
    due = {
        "old": base - dt.timedelta(days=5),
        "weak": base - dt.timedelta(days=1, hours=-3),
        "strong": base - dt.timedelta(days=1, hours=-1),
        "new": base,
    }
    weakness = {"weak": 0.3, "strong": 0.9, "old": 0.9, "new": 0.1}
    assert list(capped_reviews(due, weakness, 3)) == ["old", "weak", "strong"]
    assert capped_reviews(due, weakness, 0) == {}
    assert reviews_left_today(plan(daily_cap=5, reviews_on=TODAY, reviews_done=4), TODAY) == 1
    assert reviews_left_today(plan(daily_cap=5, reviews_on=TODAY - dt.timedelta(days=1), reviews_done=9), TODAY) == 5
    assert reviews_left_today(None, TODAY) == 20


def test_a_paused_day_neither_counts_nor_breaks_a_streak() -> None:
    d = dt.timedelta(days=1)
    answered = {TODAY, TODAY - d, TODAY - 5 * d, TODAY - 6 * d}
    assert daily_streak(answered, TODAY) == 2
    pause = {TODAY - 2 * d, TODAY - 3 * d, TODAY - 4 * d}
    assert daily_streak(answered, TODAY, pause) == 4
    assert daily_streak({TODAY - 4 * d}, TODAY, {TODAY - d, TODAY - 2 * d, TODAY - 3 * d}) == 1


@pytest.mark.parametrize(
    ("text", "action", "field", "value"),
    [
        ("", "show", "time", None),
        ("remind 8am", "remind", "time", "08:00"),
        ("remind 08:00 europe/berlin", "remind", "tz", "Europe/Berlin"),
        ("remind off", "remind-off", "time", None),
        ("pause 14d", "pause", "days", 14),
        ("pause 2w", "pause", "until", TODAY + dt.timedelta(days=14)),
        ("pause 2026-12-10", "pause", "days", 7),
        ("resume", "resume", "days", None),
        ("cap 30", "cap", "cap", 30),
        ("exam 2027-02-15", "exam", "exam_date", dt.date(2027, 2, 15)),
        ("exam off", "exam-off", "exam_date", None),
        ("weekly on", "weekly", "on", True),
    ],
)
def test_plan_commands_parse(text: str, action: str, field: str, value: object) -> None:
    cmd = parse_plan(text, TODAY)
    assert cmd.action == action and getattr(cmd, field) == value


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("remind 25:00", "not a time of day"),
        ("remind 08:00 CET", "abbreviation"),
        ("pause 0d", "1-90 days, not 0"),
        ("pause 200d", "1-90 days, not 200"),
        ("pause 2026-12-01", "not after today"),
        ("pause soon", "not a date"),
        ("cap 0", "1-200"),
        ("exam 2026-12-01", "not in the future"),
        ("exam 2031-01-01", "more than two years"),
        ("weekly maybe", "on or off"),
        ("holiday", "Unknown /plan command"),
    ],
)
def test_bad_plan_arguments_say_what_is_wrong_and_show_the_usage(text: str, says: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_plan(text, TODAY)
    assert says in str(err.value) and "Usage: /plan" in str(err.value)


OBJECTIVES = [f"{t}.1.{i}" for t in "12345" for i in range(1, 4)]
TOPIC_OF = {o: o.split(".")[0] for o in OBJECTIVES}
values = st.lists(st.floats(0.25, 1.0), min_size=len(OBJECTIVES), max_size=len(OBJECTIVES))


def project(now: list[float], days: int) -> float:
    by = dict(zip(OBJECTIVES, now, strict=True))
    return exam_plan(TODAY + dt.timedelta(days=days), TODAY, by, by, [], TOPIC_OF, 0, new_per_day=1).readiness_if_plan


@settings(max_examples=150, deadline=None)
@given(now=values, days=st.integers(1, 30), more=st.integers(0, 30))
def test_more_days_never_lower_the_projection(now: list[float], days: int, more: int) -> None:
    assert project(now, days + more) >= project(now, days) - 1e-12


@settings(max_examples=150, deadline=None)
@given(now=values, days=st.integers(1, 30), which=st.integers(0, len(OBJECTIVES) - 1), up=st.floats(0, 0.75))
def test_a_better_objective_never_lowers_the_projection(now: list[float], days: int, which: int, up: float) -> None:
    better = list(now)
    better[which] = min(1.0, better[which] + up)
    assert project(better, days) >= project(now, days) - 1e-12


def test_the_projection_studies_where_it_gains_most_and_reports_the_pace() -> None:
    now = {o: 0.25 for o in OBJECTIVES}
    stop = {o: 0.25 for o in OBJECTIVES}
    p = exam_plan(TODAY + dt.timedelta(days=5), TODAY, now, stop, OBJECTIVES[:5], TOPIC_OF, 40, new_per_day=3)
    assert p.days_left == 5 and p.unpractised == 10 and p.new_per_day == 2.0 and p.reviews_per_day == 8.0
    assert p.readiness_now == pytest.approx(0.25) and p.readiness_if_plan == pytest.approx(STUDIED_READINESS)
    short = exam_plan(TODAY + dt.timedelta(days=1), TODAY, now, stop, [], TOPIC_OF, 0, new_per_day=3)
    assert 0.25 < short.readiness_if_plan < STUDIED_READINESS
    # topic 2 weighs most (30%): with one objective's worth of time, the plan studies a topic-2 objective
    one = exam_plan(TODAY + dt.timedelta(days=1), TODAY, now, stop, [], TOPIC_OF, 0, new_per_day=1)
    assert one.per_topic_if_plan["2"] > one.per_topic_if_plan["1"] == pytest.approx(0.25)
