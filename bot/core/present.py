"""The text of the ``/leaderboard``, ``/weakspots`` and ``/stats`` replies, made from their typed figures.

This is the one place those figures become strings: the service hands the core's :class:`Leaderboard`,
:class:`WeakSpotReport` and :class:`StatsCard` to the functions here and gets a :class:`Reply` with its
title, text and :class:`Table` cells, carrying the figures themselves as ``Reply.data`` (for a chart,
or a platform that lays the numbers out its own way). :func:`tables` is the ``singledispatch`` entry.
"""

from __future__ import annotations

from functools import singledispatch

from bot.core.boards import BoardWeek, Leaderboard, Tally, pct
from bot.core.learning import MIN_ANSWERS_FOR_RANKING
from bot.core.messages import Reply, Table
from bot.core.progress import StatsCard
from bot.core.render import shorten
from bot.core.weakspots import WeakSpotReport

__all__ = [
    "POINTS_NOTE",
    "board_not_started",
    "board_reply",
    "board_title",
    "progress_title",
    "stats_reply",
    "tables",
    "weakspots_reply",
    "weakspots_title",
]

POINTS_NOTE = (
    "Points: one per question answered right at the first attempt in the week (daily or drill). "
    "Streak: consecutive days with an answer to the daily question."
)


def _right(t: Tally) -> str:
    """``right/answers``, also ``0/0`` (where a dash would hide that nothing was asked)."""
    return f"{t.right}/{t.attempted}"


def _points(delta: float | None) -> str:
    return "n/a" if delta is None else f"{delta:+.0f} pts"


@singledispatch
def tables(data: object) -> tuple[Table, ...]:
    """The text tables of a reply's figures."""
    raise TypeError(f"no tables for {type(data).__name__}")


# -- /leaderboard ---------------------------------------------------------------------------------
@tables.register
def _board_tables(board: Leaderboard) -> tuple[Table, ...]:
    """Members by points, by topic, teams by topic."""
    members = tuple((str(m.rank), m.name, str(m.points), pct(m.total), str(m.streak)) for m in board.members)
    by_topic = [(m.name, *[m.by_topic.get(t, Tally()).cell() for t in board.topics]) for m in board.members]
    if board.members:
        by_topic.append(("TEAM", *[board.team_by_topic.get(t, Tally()).cell() for t in board.topics]))
    versus = tuple((f"Topic {s.topic}", str(s.rank), s.name, s.tally.cell(), pct(s.tally)) for s in board.versus)
    note = POINTS_NOTE
    if board.unlisted:
        note = (
            f"The first {len(board.members)} of {board.member_count} members with answers; "
            f"the TEAM row counts all of them. " + POINTS_NOTE
        )
    return (
        Table("Members by points", ("#", "Member", "Points", "Accuracy", "Streak"), members, note=note),
        Table("By topic (right/attempted)", ("Member", *[f"T{t}" for t in board.topics]), tuple(by_topic)),
        Table("Teams by topic", ("Topic", "#", "Team", "Right", "Accuracy"), versus),
    )


def board_title(week: BoardWeek) -> str:
    label = {"this": "this week", "last": "last week"}.get(week.which, "week")
    return f"Leaderboard · {week.team_name} · {label} (from Monday {week.monday:%Y-%m-%d}, {week.tz})" + (
        f" · Topic {week.topic}" if week.topic else ""
    )


def board_not_started(week: BoardWeek, *, private: bool) -> Reply:
    return Reply(
        f"The week from Monday {week.monday:%Y-%m-%d} has not started yet; try /leaderboard this.", private=private
    )


def board_reply(board: Leaderboard, *, private: bool) -> Reply:
    """The board's tables under its title; one line when nobody answered that week."""
    week = board.week
    if week is None:
        raise ValueError("a board's reply names its week: build it with leaderboard(..., week=...)")
    title = board_title(week)
    if board.empty:
        text = f"{title}: no answers in that week" + (f" on topic {week.topic}." if week.topic else ".")
        return Reply(text, private=private, data=board)
    return Reply("", private=private, tables=tables(board), title=title, data=board)


