"""``report`` in the terminal chat: the last revealed or drilled question, or one by id; clear usage and
refusals; the report is stored with the version shown (real SQLite file)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from adapters.console import ConsoleChat, ConsoleNotifier
from bot.app import build_runtime
from bot.core.clock import ManualClock
from bot.core.feedback import bank_version
from content.loader import Bank


async def test_report_last_and_by_id_in_the_console(tmp_path: Path, bank: Bank) -> None:
    out = io.StringIO()
    clock = ManualClock(dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC))
    notifier = ConsoleNotifier(out)
    rt = await build_runtime(f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}", notifier, clock, bank=bank)
    chat = ConsoleChat(rt.service, notifier, clock, out=out)

    def said() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    try:
        assert await chat.handle_line("report last typo")
        assert "No question was revealed or drilled in this chat (shown here: none yet)" in said()
        for line in ["/studybot subscribe 09:00 Europe/Berlin", "/studybot post-now", "/studybot reveal-now"]:
            assert await chat.handle_line(line)
        [qid] = notifier.report_targets
        revealed = said()
        assert "(A problem with this question? report last KIND [text]; KIND: wrong_key, unclear" in revealed
        assert await chat.handle_line("report last")
        assert "usage: report last|QUESTION-ID KIND [text]" in said()
        assert await chat.handle_line("report last confusing It's 'two' in the stem")
        assert f"Choose what is wrong with {qid}" in said()
        assert await chat.handle_line("report last wrong-key It's 'two' in the stem, not three")
        assert f"Thanks — your report on {qid} (wrong key) reaches the question's authors." in said()

        assert await chat.handle_line("/drill topic2 1")
        assert await chat.handle_line("A")
        drilled = notifier.last_report_target
        assert drilled is not None and drilled.source == "drill" and "report last KIND" in said()
        assert await chat.handle_line("report last unclear")
        assert f"your report on {drilled.question_id} (unclear)" in said()
        assert await chat.handle_line(f"report {qid} typo")  # the revealed one again, by its id
        assert f"your report on {qid} (typo)" in said()
        assert await chat.handle_line("report mlpro-9.9.9-999 typo")
        assert "No question mlpro-9.9.9-999 was revealed or drilled in this chat" in said()

        for line in ["/exam 2 4", "A", "A"]:
            assert await chat.handle_line(line)
        result = said()
        missed = [line.split(" ", 2)[1] for line in result.splitlines() if line.startswith("• Q")]
        hint = next(line for line in result.splitlines() if line.startswith("(A problem with one of these"))
        assert missed and "report ID KIND [text]" in hint and all(f"{n} mlpro-" in hint for n in missed)

        reports = await rt.service.store.item_reports()
        assert [(r.question_id, r.kind, r.text, r.source) for r in reports] == [
            (qid, "wrong_key", "It's 'two' in the stem, not three", "reveal"),
            (drilled.question_id, "unclear", "", "drill"),
            (qid, "typo", "", "reveal"),
        ]
        assert reports[0].bank_version == bank_version(rt.service.by_id[qid])
    finally:
        await rt.close()
