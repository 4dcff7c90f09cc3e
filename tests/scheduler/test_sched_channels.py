"""ChannelScheduler on a real APScheduler AsyncIOScheduler: jobs from the database, runs, misses, shutdown, logs."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest

from bot.core.clock import ManualClock
from bot.core.messages import ChannelRef, Message, QuestionPost, RevealPost
from bot.logs import JsonFormatter
from bot.service import QuizService
from scheduler.channels import ChannelScheduler
from tests.scheduler.helpers import admin, subscribe, wait_for

MONDAY_0700Z = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)


def questions(notifier: Any) -> list[QuestionPost]:
    return [m for _c, m, _r in notifier.sent if isinstance(m, QuestionPost)]


def run_now(sched: ChannelScheduler, job: str, *, late: dt.timedelta = dt.timedelta(0)) -> None:
    """Make APScheduler run ``job`` now (as if its time had come ``late`` ago): the real executor path."""
    aps = sched.apscheduler
    assert aps is not None
    aps.modify_job(job, next_run_time=dt.datetime.now(dt.UTC) - late)
    aps.wakeup()


@pytest.fixture
async def sched(svc: QuizService) -> AsyncIterator[ChannelScheduler]:
    s = ChannelScheduler(svc)
    svc.channel_listeners.append(s.refresh_channel)
    yield s
    await s.stop(drain_seconds=5)


async def test_jobs_follow_the_database_and_settings_changes_reschedule_at_once(
    svc: QuizService, sched: ChannelScheduler, clock: ManualClock
) -> None:
    berlin = await subscribe(svc, "CBER", "09:00", "Europe/Berlin")
    york = await subscribe(svc, "CNYC", "07:30", "America/New_York")
    await sched.start()
    await sched.settle()
    jobs = {j["job"]: j for j in sched.scheduled()}
    assert set(jobs) == {f"daily:{berlin}", f"daily:{york}", f"weekly:{berlin}", f"weekly:{york}"}
    aps = sched.apscheduler
    assert aps is not None and {j.id for j in aps.get_jobs()} >= {"reveals", "resync", "maintenance"}
    for jid, hhmm, tz in (
        (f"daily:{berlin}", "09:00", "Europe/Berlin"),
        (f"daily:{york}", "07:30", "America/New_York"),
    ):
        nxt = aps.get_job(jid).next_run_time
        assert nxt.strftime("%H:%M") == hhmm and str(nxt.tzinfo) == tz

    york_job_before = aps.get_job(f"daily:{york}").next_run_time
    await svc.handle_command(admin("CBER"), "/studybot", "settings time 06:15 tz Asia/Tokyo")
    nxt = aps.get_job(f"daily:{berlin}").next_run_time
    assert (nxt.strftime("%H:%M"), str(nxt.tzinfo)) == ("06:15", "Asia/Tokyo")
    await sched.sync()  # a resync leaves an unchanged job alone (its pending run time is kept)
    assert aps.get_job(f"daily:{york}").next_run_time == york_job_before

    await svc.handle_command(admin("CNYC"), "/studybot", "unsubscribe")
    assert aps.get_job(f"daily:{york}") is None and aps.get_job(f"weekly:{york}") is None
    assert [j["job"] for j in sched.scheduled()] == [f"daily:{berlin}", f"weekly:{berlin}"]


async def test_weekly_board_jobs_run_and_catch_up(svc: QuizService, clock: ManualClock) -> None:
    calls: list[int] = []

    async def post_weekly_board(channel_id: int) -> bool:
        calls.append(channel_id)
        return True

    svc.boards.post_weekly = post_weekly_board  # type: ignore[method-assign]
    cid = await subscribe(svc, "CBER", "09:00", "Europe/Berlin")
    clock.set(dt.datetime(2026, 3, 6, 12, tzinfo=dt.UTC))  # Friday: last Monday's board is past its 3-day grace
    s = ChannelScheduler(svc)
    await s.start()
    try:
        await s.settle()
        assert calls == []
        aps = s.apscheduler
        assert aps is not None
        nxt = aps.get_job(f"weekly:{cid}").next_run_time
        assert (nxt.weekday(), nxt.strftime("%H:%M"), str(nxt.tzinfo)) == (0, "08:00", "Europe/Berlin")
        run_now(s, f"weekly:{cid}")
        await wait_for(lambda: calls == [cid], what="weekly board")
    finally:
        await s.stop()
    # a restart on Monday 10:00 Berlin, after the 08:00 run was missed: the board is caught up
    clock.set(dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC))
    s = ChannelScheduler(svc)
    await s.start()
    await s.settle()
    await s.stop()
    assert calls == [cid, cid]


async def test_a_daily_run_by_apscheduler_posts_once(
    svc: QuizService, sched: ChannelScheduler, notifier: Any, clock: ManualClock
) -> None:
    cid = await subscribe(svc, "CBER", "09:00", "Europe/Berlin")
    await sched.start()
    await sched.settle()
    assert questions(notifier) == []  # 08:00 in Berlin: not due yet, catch-up posts nothing
    clock.set(dt.datetime(2026, 3, 2, 8, 0, 1, tzinfo=dt.UTC))
    run_now(sched, f"daily:{cid}")
    await wait_for(lambda: len(questions(notifier)) == 1, what="the daily question")
    run_now(sched, f"daily:{cid}")  # a second fire the same day (double fire, retry): nothing more
    await asyncio.sleep(0.05)
    await sched.settle()
    assert len(questions(notifier)) == 1
    aps = sched.apscheduler
    assert aps is not None and aps.get_job(f"daily:{cid}").next_run_time > dt.datetime.now(dt.UTC)


async def test_a_missed_run_is_reported_with_channel_and_job_and_caught_up(
    svc: QuizService, sched: ChannelScheduler, notifier: Any, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    cid = await subscribe(svc, "CBER", "09:00", "Europe/Berlin")
    await sched.start()
    await sched.settle()
    clock.set(dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC))  # 16:00 in Berlin
    caplog.set_level(logging.INFO)
    run_now(sched, f"daily:{cid}", late=dt.timedelta(hours=7))  # beyond the 6 h grace: APScheduler drops it
    await wait_for(lambda: len(questions(notifier)) == 1, what="the caught-up question")
    missed = [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING and "was missed" in r.getMessage() and r.name == "scheduler.channels"
    ]
    assert [(r.channel, r.job) for r in missed] == [("CBER", f"daily:{cid}")]  # type: ignore[attr-defined]


class GatedNotifier:
    """Holds every post until released: a slow platform call in flight."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.sent: list[tuple[ChannelRef, Message, str]] = []

    async def post(self, channel: ChannelRef, message: Message) -> str:
        self.entered.set()
        await self.release.wait()
        self.sent.append((channel, message, f"ts{len(self.sent) + 1}"))
        return f"ts{len(self.sent)}"

    async def add_option_reactions(self, channel: ChannelRef, message_ref: str, count: int) -> None:
        return None

    async def fetch_reactions(self, channel: ChannelRef, message_ref: str) -> Mapping[str, set[str]] | None:
        return {}


