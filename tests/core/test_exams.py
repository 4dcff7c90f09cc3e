"""Mock-exam rules as pure functions (bot/core/exams.py): proportions, picks, time left, scoring."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.exams import allocate, exam_result, exam_scope, parse_exam_scope, pick_exam, time_left
from bot.core.learning import TOPIC_WEIGHTS
from bot.core.model import Question

T0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


def q(qid: str, topic: str, domain: str = "MLOps") -> Question:
    return Question(
        id=qid,
        objective_id=f"{topic}.1.1",
        stem=f"stem {qid}",
        options=("a", "b", "c", "d"),
        answer="A",
        explanation="why",
        explanation_short="why",
        rationales=("r", "r", "r", "r"),
        official_domain=domain,
    )


def test_the_real_exam_is_split_in_the_exam_weights() -> None:
    plenty = {t: 100 for t in TOPIC_WEIGHTS}
    split = allocate(59, TOPIC_WEIGHTS, plenty)
    assert sum(split.values()) == 59
    assert split == {"1": 8, "2": 18, "3": 11, "4": 9, "5": 13}  # 14/30/18/16/22% of 59, largest remainder
    assert allocate(5, TOPIC_WEIGHTS, {"1": 0, "2": 1, "3": 0, "4": 0, "5": 0}) == {
        "1": 0,
        "2": 1,
        "3": 0,
        "4": 0,
        "5": 0,
    }
    assert sum(allocate(0, TOPIC_WEIGHTS, plenty).values()) == 0


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 150), st.dictionaries(st.sampled_from(list(TOPIC_WEIGHTS)), st.integers(0, 40)))
def test_allocation_fills_what_it_can_and_never_takes_more_than_a_topic_has(count: int, have: dict[str, int]) -> None:
    split = allocate(count, TOPIC_WEIGHTS, have)
    assert sum(split.values()) == min(count, sum(have.values()))
    assert all(0 <= split[t] <= have.get(t, 0) for t in TOPIC_WEIGHTS)
    if all(have.get(t, 0) >= count for t in TOPIC_WEIGHTS):  # nothing scarce: within one of the exact share
        assert all(abs(split[t] - count * w) < 1 for t, w in TOPIC_WEIGHTS.items())


def test_unseen_questions_come_first_and_none_twice() -> None:
    bank = [q(f"{t}-{i}", t) for t in TOPIC_WEIGHTS for i in range(10)]
    seen = {f"2-{i}" for i in range(7)}
    picked = pick_exam(bank, 20, TOPIC_WEIGHTS, seen, seed=7)
    assert len(picked) == len({p.id for p in picked}) == 20
    topic2 = [p for p in picked if p.topic_id == "2"]
    assert len(topic2) == 6 and sum(p.id in seen for p in topic2) == 3  # the 3 unseen ones, then 3 seen
    assert pick_exam(bank, 20, TOPIC_WEIGHTS, seen, seed=7) == picked  # the seed reproduces it


def test_time_left_reads_like_a_clock() -> None:
    assert time_left(T0, T0 + dt.timedelta(minutes=112, seconds=30)) == "1h 52m left"
    assert time_left(T0, T0 + dt.timedelta(minutes=4, seconds=59)) == "4m left"
    assert time_left(T0, T0 + dt.timedelta(seconds=30)) == "under a minute left"
    assert time_left(T0, T0) == "time is up" and time_left(T0, T0 - dt.timedelta(hours=1)) == "time is up"
    assert parse_exam_scope(exam_scope(59, 120)) == (59, 120) and parse_exam_scope("topic:3") is None


def test_the_result_counts_unanswered_as_wrong_and_groups_by_domain_and_topic() -> None:
    bank = {x.id: x for x in [q("a", "1", domain="Model Development"), q("b", "2"), q("c", "2"), q("d", "5")]}
    result = exam_result(["a", "b", "c", "d", "retired"], {0: True, 1: False, 2: True}, bank, list(TOPIC_WEIGHTS))
    assert (result.total.right, result.total.attempted, result.answered) == (2, 4, 3)
    assert (
        result.by_topic["2"].cell() == "1/2"
        and result.by_topic["5"].cell() == "0/1"
        and result.by_topic["3"].cell() == "–"
    )
    assert result.by_domain["Model Development"].cell() == "1/1" and result.by_domain["MLOps"].cell() == "1/3"
    assert [(m.question.id, m.answered) for m in result.missed] == [("b", True), ("d", False)]
