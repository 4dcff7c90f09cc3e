"""Charts in replies, through the terminal chat: saved as PNG under the data folder beside the text;
a renderer that fails leaves the text reply intact."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
from pathlib import Path

from adapters.console import ConsoleChat, ConsoleNotifier
from bot.app import build_runtime
from bot.core.charts import BoardChart, ChartImage
from bot.core.clock import ManualClock
from content.loader import Bank

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


class BrokenCharts:
    def board(self, chart: BoardChart) -> ChartImage:
        raise RuntimeError("no fonts")

    heatmap = board  # type: ignore[assignment]
    progress = board  # type: ignore[assignment]


async def _drilled_chat(tmp_path: Path, bank: Bank, charts_dir: Path | None) -> tuple[ConsoleChat, io.StringIO, object]:
    out = io.StringIO()
    notifier = ConsoleNotifier(out, charts_dir=charts_dir)
    rt = await build_runtime(f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", notifier, ManualClock(NOW), bank=bank)
    chat = ConsoleChat(rt.service, notifier, rt.service.clock, out=out)
    for line in ["/studybot subscribe 09:00 Europe/Berlin", "/drill topic3 5", "A", "B", "C", "D", "A"]:
        assert await chat.handle_line(line)
    return chat, out, rt


async def test_weakspots_leaderboard_and_stats_come_with_a_saved_chart(tmp_path: Path, bank: Bank) -> None:
    chat, out, rt = await _drilled_chat(tmp_path, bank, tmp_path / "data" / "charts")
    try:
        for line in ["/weakspots topic3", "/leaderboard", "/stats"]:
            out.seek(0)
            out.truncate()
            assert await chat.handle_line(line)
            text = out.getvalue()
            found = re.search(r"Chart: (\S+\.png)  \((.+)\)", text)
            assert found, text
            path = Path(found.group(1))
            assert (
                path.parent == tmp_path / "data" / "charts"
                and (await asyncio.to_thread(path.read_bytes))[:4] == b"\x89PNG"
            )
            before_chart = text[: found.start()]
            assert "Right" in before_chart or "Points" in before_chart  # the text table came first, in full
        assert len(chat.notifier.charts) == 3
        heat = [p for p in chat.notifier.charts if p.name.endswith("weak-spots.png")]
        assert heat  # /weakspots topic3: one topic's objectives
    finally:
        await rt.close()  # type: ignore[attr-defined]


async def test_weakspots_topic_lists_its_objectives(tmp_path: Path, bank: Bank) -> None:
    chat, out, rt = await _drilled_chat(tmp_path, bank, None)
    try:
        out.seek(0)
        out.truncate()
        assert await chat.handle_line("/weakspots topic3")
        text = out.getvalue()
        assert "Weak spots · #study-group · Topic 3" in text and "Topic 3 by objective" in text
        assert re.search(r"3\.1\.1 .*\d+/\d+", text) and "Chart:" not in text  # no folder: text only
        listed = re.findall(r"^\s*(\d)\.\d\.\d+ ", text.split("Five weakest")[0], flags=re.MULTILINE)
        assert listed and set(listed) == {"3"}  # only topic 3's objectives
    finally:
        await rt.close()  # type: ignore[attr-defined]


async def test_a_failing_renderer_leaves_the_text_reply(tmp_path: Path, bank: Bank) -> None:
    chat, out, rt = await _drilled_chat(tmp_path, bank, tmp_path / "charts")
    try:
        rt.service.charts = BrokenCharts()  # type: ignore[attr-defined]
        out.seek(0)
        out.truncate()
        assert await chat.handle_line("/leaderboard")
        text = out.getvalue()
        assert "Members by points" in text and "Chart:" not in text
        assert not (tmp_path / "charts").exists()
    finally:
        await rt.close()  # type: ignore[attr-defined]