async def test_stop_lets_a_run_in_flight_finish(svc: QuizService, clock: ManualClock) -> None:
    gated = GatedNotifier()
    svc.notifier = gated
    cid = await subscribe(svc, "CBER", "09:00", "Europe/Berlin")
    clock.set(dt.datetime(2026, 3, 2, 8, 0, 1, tzinfo=dt.UTC))
    s = ChannelScheduler(svc)
    await s.start()  # the start-up catch-up finds today's question due and starts posting it
    await asyncio.wait_for(gated.entered.wait(), 5)
    stopping = asyncio.create_task(s.stop(drain_seconds=5))
    await asyncio.sleep(0.1)
    assert not stopping.done()  # waiting for the post in flight
    gated.release.set()
    await asyncio.wait_for(stopping, 5)
    assert not s.running
    posts = await svc.store.channel_posts(cid)
    assert [(p.status, p.message_ref) for p in posts] == [("posted", "ts1")]


async def test_a_failed_post_is_sent_by_maintenance(
    svc: QuizService, sched: ChannelScheduler, notifier: Any, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    cid = await subscribe(svc, "CBER", "09:00", "Europe/Berlin")
    await sched.start()
    await sched.settle()
    real_post = notifier.post
    failures = 0

    async def flaky(channel: ChannelRef, message: Message) -> str:
        nonlocal failures
        if failures == 0:
            failures += 1
            raise ConnectionResetError("platform connection dropped")
        return await real_post(channel, message)

    notifier.post = flaky
    caplog.set_level(logging.INFO)
    clock.set(dt.datetime(2026, 3, 2, 8, 0, 1, tzinfo=dt.UTC))
    run_now(sched, f"daily:{cid}")
    await wait_for(lambda: any(r.getMessage() == "job failed" for r in caplog.records), what="the failure")
    failed = next(r for r in caplog.records if r.getMessage() == "job failed")
    assert (failed.channel, failed.job, failed.exc_info is not None) == ("CBER", f"daily:{cid}", True)  # type: ignore[attr-defined]
    assert questions(notifier) == []
    clock.advance(minutes=3)  # the reserved post is stranded for longer than the service's 2 minutes
    run_now(sched, "maintenance")
    await wait_for(lambda: len(questions(notifier)) == 1, what="the resent question")
    await sched.settle()
    assert [p.status for p in await svc.store.channel_posts(cid)] == ["posted"]


async def test_every_scheduler_log_line_carries_channel_and_job(
    svc: QuizService, sched: ChannelScheduler, notifier: Any, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    cid = await subscribe(svc, "CBER", "09:00", "Europe/Berlin", reveal="1m")
    await sched.start()
    await sched.settle()
    clock.set(dt.datetime(2026, 3, 2, 8, 0, 1, tzinfo=dt.UTC))
    run_now(sched, f"daily:{cid}")
    await wait_for(lambda: len(questions(notifier)) == 1, what="the daily question")
    clock.advance(minutes=2)
    run_now(sched, "reveals")
    await wait_for(lambda: any(isinstance(m, RevealPost) for _c, m, _r in notifier.sent), what="the reveal")
    await svc.handle_command(admin("CBER"), "/studybot", "settings time 10:00")
    await sched.stop()
    lines = [r for r in caplog.records if r.name.startswith(("scheduler", "apscheduler"))]
    assert len(lines) > 10
    assert {r.name for r in lines} >= {"scheduler.channels", "apscheduler.scheduler", "apscheduler.executors.default"}
    missing = [(r.name, r.getMessage()) for r in lines if not (hasattr(r, "channel") and hasattr(r, "job"))]
    assert missing == []
    by_job = {(r.channel, r.job) for r in lines}  # type: ignore[attr-defined]
    assert {("CBER", f"daily:{cid}"), ("*", "reveals"), ("*", "catch-up")} <= by_job
    as_json = json.loads(JsonFormatter().format(next(r for r in lines if r.getMessage() == "daily question posted")))
    assert (as_json["channel"], as_json["job"]) == ("CBER", f"daily:{cid}")
