"""Which jobs a channel has, and when they fire, in the channel's own IANA time zone.

The triggers are APScheduler triggers of our own (:class:`LocalTimeTrigger`) instead of
``CronTrigger``, because running ``CronTrigger`` of APScheduler 3.11.3 across the 2026 and 2027
transitions of Europe/Berlin and America/New_York showed two faults (pinned by tests):

- A wall time inside the hour repeated when daylight saving ends (02:30 in Berlin on 2026-10-25)
  fires **twice**, once per UTC instant.
- A daily 00:00-00:59 trigger **skips the day after** daylight saving starts (Berlin 2026-03-30,
  New York 2026-03-09): its wall-clock arithmetic in UTC overshoots the shorter day.

And ``CronTrigger(hour=8)`` without ``timezone=`` uses the host's zone (protocols.md §3). A
``LocalTimeTrigger`` always has the channel's zone and fires once per local day, at exactly the
instant :func:`bot.service.post_instant` gives: a skipped time (02:30 on 2026-03-29) moves forward
to 03:30 local, a repeated time fires at its first occurrence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger

from bot.core.ports import ChannelInfo
from bot.service import post_instant

__all__ = [
    "DAILY",
    "WEEKLY",
    "WEEKLY_BOARD_DAY",
    "WEEKLY_BOARD_TIME",
    "JobSpec",
    "LocalTimeTrigger",
    "ScheduledRun",
    "channel_jobs",
    "daily_trigger",
    "job_id",
    "next_runs",
    "weekly_trigger",
]

DAILY = "daily"
WEEKLY = "weekly"
WEEKLY_BOARD_DAY = 0  # Monday
WEEKLY_BOARD_TIME = "08:00"
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class LocalTimeTrigger(BaseTrigger):  # type: ignore[misc]
    """Fires at ``at`` (HH:MM) local time in ``tz`` once per local date, optionally on one weekday only.

    Args:
        tz: an IANA zone name such as ``Europe/Berlin``.
        at: the local wall time, ``HH:MM``.
        weekday: 0 (Monday) to 6, or None for every day.
    """

    def __init__(self, tz: str, at: str, weekday: int | None = None) -> None:
        hh, mm = (int(x) for x in at.split(":"))
        if not (0 <= hh < 24 and 0 <= mm < 60) or (weekday is not None and not 0 <= weekday < 7):
            raise ValueError(f"bad trigger time {at!r} or weekday {weekday!r}")
        self.timezone = ZoneInfo(tz)
        self.tz = tz
        self.at = f"{hh:02d}:{mm:02d}"
        self.weekday = weekday

    def fire_on(self, day: dt.date) -> dt.datetime:
        """The instant this trigger fires on local ``day`` (aware, in the trigger's zone)."""
        return post_instant(day, self.at, self.tz).astimezone(self.timezone)

    def get_next_fire_time(self, previous_fire_time: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
        """The first fire at or after ``now``, or, given the previous fire, the first on a later local date."""
        if previous_fire_time is not None:
            after = previous_fire_time.astimezone(dt.UTC)
            day = after.astimezone(self.timezone).date() + dt.timedelta(days=1)
        else:
            after = now.astimezone(dt.UTC) - dt.timedelta(microseconds=1)
            day = after.astimezone(self.timezone).date() - dt.timedelta(days=1)
        for _ in range(16):
            if self.weekday is None or day.weekday() == self.weekday:
                at = self.fire_on(day)
                if at.astimezone(dt.UTC) > after:
                    return at
            day += dt.timedelta(days=1)
        raise AssertionError("unreachable: every week has the weekday")

    def key(self) -> tuple[str, str, int | None]:
        return (self.tz, self.at, self.weekday)

    def __str__(self) -> str:
        days = "daily" if self.weekday is None else f"every {_DAY_NAMES[self.weekday]}"
        return f"{days} at {self.at} {self.tz}"

    def __repr__(self) -> str:
        return f"<LocalTimeTrigger ({self})>"


def daily_trigger(tz: str, post_time: str) -> LocalTimeTrigger:
    """The daily question at ``post_time`` (HH:MM) local time in ``tz``."""
    return LocalTimeTrigger(tz, post_time)


def weekly_trigger(tz: str, weekday: int = WEEKLY_BOARD_DAY, at: str = WEEKLY_BOARD_TIME) -> LocalTimeTrigger:
    """The weekly leaderboard: Monday 08:00 local time in ``tz``."""
    return LocalTimeTrigger(tz, at, weekday)


def job_id(kind: str, channel_id: int) -> str:
    return f"{kind}:{channel_id}"


@dataclass(frozen=True, slots=True)
class JobSpec:
    """One per-channel job as it should be scheduled; ``key`` changes exactly when the trigger must."""

    id: str
    kind: str
    channel_id: int
    channel: str  # the platform's channel id, for log lines
    trigger: LocalTimeTrigger

    @property
    def key(self) -> tuple[str, str, int | None]:
        return self.trigger.key()


def channel_jobs(ch: ChannelInfo, *, weekly: bool = True) -> list[JobSpec]:
    """The jobs an active channel should have (none for an inactive one)."""
    if not ch.active:
        return []
    specs = [JobSpec(job_id(DAILY, ch.id), DAILY, ch.id, ch.ref.channel, daily_trigger(ch.tz, ch.post_time))]
    if weekly:
        specs.append(JobSpec(job_id(WEEKLY, ch.id), WEEKLY, ch.id, ch.ref.channel, weekly_trigger(ch.tz)))
    return specs


@dataclass(frozen=True, slots=True)
class ScheduledRun:
    channel: ChannelInfo
    kind: str
    at: dt.datetime  # aware, in the channel's zone

    def as_dict(self) -> dict[str, Any]:
        ref = self.channel.ref
        return {
            "platform": ref.platform,
            "workspace": ref.workspace,
            "channel": ref.channel,
            "name": self.channel.name,
            "job": self.kind,
            "tz": self.channel.tz,
            "local": self.at.isoformat(),
            "utc": self.at.astimezone(dt.UTC).isoformat(),
        }


def next_runs(channels: Iterable[ChannelInfo], now: dt.datetime, *, weekly: bool = True) -> list[ScheduledRun]:
    """The next fire time of every job of every active channel, soonest first (for doctor and /healthz)."""
    runs = []
    for ch in channels:
        for spec in channel_jobs(ch, weekly=weekly):
            at = spec.trigger.get_next_fire_time(None, now)
            if at is not None:
                runs.append(ScheduledRun(ch, spec.kind, at))
    return sorted(runs, key=lambda r: (r.at.astimezone(dt.UTC), r.channel.id, r.kind))
