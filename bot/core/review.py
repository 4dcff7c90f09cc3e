"""Spaced repetition with FSRS: one card per person and question.

Correct maps to Good, wrong to Again; only the first answer of a question per (local) day counts, so a
drill right after the daily question does not inflate the schedule. Cards are stored as FSRS JSON.
"""

from __future__ import annotations

import datetime as dt

from fsrs import Card, Rating, Scheduler

__all__ = ["GUESS_RATE", "SCHEDULER", "next_card", "retrievability"]

# No intra-day learning steps: a chat study bot asks at most a few times a day, so cards go straight
# to day-scale intervals. Fuzzing off keeps schedules reproducible (tests, demo).
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
GUESS_RATE = 0.25  # four options: the recall probability of a question never seen


def next_card(card_json: str | None, correct: bool, at: dt.datetime) -> tuple[str, dt.datetime]:
    """Review a card (a new one if ``card_json`` is None); return the new JSON and its due time."""
    card = Card.from_json(card_json) if card_json else Card(card_id=1, due=at)
    card, _log = SCHEDULER.review_card(card, Rating.Good if correct else Rating.Again, at)
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
