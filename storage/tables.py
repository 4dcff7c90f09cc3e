"""SQLModel tables. Times are stored as naive UTC and returned as aware UTC (:class:`UTCDateTime`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, DateTime, Index, String, Table, Text, TypeDecorator, UniqueConstraint, text
from sqlmodel import Field, SQLModel

__all__ = [
    "Answer",
    "AuditLog",
    "Channel",
    "Delivery",
    "DrillSession",
    "ItemReport",
    "Lease",
    "Person",
    "Post",
    "ReactionEventRow",
    "Review",
    "StudyPause",
    "StudyPlan",
    "Team",
    "TeamMember",
    "UTCDateTime",
    "WeeklyBoard",
    "Workspace",
    "table_of",
]


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out; naive UTC in the database (SQLite and PostgreSQL alike)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


def table_of(model: Any) -> Table:
    """The SQLAlchemy Table behind a SQLModel table class (for Core queries)."""
    return model.__table__  # type: ignore[no-any-return]


def _ts(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Workspace(SQLModel, table=True):
    __tablename__ = "workspace"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_workspace_platform_ext"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)
    created_at: dt.datetime = _ts()


class Person(SQLModel, table=True):
    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id", name="uq_person_ws_ext"),)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    external_id: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=200)
    is_bot: bool = False
    created_at: dt.datetime = _ts()


class Team(SQLModel, table=True):
    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("workspace_id", "name", name="uq_team_ws_name"),)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    name: str = Field(max_length=80)
    tz: str = Field(default="UTC", max_length=64)


class TeamMember(SQLModel, table=True):
    __tablename__ = "team_member"
    # a person belongs to one team per workspace
    __table_args__ = (UniqueConstraint("workspace_id", "person_id", name="uq_team_member_ws_person"),)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    team_id: int = Field(foreign_key="team.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    is_lead: bool = False


class Channel(SQLModel, table=True):
    __tablename__ = "channel"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id", name="uq_channel_ws_ext"),)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    external_id: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)
    tz: str = Field(default="UTC", max_length=64)
    post_time: str = Field(default="09:00", max_length=5)
    reveal_minutes: int = 480
    team_id: int | None = Field(default=None, foreign_key="team.id")
    active: bool = True
    focus_topic: str | None = Field(default=None, max_length=2)
    focus_until: dt.datetime | None = _ts(nullable=True)
    scheduled_since: dt.datetime | None = _ts(nullable=True)
    created_at: dt.datetime = _ts()
    updated_at: dt.datetime = _ts()


class Post(SQLModel, table=True):
    __tablename__ = "post"
    # at most one daily post (slot 0) per channel per local date; bonus posts take slots 1, 2, ...
    __table_args__ = (
        UniqueConstraint("channel_id", "local_date", "slot", name="uq_post_channel_date_slot"),
        Index("ix_post_status_reveal", "status", "reveal_due_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channel.id")
    local_date: dt.date
    slot: int = 0
    question_id: str = Field(max_length=32, index=True)
    objective_id: str = Field(max_length=8)
    option_order: str = Field(max_length=4)  # "2013": shown letter i is canonical option order[i]
    reason: str = Field(default="coverage", max_length=16)
    reason_detail: str = Field(default="", max_length=200)
    status: str = Field(default="reserved", max_length=12)  # reserved posted revealed failed
    message_ref: str | None = Field(default=None, max_length=64, index=True)
    created_at: dt.datetime = _ts()
    posted_at: dt.datetime | None = _ts(nullable=True)
    reveal_due_at: dt.datetime = _ts()
    revealed_at: dt.datetime | None = _ts(nullable=True)


class ReactionEventRow(SQLModel, table=True):
    """Every raw reaction event, append-only, unique on the platform's delivery id."""

    __tablename__ = "reaction_event"
    id: int | None = Field(default=None, primary_key=True)
    delivery_id: str = Field(sa_column=Column(String(128), unique=True, nullable=False))
    post_id: int = Field(foreign_key="post.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    option: int | None = None
    raw_emoji: str = Field(default="", max_length=100)
    added: bool = True
    is_bot: bool = False
    source: str = Field(default="event", max_length=12)  # event | reconcile
    occurred_at: dt.datetime = _ts()
    received_at: dt.datetime = _ts()


class Answer(SQLModel, table=True):
    """A scored answer: a daily post's final answer or one drill question."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("post_id", "person_id", name="uq_answer_post_person"),
        UniqueConstraint("drill_id", "drill_seq", name="uq_answer_drill_seq"),
        Index("ix_answer_ws_time", "workspace_id", "answered_at"),
        Index("ix_answer_team_time", "team_id", "answered_at"),
        Index("ix_answer_person_question", "person_id", "question_id"),
        Index("ix_answer_question", "question_id"),
        Index("ix_answer_person_source_time", "person_id", "source", "answered_at"),
        Index("ix_answer_team_objective", "team_id", "objective_id", "correct"),
        Index("ix_answer_team_person_topic", "team_id", "person_id", "topic_id", "correct"),
        # a team's recent answers per objective (the daily question's weighting), one range per objective;
        # partial on a condition every row meets, so only queries that repeat it use the index (SQLite has no
        # statistics: as a plain index it would also be chosen for the weak-spot windows, and be slower there)
        Index(
            "ix_answer_team_objective_window",
            "team_id",
            "objective_id",
            "answered_at",
            "correct",
            sqlite_where=text("objective_id > ''"),
            postgresql_where=text("objective_id > ''"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    person_id: int = Field(foreign_key="person.id")
    team_id: int | None = Field(default=None, foreign_key="team.id")
    channel_id: int | None = Field(default=None, foreign_key="channel.id")
    question_id: str = Field(max_length=32)
    objective_id: str = Field(max_length=8)
    subtopic_id: str = Field(max_length=4)
    topic_id: str = Field(max_length=2)
    source: str = Field(max_length=8)  # daily | drill
    post_id: int | None = Field(default=None, foreign_key="post.id")
    drill_id: int | None = Field(default=None, foreign_key="drill_session.id")
    drill_seq: int | None = None
    option: int  # canonical option index 0-3
    correct: bool
    answered_at: dt.datetime = _ts()


class Review(SQLModel, table=True):
    """Spaced-repetition state (FSRS card) per person and question."""

    __tablename__ = "review"
    __table_args__ = (
        UniqueConstraint("person_id", "question_id", name="uq_review_person_question"),
        Index("ix_review_person_due", "person_id", "due"),
    )
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    question_id: str = Field(max_length=32)
    card: str = Field(sa_column=Column(Text, nullable=False))
    due: dt.datetime = _ts()
    last_review_date: dt.date | None = None


class DrillSession(SQLModel, table=True):
    __tablename__ = "drill_session"
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    person_id: int = Field(foreign_key="person.id", index=True)
    scope: str = Field(max_length=40)
    questions: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of [question_id, order]
    position: int = 0  # index of the question being asked
    status: str = Field(default="active", max_length=10)  # active done expired
    created_at: dt.datetime = _ts()
    expires_at: dt.datetime = _ts()


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int | None = Field(default=None, foreign_key="workspace.id", index=True)
    actor: str = Field(max_length=64)
    actor_name: str = Field(default="", max_length=200)
    action: str = Field(max_length=40)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    at: dt.datetime = _ts()


class Delivery(SQLModel, table=True):
    """Platform deliveries already handled (Slack event_id, Discord interaction id): dedupe key."""

    __tablename__ = "delivery"
    id: str = Field(sa_column=Column(String(160), primary_key=True))
    received_at: dt.datetime = _ts()


class Lease(SQLModel, table=True):
    """A named lease (the scheduler runs in whichever process holds ``scheduler``)."""

    __tablename__ = "lease"
    name: str = Field(sa_column=Column(String(40), primary_key=True))
    holder: str = Field(max_length=120)
    expires_at: dt.datetime = _ts()


class WeeklyBoard(SQLModel, table=True):
    """A channel's weekly leaderboard post: at most one per channel per week."""

    __tablename__ = "weekly_board"
    __table_args__ = (UniqueConstraint("channel_id", "week_start", name="uq_weekly_board_channel_week"),)
    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channel.id")
    week_start: dt.date
    posted_at: dt.datetime = _ts()


class ItemReport(SQLModel, table=True):
    """A learner's report of a problem with a question ("Report a problem" on reveals and drill feedback)."""

    __tablename__ = "item_report"
    __table_args__ = (Index("ix_item_report_question", "question_id", "created_at"),)
    id: int | None = Field(default=None, primary_key=True)
    # the platform's delivery (Slack view submission, Discord interaction id): a repeat changes nothing
    delivery_id: str = Field(sa_column=Column(String(160), unique=True, nullable=False))
    workspace_id: int = Field(foreign_key="workspace.id")
    person_id: int | None = Field(default=None, foreign_key="person.id")  # None once the person is forgotten
    question_id: str = Field(max_length=32)
    bank_version: str = Field(max_length=40)  # content hash of the item as it was shown
    kind: str = Field(max_length=12)  # wrong_key unclear outdated typo other
    text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    source: str = Field(default="reveal", max_length=8)  # reveal | drill | exam
    created_at: dt.datetime = _ts()


class StudyPlan(SQLModel, table=True):
    """A person's study plan: review reminder, exam date, pause and daily cap (one row per person)."""

    __tablename__ = "study_plan"
    person_id: int = Field(primary_key=True, foreign_key="person.id")
    tz: str = Field(default="UTC", max_length=64)
    remind_time: str | None = Field(default=None, max_length=5)  # "08:00" local; None: no reminders
    last_reminded_on: dt.date | None = None  # local date of the last reminder (at most one a day)
    dm_blocked_at: dt.datetime | None = _ts(nullable=True)  # a DM was refused: noticed once, not retried
    exam_date: dt.date | None = None
    weekly_summary: bool = False  # opt-in Monday DM with progress against the plan
    last_summary_on: dt.date | None = None
    daily_cap: int = 20  # at most this many reviews a day
    reviews_on: dt.date | None = None  # the local date ``reviews_done`` counts
    reviews_done: int = 0  # due reviews answered on ``reviews_on``
    updated_at: dt.datetime = _ts()


class StudyPause(SQLModel, table=True):
    """A vacation hold: no reminders on local dates [start_date, end_date), and streaks skip those days."""

    __tablename__ = "study_pause"
    __table_args__ = (Index("ix_study_pause_person", "person_id", "start_date"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    start_date: dt.date
    end_date: dt.date
