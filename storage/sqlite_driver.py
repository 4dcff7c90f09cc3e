"""SQLAlchemy's aiosqlite adapter, with one trip to the SQLite thread per statement.

aiosqlite runs each ``sqlite3`` call on the connection's own thread and hands the result back to the event
loop: one queue put, one thread wake-up and one loop wake-up per call. SQLAlchemy's adapter makes four such
calls per statement (open a cursor, execute, fetch all, close). On this project's 2-core machine a trip costs
about 100 µs, against 1 µs for a primary-key ``SELECT`` in ``sqlite3`` itself, so a statement costs about
550 µs through the engine and most of that is waiting for threads.

Here the cursor does the four steps in one function on the SQLite thread and keeps the outcome
(description, rows, row count, last row id): about 155 µs a statement through the engine. Everything else (connections, the
``connect`` and ``begin`` events, errors, server-side cursors) is SQLAlchemy's and aiosqlite's own.

It uses ``aiosqlite.Connection._execute`` (queue a function for the SQLite thread) and ``_conn`` (that thread's
``sqlite3.Connection``): private, but SQLAlchemy's own adapter reaches into the same queue to set the
isolation level. ``tests/storage/test_sqlite_driver.py`` checks both still exist and that a statement is one
trip, so an aiosqlite that changes them fails the tests rather than the bot.
"""

from __future__ import annotations

import collections
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_connection
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

__all__ = ["OneTripConnection", "OneTripCursor", "one_trip_dbapi"]

_Outcome = tuple[Any, list[Any], int, int | None]
_T = TypeVar("_T")

# the connection whose :meth:`OneTripConnection.run_on_sqlite_thread` work is running on this thread, if any
_here = threading.local()


def _run(conn: sqlite3.Connection, prelude: str | None, operation: str, parameters: Any, many: bool) -> _Outcome:
    """On the SQLite thread: the transaction's deferred ``BEGIN`` if any, then execute, describe, fetch
    everything and close, as one call."""
    cursor = conn.cursor()
    try:
        if prelude is not None:
            cursor.execute(prelude)
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


async def _on_thread(connection: aiosqlite.Connection, fn: Callable[[], _T]) -> _T:
    """Queue ``fn`` for the connection's SQLite thread and wait for its result (aiosqlite's own queue)."""
    result: _T = await connection._execute(fn)  # type: ignore[no-untyped-call]
    return result


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A client-side cursor whose ``execute`` is one trip; its rows are buffered, as the stock one's are.
    It has no aiosqlite cursor of its own, so ``nextset`` and ``setinputsizes`` (which SQLAlchemy's SQLite
    dialect never calls) are not there either."""

    __slots__ = ("_description", "_rowcount", "_lastrowid", "_arraysize")

    def __init__(self, adapt_connection: AsyncAdapt_dbapi_connection) -> None:
        # the stock __init__ opens an aiosqlite cursor (a trip); this one opens its sqlite3 cursor per statement
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1
        self._cursor = None  # type: ignore[assignment]

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        """Nothing to close: the statement's sqlite3 cursor was closed on the SQLite thread."""

    def close(self) -> None:
        self._rows.clear()

    async def _trip(self, operation: str, parameters: Any, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        adapted: OneTripConnection = self._adapt_connection  # type: ignore[assignment]
        async with adapted._execute_mutex:
            prelude = adapted.take_prelude()
            conn = connection._conn
            self._take(await _on_thread(connection, lambda: _run(conn, prelude, operation, parameters, many)))

    def _take(self, outcome: _Outcome) -> None:
        description, rows, self._rowcount, self._lastrowid = outcome
        self._description = description
        self._rows = collections.deque(rows)

    def _statement(self, operation: Any, parameters: Any, many: bool) -> None:
        adapted: OneTripConnection = self._adapt_connection  # type: ignore[assignment]
        try:
            if getattr(_here, "connection", None) is adapted:
                # inside run_on_sqlite_thread's work: this is the SQLite thread, run the statement here
                prelude = adapted.take_prelude()
                self._take(_run(self._connection._conn, prelude, operation, parameters, many))
            else:
                await_(self._trip(operation, parameters, many))
        except Exception as error:
            adapted._handle_exception(error)

    def execute(self, operation: Any, parameters: Any = None) -> None:
        self._statement(operation, parameters, False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> None:
        self._statement(operation, seq_of_parameters, True)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """aiosqlite's adapted connection, handing out :class:`OneTripCursor`\\ s.

    :meth:`begin_with_next_statement` defers a transaction's ``BEGIN`` to the trip of its first statement;
    a transaction that ends before running any statement then costs no trip at all.
    """

    __slots__ = ("_prelude",)
    _cursor_cls = OneTripCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._prelude: str | None = None

    def begin_with_next_statement(self, sql: str) -> None:
        """Run ``sql`` (``BEGIN IMMEDIATE``, say) on the SQLite thread just before the next statement."""
        self._prelude = sql

    def take_prelude(self) -> str | None:
        """The deferred ``BEGIN`` for the statement about to run (once), or None."""
        prelude, self._prelude = self._prelude, None
        return prelude

    async def run_on_sqlite_thread(self, work: Callable[[], _T]) -> _T:
        """Run ``work`` on the SQLite thread, as one trip: the statements it runs through this connection
        (with SQLAlchemy's sync API, on the async connection's ``sync_connection``) execute there directly.
        Nothing else may use the connection meanwhile; a transaction holding it guarantees that."""

        def call() -> _T:
            _here.connection = self
            try:
                return work()
            finally:
                _here.connection = None

        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._execute_mutex:
            return await _on_thread(connection, call)

    def commit(self) -> None:
        if self.take_prelude() is None:  # else nothing ran: there is no transaction to commit
            super().commit()

    def rollback(self) -> None:
        if self.take_prelude() is None:
            super().rollback()


class _OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        creator_fn = kw.pop("async_creator_fn", None)
        connection = creator_fn(*arg, **kw) if creator_fn else self.aiosqlite.connect(*arg, **kw)
        if creator_fn is None:
            connection._thread.daemon = True  # as SQLAlchemy does: an unclosed connection must not block exit
        return OneTripConnection(self, await_(connection))


def one_trip_dbapi() -> AsyncAdapt_aiosqlite_dbapi:
    """The DB-API module to hand ``create_async_engine(..., module=...)`` for a ``sqlite+aiosqlite`` URL."""
    return _OneTripDbapi(aiosqlite, sqlite3)
