"""What the scheduler's jobs do: daily and weekly posts, and the sweeps over all channels (reveals, study
plans, maintenance, catch-up). Each job body asks the service and logs what it did, with channel and job."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from bot.service import QuizService
from scheduler.runs import ALL_CHANNELS, JobRuns, log_extra
from scheduler.triggers import DAILY, WEEKLY, JobSpec, channel_jobs, job_id

__all__ = ["CATCH_UP", "MAINTENANCE", "PLANS", "RESYNC", "REVEALS", "Sweeps"]

log = logging.getLogger(__name__)

REVEALS, RESYNC, MAINTENANCE, CATCH_UP, PLANS = "reveals", "resync", "maintenance", "catch-up", "plans"


class Sweeps:
    """The job bodies, run through ``runs``.

    Args:
        service: the quiz service; jobs call it and nothing else.
        runs: the tracked runs of the scheduler.
        labels: job id -> the platform's channel id, kept current by the scheduler.
        weekly_grace: how late a weekly board may still be posted, also by catch-up.
        reconcile: re-read reactions of open posts in maintenance.
    """

    def __init__(
        self,
        service: QuizService,
        runs: JobRuns,
        labels: dict[str, str],
        *,
        weekly_grace: dt.timedelta,
        reconcile: bool,
    ) -> None:
        self.service = service
        self.runs = runs
        self.labels = labels
        self.weekly_grace = weekly_grace
        self.reconcile = reconcile
        self.failed_daily: set[int] = set()  # channels whose daily job failed; maintenance retries them
        self._catch_up: asyncio.Task[Any] | None = None
        self._catch_up_again = False

    def job_failed(self, job: str) -> None:
        if job.startswith(f"{DAILY}:"):
            self.failed_daily.add(int(job.split(":", 1)[1]))

    # -- per-channel jobs -----------------------------------------------------------------------
    async def daily_job(self, channel_id: int) -> None:
        jid = job_id(DAILY, channel_id)
        await self.runs.run(jid, self.labels.get(jid, str(channel_id)), self._post_daily(channel_id))

    async def _post_daily(self, channel_id: int) -> None:
        jid = job_id(DAILY, channel_id)
        channel = self.labels.get(jid, str(channel_id))
        post = await self.service.daily.post_daily(channel_id)
        self.failed_daily.discard(channel_id)
        if post is not None:
            log.info("daily question posted", extra=log_extra(channel, jid, post=post.id, question=post.question_id))
        else:
            log.info(
                "no daily question posted (already posted today, or refused by the platform)",
                extra=log_extra(channel, jid),
            )

    async def weekly_job(self, channel_id: int) -> None:
        jid = job_id(WEEKLY, channel_id)
        await self.runs.run(jid, self.labels.get(jid, str(channel_id)), self._post_weekly(channel_id))

    async def _post_weekly(self, channel_id: int) -> None:
        jid = job_id(WEEKLY, channel_id)
        result = await self.service.boards.post_weekly(channel_id)
        log.info(
            "weekly board %s",
            "posted" if result else "not posted (already posted, or nothing to show)",
            extra=log_extra(self.labels.get(jid, str(channel_id)), jid),
        )

    # -- sweeps over all channels ---------------------------------------------------------------
    async def reveals_job(self) -> None:
        await self.runs.run(REVEALS, ALL_CHANNELS, self._reveal_due())

    async def _reveal_due(self) -> None:
        revealed = await self.service.daily.reveal_due()
        if revealed:
            log.info("revealed %d question(s)", len(revealed), extra=log_extra(ALL_CHANNELS, REVEALS))

    async def plans_job(self) -> None:
        async def send() -> None:
            sent = await self.service.plans.messages.send_due()
            if sent:
                log.info("sent %d study-plan direct message(s)", sent, extra=log_extra(ALL_CHANNELS, PLANS))

        await self.runs.run(PLANS, ALL_CHANNELS, send())

    async def maintenance_job(self) -> None:
        await self.runs.run(MAINTENANCE, ALL_CHANNELS, self._maintenance())

    async def _maintenance(self) -> None:
        """Send stranded posts, repair missed reactions, retry daily posts whose job failed today."""
        resent = await self.service.daily.resume_reserved()
        await self.service.prune_deliveries()
        repaired = await self.service.reconcile_open_posts() if self.reconcile else 0
        retried = 0
        for channel_id in sorted(self.failed_daily):
            try:
                ch = await self.service.channel_by_id(channel_id)
            except KeyError:
                self.failed_daily.discard(channel_id)
                continue
            if ch.active and await self.service.daily.daily_is_due(ch):
                await self._post_daily(channel_id)
                retried += 1
            else:
                self.failed_daily.discard(channel_id)  # posted meanwhile, or a new day: the cron job takes over
        if resent or repaired or retried:
            log.info(
                "maintenance: %d stranded post(s) sent, %d reaction event(s) repaired, %d daily post(s) retried",
                resent,
                repaired,
                retried,
                extra=log_extra(ALL_CHANNELS, MAINTENANCE),
            )

    # -- catch-up -------------------------------------------------------------------------------
    def request_catch_up(self, reason: str) -> None:
        """Start a catch-up run, or ask the one running to go once more."""
        if self._catch_up is not None and not self._catch_up.done():
            self._catch_up_again = True
            return
        self._catch_up = self.runs.spawn(CATCH_UP, ALL_CHANNELS, self._catch_up_loop(reason))

    async def _catch_up_loop(self, reason: str) -> None:
        while True:
            self._catch_up_again = False
            posted, revealed = await self.service.daily.catch_up()
            boards = await self._weekly_catch_up()
            log.info(
                "catch-up (%s): %d daily question(s) posted, %d revealed, %d weekly board(s)",
                reason,
                posted,
                revealed,
                boards,
                extra=log_extra(ALL_CHANNELS, CATCH_UP),
            )
            if not self._catch_up_again or self.runs.stopping:
                return
            reason = "asked again while running"

    async def _weekly_catch_up(self) -> int:
        """Post a weekly board whose Monday run was missed, if still within ``weekly_grace``.

        Relies on ``boards.post_weekly`` being idempotent per channel and week, like ``daily.post_daily``.
        """
        now = self.service.now()
        posted = 0
        for ch in await self.service.active_channels():
            spec = next((s for s in channel_jobs(ch) if s.kind == WEEKLY), None)
            if spec is None:
                continue
            last = _previous_fire(spec, now)
            if last is None or now - last > self.weekly_grace:
                continue
            if await self.service.boards.post_weekly(ch.id):
                posted += 1
                log.info("weekly board posted late", extra=log_extra(ch.ref.channel, spec.id))
        return posted


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
