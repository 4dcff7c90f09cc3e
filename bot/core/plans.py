"""Pure rules of the personal study plan: when a reminder is due, pauses, the daily review cap, and
the exam-date projection (the ``/plan`` grammar is :mod:`bot.core.commands.plan`).

Times of day are in the person's own zone; a reminder goes out at most once per local day, from the
first sweep at or after its time (a time skipped by a daylight-saving change moves forward). A pause
covers local dates ``[start, end)``: no reminders, no summary, and streaks step over those days.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.core.learning import readiness
from bot.core.ports import StudyPlanInfo
from bot.core.review import objective_readiness

__all__ = [
    "CAP_MAX",
    "PAUSE_MAX_DAYS",
    "PLAN_NEW_PER_DAY",
    "STUDIED_READINESS",
    "ExamPlan",
    "capped_reviews",
    "exam_plan",
    "local_instant",
    "next_reminder",
    "paused_on",
    "reminder_day",
    "reviews_left_today",
    "summary_week",
]

CAP_MAX = 200
PAUSE_MAX_DAYS = 90
SUMMARY_TIME = "09:00"  # the weekly summary's time when the person set no reminder time
PLAN_NEW_PER_DAY = 3  # the projection's pace: three new objectives a day, with their reviews as they fall due

_T0 = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
# What "studied" means in the projection: an objective answered right twice, three days apart, with its
# reviews kept up (so still fresh on the exam day), by the same rule as every readiness figure.
STUDIED_READINESS = objective_readiness([(_T0, True), (_T0 + dt.timedelta(days=3), True)], _T0 + dt.timedelta(days=3))


def local_instant(day: dt.date, hhmm: str, tz: str) -> dt.datetime:
    """The UTC instant of ``hhmm`` on local ``day`` in ``tz`` (a time skipped by DST moves forward)."""
    hh, mm = (int(x) for x in hhmm.split(":"))
    return dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=zoneinfo.ZoneInfo(tz)).astimezone(dt.UTC)


def paused_on(pauses: Iterable[tuple[dt.date, dt.date]], day: dt.date) -> bool:
    return any(start <= day < end for start, end in pauses)


def current_pause(pauses: Iterable[tuple[dt.date, dt.date]], day: dt.date) -> tuple[dt.date, dt.date] | None:
    """The pause covering ``day``, or the next one to begin."""
    ahead = sorted((p for p in pauses if p[1] > day), key=lambda p: p[0])
    return ahead[0] if ahead else None


def reminder_day(plan: StudyPlanInfo, now: dt.datetime) -> dt.date | None:
    """The local day whose reminder is due at ``now`` and not yet sent, or None.

    None without a reminder time, once DMs were refused, on a paused day, before the time, and
    when today's reminder went out already (restarts and several processes: the store's claim).
    """
    if plan.remind_time is None or plan.dm_blocked_at is not None:
        return None
    day = now.astimezone(zoneinfo.ZoneInfo(plan.tz)).date()
    if plan.last_reminded_on is not None and plan.last_reminded_on >= day:
        return None
    if paused_on(plan.pauses, day) or now < local_instant(day, plan.remind_time, plan.tz):
        return None
    return day


def next_reminder(plan: StudyPlanInfo, now: dt.datetime) -> dt.datetime:
    """The local time of the next reminder check: today's if still ahead (or due and not sent yet),
    else the next day that is not paused."""
    zone = zoneinfo.ZoneInfo(plan.tz)
    day = now.astimezone(zone).date()
    for k in range(PAUSE_MAX_DAYS + 2):
        d = day + dt.timedelta(days=k)
        at = local_instant(d, plan.remind_time or SUMMARY_TIME, plan.tz)
        sent = plan.last_reminded_on is not None and plan.last_reminded_on >= d
        if not paused_on(plan.pauses, d) and not sent and (at >= now or k == 0):
            return max(at, now).astimezone(zone)
    return now.astimezone(zone)


def summary_week(plan: StudyPlanInfo, now: dt.datetime) -> dt.date | None:
    """The Monday whose weekly summary is due at ``now`` (from Monday at the reminder time, or 09:00,
    through the week if the bot was down), or None."""
    if not plan.weekly_summary or plan.dm_blocked_at is not None:
        return None
    day = now.astimezone(zoneinfo.ZoneInfo(plan.tz)).date()
    monday = day - dt.timedelta(days=day.weekday())
    if plan.last_summary_on is not None and plan.last_summary_on >= monday:
        return None
    if paused_on(plan.pauses, day) or now < local_instant(monday, plan.remind_time or SUMMARY_TIME, plan.tz):
        return None
    return monday


def reviews_left_today(plan: StudyPlanInfo | None, day: dt.date, default_cap: int = 20) -> int:
    """How many more due reviews the daily cap allows on local ``day``."""
    cap = plan.daily_cap if plan is not None else default_cap
    done = plan.reviews_done if plan is not None and plan.reviews_on == day else 0
    return max(0, cap - done)


def capped_reviews(due: Mapping[str, dt.datetime], weakness: Mapping[str, float], room: int) -> dict[str, dt.datetime]:
    """At most ``room`` of the due reviews: the most overdue first (by due day), and within a day the
    weakest first (``weakness``: the question's objective accuracy, lower is weaker)."""
    order = sorted(due, key=lambda q: (due[q].date(), weakness.get(q, 1.0), due[q], q))
    return {q: due[q] for q in order[: max(0, room)]}


@dataclass(frozen=True, slots=True)
class ExamPlan:
    exam_date: dt.date
    days_left: int
    unpractised: int  # objectives with no answer yet
    new_per_day: float  # new objectives a day needed to cover all of them before the exam
    reviews_before: int  # reviews falling due before the exam
    reviews_per_day: float
    readiness_now: float
    readiness_if_plan: float  # at PLAN_NEW_PER_DAY, reviews kept up
    readiness_if_stop: float  # no more study: memory fades to the exam day
    per_topic_if_plan: Mapping[str, float]
    weakest_topics: tuple[str, ...]


def exam_plan(
    exam_date: dt.date,
    today: dt.date,
    now_by_objective: Mapping[str, float],
    stop_by_objective: Mapping[str, float],
    practised: Iterable[str],
    topic_of: Mapping[str, str],
    reviews_before: int,
    *,
    new_per_day: int = PLAN_NEW_PER_DAY,
) -> ExamPlan:
    """The pace and the projection for an exam on ``exam_date``.

    ``now_by_objective``: each objective's readiness today; ``stop_by_objective``: the same at the
    exam date with no more study. The plan studies ``new_per_day`` objectives a day, choosing those
    where studying gains the most (weighted as the overall readiness weights them), each to
    STUDIED_READINESS, while reviews keep the rest where they are. The projection is the best such
    choice, so more days or a higher figure on any objective never lower it.
    """
    days = max(0, (exam_date - today).days)
    practised_set = set(practised)
    unpractised = [o for o in now_by_objective if o not in practised_set]
    topic_size: dict[str, int] = {}
    for o in now_by_objective:
        topic_size[topic_of[o]] = topic_size.get(topic_of[o], 0) + 1
    gain = {
        o: max(0.0, STUDIED_READINESS - v) / topic_size[topic_of[o]] * _topic_weight(topic_of[o])
        for o, v in now_by_objective.items()
    }
    chosen = set(sorted(gain, key=lambda o: (-gain[o], o))[: days * new_per_day])
    projected = {o: max(v, STUDIED_READINESS) if o in chosen else v for o, v in now_by_objective.items()}
    per_topic_plan, overall_plan = readiness(projected, topic_of)
    per_topic_now, overall_now = readiness(now_by_objective, topic_of)
    _t, overall_stop = readiness(stop_by_objective, topic_of)
    weakest = tuple(sorted(per_topic_now, key=lambda t: (per_topic_now[t], t))[:2])
    return ExamPlan(
        exam_date=exam_date,
        days_left=days,
        unpractised=len(unpractised),
        new_per_day=len(unpractised) / days if days else float(len(unpractised)),
        reviews_before=reviews_before,
        reviews_per_day=reviews_before / days if days else float(reviews_before),
        readiness_now=overall_now,
        readiness_if_plan=max(overall_plan, overall_now),
        readiness_if_stop=overall_stop,
        per_topic_if_plan=per_topic_plan,
        weakest_topics=weakest,
    )


def _topic_weight(topic: str) -> float:
    from bot.core.learning import TOPIC_WEIGHTS

    return TOPIC_WEIGHTS.get(topic, 0.0)


def per_day(value: float) -> str:
    """``about 2 a day`` / ``less than 1 a day`` for the pace lines."""
    if value <= 0:
        return "none"
    if value < 1:
        return "less than 1 a day"
    return f"about {math.ceil(value)} a day"
