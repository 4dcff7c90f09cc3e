"""The ``PlanStore`` role port: personal study plans: reminders, exam date, pauses, the daily review cap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from bot.core.ports.records import StudyPlanInfo

__all__ = ["PlanStore"]


class PlanStore(Protocol):
    """Personal study plans: reminders, exam date, pauses, the daily review cap."""

    async def get_plan(self, person_id: int) -> StudyPlanInfo | None: ...

    async def save_plan(self, person_id: int, now: dt.datetime, **changes: object) -> StudyPlanInfo:
        """Create or change a plan (``tz``, ``remind_time``, ``exam_date``, ``weekly_summary``,
        ``daily_cap``, ``dm_blocked_at``); unknown fields raise ``TypeError``."""
        ...

    async def messaged_plans(self) -> list[StudyPlanInfo]:
        """Plans that may get a direct message (a reminder time or the weekly summary, DMs not refused)."""
        ...

    async def plans_to_message(self, now: dt.datetime) -> list[StudyPlanInfo]:
        """The messaged plans (as ``messaged_plans``, by person) whose reminder has not gone out on the local
        day of ``now`` in the plan's zone, or whose weekly summary has not for that day's week (its Monday):
        the minute sweep's candidates, filtered in the store (a plan left out has nothing due)."""
        ...

    async def count_reminded(self, workspace_id: int) -> int:
        """How many people of the workspace get review reminders (a reminder time, DMs not refused)."""
        ...

    async def claim_message(self, person_id: int, kind: str, day: dt.date) -> bool:
        """Mark the ``kind`` message (``reminder``: local ``day``; ``summary``: its Monday) as sent;
        False if it already was (at most one a day, one summary a week), across processes."""
        ...

    async def count_review(self, person_id: int, day: dt.date, now: dt.datetime) -> int:
        """One more due review answered on local ``day``; returns the day's count."""
        ...

    async def add_pause(self, person_id: int, start: dt.date, end: dt.date) -> None: ...

    async def end_pause(self, person_id: int, day: dt.date) -> tuple[dt.date, dt.date] | None:
        """End the pause covering ``day`` there (``day`` is no longer paused); returns its old range."""
        ...

    async def reschedule_reviews(self, person_id: int, cards: Sequence[tuple[str, str, dt.datetime]]) -> None:
        """Replace the card and due time of existing review states (question, card JSON, due)."""
        ...

    async def pauses_of(self, person_ids: Sequence[int]) -> dict[int, list[tuple[dt.date, dt.date]]]: ...
