"""Coverage order, no repeats while unseen remain, seeded shuffles (issue #2)."""

from __future__ import annotations

from bot.core.model import Objective, Question, Subtopic, Syllabus, Topic
from bot.core.selection import choose_question, option_order, seed_for


def q(qid: str, obj: str, answer: str = "A") -> Question:
    return Question(qid, obj, "stem?", ("a", "b", "c", "d"), answer, "e", "s", ("r", "r", "r", "r"))


SYL = Syllabus(
    (
        Topic("1", "T1", (Subtopic("1.1", "S", (Objective("1.1.1", "x"), Objective("1.1.2", "y"))),)),
        Topic("2", "T2", (Subtopic("2.1", "S", (Objective("2.1.1", "z"),)),)),
    )
)
BANK = [q("a1", "1.1.1"), q("a2", "1.1.1"), q("b1", "1.1.2"), q("c1", "2.1.1"), q("c2", "2.1.1"), q("c3", "2.1.1")]


def run(days: int, seed: str = "ch") -> list[Question]:
    posted: list[str] = []
    out = []
    for d in range(days):
        choice = choose_question(SYL, BANK, posted, seed_for(seed, d))
        posted.append(choice.question.id)
        out.append(choice.question)
    return out


def test_every_objective_before_any_repeats() -> None:
    for s in ("x", "y", "z", "w"):
        seq = run(9, s)
        for round_start in (0, 3, 6):
            objs = {x.objective_id for x in seq[round_start : round_start + 3]}
            assert objs == {"1.1.1", "1.1.2", "2.1.1"}


def test_no_question_repeats_while_unseen_remain() -> None:
    seq = run(9)
    c = [x.id for x in seq if x.objective_id == "2.1.1"]
    assert sorted(c) == ["c1", "c2", "c3"]  # three rounds, three different questions
    a = [x.id for x in seq if x.objective_id == "1.1.1"]
    assert sorted(a[:2]) == ["a1", "a2"]


def test_same_seed_same_choice() -> None:
    assert [x.id for x in run(6, "s")] == [x.id for x in run(6, "s")]


def test_option_order_is_a_seeded_permutation() -> None:
    question = q("a1", "1.1.1", "C")
    orders = {option_order(question, seed_for("p", i)) for i in range(50)}
    assert all(sorted(o) == [0, 1, 2, 3] for o in orders)
    assert len(orders) > 10
    assert option_order(question, 42) == option_order(question, 42)


def test_option_order_avoids_a_fourth_equal_key_letter() -> None:
    question = q("a1", "1.1.1", "B")
    for i in range(100):
        order = option_order(question, seed_for("r", i), avoid_key_letter="A")
        assert "ABCD"[order.index(1)] != "A"


def test_unshuffled_items_keep_order() -> None:
    fixed = Question("n", "1.1.1", "s?", ("1", "2", "3", "4"), "A", "e", "s", ("r",) * 4, shuffle=False)  # type: ignore[arg-type]
    assert option_order(fixed, 5) == (0, 1, 2, 3)


def test_team_weak_spots_are_preferred_within_the_coverage_round() -> None:
    weak = {"1.1.2": (0, 6), "1.1.1": (6, 6), "2.1.1": (5, 6)}
    picks = [choose_question(SYL, BANK, [], seed_for("w", i), team_stats=weak) for i in range(300)]
    share = sum(p.question.objective_id == "1.1.2" for p in picks) / len(picks)
    assert share > 0.6  # uniform would be 1/3
    assert all(p.reason == "weak-spot" for p in picks if p.question.objective_id == "1.1.2")
    assert all("0/6" in p.detail for p in picks if p.question.objective_id == "1.1.2")
    # coverage still rules: once the weak objective has been asked, the others come first
    after = [choose_question(SYL, BANK, ["b1"], seed_for("v", i), team_stats=weak) for i in range(50)]
    assert all(p.question.objective_id != "1.1.2" for p in after)


def test_focus_topic_restricts_the_pool() -> None:
    picks = [choose_question(SYL, BANK, [], seed_for("f", i), focus_topic="2") for i in range(20)]
    assert {p.question.objective_id for p in picks} == {"2.1.1"} and {p.reason for p in picks} == {"focus"}


def test_tables_align_wide_characters_and_cut_long_cells() -> None:
    from bot.core.messages import Table
    from bot.core.render import display_width, table_text

    text = table_text(
        Table(
            "Members",
            ("#", "Member", "Points"),
            (("1", "ben", "0"), ("2", "日本語名前", "0"), ("3", "🚀", "1"), ("4", "x" * 100, "2")),
        )
    )
    lines = text.splitlines()[3:]
    # the Points column starts at the same display column on every row
    starts = [display_width(line[: line.rindex(" ") + 1]) for line in lines]
    assert len(set(starts)) == 1, text
    assert "…" in lines[3] and display_width(lines[3]) < 90
