"""The weekly leaderboard as pure rules: who has how many points, in which order, and how teams compare.

Input is the week's first attempts (one row per person, team, topic: attempts and right answers, as
the store returns them); output is a typed :class:`Leaderboard` that the text tables
(:func:`bot.core.present.tables`) and the chart (:func:`bot.core.charts.weekly_board`) are both drawn from.
Nothing here reads the database or the clock, so every rule is tested as a function.

Rules (the README states them):
- a point is a question answered right at the first attempt in the week (daily or drill);
- members rank by points, then accuracy, then name (so the order is total and stable); a board lists
  the first ``MEMBERS_SHOWN`` (a team of thousands would not fit in a chat message), its team totals
  count everyone;
- teams rank per topic by accuracy, then by the number of answers (more evidence first);
- a topic with no answers shows "–", not 0/0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "MEMBERS_SHOWN",
    "BoardWeek",
    "FirstAttempts",
    "Leaderboard",
    "MemberStanding",
    "Tally",
    "TeamStanding",
    "contenders",
    "leaderboard",
    "pct",
]

# (team id or None, person id, topic id, first attempts, right at the first attempt)
FirstAttempts = tuple[int | None, int, str, int, int]

MEMBERS_SHOWN = 30  # members a board lists


@dataclass(frozen=True, slots=True)
class BoardWeek:
    """Which week a board is of: the team, the week asked for, its Monday and zone, and the topic if one."""

    team_name: str
    which: str  # "this", "last" or the ISO date asked for
    monday: dt.date
    tz: str
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Tally:
    """Right answers out of attempts."""

    right: int = 0
    attempted: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.right + other.right, self.attempted + other.attempted)

    @property
    def accuracy(self) -> float:
        return self.right / self.attempted if self.attempted else 0.0

    def cell(self) -> str:
        return f"{self.right}/{self.attempted}" if self.attempted else "–"


@dataclass(frozen=True, slots=True)
class MemberStanding:
    rank: int
    person: int
    name: str
    total: Tally
    streak: int
    by_topic: Mapping[str, Tally] = field(default_factory=dict)

    @property
    def points(self) -> int:
        return self.total.right


@dataclass(frozen=True, slots=True)
class TeamStanding:
    topic: str
    rank: int
    team: int
    name: str
    tally: Tally


@dataclass(frozen=True, slots=True)
class Leaderboard:
    """One team's week: its members ranked, its per-topic totals, and every team ranked per topic."""

    team: int
    topics: tuple[str, ...]
    members: tuple[MemberStanding, ...]
    team_by_topic: Mapping[str, Tally]
    versus: tuple[TeamStanding, ...]
    teams_by_topic: tuple[tuple[int, str, Mapping[str, Tally]], ...]  # this team first, then by name
    week: BoardWeek | None = None
    member_count: int = 0  # members with answers in the week, listed or not

    @property
    def unlisted(self) -> int:
        """Members with answers who are not listed (below the first ``MEMBERS_SHOWN``)."""
        return max(0, self.member_count - len(self.members))

    @property
    def empty(self) -> bool:
        return not self.members


def pct(tally: Tally) -> str:
    return f"{100 * tally.accuracy:.0f}%" if tally.attempted else "–"


def _member_sums(rows: Iterable[FirstAttempts], team: int, wanted: set[str]) -> dict[tuple[int, str], list[int]]:
    """[right, attempted] per (member, topic) of ``team``, over the wanted topics."""
    sums: dict[tuple[int, str], list[int]] = {}
    for team_id, person, topic, attempts, right in rows:
        if team_id == team and topic in wanted:
            s = sums.setdefault((person, topic), [0, 0])
            s[0] += right
            s[1] += attempts
    return sums


