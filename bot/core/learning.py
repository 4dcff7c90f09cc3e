"""Pure rules of the learning engine: weeks, streaks, points, drill choice, readiness, weak spots."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.core.model import Question
from bot.core.selection import smoothed_accuracy

__all__ = [
    "MIN_ANSWERS_FOR_RANKING",
    "TOPIC_WEIGHTS",
    "ItemStat",
    "ObjectiveStat",
    "choose_drill_questions",
    "daily_streak",
    "item_statistics",
    "readiness",
    "week_bounds",
    "weakest_objectives",
]

MIN_ANSWERS_FOR_RANKING = 3  # fewer answers than this: "not enough data", never ranked
# Share of each topic in the readiness estimate: the bank's heuristic weights derived from the official
# 44/44/12 domain split (content-standards §2.4); not official exam weights.
TOPIC_WEIGHTS: dict[str, float] = {"1": 0.14, "2": 0.30, "3": 0.18, "4": 0.16, "5": 0.22}


def week_bounds(now: dt.datetime, tz: str, which: str = "this") -> tuple[dt.datetime, dt.datetime, dt.date]:
    """The UTC bounds of the Monday-to-Sunday week in ``tz`` containing ``now`` (``which="this"``),
    the week before (``"last"``), or the week containing an ISO date (``"2026-03-04"``)."""
    zone = zoneinfo.ZoneInfo(tz)
    day = now.astimezone(zone).date() if which in {"this", "last"} else dt.date.fromisoformat(which)
    monday = day - dt.timedelta(days=day.weekday())
    if which == "last":
        monday -= dt.timedelta(days=7)
    start = dt.datetime.combine(monday, dt.time(0, 0), tzinfo=zone)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(0, 0), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC), monday


def daily_streak(answer_days: Iterable[dt.date], today: dt.date, paused: Iterable[dt.date] = ()) -> int:
    """Consecutive local days with a daily answer, ending today (or yesterday if today has none yet).

    A ``paused`` day (a study-plan holiday) without an answer is stepped over: it neither counts nor
    breaks the streak."""
    days, held = set(answer_days), set(paused)
    day = today if today in days else today - dt.timedelta(days=1)
    n = 0
    while day in days or day in held:
        n += day in days
        day -= dt.timedelta(days=1)
    return n


@dataclass(frozen=True, slots=True)
class ObjectiveStat:
    objective_id: str
    correct: int
    attempts: int

    @property
    def smoothed(self) -> float:
        return smoothed_accuracy(self.correct, self.attempts)


def weakest_objectives(stats: Iterable[ObjectiveStat], n: int = 5) -> tuple[list[ObjectiveStat], list[ObjectiveStat]]:
    """The ``n`` weakest objectives with enough answers, and those with too few to rank."""
    stats = list(stats)
    ranked = sorted(
        (s for s in stats if s.attempts >= MIN_ANSWERS_FOR_RANKING),
        key=lambda s: (s.smoothed, -s.attempts, s.objective_id),
    )
    too_few = sorted((s for s in stats if 0 < s.attempts < MIN_ANSWERS_FOR_RANKING), key=lambda s: s.objective_id)
    return ranked[:n], too_few


def choose_drill_questions(
    candidates: Sequence[Question],
    count: int,
    seed: int,
    *,
    due: Mapping[str, dt.datetime] | None = None,
    seen: Iterable[str] = (),
    weak_objectives: Sequence[str] = (),
) -> list[Question]:
    """Pick up to ``count`` questions: due reviews first (most overdue first), then unseen questions
    from the weakest objectives, then other unseen ones, then the least recently due."""
    rng = random.Random(seed)
    due = due or {}
    seen_set = set(seen)
    pool = list(candidates)
    rng.shuffle(pool)
    weak_rank = {o: i for i, o in enumerate(weak_objectives)}
    due_now = sorted((q for q in pool if q.id in due), key=lambda q: due[q.id])
    unseen = [q for q in pool if q.id not in seen_set and q.id not in due]
    unseen.sort(key=lambda q: weak_rank.get(q.objective_id, len(weak_rank)))
    rest = [q for q in pool if q.id in seen_set and q.id not in due]
    picked: list[Question] = []
    for q in [*due_now, *unseen, *rest]:
        if len(picked) >= count:
            break
        if q not in picked:
            picked.append(q)
    return picked


def readiness(per_objective: Mapping[str, float], topic_of: Mapping[str, str]) -> tuple[dict[str, float], float]:
    """Exam readiness per topic and overall from each objective's readiness.

    ``per_objective`` maps every objective to the predicted chance of answering it right
    (:func:`bot.core.review.objective_readiness`). A topic's readiness is the mean over its objectives;
    overall readiness weights topics by TOPIC_WEIGHTS. Both are monotone in every objective's figure.
    """
    per_topic: dict[str, list[float]] = {}
    for objective, value in per_objective.items():
        per_topic.setdefault(topic_of[objective], []).append(value)
    topics = {t: sum(v) / len(v) for t, v in per_topic.items()}
    total_w = sum(TOPIC_WEIGHTS.get(t, 0.0) for t in topics) or 1.0
    overall = sum(topics[t] * TOPIC_WEIGHTS.get(t, 0.0) for t in topics) / total_w
    return topics, overall


@dataclass(frozen=True, slots=True)
class ItemStat:
    question_id: str
    responses: int
    p_correct: float
    option_share: tuple[float, float, float, float]  # canonical options A-D
    flags: tuple[str, ...]


def item_statistics(
    first_attempts: Iterable[tuple[str, int, int, bool]],
    answer_index: Mapping[str, int],
    *,
    min_responses: int = 30,
) -> list[ItemStat]:
    """Post-launch item analysis (content-standards §1.5) over first attempts.

    ``first_attempts`` holds (question, person, canonical option, correct). Flags need at least
    ``min_responses`` responses: p > 0.95 (too easy or cued), p < 0.20 (mis-keyed or ambiguous),
    two or more non-functional distractors (chosen by < 5%), and the top third of people (by
    overall first-attempt accuracy) choosing one distractor more often than the key.
    """
    rows = list(first_attempts)
    person_total: dict[int, list[int]] = {}
    for _q, person, _o, ok in rows:
        t = person_total.setdefault(person, [0, 0])
        t[0] += ok
        t[1] += 1
    ranked = sorted(person_total, key=lambda p: person_total[p][0] / person_total[p][1], reverse=True)
    top = set(ranked[: max(1, len(ranked) // 3)]) if len(ranked) >= 3 else set()
    by_q: dict[str, list[tuple[int, int]]] = {}
    for qid, person, option, _ok in rows:
        by_q.setdefault(qid, []).append((person, option))
    out = []
    for qid, answers in sorted(by_q.items()):
        if qid not in answer_index:
            continue
        key = answer_index[qid]
        n = len(answers)
        counts = [sum(1 for _p, o in answers if o == i) for i in range(4)]
        share = tuple(c / n for c in counts)
        p = counts[key] / n
        flags: list[str] = []
        if n >= min_responses:
            if p > 0.95:
                flags.append("too easy or cued (p > 0.95)")
            if p < 0.20:
                flags.append("check the key: p < 0.20")
            nf = [i for i in range(4) if i != key and share[i] < 0.05]
            if len(nf) >= 2:
                flags.append(f"{len(nf)} non-functional distractors (< 5%)")
            top_counts = [sum(1 for per, o in answers if o == i and per in top) for i in range(4)]
            if top and any(top_counts[i] > top_counts[key] for i in range(4) if i != key):
                flags.append("the top third prefers a distractor over the key")
        out.append(ItemStat(qid, n, p, share, tuple(flags)))  # type: ignore[arg-type]
    return out
