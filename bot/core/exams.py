"""Mock exams as pure rules: how many questions per topic, which ones, the time left, the result.

A mock exam is a drill with a deadline (its scope is ``exam:<count>:<minutes>``) that gives no feedback
until the end. The exam's format (59 scored questions in 120 minutes, no published passing score) comes
from the syllabus file, :class:`bot.core.model.ExamFormat`.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.core.boards import Tally
from bot.core.model import Question

__all__ = [
    "EXAM_SCOPE",
    "ExamResult",
    "allocate",
    "exam_result",
    "exam_scope",
    "parse_exam_scope",
    "pick_exam",
    "time_left",
]

EXAM_SCOPE = re.compile(r"exam:(?P<count>[0-9]{1,3}):(?P<minutes>[0-9]{1,3})")


def exam_scope(count: int, minutes: int) -> str:
    return f"exam:{count}:{minutes}"


def parse_exam_scope(scope: str) -> tuple[int, int] | None:
    """``(count, minutes)`` of an exam drill's scope, None for an ordinary drill."""
    m = EXAM_SCOPE.fullmatch(scope)
    return (int(m.group("count")), int(m.group("minutes"))) if m else None


def allocate(count: int, weights: Mapping[str, float], available: Mapping[str, int]) -> dict[str, int]:
    """Questions per topic in the exam's proportions (largest remainder), never more than a topic has.

    What a small topic cannot supply goes to the topics with questions to spare, largest weight first,
    so the total is ``min(count, sum(available))``.
    """
    topics = [t for t in weights if available.get(t, 0) > 0]
    total_weight = sum(weights[t] for t in topics)
    want = min(count, sum(available.get(t, 0) for t in topics))
    if not topics or want <= 0:
        return {t: 0 for t in weights}
    exact = {t: want * weights[t] / total_weight for t in topics}
    out = {t: min(int(exact[t]), available[t]) for t in topics}
    by_remainder = sorted(topics, key=lambda t: (-(exact[t] - int(exact[t])), -weights[t], t))
    by_weight = sorted(topics, key=lambda t: (-weights[t], t))
    for order in (by_remainder, by_weight * want):
        for t in order:
            if sum(out.values()) >= want:
                break
            if out[t] < available[t]:
                out[t] += 1
    return {t: out.get(t, 0) for t in weights}


def pick_exam(
    questions: Sequence[Question], count: int, weights: Mapping[str, float], seen: set[str], seed: int
) -> list[Question]:
    """``count`` questions in the exam's topic proportions; unseen ones first, then the rest, shuffled."""
    by_topic: dict[str, list[Question]] = {t: [] for t in weights}
    for q in questions:
        by_topic.setdefault(q.topic_id, []).append(q)
    shares = allocate(count, weights, {t: len(qs) for t, qs in by_topic.items()})
    rng = random.Random(seed)
    picked: list[Question] = []
    for topic, n in shares.items():
        pool = sorted(by_topic.get(topic, []), key=lambda q: q.id)
        rng.shuffle(pool)
        pool.sort(key=lambda q: q.id in seen)  # stable: unseen first, each group still shuffled
        picked += pool[:n]
    rng.shuffle(picked)  # topics mixed, as in the real exam
    return picked


def time_left(now: dt.datetime, deadline: dt.datetime) -> str:
    """``1h 52m left`` / ``4m left`` / ``time is up``, rounded down to the minute."""
    seconds = int((deadline - now).total_seconds())
    if seconds <= 0:
        return "time is up"
    hours, minutes = divmod(seconds // 60, 60)
    if hours:
        return f"{hours}h {minutes:02d}m left"
    return f"{minutes}m left" if minutes else "under a minute left"


@dataclass(frozen=True, slots=True)
class Missed:
    seq: int
    question: Question
    answered: bool  # False: time ran out (or the exam was ended) before this question


@dataclass(frozen=True, slots=True)
class ExamResult:
    total: Tally
    answered: int
    by_topic: Mapping[str, Tally] = field(default_factory=dict)
    by_domain: Mapping[str, Tally] = field(default_factory=dict)
    missed: tuple[Missed, ...] = ()


def exam_result(
    plan: Sequence[str], answers: Mapping[int, bool], by_id: Mapping[str, Question], topics: Sequence[str]
) -> ExamResult:
    """Score an exam: ``plan`` is the question ids in order, ``answers`` whether each answered position was right.

    A question left unanswered when time ran out counts as wrong, as in the real exam.
    """
    by_topic = {t: Tally() for t in topics}
    by_domain: dict[str, Tally] = {}
    total = Tally()
    missed: list[Missed] = []
    for seq, qid in enumerate(plan):
        q = by_id.get(qid)
        if q is None:
            continue  # retired from the bank since: not scored
        right = answers.get(seq, False)
        one = Tally(int(right), 1)
        total += one
        by_topic[q.topic_id] = by_topic.get(q.topic_id, Tally()) + one
        domain = q.official_domain or "other"
        by_domain[domain] = by_domain.get(domain, Tally()) + one
        if not right:
            missed.append(Missed(seq, q, seq in answers))
    return ExamResult(total, sum(1 for s in answers if s < len(plan)), by_topic, by_domain, tuple(missed))
