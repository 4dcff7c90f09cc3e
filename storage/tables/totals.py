"""Totals of a team's answers, kept by the database itself: triggers on ``answer`` (migration 0009) add an
answer to them when it is inserted, take it out when it is deleted, and move it when an update changes a
column they count by (a person changing team moves their answers). They are what ``/weakspots`` reads, so
its cost grows with the syllabus and the team, not with the years of answers behind them.

Answers without a team are not counted. A row whose count falls to zero is deleted. The tables have no
foreign keys: they are derived from ``answer``, and a team is deleted only after its answers left it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Date, Index
from sqlmodel import Field, SQLModel

__all__ = ["TeamMemberTopicTotal", "TeamObjectiveDay", "TeamObjectiveTotal"]


class TeamObjectiveTotal(SQLModel, table=True):
    """A team's answers to one objective, all time."""

    __tablename__ = "team_objective_total"
    team_id: int = Field(primary_key=True)
    objective_id: str = Field(primary_key=True, max_length=8)
    n_right: int
    n: int


class TeamObjectiveDay(SQLModel, table=True):
    """A team's answers to one objective on one UTC day (the weak-spot trend's windows are sums of days)."""

    __tablename__ = "team_objective_day"
    # the counts in the index: a window's sum (the daily question's 90 days) reads the index alone (0012)
    __table_args__ = (Index("ix_team_objective_day_counts", "team_id", "day", "objective_id", "n_right", "n"),)
    team_id: int = Field(primary_key=True)
    day: dt.date = Field(sa_column=Column(Date(), primary_key=True))
    objective_id: str = Field(primary_key=True, max_length=8)
    n_right: int
    n: int


class TeamMemberTopicTotal(SQLModel, table=True):
    """A member's answers in one topic, all time, counted for the team the answers belong to."""

    __tablename__ = "team_member_topic_total"
    team_id: int = Field(primary_key=True)
    person_id: int = Field(primary_key=True)
    topic_id: str = Field(primary_key=True, max_length=2)
    n_right: int
    n: int
