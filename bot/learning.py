"""The learning engine's commands: drills, leaderboards, weak spots, stats, teams, focus, forget-me.

A mixin of :class:`bot.service.QuizService` (it uses the service's store, clock, syllabus and bank).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from bot.core import boards, weakspots
from bot.core import charts as chartdata
from bot.core.commands import (
    parse_leaderboard,
    parse_stats,
    parse_weakspots,
)
from bot.core.learning import (
    MIN_ANSWERS_FOR_RANKING,
    TOPIC_WEIGHTS,
    daily_streak,
    readiness,
    week_bounds,
)
from bot.core.messages import DrillCard, Invocation, Reply, Table
from bot.core.model import Question
from bot.core.review import GUESS_RATE, next_card, objective_readiness

if TYPE_CHECKING:
    from bot.core.charts import ChartImage
    from bot.core.clock import Clock
    from bot.core.model import Syllabus
    from bot.core.ports import ChannelInfo, ChartRenderer, Notifier, PostInfo, Store
    from bot.drills import Drills
    from bot.exams import MockExams

__all__ = ["LearningMixin"]

log = logging.getLogger(__name__)

STREAK_EPOCH = dt.date(1970, 1, 2)  # no answer is older; keeps the streak window inside the calendar
READINESS_HORIZON_DAYS = 7  # readiness predicts a week ahead unless an exam date is set
PROGRESS_WEEKS = 6  # weeks of accuracy in the /stats chart
WEAK_SPOT_WINDOW = dt.timedelta(days=90)  # answers that steer the choice of daily questions


def _pct(c: int, n: int) -> str:
    return f"{100 * c / n:.0f}%" if n else "–"


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


class LearningMixin:
    store: Store
    clock: Clock
    syllabus: Syllabus
    questions: tuple[Question, ...]
    by_id: dict[str, Question]
    notifier: Notifier
    charts: ChartRenderer | None
    exams: MockExams
    drills: Drills
    _objective_text: dict[str, str]
    _topic_title: dict[str, str]

    if TYPE_CHECKING:

        def _is_admin(self, inv: Invocation) -> bool: ...

        def _limited(self, inv: Invocation) -> Reply | None: ...

        async def _audit(self, ws: int, inv: Invocation, action: str, detail: str) -> None: ...

        async def _channel_changed(self, channel_id: int) -> None: ...

    # -- helpers ----------------------------------------------------------------------------------
    async def _with_chart(self, reply: Reply, draw: Callable[[ChartRenderer], ChartImage]) -> Reply:
        """The reply with its chart drawn in a worker thread; without one if charts are off or drawing fails."""
        renderer = self.charts
        if renderer is None or not reply.tables:
            return reply
        try:
            image = await asyncio.to_thread(draw, renderer)
        except Exception:
            log.exception("drawing a chart failed; the text reply goes alone")
            return reply
        return dataclasses.replace(reply, image=image)

    async def _who(self, inv: Invocation) -> tuple[int, int]:
        ws = await self.store.ensure_workspace(inv.platform, inv.workspace, inv.workspace_name)
        person = await self.store.ensure_person(ws, inv.user, inv.user_name)
        return ws, person

    def _local_day(self, tz: str | None) -> dt.date:
        return self.clock.now().astimezone(zoneinfo.ZoneInfo(tz or "UTC")).date()

    async def _team_for(self, inv: Invocation, ws: int, person: int) -> tuple[int, str, str] | None:
        """The team a command refers to: the channel's team, else the person's."""
        ch = await self.store.get_channel(ws, inv.channel)
        team_id = ch.team_id if ch is not None else None
        if team_id is None:
            mine = await self.store.person_team(ws, person)
            team_id = mine[0] if mine else None
        if team_id is None:
            return None
        tid, name, tz, _ws = await self.store.team_info(team_id)
        return tid, name, tz

    # -- spaced repetition ------------------------------------------------------------------------
    async def _review_now(self, person: int, q: Question, correct: bool, at: dt.datetime) -> None:
        """An answer outside any team's day (a mock exam): the day is the UTC date of ``at``."""
        await self._review(person, q, correct, at.astimezone(dt.UTC).date(), at)

    async def _review(self, person: int, q: Question, correct: bool, day: dt.date, at: dt.datetime) -> None:
        card, last_day = await self.store.review_state(person, q.id)
        if last_day == day:
            return  # only the first answer of a question per day counts
        new_card, due = next_card(card, correct, at)
        await self.store.save_review(person, q.id, new_card, due, day)

    async def _after_daily_answers(
        self, post: PostInfo, ch: ChannelInfo, answers: Mapping[int, int], q: Question, now: dt.datetime
    ) -> None:
        day = self._local_day(ch.tz)
        for person, option in answers.items():
            if ch.team_id is not None:
                await self.store.join_if_teamless(ch.workspace_id, ch.team_id, person)
            await self._review(person, q, option == q.answer_index, day, now)

    async def _team_stats(self, ch: ChannelInfo) -> dict[str, tuple[int, int]] | None:
        if ch.team_id is None:
            return None
        # recent answers say more about today's weak spots, and keep the query small for old channels
        rows = await self.store.team_objective_stats(ch.team_id, since=self.clock.now() - WEAK_SPOT_WINDOW)
        return {o: (c, n) for o, c, n in rows} or None

    async def _streaks(self, people: Sequence[int], tz: str, last_day: dt.date) -> dict[int, int]:
        """Daily-answer streaks ending at ``last_day``, reading only as many recent days as needed."""
        zone = zoneinfo.ZoneInfo(tz)
        out: dict[int, int] = {}
        todo = list(people)
        window = 8  # most streaks are short: read a week first, more only for those that reach its start
        while todo:
            first = max(last_day - dt.timedelta(days=window), STREAK_EPOCH) if last_day > STREAK_EPOCH else last_day
            since = dt.datetime.combine(first, dt.time(), tzinfo=zone).astimezone(dt.UTC)
            times = await self.store.daily_answer_times(todo, since)
            longer = []
            for p in todo:
                n = daily_streak({t.astimezone(zone).date() for t in times.get(p, [])}, last_day)
                out[p] = n
                if n >= window - 1 and window < 3000:
                    longer.append(p)  # the streak may go back further than we read
            todo, window = longer, window * 4
        return out

    # -- /drill and its buttons (bot/drills.py) ------------------------------------------------------
    async def press_button(self, inv: Invocation, value: str) -> list[Reply]:
        """A drill or mock-exam button: ``drill:<id>:<seq>:<letter>``. Repeats and stale buttons change nothing."""
        return await self.drills.press(inv, value)

    async def current_card(self, inv: Invocation) -> DrillCard | None:
        """The drill or mock-exam question the person has open, to show it again (see ``Drills.current_card``)."""
        return await self.drills.current_card(inv)

    # -- /leaderboard -----------------------------------------------------------------------------
    async def _leaderboard(self, inv: Invocation, text: str) -> list[Reply]:
        cmd = parse_leaderboard(text)
        ws, person = await self._who(inv)
        team = await self._team_for(inv, ws, person)
        if team is None:
            return [Reply("No team here yet: subscribe a channel (/studybot subscribe) or join a team.")]
        board = await self.leaderboard_reply(ws, team[0], cmd.week, cmd.topic, private=True)
        mine = await self.store.person_team(ws, person)
        if mine is not None and mine[0] != team[0]:  # the channel's team is not the person's own: say so
            own = (await self.store.team_info(mine[0]))[1]
            note = (
                f"This is {team[1]}'s board, the team of this channel; you are in {own}, "
                f"whose board is in its own channel."
            )
            return [Reply(note, private=True), board]
        return [board]

    async def leaderboard_reply(self, ws: int, team_id: int, week: str, topic: str | None, *, private: bool) -> Reply:
        _tid, team_name, tz, _ = await self.store.team_info(team_id)
        now = self.clock.now()
        start, end, monday = week_bounds(now, tz, week)
        label = {"this": "this week", "last": "last week"}.get(week, "week")
        title = f"Leaderboard · {team_name} · {label} (from Monday {monday:%Y-%m-%d}, {tz})" + (
            f" · Topic {topic}" if topic else ""
        )
        if start > now:
            return Reply(
                f"The week from Monday {monday:%Y-%m-%d} has not started yet; try /leaderboard this.", private=private
            )
        # the team's members per topic, other teams already summed per topic (person 0: never shown)
        rows = [
            (tid, 0 if pid is None else pid, t, n, c)
            for tid, pid, t, n, c in await self.store.team_first_attempts(ws, team_id, start, end)
        ]
        topics = [topic] if topic else [t.id for t in self.syllabus.topics]
        people = sorted({pid for tid, pid, t, _n, _c in rows if tid == team_id and t in topics})
        names = await self.store.person_names(people)
        last_day = min(now, end - dt.timedelta(seconds=1)).astimezone(zoneinfo.ZoneInfo(tz)).date()
        streaks = await self._streaks(people, tz, last_day)
        board = boards.leaderboard(
            rows, team_id, topics, names=names, streaks=streaks, team_names=await self.store.team_names(ws)
        )
        if board.empty:
            return Reply(
                f"{title}: no answers in that week" + (f" on topic {topic}." if topic else "."), private=private
            )

        def draw(renderer: ChartRenderer) -> ChartImage:  # its figures are gathered only when a chart is drawn
            chart = chartdata.weekly_board(
                title,
                topics,
                [(m.name, {t: m.by_topic.get(t, boards.Tally()).right for t in topics}) for m in board.members],
                [
                    (name, {t: (v.right, v.attempted) for t, v in per.items()})
                    for _tid, name, per in board.teams_by_topic
                ],
            )
            return renderer.board(chart)

        tables = boards.board_tables(board)
        return await self._with_chart(Reply("", private=private, tables=tables, title=title), draw)

    async def post_weekly_board(self, channel_id: int) -> bool:
        """Post last week's board in the channel once (Monday morning); False if already posted."""
        ch = await self.store.channel_by_id(channel_id)
        if ch.team_id is None or not ch.active:
            return False
        _tid, _name, tz, _ = await self.store.team_info(ch.team_id)
        _s, _e, monday = week_bounds(self.clock.now(), tz, "last")
        if not await self.store.claim_weekly_board(ch.id, monday, self.clock.now()):
            return False
        reply = await self.leaderboard_reply(ch.workspace_id, ch.team_id, "last", None, private=False)
        if not reply.tables:
            log.info("no answers last week; no board posted", extra={"channel": ch.ref.channel})
            return False  # a quiet week posts nothing (the claim stays, so it is not retried)
        try:
            await self.notifier.post(ch.ref, reply)
        except Exception:
            await self.store.release_weekly_board(ch.id, monday)
            raise
        return True

    # -- /weakspots -------------------------------------------------------------------------------
    async def _weakspots(self, inv: Invocation, text: str) -> list[Reply]:
        cmd = parse_weakspots(text)
        ws, person = await self._who(inv)
        if cmd.team:
            found = await self.store.team_by_name(ws, cmd.team) or await self.store.team_by_name(ws, "#" + cmd.team)
            if found is None:
                names = ", ".join(t["name"] for t in await self.store.teams(ws)) or "none yet"
                return [Reply(f"There is no team {cmd.team!r}. Teams: {names}.\nUsage: /weakspots [team] [topicN]")]
            team = found
        else:
            here = await self._team_for(inv, ws, person)
            if here is None:
                return [Reply("No team here yet. Usage: /weakspots [team] [topicN]")]
            team = here
        mine = await self.store.person_team(ws, person)
        is_lead = mine is not None and mine[0] == team[0] and mine[1]
        if not (is_lead or self._is_admin(inv)):
            if not cmd.team and mine is not None and mine[1]:
                _tid, own_name, _tz, _ws = await self.store.team_info(mine[0])
                reply = await self.weakspots_reply(mine[0], cmd.topic)
                return [Reply(f"You lead {own_name}, not {team[1]}: here is {own_name}'s report.", private=True), reply]
            return [Reply(f"Weak-spot reports of {team[1]} are for its leads and admins only.")]
        return [await self.weakspots_reply(team[0], cmd.topic)]

    async def weakspots_reply(self, team_id: int, topic: str | None = None) -> Reply:
        """The lead's report: the whole syllabus by topic and subtopic, or one ``topic`` by objective."""
        _tid, team_name, _tz, _ws = await self.store.team_info(team_id)
        now = self.clock.now()
        stats = {o: (c, n) for o, c, n in await self.store.team_objective_stats(team_id)}
        recent = {
            o: (c, n) for o, c, n in await self.store.team_objective_stats(team_id, since=now - dt.timedelta(days=7))
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
        members = await self.store.team_member_topic_stats(team_id)
        names = await self.store.person_names(sorted({m[0] for m in members}))
        tables = weakspots.weakspot_tables(
            self.syllabus,
            stats,
            recent,
            before,
            topic=topic,
            wrong_choices=misconception,
            member_topics=members,
            names=names,
        )
        scope = f" · Topic {topic}" if topic else ""
        if tables is None:
            return Reply(
                f"Weak spots · {team_name}{scope}: no answers yet. The report fills in as the team answers daily "
                "questions and drills.",
                private=True,
            )
        title = f"Weak spots · {team_name}{scope}"
        heatmap = chartdata.weakspot_heatmap(
            title, self.syllabus, stats, recent, before, min_answers=MIN_ANSWERS_FOR_RANKING, topic=topic
        )
        reply = Reply("", private=True, title=f"{title} (visible to leads and admins only)", tables=tables)
        return await self._with_chart(reply, lambda r: r.heatmap(heatmap))

    # -- /stats -----------------------------------------------------------------------------------
    async def _stats(self, inv: Invocation, text: str) -> list[Reply]:
        parse_stats(text)
        ws, person = await self._who(inv)
        return [await self.stats_reply(ws, person)]

    async def stats_reply(self, ws: int, person: int, horizon_days: int = READINESS_HORIZON_DAYS) -> Reply:
        now = self.clock.now()
        answers = await self.store.person_answer_history(person)
        per_obj: dict[str, tuple[int, int]] = {}  # right, answers per objective: from the same rows, no second query
        for objective, _at, ok in answers:
            c, n = per_obj.get(objective, (0, 0))
            per_obj[objective] = (c + ok, n + 1)
        topic_rows = []
        for t in self.syllabus.topics:
            c = sum(v[0] for o, v in per_obj.items() if o.split(".")[0] == t.id)
            n = sum(v[1] for o, v in per_obj.items() if o.split(".")[0] == t.id)
            topic_rows.append((t.id, _short(t.title, 70), f"{c}/{n}", _pct(c, n)))
        cards = await self.store.person_cards(person)
        due = sum(1 for _q, _c, d in cards if d <= now)
        next_due = min((d for _q, _c, d in cards if d > now), default=None)
        horizon = now + dt.timedelta(days=horizon_days)
        history: dict[str, list[tuple[dt.datetime, bool]]] = defaultdict(list)
        for objective, at, ok in answers:
            history[objective].append((at, ok))
        per_objective = {o.id: objective_readiness(history.get(o.id, []), horizon) for o in self.syllabus.objectives()}
        per_topic, overall = readiness(per_objective, {o.id: o.topic_id for o in self.syllabus.objectives()})
        team = await self.store.person_team(ws, person)
        tz = (await self.store.team_info(team[0]))[2] if team else "UTC"
        streak = (await self._streaks([person], tz, now.astimezone(zoneinfo.ZoneInfo(tz)).date())).get(person, 0)
        rows = tuple((*r, f"{100 * per_topic.get(r[0], GUESS_RATE):.0f}%") for r in topic_rows)
        reviews = f"reviews due: {due}" + (
            f" (next {next_due.astimezone(zoneinfo.ZoneInfo(tz)):%a %Y-%m-%d})" if not due and next_due else ""
        )
        text = (
            f"Daily streak: {streak} day(s) · {reviews} · exam readiness: {100 * overall:.0f}%\n"
            f"Readiness: predicted chance of a right answer in {horizon_days} days, per objective from your record and "
            "FSRS memory (25% if unseen); topics weighted 14/30/18/16/22%."
        )
        reply = Reply(
            text,
            private=True,
            title="Your StudyBot stats",
            tables=(Table("By topic", ("Topic", "", "Right", "Accuracy", "Readiness"), rows),),
        )
        if not answers:
            return reply
        zone = zoneinfo.ZoneInfo(tz)
        this_monday = week_bounds(now, tz)[2]
        mondays = [this_monday - dt.timedelta(weeks=k) for k in range(PROGRESS_WEEKS - 1, -1, -1)]
        chart = chartdata.progress(
            f"Your progress · last {PROGRESS_WEEKS} weeks ({tz})",
            mondays,
            [(o.split(".")[0], at.astimezone(zone).date(), ok) for o, at, ok in answers],
            per_topic,
            TOPIC_WEIGHTS,
            [t.id for t in self.syllabus.topics],
        )
        return await self._with_chart(reply, lambda r: r.progress(chart))

    async def _learning_command(self, inv: Invocation, name: str, text: str) -> list[Reply] | None:
        if name == "drill":
            return await self.drills.command(inv, text)
        if name == "leaderboard":
            return await self._leaderboard(inv, text)
        if name == "weakspots":
            return await self._weakspots(inv, text)
        if name == "stats":
            return await self._stats(inv, text)
        if name == "exam":
            return await self.exams.command(inv, text)
        return None
