"""One scheduler among several processes: whoever holds the database lease runs it.

Every process runs a :class:`SchedulerNode`. Each ``renew_every`` seconds the node renews its lease
(if it leads) or tries to take it (if it stands by). With the defaults (TTL 30 s, every 10 s) a
holder that dies is replaced within ``ttl + renew_every`` = 40 s. A holder that cannot renew steps
down before its lease can expire, so two schedulers overlap only if clocks disagree by more than the
margin; even then posting stays unique because it is idempotent in the database.

The node also watches for wall-clock jumps (the machine slept, or the clock was set): asyncio and
APScheduler timers run on the monotonic clock, which stops while a machine sleeps, so after waking
the node wakes APScheduler and catches up from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from bot.core.clock import Clock
from bot.service import QuizService
from scheduler.channels import ALL_CHANNELS, ChannelScheduler

__all__ = ["ClockJumpDetector", "LeaseStore", "SchedulerNode"]

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"


class LeaseStore(Protocol):
    """A named, expiring lease in shared storage (``storage.lease.SqlLease``)."""

    async def acquire(self, name: str, holder: str, ttl: dt.timedelta, now: dt.datetime) -> bool:
        """Take the lease if free, expired or already ``holder``'s; True if ``holder`` holds it now."""
        ...

    async def renew(self, name: str, holder: str, ttl: dt.timedelta, now: dt.datetime) -> bool:
        """Extend ``holder``'s lease to ``now + ttl``; False if someone else holds it."""
        ...

    async def release(self, name: str, holder: str) -> bool:
        """Give the lease up if ``holder`` holds it."""
        ...


class ClockJumpDetector:
    """Notices when wall time and monotonic time drift apart (suspend/resume, clock set by hand)."""

    def __init__(self, clock: Clock, monotonic: Callable[[], float] = time.monotonic, threshold: float = 60.0) -> None:
        self.clock = clock
        self.monotonic = monotonic
        self.threshold = threshold
        self._last: tuple[dt.datetime, float] | None = None

    def reset(self) -> None:
        self._last = (self.clock.now(), self.monotonic())

    def check(self) -> float | None:
        """Seconds the wall clock moved beyond the monotonic clock since the last call, if over the threshold."""
        wall, mono = self.clock.now(), self.monotonic()
        last, self._last = self._last, (wall, mono)
        if last is None:
            return None
        drift = (wall - last[0]).total_seconds() - (mono - last[1])
        return drift if abs(drift) >= self.threshold else None


