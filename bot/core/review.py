"""Spaced repetition with FSRS: one card per person and question.

Correct maps to Good, wrong to Again; only the first answer of a question per (local) day counts, so a
drill right after the daily question does not inflate the schedule. Cards are stored as FSRS JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from fsrs import Card, Rating, Scheduler

__all__ = [
    "GUESS_RATE",
    "SCHEDULER",
    "card_is_due",
    "next_card",
    "objective_readiness",
    "retrievability",
    "shift_card",
]

# No intra-day learning steps: a chat study bot asks at most a few times a day, so cards go straight
# to day-scale intervals. Fuzzing off keeps schedules reproducible (tests, demo).
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
GUESS_RATE = 0.25  # four options: the recall probability of a question never seen


def next_card(card_json: str | None, correct: bool, at: dt.datetime) -> tuple[str, dt.datetime]:
    """Review a card (a new one if ``card_json`` is None); return the new JSON and its due time."""
    card = Card.from_json(card_json) if card_json else Card(card_id=1, due=at)
    card, _log = SCHEDULER.review_card(card, Rating.Good if correct else Rating.Again, at)
    return card.to_json(), card.due


def card_is_due(card_json: str | None, at: dt.datetime) -> bool:
    """True if a stored card is due at ``at`` (answering it then is a review; a new card is not)."""
    return bool(card_json) and Card.from_json(card_json).due <= at  # type: ignore[arg-type]


def shift_card(card_json: str, delta: dt.timedelta) -> tuple[str, dt.datetime]:
    """The card with its due time moved by ``delta`` (a pause); its memory state is unchanged."""
    card = Card.from_json(card_json)
    card.due = card.due + delta
    return card.to_json(), card.due


def retrievability(card_json: str | None, at: dt.datetime) -> float:
    """Probability of recalling the card's answer at ``at`` (the guess rate if never reviewed)."""
    if not card_json:
        return GUESS_RATE
    card = Card.from_json(card_json)
    if card.last_review is None:
        return GUESS_RATE
    # a multiple-choice question can always be guessed
    r = float(SCHEDULER.get_card_retrievability(card, at))
    return GUESS_RATE + (1 - GUESS_RATE) * r


def objective_readiness(answers: Sequence[tuple[dt.datetime, bool]], horizon: dt.datetime) -> float:
    """Predicted chance of answering a question on one objective right at ``horizon``.

    ``answers`` are the person's answers on the objective (time, right?). Two factors:
    what they know, their right answers over their answers plus one (so one right answer is not
    certainty), and what they will still remember at ``horizon``, the FSRS recall probability of a card
    reviewed *Good* at each day with a right answer. The product lifts the 25% guessing floor. A wrong
    answer adds to the answers only, so it never raises the figure; a right answer raises what they
    know and refreshes the memory, so it never lowers it. With no answers it is the guess rate.
    """
    if not answers:
        return GUESS_RATE
    ordered = sorted(answers, key=lambda a: a[0])
    right = sum(1 for _at, ok in ordered if ok)
    know = right / (len(ordered) + 1)
    if right == 0:
        return GUESS_RATE
    card = Card(card_id=1, due=ordered[0][0])
    last_day: dt.date | None = None
    for at, ok in ordered:
        if not ok or at.date() == last_day:
            continue  # memory is refreshed by the first right answer of a day
        card, _log = SCHEDULER.review_card(card, Rating.Good, at)
        last_day = at.date()
    when = max(horizon, ordered[-1][0])
    memory = float(SCHEDULER.get_card_retrievability(card, when))
    return GUESS_RATE + (1 - GUESS_RATE) * know * memory
