"""Named leases in the database: which process runs the scheduler.

Every operation is one atomic statement, so two processes can race on SQLite (the write lock taken by
``BEGIN IMMEDIATE`` serialises them) or PostgreSQL (``INSERT ... ON CONFLICT DO UPDATE ... WHERE`` locks
the row and re-checks the condition) and at most one of them holds a lease at any instant of the
callers' clock. Expiry is judged with the ``now`` the caller passes in: processes sharing a database
must have synchronised clocks (NTP); the lease TTL absorbs a few seconds of skew.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import Lease

__all__ = ["LeaseState", "SqlLease"]

L: Table = Lease.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class LeaseState:
    name: str
    holder: str
    expires_at: dt.datetime


class SqlLease:
    """Acquire, renew and release rows of the ``lease`` table (SQLite or PostgreSQL)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._pg = engine.dialect.name == "postgresql"

    def _insert(self) -> Any:
        return postgresql.insert(L) if self._pg else sqlite.insert(L)

    async def acquire(self, name: str, holder: str, ttl: dt.timedelta, now: dt.datetime) -> bool:
        """Take the lease if it is free, expired or already ours; True if ``holder`` now holds it.

        One statement: insert the row, or on conflict overwrite it only where the current holder is
        ``holder`` or its lease has expired.
        """
        ins = self._insert().values(name=name, holder=holder, expires_at=now + ttl)
        stmt = ins.on_conflict_do_update(
            index_elements=[L.c.name],
            set_={"holder": ins.excluded.holder, "expires_at": ins.excluded.expires_at},
            where=or_(L.c.holder == holder, L.c.expires_at < now),
        )
        async with self.engine.begin() as conn:
            result = await conn.execute(stmt)
        return bool(result.rowcount)

    async def renew(self, name: str, holder: str, ttl: dt.timedelta, now: dt.datetime) -> bool:
        """Extend our lease; False if another process holds it now (or the row is gone)."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(L).where(L.c.name == name, L.c.holder == holder).values(expires_at=now + ttl)
            )
        return bool(result.rowcount)

    async def release(self, name: str, holder: str) -> bool:
        """Give the lease up (only if we hold it) so another process can take over at once."""
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(L).where(L.c.name == name, L.c.holder == holder))
        return bool(result.rowcount)

    async def current(self, name: str) -> LeaseState | None:
        """Who holds the lease row and until when (it may have expired); None if there is no row."""
        async with self.engine.begin() as conn:
            row = (await conn.execute(select(L.c.holder, L.c.expires_at).where(L.c.name == name))).first()
        return None if row is None else LeaseState(name, row.holder, row.expires_at)
