"""A person's ``/stats`` as typed figures: right answers and readiness per topic, streak, reviews due.

The service reads the answers, cards and streak and calls :func:`stats_card`; the text is
:func:`bot.core.present.stats_reply`, the chart :func:`bot.core.charts.progress`. Nothing here reads
the database or the clock.

Rules:
- a topic's figures add up its objectives' answers;
- a topic with no readiness estimate shows the guessing floor (``GUESS_RATE``);
- overall readiness weights topics by ``TOPIC_WEIGHTS`` (a heuristic split, not official).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core.boards import Tally
from bot.core.learning import TOPIC_WEIGHTS
from bot.core.model import Syllabus
from bot.core.review import GUESS_RATE

__all__ = ["StatsCard", "TopicProgress", "stats_card"]


@dataclass(frozen=True, slots=True)
class TopicProgress:
    topic: str
    title: str
    tally: Tally  # right answers out of answers, all time
    readiness: float  # 0-1: predicted chance of a right answer at the horizon


@dataclass(frozen=True, slots=True)
class StatsCard:
    topics: tuple[TopicProgress, ...]
    streak: int  # consecutive local days with a daily answer
    due: int  # reviews due now
    next_due: dt.date | None  # the local day of the next review, if any is scheduled later
    readiness: float  # overall, topics weighted by ``weights``
    horizon_days: int
    weights: Mapping[str, float] = field(default_factory=lambda: dict(TOPIC_WEIGHTS))
    guess_rate: float = GUESS_RATE


def stats_card(
    syllabus: Syllabus,
    objective_stats: Mapping[str, tuple[int, int]],
    topic_readiness: Mapping[str, float],
    overall: float,
    *,
    streak: int,
    due: int,
    next_due: dt.date | None,
    horizon_days: int,
) -> StatsCard:
    """``objective_stats``: objective id -> (right, answers); ``topic_readiness``: topic id -> 0-1."""
    topics = []
    for t in syllabus.topics:
        mine = [v for o, v in objective_stats.items() if o.split(".")[0] == t.id]
        tally = Tally(sum(c for c, _n in mine), sum(n for _c, n in mine))
        topics.append(TopicProgress(t.id, t.title, tally, topic_readiness.get(t.id, GUESS_RATE)))
    return StatsCard(tuple(topics), streak, due, next_due, overall, horizon_days)
