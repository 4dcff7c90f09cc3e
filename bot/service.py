"""The quiz service: applies commands and events, using core rules over state read through ports.

Adapters call this and nothing else; the scheduler calls :meth:`QuizService.post_daily`,
:meth:`QuizService.reveal_due` and friends. Every method is safe to repeat (idempotent).
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Awaitable, Callable, Mapping, Sequence

from bot.boards import Boards
from bot.context import Asker, attach_chart
from bot.core.answers import derive_answers
from bot.core.charts import ChartImage
from bot.core.clock import Clock
from bot.core.commands import (
    STUDYBOT_USAGE,
    Focus,
    ForgetMe,
    StudybotCommand,
    TeamCommand,
    UsageError,
    parse_studybot,
)
from bot.core.feedback import ReportTarget
from bot.core.messages import DrillCard, Invocation, QuestionPost, Reply, RevealOption, RevealPost, option_views
from bot.core.model import LETTERS, Question, Syllabus
from bot.core.ports import (
    ChannelInfo,
    ChartRenderer,
    Notifier,
    PlatformError,
    PlatformUnavailable,
    PostInfo,
    Store,
)
from bot.core.ratelimit import RateLimiter
from bot.core.selection import choose_question, option_order, seed_for
from bot.drills import Drills
from bot.exams import MockExams
from bot.feedback import ItemFeedback
from bot.plans import PLAN_ALIASES, StudyPlans
from bot.progress import READINESS_HORIZON_DAYS, Progress
from bot.reactions import AnsweredCounts, ReactionIntake
from bot.teams import TeamAdmin
from bot.weakspots import WeakSpots

__all__ = ["Invocation", "QuizService"]

log = logging.getLogger(__name__)

DEFAULT_POST_TIME, DEFAULT_TZ = "09:00", "UTC"  # a new channel's schedule unless the admin says otherwise

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


class QuizService:
    def __init__(
        self,
        store: Store,
        syllabus: Syllabus,
        questions: Sequence[Question],
        notifier: Notifier,
        clock: Clock,
        *,
        admins: frozenset[str] = frozenset(),
        charts: ChartRenderer | None = None,
        answered_every: float = 0.0,
    ) -> None:
        self.store = store
        self.charts = charts  # None: text replies only
        self.syllabus = syllabus
        self.questions = tuple(questions)
        self.by_id = {q.id: q for q in self.questions}
        self.notifier = notifier
        self.clock = clock
        self.admins = admins
        self._objective_text = {o.id: o.text for o in syllabus.objectives()}
        # called with a channel id whenever a channel's schedule may have changed (the scheduler listens)
        self.channel_listeners: list[Callable[[int], Awaitable[None]]] = []
        self._topic_title = {t.id: t.title for t in syllabus.topics}
        self.limiter = RateLimiter()  # commands and button presses per person
        self.asker = Asker(store, clock)

        def with_chart(reply: Reply, draw: Callable[[ChartRenderer], ChartImage]) -> Awaitable[Reply]:
            return attach_chart(self.charts, reply, draw)  # the renderer of the moment (tests swap it)

        self.boards = Boards(
            store,
            clock,
            syllabus,
            asker=self.asker,
            with_chart=with_chart,
            post=lambda ref, message: self.notifier.post(ref, message),  # the notifier of the moment
        )
        self.weakspots = WeakSpots(
            store, clock, syllabus, self.by_id, asker=self.asker, is_admin=self._is_admin, with_chart=with_chart
        )
        self.progress = Progress(
            store, clock, syllabus, asker=self.asker, streaks=self.boards.streaks, with_chart=with_chart
        )
        self.exams = MockExams(
            store, clock, syllabus, self.questions, who=self.asker.who, review=self.progress.review_now
        )
        self.teams = TeamAdmin(store, clock, syllabus, audit=self._audit)
        self.drills = Drills(
            store,
            clock,
            syllabus,
            self.questions,
            self.exams,
            who=self.asker.who,
            limited=self._limited,
            review=self.progress.review,
            local_day=self.asker.local_day,
        )
        self.plans = StudyPlans(
            store,
            clock,
            syllabus,
            self.questions,
            notifier,
            who=self.asker.who,
            start_reviews=lambda inv: self.drills.command(inv, ""),
        )
        self.feedback = ItemFeedback(store, clock, self.by_id, who=self.asker.who, limited=self._limited)
        self.answered_counts = AnsweredCounts(
            store,
            clock,
            notifier,
            answered_every,
            lambda ch, post: (
                self.render_question(ch, post, self.by_id[post.question_id]) if post.question_id in self.by_id else None
            ),
        )
        self.reactions = ReactionIntake(store, clock, notifier, self.answered_counts)

    # -- commands -------------------------------------------------------------------------------
    async def handle_command(self, inv: Invocation, command: str, text: str) -> list[Reply]:
        """Run a slash command; every reply concerns the invoker unless marked public."""
        name = command.lstrip("/").lower()
        if (limited := self._limited(inv)) is not None:
            return [limited]
        try:
            if name == "studybot":
                return await self._studybot(inv, text)
            return await self._feature_command(inv, name, text)
        except UsageError as exc:
            return [Reply(str(exc), private=True)]

    async def _feature_command(self, inv: Invocation, name: str, text: str) -> list[Reply]:
        first = text.split()[0].lower() if text.split() else ""
        if name == "plan" or first in PLAN_ALIASES.get(name, ()):
            return await self.plans.command(inv, text)
        features = {
            "drill": self.drills.command,
            "leaderboard": self.boards.command,
            "weakspots": self.weakspots.command,
            "stats": self.progress.command,
            "exam": self.exams.command,
        }
        if name not in features:
            raise UsageError(f"Unknown command /{name}. Try /studybot help.")
        return await features[name](inv, text)

    # -- buttons, boards, reports and plans: delegates to the feature modules ------------------------
    async def press_button(self, inv: Invocation, value: str) -> list[Reply]:
        """A drill or mock-exam button: ``drill:<id>:<seq>:<letter>``. Repeats and stale buttons change nothing."""
        if value.startswith("review:"):  # a review reminder's "Start my reviews"
            return await self.plans.press(inv, value)
        return await self.drills.press(inv, value)

    async def current_card(self, inv: Invocation) -> DrillCard | None:
        """The drill or mock-exam question the person has open, to show it again (see ``Drills.current_card``)."""
        return await self.drills.current_card(inv)

    async def send_plan_messages(self) -> int:
        """Review reminders and weekly summaries due now, by direct message (the scheduler's minute sweep)."""
        return await self.plans.send_due()

    async def leaderboard_reply(self, ws: int, team_id: int, week: str, topic: str | None, *, private: bool) -> Reply:
        """One team's board for ``week`` ("this", "last" or an ISO date), optionally of one topic."""
        return await self.boards.reply(ws, team_id, week, topic, private=private)

    async def post_weekly_board(self, channel_id: int) -> bool:
        """Post last week's board in the channel once (Monday morning); False if already posted."""
        return await self.boards.post_weekly(channel_id)

    async def weakspots_reply(self, team_id: int, topic: str | None = None) -> Reply:
        """A team's weak-spot report: the whole syllabus by topic and subtopic, or one ``topic`` by objective."""
        return await self.weakspots.reply(team_id, topic)

    async def stats_reply(self, ws: int, person: int, horizon_days: int = READINESS_HORIZON_DAYS) -> Reply:
        """A person's /stats: accuracy and readiness per topic, streak, reviews due."""
        return await self.progress.reply(ws, person, horizon_days)

    async def report_problem(self, inv: Invocation, target: str, kind: str, text: str, delivery_id: str) -> Reply:
        """A "Report a problem" form sent: ``target`` is the button's value (``report:<source>:<id>:<version>``),
        ``delivery_id`` the platform's id of the submission (a repeat stores nothing new); a private reply."""
        return await self.feedback.report(inv, target, kind, text, delivery_id)

    def _limited(self, inv: Invocation) -> Reply | None:
        wait = self.limiter.allow((inv.platform, inv.workspace, inv.user), self.clock.now())
        if not wait:
            return None
        return Reply(
            f"You are sending commands faster than StudyBot takes them (at most {int(self.limiter.burst)} in a row, "
            f"then {self.limiter.rate * 60:.0f} a minute); try again in {max(1, round(wait))} s.",
            private=True,
        )

    def _is_admin(self, inv: Invocation) -> bool:
        return inv.is_admin or inv.user in self.admins or f"{inv.platform}:{inv.user}" in self.admins

    async def _studybot(self, inv: Invocation, text: str) -> list[Reply]:
        cmd = parse_studybot(text)
        if isinstance(cmd, StudybotCommand) and cmd.action == "help":
            return [Reply(STUDYBOT_USAGE, private=True)]
        if isinstance(cmd, ForgetMe):
            return await self.teams.forget(inv, cmd)
        if not self._is_admin(inv) and not (
            isinstance(cmd, StudybotCommand)
            and cmd.action == "settings"
            and cmd.time is None
            and cmd.tz is None
            and cmd.reveal_minutes is None
        ):
            return [Reply("Only workspace admins (or configured StudyBot admins) can do that.", private=True)]
        ws = await self.store.ensure_workspace(inv.platform, inv.workspace, inv.workspace_name)
        if isinstance(cmd, Focus):
            return await self.teams.focus(inv, cmd, ws)
        if isinstance(cmd, TeamCommand):
            return await self.teams.team(inv, cmd, ws)
        now = self.clock.now()
        if cmd.action == "subscribe":
            before = await self.store.get_channel(ws, inv.channel)
            # a time or zone left out keeps the channel's own (a new channel: 09:00 UTC)
            time = cmd.time or (before.post_time if before is not None else DEFAULT_POST_TIME)
            tz = cmd.tz or (before.tz if before is not None else DEFAULT_TZ)
            cmd = StudybotCommand("subscribe", time=time, tz=tz)
            if before is not None and before.active and before.post_time == cmd.time and before.tz == cmd.tz:
                nxt = await self.next_daily_at(before, now)
                return [
                    Reply(
                        f"Already subscribed at {before.post_time} {before.tz}; nothing changed. "
                        f"Next question: {_fmt_local(nxt, before.tz)}.",
                        private=True,
                    )
                ]
            ch = await self.store.subscribe_channel(ws, inv.channel, inv.channel_name, tz, time, now)
            await self._audit(ws, inv, "subscribe", f"channel={inv.channel} time={cmd.time} tz={cmd.tz}")
            await self._channel_changed(ch.id)
            nxt = await self.next_daily_at(ch, now)
            verb = "Schedule changed" if before is not None and before.active else "Subscribed"
            return [
                Reply(
                    f"{verb}: a daily ML-PRO question at {ch.post_time} {ch.tz}, revealed "
                    f"{_duration(ch.reveal_minutes)} later. Next question: {_fmt_local(nxt, ch.tz)}.",
                    private=False,
                )
            ]
        channel = await self.store.get_channel(ws, inv.channel)
        if channel is None or (not channel.active and cmd.action != "settings"):
            return [Reply("This channel is not subscribed. Use /studybot subscribe [HH:MM] [Area/City].", private=True)]
        if cmd.action == "unsubscribe":
            await self.store.update_channel(channel.id, now, active=False)
            await self._audit(ws, inv, "unsubscribe", f"channel={inv.channel}")
            await self._channel_changed(channel.id)
            return [Reply("Unsubscribed: no more daily questions here. Past answers are kept.", private=False)]
        if cmd.action == "settings":
            changes: dict[str, object] = {}
            if cmd.time is not None and cmd.time != channel.post_time:
                changes["post_time"] = cmd.time
            if cmd.tz is not None and cmd.tz != channel.tz:
                changes["tz"] = cmd.tz
            if cmd.reveal_minutes is not None and cmd.reveal_minutes != channel.reveal_minutes:
                changes["reveal_minutes"] = cmd.reveal_minutes
            asked = cmd.time is not None or cmd.tz is not None or cmd.reveal_minutes is not None
            if changes:
                channel = await self.store.update_channel(channel.id, now, **changes)
                if "tz" in changes and channel.team_id is not None:
                    await self.store.set_team_tz(channel.team_id, channel.tz)
                await self._audit(ws, inv, "settings", " ".join(f"{k}={v}" for k, v in changes.items()))
                await self._channel_changed(channel.id)
            head = (
                "Changed: "
                + ", ".join(f"{_SETTING_NAMES[k]} {_setting_value(k, v)}" for k, v in changes.items())
                + ".\n"
                if changes
                else "Already set that way; nothing changed.\n"
                if asked
                else ""
            )
            return [Reply(head + await self._settings_text(channel, now), private=True)]
        if cmd.action == "post-now":
            post = await self.post_daily(channel.id, manual=True)
            await self._audit(ws, inv, "post-now", f"channel={inv.channel} post={post.id if post else None}")
            if post is None:
                return [Reply("Could not post a question here; see the bot's log.", private=True)]
            return [Reply(f"Posted question {post.question_id} (objective {post.objective_id}).", private=True)]
        if cmd.action == "reveal-now":
            open_posts = await self.store.open_posts(channel.id)
            if not open_posts:
                return [Reply("There is no open question in this channel.", private=True)]
            for p in open_posts:
                await self.reveal(p.id)
            await self._audit(ws, inv, "reveal-now", f"channel={inv.channel} posts={[p.id for p in open_posts]}")
            return [Reply(f"Revealed {len(open_posts)} question(s).", private=True)]
        raise UsageError(STUDYBOT_USAGE)

    async def _channel_changed(self, channel_id: int) -> None:
        for listener in self.channel_listeners:
            try:
                await listener(channel_id)
            except Exception:
                log.exception("channel listener failed", extra={"channel_id": channel_id})

    async def _audit(self, ws: int, inv: Invocation, action: str, detail: str) -> None:
        await self.store.audit(ws, f"{inv.platform}:{inv.user}", inv.user_name, action, detail, self.clock.now())

    async def _settings_text(self, ch: ChannelInfo, now: dt.datetime) -> str:
        status = "subscribed" if ch.active else "not subscribed"
        lines = [
            f"Channel settings ({status}):",
            f"  post time   {ch.post_time} {ch.tz}",
            f"  reveal      {_duration(ch.reveal_minutes)} after posting",
        ]
        if ch.focus_topic and ch.focus_until and ch.focus_until > now:
            lines.append(f"  focus       topic {ch.focus_topic} until {_fmt_local(ch.focus_until, ch.tz)}")
        if ch.active:
            lines.append(f"  next post   {_fmt_local(await self.next_daily_at(ch, now), ch.tz)}")
        reminded = sum(
            1
            for p in await self.store.messaged_plans()
            if (p.platform, p.workspace) == (ch.ref.platform, ch.ref.workspace) and p.remind_time
        )
        lines.append(f"  study plans {reminded} people here get review reminders (counts only; plans are personal)")
        return "\n".join(lines)

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
        posts = await self.store.channel_posts(ch.id)
        return not any(p.local_date == day and p.slot == 0 for p in posts)

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
        ch = await self.store.channel_by_id(channel_id)
        now = self.clock.now()
        day = local_date(now, ch.tz)
        posts = await self.store.channel_posts(ch.id)
        slot = 0
        if any(p.local_date == day and p.slot == 0 for p in posts):
            if not manual:
                return None
            slot = 1 + max(p.slot for p in posts if p.local_date == day)
        focus = ch.focus_topic if ch.focus_topic and ch.focus_until and ch.focus_until > now else None
        team_stats = await self.weakspots.team_stats(ch)
        seed = seed_for(ch.ref.platform, ch.ref.workspace, ch.ref.channel, day.isoformat(), slot)
        choice = choose_question(
            self.syllabus,
            self.questions,
            [p.question_id for p in posts if p.status != "failed"],
            seed,
            team_stats=team_stats,
            focus_topic=focus,
        )
        q = choice.question
        order = option_order(q, seed, self._avoid_key_letter(posts))
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
        return await self._send_post(ch, post, q)

    async def _send_post(self, ch: ChannelInfo, post: PostInfo, q: Question) -> PostInfo | None:
        message = self.render_question(ch, post, q)
        try:
            ref = await self.notifier.post(ch.ref, message)
        except PlatformUnavailable as exc:
            log.warning("%s; the post is left for a process that serves it", exc, extra={"channel": ch.ref.channel})
            await self.store.release_reservation(post.id)
            return None
        except PlatformError as exc:
            log.warning("platform refused the daily post: %s", exc, extra={"channel": ch.ref.channel})
            await self.store.mark_failed(post.id)
            return None
        await self.store.mark_posted(post.id, ref, self.clock.now())
        try:
            await self.notifier.add_option_reactions(ch.ref, ref, len(message.options))
        except PlatformError as exc:
            log.warning("could not add option reactions: %s", exc, extra={"channel": ch.ref.channel})
        return await self.store.get_post(post.id)

    # -- the facade's reads for adapters and the scheduler (they never touch the store or the clock) --
    def now(self) -> dt.datetime:
        """The service's clock (a ManualClock in tests, so adapters and the scheduler share its time)."""
        return self.clock.now()

    async def claim_delivery(self, delivery_id: str) -> bool:
        """True the first time ``delivery_id`` is seen; False for a platform's repeat delivery."""
        return await self.store.claim_delivery(delivery_id, self.clock.now())

    async def active_channels(self) -> list[ChannelInfo]:
        """Every subscribed channel, on every platform."""
        return await self.store.active_channels()

    async def channel_by_id(self, channel_id: int) -> ChannelInfo:
        """One channel's settings; KeyError if it does not exist."""
        return await self.store.channel_by_id(channel_id)

    async def prune_deliveries(self, keep: dt.timedelta = dt.timedelta(days=2)) -> int:
        """Forget handled delivery ids older than ``keep`` (platforms stop retrying within minutes)."""
        return await self.store.prune_deliveries(self.clock.now() - keep)

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
            reveal_local=_fmt_local(post.reveal_due_at, ch.tz),
            title="Daily question" if post.slot == 0 else "Bonus question",
        )

    async def aclose(self) -> None:
        """Stop background work (pending answered-count edits) before the database closes."""
        await self.answered_counts.close()

    # -- reactions (bot/reactions.py) -----------------------------------------------------------------
    async def record_reaction(
        self,
        *,
        platform: str,
        workspace: str,
        channel: str,
        message_ref: str,
        user: str,
        reaction: str,
        added: bool,
        delivery_id: str,
        at: dt.datetime | None = None,
        is_bot: bool = False,
        user_name: str = "",
        source: str = "event",
    ) -> bool:
        """Store one raw reaction event; True if it was new. Unknown messages are ignored."""
        return await self.reactions.record(
            platform=platform,
            workspace=workspace,
            channel=channel,
            message_ref=message_ref,
            user=user,
            reaction=reaction,
            added=added,
            delivery_id=delivery_id,
            at=at,
            is_bot=is_bot,
            user_name=user_name,
            source=source,
        )

    async def reconcile_post(
        self, post: PostInfo, reactions: Mapping[str, set[str]], as_of_event: int | None = None
    ) -> int:
        return await self.reactions.reconcile_post(post, reactions, as_of_event)

    async def reconcile_open_posts(self, platform: str | None = None) -> int:
        return await self.reactions.reconcile_open_posts(platform)

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
        await self.progress.after_daily_answers(post, ch, canonical, q, now)
        if not await self.store.claim_reveal(post.id, now):
            return None
        message = await self.render_reveal(post, q)
        try:
            await self.notifier.post(ch.ref, message)
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
        await self.reconcile_open_posts()
        revealed = len(await self.reveal_due())
        return posted, revealed


_SETTING_NAMES = {"post_time": "post time", "tz": "time zone", "reveal_minutes": "reveal delay"}


def _setting_value(key: str, value: object) -> str:
    return _duration(int(str(value))) if key == "reveal_minutes" else str(value)


def _duration(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"{h}h{m:02d}m" if h and m else (f"{h}h" if h else f"{m}m")


def _fmt_local(when: dt.datetime, tz: str) -> str:
    local = when.astimezone(zoneinfo.ZoneInfo(tz))
    return f"{local:%a %Y-%m-%d %H:%M} {tz}"
