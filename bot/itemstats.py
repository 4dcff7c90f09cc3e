"""``studybot content item-stats``: per question, share correct, share of each option, and §1.5 flags."""

from __future__ import annotations

import json
from typing import TextIO

from bot.core.learning import item_statistics
from bot.core.model import LETTERS
from content.loader import load_content
from storage.db import create_engine
from storage.migrate import upgrade_async
from storage.store import SqlStore

__all__ = ["run_item_stats"]


async def run_item_stats(out: TextIO, db_url: str, *, min_responses: int = 30, as_json: bool = False) -> int:
    bank = load_content()
    await upgrade_async(db_url)
    engine = create_engine(db_url)
    try:
        rows = await SqlStore(engine).first_attempt_choices()
    finally:
        await engine.dispose()
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
        f"{'question':<18} {'n':>4} {'p':>5}  {'A':>4} {'B':>4} {'C':>4} {'D':>4}  flags (need >= {min_responses} responses)",
        file=out,
    )
    for s in stats:
        shares = " ".join(f"{100 * x:>3.0f}%" for x in s.option_share)
        print(f"{s.question_id:<18} {s.responses:>4} {s.p_correct:>5.2f}  {shares}  {'; '.join(s.flags)}", file=out)
    flagged = sum(1 for s in stats if s.flags)
    print(
        f"\n{len(stats)} questions answered; {flagged} flagged. Option shares are by the option's letter in the bank file.",
        file=out,
    )
    return 0
