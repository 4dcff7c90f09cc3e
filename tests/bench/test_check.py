"""``python -m bench --check``: a missed target makes the exit status 1, met targets do not; and the
bot-process memory bench runs for real (a spawned process on a seeded SQLite file)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import bench.__main__ as bench_main
from bench.harness import LoopLag
from bench.scenarios import BURST_LAG_LIMIT, Figure


def _result(figures: list[Figure], peak_mb: float | None, limit_mb: float = 200) -> dict[str, Any]:
    bot = None if peak_mb is None else {"peak_mb": peak_mb, "end_mb": peak_mb, "after_each_step_mb": {}}
    return {"_figures": figures, "memory": {"limit_mb": limit_mb, "bot_process": bot, "bench_process": {}}}


def _figure(name: str, op_s: float, limit_s: float | None = None, target: float | None = None) -> Figure:
    return Figure(name, op_s, 0.001, "baseline", target, LoopLag(), limit_s=limit_s)


def test_missed_targets_names_each_figure_over_its_target_and_a_bot_over_the_memory_limit() -> None:
    met = _figure("fast", 0.001, limit_s=0.01, target=2)
    slow = _figure("slow", 0.02, limit_s=0.01)
    ratio = _figure("over its ratio", 0.005, target=2)
    untargeted = _figure("reported only", 10.0)
    assert bench_main.missed_targets({"sqlite": _result([met, untargeted], 150)}) == []
    assert bench_main.missed_targets({"sqlite": _result([met, untargeted], None)}) == []
    assert bench_main.missed_targets({"sqlite": _result([met, slow], 150), "postgresql": _result([ratio], 201)}) == [
        "slow",
        "over its ratio",
        "resident memory of a bot process (postgresql)",
    ]


def test_a_row_fails_on_loop_lag_over_its_own_limit() -> None:
    lagged = LoopLag()
    lagged.lags = [0.001, 0.15]
    general = Figure("boards", 0.001, 0.001, "baseline", 2, lagged)
    burst = Figure("burst", 0.001, 0.001, "baseline", 2, lagged, lag_limit_s=BURST_LAG_LIMIT)
    assert general.ok is True  # 150 ms is under the general 200 ms
    assert burst.ok is False  # but over the burst's 100 ms
    assert bench_main.missed_targets({"sqlite": _result([general, burst], 150)}) == ["burst"]


def test_check_exits_1_when_the_bot_process_is_over_the_memory_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(bench_main, "RSS_LIMIT_MB", 1)  # no bot fits in 1 MB
    argv = ["--scale", "0.01", "--backend", "sqlite", "--only", "memory", "--reactions", "200"]
    args = bench_main.parse_args([*argv, "--no-json", "--check", "--workdir", str(tmp_path)])
    assert asyncio.run(bench_main.main(args)) == 1
    out = capsys.readouterr().out
    assert "missed targets:" in out and "resident memory of a bot process (sqlite)" in out
    line = next(ln for ln in out.splitlines() if "resident memory of a bot process (bank loaded" in ln)
    assert "(limit 1 MB: MISSED)" in line
    steps = line.split("MB after each step: ")[1]
    assert [s.split()[0] for s in steps.split(", ")] == ["start-up", "burst", "boards", "drill", "daily"]
