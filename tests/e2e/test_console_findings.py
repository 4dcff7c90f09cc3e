"""What the new user met in the terminal chat (issue #10, findings 14, 21 and item 7), replayed."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from adapters.console import ConsoleChat, ConsoleNotifier
from bot.app import build_runtime
from bot.core.clock import ManualClock
from content.loader import Bank


async def _chat(tmp_path: Path, bank: Bank, clock: ManualClock) -> tuple[ConsoleChat, io.StringIO, object]:
    out = io.StringIO()
    notifier = ConsoleNotifier(out)
    rt = await build_runtime(f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", notifier, clock, bank=bank)

    async def moved() -> None:
        await rt.service.daily.catch_up()
        for ch in await rt.store.active_channels():
            await rt.service.boards.post_weekly(ch.id)

    return ConsoleChat(rt.service, notifier, clock, out=out, on_clock_moved=moved), out, rt


async def test_as_keeps_admin_rights_and_bad_lines_get_usage(tmp_path: Path, bank: Bank) -> None:
    chat, out, rt = await _chat(tmp_path, bank, ManualClock(dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC)))
    try:
        for line in [
            "as bob",
            "as you",
            "/studybot subscribe 09:00 Europe/Berlin",
            "as bob carol",
            "react frank",
            "/studybot post-now",
            "react gina 2",
            "unreact gina 3",
            "unreact gina 2",
        ]:
            assert await chat.handle_line(line)
        text = out.getvalue()
        assert "(now typing as you (admin))" in text and "Subscribed: a daily ML-PRO question" in text
        assert "usage: as NAME [admin]" in text and "usage: react NAME N" in text
        assert (
            "(gina reacted 2️⃣)" in text and "(gina has no 3️⃣ reaction to remove)" in text and "(gina removed 2️⃣)" in text
        )
    finally:
        await rt.close()  # type: ignore[attr-defined]


async def test_time_travel_shows_the_monday_board_and_drill_expiry(tmp_path: Path, bank: Bank) -> None:
    clock = ManualClock(dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC))  # Thursday
    chat, out, rt = await _chat(tmp_path, bank, clock)
    try:
        for line in [
            "/studybot subscribe 09:00 Europe/Berlin",
            "/drill 1.1.1 1",
            "A",
            "/drill topic2",
            "time +3h",
            "B",
            "time 2026-12-07 08:00",
            "time",
        ]:
            assert await chat.handle_line(line)
        text = out.getvalue()
        assert "Drill done: " in text
        assert "This drill expired. Start a new one with /drill." in text
        assert "(the clock is now Mon 2026-12-07 08:00 UTC)" in text and "(it is Mon 2026-12-07 08:00 UTC)" in text
        assert "Leaderboard · #study-group · last week (from Monday 2026-11-30, Europe/Berlin)" in text
        assert "Daily question" in text  # Monday's question was posted by the catch-up
        assert await chat.handle_line("time soon")
        assert "usage: time +1d" in out.getvalue()
    finally:
        await rt.close()  # type: ignore[attr-defined]


async def test_channel_switch_makes_another_team(tmp_path: Path, bank: Bank) -> None:
    chat, out, rt = await _chat(tmp_path, bank, ManualClock(dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC)))
    try:
        for line in [
            "/studybot subscribe",
            "channel ml-club",
            "/studybot subscribe 8am Asia/Tokyo",
            "/studybot team list",
        ]:
            assert await chat.handle_line(line)
        text = out.getvalue()
        assert "(now in #ml-club)" in text and "#ml-club" in text and "Asia/Tokyo" in text and "#study-group" in text
    finally:
        await rt.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "lines",
    [
        ["/drill ²"],
        ["/studybot settings tz America"],
        ["/leaderboard 0001-01-01"],
        ["/leaderboard 9999-12-31"],
        ["/studybot subscribe 09:00 America/Argentina"],
        ["/studybot focus topic3 ²"],
    ],
)
async def test_inputs_that_once_killed_the_chat_get_a_reply(tmp_path: Path, bank: Bank, lines: list[str]) -> None:
    chat, out, rt = await _chat(tmp_path, bank, ManualClock(dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC)))
    feed = iter([*lines, ""])

    async def read() -> str:
        return next(feed)

    try:
        await chat.run(read)
        text = out.getvalue()
        assert "Sorry, that failed" not in text and "Traceback" not in text
        assert "[only you can see this]" in text and text.rstrip().endswith("bye")
    finally:
        await rt.close()  # type: ignore[attr-defined]
