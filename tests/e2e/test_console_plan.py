"""A review reminder in the terminal chat: /plan remind, the clock moves on, the DM with its button, `review`."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from adapters.console import ConsoleChat, ConsoleNotifier
from bot.app import build_runtime
from bot.core.clock import ManualClock
from content.loader import Bank


async def test_a_reminder_arrives_when_the_clock_reaches_it_and_review_starts_the_drill(
    tmp_path: Path, bank: Bank
) -> None:
    clock = ManualClock(dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC))
    out = io.StringIO()
    notifier = ConsoleNotifier(out)
    rt = await build_runtime(f"sqlite+aiosqlite:///{tmp_path / 'plan.db'}", notifier, clock, bank=bank)

    async def moved() -> None:
        await rt.service.plans.messages.send_due()

    chat = ConsoleChat(rt.service, notifier, clock, out=out, on_clock_moved=moved)
    try:
        for line in ["/drill 1.1 1", "A", "/plan remind 08:00 UTC"]:
            assert await chat.handle_line(line)
        assert "Review reminders on: a direct message at 08:00 UTC" in out.getvalue()
        assert await chat.handle_line("time 2026-12-20 08:00")
        text = out.getvalue()
        assert "── direct message to you" in text and "1 review(s) due today." in text
        assert "[Start my reviews]  (type: review)" in text
        assert await chat.handle_line("review")
        assert "Drill: 5 question(s) · reviews due, then your weak areas." in out.getvalue()
        assert await chat.handle_line("/plan")
        assert "Your study plan" in out.getvalue() and "08:00 UTC, next Mon 2026-12-21 08:00" in out.getvalue()
    finally:
        await rt.close()
