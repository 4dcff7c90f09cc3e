"""Which store a test's service runs on: the in-memory fake unless the test is marked ``sqlite``.

Tests whose subject is above storage (adapter protocols, console conversations, chart replies, job routing)
run the real :class:`bot.service.QuizService` on :class:`tests.fakes.memory_store.MemoryStore`, which
``tests/storage/test_store_contract.py`` holds to the SQL store. A folder opts in by importing
``above_storage_service`` into its conftest (it provides the fixture ``service``). A test (or module, with
``pytestmark``) marked ``@pytest.mark.sqlite`` gets the service of ``build_runtime`` on a migrated SQLite
file instead: the end-to-end paths where the database matters stay on a real one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.core.clock import ManualClock
from bot.core.ports import ChartRenderer, Notifier
from bot.service import QuizService
from content.loader import Bank
from tests.fakes.memory_store import MemoryStore

__all__ = ["above_storage_service", "memory_service", "memory_store", "on_sqlite", "wire_memory_service"]


def on_sqlite(request: pytest.FixtureRequest) -> bool:
    """Whether the requesting test is marked ``sqlite`` (keep it on a real SQLite file)."""
    return request.node.get_closest_marker("sqlite") is not None


def wire_memory_service(
    notifier: Notifier, clock: ManualClock, bank: Bank, *, charts: bool = True, store: MemoryStore | None = None
) -> QuizService:
    """The service as ``bot.app.build_runtime`` wires it (same chart renderer), on a MemoryStore."""
    renderer: ChartRenderer | None = None
    if charts:
        from bot.charts import MatplotlibCharts

        renderer = MatplotlibCharts()
    return QuizService(
        store if store is not None else MemoryStore(),
        bank.syllabus,
        bank.questions,
        notifier,
        clock,
        charts=renderer,
    )


@pytest.fixture
def memory_store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
async def memory_service(
    memory_store: MemoryStore, notifier: Notifier, clock: ManualClock, bank: Bank
) -> AsyncIterator[QuizService]:
    service = wire_memory_service(notifier, clock, bank, store=memory_store)
    try:
        yield service
    finally:
        await service.aclose()


@pytest.fixture(name="service")
def above_storage_service(request: pytest.FixtureRequest) -> QuizService:
    """``memory_service``, or tests/conftest.py's ``sql_service`` for a test marked ``sqlite``."""
    service = request.getfixturevalue("sql_service" if on_sqlite(request) else "memory_service")
    assert isinstance(service, QuizService)
    return service
