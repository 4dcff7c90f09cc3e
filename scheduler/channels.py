"""Per-channel jobs on one APScheduler ``AsyncIOScheduler``, derived from the database.

The database is the source of truth: jobs live in a ``MemoryJobStore`` rebuilt from the active
channels at start, on every ``service.channel_listeners`` callback and by a periodic resync (a
settings change handled by another process reaches the scheduler that way). Nothing is lost by
keeping jobs in memory, because a run missed while no scheduler was up is caught up from the
database (:meth:`QuizService.catch_up`), and posting is idempotent per channel and local date.

Every log line of this module, and of APScheduler while this scheduler runs, carries ``channel``
(the platform's channel id, ``*`` for jobs over all channels) and ``job``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Coroutine
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.service import QuizService
from scheduler.triggers import DAILY, WEEKLY, JobSpec, channel_jobs, job_id

__all__ = ["ALL_CHANNELS", "ChannelScheduler", "JobLogContext"]

log = logging.getLogger(__name__)

ALL_CHANNELS = "*"
REVEALS, RESYNC, MAINTENANCE, CATCH_UP, PLANS = "reveals", "resync", "maintenance", "catch-up", "plans"
APSCHEDULER_LOGGERS = ("apscheduler.scheduler", "apscheduler.executors.default", "apscheduler.jobstores.default")


def _extra(channel: str, job: str, **more: object) -> dict[str, object]:
    return {"channel": channel, "job": job, **more}


class JobLogContext(logging.Filter):
    """Adds ``channel`` and ``job`` to APScheduler's own log records (it passes the job or its id as an arg)."""

    def __init__(self, labels: dict[str, str]) -> None:
        super().__init__()
        self.labels = labels  # job id -> channel label; shared with the scheduler, kept current

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "job"):
            found = "scheduler"
            args = record.args if isinstance(record.args, tuple) else ()
            for arg in args:
                candidate = getattr(arg, "id", arg)
                if isinstance(candidate, str) and candidate in self.labels:
                    found = candidate
                    break
            record.job = found
            record.channel = self.labels.get(found, ALL_CHANNELS)
        return True


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
        self._inflight: set[asyncio.Task[Any]] = set()
        self._catch_up: asyncio.Task[Any] | None = None
        self._catch_up_again = False
        self._failed_daily: set[int] = set()
        self._stopping = False
        self._weekly_missing_logged = False

    # -- lifecycle ------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._sched is not None

    @property
    def weekly_available(self) -> bool:
        return callable(getattr(self.service, "post_weekly_board", None))

    async def start(self) -> None:
        """Start APScheduler, add the sweeps, schedule every active channel, then catch up."""
        if self._sched is not None:
            return
        self._stopping = False
        if not self.weekly_available and not self._weekly_missing_logged:
            self._weekly_missing_logged = True
            log.warning(
                "the service has no post_weekly_board yet: weekly boards are not scheduled",
                extra=_extra(ALL_CHANNELS, WEEKLY),
            )
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
        for jid, every, func in (
            (REVEALS, self.reveal_every, self._reveals_job),
            (RESYNC, self.resync_every, self._resync_job),
            (MAINTENANCE, self.maintenance_every, self._maintenance_job),
            (PLANS, self.plans_every, self._plans_job),  # review reminders and weekly summaries by DM
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
        self._stopping = True
        sched.pause()
        pending = {t for t in self._inflight if not t.done()}
        if pending:
            log.info("waiting for %d job run(s) in flight", len(pending), extra=_extra(ALL_CHANNELS, "scheduler"))
            _done, late = await asyncio.wait(pending, timeout=drain_seconds)
            for task in late:
                log.warning(
                    "job run did not finish in %.0f s; cancelling it",
                    drain_seconds,
                    extra=_extra(ALL_CHANNELS, task.get_name()),
                )
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=1.0)
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
        async with asyncio.timeout(seconds):
            while pending := {t for t in self._inflight if not t.done()}:
                await asyncio.wait(pending)

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
            desired = {s.id: s for ch in channels for s in channel_jobs(ch, weekly=self.weekly_available)}
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
                specs = channel_jobs(ch, weekly=self.weekly_available)
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
        func = self._daily_job if spec.kind == DAILY else self._weekly_job
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

    # -- running work ---------------------------------------------------------------------------
    def spawn(self, job: str, channel: str, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``work`` as a tracked task: it is logged with its channel and job, and stop() waits for it."""
        task = asyncio.create_task(self._logged(job, channel, work), name=job)
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        return task

    async def _logged(self, job: str, channel: str, work: Coroutine[Any, Any, Any]) -> Any:
        try:
            return await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("job failed", extra=_extra(channel, job))
            if job.startswith(f"{DAILY}:"):
                self._failed_daily.add(int(job.split(":", 1)[1]))
            return None

    async def _run(self, job: str, channel: str, work: Coroutine[Any, Any, Any]) -> None:
        if self._stopping:
            work.close()
            return
        # shielded: APScheduler cancels its wrapper tasks at shutdown; the work itself finishes (stop() drains it)
        await asyncio.shield(self.spawn(job, channel, work))

    async def _daily_job(self, channel_id: int) -> None:
        jid = job_id(DAILY, channel_id)
        await self._run(jid, self._labels.get(jid, str(channel_id)), self._post_daily(channel_id))

    async def _post_daily(self, channel_id: int) -> None:
        jid = job_id(DAILY, channel_id)
        channel = self._labels.get(jid, str(channel_id))
        post = await self.service.post_daily(channel_id)
        self._failed_daily.discard(channel_id)
        if post is not None:
            log.info("daily question posted", extra=_extra(channel, jid, post=post.id, question=post.question_id))
        else:
            log.info(
                "no daily question posted (already posted today, or refused by the platform)",
                extra=_extra(channel, jid),
            )

    async def _weekly_job(self, channel_id: int) -> None:
        jid = job_id(WEEKLY, channel_id)
        await self._run(jid, self._labels.get(jid, str(channel_id)), self._post_weekly(channel_id))

    async def _post_weekly(self, channel_id: int) -> None:
        jid = job_id(WEEKLY, channel_id)
        board = getattr(self.service, "post_weekly_board", None)
        if board is None:
            return
        result = await board(channel_id)
        log.info(
            "weekly board %s",
            "posted" if result else "not posted (already posted, or nothing to show)",
            extra=_extra(self._labels.get(jid, str(channel_id)), jid),
        )

    async def _reveals_job(self) -> None:
        await self._run(REVEALS, ALL_CHANNELS, self._reveal_due())

    async def _reveal_due(self) -> None:
        revealed = await self.service.reveal_due()
        if revealed:
            log.info("revealed %d question(s)", len(revealed), extra=_extra(ALL_CHANNELS, REVEALS))

    async def _plans_job(self) -> None:
        async def send() -> None:
            sent = await self.service.send_plan_messages()
            if sent:
                log.info("sent %d study-plan direct message(s)", sent, extra=_extra(ALL_CHANNELS, PLANS))

        await self._run(PLANS, ALL_CHANNELS, send())

    async def _resync_job(self) -> None:
        await self._run(RESYNC, ALL_CHANNELS, self.sync())

    async def _maintenance_job(self) -> None:
        await self._run(MAINTENANCE, ALL_CHANNELS, self._maintenance())

    async def _maintenance(self) -> None:
        """Send stranded posts, repair missed reactions, retry daily posts whose job failed today."""
        resent = await self.service.resume_reserved()
        await self.service.prune_deliveries()
        repaired = await self.service.reconcile_open_posts() if self.reconcile else 0
        retried = 0
        for channel_id in sorted(self._failed_daily):
            try:
                ch = await self.service.channel_by_id(channel_id)
            except KeyError:
                self._failed_daily.discard(channel_id)
                continue
            if ch.active and await self.service.daily_is_due(ch):
                await self._post_daily(channel_id)
                retried += 1
            else:
                self._failed_daily.discard(channel_id)  # posted meanwhile, or a new day: the cron job takes over
        if resent or repaired or retried:
            log.info(
                "maintenance: %d stranded post(s) sent, %d reaction event(s) repaired, %d daily post(s) retried",
                resent,
                repaired,
                retried,
                extra=_extra(ALL_CHANNELS, MAINTENANCE),
            )

    # -- catch-up -------------------------------------------------------------------------------
    def request_catch_up(self, reason: str) -> None:
        """Post what is due and missing, reveal what is overdue; runs once more if asked again meanwhile."""
        if self._sched is None or self._stopping:
            return
        if self._catch_up is not None and not self._catch_up.done():
            self._catch_up_again = True
            return
        self._catch_up = self.spawn(CATCH_UP, ALL_CHANNELS, self._catch_up_loop(reason))

    async def _catch_up_loop(self, reason: str) -> None:
        while True:
            self._catch_up_again = False
            posted, revealed = await self.service.catch_up()
            boards = await self._weekly_catch_up()
            log.info(
                "catch-up (%s): %d daily question(s) posted, %d revealed, %d weekly board(s)",
                reason,
                posted,
                revealed,
                boards,
                extra=_extra(ALL_CHANNELS, CATCH_UP),
            )
            if not self._catch_up_again or self._stopping:
                return
            reason = "asked again while running"

    async def _weekly_catch_up(self) -> int:
        """Post a weekly board whose Monday run was missed, if still within ``weekly_grace``.

        Relies on ``post_weekly_board`` being idempotent per channel and week, like ``post_daily``.
        """
        board = getattr(self.service, "post_weekly_board", None)
        if board is None:
            return 0
        now = self.service.now()
        posted = 0
        for ch in await self.service.active_channels():
            spec = next((s for s in channel_jobs(ch) if s.kind == WEEKLY), None)
            if spec is None:
                continue
            last = _previous_fire(spec, now)
            if last is None or now - last > self.weekly_grace:
                continue
            if await board(ch.id):
                posted += 1
                log.info("weekly board posted late", extra=_extra(ch.ref.channel, spec.id))
        return posted

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


def _previous_fire(spec: JobSpec, now: dt.datetime) -> dt.datetime | None:
    """The latest fire time of ``spec`` at or before ``now`` (looked up from a week back)."""
    probe = now - dt.timedelta(days=8)
    last = None
    for _ in range(16):
        nxt = spec.trigger.get_next_fire_time(last, probe if last is None else now)
        if nxt is None or nxt.astimezone(dt.UTC) > now:
            return last
        last = nxt
    return last
