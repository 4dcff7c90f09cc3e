"""The scheduler lease on SQLite and (with TEST_DATABASE_URL) PostgreSQL: atomic acquire, renew, release."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest

from storage.db import create_engine
from storage.lease import SqlLease
from tests.scheduler.helpers import PG_URL, fresh_postgres

T0 = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)
TTL = dt.timedelta(seconds=30)


@pytest.fixture(params=["sqlite", "postgresql"])
async def lease_url(request: pytest.FixtureRequest, sched_db_url: str) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield sched_db_url
        return
    if not PG_URL:
        pytest.skip("PostgreSQL lease tests need TEST_DATABASE_URL (a disposable database)")
    async with fresh_postgres() as url:
        yield url


async def test_acquire_renew_expire_takeover_release(lease_url: str) -> None:
    engine = create_engine(lease_url)
    lease = SqlLease(engine)
    try:
        assert await lease.current("scheduler") is None
        assert await lease.acquire("scheduler", "a", TTL, T0)
        assert not await lease.acquire("scheduler", "b", TTL, T0 + dt.timedelta(seconds=29))
        assert await lease.acquire(
            "scheduler", "a", TTL, T0 + dt.timedelta(seconds=10)
        )  # re-acquiring our own extends it
        state = await lease.current("scheduler")
        assert state is not None and (state.holder, state.expires_at) == ("a", T0 + dt.timedelta(seconds=40))
        assert not await lease.renew("scheduler", "b", TTL, T0 + dt.timedelta(seconds=20))
        assert await lease.renew("scheduler", "a", TTL, T0 + dt.timedelta(seconds=20))  # now until T0+50s
        assert not await lease.acquire("scheduler", "b", TTL, T0 + dt.timedelta(seconds=49))
        # a dies: nobody renews; after expiry b takes over and a cannot renew any more
        assert await lease.acquire("scheduler", "b", TTL, T0 + dt.timedelta(seconds=51))
        assert not await lease.renew("scheduler", "a", TTL, T0 + dt.timedelta(seconds=52))
        assert not await lease.release("scheduler", "a")
        assert await lease.acquire("other", "a", TTL, T0 + dt.timedelta(seconds=52))  # names are independent
        assert await lease.release("scheduler", "b")
        assert await lease.current("scheduler") is None
        assert await lease.acquire("scheduler", "a", TTL, T0 + dt.timedelta(seconds=53))  # released: free at once
    finally:
        await engine.dispose()


async def test_racing_processes_get_exactly_one_winner(lease_url: str) -> None:
    """Twelve engines (own connections, as separate processes would have) race for a free, then an expired lease."""
    engines = [create_engine(lease_url) for _ in range(12)]
    leases = [SqlLease(e) for e in engines]
    try:
        for round_start in (T0, T0 + dt.timedelta(minutes=5)):
            won = await asyncio.gather(
                *(lease.acquire("scheduler", f"p{i}", TTL, round_start) for i, lease in enumerate(leases))
            )
            assert sum(won) == 1, won
            state = await leases[0].current("scheduler")
            assert state is not None and state.holder == f"p{won.index(True)}"
    finally:
        for e in engines:
            await e.dispose()
