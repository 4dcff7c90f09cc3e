"""The records that cross the ports: plain frozen dataclasses (channels, drills, study plans, reactions,
reports, posts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.core.answers import ReactionEvent
from bot.core.messages import ChannelRef

__all__ = [
    "ChannelInfo",
    "ChannelPostSummary",
    "DrillInfo",
    "DrillStart",
    "IncomingReaction",
    "ItemReportInfo",
    "PostInfo",
    "StudyPlanInfo",
]


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    id: int
    workspace_id: int
    ref: ChannelRef
    name: str
    tz: str
    post_time: str  # "HH:MM"
    reveal_minutes: int
    team_id: int | None
    active: bool
    focus_topic: str | None = None
    focus_until: dt.datetime | None = None
    scheduled_since: dt.datetime | None = None  # when the post time or zone was last set


@dataclass(frozen=True, slots=True)
class DrillInfo:
    id: int
    workspace_id: int
    person_id: int
    scope: str
    questions: list[tuple[str, tuple[int, ...]]]  # (question id, option order)
    position: int  # index of the question being asked
    status: str  # active done expired
    created_at: dt.datetime
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class StudyPlanInfo:
    """A person's study plan, with where to reach them (platform, workspace and user external ids)."""

    person_id: int
    platform: str
    workspace: str
    user: str
    tz: str = "UTC"
    remind_time: str | None = None  # "08:00" in ``tz``; None: no reminders
    last_reminded_on: dt.date | None = None
    dm_blocked_at: dt.datetime | None = None
    exam_date: dt.date | None = None
    weekly_summary: bool = False
    last_summary_on: dt.date | None = None
    daily_cap: int = 20
    reviews_on: dt.date | None = None
    reviews_done: int = 0
    pauses: tuple[tuple[dt.date, dt.date], ...] = ()  # local [start, end) ranges, oldest first


@dataclass(frozen=True, slots=True)
class IncomingReaction:
    """A reaction event to store with its person (created if new): one row of a batched write."""

    workspace_id: int
    user: str  # the platform's user id
    user_name: str
    is_bot: bool
    post_id: int
    event: ReactionEvent  # its ``user_id`` is not stored (the person is)
    raw_emoji: str
    source: str
    received_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ItemReportInfo:
    """A learner's report of a problem with a question, as authors see it: what, not who."""

    question_id: str
    bank_version: str
    kind: str  # wrong_key unclear outdated typo other
    text: str
    source: str  # reveal drill exam
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class PostInfo:
    id: int
    channel_id: int
    local_date: dt.date
    slot: int
    question_id: str
    objective_id: str
    option_order: tuple[int, ...]
    reason: str
    reason_detail: str
    status: str  # reserved posted revealed failed
    message_ref: str | None
    created_at: dt.datetime
    posted_at: dt.datetime | None
    reveal_due_at: dt.datetime
    revealed_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class DrillStart:
    """What choosing a drill's questions reads about a person, read at once (``DrillStore.drill_start``)."""

    objective_stats: tuple[tuple[str, int, int], ...]  # (objective, right, answers), as person_objective_stats
    seen: frozenset[str]  # every question the person has answered, as seen_questions
    # due reviews (question -> due): every one whose due UTC day is at most that of the ``cap``-th most
    # overdue (all of them if fewer are due), ``cap`` being the plan's daily cap or the caller's default
    due: dict[str, dt.datetime]
    plan: StudyPlanInfo | None
    team_tz: str | None  # the zone of the person's team in the workspace (None: no team)
    active: DrillInfo | None  # as active_drill


@dataclass(frozen=True, slots=True)
class ChannelPostSummary:
    """What choosing a channel's next question needs of its posts (``PostStore.channel_post_summary``),
    whatever the channel's age: counts per question, the day's slots and the last few posts."""

    question_counts: dict[str, int]  # posts per question id, failed posts left out
    slots_on_day: tuple[int, ...]  # slots of the posts (any status) on the local day asked about, ascending
    recent: tuple[PostInfo, ...]  # the last posts (any status), oldest first, as at the end of channel_posts
