"""The weekly leaderboard's rules as pure functions (bot/core/boards.py): ranking, ties, team totals;
its tables as bot/core/present.py makes them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.boards import FirstAttempts, Leaderboard, Tally, contenders, leaderboard
from bot.core.present import tables

NAMES = {1: "ada", 2: "bo", 3: "cy", 4: "di", 5: "ed", 6: "flo", 7: "gus", 8: "hal"}
TEAMS = {1: "owls", 2: "hawks", 3: "crows"}
TOPICS = ("1", "2", "3", "4", "5")


def board(
    rows: list[FirstAttempts], team: int = 1, topics: tuple[str, ...] = TOPICS, streaks: dict[int, int] | None = None
) -> Leaderboard:
    return leaderboard(rows, team, topics, names=NAMES, streaks=streaks or {}, team_names=TEAMS)


def test_members_rank_by_points_then_accuracy_then_name() -> None:
    rows: list[FirstAttempts] = [
        (1, 1, "1", 4, 3),  # ada 3/4
        (1, 2, "1", 3, 3),  # bo 3/3: same points, better accuracy
        (1, 3, "2", 4, 3),  # cy 3/4: ties ada on both, name decides
        (1, 4, "3", 9, 5),  # di 5/9: most points
        (2, 5, "1", 2, 2),  # another team's member is not on this board
        (None, 6, "1", 1, 1),  # someone in no team
    ]
    b = board(rows, streaks={4: 3})
    assert [(m.rank, m.name, m.points) for m in b.members] == [(1, "di", 5), (2, "bo", 3), (3, "ada", 3), (4, "cy", 3)]
    assert b.members[0].streak == 3 and b.members[1].streak == 0
    assert b.team_by_topic["1"] == Tally(6, 7) and b.team_by_topic["4"] == Tally()
    members, by_topic, versus = tables(b)
    assert members.rows[0] == ("1", "di", "5", "56%", "3")
    assert by_topic.rows[-1] == ("TEAM", "6/7", "3/4", "5/9", "–", "–")  # no answers: a dash, not 0/0
    assert by_topic.rows[0] == ("di", "–", "–", "5/9", "–", "–")
    # teams per topic: by accuracy, then by the number of answers; people in no team are left out
    assert [(s.topic, s.rank, s.name, s.tally.cell()) for s in b.versus if s.topic == "1"] == [
        ("1", 1, "hawks", "2/2"),
        ("1", 2, "owls", "6/7"),
    ]
    assert [name for _tid, name, _per in b.teams_by_topic] == ["owls", "hawks"]  # this team first
    assert versus.rows[0] == ("Topic 1", "1", "hawks", "2/2", "100%")


def test_one_topic_only_and_an_empty_week() -> None:
    rows: list[FirstAttempts] = [(1, 1, "1", 2, 1), (1, 2, "3", 2, 2)]
    b = board(rows, topics=("3",))
    assert [m.name for m in b.members] == ["bo"] and b.topics == ("3",)
    assert board([]).empty and board([(2, 5, "1", 1, 1)]).empty


_row = st.tuples(
    st.sampled_from([1, 2, 3, None]), st.integers(1, 8), st.sampled_from(TOPICS), st.integers(1, 5)
).flatmap(lambda r: st.tuples(st.just(r[0]), st.just(r[1]), st.just(r[2]), st.just(r[3]), st.integers(0, r[3])))


@settings(max_examples=200, deadline=None)
@given(st.lists(_row, max_size=40))
def test_ranking_is_total_ordered_and_points_add_up(rows: list[FirstAttempts]) -> None:
    b = board(rows)
    assert [m.rank for m in b.members] == list(range(1, len(b.members) + 1))
    assert sum(m.points for m in b.members) == sum(r[4] for r in rows if r[0] == 1)
    for above, below in zip(b.members, b.members[1:], strict=False):
        assert (above.points, above.total.accuracy) >= (below.points, below.total.accuracy)
    for topic in TOPICS:
        ranked = [s for s in b.versus if s.topic == topic]
        assert all(x.tally.accuracy >= y.tally.accuracy for x, y in zip(ranked, ranked[1:], strict=False))
        assert sum(s.tally.right for s in ranked) == sum(r[4] for r in rows if r[2] == topic and r[0] is not None)


@settings(max_examples=200, deadline=None)
@given(st.lists(_row, max_size=40), st.integers(1, 8), st.sampled_from(TOPICS))
def test_a_right_answer_never_lowers_a_members_rank(rows: list[FirstAttempts], person: int, topic: str) -> None:
    before = {m.person: m.rank for m in board(rows).members}
    after = {m.person: m.rank for m in board([*rows, (1, person, topic, 1, 1)]).members}
    assert after[person] <= before.get(person, len(before) + 1)


@settings(max_examples=100, deadline=None)
@given(st.lists(_row, max_size=40), st.integers(1, 8), st.sampled_from(TOPICS))
def test_a_wrong_answer_never_raises_a_members_rank(rows: list[FirstAttempts], person: int, topic: str) -> None:
    before = {m.person: m.rank for m in board(rows).members}
    after = {m.person: m.rank for m in board([*rows, (1, person, topic, 1, 0)]).members}
    if person in before:
        assert after[person] >= before[person]


def test_a_big_team_lists_its_first_members_and_counts_everyone_in_the_team_row() -> None:
    names = {p: f"member{p:02d}" for p in range(1, 46)}
    rows: list[FirstAttempts] = [(1, p, "1", 50, p) for p in range(1, 46)]  # member45 has the most points
    b = leaderboard(rows, 1, TOPICS, names=names, streaks={45: 2}, team_names=TEAMS, shown=30)
    assert len(b.members) == 30 and b.member_count == 45 and b.unlisted == 15
    assert (b.members[0].name, b.members[0].points, b.members[0].streak) == ("member45", 45, 2)
    assert b.members[-1].name == "member16"
    assert b.team_by_topic["1"] == Tally(sum(range(1, 46)), 45 * 50)
    members, by_topic, _versus = tables(b)
    assert len(members.rows) == 30 and members.note.startswith("The first 30 of 45 members with answers; ")
    assert by_topic.rows[-1][:2] == ("TEAM", f"{sum(range(1, 46))}/2250")
    assert len(by_topic.rows) == 31
    small = board([(1, 1, "1", 2, 1)])
    assert small.unlisted == 0 and tables(small)[0].note.startswith("Points: ")


@settings(max_examples=300, deadline=None)
@given(st.lists(_row, max_size=40), st.integers(1, 5))
def test_names_and_streaks_of_the_contenders_alone_give_the_same_board(rows: list[FirstAttempts], shown: int) -> None:
    streaks = {p: p % 3 for p in NAMES}
    full = leaderboard(rows, 1, TOPICS, names=NAMES, streaks=streaks, team_names=TEAMS, shown=100)
    few = contenders(rows, 1, TOPICS, shown)
    assert len(few) >= min(shown, full.member_count)
    cut = leaderboard(
        rows,
        1,
        TOPICS,
        names={p: NAMES[p] for p in few},
        streaks={p: streaks[p] for p in few},
        team_names=TEAMS,
        shown=shown,
    )
    assert cut.members == full.members[:shown]
    assert cut.member_count == full.member_count and cut.team_by_topic == full.team_by_topic
    assert cut.unlisted == max(0, full.member_count - shown)