# -- /weakspots -----------------------------------------------------------------------------------
@tables.register
def _weakspot_tables(report: WeakSpotReport) -> tuple[Table, ...]:
    """Accuracy by area (or the topic's objectives), the five weakest objectives, members' weakest topic."""
    if report.topic is None:
        area_rows = tuple(
            (
                f"  {a.area_id} {shorten(a.title, 68)}" if a.subtopic else f"{a.area_id} {shorten(a.title, 70)}",
                pct(a.tally),
                str(a.tally.attempted),
            )
            for a in report.areas
        )
        first = Table("Accuracy by topic and subtopic", ("Area", "Accuracy", "Answers"), area_rows)
    else:
        objective_rows = tuple(
            (
                o.objective_id,
                shorten(o.text, 48),
                f"{100 * o.smoothed:.0f}%" if o.enough else "too few",
                _right(o.tally),
                _points(o.trend),
            )
            for o in report.objectives
        )
        first = Table(
            f"Topic {report.topic} by objective", ("Objective", "", "Smoothed", "Right", "Trend"), objective_rows
        )
    weak_rows = tuple(
        (
            w.objective_id,
            shorten(w.text, 48),
            f"{100 * w.smoothed:.0f}%",
            _right(w.tally),
            shorten("–" if w.wrong_choice is None else w.wrong_choice, 50),
            "n/a" if w.trend is None else f"{'▲' if w.trend > 0 else '▼' if w.trend < 0 else '='} {w.trend:+.0f} pts",
        )
        for w in report.weakest
    )
    note = (
        f"Smoothed = (right + 2) / (answers + 3), so a few answers do not dominate. {report.unranked} objective(s) "
        f"with fewer than {MIN_ANSWERS_FOR_RANKING} answers are not ranked. Trend: last 7 days vs the 4 weeks before."
    )
    members = tuple((m.name, f"Topic {m.topic}", _right(m.tally)) for m in report.members)
    return (
        first,
        Table(
            "Five weakest objectives",
            ("Objective", "", "Smoothed", "Right", "Most chosen wrong option", "Trend"),
            weak_rows,
            note=note,
        ),
        Table(
            "Members: weakest topic",
            ("Member", "Weakest", "Right"),
            members,
            note=(
                f"The {len(report.members)} weakest of {report.member_count} members, weakest first. "
                if report.unlisted
                else "Weakest first. "
            )
            + f"Only topics where a member has at least {MIN_ANSWERS_FOR_RANKING} answers.",
        ),
    )


def weakspots_title(team_name: str, topic: str | None) -> str:
    return f"Weak spots · {team_name}" + (f" · Topic {topic}" if topic else "")


def weakspots_reply(team_name: str, topic: str | None, report: WeakSpotReport | None) -> Reply:
    """The lead's report (``report`` None: the team has no answers in scope yet)."""
    title = weakspots_title(team_name, topic)
    if report is None:
        return Reply(
            f"{title}: no answers yet. The report fills in as the team answers daily questions and drills.",
            private=True,
        )
    return Reply(
        "", private=True, title=f"{title} (visible to leads and admins only)", tables=tables(report), data=report
    )


# -- /stats ---------------------------------------------------------------------------------------
@tables.register
def _stats_tables(card: StatsCard) -> tuple[Table, ...]:
    rows = tuple(
        (
            t.topic,
            shorten(t.title, 70),
            _right(t.tally),
            f"{100 * t.tally.right / t.tally.attempted:.0f}%" if t.tally.attempted else "–",
            f"{100 * t.readiness:.0f}%",
        )
        for t in card.topics
    )
    return (Table("By topic", ("Topic", "", "Right", "Accuracy", "Readiness"), rows),)


def stats_reply(card: StatsCard) -> Reply:
    """Streak, reviews due and readiness in a line, how readiness is estimated, and the table by topic."""
    reviews = f"reviews due: {card.due}" + (
        f" (next {card.next_due:%a %Y-%m-%d})" if not card.due and card.next_due else ""
    )
    weights = "/".join(f"{100 * w:.0f}" for w in card.weights.values())
    text = (
        f"Daily streak: {card.streak} day(s) · {reviews} · exam readiness: {100 * card.readiness:.0f}%\n"
        f"Readiness: predicted chance of a right answer in {card.horizon_days} days, per objective from your record "
        f"and FSRS memory ({100 * card.guess_rate:.0f}% if unseen); topics weighted {weights}%."
    )
    return Reply(text, private=True, title="Your StudyBot stats", tables=tables(card), data=card)


def progress_title(weeks: int, tz: str) -> str:
    """The /stats chart's title."""
    return f"Your progress · last {weeks} weeks ({tz})"
