"""``SqlSlackInstallations`` on SQLite and (with TEST_DATABASE_URL) PostgreSQL; migrations match the models."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select

from bot.core.ports import SlackInstallations
from storage.db import create_engine
from storage.installations import INST, SqlSlackInstallations
from storage.migrate import alembic_config, upgrade_async

T0 = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)


def installation(team: str | None, token: str, *, enterprise: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "app_id": "ASTUDY",
        "enterprise_id": enterprise,
        "team_id": team,
        "team_name": f"team {team}",
        "bot_token": token,
        "bot_id": "BSTUDY",
        "bot_user_id": "UBOT",
        "bot_scopes": ["chat:write", "commands"],
        "user_id": "UINSTALLER",
        "user_token": None,
        "is_enterprise_install": False,
        "installed_at": T0.timestamp(),
        "custom_values": {},
    } | extra


@pytest.fixture
async def repo(any_db_url: str) -> AsyncIterator[SqlSlackInstallations]:
    await upgrade_async(any_db_url)
    engine = create_engine(any_db_url)
    try:
        yield SqlSlackInstallations(engine)
    finally:
        await engine.dispose()


async def test_save_find_reinstall_and_delete(repo: SqlSlackInstallations) -> None:
    port: SlackInstallations = repo  # the repository implements the core's port
    await port.save(installation("T1", "xoxb-one"))
    await port.save(installation("T2", "xoxb-two"))
    found = await port.find(None, "T1")
    assert found == installation("T1", "xoxb-one")  # the whole JSON comes back as saved

    # a reinstall (new token, another installer) replaces the row: INSERT ... ON CONFLICT DO UPDATE
    await port.save(installation("T1", "xoxb-one-again", user_id="UOTHER", installed_at=T0.timestamp() + 60))
    async with repo.engine.connect() as conn:
        rows = (await conn.execute(select(INST).order_by(INST.c.team_id))).mappings().all()
    assert [(r["team_id"], r["bot_token"], r["installer_user_id"]) for r in rows] == [
        ("T1", "xoxb-one-again", "UOTHER"),
        ("T2", "xoxb-two", "UINSTALLER"),
    ]
    assert rows[0]["enterprise_id"] == "" and rows[0]["bot_id"] == "BSTUDY" and rows[0]["app_id"] == "ASTUDY"
    assert rows[0]["installed_at"] == T0 + dt.timedelta(seconds=60)

    assert await port.find(None, "T3") is None
    assert await port.delete(None, "T1") == 1
    assert await port.find(None, "T1") is None
    assert await port.delete(None, "T1") == 0
    assert (await port.find(None, "T2") or {}).get("bot_token") == "xoxb-two"  # the other workspace is untouched


async def test_enterprise_keys(repo: SqlSlackInstallations) -> None:
    """A workspace of an Enterprise Grid org, and an org-wide install (no team id)."""
    await repo.save(installation("T9", "xoxb-grid-ws", enterprise="E1"))
    await repo.save(installation(None, "xoxb-org", enterprise="E1", is_enterprise_install=True))
    assert (await repo.find("E1", "T9") or {})["bot_token"] == "xoxb-grid-ws"
    assert (await repo.find(None, "T9") or {})["bot_token"] == "xoxb-grid-ws"  # the notifier knows the team only
    assert (await repo.find("E1", "T5", is_enterprise_install=True) or {})["bot_token"] == "xoxb-org"
    assert await repo.find("E2", "T9") is None
    assert await repo.delete("E1", None) == 1
    assert await repo.find("E1", "T9") is not None


async def test_states_work_once_and_expire(repo: SqlSlackInstallations) -> None:
    ttl = dt.timedelta(minutes=10)
    await repo.issue_state("s1", T0 + ttl, T0)
    await repo.issue_state("s2", T0 + ttl, T0)
    assert await repo.consume_state("s1", T0 + dt.timedelta(minutes=1))
    assert not await repo.consume_state("s1", T0 + dt.timedelta(minutes=1))  # used
    assert not await repo.consume_state("nope", T0)
    assert not await repo.consume_state("s2", T0 + ttl)  # expired
    # two processes racing for one state: exactly one wins
    await repo.issue_state("s3", T0 + ttl, T0)
    wins = await asyncio.gather(*(repo.consume_state("s3", T0) for _ in range(8)))
    assert sorted(wins) == [False] * 7 + [True]


async def test_migrations_create_exactly_the_tables_the_models_describe(any_db_url: str) -> None:
    await upgrade_async(any_db_url)
    # alembic's autogenerate comparison: raises if a model and the migrated schema differ
    await asyncio.to_thread(command.check, alembic_config(any_db_url))
    await asyncio.to_thread(command.downgrade, alembic_config(any_db_url), "0003")
    await upgrade_async(any_db_url)
