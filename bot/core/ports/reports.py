"""The ``ReportStore`` role port: aggregates for the boards, weak-spot reports and item analysis."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

__all__ = ["ReportStore"]


class ReportStore(Protocol):
    """Aggregates for the boards, weak-spot reports and item analysis."""

    async def first_attempts(
        self, workspace_id: int, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[int | None, int, str, int, int]]:
        """Per (team, person, topic): first attempts at distinct questions in [start, end) and how many were right."""
        ...

    async def team_first_attempts(
        self, workspace_id: int, team_id: int, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[int, int | None, str, int, int]]:
        """As :meth:`first_attempts` for one team's board: ``team_id``'s rows per person; every other team's
        rows summed per (team, topic), with person None; answers of no team left out."""
        ...

    async def team_objective_stats(
        self, team_id: int, since: dt.datetime | None = None, until: dt.datetime | None = None
    ) -> list[tuple[str, int, int]]: ...

    async def team_wrong_choices(self, team_id: int, objective_ids: Sequence[str]) -> list[tuple[str, str, int, int]]:
        """(objective, question, canonical option, count) of wrong answers, most chosen first."""
        ...

    async def team_member_topic_stats(self, team_id: int) -> list[tuple[int, str, int, int]]: ...

    async def first_attempt_choices(self) -> list[tuple[str, int, int, bool]]:
        """(question, person, canonical option, correct) of every person's first attempt at a question."""
        ...