def contenders(
    rows: Iterable[FirstAttempts], team: int, topics: Sequence[str], shown: int = MEMBERS_SHOWN
) -> list[int]:
    """The members who may be among the ``shown`` a board lists: the first ``shown`` by points and
    accuracy and everyone tied with the last of them (names break those ties). Only their names and
    streaks are needed to build the board."""
    totals: dict[int, list[int]] = {}
    for (person, _topic), (r, n) in _member_sums(rows, team, set(topics)).items():
        t = totals.setdefault(person, [0, 0])
        t[0] += r
        t[1] += n
    key = {p: (-r, -(r / n if n else 0.0)) for p, (r, n) in totals.items()}
    order = sorted(key, key=lambda p: (key[p], p))
    if len(order) <= shown:
        return order
    cut = key[order[shown - 1]] if shown > 0 else None
    return [p for p in order if cut is not None and key[p] <= cut]


def leaderboard(
    rows: Iterable[FirstAttempts],
    team: int,
    topics: Sequence[str],
    *,
    names: Mapping[int, str],
    streaks: Mapping[int, int],
    team_names: Mapping[int, str],
    week: BoardWeek | None = None,
    shown: int = MEMBERS_SHOWN,
) -> Leaderboard:
    """Rank ``team``'s members and every team per topic from the week's first attempts; list the first
    ``shown`` members (``names`` and ``streaks`` are needed for :func:`contenders` only).

    Rows for topics outside ``topics`` are left out (``topics`` may be one topic for ``/leaderboard topic3``).
    """
    wanted = set(topics)
    # plain [right, attempted] sums first (a team holds thousands of members), Tallies once at the end
    sums: dict[tuple[int, str], list[int]] = {}
    agg_sums: dict[tuple[str, int], list[int]] = {}
    for team_id, person, topic, attempts, right in rows:
        if topic not in wanted:
            continue
        if team_id == team:
            s = sums.setdefault((person, topic), [0, 0])
            s[0] += right
            s[1] += attempts
        if team_id is not None:
            s = agg_sums.setdefault((topic, team_id), [0, 0])
            s[0] += right
            s[1] += attempts
    per_topic = {key: Tally(r, n) for key, (r, n) in sums.items()}
    agg = {key: Tally(r, n) for key, (r, n) in agg_sums.items()}
    total_sums: dict[int, list[int]] = {}
    topic_sums = {t: [0, 0] for t in topics}
    by_person: dict[int, dict[str, Tally]] = {}
    for (person, topic), (r, n) in sums.items():
        s = total_sums.setdefault(person, [0, 0])
        s[0] += r
        s[1] += n
        topic_sums[topic][0] += r
        topic_sums[topic][1] += n
        by_person.setdefault(person, {})[topic] = per_topic[(person, topic)]
    totals = {p: Tally(r, n) for p, (r, n) in total_sums.items()}
    order = sorted(totals, key=lambda p: (-totals[p].right, -totals[p].accuracy, names.get(p, ""), p))[:shown]
    members = tuple(
        MemberStanding(
            i,
            p,
            names.get(p, "?"),
            totals[p],
            streaks.get(p, 0),
            {t: by_person[p][t] for t in topics if t in by_person[p]},
        )
        for i, p in enumerate(order, start=1)
    )
    team_by_topic = {t: Tally(r, n) for t, (r, n) in topic_sums.items()}
    versus: list[TeamStanding] = []
    for t in topics:
        entries = sorted(
            ((tid, v) for (tt, tid), v in agg.items() if tt == t and v.attempted),
            key=lambda e: (-e[1].accuracy, -e[1].attempted, team_names.get(e[0], ""), e[0]),
        )
        versus += [TeamStanding(t, rank, tid, team_names.get(tid, "?"), v) for rank, (tid, v) in enumerate(entries, 1)]
    others = sorted({tid for (_t, tid) in agg if tid != team}, key=lambda tid: (team_names.get(tid, ""), tid))
    teams_by_topic = tuple(
        (tid, team_names.get(tid, "?"), {t: agg[(t, tid)] for t in topics if (t, tid) in agg})
        for tid in [team, *others]
    )
    return Leaderboard(
        team, tuple(topics), members, team_by_topic, tuple(versus), teams_by_topic, week, member_count=len(totals)
    )