class SchedulerNode:
    """Runs a :class:`ChannelScheduler` while this process holds the scheduler lease.

    Args:
        service: the quiz service.
        lease: the shared lease, or None to lead unconditionally (a single process).
        clock: the clock for lease expiry and jump detection (the service's clock).
        holder: this process's lease holder id (host, pid and a random part).
        ttl: lease lifetime in seconds.
        renew_every: seconds between renewals (standbys try to acquire as often).
        jump_threshold: wall/monotonic drift in seconds that counts as a clock jump.
        drain_timeout: seconds to let job runs in flight finish when stopping or stepping down.
        scheduler: the channel scheduler to run (built from ``service`` if not given).
    """

    def __init__(
        self,
        service: QuizService,
        lease: LeaseStore | None,
        clock: Clock,
        *,
        holder: str,
        lease_name: str = LEASE_NAME,
        ttl: float = 30.0,
        renew_every: float = 10.0,
        jump_threshold: float = 60.0,
        drain_timeout: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
        scheduler: ChannelScheduler | None = None,
    ) -> None:
        if renew_every * 2 > ttl:
            raise ValueError("renew_every must be at most half the lease ttl")
        self.service = service
        self.lease = lease
        self.clock = clock
        self.holder = holder
        self.lease_name = lease_name
        self.ttl = dt.timedelta(seconds=ttl)
        self.renew_every = renew_every
        self.drain_timeout = drain_timeout
        self.scheduler = scheduler or ChannelScheduler(service)
        self.jumps = ClockJumpDetector(clock, monotonic, jump_threshold)
        self._monotonic = monotonic
        self._leading = False
        self._expires: dt.datetime | None = None
        self._last_tick: float | None = None

    @property
    def is_leader(self) -> bool:
        return self._leading

    @property
    def takeover_bound(self) -> float:
        """Worst-case seconds from a holder's death to another node leading."""
        return self.ttl.total_seconds() + self.renew_every

    def status(self) -> dict[str, Any]:
        age = None if self._last_tick is None else self._monotonic() - self._last_tick
        return {
            "role": "leader" if self._leading else "standby",
            "holder": self.holder,
            "lease_expires": self._expires.isoformat() if self._leading and self._expires else None,
            "last_tick_seconds_ago": None if age is None else round(age, 1),
            "healthy": age is not None and age < 3 * self.renew_every + 5.0,  # the lease loop is alive
            "jobs": self.scheduler.scheduled(),
        }

    async def on_channel_changed(self, channel_id: int) -> None:
        """``service.channel_listeners`` callback: reschedule the channel at once (if this node leads)."""
        if self._leading:
            await self.scheduler.refresh_channel(channel_id)

    async def run(self, stop: asyncio.Event) -> None:
        """Lead or stand by until ``stop`` is set; then finish runs in flight and release the lease."""
        self.service.channel_listeners.append(self.on_channel_changed)
        try:
            while not stop.is_set():
                await self.tick()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.renew_every)
        finally:
            with contextlib.suppress(ValueError):
                self.service.channel_listeners.remove(self.on_channel_changed)
            await self.shutdown()

    async def tick(self) -> None:
        """One renewal (or acquisition) round; also checks for a wall-clock jump while leading."""
        self._last_tick = self._monotonic()
        try:
            if self._leading:
                await self._renew()
            else:
                await self._try_lead()
        except Exception:
            log.exception("scheduler lease round failed", extra={"channel": ALL_CHANNELS, "job": "lease"})
        self._last_tick = self._monotonic()

    async def _try_lead(self) -> None:
        now = self.clock.now()
        if self.lease is not None and not await self.lease.acquire(self.lease_name, self.holder, self.ttl, now):
            return
        self._leading, self._expires = True, now + self.ttl
        log.info(
            "scheduler lease acquired: this process runs the scheduler",
            extra={"channel": ALL_CHANNELS, "job": "lease", "holder": self.holder},
        )
        self.jumps.reset()
        try:
            await self.scheduler.start()
        except BaseException:
            await self.shutdown()  # give the lease back: another process may manage
            raise

    async def _renew(self) -> None:
        now = self.clock.now()
        if self.lease is not None:
            try:
                held = await self.lease.renew(self.lease_name, self.holder, self.ttl, now)
            except Exception:
                log.exception("could not renew the scheduler lease", extra={"channel": ALL_CHANNELS, "job": "lease"})
                if self._expires is None or now + dt.timedelta(seconds=self.renew_every) >= self._expires:
                    await self._step_down("the lease would expire before the next renewal")
                return
            if not held:
                await self._step_down("another process holds the lease")
                return
        self._expires = now + self.ttl
        jump = self.jumps.check()
        if jump is not None:
            log.warning(
                "wall clock jumped by %+.0f s (sleep or clock change): waking the scheduler and catching up",
                jump,
                extra={"channel": ALL_CHANNELS, "job": "catch-up"},
            )
            self.scheduler.wakeup()
            self.scheduler.request_catch_up("clock jumped")

    async def _step_down(self, reason: str) -> None:
        log.warning("stepping down as scheduler: %s", reason, extra={"channel": ALL_CHANNELS, "job": "lease"})
        self._leading, self._expires = False, None
        await self.scheduler.stop(self.drain_timeout)

    async def shutdown(self) -> None:
        """Stop the scheduler (runs in flight finish) and release the lease so a standby takes over at once."""
        if not self._leading:
            return
        self._leading = False
        await self.scheduler.stop(self.drain_timeout)
        if self.lease is not None:
            try:
                await self.lease.release(self.lease_name, self.holder)
                log.info("scheduler lease released", extra={"channel": ALL_CHANNELS, "job": "lease"})
            except Exception:
                log.exception("could not release the scheduler lease", extra={"channel": ALL_CHANNELS, "job": "lease"})
