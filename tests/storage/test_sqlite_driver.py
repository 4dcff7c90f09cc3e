"""storage/sqlite_driver.py: SQLAlchemy's aiosqlite adapter with one trip to the SQLite thread per statement.

A trip is one function queued on aiosqlite's connection thread (``aiosqlite.Connection._execute``); these
tests count them, and check that a cursor still says what SQLite says (rows, columns, row counts, last row
ids, errors) and that transactions still take SQLite's write lock up front."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.sql import SqlBase

META = MetaData()
THING = Table("thing", META, Column("id", Integer, primary_key=True), Column("name", String(20), unique=True))


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(f"sqlite:///{tmp_path / 'driver.db'}")
    async with eng.begin() as conn:
        await conn.run_sync(META.create_all)
    yield eng
    await eng.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every function queued on an aiosqlite thread from now on, by name."""
    queued: list[str] = []
    real = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        queued.append(getattr(fn, "__name__", type(fn).__name__))
        return await real(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    yield queued


async def test_a_statement_is_one_trip_and_begin_rides_with_the_first(engine: AsyncEngine, trips: list[str]) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(THING).values(name="a"))
        assert len(trips) == 1  # BEGIN IMMEDIATE and the INSERT together
        rows = (await conn.execute(select(THING.c.id, THING.c.name))).all()
        assert len(trips) == 2
    assert len(trips) == 3  # and the COMMIT
    assert [tuple(r) for r in rows] == [(1, "a")]


async def test_a_transaction_that_runs_nothing_costs_no_trip(engine: AsyncEngine, trips: list[str]) -> None:
    async with engine.begin():
        pass
    async with engine.connect() as conn:
        await conn.rollback()
    assert trips == []


async def test_the_cursor_reports_rows_columns_counts_and_ids(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        first = await conn.execute(insert(THING).values(name="a"))
        assert first.inserted_primary_key is not None and first.inserted_primary_key[0] == 1
        second = await conn.execute(insert(THING).values(name="b"))
        assert second.lastrowid == 2
        many = await conn.execute(insert(THING), [{"name": "c"}, {"name": "d"}, {"name": "e"}])
        assert many.rowcount == 3
        changed = await conn.execute(update(THING).where(THING.c.id > 3).values(name=THING.c.name + "!"))
        assert changed.rowcount == 2
        empty = await conn.execute(select(THING.c.id, THING.c.name).where(THING.c.id < 0))
        assert list(empty.keys()) == ["id", "name"] and empty.all() == []
        got = (await conn.execute(select(THING.c.name).order_by(THING.c.id))).scalars().all()
        assert got == ["a", "b", "c", "d!", "e!"]
        one_at_a_time = await conn.execute(text("SELECT id FROM thing ORDER BY id"))
        assert one_at_a_time.fetchone() == (1,)
        assert one_at_a_time.fetchmany(2) == [(2,), (3,)]
        assert one_at_a_time.fetchall() == [(4,), (5,)]


async def test_errors_are_sqlalchemys_and_roll_back(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(THING).values(name="a"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(insert(THING).values(name="b"))
            await conn.execute(insert(THING).values(name="a"))  # the unique name
    async with engine.connect() as conn:
        assert (await conn.execute(select(THING.c.name))).scalars().all() == ["a"]  # "b" rolled back with it


async def test_a_transaction_holds_the_write_lock_from_its_first_statement(engine: AsyncEngine) -> None:
    """BEGIN IMMEDIATE still happens (in the first statement's trip): another writer is refused while a
    transaction that has only read is open, and gets in once it ends."""
    path = engine.url.database
    assert path is not None
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        async with engine.begin() as conn:
            await conn.execute(select(THING.c.id))
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


def _three_statements(conn: Connection) -> list[str]:
    conn.execute(insert(THING).values(name="x"))
    conn.execute(update(THING).where(THING.c.name == "x").values(name="y"))
    return list(conn.execute(select(THING.c.name)).scalars())


async def test_one_trip_runs_several_statements_in_one_trip(engine: AsyncEngine, trips: list[str]) -> None:
    base = SqlBase(engine)
    async with engine.begin() as conn:
        names = await base._one_trip(conn, _three_statements)
        assert len(trips) == 1
    assert names == ["y"]
    assert len(trips) == 2  # with the COMMIT


async def test_one_trip_work_that_fails_rolls_back_everything(engine: AsyncEngine) -> None:
    base = SqlBase(engine)

    def fails_halfway(conn: Connection) -> None:
        conn.execute(insert(THING).values(name="x"))
        conn.execute(insert(THING).values(name="x"))

    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await base._one_trip(conn, fails_halfway)
    async with engine.connect() as conn:
        assert (await conn.execute(select(THING.c.name))).all() == []
        # and the connection works as before afterwards
        assert await base._one_trip(conn, _three_statements) == ["y"]
