"""The learning engine's commands: drills, leaderboards, weak spots, stats, teams, focus, forget-me.

A mixin of :class:`bot.service.QuizService` (it uses the service's store, clock, syllabus and bank).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import zoneinfo
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot.core.commands import (
    Focus,
    ForgetMe,
    TeamCommand,
    UsageError,
    drill_usage,
    parse_drill,
    parse_leaderboard,
    parse_weakspots,
)
from bot.core.learning import (
    MIN_ANSWERS_FOR_RANKING,
    ObjectiveStat,
    choose_drill_questions,
    daily_streak,
    readiness,
    weakest_objectives,
    week_bounds,
)
from bot.core.messages import DrillCard, OptionView, Reply, Table
from bot.core.model import LETTERS, Question
from bot.core.review import next_card, retrievability
from bot.core.selection import option_order, seed_for, smoothed_accuracy

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.core.model import Syllabus
    from bot.core.ports import ChannelInfo, Notifier, PostInfo, Store
    from bot.service import Invocation

__all__ = ["LearningMixin"]

log = logging.getLogger(__name__)

DRILL_TTL = dt.timedelta(hours=2)
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
    _objective_text: dict[str, str]
    _topic_title: dict[str, str]

    if TYPE_CHECKING:

        def _is_admin(self, inv: Invocation) -> bool: ...

        async def _audit(self, ws: int, inv: Invocation, action: str, detail: str) -> None: ...

        async def _channel_changed(self, channel_id: int) -> None: ...

    # -- helpers ----------------------------------------------------------------------------------
    async def _who(self, inv: Invocation) -> tuple[int, int]:
        ws = await self.store.ensure_workspace(inv.platform, inv.workspace, inv.workspace_name)
        person = await self.store.ensure_person(ws, inv.user, inv.user_name)
        return ws, person

    def _options_view(self, q: Question, order: Sequence[int]) -> tuple[OptionView, ...]:
        return tuple(OptionView(LETTERS[i], ("one", "two", "three", "four")[i], q.options[c]) for i, c in enumerate(order))

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
            since = dt.datetime.combine(last_day - dt.timedelta(days=window), dt.time(), tzinfo=zone).astimezone(dt.UTC)
            times = await self.store.daily_answer_times(todo, since)
            longer = []
            for p in todo:
                n = daily_streak({t.astimezone(zone).date() for t in times.get(p, [])}, last_day)
                out[p] = n
                if n >= window - 1 and window < 3000:
                    longer.append(p)  # the streak may go back further than we read
            todo, window = longer, window * 4
        return out

    # -- /drill -----------------------------------------------------------------------------------
    async def _drill(self, inv: Invocation, text: str) -> list[Reply]:
        cmd = parse_drill(text, self.syllabus)
        ws, person = await self._who(inv)
        now = self.clock.now()
        seed = seed_for("drill", inv.platform, inv.workspace, inv.user, now.isoformat())
        candidates: list[Question]
        weak: list[str] = []
        stats = [ObjectiveStat(o, c, n) for o, c, n in await self.store.person_objective_stats(person)]
        ranked, _few = weakest_objectives(stats, n=10)
        weak = [s.objective_id for s in ranked if s.smoothed < smoothed_accuracy(0, 0)]
        due = await self.store.due_reviews(person, now)
        seen = await self.store.seen_questions(person)
        if cmd.kind == "topic":
            candidates = [q for q in self.questions if q.topic_id == cmd.target]
        elif cmd.kind == "subtopic":
            candidates = [q for q in self.questions if q.subtopic_id == cmd.target]
        elif cmd.kind == "objective":
            candidates = [q for q in self.questions if q.objective_id == cmd.target]
        elif cmd.kind == "missed":
            missed = await self.store.missed_questions(person)
            candidates = [self.by_id[m] for m in missed if m in self.by_id]
            if not candidates:
                return [Reply("You have no missed questions yet. Try /drill weak or /drill topic3.")]
            due = {}  # order by most recent miss instead
            seen = set()
        elif cmd.kind == "weak":
            if not weak:
                return [Reply("Not enough answers yet to know your weak spots. Try /drill or /drill topic1.")]
            candidates = [q for q in self.questions if q.objective_id in weak[:5]]
        else:  # due reviews first, then new questions from the weakest areas
            candidates = list(self.questions)
            weak_topics = {o.split(".")[0] for o in weak[:3]}
            if weak_topics:
                weak = weak + [o.id for o in self.syllabus.objectives() if o.topic_id in weak_topics]
        picked = choose_drill_questions(candidates, cmd.count, seed, due={k: v for k, v in due.items() if k in {q.id for q in candidates}}, seen=seen, weak_objectives=weak)
        if not picked:
            return [Reply(drill_usage(self.syllabus, "There are no questions in that scope yet."))]
        rng = random.Random(seed)
        plan = [(q.id, option_order(q, rng.getrandbits(64))) for q in picked]
        drill_id = await self.store.create_drill(ws, person, f"{cmd.kind}:{cmd.target}", plan, now, now + DRILL_TTL)
        label = {"due": "reviews due, then your weak areas", "weak": "your weakest objectives", "missed": "questions you missed"}.get(cmd.kind, f"{cmd.kind} {cmd.target}")
        intro = f"Drill: {len(plan)} question(s) · {label}. Press A–D to answer; the drill expires after {int(DRILL_TTL.total_seconds() // 3600)}h."
        return [Reply(intro, card=self._card(drill_id, 0, plan))]

    def _card(self, drill_id: int, seq: int, plan: Sequence[tuple[str, Sequence[int]]]) -> DrillCard:
        qid, order = plan[seq]
        q = self.by_id[qid]
        return DrillCard(drill_id, seq, len(plan), q.objective_id, q.stem, self._options_view(q, order),
                         header=f"Drill {seq + 1}/{len(plan)} · objective {q.objective_id}")

    async def press_button(self, inv: Invocation, value: str) -> list[Reply]:
        """A drill button: ``drill:<id>:<seq>:<letter>``. Repeats and stale buttons change nothing."""
        parts = value.split(":")
        if len(parts) != 4 or parts[0] != "drill" or not parts[1].isdigit() or not parts[2].isdigit() or parts[3] not in LETTERS:
            return [Reply("That button is not valid any more. Start a new drill with /drill.")]
        drill_id, seq, letter = int(parts[1]), int(parts[2]), parts[3]
        ws, person = await self._who(inv)
        drill = await self.store.get_drill(drill_id)
        if drill is None or drill.person_id != person or drill.workspace_id != ws:
            return [Reply("That drill is not yours. Start your own with /drill.")]
        now = self.clock.now()
        if drill.status == "active" and now >= drill.expires_at:
            await self.store.expire_drill(drill.id)
            return [Reply("This drill expired. Start a new one with /drill.")]
        if drill.status != "active" or seq != drill.position or seq >= len(drill.questions):
            return [Reply("You already answered that one." if seq < drill.position else "This drill is over. Start a new one with /drill.")]
        qid, order = drill.questions[seq]
        q = self.by_id.get(qid)
        if q is None:
            await self.store.expire_drill(drill.id)
            return [Reply("That question was retired from the bank; start a new drill with /drill.")]
        chosen = order[LETTERS.index(letter)]
        correct = chosen == q.answer_index
        team = await self.store.person_team(ws, person)
        done = seq + 1 >= len(drill.questions)
        values: dict[str, Any] = {
            "workspace_id": ws, "person_id": person, "team_id": team[0] if team else None, "channel_id": None,
            "question_id": q.id, "objective_id": q.objective_id, "subtopic_id": q.subtopic_id, "topic_id": q.topic_id,
            "source": "drill", "post_id": None, "drill_id": drill.id, "drill_seq": seq, "option": chosen,
            "correct": correct, "answered_at": now,
        }
        if not await self.store.answer_drill(drill, seq, values, done):
            return [Reply("You already answered that one.")]
        tz = (await self.store.team_info(team[0]))[2] if team else "UTC"
        await self._review(person, q, correct, self._local_day(tz), now)
        key_letter = LETTERS[order.index(q.answer_index)]
        verdict = "✅ Right!" if correct else f"❌ Not quite: the answer is {key_letter}. {q.options[q.answer_index]}"
        lines = [verdict, q.explanation_short or q.explanation, f"Your choice {letter}: {q.rationales[chosen]}"]
        if not correct:
            lines.append(f"Why {key_letter}: {q.rationales[q.answer_index]}")
        replies = [Reply("\n".join(lines))]
        if done:
            replies.append(await self._drill_summary(drill.id))
        else:
            replies.append(Reply("", card=self._card(drill.id, seq + 1, drill.questions)))
        return replies

    async def _drill_summary(self, drill_id: int) -> Reply:
        results = await self.store.drill_results(drill_id)
        by_obj: dict[str, list[bool]] = defaultdict(list)
        for _seq, _qid, obj, ok in results:
            by_obj[obj].append(ok)
        rows = tuple((o, _short(self._objective_text.get(o, ""), 50), f"{sum(v)}/{len(v)}") for o, v in sorted(by_obj.items()))
        right = sum(ok for *_x, ok in results)
        return Reply(f"Drill done: {right}/{len(results)} right. Missed ones come back as reviews (/drill).",
                     tables=(Table("By objective", ("Objective", "", "Right"), rows),))

    # -- /leaderboard -----------------------------------------------------------------------------
    async def _leaderboard(self, inv: Invocation, text: str) -> list[Reply]:
        cmd = parse_leaderboard(text)
        ws, person = await self._who(inv)
        team = await self._team_for(inv, ws, person)
        if team is None:
            return [Reply("No team here yet: subscribe a channel (/studybot subscribe) or join a team.")]
        return [await self.leaderboard_reply(ws, team[0], cmd.week, cmd.topic, private=True)]

    async def leaderboard_reply(self, ws: int, team_id: int, week: str, topic: str | None, *, private: bool) -> Reply:
        _tid, team_name, tz, _ = await self.store.team_info(team_id)
        now = self.clock.now()
        start, end, monday = week_bounds(now, tz, week)
        rows = await self.store.first_attempts(ws, start, end)
        if topic is not None:
            rows = [r for r in rows if r[2] == topic]
        mine = [r for r in rows if r[0] == team_id]
        per_person: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        per_person_topic: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
        for _team, pid, t, attempts, correct in mine:
            per_person[pid][0] += correct
            per_person[pid][1] += attempts
            per_person_topic[(pid, t)][0] += correct
            per_person_topic[(pid, t)][1] += attempts
        names = await self.store.person_names(list(per_person))
        last_day = min(now, end - dt.timedelta(seconds=1)).astimezone(zoneinfo.ZoneInfo(tz)).date()
        streaks = await self._streaks(list(per_person), tz, last_day)
        ranked = sorted(per_person.items(), key=lambda kv: (-kv[1][0], -(kv[1][0] / max(kv[1][1], 1)), names.get(kv[0], "")))
        members = tuple(
            (str(i + 1), names.get(p, "?"), str(c), _pct(c, n), str(streaks.get(p, 0)))
            for i, (p, (c, n)) in enumerate(ranked)
        )
        topics = [topic] if topic else [t.id for t in self.syllabus.topics]
        by_topic_rows = []
        for p, _cn in ranked:
            cells = []
            for t in topics:
                c, n = per_person_topic.get((p, t), [0, 0])
                cells.append(f"{c}/{n}" if n else "–")
            by_topic_rows.append((names.get(p, "?"), *cells))
        team_cells = []
        for t in topics:
            c = sum(v[0] for (p, tt), v in per_person_topic.items() if tt == t)
            n = sum(v[1] for (p, tt), v in per_person_topic.items() if tt == t)
            team_cells.append(f"{c}/{n}" if n else "–")
        if ranked:
            by_topic_rows.append(("TEAM", *team_cells))
        # teams of the workspace ranked against each other, per topic
        teams = await self.store.team_names(ws)
        agg: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
        for tid, _pid, t, attempts, correct in rows:
            if tid is not None:
                agg[(t, tid)][0] += correct
                agg[(t, tid)][1] += attempts
        versus = []
        for t in topics:
            entries = sorted(((tid, c, n) for (tt, tid), (c, n) in agg.items() if tt == t and n),
                             key=lambda e: (-e[1] / e[2], -e[2]))
            for rank, (tid, c, n) in enumerate(entries, start=1):
                versus.append((f"Topic {t}", str(rank), teams.get(tid, "?"), f"{c}/{n}", _pct(c, n)))
        label = {"this": "this week", "last": "last week"}.get(week, "week")
        title = f"Leaderboard · {team_name} · {label} (from Monday {monday:%Y-%m-%d}, {tz})" + (f" · Topic {topic}" if topic else "")
        tables = (
            Table("Members by points", ("#", "Member", "Points", "Accuracy", "Streak"), members,
                  note="One point per question answered right at the first attempt this week (daily or drill)."),
            Table("By topic (right/attempted)", ("Member", *[f"T{t}" for t in topics]), tuple(by_topic_rows)),
            Table("Teams by topic", ("Topic", "#", "Team", "Right", "Accuracy"), tuple(versus)),
        )
        return Reply("" if members else "No answers yet in this week.", private=private, tables=tables, title=title)

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
                return [Reply(f"There is no team {cmd.team!r}. Teams: {names}.\nUsage: /weakspots [team]")]
            team = found
        else:
            here = await self._team_for(inv, ws, person)
            if here is None:
                return [Reply("No team here yet. Usage: /weakspots [team]")]
            team = here
        mine = await self.store.person_team(ws, person)
        is_lead = mine is not None and mine[0] == team[0] and mine[1]
        if not (is_lead or self._is_admin(inv)):
            return [Reply(f"Weak-spot reports of {team[1]} are for its leads and admins only.")]
        return [await self.weakspots_reply(team[0])]

    async def weakspots_reply(self, team_id: int) -> Reply:
        _tid, team_name, _tz, _ws = await self.store.team_info(team_id)
        now = self.clock.now()
        stats = {o: (c, n) for o, c, n in await self.store.team_objective_stats(team_id)}
        recent = {o: (c, n) for o, c, n in await self.store.team_objective_stats(team_id, since=now - dt.timedelta(days=7))}
        before = {o: (c, n) for o, c, n in await self.store.team_objective_stats(team_id, since=now - dt.timedelta(days=35), until=now - dt.timedelta(days=7))}
        area_rows = []
        for t in self.syllabus.topics:
            tc = sum(stats.get(o.id, (0, 0))[0] for s in t.subtopics for o in s.objectives)
            tn = sum(stats.get(o.id, (0, 0))[1] for s in t.subtopics for o in s.objectives)
            area_rows.append((f"{t.id} {_short(t.title, 45)}", _pct(tc, tn), str(tn)))
            for s in t.subtopics:
                sc = sum(stats.get(o.id, (0, 0))[0] for o in s.objectives)
                sn = sum(stats.get(o.id, (0, 0))[1] for o in s.objectives)
                area_rows.append((f"  {s.id} {_short(s.title, 43)}", _pct(sc, sn), str(sn)))
        weakest, too_few = weakest_objectives([ObjectiveStat(o, c, n) for o, (c, n) in stats.items()])
        wrong = await self.store.team_wrong_choices(team_id, [w.objective_id for w in weakest])
        misconception: dict[str, str] = {}
        for obj, qid, option, _n in wrong:
            if obj not in misconception and qid in self.by_id:
                misconception[obj] = _short(self.by_id[qid].options[option], 50)
        weak_rows = []
        for w in weakest:
            rc, rn = recent.get(w.objective_id, (0, 0))
            bc, bn = before.get(w.objective_id, (0, 0))
            if rn and bn:
                delta = 100 * (rc / rn - bc / bn)
                trend = f"{'▲' if delta > 0 else '▼' if delta < 0 else '='} {delta:+.0f} pts"
            else:
                trend = "n/a"
            weak_rows.append((w.objective_id, _short(self._objective_text.get(w.objective_id, ""), 48), f"{100 * w.smoothed:.0f}%",
                              str(w.attempts), misconception.get(w.objective_id, "–"), trend))
        members = await self.store.team_member_topic_stats(team_id)
        names = await self.store.person_names(sorted({m[0] for m in members}))
        by_member: dict[int, list[tuple[float, str, int, int]]] = defaultdict(list)
        for pid, topic, c, n in members:
            if n >= MIN_ANSWERS_FOR_RANKING:
                by_member[pid].append((smoothed_accuracy(c, n), topic, c, n))
        member_rows = tuple(
            (names.get(pid, "?"), f"Topic {min(v)[1]}", f"{min(v)[2]}/{min(v)[3]}")
            for pid, v in sorted(by_member.items(), key=lambda kv: names.get(kv[0], ""))
        )
        note = (f"Smoothed accuracy counts every answer as if the team had 2 more right out of 3 more tries, so one "
                f"wrong answer does not dominate. Fewer than {MIN_ANSWERS_FOR_RANKING} answers: not enough data "
                f"({', '.join(s.objective_id for s in too_few) or 'none'}). Trend: last 7 days vs the 4 weeks before.")
        return Reply(
            "", private=True, title=f"Weak spots · {team_name} (visible to leads and admins only)",
            tables=(
                Table("Accuracy by topic and subtopic", ("Area", "Accuracy", "Answers"), tuple(area_rows)),
                Table("Five weakest objectives", ("Objective", "", "Smoothed", "Answers", "Most chosen wrong option", "Trend"), tuple(weak_rows), note=note),
                Table("Members: weakest topic", ("Member", "Weakest", "Right"), member_rows),
            ),
        )

    # -- /stats -----------------------------------------------------------------------------------
    async def _stats(self, inv: Invocation, text: str) -> list[Reply]:
        if text.strip():
            raise UsageError("Usage: /stats  (takes no arguments)")
        ws, person = await self._who(inv)
        return [await self.stats_reply(ws, person)]

    async def stats_reply(self, ws: int, person: int) -> Reply:
        now = self.clock.now()
        per_obj = {o: (c, n) for o, c, n in await self.store.person_objective_stats(person)}
        topic_rows = []
        for t in self.syllabus.topics:
            c = sum(v[0] for o, v in per_obj.items() if o.split(".")[0] == t.id)
            n = sum(v[1] for o, v in per_obj.items() if o.split(".")[0] == t.id)
            topic_rows.append((t.id, _short(t.title, 50), f"{c}/{n}", _pct(c, n)))
        cards = await self.store.person_cards(person)
        due = sum(1 for _q, _c, d in cards if d <= now)
        recall: dict[str, list[float]] = {o.id: [] for o in self.syllabus.objectives()}
        for qid, card, _due in cards:
            q = self.by_id.get(qid)
            if q is not None:
                recall[q.objective_id].append(retrievability(card, now))
        per_topic, overall = readiness(recall, {o.id: o.topic_id for o in self.syllabus.objectives()})
        team = await self.store.person_team(ws, person)
        tz = (await self.store.team_info(team[0]))[2] if team else "UTC"
        streak = (await self._streaks([person], tz, now.astimezone(zoneinfo.ZoneInfo(tz)).date())).get(person, 0)
        rows = tuple((*r, f"{100 * per_topic.get(r[0], 0):.0f}%") for r in topic_rows)
        text = (f"Daily streak: {streak} day(s) · reviews due: {due} · exam readiness: {100 * overall:.0f}%\n"
                "Readiness estimates the chance you would answer a question on each objective right now: per objective "
                "the best FSRS recall probability among the questions you have answered (25% guessing for a never-seen "
                "objective), averaged per topic; overall weights topics 14/30/18/16/22% (the bank's heuristic split of "
                "the official 44/44/12 domains).")
        return Reply(text, private=True, title="Your StudyBot stats",
                     tables=(Table("By topic", ("Topic", "", "Right", "Accuracy", "Readiness"), rows),))

    # -- /studybot focus | team | forget-me ------------------------------------------------------------
    async def _focus(self, inv: Invocation, cmd: Focus, ws: int) -> list[Reply]:
        ch = await self.store.get_channel(ws, inv.channel)
        if ch is None or not ch.active:
            return [Reply("This channel is not subscribed. Use /studybot subscribe [HH:MM] [Area/City].")]
        now = self.clock.now()
        if cmd.topic is None:
            await self.store.update_channel(ch.id, now, focus_topic=None, focus_until=None)
            await self._audit(ws, inv, "focus", "off")
            return [Reply("Focus off: daily questions cover the whole syllabus again.", private=False)]
        until = now + dt.timedelta(weeks=cmd.weeks)
        await self.store.update_channel(ch.id, now, focus_topic=cmd.topic, focus_until=until)
        await self._audit(ws, inv, "focus", f"topic={cmd.topic} weeks={cmd.weeks}")
        local = until.astimezone(zoneinfo.ZoneInfo(ch.tz))
        return [Reply(f"Focus: daily questions come from Topic {cmd.topic} ({self._topic_title.get(cmd.topic, '')}) "
                      f"until {local:%a %Y-%m-%d %H:%M} {ch.tz}.", private=False)]

    async def _team(self, inv: Invocation, cmd: TeamCommand, ws: int) -> list[Reply]:
        if cmd.action == "list":
            teams = await self.store.teams(ws)
            if not teams:
                return [Reply("No teams yet. /studybot subscribe makes the channel a team; /studybot team create NAME adds one.")]
            rows = tuple((t["name"], t["tz"], ", ".join(n for _i, n in t["leads"]) or "–", str(len(t["members"]))) for t in teams)
            return [Reply("", tables=(Table("Teams", ("Team", "Time zone", "Leads", "Members"), rows),))]
        if cmd.action == "create":
            ch = await self.store.get_channel(ws, inv.channel)
            await self.store.ensure_team(ws, cmd.team, ch.tz if ch else "UTC")
            await self._audit(ws, inv, "team-create", cmd.team)
            return [Reply(f"Team {cmd.team} exists. Add people with /studybot team add {cmd.team} @person.")]
        team = await self.store.team_by_name(ws, cmd.team)
        if team is None:
            return [Reply(f"There is no team {cmd.team!r}; create it with /studybot team create {cmd.team}.")]
        if cmd.action == "delete":
            await self.store.delete_team(team[0])
            await self._audit(ws, inv, "team-delete", cmd.team)
            return [Reply(f"Team {cmd.team} deleted; its members are in no team now.")]
        person = await self.store.find_person(ws, cmd.user) or await self.store.ensure_person(ws, cmd.user)
        if cmd.action == "add":
            await self.store.set_member(ws, team[0], person)
        elif cmd.action == "remove":
            await self.store.remove_member(team[0], person)
        elif cmd.action in {"lead", "unlead"}:
            await self.store.set_member(ws, team[0], person, lead=cmd.action == "lead")
        await self._audit(ws, inv, f"team-{cmd.action}", f"team={cmd.team} person={cmd.user}")
        verbs = {"add": "added to", "remove": "removed from", "lead": "is now a lead of", "unlead": "is no longer a lead of"}
        return [Reply(f"{cmd.user} {verbs[cmd.action]} team {team[1]}.")]

    async def _forget(self, inv: Invocation, cmd: ForgetMe) -> list[Reply]:
        ws = await self.store.ensure_workspace(inv.platform, inv.workspace, inv.workspace_name)
        person = await self.store.find_person(ws, inv.user)
        if not cmd.confirmed:
            return [Reply("This deletes everything StudyBot stores about you in this workspace: your answers, reactions, "
                          "review schedule, drills and team membership (leaderboards lose your points). "
                          "To go ahead, type /studybot forget-me confirm")]
        if person is None:
            return [Reply("StudyBot stores nothing about you here.")]
        counts = await self.store.forget_person(person)
        await self.store.audit(ws, "forgotten", "", "forget-me", " ".join(f"{k}={v}" for k, v in counts.items()), self.clock.now())
        return [Reply("Done: everything StudyBot stored about you here is deleted.")]

    async def _learning_command(self, inv: Invocation, name: str, text: str) -> list[Reply] | None:
        if name == "drill":
            return await self._drill(inv, text)
        if name == "leaderboard":
            return await self._leaderboard(inv, text)
        if name == "weakspots":
            return await self._weakspots(inv, text)
        if name == "stats":
            return await self._stats(inv, text)
        return None
