"""One end-to-end conversation through the console adapter, on a real SQLite file."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from adapters.console import ConsoleChat, ConsoleNotifier
from bot.app import build_runtime
from bot.core.clock import ManualClock


async def test_subscribe_post_react_reveal(tmp_path: Path) -> None:
    out = io.StringIO()
    clock = ManualClock(dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC))
    notifier = ConsoleNotifier(out)
    rt = await build_runtime(f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}", notifier, clock)
    chat = ConsoleChat(rt.service, notifier, clock, out=out)
    try:
        for line in ["help", "/studybot subscribe 09:00 Europe/Berlin", "/studybot settings", "/studybot post-now"]:
            assert await chat.handle_line(line)
        text = out.getvalue()
        assert "Subscribed: a daily ML-PRO question at 09:00 Europe/Berlin" in text
        assert "post time   09:00 Europe/Berlin" in text
        assert "Daily question · Topic" in text and "React with" in text
        ref = notifier.latest_question
        assert ref is not None
        ws = await rt.store.ensure_workspace("console", "local")
        ch = await rt.store.get_channel(ws, "study-group")
        assert ch is not None
        post = (await rt.store.open_posts(ch.id))[0]
        q = rt.service.by_id[post.question_id]
        key = post.option_order.index(q.answer_index)
        for line in [
            f"react alice {key + 1}",
            f"react bob {(key + 1) % 4 + 1}",
            f"unreact bob {(key + 1) % 4 + 1}",
            f"react bob {'ABCD'[key]}",
            "react carol 9",
            "as dave",
            "/studybot reveal-now",
            "as lead admin",
            "/studybot reveal-now",
        ]:
            assert await chat.handle_line(line)
        text = out.getvalue()
        assert "usage: react NAME N" in text  # carol's bad option
        assert "Only workspace admins" in text  # dave is not an admin
        assert f"Correct: {'ABCD'[key]}." in text
        assert "2 answered; right: alice, bob." in text, text[-1500:]
        assert await chat.handle_line("quit") is False
    finally:
        await rt.close()
