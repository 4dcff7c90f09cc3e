"""Which question a channel gets: objective coverage first, then weak spots or a focus topic.

Coverage rule (issue #2): every objective of the syllabus gets a question in a channel before any
objective repeats, and no question repeats in a channel while unseen ones remain.
Weighting (issue #4): among the objectives still due in the current coverage round, prefer the team's
weakest ones (smoothed accuracy), or restrict to a focus topic while a focus is active.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.model import LETTERS, Question, Syllabus

__all__ = [
    "Choice",
    "choose_question",
    "option_order",
    "seed_for",
    "smoothed_accuracy",
]

# Beta prior for smoothed accuracy: behaves like 2 correct out of 3 before any answer.
PRIOR_CORRECT = 2.0
PRIOR_TOTAL = 3.0


def seed_for(*parts: object) -> int:
    """A stable 64-bit seed from any parts (reproducible across processes, unlike ``hash``)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def smoothed_accuracy(correct: int, total: int) -> float:
    """Accuracy shrunk toward a prior so that one wrong answer does not dominate."""
    return (correct + PRIOR_CORRECT) / (total + PRIOR_TOTAL)


@dataclass(frozen=True, slots=True)
class Choice:
    question: Question
    reason: str  # "coverage" | "weak-spot" | "focus"
    detail: str = ""


def choose_question(
    syllabus: Syllabus,
    questions: Sequence[Question],
    posted_question_ids: Sequence[str],
    seed: int,
    *,
    team_stats: Mapping[str, tuple[int, int]] | None = None,
    focus_topic: str | None = None,
) -> Choice:
    """Pick the next question for a channel.

    Args:
        syllabus: the objectives to cover.
        questions: the bank (active items).
        posted_question_ids: every question already posted in the channel, oldest first.
        seed: randomness for ties (derive it from channel and date for reproducible posts).
        team_stats: ``{objective_id: (correct, attempted)}`` of the channel's team.
        focus_topic: restrict to this topic's objectives while a focus is active.

    Raises:
        ValueError: if the bank has no question at all.
    """
    if not questions:
        raise ValueError("the question bank is empty")
    rng = random.Random(seed)
    by_objective: dict[str, list[Question]] = {}
    for q in questions:
        by_objective.setdefault(q.objective_id, []).append(q)
    q_by_id = {q.id: q for q in questions}
    obj_count: Counter[str] = Counter()
    q_count: Counter[str] = Counter(posted_question_ids)
    for qid in posted_question_ids:
        posted = q_by_id.get(qid)
        if posted is not None:
            obj_count[posted.objective_id] += 1

    available = [o.id for o in syllabus.objectives() if o.id in by_objective]
    reason = "coverage"
    detail = ""
    pool = available
    if focus_topic is not None:
        focused = [o for o in available if o.split(".", 1)[0] == focus_topic]
        if focused:
            pool, reason, detail = focused, "focus", f"topic {focus_topic} is in focus"
    low = min(obj_count[o] for o in pool)
    due = [o for o in pool if obj_count[o] == low]

    prior = smoothed_accuracy(0, 0)
    objective: str
    if team_stats and reason == "coverage":
        # weight due objectives by (1 - smoothed accuracy)^2: the team's weak spots come up first
        scored = {o: smoothed_accuracy(*team_stats.get(o, (0, 0))) for o in due}
        objective = rng.choices(due, weights=[(1.0 - scored[o]) ** 2 + 1e-6 for o in due], k=1)[0]
        if scored[objective] < prior - 1e-9:
            correct, total = team_stats.get(objective, (0, 0))
            reason, detail = "weak-spot", f"the team has {correct}/{total} right on this objective"
    else:
        objective = rng.choice(due)

    candidates = by_objective[objective]
    fewest = min(q_count[q.id] for q in candidates)
    fresh = sorted((q for q in candidates if q_count[q.id] == fewest), key=lambda q: q.id)
    return Choice(rng.choice(fresh), reason, detail)


def option_order(question: Question, seed: int, avoid_key_letter: str | None = None) -> tuple[int, ...]:
    """The order options are shown in: ``order[i]`` is the canonical index shown as letter ``i``.

    Seeded, so a post can be reproduced. ``avoid_key_letter`` keeps the displayed key off a letter
    (used to stop runs of more than three equal key letters in a channel, check B-02).
    """
    if not question.shuffle:
        return (0, 1, 2, 3)
    rng = random.Random(seed)
    order = list(range(4))
    for _ in range(8):
        rng.shuffle(order)
        shown = LETTERS[order.index(question.answer_index)]
        if shown != avoid_key_letter:
            break
    return tuple(order)
