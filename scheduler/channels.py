"""Per-channel jobs on one APScheduler ``AsyncIOScheduler``, derived from the database.

The database is the source of truth: jobs live in a ``MemoryJobStore`` rebuilt from the active
channels at start, on every ``service.channel_listeners`` callback and by a periodic resync (a
settings change handled by another process reaches the scheduler that way). Nothing is lost by
keeping jobs in memory, because a run missed while no scheduler was up is caught up from the
database (``service.daily.catch_up``), and posting is idempotent per channel and local date.

What each job does is in :mod:`scheduler.sweeps`, its tracked run in :mod:`scheduler.runs`. Every log
line of these modules, and of APScheduler while this scheduler runs, carries ``channel`` (the
platform's channel id, ``*`` for jobs over all channels) and ``job``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.service import QuizService
from scheduler.joblogs import APSCHEDULER_LOGGERS, JobLogContext
from scheduler.runs import ALL_CHANNELS, JobRuns
from scheduler.runs import log_extra as _extra
from scheduler.sweeps import MAINTENANCE, PLANS, RESYNC, REVEALS, Sweeps
from scheduler.triggers import DAILY, WEEKLY, JobSpec, channel_jobs, job_id

__all__ = ["ALL_CHANNELS", "ChannelScheduler"]

log = logging.getLogger(__name__)


class ChannelScheduler:
    """The jobs of every subscribed channel, plus reveal, resync and maintenance sweeps.

    Args:
        service: the quiz service; jobs call it and nothing else.
        reveal_every: seconds between ``reveal_due`` sweeps (reveals are at most this late).
        resync_every: seconds between re-reading channel settings from the database.
        maintenance_every: seconds between sends of stranded posts, reaction reconciliation and
            retries of failed daily posts.
        daily_grace: how late a daily run may still start (APScheduler's default is 1 s).
        weekly_grace: how late a weekly board may still be posted, also by catch-up.
        reconcile: re-read reactions of open posts in maintenance (off when the platform adapters
            reconcile on their own timers, as the Slack and Discord adapters do).
    """

    def __init__(
        self,
        service: QuizService,
        *,
        reveal_every: float = 60.0,
        resync_every: float = 60.0,
        maintenance_every: float = 600.0,
        plans_every: float = 60.0,
        daily_grace: dt.timedelta = dt.timedelta(hours=6),
        weekly_grace: dt.timedelta = dt.timedelta(days=3),
        reconcile: bool = True,
    ) -> None:
        self.service = service
        self.reveal_every = reveal_every
        self.resync_every = resync_every
        self.maintenance_every = maintenance_every
        self.plans_every = plans_every
        self.daily_grace = daily_grace
        self.weekly_grace = weekly_grace
        self.reconcile = reconcile
        self._sched: AsyncIOScheduler | None = None
        self._specs: dict[str, JobSpec] = {}
        self._labels: dict[str, str] = {
            REVEALS: ALL_CHANNELS,
            RESYNC: ALL_CHANNELS,
            MAINTENANCE: ALL_CHANNELS,
            PLANS: ALL_CHANNELS,
        }
        self._log_filter = JobLogContext(self._labels)
        self._lock = asyncio.Lock()
        self.runs = JobRuns(lambda job: self.sweeps.job_failed(job))
        self.sweeps = Sweeps(service, self.runs, self._labels, weekly_grace=weekly_grace, reconcile=reconcile)

    # -- lifecycle ------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._sched is not None

    async def start(self) -> None:
        """Start APScheduler, add the sweeps, schedule every active channel, then catch up."""
        if self._sched is not None:
            return
        self.runs.stopping = False
        sched = AsyncIOScheduler(
            timezone=dt.UTC,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(self.daily_grace.total_seconds()),
            },
        )
        sched.add_listener(self._on_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR | EVENT_JOB_MAX_INSTANCES)
        for name in APSCHEDULER_LOGGERS:
            logging.getLogger(name).addFilter(self._log_filter)
        sched.start()
        self._sched = sched

        async def resync() -> None:
            await self.runs.run(RESYNC, ALL_CHANNELS, self.sync())

        for jid, every, func in (
            (REVEALS, self.reveal_every, self.sweeps.reveals_job),
            (RESYNC, self.resync_every, resync),
            (MAINTENANCE, self.maintenance_every, self.sweeps.maintenance_job),
            (PLANS, self.plans_every, self.sweeps.plans_job),  # review reminders and weekly summaries by DM
        ):
            # no grace limit for sweeps: a late sweep still runs, once (coalesce)
            sched.add_job(func, "interval", seconds=every, id=jid, name=jid, misfire_grace_time=None)
        await self.sync()
        log.info("scheduler started with %d channel job(s)", len(self._specs), extra=_extra(ALL_CHANNELS, "scheduler"))
        self.request_catch_up("scheduler started")

    async def stop(self, drain_seconds: float = 30.0) -> None:
        """Stop taking new runs, let runs in flight finish (up to ``drain_seconds``), then shut APScheduler down."""
        sched = self._sched
        if sched is None:
            return
        self.runs.stopping = True
        sched.pause()
        await self.runs.drain(drain_seconds)
        sched.shutdown(wait=False)
        for _ in range(100):  # AsyncIOScheduler.shutdown runs on the next loop iteration
            if not sched.running:
                break
            await asyncio.sleep(0)
        for name in APSCHEDULER_LOGGERS:
            logging.getLogger(name).removeFilter(self._log_filter)
        self._sched = None
        self._specs.clear()
        log.info("scheduler stopped", extra=_extra(ALL_CHANNELS, "scheduler"))

    @property
    def apscheduler(self) -> AsyncIOScheduler | None:
        """The running APScheduler instance (None when stopped), for inspection."""
        return self._sched

    async def settle(self, seconds: float = 30.0) -> None:
        """Wait until no job run is in flight (tests; a run started meanwhile is waited for too)."""
        await self.runs.settle(seconds)

    def wakeup(self) -> None:
        """Recompute due runs now (after the wall clock jumped: APScheduler's timer runs on the monotonic clock)."""
        if self._sched is not None:
            self._sched.wakeup()

    # -- jobs from the database -----------------------------------------------------------------
    async def sync(self) -> None:
        """Make the channel jobs match the active channels in the database."""
        if self._sched is None:
            return
        async with self._lock:
            channels = await self.service.active_channels()
            if self._sched is None:  # stopped while reading
                return
            desired = {s.id: s for ch in channels for s in channel_jobs(ch)}
            for jid in sorted(set(self._specs) - set(desired)):
                self._remove(jid)
            for spec in desired.values():
                self._ensure(spec)

    async def refresh_channel(self, channel_id: int) -> None:
        """Reschedule one channel at once (its settings changed, or it (un)subscribed)."""
        if self._sched is None:
            return
        async with self._lock:
            try:
                ch = await self.service.channel_by_id(channel_id)
                specs = channel_jobs(ch)
            except KeyError:
                specs = []
            if self._sched is None:
                return
            wanted = {s.id for s in specs}
            for kind in (DAILY, WEEKLY):
                jid = job_id(kind, channel_id)
                if jid in self._specs and jid not in wanted:
                    self._remove(jid)
            for spec in specs:
                self._ensure(spec)

    def _ensure(self, spec: JobSpec) -> None:
        assert self._sched is not None
        current = self._specs.get(spec.id)
        job = self._sched.get_job(spec.id)
        if current is not None and job is not None and current.key == spec.key:
            return  # unchanged: keep the pending next_run_time (re-adding would recompute it)
        grace = self.daily_grace if spec.kind == DAILY else self.weekly_grace
        func = self.sweeps.daily_job if spec.kind == DAILY else self.sweeps.weekly_job
        self._labels[spec.id] = spec.channel
        if job is None:
            job = self._sched.add_job(
                func,
                trigger=spec.trigger,
                args=(spec.channel_id,),
                id=spec.id,
                name=spec.id,
                misfire_grace_time=int(grace.total_seconds()),
                coalesce=True,
                max_instances=1,
            )
            verb = "scheduled"
        else:
            job = self._sched.reschedule_job(spec.id, trigger=spec.trigger)
            verb = "rescheduled"
        self._specs[spec.id] = spec
        nxt = job.next_run_time
        log.info(
            "%s %s job, next run %s",
            verb,
            spec.kind,
            nxt.isoformat() if nxt else "never",
            extra=_extra(spec.channel, spec.id, tz=spec.key[0]),
        )

    def _remove(self, jid: str) -> None:
        assert self._sched is not None
        spec = self._specs.pop(jid)
        if self._sched.get_job(jid) is not None:
            self._sched.remove_job(jid)
        log.info("removed %s job (channel unsubscribed or gone)", spec.kind, extra=_extra(spec.channel, jid))

    def scheduled(self) -> list[dict[str, Any]]:
        """The live channel jobs with their next run (for /healthz)."""
        if self._sched is None:
            return []
        out = []
        for jid, spec in sorted(self._specs.items()):
            job = self._sched.get_job(jid)
            nxt = job.next_run_time if job is not None else None
            out.append(
                {"job": jid, "channel": spec.channel, "tz": spec.key[0], "next_run": nxt.isoformat() if nxt else None}
            )
        return out

    # -- catch-up -------------------------------------------------------------------------------
    def request_catch_up(self, reason: str) -> None:
        """Post what is due and missing, reveal what is overdue; runs once more if asked again meanwhile."""
        if self._sched is None or self.runs.stopping:
            return
        self.sweeps.request_catch_up(reason)

    # -- APScheduler events ---------------------------------------------------------------------
    def _on_event(self, event: JobEvent) -> None:
        jid = event.job_id
        channel = self._labels.get(jid, ALL_CHANNELS)
        if event.code == EVENT_JOB_MISSED:
            log.warning(
                "run of %s was missed (scheduled %s); catching up from the database",
                jid,
                getattr(event, "scheduled_run_time", "?"),
                extra=_extra(channel, jid),
            )
            self.request_catch_up(f"{jid} missed")
        elif event.code == EVENT_JOB_MAX_INSTANCES:
            log.warning("previous run still in progress; this run was skipped", extra=_extra(channel, jid))
        elif event.code == EVENT_JOB_ERROR:
            log.error("job raised %r", getattr(event, "exception", None), extra=_extra(channel, jid))
