"""Review reminders and the weekly summary by direct message: the scheduler's minute sweep.

Each message is claimed in the database before it is sent (``PlanStore.claim_message``), so a person
gets at most one reminder per local day and one summary per week, across restarts and several
processes. A person whose DMs are refused is marked once and not retried until they set a reminder
again. Sends run a few at a time; each platform's notifier paces them and retries its 429s.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import zoneinfo
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.core.messages import Button, ChannelRef, Reply
from bot.core.plans import PLAN_NEW_PER_DAY, ExamPlan, reminder_day, reviews_left_today, summary_week
from bot.core.ports import DirectMessageRefused, PlatformError, StudyPlanInfo

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.core.ports import Notifier, Store

__all__ = ["SEND_CONCURRENCY", "PlanMessages"]

log = logging.getLogger(__name__)

SEND_CONCURRENCY = 8  # direct messages in flight at once (each platform paces and retries its own 429s)


class PlanMessages:
    """Sends what study plans ask for; ``projection`` is the exam projection of :class:`bot.plans.StudyPlans`."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        notifier: Notifier,
        projection: Callable[[StudyPlanInfo, dt.datetime], Awaitable[ExamPlan]],
    ) -> None:
        self.store = store
        self.clock = clock
        self.notifier = notifier
        self._projection = projection

    async def send_due(self) -> int:
        """Send every reminder and weekly summary due now; returns how many went out."""
        now = self.clock.now()
        gate = asyncio.Semaphore(SEND_CONCURRENCY)

        async def one(plan: StudyPlanInfo) -> int:
            async with gate:
                return await self._messages_for(plan, now)

        sent = await asyncio.gather(*(one(p) for p in await self.store.plans_to_message(now)))
        return sum(sent)

    async def _messages_for(self, plan: StudyPlanInfo, now: dt.datetime) -> int:
        sent = 0
        day = reminder_day(plan, now)
        if day is not None and await self.store.claim_message(plan.person_id, "reminder", day):
            due = len(await self.store.due_reviews(plan.person_id, now))
            n = min(due, reviews_left_today(plan, day))
            if n > 0:  # nothing due: no message at all
                capped = f" (of {due} due; your daily cap is {plan.daily_cap})" if n < due else ""
                reply = Reply(
                    f"📚 {n} review(s) due today{capped}. A few minutes now keeps them in memory.\n"
                    "Press the button to start, or type /drill. /plan remind off stops these reminders.",
                    title="StudyBot: reviews due",
                    buttons=(Button("Start my reviews", f"review:{plan.workspace}"),),
                )
                sent += await self._dm(plan, reply)
        monday = summary_week(plan, now)
        if monday is not None and await self.store.claim_message(plan.person_id, "summary", monday):
            sent += await self._dm(plan, await self.weekly_summary(plan, monday, now))
        return sent

    async def _dm(self, plan: StudyPlanInfo, reply: Reply) -> int:
        to = ChannelRef(plan.platform, plan.workspace, plan.user)
        try:
            await self.notifier.direct(to, reply)
        except DirectMessageRefused as exc:
            log.warning("direct messages to a person are refused; reminders stop until they set one again: %s", exc)
            await self.store.save_plan(plan.person_id, self.clock.now(), dm_blocked_at=self.clock.now())
            return 0
        except PlatformError as exc:
            log.warning("could not send a study-plan message: %s", exc)
            return 0
        return 1

    async def weekly_summary(self, plan: StudyPlanInfo, monday: dt.date, now: dt.datetime) -> Reply:
        zone = zoneinfo.ZoneInfo(plan.tz)
        start = dt.datetime.combine(monday - dt.timedelta(days=7), dt.time(), tzinfo=zone)
        end = dt.datetime.combine(monday, dt.time(), tzinfo=zone)
        history = await self.store.person_answer_history(plan.person_id)
        week = [(o, ok) for o, at, ok in history if start <= at < end]
        earlier = {o for o, at, _ok in history if at < start}
        new = {o for o, _ok in week} - earlier
        right = sum(ok for _o, ok in week)
        lines = [
            f"Last week ({start:%a %d %b} to {(end - dt.timedelta(days=1)):%a %d %b}): {len(week)} answer(s), "
            f"{right} right"
            + (f" ({100 * right / len(week):.0f}%)" if week else "")
            + f", {len(new)} new objective(s) practised."
        ]
        if plan.exam_date is not None and plan.exam_date > now.astimezone(zone).date():
            p = await self._projection(plan, now)
            target = PLAN_NEW_PER_DAY * 7
            lines.append(
                f"Against your plan for the exam on {plan.exam_date:%a %Y-%m-%d} ({p.days_left} days): "
                f"{len(new)} of {target} new objectives this week; readiness today {100 * p.readiness_now:.0f}%, "
                f"about {100 * p.readiness_if_plan:.0f}% on the day if you keep the plan."
            )
        else:
            lines.append("Set an exam date (/plan exam YYYY-MM-DD) to see your pace against it.")
        lines.append("/plan weekly off stops this summary.")
        return Reply("\n".join(lines), title="StudyBot: your week")
