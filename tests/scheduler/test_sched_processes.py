"""Several real OS processes on one database (SQLite file, or PostgreSQL with TEST_DATABASE_URL).

Each process runs ``tests/scheduler/node_proc.py``: a real SchedulerNode, lease and APScheduler. The
test moves the shared clock a day at a time; the leader notices the jump and catches up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.core.clock import ManualClock
from content.loader import Bank
from storage.db import create_engine
from storage.lease import SqlLease
from storage.store import SqlStore
from tests.conftest import RecordingNotifier
from tests.scheduler.helpers import PG_URL, fresh_postgres, make_service, subscribe, wait_for

HARNESS = Path(__file__).with_name("node_proc.py")
REPO = HARNESS.parents[2]
MONDAY = dt.date(2026, 3, 2)
TTL, RENEW = 2.0, 0.25


class Cluster:
    """Bot processes sharing a database, a clock offset file and a file of everything they sent."""

    def __init__(self, db_url: str, tmp: Path) -> None:
        self.db_url = db_url
        self.tmp = tmp
        self.sends = tmp / "sends.jsonl"
        self.offset = tmp / "offset"
        self.procs: dict[str, asyncio.subprocess.Process] = {}
        self.sends.touch()

    def set_time(self, when: dt.datetime) -> None:
        tmp = self.offset.with_suffix(".tmp")
        tmp.write_text(str((when - dt.datetime.now(dt.UTC)).total_seconds()))
        tmp.replace(self.offset)  # atomic: a process never reads half a number

    async def start(self, name: str, *extra: str) -> asyncio.subprocess.Process:
        env = dict(os.environ, PYTHONPATH=str(REPO))
        with (self.tmp / f"{name}.log").open("wb") as log:  # noqa: ASYNC230  (a local file, opened once)
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                str(HARNESS),
                self.db_url,
                str(self.sends),
                str(self.offset),
                name,
                str(TTL),
                str(RENEW),
                *extra,
                stdout=log,
                stderr=log,
                env=env,
            )
        self.procs[name] = proc
        return proc

    def sent(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.sends.read_text().splitlines() if line.strip()]

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.tmp.glob("*.log")))

    async def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


@pytest.fixture(params=["sqlite", "postgresql"])
async def shared_db(request: pytest.FixtureRequest, sched_db_url: str) -> AsyncIterator[str]:
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip("multi-process PostgreSQL tests need TEST_DATABASE_URL (a disposable database)")
        async with fresh_postgres() as url:
            yield url
    else:
        yield sched_db_url


@pytest.fixture
async def cluster(shared_db: str, tmp_path: Path, bank_small: Bank, notifier: Any) -> AsyncIterator[Cluster]:
    clock = ManualClock(dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC))
    svc = make_service(shared_db, notifier, clock, bank_small)
    await subscribe(svc, "CBER", "09:00", "Europe/Berlin", reveal="1h")
    await subscribe(svc, "CNYC", "09:00", "America/New_York", reveal="1h")
    await svc.store.engine.dispose()  # type: ignore[attr-defined]
    c = Cluster(shared_db, tmp_path)
    c.set_time(afternoon(MONDAY))
    try:
        yield c
    finally:
        await c.stop_all()


def afternoon(day: dt.date) -> dt.datetime:
    """16:00 UTC: after 09:00 in Berlin and in New York (and after Berlin's 10:00 reveal)."""
    return dt.datetime(day.year, day.month, day.day, 16, 0, tzinfo=dt.UTC)


async def weekly_claims(db_url: str) -> Counter[str]:
    """How many weekly boards each channel (external id) has claimed."""
    from sqlalchemy import text

    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text("SELECT c.external_id FROM weekly_board w JOIN channel c ON c.id = w.channel_id")
                )
            ).all()
    finally:
        await engine.dispose()
    return Counter(str(r[0]) for r in rows)


async def post_days(db_url: str) -> dict[int, tuple[str, str]]:
    """post id -> (channel external id, local date) from the database."""
    store = SqlStore(create_engine(db_url))
    out = {}
    try:
        for ch in await store.active_channels():
            for p in await store.channel_posts(ch.id):
                out[p.id] = (ch.ref.channel, p.local_date.isoformat())
    finally:
        await store.engine.dispose()
    return out


