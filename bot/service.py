"""The quiz service: applies commands and events, using core rules over state read through ports.

Adapters and the scheduler call this facade and nothing else. Its own methods are the entry points every
platform uses (commands, buttons, reactions, report forms, delivery dedupe); each feature is an attribute
with a name of its own: the scheduler calls ``service.daily.post_daily``, ``service.daily.reveal_due``,
``service.boards.post_weekly`` and ``service.plans.messages.send_due``. Every method is safe to repeat.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.boards import Boards
from bot.channeladmin import ChannelAdmin
from bot.context import Asker, attach_chart
from bot.core.charts import ChartImage
from bot.core.clock import Clock
from bot.core.commands import UsageError
from bot.core.messages import Invocation, Reply
from bot.core.model import Question, Syllabus
from bot.core.ports import ChannelInfo, ChartRenderer, Notifier, Store
from bot.core.ratelimit import RateLimiter
from bot.daily import DailyQuestions, local_date, post_instant
from bot.drills import Drills
from bot.exams import MockExams
from bot.feedback import ItemFeedback
from bot.plans import PLAN_ALIASES, StudyPlans
from bot.progress import Progress
from bot.reactions import AnsweredCounts, ReactionIntake
from bot.teams import TeamAdmin
from bot.weakspots import WeakSpots

__all__ = ["Invocation", "QuizService", "local_date", "post_instant"]

log = logging.getLogger(__name__)


class QuizService:
    """The one facade adapters and the scheduler see; each feature is a module of its own (``self.daily``,
    ``self.admin``, ``self.drills``, ``self.exams``, ``self.boards``, ``self.weakspots``, ``self.progress``,
    ``self.plans``, ``self.teams``, ``self.feedback``, ``self.reactions``); callers reach a feature through its
    attribute, and these methods are the entry points every platform shares."""

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
        # called with a channel id whenever a channel's schedule may have changed (the scheduler listens)
        self.channel_listeners: list[Callable[[int], Awaitable[None]]] = []
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
        self.teams = TeamAdmin(
            store, clock, syllabus, audit=lambda ws, inv, action, detail: self.admin.audit(ws, inv, action, detail)
        )
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
                self.daily.render_question(ch, post, self.by_id[post.question_id])
                if post.question_id in self.by_id
                else None
            ),
        )
        self.reactions = ReactionIntake(store, clock, notifier, self.answered_counts)
        self.daily = DailyQuestions(
            store,
            clock,
            syllabus,
            self.questions,
            notifier=lambda: self.notifier,  # the notifier of the moment (tests swap it)
            team_stats=self.weakspots.team_stats,
            after_answers=self.progress.after_daily_answers,
            reconcile=lambda: self.reconcile_open_posts(),
        )
        self.admin = ChannelAdmin(
            store, clock, self.daily, self.teams, is_admin=self._is_admin, listeners=self.channel_listeners
        )

    # -- commands -------------------------------------------------------------------------------
    async def handle_command(self, inv: Invocation, command: str, text: str) -> list[Reply]:
        """Run a slash command; every reply concerns the invoker unless marked public."""
        name = command.lstrip("/").lower()
        if (limited := self._limited(inv)) is not None:
            return [limited]
        try:
            if name == "studybot":
                return await self.admin.command(inv, text)
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

    # -- buttons and report forms ------------------------------------------------------------------
    async def press_button(self, inv: Invocation, value: str) -> list[Reply]:
        """A drill or mock-exam button: ``drill:<id>:<seq>:<letter>``. Repeats and stale buttons change nothing."""
        if value.startswith("review:"):  # a review reminder's "Start my reviews"
            return await self.plans.press(inv, value)
        return await self.drills.press(inv, value)

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

    async def reconcile_open_posts(self, platform: str | None = None) -> int:
        """Add the reactions the platform shows on open posts but no event delivered; the count added."""
        return await self.reactions.reconcile_open_posts(platform)
