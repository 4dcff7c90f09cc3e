"""The data behind each chart, checked without drawing; then each PNG decodes at the preview size."""

from __future__ import annotations

import datetime as dt
import io
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.charts import ChartImage, heat_cell, progress, trend_points, weakspot_heatmap, weekly_board
from bot.core.model import Objective, Subtopic, Syllabus, Topic

SYL = Syllabus(
    (
        Topic(
            "1",
            "Features",
            (
                Subtopic("1.1", "Defs", (Objective("1.1.1", "a"), Objective("1.1.2", "b"))),
                Subtopic("1.2", "Leaks", (Objective("1.2.1", "c"),)),
            ),
        ),
        Topic(
            "2",
            "Training",
            (Subtopic("2.1", "Repro", (Objective("2.1.1", "d"), Objective("2.1.2", "e"), Objective("2.1.3", "f"))),),
        ),
    )
)


def test_cells_smooth_count_and_mark_too_few() -> None:
    stats = {"1.1.1": (1, 2), "1.1.2": (4, 4), "1.2.1": (0, 1), "2.1.1": (0, 3)}
    chart = weakspot_heatmap("W", SYL, stats, {}, {}, min_answers=3)
    assert chart.columns == ("Topic", "Subtopic 1", "Subtopic 2")
    assert chart.rows[0].startswith("1 ") and chart.rows[1].startswith("2 ")
    topic1, sub11, sub12 = chart.cells[0]
    assert topic1 is not None and (topic1.answers, topic1.enough) == (7, True)
    assert topic1.value == pytest.approx((5 + 2) / (7 + 3))
    assert sub11 is not None and sub11.answers == 6 and sub11.value == pytest.approx(7 / 9)
    assert sub12 is not None and (sub12.answers, sub12.enough) == (1, False)  # "too few" cell
    assert chart.cells[1][2] is None  # topic 2 has one subtopic: no such cell
    assert chart.trends == (None, None)
    assert "Weakest: 2 Training / Topic 33%" in chart.alt()


def test_one_topic_by_objective_with_trend() -> None:
    stats = {"2.1.1": (1, 5), "2.1.3": (5, 5)}
    recent = {"2.1.1": (1, 1)}
    before = {"2.1.1": (0, 4)}
    chart = weakspot_heatmap("W", SYL, stats, recent, before, min_answers=3, topic="2")
    assert chart.columns == ("Subtopic", "Obj. 1", "Obj. 2", "Obj. 3")
    whole, o1, o2, o3 = chart.cells[0]
    assert whole is not None and whole.answers == 10
    assert o1 is not None and o1.answers == 5 and o2 is not None and o2.answers == 0 and not o2.enough
    assert o3 is not None and o3.value == pytest.approx(7 / 8)
    assert chart.trends == (pytest.approx(100.0),)  # 100% in the last 7 days against 0% before


@given(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50), st.integers(0, 50))
def test_trend_is_the_difference_in_points(rc: int, rx: int, bc: int, bx: int) -> None:
    recent, before = (rc, rc + rx), (bc, bc + bx)
    t = trend_points(recent, before)
    if recent[1] == 0 or before[1] == 0:
        assert t is None
    else:
        assert t == pytest.approx(100 * (rc / recent[1] - bc / before[1]))
        assert -100 <= t <= 100


@given(st.integers(0, 100), st.integers(0, 100), st.integers(1, 10))
def test_a_cell_is_readable_only_with_enough_answers(right: int, wrong: int, minimum: int) -> None:
    cell = heat_cell((right, right + wrong), minimum)
    assert cell.enough == (right + wrong >= minimum)
    assert 0 < cell.value < 1  # smoothing: never 0% or 100% from a handful of answers


def test_board_keeps_order_top_members_and_team_accuracy() -> None:
    members = [(f"m{i}", {"1": 20 - i, "2": 1}) for i in range(15)]
    teams = [("ours", {"1": (3, 4)}), ("theirs", {"1": (1, 4), "2": (2, 2)})]
    chart = weekly_board("Board", ["1", "2"], members, teams)
    assert [n for n, _p in chart.members] == [f"m{i}" for i in range(12)]  # the top 12, best first
    assert chart.members[0][1] == (20, 1)
    assert chart.teams == (("ours", (0.75, None)), ("theirs", (0.25, 1.0)))
    assert chart.alt().startswith("Board. Points by member: m0 21, m1 20")
    assert weekly_board("Empty", ["1"], [], []).alt() == "Empty: no answers."


def test_progress_buckets_answers_into_weeks() -> None:
    mondays = [dt.date(2026, 11, 16), dt.date(2026, 11, 23), dt.date(2026, 11, 30)]
    answers = [
        ("1", dt.date(2026, 11, 16), True),
        ("1", dt.date(2026, 11, 22), False),
        ("1", dt.date(2026, 12, 6), True),
        ("2", dt.date(2026, 11, 1), True),
    ]  # the last is too old
    chart = progress("P", mondays, answers, {"1": 0.6}, {"1": 0.14, "2": 0.3}, ["1", "2"])
    assert chart.weeks == ("11-16", "11-23", "11-30")
    assert chart.accuracy == (("1", (0.5, None, 1.0)), ("2", (None, None, None)))
    assert chart.readiness == (("1", 0.6, 0.14), ("2", 0.0, 0.3))
    assert "topic 1 60%" in chart.alt()


def png_size(image: ChartImage) -> tuple[int, int]:
    head = io.BytesIO(image.png).read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_each_chart_decodes_at_the_preview_size() -> None:
    from bot.charts import MatplotlibCharts

    charts = MatplotlibCharts()
    board = weekly_board("Board", ["1", "2"], [("ada", {"1": 2, "2": 1})], [("ours", {"1": (2, 3)})])
    heat = weakspot_heatmap("W", SYL, {"1.1.1": (1, 4)}, {}, {}, min_answers=3)
    prog = progress(
        "P", [dt.date(2026, 11, 30)], [("1", dt.date(2026, 12, 1), True)], {"1": 0.5}, {"1": 0.14}, ["1", "2"]
    )
    for image, name in (
        (charts.board(board), "weekly-board.png"),
        (charts.heatmap(heat), "weak-spots.png"),
        (charts.progress(prog), "progress.png"),
    ):
        assert png_size(image) == (1000, 560)
        assert image.filename == name and image.alt
        from matplotlib import image as mpimg

        pixels = mpimg.imread(io.BytesIO(image.png), format="png")
        assert pixels.shape[:2] == (560, 1000)
        assert pixels.std() > 0.05  # something was drawn, not a blank canvas


def test_names_in_any_script_draw_without_a_warning_per_glyph() -> None:
    """New-user re-trial: CJK and emoji names printed six 'Glyph missing' warnings into the chat."""
    from bot.charts import MatplotlibCharts

    board = weekly_board("Board", ["1"], [("日本語名前", {"1": 2}), ("🚀", {"1": 1})], [("フクロウ", {"1": (3, 4)})])
    image = MatplotlibCharts().board(board)  # pytest turns any warning into an error
    assert png_size(image) == (1000, 560) and "日本語名前 2" in image.alt  # the alt text keeps the names exactly
