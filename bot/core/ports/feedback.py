"""The ``FeedbackStore`` role port: question reports ("Report a problem"): stored once per platform delivery,
read without the reporter."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from bot.core.ports.records import ItemReportInfo

__all__ = ["FeedbackStore"]


class FeedbackStore(Protocol):
    """Question reports ("Report a problem"): stored once per platform delivery, read without the reporter."""

    async def add_item_report(
        self,
        delivery_id: str,
        workspace_id: int,
        person_id: int,
        question_id: str,
        bank_version: str,
        kind: str,
        text: str,
        source: str,
        at: dt.datetime,
    ) -> bool:
        """Store one report; False (and nothing stored) if ``delivery_id`` was stored before."""
        ...

    async def item_reports(self, since: dt.datetime | None = None) -> list[ItemReportInfo]:
        """Every report (made at or after ``since``), oldest first; forget-me leaves them without a person."""
        ...
