"""Operations: the admin audit log, delivery dedupe, the scheduler lease."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, String, Text
from sqlmodel import Field, SQLModel

from storage.tables.types import _ts

__all__ = ["AuditLog", "Delivery", "Lease"]


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
