"""SchedulerNode: one leader per lease, takeover after the holder dies, restarts, clock jumps, clean stop."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from bot.core.clock import ManualClock
from bot.core.messages import QuestionPost
from bot.service import QuizService
from content.loader import Bank
from scheduler.leader import ClockJumpDetector, SchedulerNode
from storage.lease import SqlLease
from tests.scheduler.helpers import admin, make_service, subscribe, wait_for

BERLIN_0900_MONDAY = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def questions(notifier: Any) -> list[QuestionPost]:
    return [m for _c, m, _r in notifier.sent if isinstance(m, QuestionPost)]


class FakeMonotonic:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def node(service: QuizService, lease: SqlLease | None, clock: ManualClock, holder: str, **kw: Any) -> SchedulerNode:
    return SchedulerNode(service, lease, clock, holder=holder, drain_timeout=5, **kw)


def test_defaults_take_over_within_a_minute_and_renew_twice_per_ttl() -> None:
    n = SchedulerNode(object(), None, ManualClock(BERLIN_0900_MONDAY), holder="x")  # type: ignore[arg-type]
    assert n.takeover_bound == 40.0 <= 60.0
    with pytest.raises(ValueError):
        SchedulerNode(object(), None, ManualClock(BERLIN_0900_MONDAY), holder="x", ttl=10, renew_every=6)  # type: ignore[arg-type]


async def test_restart_two_hours_after_post_time_posts_once_and_again_nothing(
    sched_db_url: str, notifier: Any, clock: ManualClock, bank_small: Bank
) -> None:
    svc = make_service(sched_db_url, notifier, clock, bank_small)
    cid = await subscribe(svc, "CBER", "09:00", "Europe/Berlin")
    await svc.store.engine.dispose()  # type: ignore[attr-defined]
    clock.set(BERLIN_0900_MONDAY + dt.timedelta(hours=2))  # the process was down at 09:00
    for restart in range(3):  # a fresh process each time: new engine, service, lease and scheduler
        svc = make_service(sched_db_url, notifier, clock, bank_small)
        n = node(svc, SqlLease(svc.store.engine), clock, f"proc{restart}")  # type: ignore[attr-defined]
        await n.tick()
        assert n.is_leader
        await n.scheduler.settle()
        await n.shutdown()
        await svc.store.engine.dispose()  # type: ignore[attr-defined]
        assert len(questions(notifier)) == 1, restart
        clock.advance(minutes=30)
    svc = make_service(sched_db_url, notifier, clock, bank_small)
    posts = await svc.store.channel_posts(cid)
    await svc.store.engine.dispose()  # type: ignore[attr-defined]
    assert [(p.local_date.isoformat(), p.created_at) for p in posts] == [
        ("2026-03-02", BERLIN_0900_MONDAY + dt.timedelta(hours=2))
    ]


async def test_one_leader_and_takeover_when_the_holder_dies(
    sched_db_url: str, notifier: Any, clock: ManualClock, bank_small: Bank
) -> None:
    a_svc = make_service(sched_db_url, notifier, clock, bank_small)
    b_svc = make_service(sched_db_url, notifier, clock, bank_small)
    cid = await subscribe(a_svc, "CBER", "09:00", "Europe/Berlin")
    a = node(a_svc, SqlLease(a_svc.store.engine), clock, "a")  # type: ignore[attr-defined]
    b = node(b_svc, SqlLease(b_svc.store.engine), clock, "b")  # type: ignore[attr-defined]
    try:
        for _ in range(3):
            await a.tick()
            await b.tick()
            clock.advance(seconds=10)
        assert (a.is_leader, b.is_leader) == (True, False)
        assert a.scheduler.running and not b.scheduler.running
        # a's process freezes (no more renewals; its event loop is stopped, so nothing of it runs either)
        frozen_at = clock.now()
        while not b.is_leader:
            clock.advance(seconds=b.renew_every)
            await b.tick()
        assert clock.now() - frozen_at <= dt.timedelta(seconds=a.takeover_bound)
        assert b.scheduler.running
        # the day goes on under b: the 09:00 question is posted once
        clock.set(BERLIN_0900_MONDAY + dt.timedelta(seconds=1))
        await b.scheduler.sweeps.daily_job(cid)
        # a wakes up: its renewal fails, it steps down and stops its scheduler
        await a.tick()
        assert not a.is_leader and not a.scheduler.running
        await a.scheduler.sweeps.daily_job(cid)  # even a stray run of the old scheduler posts nothing more
        assert len(questions(notifier)) == 1
    finally:
        for n in (a, b):
            await n.shutdown()
        for s in (a_svc, b_svc):
            await s.store.engine.dispose()  # type: ignore[attr-defined]


class BrokenLease:
    """A lease whose database went away after the first acquisition."""

    def __init__(self) -> None:
        self.fail = False

    async def acquire(self, name: str, holder: str, ttl: dt.timedelta, now: dt.datetime) -> bool:
        return True

    async def renew(self, name: str, holder: str, ttl: dt.timedelta, now: dt.datetime) -> bool:
        if self.fail:
            raise ConnectionError("database unreachable")
        return True

    async def release(self, name: str, holder: str) -> bool:
        return True


async def test_a_leader_that_cannot_renew_steps_down_before_its_lease_expires(
    svc: QuizService, clock: ManualClock
) -> None:
    lease = BrokenLease()
    n = SchedulerNode(svc, lease, clock, holder="a", ttl=30, renew_every=10, drain_timeout=5)
    await n.tick()
    assert n.is_leader
    lease.fail = True
    clock.advance(seconds=10)
    await n.tick()  # lease valid until +30 s: one failed renewal is tolerated
    assert n.is_leader
    clock.advance(seconds=10)
    await n.tick()  # next renewal would be at +30 s, when the lease ends: step down now
    assert not n.is_leader and not n.scheduler.running


def test_clock_jump_detector() -> None:
    clock, mono = ManualClock(BERLIN_0900_MONDAY), FakeMonotonic()
    d = ClockJumpDetector(clock, mono, threshold=60)
    d.reset()
    clock.advance(seconds=10)
    mono.t += 10
    assert d.check() is None
    clock.advance(hours=8, seconds=10)  # suspended for 8 h: the monotonic clock stood still
    mono.t += 10
    assert d.check() == 8 * 3600
    clock.advance(seconds=-120)  # clock set back
    assert d.check() == -120


async def test_a_clock_jump_wakes_the_scheduler_and_catches_up(
    svc: QuizService, notifier: Any, clock: ManualClock
) -> None:
    mono = FakeMonotonic()
    await subscribe(svc, "CBER", "09:00", "Europe/Berlin")
    clock.set(BERLIN_0900_MONDAY - dt.timedelta(hours=1))
    n = SchedulerNode(svc, None, clock, holder="solo", monotonic=mono, drain_timeout=5)
    await n.tick()
    await n.scheduler.settle()
    assert questions(notifier) == []
    clock.advance(hours=26)  # the laptop slept until Tuesday 10:00 Berlin
    mono.t += 10
    await n.tick()
    await n.scheduler.settle()
    assert len(questions(notifier)) == 1
    assert [p.local_date.isoformat() for p in await svc.store.channel_posts(1)] == ["2026-03-03"]
    await n.shutdown()


async def test_run_until_stopped_reschedules_on_changes_and_releases_the_lease(
    svc: QuizService, clock: ManualClock
) -> None:
    cid = await subscribe(svc, "CBER", "09:00", "Europe/Berlin")
    lease = SqlLease(svc.store.engine)  # type: ignore[attr-defined]
    n = SchedulerNode(svc, lease, clock, holder="me", ttl=1.0, renew_every=0.05, drain_timeout=5)
    stop = asyncio.Event()
    task = asyncio.create_task(n.run(stop))
    await wait_for(lambda: n.is_leader and n.status()["last_tick_seconds_ago"] is not None, what="leadership")
    await n.scheduler.settle()
    assert n.status()["role"] == "leader" and n.status()["healthy"]
    await svc.handle_command(admin("CBER"), "/studybot", "settings time 07:45")
    aps = n.scheduler.apscheduler
    assert aps is not None and aps.get_job(f"daily:{cid}").next_run_time.strftime("%H:%M") == "07:45"
    state = await lease.current("scheduler")
    assert state is not None and state.holder == "me"
    stop.set()
    await asyncio.wait_for(task, 5)
    assert not n.is_leader and not n.scheduler.running
    assert await lease.current("scheduler") is None  # released: a standby takes over at once
    assert n.on_channel_changed not in svc.channel_listeners
