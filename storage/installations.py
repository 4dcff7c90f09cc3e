"""Slack OAuth installations (one row per workspace or Enterprise Grid org) and the OAuth flow's one-time states.

Storage knows nothing of slack_sdk: an installation arrives and leaves as a JSON-safe mapping of Slack's
installation fields (``team_id``, ``enterprise_id``, ``bot_token``, ``bot_user_id``, ``bot_id``, ``app_id``,
``user_id`` of the installer, ``installed_at`` in Unix seconds, ...). The columns hold what is looked up or
worth reading in SQL; ``data`` keeps the whole mapping so nothing Slack sent is lost.

Every write is one statement: ``INSERT ... ON CONFLICT DO UPDATE`` for a (re)install, ``DELETE`` for an
uninstall, and a state is consumed by a ``DELETE`` whose row count says whether it was still valid, so two
processes sharing the database can neither both consume one state nor see half an installation.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Column, String, Table, Text, UniqueConstraint, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import Field, SQLModel

from storage.tables import UTCDateTime

__all__ = ["SlackInstallation", "SlackOAuthState", "SqlSlackInstallations"]


def _ts(index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=False, index=index))


class SlackInstallation(SQLModel, table=True):
    """The latest installation of the Slack app in a workspace (or org): its bot token and who installed it.

    ``enterprise_id`` and ``team_id`` are ``""`` when Slack gives none (a workspace outside Enterprise Grid;
    an org-wide install), so the unique key also holds for them (NULLs never conflict).
    """

    __tablename__ = "slack_installation"
    __table_args__ = (UniqueConstraint("enterprise_id", "team_id", name="uq_slack_installation_org_team"),)
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: str = Field(default="", max_length=32)
    team_id: str = Field(default="", max_length=32, index=True)
    is_enterprise_install: bool = False
    app_id: str = Field(default="", max_length=32)
    bot_token: str = Field(default="", max_length=255)
    bot_user_id: str = Field(default="", max_length=32)
    bot_id: str = Field(default="", max_length=32)
    installer_user_id: str = Field(default="", max_length=32)
    installed_at: dt.datetime = _ts()
    data: str = Field(sa_column=Column(Text, nullable=False))  # the whole installation, JSON


class SlackOAuthState(SQLModel, table=True):
    """A one-time ``state`` of a started install (CSRF protection of the OAuth redirect)."""

    __tablename__ = "slack_oauth_state"
    state: str = Field(sa_column=Column(String(100), primary_key=True))
    expires_at: dt.datetime = _ts(index=True)


INST: Table = SlackInstallation.__table__  # type: ignore[attr-defined]
S: Table = SlackOAuthState.__table__  # type: ignore[attr-defined]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _installed_at(value: Any, now: dt.datetime) -> dt.datetime:
    """Slack's ``installed_at`` (Unix seconds) as aware UTC; ``now`` when absent or unreadable."""
    try:
        return dt.datetime.fromtimestamp(float(value), dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return now


class SqlSlackInstallations:
    """Slack installations and OAuth states in SQL (SQLite or PostgreSQL); implements the core's
    ``SlackInstallations`` port."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._pg = engine.dialect.name == "postgresql"

    def _insert(self, table: Table) -> Any:
        return postgresql.insert(table) if self._pg else sqlite.insert(table)

    async def save(self, installation: Mapping[str, Any]) -> None:
        """Store an installation, replacing the workspace's previous one (a reinstall, new scopes, a new token)."""
        is_org = bool(installation.get("is_enterprise_install"))
        row = {
            "enterprise_id": _text(installation.get("enterprise_id")),
            "team_id": "" if is_org else _text(installation.get("team_id")),
            "is_enterprise_install": is_org,
            "app_id": _text(installation.get("app_id")),
            "bot_token": _text(installation.get("bot_token")),
            "bot_user_id": _text(installation.get("bot_user_id")),
            "bot_id": _text(installation.get("bot_id")),
            "installer_user_id": _text(installation.get("user_id")),
            "installed_at": _installed_at(installation.get("installed_at"), dt.datetime.now(dt.UTC)),
            "data": json.dumps(dict(installation), sort_keys=True),
        }
        ins = self._insert(INST).values(**row)
        stmt = ins.on_conflict_do_update(
            index_elements=[INST.c.enterprise_id, INST.c.team_id],
            set_={k: ins.excluded[k] for k in row if k not in {"enterprise_id", "team_id"}},
        )
        async with self.engine.begin() as conn:
            await conn.execute(stmt)

    def _where(self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool) -> list[Any]:
        if is_enterprise_install or not team_id:  # an org-wide install is keyed by the org alone
            return [INST.c.enterprise_id == _text(enterprise_id), INST.c.team_id == ""]
        if enterprise_id is None:  # unknown org (a notifier knows only the team): any row of the team
            return [INST.c.team_id == team_id]
        return [INST.c.enterprise_id == enterprise_id, INST.c.team_id == team_id]

    async def find(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool = False
    ) -> dict[str, Any] | None:
        """The installation serving the workspace (or org), as stored; None if the app is not installed there."""
        stmt = (
            select(INST.c.data)
            .where(*self._where(enterprise_id, team_id, is_enterprise_install))
            .order_by(INST.c.installed_at.desc())
            .limit(1)
        )
        async with self.engine.connect() as conn:
            data = (await conn.execute(stmt)).scalar_one_or_none()
        if data is None:
            return None
        found: dict[str, Any] = json.loads(data)
        return found

    async def delete(self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool = False) -> int:
        """Forget the installation (uninstalled, or its bot token revoked); how many rows went."""
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(INST).where(*self._where(enterprise_id, team_id, is_enterprise_install)))
        return int(result.rowcount or 0)

    async def issue_state(self, state: str, expires_at: dt.datetime, now: dt.datetime) -> None:
        """Remember a new OAuth state until ``expires_at`` (and drop states that expired before ``now``)."""
        async with self.engine.begin() as conn:
            await conn.execute(delete(S).where(S.c.expires_at <= now))
            await conn.execute(self._insert(S).values(state=state, expires_at=expires_at).on_conflict_do_nothing())

    async def consume_state(self, state: str, now: dt.datetime) -> bool:
        """True once for a state issued here and not expired at ``now``; it can never be used again."""
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(S).where(S.c.state == state, S.c.expires_at > now))
        return bool(result.rowcount)
