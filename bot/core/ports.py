"""Ports: what the service needs from storage and from a chat platform, as Protocols.

Storage implements :class:`Store` (``storage.store.SqlStore``; ``tests/fakes/memory_store.py`` is the
in-memory twin held to it by a contract suite). ``Store`` is the union of eleven role ports, each a few
methods with one concern (people, channels, posts, answers, claims, reviews, drills, teams, reports,
feedback, plans), so a
feature can ask for just the roles it uses (``bot.exams.MockExams`` needs only ``DrillStore`` and
``ReviewStore``). Each adapter implements
:class:`Notifier`. The records below cross the port; they are plain frozen dataclasses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.core.answers import ReactionEvent
from bot.core.charts import BoardChart, ChartImage, HeatmapChart, ProgressChart
from bot.core.messages import ChannelRef, Message

__all__ = [
    "ChartRenderer",
    "ChannelInfo",
    "ChannelPostSummary",
    "DrillInfo",
    "DrillStart",
    "IncomingReaction",
    "ItemReportInfo",
    "Notifier",
    "PlatformError",
    "PlatformUnavailable",
    "PostInfo",
    "DirectMessageRefused",
    "SlackInstallations",
    "Store",
    "StudyPlanInfo",
    # the role ports Store is made of (a feature needs only the roles it uses)
    "AnswerStore",
    "ChannelStore",
    "ClaimStore",
    "DrillStore",
    "FeedbackStore",
    "PeopleStore",
    "PlanStore",
    "PostStore",
    "ReportStore",
    "ReviewStore",
    "TeamStore",
]


class PlatformError(Exception):
    """A platform refused an action (missing permission, unknown channel); not worth retrying."""


class DirectMessageRefused(PlatformError):
    """The person cannot be sent a direct message (DMs closed, app messages off, user gone)."""


class PlatformUnavailable(PlatformError):
    """This process has no connection to the channel's platform; another process may have one."""


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
class ChannelPostSummary:
    """What choosing a channel's next question needs of its posts (``PostStore.channel_post_summary``),
    whatever the channel's age: counts per question, the day's slots and the last few posts."""

    question_counts: dict[str, int]  # posts per question id, failed posts left out
    slots_on_day: tuple[int, ...]  # slots of the posts (any status) on the local day asked about, ascending
    recent: tuple[PostInfo, ...]  # the last posts (any status), oldest first, as at the end of channel_posts


class Notifier(Protocol):
    """Sends neutral messages to a platform's channels."""

    async def post(self, channel: ChannelRef, message: Message) -> str:
        """Post ``message`` in ``channel``; return the platform's message reference."""
        ...

    async def add_option_reactions(self, channel: ChannelRef, message_ref: str, count: int) -> None:
        """Add the first ``count`` option emoji (one, two, ...) as reactions to the message."""
        ...

    async def fetch_reactions(self, channel: ChannelRef, message_ref: str) -> Mapping[str, set[str]] | None:
        """Who currently reacted with what: ``{raw emoji: {user ids}}``; None if unsupported."""
        ...

    async def direct(self, to: ChannelRef, message: Message) -> str:
        """Send a direct message to the user ``to.channel`` (a user id) of workspace ``to.workspace``;
        raises :class:`DirectMessageRefused` when the person cannot be reached by DM."""
        ...

    async def update(self, channel: ChannelRef, message_ref: str, message: Message) -> None:
        """Replace a message the bot posted (a question's answered count); PlatformError if refused."""
        ...


class SlackInstallations(Protocol):
    """Slack OAuth installations (the latest one per workspace or org) and the OAuth flow's one-time states.

    An installation is a JSON-safe mapping of Slack's installation fields (``team_id``, ``enterprise_id``,
    ``is_enterprise_install``, ``bot_token``, ``bot_user_id``, ``bot_id``, ``app_id``, ``user_id`` of the
    installer, ``installed_at`` in Unix seconds, ...), returned as it was saved. ``enterprise_id=None`` in a
    lookup means "any org" (a notifier knows only the team id).
    """

    async def save(self, installation: Mapping[str, Any]) -> None: ...

    async def find(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool = False
    ) -> dict[str, Any] | None: ...

    async def delete(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool = False
    ) -> int: ...

    async def issue_state(self, state: str, expires_at: dt.datetime, now: dt.datetime) -> None: ...

    async def consume_state(self, state: str, now: dt.datetime) -> bool:
        """True once for an issued state that has not expired at ``now``."""
        ...


