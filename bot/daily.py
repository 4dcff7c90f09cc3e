"""The daily question: when it is due in the channel's zone, posting it once a day (reserved, then sent),
scoring and revealing it once, and catching up after a restart.

Scheduled by the scheduler through :class:`bot.service.QuizService` (``post_daily``, ``reveal_due``,
``catch_up``); every method is safe to repeat. Answers are derived from the stored reaction events by the
core's answer policy at the reveal.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from bot.core.answers import derive_answers
from bot.core.feedback import ReportTarget
from bot.core.messages import QuestionPost, RevealOption, RevealPost, option_views
from bot.core.model import LETTERS, Question, Syllabus
from bot.core.ports import PlatformError, PlatformUnavailable
from bot.core.selection import choose_question, option_order, seed_for

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.core.ports import ChannelInfo, Notifier, PostInfo, Store

__all__ = ["REASON_TEXT", "DailyQuestions", "fmt_local", "local_date", "post_instant"]

log = logging.getLogger(__name__)

REASON_TEXT = {
    "coverage": "an objective this channel has not had in this round (each of the 105 comes up once before any repeats)",
    "weak-spot": "a team weak spot",
    "focus": "the channel's focus topic",
    "manual": "posted on request",
}


def local_date(now: dt.datetime, tz: str) -> dt.date:
    return now.astimezone(zoneinfo.ZoneInfo(tz)).date()


def post_instant(day: dt.date, post_time: str, tz: str) -> dt.datetime:
    """The UTC instant of ``post_time`` on local ``day`` (a time skipped by DST moves forward)."""
    hh, mm = (int(x) for x in post_time.split(":"))
    zone = zoneinfo.ZoneInfo(tz)
    local = dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=zone)
    # normalise non-existent local times (spring forward): round-trip through UTC
    return local.astimezone(dt.UTC)


def fmt_local(when: dt.datetime, tz: str) -> str:
    """``Mon 2026-03-02 09:00 Europe/Berlin``."""
    local = when.astimezone(zoneinfo.ZoneInfo(tz))
    return f"{local:%a %Y-%m-%d %H:%M} {tz}"


class DailyQuestions:
    """The daily loop over the store. ``notifier`` gives the service's notifier of the moment; ``team_stats``
    weights the choice by the team's weak spots; ``after_answers`` records the revealed answers (teams,
    reviews); ``reconcile`` adds the reactions the platform shows but the events missed."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        syllabus: Syllabus,
        questions: Sequence[Question],
        *,
        notifier: Callable[[], Notifier],
        team_stats: Callable[[ChannelInfo], Awaitable[dict[str, tuple[int, int]] | None]],
        after_answers: Callable[[PostInfo, ChannelInfo, Mapping[int, int], Question, dt.datetime], Awaitable[None]],
        reconcile: Callable[[], Awaitable[int]],
    ) -> None:
        self.store = store
        self.clock = clock
        self.syllabus = syllabus
        self.questions = tuple(questions)
        self.by_id = {q.id: q for q in self.questions}
        self._notifier = notifier
        self._team_stats = team_stats
        self._after_answers = after_answers
        self._reconcile = reconcile
        self._objective_text = {o.id: o.text for o in syllabus.objectives()}
        self._topic_title = {t.id: t.title for t in syllabus.topics}

    # -- schedule arithmetic ---------------------------------------------------------------------
    def next_post_at(self, ch: ChannelInfo, now: dt.datetime) -> dt.datetime:
        """The next instant (>= now) the channel's daily question is due."""
        day = local_date(now, ch.tz)
        for offset in range(3):
            at = post_instant(day + dt.timedelta(days=offset), ch.post_time, ch.tz)
            if at >= now:
                return at
        raise AssertionError("unreachable")

    async def daily_is_due(self, ch: ChannelInfo, now: dt.datetime | None = None) -> bool:
        """True if today's (local) daily question is due and has not been posted."""
        now = now or self.clock.now()
        day = local_date(now, ch.tz)
        due_at = post_instant(day, ch.post_time, ch.tz)
        if now < due_at:
            return False
        if ch.scheduled_since is not None and due_at < ch.scheduled_since:
            return False  # subscribed (or rescheduled) after today's time: the first question is tomorrow
        return 0 not in (await self.store.channel_post_summary(ch.id, day, recent=0)).slots_on_day

    async def next_daily_at(self, ch: ChannelInfo, now: dt.datetime) -> dt.datetime:
        """When the next daily question will really be posted: today's time unless today's question
        exists already (posts are unique per local date) or the channel was scheduled after it."""
        posted = {p.local_date for p in await self.store.channel_posts(ch.id) if p.slot == 0}
        day = local_date(now, ch.tz)
        for offset in range(3):
            d = day + dt.timedelta(days=offset)
            at = post_instant(d, ch.post_time, ch.tz)
            if d in posted or (ch.scheduled_since is not None and at < ch.scheduled_since):
                continue
            return max(at, now)  # a question due but not yet sent goes out at the next minute's sweep
        return post_instant(day + dt.timedelta(days=3), ch.post_time, ch.tz)

    # -- posting --------------------------------------------------------------------------------
    async def post_daily(self, channel_id: int, *, manual: bool = False) -> PostInfo | None:
        """Post the channel's question for today (local date), at most once per day.

        With ``manual`` (``/studybot post-now``), today's daily question is posted if missing,
        otherwise a bonus question is posted in the next free slot. Returns the post, or None if
        there was nothing to do (already posted) or the platform refused.
        """
        # the reads and the reservation in one transaction; the platform call after it, outside
        async with self.store.atomic():
            reserved = await self._reserve(channel_id, manual)
        if reserved is None:
            return None
        ch, post, q = reserved
        return await self._send_post(ch, post, q)

    async def _reserve(self, channel_id: int, manual: bool) -> tuple[ChannelInfo, PostInfo, Question] | None:
        """Choose the channel's next question and reserve its post; None if there is nothing to post."""
        ch = await self.store.channel_by_id(channel_id)
        now = self.clock.now()
        day = local_date(now, ch.tz)
        posts = await self.store.channel_post_summary(ch.id, day)
        slot = 0
        if 0 in posts.slots_on_day:
            if not manual:
                return None
            slot = 1 + max(posts.slots_on_day)
        focus = ch.focus_topic if ch.focus_topic and ch.focus_until and ch.focus_until > now else None
        team_stats = await self._team_stats(ch)
        seed = seed_for(ch.ref.platform, ch.ref.workspace, ch.ref.channel, day.isoformat(), slot)
        choice = choose_question(
            self.syllabus,
            self.questions,
            # choose_question counts the ids: each posted question as often as it was posted
            [qid for qid, n in sorted(posts.question_counts.items()) for _ in range(n)],
            seed,
            team_stats=team_stats,
            focus_topic=focus,
        )
        q = choice.question
        order = option_order(q, seed, self._avoid_key_letter(posts.recent))
        reveal_at = now + dt.timedelta(minutes=ch.reveal_minutes)
        post = await self.store.reserve_post(
            ch.id,
            day,
            slot,
            q.id,
            q.objective_id,
            order,
            "manual" if manual and choice.reason == "coverage" else choice.reason,
            choice.detail,
            reveal_at,
            now,
        )
        if post is None:  # another process or a retry got there first
            log.info("daily post already exists", extra={"channel": ch.ref.channel, "date": day.isoformat()})
            return None
        return ch, post, q

    async def _send_post(self, ch: ChannelInfo, post: PostInfo, q: Question) -> PostInfo | None:
        message = self.render_question(ch, post, q)
        try:
            ref = await self._notifier().post(ch.ref, message)
        except PlatformUnavailable as exc:
            log.warning("%s; the post is left for a process that serves it", exc, extra={"channel": ch.ref.channel})
            await self.store.release_reservation(post.id)
            return None
        except PlatformError as exc:
            log.warning("platform refused the daily post: %s", exc, extra={"channel": ch.ref.channel})
            await self.store.mark_failed(post.id)
            return None
        posted = await self.store.mark_posted(post.id, ref, self.clock.now())
        try:
            await self._notifier().add_option_reactions(ch.ref, ref, len(message.options))
        except PlatformError as exc:
            log.warning("could not add option reactions: %s", exc, extra={"channel": ch.ref.channel})
        return posted

    async def resume_reserved(self, older_than: dt.timedelta = dt.timedelta(minutes=2)) -> int:
        """Send posts that were reserved but never sent (the process died in between)."""
        now = self.clock.now()
        sent = 0
        for ch in await self.store.active_channels():
            for p in await self.store.channel_posts(ch.id):
                if p.status == "reserved" and now - p.created_at >= older_than and p.question_id in self.by_id:
                    if await self._send_post(ch, p, self.by_id[p.question_id]):
                        sent += 1
        return sent

    def _avoid_key_letter(self, posts: Sequence[PostInfo]) -> str | None:
        """If the last three posts showed the key under one letter, avoid it (check B-02)."""
        shown = []
        for p in posts[-3:]:
            q = self.by_id.get(p.question_id)
            if q is None or len(p.option_order) != 4:
                return None
            shown.append(LETTERS[p.option_order.index(q.answer_index)])
        return shown[0] if len(shown) == 3 and len(set(shown)) == 1 else None

    def render_question(self, ch: ChannelInfo, post: PostInfo, q: Question) -> QuestionPost:
        opts = option_views(q, post.option_order)
        topic_id = q.topic_id
        return QuestionPost(
            post_id=post.id,
            topic=f"Topic {topic_id}: {self._topic_title.get(topic_id, '')}",
            objective_id=q.objective_id,
            stem=q.stem,
            options=opts,
            reveal_at=post.reveal_due_at,
            reveal_local=fmt_local(post.reveal_due_at, ch.tz),
            title="Daily question" if post.slot == 0 else "Bonus question",
        )

    # -- reveal ---------------------------------------------------------------------------------
    async def reveal(self, post_id: int) -> RevealPost | None:
        """Score and announce a post once; a second call (or another process) does nothing."""
        post = await self.store.get_post(post_id)
        if post is None or post.status != "posted":
            return None
        q = self.by_id.get(post.question_id)
        if q is None:
            log.error("post %s refers to unknown question %s", post.id, post.question_id)
            return None
        ch = await self.store.channel_by_id(post.channel_id)
        now = self.clock.now()
        events = [ev for _pid, ev in await self.store.reaction_events(post.id)]
        shown_answers = derive_answers(events, now)
        # answers are stored by canonical option, so analytics survive the per-post shuffle
        canonical = {int(pid): post.option_order[opt] for pid, opt in shown_answers.items()}
        await self.store.save_daily_answers(post, ch, canonical, q.answer_index, now)
        await self._after_answers(post, ch, canonical, q, now)
        if not await self.store.claim_reveal(post.id, now):
            return None
        message = await self.render_reveal(post, q)
        try:
            await self._notifier().post(ch.ref, message)
        except PlatformError as exc:
            log.warning("platform refused the reveal: %s", exc, extra={"channel": ch.ref.channel})
        return message

    async def render_reveal(self, post: PostInfo, q: Question) -> RevealPost:
        counts, right = await self.store.post_answer_counts(post.id)
        names = await self.store.person_names(right)
        options = tuple(
            RevealOption(
                letter=LETTERS[i],
                text=q.options[canonical],
                rationale=q.rationales[canonical],
                count=counts.get(canonical, 0),
                correct=canonical == q.answer_index,
            )
            for i, canonical in enumerate(post.option_order)
        )
        reason = REASON_TEXT.get(post.reason, post.reason)
        if post.reason_detail:
            reason += f" ({post.reason_detail})"
        return RevealPost(
            post_id=post.id,
            question_id=q.id,
            objective_id=q.objective_id,
            objective_text=self._objective_text.get(q.objective_id, ""),
            options=options,
            explanation=q.explanation,
            reason=reason,
            winners=tuple(names[p] for p in right),
            answered=sum(counts.values()),
            references=q.references,
            thread_of=post.message_ref,
            reports=(ReportTarget.of(q, "reveal"),),
        )

    async def reveal_due(self) -> list[RevealPost]:
        out = []
        for post in await self.store.due_reveals(self.clock.now()):
            msg = await self.reveal(post.id)
            if msg is not None:
                out.append(msg)
        return out

    async def catch_up(self) -> tuple[int, int]:
        """After a restart or sleep: post missing daily questions, then reveal overdue ones."""
        await self.resume_reserved()
        posted = 0
        for ch in await self.store.active_channels():
            if await self.daily_is_due(ch) and await self.post_daily(ch.id) is not None:
                posted += 1
        await self._reconcile()
        revealed = len(await self.reveal_due())
        return posted, revealed