async def wait_questions(c: Cluster, count: int, seconds: float = 15.0) -> None:
    await wait_for(
        lambda: len([s for s in c.sent() if s["kind"] == "question"]) >= count,
        seconds,
        what=f"{count} questions\n{c.logs()}",
    )


def per_channel_day(
    sent: list[dict[str, Any]], kind: str, posts: dict[int, tuple[str, str]]
) -> Counter[tuple[str, str]]:
    return Counter(posts[s["post"]] for s in sent if s["kind"] == kind)


async def test_two_processes_one_post_per_channel_per_day_and_takeover_when_the_holder_is_killed(
    cluster: Cluster, shared_db: str
) -> None:
    a, b = await cluster.start("A"), await cluster.start("B")  # started together
    await wait_questions(cluster, 2)  # Monday, caught up by whichever took the lease
    for offset in (1, 2):  # Tuesday, Wednesday
        cluster.set_time(afternoon(MONDAY + dt.timedelta(days=offset)))
        await wait_questions(cluster, 2 * (offset + 1))
    lease = SqlLease(create_engine(shared_db))
    try:
        state = await lease.current("scheduler")
        assert state is not None
        holder_name = state.holder.split(":")[0]
        holder, survivor = (a, b) if holder_name == "A" else (b, a)
        assert int(state.holder.split(":")[1]) == holder.pid
        # Lease expiry is judged on the wall clock, so a day's jump may hand the lease to whichever process
        # ticks first after it; both then catch up at once and the database keeps the posts unique.
        assert {s["pid"] for s in cluster.sent()} <= {a.pid, b.pid}
        holder.send_signal(signal.SIGKILL)  # killed mid-week, without releasing its lease
        await holder.wait()
        killed_at = time.monotonic()

        async def taken_over() -> bool:
            now_state = await lease.current("scheduler")
            return now_state is not None and now_state.holder.startswith(f"{'B' if holder is a else 'A'}:")

        await wait_for(taken_over, TTL + RENEW + 5, what="takeover")
        assert time.monotonic() - killed_at <= TTL + RENEW + 1.5  # with the defaults: 30 s + 10 s
        for offset in range(3, 8):  # Thursday to the next Monday
            cluster.set_time(afternoon(MONDAY + dt.timedelta(days=offset)))
            await wait_questions(cluster, 2 * (offset + 1))
        await wait_for(
            lambda: len([s for s in cluster.sent() if s["kind"] == "reveal"]) >= 14,
            10,
            what=f"reveals\n{cluster.logs()}",
        )
        survivor.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(survivor.wait(), 10) == 0, cluster.logs()
        assert await lease.current("scheduler") is None  # released on a clean stop
    finally:
        await lease.engine.dispose()

    posts = await post_days(shared_db)
    sent = cluster.sent()
    days = [(MONDAY + dt.timedelta(days=i)).isoformat() for i in range(8)]
    questions = per_channel_day(sent, "question", posts)
    assert questions == Counter({(ch, d): 1 for ch in ("CBER", "CNYC") for d in days}), questions
    reveals = per_channel_day(sent, "reveal", posts)
    assert reveals == Counter({(ch, d): 1 for ch in ("CBER", "CNYC") for d in days[:7]}), reveals
    # each channel's weekly board was claimed once on each of the two Mondays, by one process; nobody
    # answered in these weeks, so nothing was posted (a quiet week posts no board)
    assert await weekly_claims(shared_db) == Counter({"CBER": 2, "CNYC": 2})
    assert not [s for s in sent if s["kind"] == "other"]
    after_kill = [s for s in sent if s["kind"] != "other" and posts[s["post"]][1] >= days[3]]
    assert {s["pid"] for s in after_kill} == {survivor.pid}


