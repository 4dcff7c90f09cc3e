"""The ``ReviewStore`` role port: a person's record: FSRS review state, seen and missed questions, answer history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

__all__ = ["ReviewStore"]


class ReviewStore(Protocol):
    """A person's record: FSRS review state, seen and missed questions, answer history."""

    async def review_state(self, person_id: int, question_id: str) -> tuple[str | None, dt.date | None]: ...

    async def save_review(
        self, person_id: int, question_id: str, card: str, due: dt.datetime, day: dt.date
    ) -> None: ...

    async def person_cards(self, person_id: int) -> list[tuple[str, str, dt.datetime]]: ...

    async def due_reviews(self, person_id: int, now: dt.datetime) -> dict[str, dt.datetime]: ...

    async def seen_questions(self, person_id: int) -> set[str]: ...

    async def missed_questions(self, person_id: int) -> list[str]:
        """Questions whose most recent answer by the person was wrong, most recent first."""
        ...

    async def person_objective_stats(self, person_id: int) -> list[tuple[str, int, int]]: ...

    async def person_answer_history(self, person_id: int) -> list[tuple[str, dt.datetime, bool]]:
        """Every answer of a person: (objective, when, right?), oldest first."""
        ...

    async def daily_answer_times(
        self, person_ids: Sequence[int], since: dt.datetime
    ) -> dict[int, list[dt.datetime]]: ...

    async def daily_answer_days(self, person_ids: Sequence[int], bounds: Sequence[dt.datetime]) -> dict[int, set[int]]:
        """Per person, the indexes ``i`` of the spans [bounds[i], bounds[i + 1]) holding one of their daily
        answers (people with none are left out). ``bounds`` ascend; with a zone's local midnights they are the
        person's answer days, counted in the database instead of converting every answer's time (streaks)."""
        ...
