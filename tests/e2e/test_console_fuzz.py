"""The terminal chat survives any line (issue #18): generated lines, a fixed seed, no unexpected error.

The chat catches whatever a line raises and goes on, so the property checked is stronger: no line
reaches that catch-all ("Sorry, that failed"), i.e. every input gets a real reply. ``STUDYBOT_FUZZ_LONG=1``
runs 10,000 lines instead of 600.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
from pathlib import Path

import pytest

from adapters.console import ConsoleChat, ConsoleNotifier
from bot.app import build_runtime
from bot.core.clock import ManualClock
from bot.core.ratelimit import RateLimiter
from content.loader import Bank

LONG = os.environ.get("STUDYBOT_FUZZ_LONG") == "1"

_HEADS = [
    "/studybot",
    "/drill",
    "/leaderboard",
    "/weakspots",
    "/stats",
    "/nope",
    "react",
    "unreact",
    "as",
    "channel",
    "time",
    "A",
    "b",
    "help",
    "",
    "  ",
    "/studybot team",
    "/studybot settings",
    "/studybot focus",
]
_WORDS = [
    "subscribe",
    "settings",
    "time",
    "tz",
    "reveal",
    "post-now",
    "reveal-now",
    "focus",
    "off",
    "team",
    "create",
    "delete",
    "add",
    "remove",
    "lead",
    "unlead",
    "list",
    "forget-me",
    "confirm",
    "topic3",
    "Topic",
    "3",
    "3.2",
    "3.2.4",
    "weak",
    "missed",
    "due",
    "20",
    "0",
    "²",
    "٣",
    "9am",
    "25:00",
    "0900",
    "Europe/Berlin",
    "europe/berlin",
    "America",
    "America/Argentina",
    "US",
    "Brazil",
    "EST",
    "+02:00",
    "UTC",
    "8h",
    "99h",
    "0001-01-01",
    "9999-12-31",
    "2030-01-01",
    "this",
    "last",
    "@alice",
    "alice",
    "bob",
    "admin",
    "1",
    "4",
    "9",
    "D",
    "🚀",
    "日本語",
    "'",
    '"',
    "\\",
    "<@U1>",
    "+1d",
    "+3h",
    "-2d",
    "2026-12-07",
    "08:00",
    "x" * 300,
    "Data",
    "Science",
    "#study-group",
    "\x00",
    "\u202e",
]


def _line(rng: random.Random) -> str:
    if rng.random() < 0.08:
        return "".join(rng.choice("abc/:;'\"\\ 0123456789²٣🚀\t") for _ in range(rng.randint(0, 30)))
    head = rng.choice(_HEADS)
    return " ".join([head, *rng.choices(_WORDS, k=rng.randint(0, 4))])


@pytest.mark.slow
async def test_generated_lines_never_reach_the_catch_all(
    tmp_path: Path, bank: Bank, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.app.load_content", lambda: bank)
    out = io.StringIO()
    clock = ManualClock(dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC))
    notifier = ConsoleNotifier(out)
    rt = await build_runtime(f"sqlite+aiosqlite:///{tmp_path / 'fuzz.db'}", notifier, clock, bank=bank)
    rt.service.limiter = RateLimiter(burst=10**9)  # the clock hardly moves here: test the commands, not the flood limit
    moved = 0

    async def clock_moved() -> None:
        nonlocal moved
        moved += 1
        await rt.service.daily.catch_up()

    chat = ConsoleChat(rt.service, notifier, clock, out=out, on_clock_moved=clock_moved)
    rng = random.Random(20261203)
    lines = iter(
        [
            "/studybot subscribe 09:00 Europe/Berlin",
            "/studybot post-now",
            *(("time +1d" if i % 100 == 99 else _line(rng)) for i in range(10_000 if LONG else 600)),
            "quit",
        ]
    )

    async def feed() -> str:
        return next(lines, "") + "\n"

    try:
        await chat.run(feed)
        text = out.getvalue()
        assert "Sorry, that failed" not in text, text[text.find("Sorry, that failed") - 600 :][:900]
        assert text.rstrip().endswith("bye")
        assert moved > 0  # the clock moved during the run, so scheduled work was exercised too
        assert "faster than StudyBot takes them" not in text
    finally:
        await rt.close()