class ChartRenderer(Protocol):
    """Draws the charts of :mod:`bot.core.charts` (blocking: the service calls it in a worker thread)."""

    def board(self, chart: BoardChart) -> ChartImage: ...

    def heatmap(self, chart: HeatmapChart) -> ChartImage: ...

    def progress(self, chart: ProgressChart) -> ChartImage: ...


class PeopleStore(Protocol):
    """Workspaces and people: ids for the platform's workspace and user ids, names, and forget-me."""

    async def ensure_workspace(self, platform: str, external_id: str, name: str = "") -> int: ...

    async def ensure_person(
        self, workspace_id: int, external_id: str, display_name: str = "", is_bot: bool = False
    ) -> int: ...

    async def person_names(self, person_ids: Sequence[int]) -> dict[int, str]: ...

    async def find_person(self, workspace_id: int, ref: str) -> int | None:
        """A person by external id or display name (case-insensitive)."""
        ...

    async def forget_person(self, person_id: int) -> dict[str, int]:
        """Delete everything stored about a person; the audit log keeps the action but not the person."""
        ...


class ChannelStore(Protocol):
    """Subscribed channels and their schedules."""

    async def get_channel(self, workspace_id: int, external_id: str) -> ChannelInfo | None: ...

    async def channel_by_id(self, channel_id: int) -> ChannelInfo: ...

    async def subscribe_channel(
        self, workspace_id: int, external_id: str, name: str, tz: str, post_time: str, now: dt.datetime
    ) -> ChannelInfo: ...

    async def update_channel(self, channel_id: int, now: dt.datetime, **changes: object) -> ChannelInfo: ...

    async def active_channels(self) -> list[ChannelInfo]: ...

    async def set_team_tz(self, team_id: int, tz: str) -> None: ...


class PostStore(Protocol):
    """Daily question posts: reserve, mark posted or failed, find by message, open and due for reveal."""

    async def channel_posts(self, channel_id: int) -> list[PostInfo]: ...

    async def channel_post_summary(self, channel_id: int, day: dt.date, recent: int = 3) -> ChannelPostSummary:
        """In one read: how often each question was posted in the channel (failed posts not counted), the
        slots taken on local ``day``, and its last ``recent`` posts (see :class:`ChannelPostSummary`)."""
        ...

    async def reserve_post(
        self,
        channel_id: int,
        local_date: dt.date,
        slot: int,
        question_id: str,
        objective_id: str,
        option_order: Sequence[int],
        reason: str,
        reason_detail: str,
        reveal_due_at: dt.datetime,
        now: dt.datetime,
    ) -> PostInfo | None: ...

    async def mark_posted(self, post_id: int, message_ref: str, now: dt.datetime) -> None: ...

    async def mark_failed(self, post_id: int) -> None: ...

    async def release_reservation(self, post_id: int) -> None: ...

    async def get_post(self, post_id: int) -> PostInfo | None: ...

    async def post_by_message(
        self, workspace_id: int, channel_external_id: str, message_ref: str
    ) -> PostInfo | None: ...

    async def open_posts(self, channel_id: int | None = None) -> list[PostInfo]: ...

    async def due_reveals(self, now: dt.datetime) -> list[PostInfo]: ...

    async def claim_reveal(self, post_id: int, now: dt.datetime) -> bool: ...


class AnswerStore(Protocol):
    """Raw reaction events (one or a batch at a time) and the answers derived from them at the reveal."""

    async def add_reaction_event(
        self, post_id: int, person_id: int, event: ReactionEvent, raw_emoji: str, source: str, received_at: dt.datetime
    ) -> bool: ...

    async def record_reactions(self, rows: Sequence[IncomingReaction]) -> list[bool]:
        """Store many reaction events in one transaction, each with its person (created if new), in order;
        one flag per row: True if the event was new (its delivery id not seen before)."""
        ...

    async def reaction_events(self, post_id: int) -> list[tuple[int, ReactionEvent]]: ...

    async def save_daily_answers(
        self, post: PostInfo, channel: ChannelInfo, answers: Mapping[int, int], correct_option: int, at: dt.datetime
    ) -> None: ...

    async def post_answer_counts(self, post_id: int) -> tuple[dict[int, int], list[int]]: ...


