"""The texts of /leaderboard, /weakspots and /stats come from their typed figures (bot/core/present.py):
every number a table shows is one the figures hold, and the reply carries those figures."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.boards import BoardWeek, FirstAttempts, Tally, leaderboard
from bot.core.model import Objective, Subtopic, Syllabus, Topic
from bot.core.present import (
    board_not_started,
    board_reply,
    stats_reply,
    tables,
    weakspots_reply,
)
from bot.core.progress import StatsCard, TopicProgress, stats_card
from bot.core.render import to_text
from bot.core.weakspots import rank_members, weakspot_report

SYL = Syllabus(
    (
        Topic("1", "Features", (Subtopic("1.1", "Defs", (Objective("1.1.1", "a"), Objective("1.1.2", "b"))),)),
        Topic("2", "Training", (Subtopic("2.1", "Repro", (Objective("2.1.1", "d"),)),)),
    )
)
WEEK = BoardWeek("owls", "last", dt.date(2026, 11, 30), "Europe/Berlin")


def test_a_stats_cards_figures_are_what_its_table_and_line_show() -> None:
    card = stats_card(
        SYL,
        {"1.1.1": (2, 3), "1.1.2": (1, 1), "2.1.1": (0, 2)},
        {"1": 0.61},
        0.4449,
        streak=3,
        due=0,
        next_due=dt.date(2026, 12, 4),
        horizon_days=7,
    )
    assert [(t.topic, t.tally, t.readiness) for t in card.topics] == [
        ("1", Tally(3, 4), 0.61),
        ("2", Tally(0, 2), 0.25),
    ]
    reply = stats_reply(card)
    assert reply.data is card and reply.private and reply.title == "Your StudyBot stats"
    [table] = reply.tables
    assert table.rows == (("1", "Features", "3/4", "75%", "61%"), ("2", "Training", "0/2", "0%", "25%"))
    assert reply.text.startswith("Daily streak: 3 day(s) · reviews due: 0 (next Fri 2026-12-04) · exam readiness: 44%")
    assert reply.text.endswith("(25% if unseen); topics weighted 14/30/18/16/22%.")  # from TOPIC_WEIGHTS, as before
    due_now = stats_reply(StatsCard(card.topics, 0, 2, dt.date(2026, 12, 4), 0.25, 7))
    assert "reviews due: 2 ·" in due_now.text  # the next date only when nothing is due


_tally = st.integers(0, 30).flatmap(lambda n: st.builds(Tally, st.integers(0, n), st.just(n)))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(_tally, st.floats(0, 1)), min_size=1, max_size=6), st.integers(0, 400))
def test_every_stats_cell_is_the_cards_figure(topics: list[tuple[Tally, float]], streak: int) -> None:
    card = StatsCard(
        tuple(TopicProgress(str(i), f"T{i}", t, r) for i, (t, r) in enumerate(topics)), streak, 0, None, 0.5, 7
    )
    [table] = tables(card)
    for row, t in zip(table.rows, card.topics, strict=True):
        right, answers = (int(x) for x in row[2].split("/"))
        assert (right, answers) == (t.tally.right, t.tally.attempted)
        assert row[3] == "–" if not answers else abs(float(row[3][:-1]) - 100 * right / answers) <= 0.5
        assert abs(float(row[4][:-1]) - 100 * t.readiness) <= 0.5
    assert f"Daily streak: {streak} day(s)" in stats_reply(card).text


_row = st.tuples(st.sampled_from([1, 2, None]), st.integers(1, 6), st.sampled_from("12"), st.integers(1, 5)).flatmap(
    lambda r: st.tuples(st.just(r[0]), st.just(r[1]), st.just(r[2]), st.just(r[3]), st.integers(0, r[3]))
)


@settings(max_examples=100, deadline=None)
@given(st.lists(_row, max_size=30))
def test_a_boards_tables_show_its_standings(rows: list[FirstAttempts]) -> None:
    names = {p: f"p{p}" for p in range(1, 7)}
    board = leaderboard(rows, 1, ("1", "2"), names=names, streaks={}, team_names={1: "owls", 2: "hawks"}, week=WEEK)
    reply = board_reply(board, private=False)
    assert reply.data is board and not reply.private
    if board.empty:
        assert not reply.tables and reply.text == (
            "Leaderboard · owls · last week (from Monday 2026-11-30, Europe/Berlin): no answers in that week."
        )
        return
    assert reply.title == "Leaderboard · owls · last week (from Monday 2026-11-30, Europe/Berlin)"
    members, by_topic, versus = reply.tables
    for row, m in zip(members.rows, board.members, strict=True):
        assert (int(row[0]), row[1], int(row[2]), int(row[4])) == (m.rank, m.name, m.points, m.streak)
    for row, m in zip(by_topic.rows, board.members, strict=False):
        assert row[1:] == tuple(m.by_topic.get(t, Tally()).cell() for t in board.topics)
    assert [(r[0], int(r[1]), r[2], r[3]) for r in versus.rows] == [
        (f"Topic {s.topic}", s.rank, s.name, s.tally.cell()) for s in board.versus
    ]


def test_a_week_not_started_and_an_empty_weak_spot_report() -> None:
    future = board_not_started(BoardWeek("owls", "2027-01-06", dt.date(2027, 1, 4), "UTC"), private=True)
    assert future.text == "The week from Monday 2027-01-04 has not started yet; try /leaderboard this."
    assert future.data is None and not future.tables
    empty = weakspots_reply("owls", "2", None)
    assert empty.text.startswith("Weak spots · owls · Topic 2: no answers yet.") and empty.data is None


def test_a_weak_spot_reports_tables_show_its_figures() -> None:
    report = weakspot_report(
        SYL,
        {"1.1.1": (1, 5), "1.1.2": (4, 4), "2.1.1": (0, 1)},
        {"1.1.1": (1, 1)},
        {"1.1.1": (0, 4)},
        topic="1",
        wrong_choices={},
        members=rank_members([(9, "1", 5, 9)]),
        names={9: "ada"},
    )
    assert report is not None
    reply = weakspots_reply("owls", "1", report)
    assert reply.data is report and reply.title == "Weak spots · owls · Topic 1 (visible to leads and admins only)"
    first, weakest, members = reply.tables
    assert [r[0] for r in first.rows] == [o.objective_id for o in report.objectives] == ["1.1.1", "1.1.2"]
    assert first.rows[0][2:] == (f"{100 * report.objectives[0].smoothed:.0f}%", "1/5", "+100 pts")
    assert [r[0] for r in weakest.rows] == [w.objective_id for w in report.weakest] == ["1.1.1", "1.1.2"]
    assert weakest.rows[0][4:] == ("–", "▲ +100 pts")  # no wrong choice known: a dash
    assert members.rows == (("ada", "Topic 1", "5/9"),)
    assert "1.1.1" in to_text(reply)
