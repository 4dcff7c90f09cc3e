"""``/weakspots``: a team lead's report of where the team is weak, and the team figures that steer the
choice of daily questions.

The figures are read from the store and ranked by :mod:`bot.core.weakspots`; the heatmap is
:func:`bot.core.charts.weakspot_heatmap` of the same figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from bot.core import charts as chartdata
from bot.core import present, weakspots
from bot.core.commands import parse_weakspots
from bot.core.learning import MIN_ANSWERS_FOR_RANKING
from bot.core.messages import Invocation, Reply
from bot.core.model import Question

if TYPE_CHECKING:
    from bot.context import Asker, ChartAttacher
    from bot.core.clock import Clock
    from bot.core.model import Syllabus
    from bot.core.ports import ChannelInfo, Store

__all__ = ["WEAK_SPOT_WINDOW", "WeakSpots"]

WEAK_SPOT_WINDOW = dt.timedelta(days=90)  # answers that steer the choice of daily questions


class WeakSpots:
    """The lead's report; ``asker``, ``is_admin`` and ``with_chart`` are the service's."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        syllabus: Syllabus,
        by_id: Mapping[str, Question],
        *,
        asker: Asker,
        is_admin: Callable[[Invocation], bool],
        with_chart: ChartAttacher,
    ) -> None:
        self.store = store
        self.clock = clock
        self.syllabus = syllabus
        self.by_id = by_id
        self._asker = asker
        self._is_admin = is_admin
        self._with_chart = with_chart
        self._objective_ids = tuple(o.id for o in syllabus.objectives())

    async def command(self, inv: Invocation, text: str) -> list[Reply]:
        """``/weakspots [team] [topicN]``: for the team's leads and admins; a lead asking elsewhere gets their own."""
        cmd = parse_weakspots(text)
        ws, person = await self._asker.who(inv)
        if cmd.team:
            found = await self.store.team_by_name(ws, cmd.team) or await self.store.team_by_name(ws, "#" + cmd.team)
            if found is None:
                names = ", ".join(t["name"] for t in await self.store.teams(ws)) or "none yet"
                return [Reply(f"There is no team {cmd.team!r}. Teams: {names}.\nUsage: /weakspots [team] [topicN]")]
            team = found
        else:
            here = await self._asker.team_for(inv, ws, person)
            if here is None:
                return [Reply("No team here yet. Usage: /weakspots [team] [topicN]")]
            team = here
        mine = await self.store.person_team(ws, person)
        is_lead = mine is not None and mine[0] == team[0] and mine[1]
        if not (is_lead or self._is_admin(inv)):
            if not cmd.team and mine is not None and mine[1]:
                _tid, own_name, _tz, _ws = await self.store.team_info(mine[0])
                reply = await self.reply(mine[0], cmd.topic)
                return [Reply(f"You lead {own_name}, not {team[1]}: here is {own_name}'s report.", private=True), reply]
            return [Reply(f"Weak-spot reports of {team[1]} are for its leads and admins only.")]
        return [await self.reply(team[0], cmd.topic)]

    async def reply(self, team_id: int, topic: str | None = None) -> Reply:
        """The lead's report: the whole syllabus by topic and subtopic, or one ``topic`` by objective."""
        now = self.clock.now()
        async with self.store.atomic():  # one snapshot of the team's figures
            _tid, team_name, _tz, _ws = await self.store.team_info(team_id)
            stats = {o: (c, n) for o, c, n in await self.store.team_objective_stats(team_id)}
            recent = {
                o: (c, n)
                for o, c, n in await self.store.team_objective_stats(team_id, since=now - dt.timedelta(days=7))
            }
            before = {
                o: (c, n)
                for o, c, n in await self.store.team_objective_stats(
                    team_id, since=now - dt.timedelta(days=35), until=now - dt.timedelta(days=7)
                )
            }
            weakest, _too_few = weakspots.ranked_weakest(stats, topic)
            misconception: dict[str, str] = {}
            for obj, qid, option, _n in await self.store.team_wrong_choices(team_id, [w.objective_id for w in weakest]):
                if obj not in misconception and qid in self.by_id:
                    misconception[obj] = self.by_id[qid].options[option]
            members = weakspots.rank_members(await self.store.team_member_topic_stats(team_id))
            names = await self.store.person_names([pid for pid, _t, _tally in members.shown])
        report = weakspots.weakspot_report(
            self.syllabus,
            stats,
            recent,
            before,
            topic=topic,
            wrong_choices=misconception,
            members=members,
            names=names,
        )
        reply = present.weakspots_reply(team_name, topic, report)
        if report is None:
            return reply
        heatmap = chartdata.weakspot_heatmap(
            present.weakspots_title(team_name, topic),
            self.syllabus,
            stats,
            recent,
            before,
            min_answers=MIN_ANSWERS_FOR_RANKING,
            topic=topic,
        )
        return await self._with_chart(reply, lambda r: r.heatmap(heatmap))

    async def team_stats(self, ch: ChannelInfo) -> dict[str, tuple[int, int]] | None:
        """The channel's team's recent (right, answers) per objective, for weighting the daily question."""
        if ch.team_id is None:
            return None
        # recent answers say more about today's weak spots, and keep the query small for old channels. The
        # window starts at a UTC midnight, so it is whole days of the store's day totals: a partial first
        # day would be summed from that day's answers themselves (thousands of rows for a big team)
        start = (self.clock.now() - WEAK_SPOT_WINDOW).astimezone(dt.UTC)
        since = start.replace(hour=0, minute=0, second=0, microsecond=0)
        # the daily choice reads only the syllabus's objectives and whether there are figures at all, so the
        # figures of retired objectives can be left out whenever the syllabus's own are there
        window = await self.store.team_objective_stats(ch.team_id, since=since)
        rows = weakspots.asked_for_else_all(window, self._objective_ids)
        return {o: (c, n) for o, c, n in rows} or None
