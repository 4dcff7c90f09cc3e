"""``studybot content reports``, the reports column of ``item-stats`` and "needs review" in ``content validate``,
through ``bot.cli.main`` on a SQLite file holding reports (the bank loaded once per session)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.feedback import bank_version
from content import QUESTIONS_DIR
from content.loader import Bank
from tests.conftest import sqlite_url

T0 = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


async def _seed(url: str, bank: Bank) -> None:
    from storage.db import create_engine
    from storage.migrate import upgrade_async
    from storage.store import SqlStore

    await upgrade_async(url)
    engine = create_engine(url)
    store = SqlStore(engine)
    try:
        ws = await store.ensure_workspace("slack", "T1")
        alice, bob = await store.ensure_person(ws, "UALICE", "alice"), await store.ensure_person(ws, "UBOB", "bob")
        first, second = bank.questions[0], bank.questions[1]
        now = bank_version(first)
        await store.add_item_report(
            "slack:view:V1", ws, alice, first.id, now, "unclear", "Which  workspace?", "reveal", T0
        )
        await store.add_item_report(
            "discord:interaction:7", ws, bob, first.id, now, "typo", "", "drill", T0 + dt.timedelta(hours=1)
        )
        # a report about a wording the bank no longer has
        await store.add_item_report("slack:view:V2", ws, bob, second.id, "0" * 12, "wrong_key", "B, not C", "drill", T0)
    finally:
        await engine.dispose()


@pytest.fixture
def reported(tmp_path: Path, bank: Bank, monkeypatch: pytest.MonkeyPatch) -> str:
    url = sqlite_url(tmp_path)
    asyncio.run(_seed(url, bank))
    monkeypatch.setattr("bot.app.load_content", lambda: bank)
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def _file_of(bank: Bank, qid: str) -> Path:
    item = next(it for it in bank.items if it.model.id == qid)
    return QUESTIONS_DIR / Path(item.file).name


def test_content_reports_lists_kinds_texts_and_wording_changes_but_not_who(
    reported: str, bank: Bank, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = bank.questions[0], bank.questions[1]
    assert main(["content", "reports"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == f"{first.id}  2 report(s): unclear 1, typo 1; latest 2026-12-01 10:30 UTC"
    assert lines[1] == f"    all about the current wording (version {bank_version(first)})"
    assert lines[2] == "    “Which workspace?”"
    assert lines[3] == f"{second.id}  1 report(s): wrong key 1; latest 2026-12-01 09:30 UTC"
    assert lines[4] == (
        f"    wording changed since 1 of them (reported on 000000000000; now {bank_version(second)}); "
        "0 about the current wording"
    )
    assert "3 report(s) on 2 question(s). Reporters are not shown." in out
    assert "alice" not in out and "UBOB" not in out and "bob" not in out

    assert main(["content", "reports", "--since", "2026-12-02"]) == 0
    assert capsys.readouterr().out == "No problem reports since 2026-12-02.\n"
    assert main(["content", "reports", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(d["question"], d["by_kind"], d["wording_changed"]) for d in data] == [
        (first.id, {"unclear": 1, "typo": 1}, False),
        (second.id, {"wrong_key": 1}, True),
    ]
    with pytest.raises(SystemExit):
        main(["content", "reports", "--since", "yesterday"])
    assert "is not a date; use YYYY-MM-DD" in capsys.readouterr().err


def test_validate_warns_that_a_reported_item_needs_review_and_fails_only_when_strict(
    reported: str, bank: Bank, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = bank.questions[0], bank.questions[1]
    path = _file_of(bank, first.id)
    assert main(["content", "validate", "--file", str(path)]) == 0
    out = capsys.readouterr().out
    [warn] = [line for line in out.splitlines() if "R-01" in line]
    assert warn == (
        f"WARN R-01 {path} item {first.id}: needs review: 2 problem report(s) (unclear 1, typo 1), "
        "2 about its current wording; see studybot content reports"
    )
    assert second.id not in out  # its only report is about an older wording
    assert "1 item(s) need review after problem reports" in out and out.rstrip().endswith("content validate: OK")
    assert main(["content", "validate", "--file", str(path), "--strict"]) == 1
    assert "content validate: FAILED (--strict: items need review)" in capsys.readouterr().out


def test_validate_without_a_database_does_not_create_one(
    tmp_path: Path, bank: Bank, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sqlite_url(tmp_path / "none")
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["content", "validate", "--file", str(_file_of(bank, bank.questions[0].id))]) == 0
    out = capsys.readouterr().out
    assert "problem reports not checked" in out and "R-01" not in out
    assert not (tmp_path / "none").exists()


def test_item_stats_shows_the_reports_count(
    reported: str, bank: Bank, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [(bank.questions[0].id, 1, bank.questions[0].answer_index, True)]

    async def choices(_self: object) -> list[tuple[str, int, int, bool]]:
        return rows

    monkeypatch.setattr("storage.store.SqlStore.first_attempt_choices", choices)
    assert main(["content", "item-stats", "--json"]) == 0
    [stat] = json.loads(capsys.readouterr().out)
    assert (stat["question"], stat["reports"]) == (bank.questions[0].id, 2)
    assert main(["content", "item-stats"]) == 0
    out = capsys.readouterr().out
    header, row = out.splitlines()[:2]
    assert header.split()[7] == "reports" and row.split()[7] == "2"
    assert "3 problem report(s) on 2 question(s): studybot content reports" in out
