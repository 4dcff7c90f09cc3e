"""The weak-spot report's rules as pure functions (bot/core/weakspots.py)."""

from __future__ import annotations

from bot.core.weakspots import member_weakest, ranked_weakest, weakspot_tables
from content.loader import Bank


def test_areas_weakest_objectives_and_members(bank: Bank) -> None:
    stats = {"1.1.1": (1, 6), "1.1.2": (5, 6), "3.2.4": (0, 4), "5.1.1": (1, 2)}  # 5.1.1: too few to rank
    tables = weakspot_tables(
        bank.syllabus,
        stats,
        {"3.2.4": (0, 2)},
        {"3.2.4": (2, 2)},
        topic=None,
        wrong_choices={"3.2.4": "Move the alias back at once"},
        member_topics=[(1, "1", 6, 12), (1, "3", 0, 4), (2, "5", 1, 2)],
        names={1: "ada", 2: "bo"},
    )
    assert tables is not None
    areas, weakest, members = tables
    assert areas.rows[0][1:] == ("50%", "12") and areas.rows[1][0].startswith("  1.1 ")  # topic 1, then subtopic 1.1
    assert [r[0] for r in weakest.rows] == ["3.2.4", "1.1.1", "1.1.2"]  # smoothed (right+2)/(answers+3)
    assert weakest.rows[0][2:] == ("29%", "0/4", "Move the alias back at once", "▼ -100 pts")
    assert "1 objective(s) with fewer than 3 answers are not ranked" in (weakest.note or "")
    assert members.rows == (("ada", "Topic 3", "0/4"),)  # bo has too few answers anywhere


def test_one_topic_by_objective_and_an_empty_team(bank: Bank) -> None:
    tables = weakspot_tables(
        bank.syllabus,
        {"3.2.4": (2, 2), "1.1.1": (0, 9)},
        {},
        {},
        topic="3",
        wrong_choices={},
        member_topics=[],
        names={},
    )
    assert tables is not None
    rows = {r[0]: r for r in tables[0].rows}
    assert rows["3.2.4"][2:] == ("too few", "2/2", "n/a") and rows["3.1.1"][3] == "0/0"
    assert tables[1].rows == ()  # 1.1.1 is outside topic 3
    assert (
        weakspot_tables(
            bank.syllabus, {"1.1.1": (0, 9)}, {}, {}, topic="3", wrong_choices={}, member_topics=[], names={}
        )
        is None
    )
    weakest, too_few = ranked_weakest({"3.2.4": (2, 2), "3.2.5": (0, 3)}, "3")
    assert [w.objective_id for w in weakest] == ["3.2.5"] and [w.objective_id for w in too_few] == ["3.2.4"]
    assert member_weakest([(7, "2", 3, 3), (7, "4", 1, 3)], {}) == (("?", "Topic 4", "1/3"),)
