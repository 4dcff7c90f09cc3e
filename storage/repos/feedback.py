"""Question reports: the SQL side of :class:`bot.core.ports.FeedbackStore`."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.core.ports import ItemReportInfo
from storage.sql import IR, SqlBase

__all__ = ["FeedbackRepo"]


class FeedbackRepo(SqlBase):
    """Item reports, unique on the platform's delivery id."""

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
        async with self._tx() as conn:
            return await self._insert_ignore(
                conn,
                IR,
                {
                    "delivery_id": delivery_id[:160],
                    "workspace_id": workspace_id,
                    "person_id": person_id,
                    "question_id": question_id[:32],
                    "bank_version": bank_version[:40],
                    "kind": kind[:12],
                    "text": text,
                    "source": source[:8],
                    "created_at": at,
                },
            )

    async def item_reports(self, since: dt.datetime | None = None) -> list[ItemReportInfo]:
        query = select(IR.c.question_id, IR.c.bank_version, IR.c.kind, IR.c.text, IR.c.source, IR.c.created_at)
        if since is not None:
            query = query.where(IR.c.created_at >= since)
        async with self._tx() as conn:
            rows = (await conn.execute(query.order_by(IR.c.created_at, IR.c.id))).all()
        return [ItemReportInfo(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]
