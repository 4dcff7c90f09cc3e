"""Engine construction: SQLite (WAL, busy timeout, BEGIN IMMEDIATE) or PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.sqlite_driver import one_trip_dbapi

__all__ = ["create_engine", "normalize_url", "sqlite_url_for"]


def sqlite_url_for(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{(data_dir / 'studybot.db').resolve()}"


def normalize_url(url: str) -> str:
    """Accept the usual spellings and pick the async driver (aiosqlite, asyncpg)."""
    u = make_url(url)
    if u.drivername in {"sqlite", "sqlite+pysqlite"}:
        u = u.set(drivername="sqlite+aiosqlite")
    elif u.drivername in {"postgres", "postgresql", "postgresql+psycopg2", "postgresql+psycopg"}:
        u = u.set(drivername="postgresql+asyncpg")
    return u.render_as_string(hide_password=False)


# how long a transaction waits for SQLite's write lock (the busy timeout, and the in-process queue in storage/sql.py)
SQLITE_BUSY_TIMEOUT_S = 30


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # ``module``: SQLAlchemy's aiosqlite adapter, with one trip to the SQLite thread per statement.
        # ``pool_reset_on_return=None``: every use of a connection ends its transaction (``engine.begin()``
        # commits or rolls back, closing a connection rolls back an open one), so the pool's own rollback on
        # check-in would only add a trip to each transaction
        engine = create_async_engine(
            url,
            echo=echo,
            module=one_trip_dbapi(),
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S},
            pool_reset_on_return=None,
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Any) -> None:
            # take the write lock up front: a deferred read-then-write fails at once with SQLITE_BUSY. It is
            # sent with the transaction's first statement, in the same trip to the SQLite thread.
            conn.connection.dbapi_connection.begin_with_next_statement("BEGIN IMMEDIATE")

        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


async def dispose(engine: AsyncEngine) -> None:
    await engine.dispose()
    await asyncio.sleep(0)