class ClaimStore(Protocol):
    """Exactly-once claims and the audit log: platform deliveries, weekly boards, admin actions."""

    async def claim_delivery(self, delivery_id: str, now: dt.datetime) -> bool: ...

    async def prune_deliveries(self, before: dt.datetime) -> int: ...

    async def claim_weekly_board(self, channel_id: int, week_start: dt.date, now: dt.datetime) -> bool: ...

    async def release_weekly_board(self, channel_id: int, week_start: dt.date) -> None: ...

    async def audit(
        self, workspace_id: int | None, actor: str, actor_name: str, action: str, detail: str, at: dt.datetime
    ) -> None: ...


class ReviewStore(Protocol):
    """A person's record: FSRS review state, seen and missed questions, answer history."""

    async def review_state(self, person_id: int, question_id: str) -> tuple[str | None, dt.date | None]: ...

    async def save_review(
        self, person_id: int, question_id: str, card: str, due: dt.datetime, day: dt.date
    ) -> None: ...

    async def person_cards(self, person_id: int) -> list[tuple[str, str, dt.datetime]]: ...

    async def due_reviews(self, person_id: int, now: dt.datetime) -> dict[str, dt.datetime]: ...

    async def seen_questions(self, person_id: int) -> set[str]: ...

    async def missed_questions(self, person_id: int) -> list[str]:
        """Questions whose most recent answer by the person was wrong, most recent first."""
        ...

    async def person_objective_stats(self, person_id: int) -> list[tuple[str, int, int]]: ...

    async def person_answer_history(self, person_id: int) -> list[tuple[str, dt.datetime, bool]]:
        """Every answer of a person: (objective, when, right?), oldest first."""
        ...

    async def daily_answer_times(
        self, person_ids: Sequence[int], since: dt.datetime
    ) -> dict[int, list[dt.datetime]]: ...


class DrillStore(Protocol):
    """Private drills and mock exams: the plan, the position, the answers."""

    async def create_drill(
        self,
        workspace_id: int,
        person_id: int,
        scope: str,
        questions: Sequence[tuple[str, Sequence[int]]],
        now: dt.datetime,
        expires_at: dt.datetime,
    ) -> int: ...

    async def get_drill(self, drill_id: int) -> DrillInfo | None: ...

    async def answer_drill(self, drill: DrillInfo, seq: int, values: dict[str, Any], done: bool) -> bool:
        """Record the answer to question ``seq`` and advance; False if it was already answered."""
        ...

    async def expire_drill(self, drill_id: int) -> None: ...

    async def drill_results(self, drill_id: int) -> list[tuple[int, str, str, bool]]: ...

    async def active_drill(self, person_id: int) -> DrillInfo | None: ...

    async def drill_start(self, workspace_id: int, person_id: int, now: dt.datetime, default_cap: int) -> DrillStart:
        """Everything ``/drill`` reads before choosing, in one read: the person's objective stats, seen
        questions, study plan, team zone and active drill, and of the reviews due at ``now`` only those a
        daily cap can reach (the plan's cap, ``default_cap`` without a plan; see :class:`DrillStart`)."""
        ...


class TeamStore(Protocol):
    """Teams, their members and leads."""

    async def ensure_team(self, workspace_id: int, name: str, tz: str = "UTC") -> int: ...

    async def team_by_name(self, workspace_id: int, name: str) -> tuple[int, str, str] | None: ...

    async def team_info(self, team_id: int) -> tuple[int, str, str, int]: ...

    async def delete_team(self, team_id: int) -> int:
        """Delete a team (members become teamless, keeping their answers); returns its member count."""
        ...

    async def set_member(self, workspace_id: int, team_id: int, person_id: int, *, lead: bool | None = None) -> None:
        """Put a person in a team (one team per workspace); optionally set lead; their answers follow them."""
        ...

    async def join_if_teamless(self, workspace_id: int, team_id: int, person_id: int) -> None: ...

    async def remove_member(self, team_id: int, person_id: int) -> bool: ...

    async def person_team(self, workspace_id: int, person_id: int) -> tuple[int, bool] | None: ...

    async def teams(self, workspace_id: int) -> list[dict[str, Any]]: ...

    async def team_names(self, workspace_id: int) -> dict[int, str]: ...


