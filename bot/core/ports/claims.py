"""The ``ClaimStore`` role port: exactly-once claims and the audit log: platform deliveries, weekly boards,
admin actions."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

__all__ = ["ClaimStore"]


class ClaimStore(Protocol):
    """Exactly-once claims and the audit log: platform deliveries, weekly boards, admin actions."""

    async def claim_delivery(self, delivery_id: str, now: dt.datetime) -> bool: ...

    async def prune_deliveries(self, before: dt.datetime) -> int: ...

    async def claim_weekly_board(self, channel_id: int, week_start: dt.date, now: dt.datetime) -> bool: ...

    async def release_weekly_board(self, channel_id: int, week_start: dt.date) -> None: ...

    async def audit(
        self, workspace_id: int | None, actor: str, actor_name: str, action: str, detail: str, at: dt.datetime
    ) -> None: ...
