"""Fixtures for scheduler tests: a migrated database copied per test, and a small question bank.

Migrating and loading the whole bank take over a second each; the scheduler does not care how many
questions there are, so tests share one migrated template file and one question file.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.core.ports import Notifier
from bot.service import QuizService
from content.loader import Bank
from storage.migrate import upgrade
from tests.scheduler.helpers import make_service, small_bank


@pytest.fixture(scope="session")
def bank_small() -> Bank:
    return small_bank()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def sched_db_url(tmp_path: Path, template_db: Path) -> str:
    target = tmp_path / "sched.db"
    shutil.copyfile(template_db, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
async def svc(
    sched_db_url: str, notifier: Notifier, clock: ManualClock, bank_small: Bank
) -> AsyncIterator[QuizService]:
    service = make_service(sched_db_url, notifier, clock, bank_small)
    try:
        yield service
    finally:
        await service.store.engine.dispose()  # type: ignore[attr-defined]