async def test_two_schedulers_racing_without_a_lease_still_post_once(cluster: Cluster, shared_db: str) -> None:
    """If two schedulers ever ran at once (clock skew, a paused process), the database keeps posts unique."""
    await cluster.start("A", "--no-lease")
    await cluster.start("B", "--no-lease")
    await wait_questions(cluster, 2)
    for offset in (1, 2):
        cluster.set_time(afternoon(MONDAY + dt.timedelta(days=offset)))
        await wait_questions(cluster, 2 * (offset + 1))
    await wait_for(lambda: len([s for s in cluster.sent() if s["kind"] == "reveal"]) >= 4, 10, what="reveals")
    await asyncio.sleep(4 * RENEW)  # room for a duplicate to show up
    for proc in cluster.procs.values():
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 10) == 0, cluster.logs()
    posts = await post_days(shared_db)
    sent = cluster.sent()
    days = [(MONDAY + dt.timedelta(days=i)).isoformat() for i in range(3)]
    assert per_channel_day(sent, "question", posts) == Counter({(ch, d): 1 for ch in ("CBER", "CNYC") for d in days})
    assert per_channel_day(sent, "reveal", posts) == Counter({(ch, d): 1 for ch in ("CBER", "CNYC") for d in days[:2]})


async def test_killed_during_a_reaction_burst_then_restarted_matches_the_platform(
    shared_db: str, tmp_path: Path, bank_small: Bank
) -> None:
    """SIGKILL mid-burst; the restarted scheduler reconciles from the platform: same answers, none twice."""
    clock = ManualClock(dt.datetime(2026, 3, 2, 8, 0, 1, tzinfo=dt.UTC))  # 09:00:01 in Berlin
    recorder = RecordingNotifier()
    svc = make_service(shared_db, recorder, clock, bank_small)
    await subscribe(svc, "CBER", "09:00", "Europe/Berlin", reveal="1h")
    post = await svc.daily.post_daily(1)
    await svc.store.engine.dispose()  # type: ignore[attr-defined]
    assert post is not None and post.message_ref is not None
    # the platform's truth: 60 members answer; every third changes their mind (remove, then add another)
    names = ("one", "two", "three", "four")
    events: list[dict[str, Any]] = []
    final: dict[str, str] = {}
    for i in range(60):
        user, first = f"U{i:03d}", names[i % 4]
        events.append({"channel": "CBER", "ref": post.message_ref, "user": user, "emoji": first, "added": True})
        final[user] = first
        if i % 3 == 0:
            second = names[(i + 1) % 4]
            events.append({"channel": "CBER", "ref": post.message_ref, "user": user, "emoji": first, "added": False})
            events.append({"channel": "CBER", "ref": post.message_ref, "user": user, "emoji": second, "added": True})
            final[user] = second
    state = {name: sorted(u for u, n in final.items() if n == name) for name in names}
    (tmp_path / "events.json").write_text(json.dumps(events))
    (tmp_path / "platform.json").write_text(json.dumps(state))
    c = Cluster(shared_db, tmp_path)
    c.set_time(dt.datetime(2026, 3, 2, 8, 5, tzinfo=dt.UTC))
    store = SqlStore(create_engine(shared_db))
    try:
        burst = await c.start("burst", f"--burst={tmp_path / 'events.json'}")
        await wait_for(_at_least(store, len(events) // 3), 15, f"a third of the burst\n{c.logs()}")
        burst.send_signal(signal.SIGKILL)
        await burst.wait()
        recorded = await store.count_rows("reaction_event")
        assert 0 < recorded < len(events)  # killed in the middle
        node = await c.start("node", f"--platform-state={tmp_path / 'platform.json'}")
        await wait_for(_at_least(store, recorded + 1), 15, f"reconciliation\n{c.logs()}")
        c.set_time(dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC))  # past the reveal: the jump triggers a catch-up
        await wait_for(lambda: any(s["kind"] == "reveal" for s in c.sent()), 15, f"the reveal\n{c.logs()}")
        node.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(node.wait(), 10) == 0, c.logs()
        async with store.engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT p.external_id, a.option FROM answer a JOIN person p ON p.id = a.person_id WHERE a.post_id = :p"
                    ),
                    {"p": post.id},
                )
            ).all()
    finally:
        await store.engine.dispose()
        await c.stop_all()
    answers = {ext: option for ext, option in rows}
    assert len(rows) == len(answers) == 60  # one answer per member, none counted twice
    expected = {user: post.option_order[names.index(name)] for user, name in final.items()}  # shown letter -> canonical
    assert answers == expected
    assert len([s for s in c.sent() if s["kind"] == "reveal"]) == 1


def _at_least(store: SqlStore, n: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await store.count_rows("reaction_event") >= n

    return check
