"""The ``DrillStore`` role port: private drills and mock exams: the plan, the position, the answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol

from bot.core.ports.records import DrillInfo, DrillStart

__all__ = ["DrillStore"]


class DrillStore(Protocol):
    """Private drills and mock exams: the plan, the position, the answers."""

    async def create_drill(
        self,
        workspace_id: int,
        person_id: int,
        scope: str,
        questions: Sequence[tuple[str, Sequence[int]]],
        now: dt.datetime,
        expires_at: dt.datetime,
    ) -> int: ...

    async def get_drill(self, drill_id: int) -> DrillInfo | None: ...

    async def answer_drill(self, drill: DrillInfo, seq: int, values: dict[str, Any], done: bool) -> bool:
        """Record the answer to question ``seq`` and advance; False if it was already answered."""
        ...

    async def expire_drill(self, drill_id: int) -> None: ...

    async def drill_results(self, drill_id: int) -> list[tuple[int, str, str, bool]]: ...

    async def active_drill(self, person_id: int) -> DrillInfo | None: ...

    async def drill_start(self, workspace_id: int, person_id: int, now: dt.datetime, default_cap: int) -> DrillStart:
        """Everything ``/drill`` reads before choosing, in one read: the person's objective stats, seen
        questions, study plan, team zone and active drill, and of the reviews due at ``now`` only those a
        daily cap can reach (the plan's cap, ``default_cap`` without a plan; see :class:`DrillStart`)."""
        ...
