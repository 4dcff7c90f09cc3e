"""``studybot content item-stats``: per question, share correct, share of each option, §1.5 flags and the
learners' problem reports; ``studybot content reports``: the reports themselves (kinds and texts, never who)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.app import load_bank, open_store
from bot.core.feedback import ReportSummary, bank_version, summarize_reports
from bot.core.learning import item_statistics
from bot.core.model import LETTERS, Question
from bot.core.ports import ItemReportInfo

__all__ = ["missing_database", "open_reports", "run_item_stats", "run_reports"]


async def _read(
    db_url: str, *, answers: bool, since: dt.datetime | None = None
) -> tuple[list[tuple[str, int, int, bool]], list[ItemReportInfo]]:
    async with open_store(db_url) as store:
        rows = await store.first_attempt_choices() if answers else []
        return rows, await store.item_reports(since)


def _summaries(reports: Sequence[ItemReportInfo], questions: Sequence[Question]) -> list[ReportSummary]:
    return summarize_reports(
        [(r.question_id, r.bank_version, r.kind, r.text, r.created_at) for r in reports],
        {q.id: bank_version(q) for q in questions},
    )


async def run_item_stats(out: TextIO, db_url: str, *, min_responses: int = 30, as_json: bool = False) -> int:
    bank = load_bank()
    rows, reports = await _read(db_url, answers=True)
    reported = Counter(r.question_id for r in reports)
    stats = item_statistics(rows, {q.id: q.answer_index for q in bank.questions}, min_responses=min_responses)
    if as_json:
        json.dump(
            [
                {
                    "question": s.question_id,
                    "responses": s.responses,
                    "p_correct": round(s.p_correct, 3),
                    "option_share": dict(zip(LETTERS, (round(x, 3) for x in s.option_share), strict=True)),
                    "flags": list(s.flags),
                    "reports": reported[s.question_id],
                }
                for s in stats
            ],
            out,
            indent=2,
        )
        out.write("\n")
        return 0
    if not stats:
        print("No answers recorded yet.", file=out)
        return 0
    print(
        f"{'question':<18} {'n':>4} {'p':>5}  {'A':>4} {'B':>4} {'C':>4} {'D':>4} {'reports':>7}  "
        f"flags (need >= {min_responses} responses)",
        file=out,
    )
    for s in stats:
        shares = " ".join(f"{100 * x:>3.0f}%" for x in s.option_share)
        n = reported[s.question_id]
        print(
            f"{s.question_id:<18} {s.responses:>4} {s.p_correct:>5.2f}  {shares} {n or '':>7}  {'; '.join(s.flags)}",
            file=out,
        )
    flagged = sum(1 for s in stats if s.flags)
    print(
        f"\n{len(stats)} questions answered; {flagged} flagged. Option shares are by the option's letter in the bank file.",
        file=out,
    )
    if reports:
        print(f"{len(reports)} problem report(s) on {len(reported)} question(s): studybot content reports", file=out)
    return 0


async def run_reports(out: TextIO, db_url: str, *, since: dt.date | None = None, as_json: bool = False) -> int:
    """Reported questions, most reports first: count by kind, the latest texts, and the bank version
    reported against the current one ("wording changed since" when an author edited the item)."""
    bank = load_bank()
    start = None if since is None else dt.datetime.combine(since, dt.time(), dt.UTC)
    _rows, reports = await _read(db_url, answers=False, since=start)
    summaries = _summaries(reports, bank.questions)
    if as_json:
        json.dump([_summary_json(s) for s in summaries], out, indent=2)
        out.write("\n")
        return 0
    if not summaries:
        print("No problem reports" + (f" since {since}." if since else " yet."), file=out)
        return 0
    for s in summaries:
        print(
            f"{s.question_id}  {s.total} report(s): {s.kinds_text}; latest {s.latest_at:%Y-%m-%d %H:%M} UTC", file=out
        )
        print(f"    {_version_note(s)}", file=out)
        for text in s.latest_texts:
            print(f"    “{' '.join(text.split())}”", file=out)
    total = sum(s.total for s in summaries)
    print(f"\n{total} report(s) on {len(summaries)} question(s). Reporters are not shown.", file=out)
    return 0


def _version_note(s: ReportSummary) -> str:
    if s.current_version is None:
        return "the item is no longer in the bank (retired or renamed)"
    if not s.wording_changed:
        return f"all about the current wording (version {s.current_version})"
    older = s.total - s.on_current
    return (
        f"wording changed since {older} of them (reported on {', '.join(v for v in s.versions if v != s.current_version)}; "
        f"now {s.current_version}); {s.on_current} about the current wording"
    )


def _summary_json(s: ReportSummary) -> dict[str, object]:
    return {
        "question": s.question_id,
        "reports": s.total,
        "by_kind": dict(s.by_kind),
        "latest_texts": list(s.latest_texts),
        "latest_at": s.latest_at.isoformat(),
        "versions": list(s.versions),
        "current_version": s.current_version,
        "on_current_wording": s.on_current,
        "wording_changed": s.wording_changed,
    }


def missing_database(db_url: str) -> str | None:
    """Why ``content validate`` reads no reports: a SQLite file that does not exist (it is not created for this)."""
    if db_url.startswith("sqlite") and "///" in db_url:
        path = Path(db_url.split("///", 1)[1])
        if not path.exists():
            return f"no database at {path}: problem reports not checked"
    return None


async def open_reports(db_url: str) -> dict[str, str] | str:
    """For ``content validate``: item id -> why it needs review (reports about its current wording), or a
    sentence saying why the reports could not be read."""
    try:
        _rows, reports = await _read(db_url, answers=False)
    except Exception as exc:  # validation of the files goes on without the database
        return f"problem reports not checked: {type(exc).__name__}: {exc}"
    return {
        s.question_id: f"needs review: {s.total} problem report(s) ({s.kinds_text}), {s.on_current} about its "
        "current wording; see studybot content reports"
        for s in _summaries(reports, load_bank().questions)
        if s.on_current
    }
