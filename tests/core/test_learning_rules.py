"""Pure learning-engine rules: weeks in a team's zone, streaks, weak-spot ranking, drill choice, FSRS, readiness."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.learning import (
    ObjectiveStat,
    choose_drill_questions,
    daily_streak,
    readiness,
    weakest_objectives,
    week_bounds,
)
from bot.core.model import Question
from bot.core.review import GUESS_RATE, next_card, retrievability
from bot.core.selection import smoothed_accuracy


def test_week_is_monday_to_sunday_in_team_zone() -> None:
    # a week is Monday to Sunday in the team zone
    now = dt.datetime(2026, 3, 9, 3, 30, tzinfo=dt.UTC)  # Sunday 23:30 EDT (DST began 8 March)
    start, end, monday = week_bounds(now, "America/New_York")
    assert monday == dt.date(2026, 3, 2)
    assert start == dt.datetime(2026, 3, 2, 5, 0, tzinfo=dt.UTC)  # EST midnight
    assert end == dt.datetime(2026, 3, 9, 4, 0, tzinfo=dt.UTC)  # EDT midnight after the 8 March change
    last = week_bounds(now, "America/New_York", "last")
    assert last[2] == dt.date(2026, 2, 23) and last[1] == start
    # the same instant in Berlin is Monday 04:30: a new week
    assert week_bounds(now, "Europe/Berlin")[2] == dt.date(2026, 3, 9)


def test_daily_streak() -> None:
    today = dt.date(2026, 3, 10)
    days = {today - dt.timedelta(days=i) for i in range(4)}
    assert daily_streak(days, today) == 4
    assert daily_streak(days - {today}, today) == 3  # today not answered yet: streak still counts to yesterday
    assert daily_streak({today - dt.timedelta(days=3)}, today) == 0


def test_smoothing_keeps_one_wrong_answer_from_dominating() -> None:
    assert smoothed_accuracy(0, 1) > smoothed_accuracy(2, 10)
    ranked, too_few = weakest_objectives(
        [
            ObjectiveStat("1.1.1", 0, 1),
            ObjectiveStat("1.1.2", 2, 10),
            ObjectiveStat("1.1.3", 9, 10),
            ObjectiveStat("1.1.4", 1, 4),
        ]
    )
    assert [s.objective_id for s in ranked] == ["1.1.2", "1.1.4", "1.1.3"]
    assert [s.objective_id for s in too_few] == ["1.1.1"]


def q(qid: str, obj: str) -> Question:
    return Question(qid, obj, "s?", ("a", "b", "c", "d"), "A", "e", "s", ("r",) * 4)  # type: ignore[arg-type]


def test_drill_choice_due_first_then_unseen_weak_then_rest() -> None:
    bank = [q("a", "1.1.1"), q("b", "1.1.2"), q("c", "1.1.2"), q("d", "1.1.3"), q("e", "1.1.3")]
    t = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    picked = choose_drill_questions(
        bank, 4, 1, due={"e": t, "a": t - dt.timedelta(days=1)}, seen={"a", "e", "d"}, weak_objectives=["1.1.2"]
    )
    assert [x.id for x in picked[:2]] == ["a", "e"]  # most overdue first
    assert {x.id for x in picked[2:4]} == {"b", "c"}  # unseen on the weak objective
    assert len(choose_drill_questions(bank, 20, 1)) == 5


def test_fsrs_good_pushes_due_later_than_again() -> None:
    t = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    good, due_good = next_card(None, True, t)
    again, due_again = next_card(None, False, t)
    assert due_good > due_again >= t
    good2, due_good2 = next_card(good, True, due_good)
    assert due_good2 - due_good > due_good - t  # intervals grow
    assert retrievability(None, t) == GUESS_RATE
    assert GUESS_RATE < retrievability(good2, due_good2) <= 1


def test_readiness_weights_topics_and_counts_unseen_as_guessing() -> None:
    topic_of = {"1.1.1": "1", "2.1.1": "2"}
    per_topic, overall = readiness({"1.1.1": 0.9, "2.1.1": GUESS_RATE}, topic_of)
    assert per_topic == {"1": 0.9, "2": GUESS_RATE}
    assert abs(overall - (0.9 * 0.14 + 0.25 * 0.30) / 0.44) < 1e-9


def test_item_statistics_flags() -> None:
    from bot.core.learning import item_statistics

    rows = []
    # q1: everyone right (too easy; three distractors unused); q2: everyone picks option 2, key is 0
    for person in range(40):
        rows.append(("q1", person, 1, True))
        rows.append(("q2", person, 2, False))
    rows.append(("q3", 1, 0, True))  # too few responses: no flags
    stats = {s.question_id: s for s in item_statistics(rows, {"q1": 1, "q2": 0, "q3": 0}, min_responses=30)}
    assert stats["q1"].p_correct == 1.0 and "too easy or cued (p > 0.95)" in stats["q1"].flags
    assert "3 non-functional distractors (< 5%)" in stats["q1"].flags
    assert (
        "check the key: p < 0.20" in stats["q2"].flags
        and "the top third prefers a distractor over the key" in stats["q2"].flags
    )
    assert stats["q2"].option_share == (0.0, 0.0, 1.0, 0.0)
    assert stats["q3"].flags == ()


# -- readiness that means what it says (issue #10): properties over random histories ------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from bot.core.review import objective_readiness  # noqa: E402

_T0 = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
_gaps = st.sampled_from([0.05, 1.0, 6.0, 24.0, 72.0, 240.0, 900.0])  # hours between answers
_history = st.lists(st.tuples(_gaps, st.booleans()), max_size=15)


def _timeline(steps: list[tuple[float, bool]]) -> list[tuple[dt.datetime, bool]]:
    t, out = _T0, []
    for gap, ok in steps:
        t += dt.timedelta(hours=gap)
        out.append((t, ok))
    return out


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_history, _gaps, st.integers(min_value=0, max_value=120))
def test_a_wrong_answer_never_raises_and_a_right_one_never_lowers_readiness(
    steps: list[tuple[float, bool]], gap: float, horizon_days: int
) -> None:
    history = _timeline(steps)
    at = (history[-1][0] if history else _T0) + dt.timedelta(hours=gap)
    horizon = at + dt.timedelta(days=horizon_days)
    before = objective_readiness(history, horizon)
    assert GUESS_RATE <= before <= 1
    assert objective_readiness([*history, (at, False)], horizon) <= before + 1e-12
    assert objective_readiness([*history, (at, True)], horizon) >= before - 1e-12


@settings(max_examples=150, deadline=None, derandomize=True)
@given(_history, _gaps)
def test_topic_readiness_is_monotone_in_each_objective(steps: list[tuple[float, bool]], gap: float) -> None:
    history = _timeline(steps)
    at = (history[-1][0] if history else _T0) + dt.timedelta(hours=gap)
    horizon = at + dt.timedelta(days=7)
    topic_of = {"1.1.1": "1", "1.1.2": "1", "2.1.1": "2"}
    other = objective_readiness(_timeline([(24.0, True)]), horizon)
    _t, base = readiness(
        {"1.1.1": objective_readiness(history, horizon), "1.1.2": other, "2.1.1": GUESS_RATE}, topic_of
    )
    _t, worse = readiness(
        {"1.1.1": objective_readiness([*history, (at, False)], horizon), "1.1.2": other, "2.1.1": GUESS_RATE}, topic_of
    )
    assert worse <= base + 1e-12


def test_readiness_of_a_2_in_22_topic_is_below_a_2_in_2_topic() -> None:
    """The trial's case: 2/22 right looked more ready (35%) than 2/2 right (28%)."""
    poor = _timeline([(24.0, i < 2) for i in range(22)])
    good = _timeline([(24.0, True), (24.0, True)])
    horizon = poor[-1][0] + dt.timedelta(days=7)
    assert objective_readiness(poor, horizon) < objective_readiness(good, horizon)
    assert objective_readiness([], horizon) == GUESS_RATE


def test_rate_limiter_allows_bursts_then_refills() -> None:
    from bot.core.ratelimit import RateLimiter

    t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rl = RateLimiter(burst=3, per_minute=6)
    assert [rl.allow("alice", t) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert rl.allow("alice", t) == pytest.approx(10.0)  # one token every 10 s
    assert rl.allow("bob", t) == 0.0  # others are not affected
    assert rl.allow("alice", t + dt.timedelta(seconds=10)) == 0.0
