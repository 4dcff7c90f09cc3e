"""The weak-spot report's rules as pure functions (bot/core/weakspots.py), and its tables (bot/core/present.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core.boards import Tally
from bot.core.learning import MIN_ANSWERS_FOR_RANKING
from bot.core.present import tables
from bot.core.selection import smoothed_accuracy
from bot.core.weakspots import (
    MEMBERS_SHOWN,
    MemberRanking,
    WeakSpotReport,
    asked_for_else_all,
    rank_members,
    ranked_weakest,
    weakspot_report,
)
from content.loader import Bank


def test_areas_weakest_objectives_and_members(bank: Bank) -> None:
    stats = {"1.1.1": (1, 6), "1.1.2": (5, 6), "3.2.4": (0, 4), "5.1.1": (1, 2)}  # 5.1.1: too few to rank
    report = weakspot_report(
        bank.syllabus,
        stats,
        {"3.2.4": (0, 2)},
        {"3.2.4": (2, 2)},
        topic=None,
        wrong_choices={"3.2.4": "Move the alias back at once"},
        members=rank_members([(1, "1", 6, 12), (1, "3", 0, 4), (2, "5", 1, 2)]),
        names={1: "ada", 2: "bo"},
    )
    assert report is not None
    assert (report.areas[0].area_id, report.areas[0].tally) == ("1", Tally(6, 12)) and report.areas[1].subtopic
    assert [w.objective_id for w in report.weakest] == ["3.2.4", "1.1.1", "1.1.2"] and report.unranked == 1
    assert report.weakest[0].trend == -100.0 and report.weakest[0].wrong_choice == "Move the alias back at once"
    areas, weakest, members = tables(report)
    assert areas.rows[0][1:] == ("50%", "12") and areas.rows[1][0].startswith("  1.1 ")  # topic 1, then subtopic 1.1
    assert [r[0] for r in weakest.rows] == ["3.2.4", "1.1.1", "1.1.2"]  # smoothed (right+2)/(answers+3)
    assert weakest.rows[0][2:] == ("29%", "0/4", "Move the alias back at once", "▼ -100 pts")
    assert "1 objective(s) with fewer than 3 answers are not ranked" in (weakest.note or "")
    assert members.rows == (("ada", "Topic 3", "0/4"),)  # bo has too few answers anywhere
    assert members.note == "Weakest first. Only topics where a member has at least 3 answers."


def test_one_topic_by_objective_and_an_empty_team(bank: Bank) -> None:
    report = weakspot_report(
        bank.syllabus,
        {"3.2.4": (2, 2), "1.1.1": (0, 9)},
        {},
        {},
        topic="3",
        wrong_choices={},
        members=rank_members([]),
        names={},
    )
    assert isinstance(report, WeakSpotReport) and report.areas == ()
    figures = {o.objective_id: o for o in report.objectives}
    assert not figures["3.2.4"].enough and figures["3.2.4"].trend is None and figures["3.1.1"].tally == Tally()
    first, weakest, _members = tables(report)
    rows = {r[0]: r for r in first.rows}
    assert rows["3.2.4"][2:] == ("too few", "2/2", "n/a") and rows["3.1.1"][3] == "0/0"
    assert weakest.rows == ()  # 1.1.1 is outside topic 3
    assert (
        weakspot_report(
            bank.syllabus, {"1.1.1": (0, 9)}, {}, {}, topic="3", wrong_choices={}, members=rank_members([]), names={}
        )
        is None
    )
    weakest_ids, too_few = ranked_weakest({"3.2.4": (2, 2), "3.2.5": (0, 3)}, "3")
    assert [w.objective_id for w in weakest_ids] == ["3.2.5"] and [w.objective_id for w in too_few] == ["3.2.4"]
    assert rank_members([(7, "2", 3, 3), (7, "4", 1, 3)]) == MemberRanking(((7, "4", Tally(1, 3)),), 1)


def test_a_big_team_lists_its_weakest_members_first_and_says_how_many_there_are(bank: Bank) -> None:
    # member i: topic 1 right i of 50 (their weakest), topic 2 all right
    rows = [(i, "1", i, 50) for i in range(45)] + [(i, "2", 20, 20) for i in range(45)] + [(99, "1", 0, 2)]
    ranking = rank_members(rows)
    assert ranking.count == 45 and len(ranking.shown) == MEMBERS_SHOWN == 30  # 99 has too few answers
    assert [pid for pid, _t, _tally in ranking.shown] == list(range(30))  # fewest right first
    assert ranking.shown[0] == (0, "1", Tally(0, 50))
    report = weakspot_report(
        bank.syllabus,
        {"1.1.1": (10, 20)},
        {},
        {},
        topic=None,
        wrong_choices={},
        members=ranking,
        names={i: f"member{i}" for i in range(30)},
    )
    assert report is not None and report.unlisted == 15
    members = tables(report)[2]
    assert members.rows[0] == ("member0", "Topic 1", "0/50") and members.rows[-1] == ("member29", "Topic 1", "29/50")
    assert members.note == (
        "The 30 weakest of 45 members, weakest first. Only topics where a member has at least 3 answers."
    )


member_rows = st.lists(
    st.tuples(st.integers(1, 40), st.sampled_from("12345"), st.integers(0, 12), st.integers(0, 12)).filter(
        lambda r: r[2] <= r[3]
    ),
    max_size=120,
    unique_by=lambda r: (r[0], r[1]),
)


@given(member_rows, st.integers(0, 45))
def test_the_shown_members_are_the_weakest_and_each_shows_their_weakest_topic(
    rows: list[tuple[int, str, int, int]], shown: int
) -> None:
    ranking = rank_members(rows, shown)
    ranked = {pid for pid, _t, _c, n in rows if n >= MIN_ANSWERS_FOR_RANKING}
    assert ranking.count == len(ranked) and len(ranking.shown) == min(shown, len(ranked))
    weakest = {
        pid: min((smoothed_accuracy(c, n), t) for p, t, c, n in rows if p == pid and n >= MIN_ANSWERS_FOR_RANKING)
        for pid in ranked
    }
    for pid, topic, tally in ranking.shown:
        assert (smoothed_accuracy(tally.right, tally.attempted), topic) == weakest[pid]
    listed = {pid for pid, _t, _tally in ranking.shown}
    for pid in ranked - listed:  # nobody left out is weaker than anyone listed
        assert all(weakest[pid][0] >= weakest[p][0] for p in listed)
    assert rank_members(rows, shown + 5).shown[: len(ranking.shown)] == ranking.shown  # a prefix of a longer list


def test_asked_for_else_all_keeps_the_objectives_asked_for_else_every_row() -> None:
    rows = [("1.1.1", 1, 2), ("2.2.2", 0, 1), ("9.9.9", 1, 1)]
    assert asked_for_else_all(rows, ["1.1.1", "2.2.2", "3.3.3", "1.1.1"]) == [("1.1.1", 1, 2), ("2.2.2", 0, 1)]
    assert asked_for_else_all(rows, ["3.3.3"]) == rows  # none of those has figures: every row
    assert asked_for_else_all(rows, []) == rows
    assert asked_for_else_all([], ["1.1.1"]) == []  # nothing answered at all


_objective = st.sampled_from(["1.1.1", "1.1.2", "2.1.1", "3.2.4", "9.9.9"])


@given(
    st.lists(st.tuples(_objective, st.integers(0, 50), st.integers(1, 50)), unique_by=lambda r: r[0]),
    st.lists(_objective),
)
def test_asked_for_else_all_is_the_asked_for_rows_when_there_are_any_else_all(
    rows: list[tuple[str, int, int]], asked: list[str]
) -> None:
    got = asked_for_else_all(rows, asked)
    wanted = [r for r in rows if r[0] in set(asked)]
    assert got == (wanted or rows)
    assert (got == []) == (rows == [])  # empty only when the team answered nothing
