"""Apply Alembic migrations (at start-up and by ``studybot db upgrade``)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from storage.db import normalize_url

__all__ = ["alembic_config", "head_revisions", "upgrade", "upgrade_async"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


def head_revisions(url: str) -> set[str]:
    """The migration heads of this code (blocking: it reads the migration scripts)."""
    return set(ScriptDirectory.from_config(alembic_config(url)).get_heads())


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at ``url`` (blocking; runs its own event loop)."""
    command.upgrade(alembic_config(url), revision)


async def upgrade_async(url: str, revision: str = "head") -> None:
    """Upgrade without blocking the running loop (Alembic runs in a worker thread)."""
    await asyncio.to_thread(upgrade, url, revision)
