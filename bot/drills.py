"""``/drill``: private practice with A–D buttons, due reviews first, then the weakest areas.

A drill is stored (``DrillStore``) with its plan of questions and option orders, so its buttons
(``drill:<id>:<seq>:<letter>``) work after a restart; each answer feeds the person's FSRS schedule.
A button of a mock exam (a drill whose scope is ``exam:...``) goes to :class:`bot.exams.MockExams`.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from bot.core.commands import Drill, parse_drill
from bot.core.exams import parse_exam_scope
from bot.core.exams import time_left as exam_time_left
from bot.core.feedback import ReportTarget
from bot.core.learning import MIN_ANSWERS_FOR_RANKING, ObjectiveStat, choose_drill_questions, weakest_objectives
from bot.core.messages import DrillCard, Invocation, Reply, Table, option_views
from bot.core.model import LETTERS, Question, Syllabus
from bot.core.plans import capped_reviews, reviews_left_today
from bot.core.render import shorten
from bot.core.selection import option_order, seed_for, smoothed_accuracy

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.core.ports import DrillStart, Store
    from bot.exams import MockExams

__all__ = ["DRILL_TTL", "Drills"]

DRILL_TTL = dt.timedelta(hours=2)
DEFAULT_REVIEW_CAP = 20  # due reviews a day for a person without a study plan (reviews_left_today's default)


class Drills:
    """The drill feature over the store; ``who``, ``limited``, ``review`` and ``local_day`` are the
    service's (the same person ids, rate limit, FSRS update and team day as everywhere else)."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        syllabus: Syllabus,
        questions: Sequence[Question],
        exams: MockExams,
        *,
        who: Callable[[Invocation], Awaitable[tuple[int, int]]],
        limited: Callable[[Invocation], Reply | None],
        review: Callable[[int, Question, bool, dt.date, dt.datetime], Awaitable[None]],
        local_day: Callable[[str | None], dt.date],
    ) -> None:
        self.store = store
        self.clock = clock
        self.syllabus = syllabus
        self.questions = tuple(questions)
        self.by_id = {q.id: q for q in self.questions}
        self.exams = exams
        self._who = who
        self._limited = limited
        self._review = review
        self._local_day = local_day
        self._objective_text = {o.id: o.text for o in syllabus.objectives()}

    async def command(self, inv: Invocation, text: str) -> list[Reply]:
        """``/drill [scope] [count]``: a private drill, due reviews first by default."""
        cmd = parse_drill(text, self.syllabus)
        async with self.store.atomic():  # the asker, the reads and the new drill: one transaction
            return await self._start(inv, cmd)

    async def _start(self, inv: Invocation, cmd: Drill) -> list[Reply]:
        ws, person = await self._who(inv)
        now = self.clock.now()
        seed = seed_for("drill", inv.platform, inv.workspace, inv.user, now.isoformat())
        candidates: list[Question]
        weak: list[str] = []
        start = await self.store.drill_start(ws, person, now, DEFAULT_REVIEW_CAP)
        # people who only drill still count for the channel's team: a teamless person joins it (and the team's
        # zone is read again); someone in a team stays where they are, so there is nothing to look up
        if start.team_tz is None and await self._join_channel_team(inv, ws, person):
            start = await self.store.drill_start(ws, person, now, DEFAULT_REVIEW_CAP)
        stats = [ObjectiveStat(o, c, n) for o, c, n in start.objective_stats]
        ranked, _few = weakest_objectives(stats, n=10)
        weak = [s.objective_id for s in ranked if s.smoothed < smoothed_accuracy(0, 0)]
        due = self._capped_due(start, stats)
        seen: set[str] = set(start.seen)
        running = start.active
        if running is not None and parse_exam_scope(running.scope) is not None and now < running.expires_at:
            return [
                Reply(
                    f"You are in a mock exam ({running.position}/{len(running.questions)} answered, "
                    f"{exam_time_left(now, running.expires_at)}). Finish it, or /exam end, before a drill."
                )
            ]
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
                return [
                    Reply(
                        f"Not enough answers yet to know your weak spots: an objective needs at least "
                        f"{MIN_ANSWERS_FOR_RANKING} answers, with accuracy below the smoothed average. "
                        "Try /drill or /drill topic1."
                    )
                ]
            candidates = [q for q in self.questions if q.objective_id in weak[:5]]
        else:  # due reviews first, then new questions from the weakest areas
            candidates = list(self.questions)
            weak_topics = {o.split(".")[0] for o in weak[:3]}
            if weak_topics:
                weak = weak + [o.id for o in self.syllabus.objectives() if o.topic_id in weak_topics]
        in_scope = {q.id for q in candidates}
        picked = choose_drill_questions(
            candidates,
            cmd.count,
            seed,
            due={k: v for k, v in due.items() if k in in_scope},
            seen=seen,
            weak_objectives=weak,
        )
        if not picked:
            return [Reply("There are no questions in that scope yet. Try /drill topic1.")]
        rng = random.Random(seed)
        plan = [(q.id, option_order(q, rng.getrandbits(64))) for q in picked]
        previous = running  # read with the rest; nothing is written in between
        drill_id = await self.store.create_drill(ws, person, f"{cmd.kind}:{cmd.target}", plan, now, now + DRILL_TTL)
        label = {
            "due": "reviews due, then your weak areas",
            "weak": "your weakest objectives",
            "missed": "questions you missed",
        }.get(cmd.kind, f"{cmd.kind} {cmd.target}")
        size = f"{len(plan)} question(s)" + (f" (only {len(plan)} in that scope)" if len(plan) < cmd.count else "")
        lines = []
        if previous is not None and now < previous.expires_at:
            lines.append(
                f"Your drill in progress ({previous.position}/{len(previous.questions)} answered) has ended; "
                "its answers are kept."
            )
        lines.append(
            f"Drill: {size} · {label}. Press A–D to answer; the drill expires after "
            f"{int(DRILL_TTL.total_seconds() // 3600)}h."
        )
        return [Reply("\n".join(lines), card=self._card(drill_id, 0, plan))]

    def _capped_due(self, start: DrillStart, stats: Sequence[ObjectiveStat]) -> dict[str, dt.datetime]:
        """The due reviews today's cap still allows (``/plan cap``): the most overdue, then the weakest."""
        if not start.due:
            return {}
        day = self._local_day(start.team_tz or "UTC")
        room = reviews_left_today(start.plan, day, DEFAULT_REVIEW_CAP)
        accuracy = {s.objective_id: s.smoothed for s in stats}
        weakness = {q: accuracy.get(self.by_id[q].objective_id, 1.0) for q in start.due if q in self.by_id}
        return capped_reviews(start.due, weakness, room)

    async def _join_channel_team(self, inv: Invocation, ws: int, person: int) -> bool:
        """Put a teamless person in the channel's team, if it has one (True then)."""
        ch = await self.store.get_channel(ws, inv.channel)
        if ch is not None and ch.active and ch.team_id is not None:
            await self.store.join_if_teamless(ws, ch.team_id, person)
            return True
        return False

    def _card(self, drill_id: int, seq: int, plan: Sequence[tuple[str, Sequence[int]]]) -> DrillCard:
        qid, order = plan[seq]
        q = self.by_id[qid]
        return DrillCard(
            drill_id,
            seq,
            len(plan),
            q.objective_id,
            q.stem,
            option_views(q, order),
            header=f"Drill {seq + 1}/{len(plan)} · objective {q.objective_id}",
        )

    async def press(self, inv: Invocation, value: str) -> list[Reply]:
        """A drill button: ``drill:<id>:<seq>:<letter>``. Repeats and stale buttons change nothing."""
        if (limited := self._limited(inv)) is not None:
            return [limited]
        m = re.fullmatch(r"drill:([0-9]{1,12}):([0-9]{1,3}):([A-D])", value, flags=re.ASCII)
        if m is None:
            return [Reply("That button is not valid any more. Start a new drill with /drill.")]
        parts = ["drill", m.group(1), m.group(2), m.group(3)]
        drill_id, seq, letter = int(parts[1]), int(parts[2]), parts[3]
        ws, person = await self._who(inv)
        drill = await self.store.get_drill(drill_id)
        if drill is None:
            return [Reply("That drill no longer exists (forget-me deletes drills too). Start a new one with /drill.")]
        if drill.person_id != person or drill.workspace_id != ws:
            return [Reply("That drill is not yours. Start your own with /drill.")]
        if parse_exam_scope(drill.scope) is not None:  # a mock exam: no feedback until the end
            team = await self.store.person_team(ws, person)
            return await self.exams.press(drill, seq, letter, ws, person, team[0] if team else None)
        now = self.clock.now()
        if drill.status == "active" and now >= drill.expires_at:
            await self.store.expire_drill(drill.id)
            return [Reply("This drill expired. Start a new one with /drill.")]
        if drill.status != "active" or seq != drill.position or seq >= len(drill.questions):
            if seq < drill.position:
                return [Reply("You already answered that one.")]
            if drill.status == "expired":
                return [Reply("That drill was replaced by a newer one or expired. Start a new one with /drill.")]
            return [Reply("This drill is over. Start a new one with /drill.")]
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
            "workspace_id": ws,
            "person_id": person,
            "team_id": team[0] if team else None,
            "channel_id": None,
            "question_id": q.id,
            "objective_id": q.objective_id,
            "subtopic_id": q.subtopic_id,
            "topic_id": q.topic_id,
            "source": "drill",
            "post_id": None,
            "drill_id": drill.id,
            "drill_seq": seq,
            "option": chosen,
            "correct": correct,
            "answered_at": now,
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
        replies = [Reply("\n".join(lines), reports=(ReportTarget.of(q, "drill"),))]
        if done:
            replies.append(await self._summary(drill.id))
        else:
            replies.append(Reply("", card=self._card(drill.id, seq + 1, drill.questions)))
        return replies

    async def _summary(self, drill_id: int) -> Reply:
        results = await self.store.drill_results(drill_id)
        by_obj: dict[str, list[bool]] = defaultdict(list)
        for _seq, _qid, obj, ok in results:
            by_obj[obj].append(ok)
        rows = tuple(
            (o, shorten(self._objective_text.get(o, ""), 50), f"{sum(v)}/{len(v)}") for o, v in sorted(by_obj.items())
        )
        right = sum(ok for *_x, ok in results)
        drill = await self.store.get_drill(drill_id)
        when = ""
        if drill is not None:
            asked = {qid for qid, _order in drill.questions}
            dues = [d for qid, _c, d in await self.store.person_cards(drill.person_id) if qid in asked]
            if dues:
                when = f" The first of these questions comes back for review {min(dues):%a %Y-%m-%d} (UTC); /drill shows due reviews first."
        return Reply(
            f"Drill done: {right}/{len(results)} right.{when}",
            tables=(Table("By objective", ("Objective", "", "Right"), rows),),
        )

    async def current_card(self, inv: Invocation) -> DrillCard | None:
        """The question the person's open drill or mock exam is waiting on (None if there is none):
        a chat that lost its screen (a restart) can show it again instead of saying nothing is waiting."""
        _ws, person = await self._who(inv)
        drill = await self.store.active_drill(person)
        if drill is None or self.clock.now() >= drill.expires_at or drill.position >= len(drill.questions):
            return None
        if drill.questions[drill.position][0] not in self.by_id:
            return None
        if parse_exam_scope(drill.scope) is not None:
            return self.exams.card(drill, drill.position)
        return self._card(drill.id, drill.position, drill.questions)
