"""`studybot demo`: 14 daily posts, reactions, reveals with counts, a summary that finds the planted weakness."""

from __future__ import annotations

import io
import re

from bot.demo import run_demo


async def test_demo_runs_two_weeks_and_finds_the_planted_weakness() -> None:
    out = io.StringIO()
    result = await run_demo(out, days=14, members=8, seed=7)
    text = out.getvalue()
    assert result.posts == 14 and len(result.reveals) == 14
    assert text.count("Daily question · Topic") == 14
    assert all(len(r.options) == 4 and sum(o.count for o in r.options) == r.answered for r in result.reveals)
    assert re.search(r"\(\d+ chose it\)", text) and "Demo summary: 14 daily posts, 14 reveals" in text
    assert result.weekly_boards == 1 and result.drills > 0
    assert result.leaderboard is not None and result.leaderboard.tables[0].rows
    # the weak-spot report names the planted weakness: topic 3 is the team's weakest topic ...
    assert result.weakspots is not None
    areas = {row[0].split()[0]: row for row in result.weakspots.tables[0].rows if not row[0].startswith(" ")}
    acc = {t: int(row[1].rstrip("%")) for t, row in areas.items() if row[1] != "–" and int(row[2]) >= 10}
    assert min(acc, key=lambda t: acc[t]) == "3", acc
    # ... and most of its five weakest objectives are in topic 3
    weakest = [row[0] for row in result.weakspots.tables[1].rows]
    assert len(weakest) == 5 and sum(o.startswith("3.") for o in weakest) >= 3, weakest


async def test_demo_is_deterministic_for_a_seed() -> None:
    a, b = io.StringIO(), io.StringIO()
    await run_demo(a, days=3, members=4, seed=11)
    await run_demo(b, days=3, members=4, seed=11)
    assert a.getvalue() == b.getvalue()
    c = io.StringIO()
    await run_demo(c, days=3, members=4, seed=12)
    assert c.getvalue() != a.getvalue()
