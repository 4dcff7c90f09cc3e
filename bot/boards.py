"""``/leaderboard``, the Monday board post, and daily streaks.

The week's first attempts are read from the store and ranked by :func:`bot.core.boards.leaderboard`;
the chart is :func:`bot.core.charts.weekly_board` of the same figures. The board is posted in a
channel once per week (``claim_weekly_board``), by the scheduler's weekly job.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from bot.core import boards, present
from bot.core import charts as chartdata
from bot.core.commands import parse_leaderboard
from bot.core.learning import daily_streak, week_bounds
from bot.core.messages import ChannelRef, Invocation, Message, Reply

if TYPE_CHECKING:
    from bot.context import Asker, ChartAttacher
    from bot.core.charts import ChartImage
    from bot.core.clock import Clock
    from bot.core.model import Syllabus
    from bot.core.ports import ChartRenderer, Store

__all__ = ["STREAK_EPOCH", "Boards"]

log = logging.getLogger(__name__)

STREAK_EPOCH = dt.date(1970, 1, 2)  # no answer is older; keeps the streak window inside the calendar


class Boards:
    """The weekly leaderboard; ``asker``, ``with_chart`` and ``post`` (its notifier's, read at each post) are the
    service's."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        syllabus: Syllabus,
        *,
        asker: Asker,
        with_chart: ChartAttacher,
        post: Callable[[ChannelRef, Message], Awaitable[str]],
    ) -> None:
        self.store = store
        self.clock = clock
        self.syllabus = syllabus
        self._post = post
        self._asker = asker
        self._with_chart = with_chart

    async def command(self, inv: Invocation, text: str) -> list[Reply]:
        """``/leaderboard [this|last|YYYY-MM-DD] [topicN]``: the team's week, privately."""
        cmd = parse_leaderboard(text)
        ws, person = await self._asker.who(inv)
        team = await self._asker.team_for(inv, ws, person)
        if team is None:
            return [Reply("No team here yet: subscribe a channel (/studybot subscribe) or join a team.")]
        board = await self.reply(ws, team[0], cmd.week, cmd.topic, private=True)
        mine = await self.store.person_team(ws, person)
        if mine is not None and mine[0] != team[0]:  # the channel's team is not the person's own: say so
            own = (await self.store.team_info(mine[0]))[1]
            note = (
                f"This is {team[1]}'s board, the team of this channel; you are in {own}, "
                f"whose board is in its own channel."
            )
            return [Reply(note, private=True), board]
        return [board]

    async def reply(self, ws: int, team_id: int, week: str, topic: str | None, *, private: bool) -> Reply:
        """One team's board for ``week`` ("this", "last" or an ISO date), optionally of one topic."""
        async with self.store.atomic():  # the board's figures from one transaction
            found = await self._board(ws, team_id, week, topic)
        if isinstance(found, boards.BoardWeek):
            return present.board_not_started(found, private=private)
        rank, topics = found
        board = rank()
        reply = present.board_reply(board, private=private)
        if board.empty:
            return reply

        def draw(renderer: ChartRenderer) -> ChartImage:  # its figures are gathered only when a chart is drawn
            chart = chartdata.weekly_board(
                reply.title,
                topics,
                [(m.name, {t: m.by_topic.get(t, boards.Tally()).right for t in topics}) for m in board.members],
                [
                    (name, {t: (v.right, v.attempted) for t, v in per.items()})
                    for _tid, name, per in board.teams_by_topic
                ],
            )
            return renderer.board(chart)

        return await self._with_chart(reply, draw)

    async def _board(
        self, ws: int, team_id: int, week: str, topic: str | None
    ) -> tuple[Callable[[], boards.Leaderboard], list[str]] | boards.BoardWeek:
        """The board (to be ranked once the transaction is over) and its topics, or the asked week alone
        if it has not started."""
        _tid, team_name, tz, _ = await self.store.team_info(team_id)
        now = self.clock.now()
        start, end, monday = week_bounds(now, tz, week)
        asked = boards.BoardWeek(team_name, week, monday, tz, topic)
        if start > now:
            return asked
        # the team's members per topic, other teams already summed per topic (person 0: never shown)
        rows = [
            (tid, 0 if pid is None else pid, t, n, c)
            for tid, pid, t, n, c in await self.store.team_first_attempts(ws, team_id, start, end)
        ]
        topics = [topic] if topic else [t.id for t in self.syllabus.topics]
        people = boards.contenders(rows, team_id, topics)  # only the listed members' names and streaks are read
        names = await self.store.person_names(people)
        last_day = min(now, end - dt.timedelta(seconds=1)).astimezone(zoneinfo.ZoneInfo(tz)).date()
        streaks = await self.streaks(people, tz, last_day)
        team_names = await self.store.team_names(ws)
        return lambda: boards.leaderboard(
            rows, team_id, topics, names=names, streaks=streaks, team_names=team_names, week=asked
        ), topics

    async def post_weekly(self, channel_id: int) -> bool:
        """Post last week's board in the channel once (Monday morning); False if already posted."""
        ch = await self.store.channel_by_id(channel_id)
        if ch.team_id is None or not ch.active:
            return False
        _tid, _name, tz, _ = await self.store.team_info(ch.team_id)
        _s, _e, monday = week_bounds(self.clock.now(), tz, "last")
        if not await self.store.claim_weekly_board(ch.id, monday, self.clock.now()):
            return False
        reply = await self.reply(ch.workspace_id, ch.team_id, "last", None, private=False)
        if not reply.tables:
            log.info("no answers last week; no board posted", extra={"channel": ch.ref.channel})
            return False  # a quiet week posts nothing (the claim stays, so it is not retried)
        try:
            await self._post(ch.ref, reply)
        except Exception:
            await self.store.release_weekly_board(ch.id, monday)
            raise
        return True

    async def streaks(self, people: Sequence[int], tz: str, last_day: dt.date) -> dict[int, int]:
        """Daily-answer streaks ending at ``last_day``, reading only as many recent days as needed."""
        zone = zoneinfo.ZoneInfo(tz)
        out: dict[int, int] = {}
        todo = list(people)
        held = {
            p: {
                s + dt.timedelta(days=k)
                for s, e in spans
                for k in range((e - s).days)
                if s + dt.timedelta(days=k) <= last_day
            }
            for p, spans in (await self.store.pauses_of(todo)).items()
        }
        window = 4  # most streaks are short: read a few days first, more only for those that reach their start
        while todo:
            first = max(last_day - dt.timedelta(days=window), STREAK_EPOCH) if last_day > STREAK_EPOCH else last_day
            if window <= 32:  # the store counts the local days (its spans between local midnights)
                days = [first + dt.timedelta(days=k) for k in range((last_day - first).days + 2)]
                bounds = [dt.datetime.combine(d, dt.time(), tzinfo=zone).astimezone(dt.UTC) for d in days]
                spans = await self.store.daily_answer_days(todo, bounds)
                answered = {p: {days[i] for i in s} for p, s in spans.items()}
            else:  # the few long streaks: every answer's time, converted here
                since = dt.datetime.combine(first, dt.time(), tzinfo=zone).astimezone(dt.UTC)
                times = await self.store.daily_answer_times(todo, since)
                answered = {p: {t.astimezone(zone).date() for t in ts} for p, ts in times.items()}
            longer = []
            for p in todo:
                n = daily_streak(answered.get(p, ()), last_day, held.get(p, ()))
                out[p] = n
                if n + len(held.get(p, ())) >= window - 1 and window < 3000:
                    longer.append(p)  # the streak may go back further than we read
            todo, window = longer, window * 4
        return out
