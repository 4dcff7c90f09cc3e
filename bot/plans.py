"""``/plan``: a personal study plan. Review reminders by direct message, an exam date that sets the
pace, a holiday pause and the daily review cap (rules in :mod:`bot.core.plans`; the reminders and the
weekly summary are sent by :class:`bot.reminders.PlanMessages`, swept once a minute by the scheduler).
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from bot.core.commands.plan import PlanCommand, parse_plan
from bot.core.messages import Invocation, Reply, Table
from bot.core.model import Question, Syllabus
from bot.core.plans import (
    PLAN_NEW_PER_DAY,
    ExamPlan,
    current_pause,
    exam_plan,
    local_instant,
    next_reminder,
    paused_on,
    per_day,
    reviews_left_today,
)
from bot.core.ports import StudyPlanInfo
from bot.core.review import objective_readiness, shift_card
from bot.reminders import PlanMessages

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.core.ports import Notifier, Store

__all__ = ["PLAN_ALIASES", "StudyPlans"]


def _known_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


log = logging.getLogger(__name__)

# the spellings, kept as aliases: /drill remind 08:00, /stats exam 2027-02-15 ...
PLAN_ALIASES = {"drill": frozenset({"remind", "pause", "resume", "cap"}), "stats": frozenset({"exam", "weekly"})}


class StudyPlans:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        syllabus: Syllabus,
        questions: Sequence[Question],
        notifier: Notifier,
        *,
        who: Callable[[Invocation], Awaitable[tuple[int, int]]],
        start_reviews: Callable[[Invocation], Awaitable[list[Reply]]],
    ) -> None:
        self.store = store
        self.clock = clock
        self.syllabus = syllabus
        self.by_id = {q.id: q for q in questions}
        self.notifier = notifier
        self._who = who
        self._start_reviews = start_reviews
        self._topic_of = {o.id: o.topic_id for o in syllabus.objectives()}
        self.messages = PlanMessages(store, clock, notifier, self.projection)  # the minute sweep of DMs

    # -- commands -------------------------------------------------------------------------------
    async def command(self, inv: Invocation, text: str) -> list[Reply]:
        ws, person = await self._who(inv)
        plan = await self.store.get_plan(person)
        tz, zone_from = (plan.tz, "your plan's zone") if plan is not None else await self._default_zone(inv, ws, person)
        now = self.clock.now()
        today = now.astimezone(zoneinfo.ZoneInfo(tz)).date()
        cmd = parse_plan(text, today)
        if cmd.action == "show":
            return [await self._show(person, now)]
        if cmd.action == "remind":
            return [await self._remind(person, cmd, tz, zone_from, now)]
        if cmd.action == "remind-off":
            await self.store.save_plan(person, now, remind_time=None)
            return [Reply("Review reminders are off. /plan remind 08:00 turns them on again.")]
        if cmd.action == "pause":
            return [await self._pause(person, cmd, today, now)]
        if cmd.action == "resume":
            return [await self._resume(person, today, now)]
        if cmd.action == "cap":
            saved = await self.store.save_plan(person, now, daily_cap=cmd.cap)
            left = reviews_left_today(saved, today)
            return [
                Reply(
                    f"Daily cap: at most {cmd.cap} reviews a day, the most overdue and the weakest first; "
                    f"{left} more today. The rest wait for the next day."
                )
            ]
        if cmd.action == "exam":
            saved = await self.store.save_plan(person, now, exam_date=cmd.exam_date, tz=tz)
            return [await self.exam_reply(saved, now, prefix=f"Exam date set: {cmd.exam_date:%a %Y-%m-%d}.")]
        if cmd.action == "exam-off":
            await self.store.save_plan(person, now, exam_date=None)
            return [Reply("Exam date cleared; readiness looks a week ahead again.")]
        if cmd.action == "exam-show":
            if plan is None or plan.exam_date is None:
                return [Reply("No exam date yet. Set one with /plan exam YYYY-MM-DD (e.g. /plan exam 2027-02-15).")]
            return [await self.exam_reply(plan, now)]
        # weekly
        await self.store.save_plan(person, now, weekly_summary=bool(cmd.on), tz=tz)
        if cmd.on:
            return [
                Reply(
                    "Weekly summary on: every Monday a direct message with last week's answers and your "
                    "progress against the plan. /plan weekly off stops it."
                )
            ]
        return [Reply("Weekly summary off.")]

    async def _default_zone(self, inv: Invocation, ws: int, person: int) -> tuple[str, str]:
        """A new plan's zone and where it came from: the platform profile's (Slack), else the
        person's team's (the channel's), else UTC."""
        if inv.user_tz and _known_zone(inv.user_tz):
            return inv.user_tz, f"the zone of your {inv.platform.capitalize()} profile"
        team = await self.store.person_team(ws, person)
        if team:
            return (await self.store.team_info(team[0]))[2], "your team's zone"
        return "UTC", "no zone known for you yet"

    async def _remind(self, person: int, cmd: PlanCommand, tz: str, zone_from: str, now: dt.datetime) -> Reply:
        zone = cmd.tz or tz
        saved = await self.store.save_plan(person, now, remind_time=cmd.time, tz=zone, dm_blocked_at=None)
        today = now.astimezone(zoneinfo.ZoneInfo(zone)).date()
        if cmd.time is not None and now >= local_instant(today, cmd.time, zone):
            # set after today's time: the first reminder is tomorrow's (as a channel's first question)
            await self.store.claim_message(person, "reminder", today)
            saved = await self.store.get_plan(person) or saved
        nxt = next_reminder(saved, now)
        taken = "" if cmd.tz else f" ({zone_from}; add one to change it: /plan remind {cmd.time} America/New_York)"
        return Reply(
            f"Review reminders on: a direct message at {cmd.time} {zone}{taken} on days when reviews are due, "
            f"never more than one a day, with a button that starts them. Next check: {nxt:%a %Y-%m-%d %H:%M} {zone}. "
            "/plan remind off stops them."
        )

    async def _pause(self, person: int, cmd: PlanCommand, today: dt.date, now: dt.datetime) -> Reply:
        assert cmd.days is not None and cmd.until is not None
        plan = await self.store.get_plan(person)
        if plan is not None and paused_on(plan.pauses, today):
            return Reply("You are already on a pause. /plan resume ends it; then pause again for a new length.")
        await self.store.add_pause(person, today, cmd.until)
        moved = await self._shift_reviews(person, dt.timedelta(days=cmd.days))
        return Reply(
            f"Paused for {cmd.days} day(s), through {cmd.until - dt.timedelta(days=1):%a %Y-%m-%d}: no reminders, "
            f"your {moved} scheduled review(s) move {cmd.days} day(s) later, and your daily streak is kept over "
            "the pause. /plan resume ends it early."
        )

    async def _resume(self, person: int, today: dt.date, now: dt.datetime) -> Reply:
        ended = await self.store.end_pause(person, today)
        if ended is None:
            return Reply("You are not on a pause. /plan pause 14d starts one.")
        unused = (ended[1] - today).days
        moved = await self._shift_reviews(person, -dt.timedelta(days=unused))
        return Reply(
            f"Welcome back: the pause ended today, {unused} day(s) early; {moved} review(s) moved back by as "
            "much. /drill starts with what is due."
        )

    async def _shift_reviews(self, person: int, delta: dt.timedelta) -> int:
        cards = await self.store.person_cards(person)
        moved = [(q, *shift_card(card, delta)) for q, card, _due in cards]
        await self.store.reschedule_reviews(person, moved)
        return len(moved)

    async def _show(self, person: int, now: dt.datetime) -> Reply:
        plan = await self.store.get_plan(person)
        due = len(await self.store.due_reviews(person, now))
        if plan is None:
            return Reply(
                f"Your study plan is empty. Reviews due now: {due}.\n"
                "/plan remind 08:00 · /plan exam 2027-02-15 · /plan pause 14d · /plan cap 20 · /plan help"
            )
        zone = zoneinfo.ZoneInfo(plan.tz)
        today = now.astimezone(zone).date()
        rows: list[tuple[str, str]] = []
        if plan.remind_time is None:
            rows.append(("Reminder", "off (/plan remind 08:00)"))
        elif plan.dm_blocked_at is not None:
            rows.append(
                (
                    "Reminder",
                    f"stopped: StudyBot could not send you a direct message on {plan.dm_blocked_at.astimezone(zone):%Y-%m-%d}. "
                    f"Allow direct messages from StudyBot, then /plan remind {plan.remind_time} again",
                )
            )
        else:
            rows.append(
                ("Reminder", f"{plan.remind_time} {plan.tz}, next {next_reminder(plan, now):%a %Y-%m-%d %H:%M}")
            )
        rows.append(
            (
                "Exam date",
                f"{plan.exam_date:%a %Y-%m-%d} ({(plan.exam_date - today).days} days)" if plan.exam_date else "not set",
            )
        )
        pause = current_pause(plan.pauses, today)
        rows.append(("Pause", f"until {pause[1] - dt.timedelta(days=1):%a %Y-%m-%d}" if pause else "none"))
        rows.append(("Daily cap", f"{plan.daily_cap} reviews, {reviews_left_today(plan, today)} left today"))
        rows.append(("Weekly summary", "on (Mondays)" if plan.weekly_summary else "off"))
        rows.append(("Reviews due now", str(due)))
        return Reply("", title="Your study plan", tables=(Table("Plan", ("", ""), tuple(rows)),))

    # -- the exam date ---------------------------------------------------------------------------
    async def projection(self, plan: StudyPlanInfo, now: dt.datetime) -> ExamPlan:
        assert plan.exam_date is not None
        history: dict[str, list[tuple[dt.datetime, bool]]] = defaultdict(list)
        for objective, at, ok in await self.store.person_answer_history(plan.person_id):
            history[objective].append((at, ok))
        exam_at = local_instant(plan.exam_date, "09:00", plan.tz)
        objectives = [o.id for o in self.syllabus.objectives()]
        cards = await self.store.person_cards(plan.person_id)
        return exam_plan(
            plan.exam_date,
            now.astimezone(zoneinfo.ZoneInfo(plan.tz)).date(),
            {o: objective_readiness(history.get(o, []), now) for o in objectives},
            {o: objective_readiness(history.get(o, []), exam_at) for o in objectives},
            history.keys(),
            self._topic_of,
            sum(1 for _q, _c, due in cards if due < exam_at),
        )

    async def exam_reply(self, plan: StudyPlanInfo, now: dt.datetime, *, prefix: str = "") -> Reply:
        p = await self.projection(plan, now)
        titles = {t.id: t.title for t in self.syllabus.topics}
        lines = [prefix] if prefix else []
        lines.append(f"Exam on {p.exam_date:%a %Y-%m-%d}: {p.days_left} day(s) from today.")
        lines.append(
            f"Readiness today {100 * p.readiness_now:.0f}%. Keeping the plan ({PLAN_NEW_PER_DAY} new objectives a day, "
            f"reviews as they fall due): about {100 * p.readiness_if_plan:.0f}% on the day. Stopping now: "
            f"{100 * p.readiness_if_stop:.0f}%."
        )
        if p.unpractised:
            lines.append(
                f"To practise every objective before then: {p.unpractised} not practised yet, {per_day(p.new_per_day)}."
            )
        else:
            lines.append("You have practised every objective; keep the reviews up.")
        lines.append(
            f"Reviews falling due before the exam: {p.reviews_before}, {per_day(p.reviews_per_day)} (your cap: {plan.daily_cap})."
        )
        if p.weakest_topics:
            lines.append(
                "Work on first: "
                + "; ".join(f"Topic {t} ({titles.get(t, '')})" for t in p.weakest_topics)
                + ". /drill topicN practises one."
            )
        lines.append(
            "These are estimates from your answers and FSRS memory, not a pass prediction (no passing score is published)."
        )
        rows = tuple(
            (f"Topic {t}", titles.get(t, "")[:50], f"{100 * v:.0f}%") for t, v in sorted(p.per_topic_if_plan.items())
        )
        return Reply(
            "\n".join(lines),
            title="Your exam plan",
            tables=(Table("Projected readiness on the exam day, keeping the plan", ("Topic", "", "Readiness"), rows),),
        )

    # -- the reminder's button ------------------------------------------------------------------
    async def press(self, inv: Invocation, value: str) -> list[Reply]:
        """``review:<workspace>``: start the review drill where the button was pressed (a DM)."""
        workspace = value.partition(":")[2]
        if workspace and workspace != inv.workspace:
            return [Reply("That button belongs to another workspace. Type /drill there to start your reviews.")]
        return await self._start_reviews(inv)
