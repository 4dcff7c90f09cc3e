"""``python -m bench --processes``: arguments, splitting deliveries, merging results (the pure parts), and
that the spawned workers do not outlive their pool when one fails."""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing as mp
import random
from collections import Counter
from pathlib import Path

import pytest

from bench.__main__ import parse_args
from bench.harness import LoopLag
from bench.multiproc import (
    BoardsResult,
    IngestResult,
    WorkerSpec,
    _Pool,
    exactly_once,
    merge_boards,
    merge_ingestion,
    split_deliveries,
)
from bench.scenarios import Figure


def test_processes_on_sqlite_is_refused_with_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--processes", "2"], ["--backend", "sqlite", "--processes", "2"]):
        with pytest.raises(SystemExit) as exc:
            parse_args(argv)
        assert exc.value.code == 2
        assert "--processes needs --backend postgresql" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "x", "2,,a", "17", ""])
def test_processes_takes_counts_between_1_and_16(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(["--backend", "postgresql", "--processes", value])
    assert "--processes" in capsys.readouterr().err


def test_processes_on_postgresql_parses_sorted_unique_counts() -> None:
    assert parse_args(["--backend", "postgresql", "--processes", "4,2,2"]).processes == [2, 4]
    assert parse_args([]).processes == []
    with pytest.raises(SystemExit):
        parse_args(["--backend", "postgresql", "--only", "processes"])  # nothing to run


@pytest.mark.parametrize("processes", [1, 2, 4])
def test_split_spreads_redeliveries_across_processes(processes: int) -> None:
    shares, distinct = split_deliveries(1000, 0.1, processes, "t-", random.Random(7))
    assert len(shares) == processes
    assert sum(len(s) for s in shares) == 1000
    assert distinct == 900
    assert {len(s) for s in shares} == {1000 // processes}
    held: dict[str, Counter[int]] = {}
    for p, share in enumerate(shares):
        for ev in share:
            held.setdefault(ev.delivery_id, Counter())[p] += 1
    assert len(held) == distinct
    repeated = {d: c for d, c in held.items() if sum(c.values()) > 1}
    assert sum(sum(c.values()) - 1 for c in repeated.values()) == 100
    if processes > 1:
        # a redelivered id is held once by its original's process and again by at least one other process
        assert all(len(c) >= 2 and 1 in c.values() for c in repeated.values())


def test_split_needs_a_process_and_a_delivery() -> None:
    with pytest.raises(ValueError):
        split_deliveries(10, 0.1, 0, "t-", random.Random(1))
    with pytest.raises(ValueError):
        split_deliveries(0, 0.1, 2, "t-", random.Random(1))


def test_exactly_once() -> None:
    assert exactly_once(["a", "b", "a"], ["b", "a"]).ok
    missing = exactly_once(["a", "b", "c"], ["a", "b"])
    assert not missing.ok and missing.missing == ["c"]
    twice = exactly_once(["a", "b"], ["a", "b", "b"])
    assert not twice.ok and twice.repeated == ["b"] and twice.stored == 3
    stray = exactly_once(["a"], ["a", "z"])
    assert not stray.ok and stray.unexpected == ["z"]
    assert stray.as_dict()["unexpected"] == ["z"]


def test_merge_ingestion_takes_one_window_from_first_start_to_last_end() -> None:
    a = IngestResult(0, 600, 100.0, 101.0, [0.01] * 99 + [0.5], new=540)
    b = IngestResult(1, 400, 100.2, 102.0, [0.02] * 400, new=362, errors=1, first_error="boom")
    m = merge_ingestion([b, a], distinct=900)
    assert m["deliveries"] == 1000
    assert m["wall_s"] == pytest.approx(2.0)
    assert m["deliveries_per_s"] == pytest.approx(500.0)
    assert m["start_skew_s"] == pytest.approx(0.2)
    assert [p["process"] for p in m["per_process"]] == [0, 1]
    assert m["per_process"][0]["p99_s"] == 0.5
    assert m["worst_process_p99_s"] == 0.5
    assert m["new_flags"] == 902 and m["new_flags_over_distinct"] == 2
    assert m["errors"] == 1 and m["per_process"][1]["first_error"] == "boom"
    with pytest.raises(ValueError):
        merge_ingestion([], 0)


def test_merge_boards_is_the_median_of_every_sample() -> None:
    m = merge_boards([BoardsResult(1, [3.0, 4.0, 5.0], 10.1, 20.0), BoardsResult(0, [1.0, 2.0], 10.0, 20.0)])
    assert m["median_s"] == 3.0 and m["samples"] == 5
    assert m["per_process_median_s"] == [1.5, 4.0]
    assert m["start_skew_s"] == pytest.approx(0.1)
    with pytest.raises(ValueError):
        merge_boards([BoardsResult(0, [], 0.0, 0.0)])


def test_a_failed_check_fails_the_row_even_without_a_target() -> None:
    row = Figure("x", 1.0, 1.0, "b", None, LoopLag())
    assert row.ok is None
    assert Figure("x", 1.0, 1.0, "b", None, LoopLag(), passed=False).ok is False


def _failing_spec(process: int, url: str) -> WorkerSpec:
    return WorkerSpec(process, url, dt.datetime(2026, 3, 5, tzinfo=dt.UTC), "T", "C", "m", "w", [], 1, 1, 1, 1, "tok")


def test_a_worker_that_fails_is_reported_and_no_worker_outlives_the_pool(tmp_path: Path) -> None:
    bad = f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}"  # the runtime cannot open it

    async def run() -> _Pool:
        pool = _Pool([_failing_spec(0, bad), _failing_spec(1, bad)])
        with pytest.raises(RuntimeError, match="bench worker . failed"):
            async with pool:
                assert all(p.daemon for p in pool.procs)  # spawned daemonic: an exiting parent takes them along
                await pool.ready()
        return pool

    pool = asyncio.run(run())
    assert len(pool.procs) == 2
    assert not any(p.is_alive() for p in pool.procs)
    assert not mp.active_children()
