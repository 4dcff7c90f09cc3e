"""The daily loop's tables: channels, posts, raw reaction events, scored answers, weekly boards."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.tables.types import _ts

__all__ = ["Answer", "Channel", "Post", "ReactionEventRow", "WeeklyBoard"]


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
        # the week's first attempts of a workspace, read from the index alone (the leaderboard)
        Index(
            "ix_answer_ws_week", "workspace_id", "answered_at", "team_id", "person_id", "topic_id", "correct", "prev_at"
        ),
        Index("ix_answer_team_time", "team_id", "answered_at"),
        Index("ix_answer_person_question", "person_id", "question_id"),
        Index("ix_answer_question", "question_id"),
        Index("ix_answer_person_source_time", "person_id", "source", "answered_at"),
        # a team's wrong choices per objective, question and option from the index alone (/weakspots)
        Index("ix_answer_team_objective_choice", "team_id", "objective_id", "correct", "question_id", "option"),
        Index("ix_answer_team_person_topic", "team_id", "person_id", "topic_id", "correct"),
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
    # answered_at of the same person's previous answer to the same question (by time, then id), None for the
    # first: an answer is the first attempt in [start, end) iff it is in it and prev_at is None or < start.
    # Kept by the store on every answer insert (storage.repos.boards.link_attempts); 0007 filled it.
    prev_at: dt.datetime | None = _ts(nullable=True)


class WeeklyBoard(SQLModel, table=True):
    """A channel's weekly leaderboard post: at most one per channel per week."""

    __tablename__ = "weekly_board"
    __table_args__ = (UniqueConstraint("channel_id", "week_start", name="uq_weekly_board_channel_week"),)
    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channel.id")
    week_start: dt.date
    posted_at: dt.datetime = _ts()
