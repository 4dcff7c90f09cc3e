"""``/exam``: a private, timed mock exam in the real exam's topic proportions, scored at the end.

A mock exam is stored as a drill whose scope is ``exam:<count>:<minutes>`` and whose expiry is the
deadline, so it survives a restart and its buttons (``drill:<id>:<seq>:<letter>``) work like a
drill's. Unlike a drill it gives no feedback until the end: each press records the answer (into the
person's FSRS record and readiness, like any answer) and shows the next question with the time left.
At the end (the last answer, ``/exam end``, or the first press or ``/exam`` after the deadline) the
person gets the score by exam domain and by topic, and the questions missed with their explanations;
questions left unanswered count as wrong, as in the real exam.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from bot.core import exams
from bot.core.boards import Tally, pct
from bot.core.commands import EXAM_USAGE, parse_exam
from bot.core.feedback import ReportTarget
from bot.core.learning import TOPIC_WEIGHTS
from bot.core.messages import DrillCard, Invocation, Reply, Table, option_views
from bot.core.model import LETTERS, Question, Syllabus
from bot.core.render import shorten
from bot.core.selection import option_order, seed_for

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.core.ports import DrillInfo, DrillStore, ReviewStore

    class ExamStore(DrillStore, ReviewStore, Protocol):
        """The two roles a mock exam uses: its drill, and which questions the person has seen."""


__all__ = ["MISSED_SHOWN", "MockExams"]


MISSED_SHOWN = 10  # missed questions explained in the result; the rest are in /drill missed


class MockExams:
    """The mock-exam feature: its own command and button handling over the shared store and clock.

    ``who`` resolves an invocation to (workspace id, person id); ``review`` records an answer in the
    person's FSRS schedule (the same functions the drills use).
    """

    def __init__(
        self,
        store: ExamStore,
        clock: Clock,
        syllabus: Syllabus,
        questions: Sequence[Question],
        *,
        who: Callable[[Invocation], Awaitable[tuple[int, int]]],
        review: Callable[[int, Question, bool, dt.datetime], Awaitable[None]],
    ) -> None:
        self.store = store
        self.clock = clock
        self.syllabus = syllabus
        self.questions = list(questions)
        self.by_id = {q.id: q for q in questions}
        self._who = who
        self._review = review

    # -- /exam ------------------------------------------------------------------------------------
    async def command(self, inv: Invocation, text: str) -> list[Reply]:
        cmd = parse_exam(text)
        if cmd.action == "help":
            return [Reply(EXAM_USAGE)]
        ws, person = await self._who(inv)
        now = self.clock.now()
        current = await self.store.active_drill(person)
        running = current is not None and exams.parse_exam_scope(current.scope) is not None
        if running and current is not None:
            if cmd.action == "end" or now >= current.expires_at:
                return [await self.finish(current)]
            if cmd.count is None and cmd.minutes is None:
                return [
                    Reply(
                        f"Your mock exam is in progress: question {current.position + 1}/{len(current.questions)}, "
                        f"{exams.time_left(now, current.expires_at)}. /exam end finishes it now.",
                        card=self.card(current, current.position),
                    )
                ]
            return [
                Reply(
                    "You have a mock exam in progress; finish it first (or /exam end), then start another.",
                    card=self.card(current, current.position),
                )
            ]
        if cmd.action == "end":
            return [Reply("You have no mock exam in progress. Start one with /exam (or /exam 20 40 for a short one).")]
        fmt = self.syllabus.exam
        count = cmd.count or fmt.questions
        minutes = cmd.minutes or (
            fmt.minutes if cmd.count is None else max(1, round(fmt.minutes * count / fmt.questions))
        )
        seed = seed_for("exam", inv.platform, inv.workspace, inv.user, now.isoformat())
        seen = await self.store.seen_questions(person)
        picked = exams.pick_exam(self.questions, count, TOPIC_WEIGHTS, seen, seed)
        if not picked:
            return [Reply("The question bank is empty, so there is no mock exam to take.")]
        plan = [(q.id, option_order(q, seed + i)) for i, q in enumerate(picked)]
        replaced = current is not None and now < current.expires_at
        drill_id = await self.store.create_drill(
            ws, person, exams.exam_scope(len(plan), minutes), plan, now, now + dt.timedelta(minutes=minutes)
        )
        drill = await self.store.get_drill(drill_id)
        assert drill is not None
        lines = [
            f"Mock exam: {len(plan)} questions in {minutes} minutes, in the exam's topic proportions"
            + (f" (only {len(plan)} in the bank)" if len(plan) < count else "")
            + ".",
            "No feedback until the end; press A–D to answer. /exam end finishes early.",
        ]
        if replaced:
            lines.insert(0, "Your drill in progress has ended; its answers are kept.")
        return [Reply("\n".join(lines), card=self.card(drill, 0))]

    # -- buttons ----------------------------------------------------------------------------------
    async def press(
        self, drill: DrillInfo, seq: int, letter: str, ws: int, person: int, team: int | None
    ) -> list[Reply]:
        """An answer button of an exam; the caller has checked that the drill is this person's."""
        now = self.clock.now()
        if drill.status == "active" and now >= drill.expires_at:
            return [await self.finish(drill, timed_out=True)]
        if drill.status != "active":
            return [Reply("This mock exam is over. Start another with /exam.")]
        if seq != drill.position or seq >= len(drill.questions):
            return [
                Reply(
                    "You already answered that one."
                    if seq < drill.position
                    else "That question is not the current one."
                )
            ]
        qid, order = drill.questions[seq]
        q = self.by_id.get(qid)
        done = seq + 1 >= len(drill.questions)
        if q is not None:
            chosen = order[LETTERS.index(letter)]
            values: dict[str, Any] = {
                "workspace_id": ws,
                "person_id": person,
                "team_id": team,
                "channel_id": None,
                "question_id": q.id,
                "objective_id": q.objective_id,
                "subtopic_id": q.subtopic_id,
                "topic_id": q.topic_id,
                "source": "exam",
                "post_id": None,
                "drill_id": drill.id,
                "drill_seq": seq,
                "option": chosen,
                "correct": chosen == q.answer_index,
                "answered_at": now,
            }
            if not await self.store.answer_drill(drill, seq, values, done):
                return [Reply("You already answered that one.")]
            await self._review(person, q, chosen == q.answer_index, now)
        if done:
            finished = await self.store.get_drill(drill.id)
            return [await self.finish(finished or drill)]
        fresh = await self.store.get_drill(drill.id)
        return [Reply(f"Answer {letter} recorded.", card=self.card(fresh or drill, seq + 1))]

    # -- the result -------------------------------------------------------------------------------
    async def finish(self, drill: DrillInfo, *, timed_out: bool = False) -> Reply:
        """End the exam (if it is still open) and return its result."""
        if drill.status == "active":
            await self.store.expire_drill(drill.id)
        answers = {seq: ok for seq, _qid, _obj, ok in await self.store.drill_results(drill.id)}
        topics = [t.id for t in self.syllabus.topics]
        result = exams.exam_result([qid for qid, _o in drill.questions], answers, self.by_id, topics)
        fmt = self.syllabus.exam
        head = "Time is up. " if timed_out or self.clock.now() >= drill.expires_at else ""
        unanswered = len(drill.questions) - result.answered
        lines = [
            f"{head}Mock exam result: {result.total.right}/{result.total.attempted} right ({pct(result.total)})"
            + (f"; {unanswered} unanswered, counted as wrong" if unanswered else "")
            + "."
        ]
        if fmt.passing_score is None:
            lines.append(
                f"Databricks publishes no passing score (exam guide {fmt.guide_version or 'current'}), so this "
                "is practice, not a pass/fail verdict: aim high in every domain."
            )
        else:
            verdict = "above" if result.total.accuracy >= fmt.passing_score else "below"
            lines.append(f"Estimate only: {verdict} the published passing score of {100 * fmt.passing_score:.0f}%.")
        if result.missed:
            lines.append("Missed, with the reason:")
            for m in result.missed[:MISSED_SHOWN]:
                q = m.question
                key = q.options[q.answer_index]
                how = "wrong" if m.answered else "not answered"
                lines.append(
                    f"• Q{m.seq + 1} ({how}, objective {q.objective_id}): {shorten(q.stem, 90)} Answer: {key}. "
                    f"{q.explanation_short or q.explanation}"
                )
            if len(result.missed) > MISSED_SHOWN:
                lines.append(f"…and {len(result.missed) - MISSED_SHOWN} more: /drill missed goes through them.")
        domains = tuple((d, f"{t.right}/{t.attempted}", pct(t)) for d, t in sorted(result.by_domain.items()))
        by_topic = tuple(
            (t.id, t.title, result.by_topic.get(t.id, Tally()).cell(), pct(result.by_topic.get(t.id, Tally())))
            for t in self.syllabus.topics
        )
        return Reply(
            "\n".join(lines),
            title="Mock exam result",
            reports=tuple(ReportTarget.of(m.question, "exam", f"Q{m.seq + 1}") for m in result.missed[:MISSED_SHOWN]),
            tables=(
                Table("By exam domain", ("Domain", "Right", "Score"), domains),
                Table("By topic", ("Topic", "", "Right", "Score"), by_topic),
            ),
        )

    # -- helpers ----------------------------------------------------------------------------------
    def card(self, drill: DrillInfo, seq: int) -> DrillCard:
        qid, order = drill.questions[seq]
        q = self.by_id[qid]
        options = option_views(q, order)
        left = exams.time_left(self.clock.now(), drill.expires_at)
        return DrillCard(
            drill.id,
            seq,
            len(drill.questions),
            q.objective_id,
            q.stem,
            options,
            header=f"Mock exam {seq + 1}/{len(drill.questions)} · {left}",
        )
