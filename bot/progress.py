"""A person's progress: ``/stats`` (accuracy per topic, streak, reviews due, exam readiness) and the
spaced-repetition update every answer makes (daily, drill or mock exam).

Readiness is :func:`bot.core.review.objective_readiness` per objective, weighted by
:func:`bot.core.learning.readiness`; the chart is :func:`bot.core.charts.progress` of the same answers.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from bot.core import charts as chartdata
from bot.core import present
from bot.core.commands import parse_stats
from bot.core.learning import TOPIC_WEIGHTS, readiness, week_bounds
from bot.core.messages import Invocation, Reply
from bot.core.model import Question
from bot.core.progress import stats_card
from bot.core.review import card_is_due, next_card, objective_readiness

if TYPE_CHECKING:
    from bot.context import Asker, ChartAttacher
    from bot.core.clock import Clock
    from bot.core.model import Syllabus
    from bot.core.ports import ChannelInfo, PostInfo, Store

__all__ = ["PROGRESS_WEEKS", "READINESS_HORIZON_DAYS", "Progress"]

READINESS_HORIZON_DAYS = 7  # readiness predicts a week ahead unless an exam date is set
PROGRESS_WEEKS = 6  # weeks of accuracy in the /stats chart

Streaks = Callable[[Sequence[int], str, dt.date], Awaitable[dict[int, int]]]


class Progress:
    """``/stats`` and the FSRS review update; ``asker``, ``streaks`` and ``with_chart`` are the service's."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        syllabus: Syllabus,
        *,
        asker: Asker,
        streaks: Streaks,
        with_chart: ChartAttacher,
    ) -> None:
        self.store = store
        self.clock = clock
        self.syllabus = syllabus
        self._asker = asker
        self._streaks = streaks
        self._with_chart = with_chart

    # -- spaced repetition ------------------------------------------------------------------------
    async def review_now(self, person: int, q: Question, correct: bool, at: dt.datetime) -> None:
        """An answer outside any team's day (a mock exam): the day is the UTC date of ``at``."""
        await self.review(person, q, correct, at.astimezone(dt.UTC).date(), at)

    async def review(self, person: int, q: Question, correct: bool, day: dt.date, at: dt.datetime) -> None:
        """Record an answer in the person's FSRS schedule; only the first answer of a question per day counts."""
        card, last_day = await self.store.review_state(person, q.id)
        if last_day == day:
            return
        new_card, due = next_card(card, correct, at)
        await self.store.save_review(person, q.id, new_card, due, day)
        if card_is_due(card, at):  # a due review answered: it counts toward the daily cap
            await self.store.count_review(person, day, at)

    async def after_daily_answers(
        self, post: PostInfo, ch: ChannelInfo, answers: Mapping[int, int], q: Question, now: dt.datetime
    ) -> None:
        """A revealed daily question's answers: the answerers join the channel's team if teamless, and review."""
        day = self._asker.local_day(ch.tz)
        for person, option in answers.items():
            if ch.team_id is not None:
                await self.store.join_if_teamless(ch.workspace_id, ch.team_id, person)
            await self.review(person, q, option == q.answer_index, day, now)

    # -- /stats -----------------------------------------------------------------------------------
    async def command(self, inv: Invocation, text: str) -> list[Reply]:
        """``/stats``: the invoker's own figures, privately."""
        parse_stats(text)
        ws, person = await self._asker.who(inv)
        return [await self.reply(ws, person)]

    async def reply(self, ws: int, person: int, horizon_days: int = READINESS_HORIZON_DAYS) -> Reply:
        """Accuracy and readiness per topic, the daily streak, reviews due, and the progress chart."""
        now = self.clock.now()
        async with self.store.atomic():  # the person's figures from one transaction
            answers = await self.store.person_answer_history(person)
            cards = await self.store.person_cards(person)
            team = await self.store.person_team(ws, person)
            tz = (await self.store.team_info(team[0]))[2] if team else "UTC"
            streak = (await self._streaks([person], tz, now.astimezone(zoneinfo.ZoneInfo(tz)).date())).get(person, 0)
        per_obj: dict[str, tuple[int, int]] = {}  # right, answers per objective: from the same rows, no second query
        for objective, _at, ok in answers:
            c, n = per_obj.get(objective, (0, 0))
            per_obj[objective] = (c + ok, n + 1)
        due = sum(1 for _q, _c, d in cards if d <= now)
        next_due = min((d for _q, _c, d in cards if d > now), default=None)
        horizon = now + dt.timedelta(days=horizon_days)
        history: dict[str, list[tuple[dt.datetime, bool]]] = defaultdict(list)
        for objective, at, ok in answers:
            history[objective].append((at, ok))
        per_objective = {o.id: objective_readiness(history.get(o.id, []), horizon) for o in self.syllabus.objectives()}
        per_topic, overall = readiness(per_objective, {o.id: o.topic_id for o in self.syllabus.objectives()})
        zone = zoneinfo.ZoneInfo(tz)
        card = stats_card(
            self.syllabus,
            per_obj,
            per_topic,
            overall,
            streak=streak,
            due=due,
            next_due=next_due.astimezone(zone).date() if next_due else None,
            horizon_days=horizon_days,
        )
        reply = present.stats_reply(card)
        if not answers:
            return reply
        this_monday = week_bounds(now, tz)[2]
        mondays = [this_monday - dt.timedelta(weeks=k) for k in range(PROGRESS_WEEKS - 1, -1, -1)]
        chart = chartdata.progress(
            present.progress_title(PROGRESS_WEEKS, tz),
            mondays,
            [(o.split(".")[0], at.astimezone(zone).date(), ok) for o, at, ok in answers],
            per_topic,
            TOPIC_WEIGHTS,
            [t.id for t in self.syllabus.topics],
        )
        return await self._with_chart(reply, lambda r: r.progress(chart))
