"""``pytest --db-share``: how many of the tests that ran used a database (issue 11).

A test counts as database-using when, between the start of its setup and the end of its teardown, any of
these happened:

* a DB-API connection was opened in this process: ``sqlite3.connect`` (aiosqlite, alembic, plain sqlite3),
  ``asyncpg.connect``, or a new connection in any SQLAlchemy pool (sync or async engines);
* it requested a fixture that provides a database (``DATABASE_FIXTURES``: its subprocesses may open it);
* a SQLite file (``*.db``, ``*.sqlite``) exists in its ``tmp_path`` at teardown (made by a subprocess).

Session-scoped fixtures that open a database are charged to the first test that needs them. The report
line is ``N of M tests used a database (P%)`` where M counts the tests that ran (skipped ones are listed
apart), followed by the per-folder figures. Without ``--db-share`` nothing is patched or listened to.
"""

from __future__ import annotations

import sqlite3
import sqlite3.dbapi2
from collections import Counter
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest

__all__ = ["DATABASE_FIXTURES", "pytest_addoption", "pytest_configure"]

DATABASE_FIXTURES = frozenset({"db_url", "any_db_url", "any_service", "sched_db_url", "template_db"})
_SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


class DbShare:
    """Collects which test opened a database; prints the share at the end of the session."""

    def __init__(self) -> None:
        self.current: str | None = None
        self.used: set[str] = set()
        self.ran: set[str] = set()
        self.skipped: set[str] = set()
        self._undo: list[Callable[[], None]] = []

    # -- detection ---------------------------------------------------------------------------------
    def opened(self) -> None:
        if self.current is not None:
            self.used.add(self.current)

    def install(self) -> None:
        self._wrap(sqlite3, "connect")
        self._wrap(sqlite3.dbapi2, "connect")
        try:
            import asyncpg
        except ImportError:  # pragma: no cover - asyncpg is a dependency
            pass
        else:
            self._wrap(asyncpg, "connect")
        from sqlalchemy import event
        from sqlalchemy.pool import Pool

        def on_connect(*_a: object) -> None:
            self.opened()

        event.listen(Pool, "connect", on_connect)
        self._undo.append(lambda: event.remove(Pool, "connect", on_connect))

    def _wrap(self, module: Any, name: str) -> None:
        original = getattr(module, name)

        def connect(*args: Any, **kwargs: Any) -> Any:
            self.opened()
            return original(*args, **kwargs)

        setattr(module, name, connect)
        self._undo.append(lambda: setattr(module, name, original))

    def uninstall(self) -> None:
        while self._undo:
            self._undo.pop()()

    # -- pytest hooks --------------------------------------------------------------------------------
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, None, None]:
        self.current = item.nodeid
        if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            self.used.add(item.nodeid)
        yield
        self.current = None

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Generator[None, None, None]:
        tmp = getattr(item, "funcargs", {}).get("tmp_path")
        yield
        if isinstance(tmp, Path) and tmp.exists() and any(p.suffix in _SQLITE_SUFFIXES for p in tmp.rglob("*")):
            self.used.add(item.nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            if report.skipped:
                self.skipped.add(report.nodeid)
            else:
                self.ran.add(report.nodeid)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        ran = self.ran - self.skipped
        used = self.used & ran
        share = 100 * len(used) / len(ran) if ran else 0.0
        tr = terminalreporter
        tr.section("database share")
        tr.write_line(f"{len(used)} of {len(ran)} tests used a database ({share:.1f}%); {len(ran) - len(used)} did not")
        if self.skipped:
            tr.write_line(f"({len(self.skipped)} skipped tests not counted)")
        total: Counter[str] = Counter(_folder(n) for n in ran)
        with_db: Counter[str] = Counter(_folder(n) for n in used)
        for folder in sorted(total):
            tr.write_line(f"  {folder:<28} {with_db[folder]:>4} of {total[folder]:>4} used a database")
        self.uninstall()


def _folder(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    return path.rsplit("/", 1)[0] if "/" in path else path


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db-share",
        action="store_true",
        default=False,
        help="report how many tests used a database (SQLite or PostgreSQL), overall and per folder",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--db-share", default=False):
        share = DbShare()
        share.install()
        config.pluginmanager.register(share, "studybot-db-share")
