"""A whole mock exam in the terminal chat: start, answer, restart in the middle, finish; and a time-out."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from adapters.console import ConsoleChat, ConsoleNotifier
from bot.app import build_runtime
from bot.core.clock import ManualClock
from content.loader import Bank

T0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


async def test_a_mock_exam_survives_a_restart_and_ends_with_the_result_by_domain(tmp_path: Path, bank: Bank) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'exam.db'}"
    clock = ManualClock(T0)
    out = io.StringIO()
    rt = await build_runtime(db, ConsoleNotifier(out), clock, bank=bank)
    chat = ConsoleChat(rt.service, ConsoleNotifier(out), clock, out=out)
    try:
        for line in ["/exam 6 12", "A", "B"]:
            assert await chat.handle_line(line)
        text = out.getvalue()
        assert "Mock exam: 6 questions in 12 minutes, in the exam's topic proportions." in text
        assert "Mock exam 1/6 · 12m left" in text and "Answer A recorded." in text and "Mock exam 3/6" in text
        assert "Right!" not in text and "Not quite" not in text  # no feedback before the end
        assert await chat.handle_line("/drill topic2")
        assert "You are in a mock exam (2/6 answered, 12m left)" in out.getvalue()
    finally:
        await rt.close()

    clock.advance(minutes=3)  # the bot restarts; the exam is in the database
    out2 = io.StringIO()
    rt2 = await build_runtime(db, ConsoleNotifier(out2), clock, bank=bank)
    chat2 = ConsoleChat(rt2.service, ConsoleNotifier(out2), clock, out=out2)
    try:
        assert await chat2.handle_line("/exam")
        assert "Your mock exam is in progress: question 3/6, 9m left." in out2.getvalue()
        for letter in "CDAB":
            assert await chat2.handle_line(letter)
        text = out2.getvalue()
        assert "Mock exam result" in text and re.search(r"Mock exam result: [0-6]/6 right \([0-9]+%\)\.", text)
        assert "Databricks publishes no passing score (exam guide 2025-09-30)" in text
        assert "By exam domain" in text and "By topic" in text
        assert "Feature Pipelines & Training/Serving Consistency" in text
        assert await rt2.store.count_rows("answer") == 6  # type: ignore[attr-defined]
        assert await chat2.handle_line("A")
        assert "This mock exam is over. Start another with /exam." in out2.getvalue()
    finally:
        await rt2.close()


async def test_time_running_out_scores_the_unanswered_as_wrong(tmp_path: Path, bank: Bank) -> None:
    clock = ManualClock(T0)
    out = io.StringIO()
    rt = await build_runtime(f"sqlite+aiosqlite:///{tmp_path / 't.db'}", ConsoleNotifier(out), clock, bank=bank)
    chat = ConsoleChat(rt.service, ConsoleNotifier(out), clock, out=out)
    try:
        for line in ["/exam 5 10", "A"]:
            assert await chat.handle_line(line)
        clock.advance(minutes=11)
        assert await chat.handle_line("B")
        text = out.getvalue()
        assert "Time is up. Mock exam result:" in text and "4 unanswered, counted as wrong" in text
        assert "(not answered, objective" in text
        assert await chat.handle_line("/exam end")
        assert "You have no mock exam in progress." in out.getvalue()
        assert await chat.handle_line("/exam 500")
        assert "must be 1-120, not 500" in out.getvalue()
    finally:
        await rt.close()


async def test_after_a_restart_a_letter_answers_the_open_drill(tmp_path: Path, bank: Bank) -> None:
    """New-user re-trial: after a restart `A` said no drill was waiting, though one was open."""
    db = f"sqlite+aiosqlite:///{tmp_path / 'drill.db'}"
    clock = ManualClock(T0)
    out = io.StringIO()
    rt = await build_runtime(db, ConsoleNotifier(out), clock, bank=bank)
    try:
        assert await ConsoleChat(rt.service, ConsoleNotifier(out), clock, out=out).handle_line("/drill topic2 2")
    finally:
        await rt.close()
    out2 = io.StringIO()
    rt2 = await build_runtime(db, ConsoleNotifier(out2), clock, bank=bank)
    try:
        chat = ConsoleChat(rt2.service, ConsoleNotifier(out2), clock, out=out2)
        assert await chat.handle_line("B")
        text = out2.getvalue()
        assert "No drill question is waiting" not in text and "Your choice B" in text and "Drill 2/2" in text
    finally:
        await rt2.close()
