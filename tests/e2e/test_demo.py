"""`studybot demo`: 14 daily posts, reactions, reveals with counts, a summary that finds the planted weakness."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from bot.demo import DemoResult, run_demo
from content.loader import Bank


@pytest.fixture(autouse=True)
def parsed_once(bank: Bank, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo parses the YAML bank once per session here, not once per run (the same content)."""
    monkeypatch.setattr("bot.app.load_content", lambda: bank)


async def test_demo_runs_two_weeks_finds_the_planted_weakness_and_leaves_three_charts(tmp_path: Path) -> None:
    out = io.StringIO()
    result = await run_demo(out, days=14, members=8, seed=7, charts_dir=tmp_path / "charts")
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
    _check_charts(result, text, tmp_path)


async def test_demo_is_deterministic_for_a_seed() -> None:
    a, b = io.StringIO(), io.StringIO()
    await run_demo(a, days=2, members=3, seed=11)
    await run_demo(b, days=2, members=3, seed=11)
    assert a.getvalue() == b.getvalue()
    c = io.StringIO()
    await run_demo(c, days=2, members=3, seed=12)
    assert c.getvalue() != a.getvalue()


def _check_charts(result: DemoResult, text: str, tmp_path: Path) -> None:
    """The three charts are PNG files under the charts folder, their paths printed, the text kept."""
    assert [p.name.split("-", 3)[-1] for p in result.charts] == ["weekly-board.png", "weak-spots.png", "progress.png"]
    for path in result.charts:
        assert path.parent == tmp_path / "charts" and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert str(path) in text  # the path is printed for the person to open
    # the picture never replaces the text: the same replies still carry their tables
    assert result.leaderboard is not None and result.leaderboard.image is not None and result.leaderboard.tables
    assert result.weakspots is not None and result.weakspots.image is not None
    assert result.weakspots.image.alt.startswith("Weak spots · #")
    assert (
        result.stats is not None and result.stats.image is not None and "Readiness: topic 1" in result.stats.image.alt
    )
