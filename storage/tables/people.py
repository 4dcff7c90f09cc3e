"""Who: workspaces, people, teams and their members."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.tables.types import _ts

__all__ = ["Person", "Team", "TeamMember", "Workspace"]


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
