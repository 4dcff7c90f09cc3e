"""The whole shipped bank passes `content validate` and meets issue #3's coverage and tag minimums."""

from __future__ import annotations

import io
import json

from content.cli import run_stats, run_validate
from content.lint import REQUIRED_TAGS


def test_whole_bank_validates_without_unwaived_block_findings() -> None:
    out = io.StringIO()
    code = run_validate(out)
    assert code == 0, "\n".join(line for line in out.getvalue().splitlines() if line.startswith("BLOCK"))[:4000]


def test_stats_show_three_items_per_objective_and_required_tags() -> None:
    out = io.StringIO()
    run_stats(out, as_json=True)
    data = json.loads(out.getvalue())
    assert data["objectives_below_3"] == []
    objectives = [n for t in data["topics"] for s in t["subtopics"] for n in s["objectives"].values()]
    assert len(objectives) == 105 and min(objectives) >= 3
    for tag, need in REQUIRED_TAGS.items():
        assert data["required_tags"][tag] >= need, tag
    fig = data["figures"]
    assert all(abs(v - 0.25) <= 0.04 for v in fig["key_share"].values())
    assert fig["key_longest_share"] <= 0.30 and 0.15 <= fig["key_shortest_share"] <= 0.35
    assert fig["scenario_share"] >= 0.60
