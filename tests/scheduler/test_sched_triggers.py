"""Daylight saving: one daily run per local day, at the instant the service computes, in 2026 and 2027."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from bot.core.clock import ManualClock
from bot.core.messages import ChannelRef, QuestionPost
from bot.core.ports import ChannelInfo
from bot.service import QuizService, post_instant
from scheduler.triggers import DAILY, WEEKLY, channel_jobs, daily_trigger, next_runs, weekly_trigger
from tests.scheduler.helpers import subscribe

TRANSITIONS = {
    "Europe/Berlin": [dt.date(2026, 3, 29), dt.date(2026, 10, 25), dt.date(2027, 3, 28), dt.date(2027, 10, 31)],
    "America/New_York": [dt.date(2026, 3, 8), dt.date(2026, 11, 1), dt.date(2027, 3, 14), dt.date(2027, 11, 7)],
}
# ordinary times, and times inside the skipped (spring) or repeated (autumn) hour of both zones
POST_TIMES = ["09:00", "00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "02:59", "03:00", "23:30"]


def fire_sequence(trigger: BaseTrigger, start: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
    """Fire times as APScheduler produces them: each computed from the previous run, a moment after it ran."""
    out: list[dt.datetime] = []
    prev = None
    now = start
    while True:
        nxt = trigger.get_next_fire_time(prev, now)
        if nxt is None or nxt.astimezone(dt.UTC) >= until:
            return out
        out.append(nxt)
        prev, now = nxt, nxt.astimezone(dt.UTC) + dt.timedelta(seconds=0.5)


def _utc(d: dt.datetime) -> dt.datetime:
    return d.astimezone(dt.UTC)  # compare instants in UTC: == between zones is False inside a DST fold


@pytest.mark.parametrize("tz", sorted(TRANSITIONS))
@pytest.mark.parametrize("post_time", POST_TIMES)
def test_one_fire_per_local_day_at_the_service_instant(tz: str, post_time: str) -> None:
    zone = ZoneInfo(tz)
    trigger = daily_trigger(tz, post_time)
    for change in TRANSITIONS[tz]:
        first, last = change - dt.timedelta(days=4), change + dt.timedelta(days=4)
        start = dt.datetime(first.year, first.month, first.day, tzinfo=zone).astimezone(dt.UTC)
        until = dt.datetime(last.year, last.month, last.day, tzinfo=zone).astimezone(dt.UTC)
        fires = fire_sequence(trigger, start, until)
        days = [f.astimezone(zone).date() for f in fires]
        assert days == [first + dt.timedelta(days=i) for i in range(8)], (tz, post_time, change, fires)
        for fire, day in zip(fires, days, strict=True):
            assert _utc(fire) == post_instant(day, post_time, tz), (tz, post_time, day, fire)


def _utc_strings(fires: list[dt.datetime]) -> list[str]:
    return [f.astimezone(dt.UTC).strftime("%m-%d %H:%M") for f in fires]


def test_crontrigger_fires_twice_in_the_repeated_hour_and_ours_once() -> None:
    """Why the scheduler has its own trigger (1): APScheduler 3.11 fires both 02:30s of 2026-10-25 in Berlin."""
    zone = ZoneInfo("Europe/Berlin")
    start = dt.datetime(2026, 10, 24, 12, tzinfo=zone)
    plain = fire_sequence(CronTrigger(hour=2, minute=30, timezone=zone), start, start + dt.timedelta(days=2))
    ours = fire_sequence(daily_trigger("Europe/Berlin", "02:30"), start, start + dt.timedelta(days=2))
    assert _utc_strings(plain) == ["10-25 00:30", "10-25 01:30", "10-26 01:30"]
    assert _utc_strings(ours) == ["10-25 00:30", "10-26 01:30"]


@pytest.mark.parametrize(
    ("tz", "change"), [("Europe/Berlin", dt.date(2026, 3, 29)), ("America/New_York", dt.date(2027, 3, 14))]
)
def test_crontrigger_skips_the_midnight_after_spring_forward_and_ours_does_not(tz: str, change: dt.date) -> None:
    """Why the scheduler has its own trigger (2): a 00:00 CronTrigger jumps from the change day to the day after next."""
    zone = ZoneInfo(tz)
    start = dt.datetime(change.year, change.month, change.day, 12, tzinfo=zone) - dt.timedelta(days=1)
    end = start + dt.timedelta(days=3)
    plain = [f.astimezone(zone).date() for f in fire_sequence(CronTrigger(hour=0, minute=0, timezone=zone), start, end)]
    ours = [f.astimezone(zone).date() for f in fire_sequence(daily_trigger(tz, "00:00"), start, end)]
    day = dt.timedelta(days=1)
    assert plain == [change, change + 2 * day]
    assert ours == [change, change + day, change + 2 * day]


def test_ours_matches_crontrigger_on_every_ordinary_day_of_2026() -> None:
    for tz in ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney"):
        zone = ZoneInfo(tz)
        start, end = dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
        for at in ("07:15", "12:00", "18:45"):
            hh, mm = (int(x) for x in at.split(":"))
            plain = fire_sequence(CronTrigger(hour=hh, minute=mm, timezone=zone), start, end)
            ours = fire_sequence(daily_trigger(tz, at), start, end)
            assert _utc_strings(plain) == _utc_strings(ours) and len(ours) in {364, 365, 366}, (tz, at)


def test_spring_gap_fires_once_an_hour_later_in_local_terms() -> None:
    fires = fire_sequence(
        daily_trigger("America/New_York", "02:30"),
        dt.datetime(2026, 3, 7, 12, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 10, tzinfo=dt.UTC),
    )
    assert [f.astimezone(dt.UTC).isoformat() for f in fires] == [
        "2026-03-08T07:30:00+00:00",  # 02:30 does not exist: 03:30 EDT
        "2026-03-09T06:30:00+00:00",
    ]


def test_weekly_board_is_monday_0800_local_across_dst() -> None:
    for tz, changes in TRANSITIONS.items():
        zone = ZoneInfo(tz)
        start = dt.datetime(changes[0].year, 3, 1, tzinfo=dt.UTC)
        fires = fire_sequence(weekly_trigger(tz), start, start + dt.timedelta(days=300))
        assert len(fires) >= 42
        for f in fires:
            local = f.astimezone(zone)
            assert (local.weekday(), local.hour, local.minute) == (0, 8, 0), (tz, f)
        gaps = {(_utc(b) - _utc(a)) for a, b in zip(fires, fires[1:], strict=False)}
        assert gaps <= {dt.timedelta(days=7), dt.timedelta(days=7, hours=1), dt.timedelta(days=7, hours=-1)}


def _channel(tz: str, post_time: str, active: bool = True, cid: int = 1) -> ChannelInfo:
    return ChannelInfo(cid, 1, ChannelRef("slack", "T1", f"C{cid}"), "quiz", tz, post_time, 480, None, active)


def test_every_trigger_has_the_channel_zone_never_the_host_zone() -> None:
    specs = channel_jobs(_channel("America/New_York", "07:45"))
    assert [s.kind for s in specs] == [DAILY, WEEKLY]
    assert all(s.trigger.timezone == ZoneInfo("America/New_York") for s in specs)
    assert channel_jobs(_channel("UTC", "07:45", active=False)) == []


def test_next_runs_are_sorted_and_local() -> None:
    now = dt.datetime(2026, 3, 2, 7, 30, tzinfo=dt.UTC)  # Monday, after 08:00 in Berlin
    runs = next_runs([_channel("America/New_York", "09:00", cid=1), _channel("Europe/Berlin", "09:00", cid=2)], now)
    assert [(r.channel.id, r.kind, r.at.isoformat()) for r in runs] == [
        (2, DAILY, "2026-03-02T09:00:00+01:00"),
        (1, WEEKLY, "2026-03-02T08:00:00-05:00"),
        (1, DAILY, "2026-03-02T09:00:00-05:00"),
        (2, WEEKLY, "2026-03-09T08:00:00+01:00"),
    ]
    assert runs[0].as_dict()["utc"] == "2026-03-02T08:00:00+00:00"


@pytest.mark.parametrize(
    ("tz", "change"), [("Europe/Berlin", dt.date(2026, 10, 25)), ("America/New_York", dt.date(2027, 3, 14))]
)
async def test_service_posts_once_per_local_day_when_fired_at_every_crontrigger_instant(
    svc: QuizService, notifier: object, clock: ManualClock, tz: str, change: dt.date
) -> None:
    """Fire post_daily at every instant a plain CronTrigger gives (including a repeated hour): one post a day."""
    zone = ZoneInfo(tz)
    start = dt.datetime(change.year, change.month, change.day, tzinfo=zone) - dt.timedelta(days=3)
    until = start + dt.timedelta(days=6)
    clock.set(start)
    times = {"02:30": await subscribe(svc, "C0230", "02:30", tz), "09:00": await subscribe(svc, "C0900", "09:00", tz)}
    for post_time, channel_id in times.items():
        hh, mm = (int(x) for x in post_time.split(":"))
        for fire in fire_sequence(CronTrigger(hour=hh, minute=mm, timezone=zone), start, until):
            clock.set(fire)
            assert await svc.daily.daily_is_due(await svc.store.channel_by_id(channel_id)) in {True, False}
            await svc.daily.post_daily(channel_id)
            clock.set(fire + dt.timedelta(minutes=20))
            await svc.daily.post_daily(channel_id)  # a second fire later the same day
    for post_time, channel_id in times.items():
        posts = await svc.store.channel_posts(channel_id)
        days = [p.local_date for p in posts]
        assert days == sorted(set(days)) and len(days) == 6, (post_time, days)
        for p in posts:
            assert p.created_at == post_instant(p.local_date, post_time, tz), (post_time, p.local_date, p.created_at)
    sent = [m for _c, m, _r in notifier.sent if isinstance(m, QuestionPost)]  # type: ignore[attr-defined]
    assert len(sent) == 12
