"""The weak-spot report's rules as pure functions (bot/core/weakspots.py), and its tables (bot/core/present.py)."""

from __future__ import annotations

from bot.core.boards import Tally
from bot.core.present import tables
from bot.core.weakspots import MemberWeakest, WeakSpotReport, member_weakest, ranked_weakest, weakspot_report
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
        member_topics=[(1, "1", 6, 12), (1, "3", 0, 4), (2, "5", 1, 2)],
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


def test_one_topic_by_objective_and_an_empty_team(bank: Bank) -> None:
    report = weakspot_report(
        bank.syllabus,
        {"3.2.4": (2, 2), "1.1.1": (0, 9)},
        {},
        {},
        topic="3",
        wrong_choices={},
        member_topics=[],
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
            bank.syllabus, {"1.1.1": (0, 9)}, {}, {}, topic="3", wrong_choices={}, member_topics=[], names={}
        )
        is None
    )
    weakest_ids, too_few = ranked_weakest({"3.2.4": (2, 2), "3.2.5": (0, 3)}, "3")
    assert [w.objective_id for w in weakest_ids] == ["3.2.5"] and [w.objective_id for w in too_few] == ["3.2.4"]
    assert member_weakest([(7, "2", 3, 3), (7, "4", 1, 3)], {}) == (MemberWeakest(7, "?", "4", Tally(1, 3)),)
