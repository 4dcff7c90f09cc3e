"""Learning state: FSRS reviews, drill sessions, study plans and pauses, question reports."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.tables.types import _ts

__all__ = ["DrillSession", "ItemReport", "Review", "StudyPause", "StudyPlan"]


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