class ReportStore(Protocol):
    """Aggregates for the boards, weak-spot reports and item analysis."""

    async def first_attempts(
        self, workspace_id: int, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[int | None, int, str, int, int]]:
        """Per (team, person, topic): first attempts at distinct questions in [start, end) and how many were right."""
        ...

    async def team_first_attempts(
        self, workspace_id: int, team_id: int, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[int, int | None, str, int, int]]:
        """As :meth:`first_attempts` for one team's board: ``team_id``'s rows per person; every other team's
        rows summed per (team, topic), with person None; answers of no team left out."""
        ...

    async def team_objective_stats(
        self, team_id: int, since: dt.datetime | None = None, until: dt.datetime | None = None
    ) -> list[tuple[str, int, int]]: ...

    async def team_objective_stats_since(
        self, team_id: int, objective_ids: Sequence[str], since: dt.datetime
    ) -> list[tuple[str, int, int]]:
        """(objective, right, answers) of the team's answers from ``since`` on, for each of ``objective_ids``
        that has any (as ``team_objective_stats(team_id, since=since)`` restricted to them), read per
        objective through an index: the cost follows the objectives asked for, not the team's history.
        If none of them has answers, the figures of every objective (so [] means no answer at all)."""
        ...

    async def team_wrong_choices(self, team_id: int, objective_ids: Sequence[str]) -> list[tuple[str, str, int, int]]:
        """(objective, question, canonical option, count) of wrong answers, most chosen first."""
        ...

    async def team_member_topic_stats(self, team_id: int) -> list[tuple[int, str, int, int]]: ...

    async def first_attempt_choices(self) -> list[tuple[str, int, int, bool]]:
        """(question, person, canonical option, correct) of every person's first attempt at a question."""
        ...


class FeedbackStore(Protocol):
    """Question reports ("Report a problem"): stored once per platform delivery, read without the reporter."""

    async def add_item_report(
        self,
        delivery_id: str,
        workspace_id: int,
        person_id: int,
        question_id: str,
        bank_version: str,
        kind: str,
        text: str,
        source: str,
        at: dt.datetime,
    ) -> bool:
        """Store one report; False (and nothing stored) if ``delivery_id`` was stored before."""
        ...

    async def item_reports(self, since: dt.datetime | None = None) -> list[ItemReportInfo]:
        """Every report (made at or after ``since``), oldest first; forget-me leaves them without a person."""
        ...


class PlanStore(Protocol):
    """Personal study plans: reminders, exam date, pauses, the daily review cap."""

    async def get_plan(self, person_id: int) -> StudyPlanInfo | None: ...

    async def save_plan(self, person_id: int, now: dt.datetime, **changes: object) -> StudyPlanInfo:
        """Create or change a plan (``tz``, ``remind_time``, ``exam_date``, ``weekly_summary``,
        ``daily_cap``, ``dm_blocked_at``); unknown fields raise ``TypeError``."""
        ...

    async def messaged_plans(self) -> list[StudyPlanInfo]:
        """Plans that may get a direct message (a reminder time or the weekly summary, DMs not refused)."""
        ...

    async def plans_to_message(self, now: dt.datetime) -> list[StudyPlanInfo]:
        """The messaged plans (as ``messaged_plans``, by person) whose reminder has not gone out on the local
        day of ``now`` in the plan's zone, or whose weekly summary has not for that day's week (its Monday):
        the minute sweep's candidates, filtered in the store (a plan left out has nothing due)."""
        ...

    async def count_reminded(self, workspace_id: int) -> int:
        """How many people of the workspace get review reminders (a reminder time, DMs not refused)."""
        ...

    async def claim_message(self, person_id: int, kind: str, day: dt.date) -> bool:
        """Mark the ``kind`` message (``reminder``: local ``day``; ``summary``: its Monday) as sent;
        False if it already was (at most one a day, one summary a week), across processes."""
        ...

    async def count_review(self, person_id: int, day: dt.date, now: dt.datetime) -> int:
        """One more due review answered on local ``day``; returns the day's count."""
        ...

    async def add_pause(self, person_id: int, start: dt.date, end: dt.date) -> None: ...

    async def end_pause(self, person_id: int, day: dt.date) -> tuple[dt.date, dt.date] | None:
        """End the pause covering ``day`` there (``day`` is no longer paused); returns its old range."""
        ...

    async def reschedule_reviews(self, person_id: int, cards: Sequence[tuple[str, str, dt.datetime]]) -> None:
        """Replace the card and due time of existing review states (question, card JSON, due)."""
        ...

    async def pauses_of(self, person_ids: Sequence[int]) -> dict[int, list[tuple[dt.date, dt.date]]]: ...


class Store(
    PeopleStore,
    ChannelStore,
    PostStore,
    AnswerStore,
    ClaimStore,
    ReviewStore,
    DrillStore,
    TeamStore,
    ReportStore,
    FeedbackStore,
    PlanStore,
    Protocol,
):
    """Persistence used by the service. Every write is idempotent where the platform may repeat."""
