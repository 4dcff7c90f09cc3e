"""What every SQL repository shares: the engine, the dialect's INSERT ... ON CONFLICT, row mappers,
the table names and small helpers (``storage/repos/*.py`` build on it; ``SqlStore`` joins them)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.messages import ChannelRef
from bot.core.ports import ChannelInfo, DrillInfo, PostInfo
from storage.db import SQLITE_BUSY_TIMEOUT_S
from storage.sqlite_driver import OneTripConnection
from storage.tables import (
    Answer,
    AuditLog,
    Channel,
    Delivery,
    DrillSession,
    ItemReport,
    Person,
    Post,
    ReactionEventRow,
    Review,
    StudyPause,
    StudyPlan,
    Team,
    TeamMember,
    TeamMemberTopicTotal,
    TeamObjectiveDay,
    TeamObjectiveTotal,
    WeeklyBoard,
    Workspace,
    table_of,
)

__all__ = ["SqlBase"]

# one short name per table, the same in every repository module
W, P, C, PO, RE, A, AU, D, T, TM, R, DS, WB, IR, SP, SPP = (
    table_of(Workspace),
    table_of(Person),
    table_of(Channel),
    table_of(Post),
    table_of(ReactionEventRow),
    table_of(Answer),
    table_of(AuditLog),
    table_of(Delivery),
    table_of(Team),
    table_of(TeamMember),
    table_of(Review),
    table_of(DrillSession),
    table_of(WeeklyBoard),
    table_of(ItemReport),
    table_of(StudyPlan),
    table_of(StudyPause),
)
# totals of a team's answers, kept by triggers on answer (storage/tables/totals.py)
TOT, TOD, TMT = table_of(TeamObjectiveTotal), table_of(TeamObjectiveDay), table_of(TeamMemberTopicTotal)


_T = TypeVar("_T")

# the transaction of an open ``atomic()`` block: (its connection, the task that opened it, the engine)
_SHARED: ContextVar[tuple[AsyncConnection, asyncio.Task[Any] | None, AsyncEngine] | None] = ContextVar(
    "studybot_atomic", default=None
)


def _n_correct(column: Any) -> Any:
    """SUM of a boolean column, portable across SQLite and PostgreSQL."""
    return func.sum(case((column.is_(True), 1), else_=0))


def _drill(m: Any) -> DrillInfo:
    return DrillInfo(
        id=m["id"],
        workspace_id=m["workspace_id"],
        person_id=m["person_id"],
        scope=m["scope"],
        questions=[(q, tuple(o)) for q, o in json.loads(m["questions"])],
        position=m["position"],
        status=m["status"],
        created_at=m["created_at"],
        expires_at=m["expires_at"],
    )


def _chunks(items: Sequence[Any], size: int) -> list[list[Any]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


class SqlBase:
    """The engine and the helpers every repository uses."""

    engine: AsyncEngine
    dialect: str

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        # SQLite has one writer and every transaction here starts with BEGIN IMMEDIATE, so this process's
        # transactions run one at a time anyway; queueing them on a lock hands the write lock straight to
        # the next one, where SQLite's busy handler would have them poll for it in sleeps of up to 100 ms.
        # Other processes on the same file still meet the busy timeout.
        self._sqlite_turn: asyncio.Lock | None = asyncio.Lock() if self.dialect == "sqlite" else None

    # -- transactions -----------------------------------------------------------------------------

    def _joined(self) -> AsyncConnection | None:
        """The connection of an ``atomic()`` block this task opened on this engine, if any.

        Only the opening task joins it: a task started inside the block inherits the context variable
        but must not use the same connection concurrently."""
        shared = _SHARED.get()
        if shared is not None and shared[2] is self.engine and shared[1] is asyncio.current_task():
            return shared[0]
        return None

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[AsyncConnection]:
        """A repository call's transaction: the enclosing ``atomic()`` one, or its own (committed on exit)."""
        joined = self._joined()
        if joined is not None:
            yield joined
            return
        async with self._turn(), self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        """This process's turn at SQLite's write lock (nothing to wait for on PostgreSQL). Waiting longer
        than SQLite's own busy timeout fails as SQLite would, so a task that waits on another task's
        transaction inside its own gets an error, not a hang."""
        if self._sqlite_turn is None:
            yield
            return
        try:
            async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_S):
                await self._sqlite_turn.acquire()
        except TimeoutError:
            raise OperationalError(
                "waiting for this process's turn at the database", None, Exception("database is locked")
            ) from None
        try:
            yield
        finally:
            self._sqlite_turn.release()

    @asynccontextmanager
    async def atomic(self) -> AsyncIterator[None]:
        """Store calls inside the block share one transaction: committed when the block ends, rolled
        back if it raises. A block inside a block joins it. No network I/O belongs inside (on SQLite the
        transaction holds the write lock)."""
        if self._joined() is not None:
            yield
            return
        async with self._turn(), self.engine.begin() as conn:
            token = _SHARED.set((conn, asyncio.current_task(), self.engine))
            try:
                yield
            finally:
                _SHARED.reset(token)

    async def _one_trip(self, conn: AsyncConnection, work: Callable[[Connection], _T]) -> _T:
        """Run ``work``, several statements in SQLAlchemy's sync API, on ``conn``'s transaction.

        On SQLite it runs on the SQLite thread as one trip (each statement would otherwise be a trip of its
        own, about 100 µs of thread hand-offs on this machine against microseconds of SQL); on PostgreSQL
        through ``run_sync``, each statement a round trip to the server as usual."""
        sync = conn.sync_connection
        assert sync is not None  # inside a transaction
        driver = sync.connection.dbapi_connection
        if isinstance(driver, OneTripConnection):
            return await driver.run_on_sqlite_thread(lambda: work(sync))
        return await conn.run_sync(work)

    # -- helpers --------------------------------------------------------------------------------

    def _insert(self, table: Table) -> Any:
        if self.dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    async def _insert_ignore(self, conn: AsyncConnection, table: Table, values: Mapping[str, Any]) -> bool:
        result = await conn.execute(self._insert(table).values(**values).on_conflict_do_nothing())
        return bool(result.rowcount)

    @staticmethod
    def _channel(row: Any, ws_row: Any) -> ChannelInfo:
        m = row._mapping
        return ChannelInfo(
            id=m["id"],
            workspace_id=m["workspace_id"],
            ref=ChannelRef(ws_row.platform, ws_row.external_id, m["external_id"]),
            name=m["name"],
            tz=m["tz"],
            post_time=m["post_time"],
            reveal_minutes=m["reveal_minutes"],
            team_id=m["team_id"],
            active=m["active"],
            focus_topic=m["focus_topic"],
            focus_until=m["focus_until"],
            scheduled_since=m["scheduled_since"],
        )

    @staticmethod
    def _post(row: Any) -> PostInfo:
        m = row._mapping
        return PostInfo(
            id=m["id"],
            channel_id=m["channel_id"],
            local_date=m["local_date"],
            slot=m["slot"],
            question_id=m["question_id"],
            objective_id=m["objective_id"],
            option_order=tuple(int(c) for c in m["option_order"]),
            reason=m["reason"],
            reason_detail=m["reason_detail"],
            status=m["status"],
            message_ref=m["message_ref"],
            created_at=m["created_at"],
            posted_at=m["posted_at"],
            reveal_due_at=m["reveal_due_at"],
            revealed_at=m["revealed_at"],
        )

    async def _channels_where(self, conn: AsyncConnection, *where: Any) -> list[ChannelInfo]:
        rows = (
            await conn.execute(
                select(C, W.c.platform.label("ws_platform"), W.c.external_id.label("ws_ext"))
                .join(W, W.c.id == C.c.workspace_id)
                .where(*where)
                .order_by(C.c.id)
            )
        ).all()

        class _Ws:
            def __init__(self, platform: str, external_id: str) -> None:
                self.platform, self.external_id = platform, external_id

        return [self._channel(r, _Ws(r._mapping["ws_platform"], r._mapping["ws_ext"])) for r in rows]

    # -- workspaces, people -----------------------------------------------------------------------

    async def _ensure_person(
        self, conn: AsyncConnection, workspace_id: int, external_id: str, display_name: str, is_bot: bool
    ) -> int:
        find = select(P.c.id, P.c.display_name).where(P.c.workspace_id == workspace_id, P.c.external_id == external_id)
        row = (await conn.execute(find)).first()  # the usual case: one statement
        inserted = False
        if row is None:
            inserted = await self._insert_ignore(
                conn,
                P,
                {
                    "workspace_id": workspace_id,
                    "external_id": external_id,
                    "display_name": display_name,
                    "is_bot": is_bot,
                    "created_at": dt.datetime.now(dt.UTC),
                },
            )
            row = (await conn.execute(find)).one()
        if not inserted and display_name and row.display_name != display_name:
            await conn.execute(update(P).where(P.c.id == row.id).values(display_name=display_name))
        return int(row.id)

    async def count_rows(self, table: str) -> int:
        """Row count of a table (diagnostics and tests)."""
        tables = {
            "post": PO,
            "answer": A,
            "reaction_event": RE,
            "audit_log": AU,
            "delivery": D,
            "person": P,
            "item_report": IR,
            "review": R,
        }
        async with self._tx() as conn:
            return int((await conn.execute(select(func.count()).select_from(tables[table]))).scalar_one())

    async def audit_entries(self, workspace_id: int) -> list[dict[str, Any]]:
        async with self._tx() as conn:
            rows = (await conn.execute(select(AU).where(AU.c.workspace_id == workspace_id).order_by(AU.c.id))).all()
        return [dict(r._mapping) for r in rows]
