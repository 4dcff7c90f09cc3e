"""Reaction intake: every emoji reaction becomes one stored event, exactly once, fast under bursts.

Concurrent calls share one look-up of the workspace and of the post (single flight), and their events
are written by group commit (:class:`bot.batching.Batcher`: one transaction per batch of up to
``REACTION_BATCH`` events); a caller is answered after its batch commits. ``reconcile_*`` repairs a
post from the platform's current reactions after a disconnect.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from bot.batching import Batcher
from bot.core.answers import OPTION_EMOJI, ReactionEvent, derive_answers, option_for_reaction
from bot.core.messages import QuestionPost
from bot.core.ports import ChannelInfo, IncomingReaction, Notifier, PlatformError, PostInfo

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.core.ports import Store

__all__ = ["REACTION_BATCH", "REACTION_BATCH_WAIT", "AnsweredCounts", "ReactionIntake"]

log = logging.getLogger(__name__)

REACTION_BATCH = 200  # reaction events written per transaction at most
REACTION_BATCH_WAIT = 0.005  # seconds a batch waits for company after its first event


class AnsweredCounts:
    """Keeps an open question's "N answered so far" current: at most one edit per ``every`` seconds per post.

    A new reaction event marks its post; ``every`` seconds later the count (people with an answer now, as
    the answer policy derives it; never what they chose) is put into the question by ``Notifier.update``.
    Reactions during the wait share that one edit, so a burst costs one edit, within the platforms' limits.
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        notifier: Notifier,
        every: float,
        render: Callable[[ChannelInfo, PostInfo], QuestionPost | None],
    ) -> None:
        self.store = store
        self.clock = clock
        self.notifier = notifier
        self.every = every
        self._render = render
        self._pending: dict[int, asyncio.Task[None]] = {}
        self.updates = 0  # edits sent (tests and logs)

    def touch(self, post_id: int) -> None:
        if self.every <= 0 or post_id in self._pending:
            return
        self._pending[post_id] = asyncio.get_running_loop().create_task(self._later(post_id), name="answered-count")

    async def _later(self, post_id: int) -> None:
        try:
            await asyncio.sleep(self.every)
            self._pending.pop(post_id, None)  # a reaction from now on schedules the next edit
            post = await self.store.get_post(post_id)
            if post is None or post.status != "posted" or not post.message_ref:
                return  # revealed meanwhile (the reveal shows the counts) or never sent
            ch = await self.store.channel_by_id(post.channel_id)
            question = self._render(ch, post)
            if question is None:
                return
            events = [ev for _pid, ev in await self.store.reaction_events(post_id)]
            answered = len(derive_answers(events, self.clock.now()))
            await self.notifier.update(ch.ref, post.message_ref, dataclasses.replace(question, answered=answered))
            self.updates += 1
        except asyncio.CancelledError:
            raise
        except PlatformError as exc:
            log.warning("could not update the answered count: %s", exc, extra={"post": post_id})
        except Exception:
            log.exception("updating the answered count failed", extra={"post": post_id})
        finally:
            if self._pending.get(post_id) is asyncio.current_task():
                del self._pending[post_id]

    async def close(self) -> None:
        """Stop pending edits (at shutdown)."""
        tasks = list(self._pending.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._pending.clear()


class ReactionIntake:
    """Stores reaction events (``record``) and repairs open posts from the platform (``reconcile_*``)."""

    def __init__(self, store: Store, clock: Clock, notifier: Notifier, counts: AnsweredCounts | None = None) -> None:
        self.store = store
        self.clock = clock
        self.notifier = notifier
        self.counts = counts
        self._ws_ids: dict[Any, asyncio.Future[Any]] = {}  # (platform, workspace) -> its id, being or been looked up
        self._post_ids: dict[Any, asyncio.Future[Any]] = {}  # (workspace, channel, message) -> post id
        self.batcher: Batcher[IncomingReaction, bool] = Batcher(
            store.record_reactions, max_items=REACTION_BATCH, max_wait=REACTION_BATCH_WAIT
        )

    async def record(
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
        # concurrent calls share one look-up (a burst on a new question would otherwise start one per call)
        ws = await self._single_flight(
            self._ws_ids, (platform, workspace), lambda: self.store.ensure_workspace(platform, workspace)
        )
        post = await self._single_flight(
            self._post_ids, (ws, channel, message_ref), lambda: self._post_id(ws, channel, message_ref)
        )
        if post is None:
            return False
        post_id = post
        now = self.clock.now()
        event = ReactionEvent(delivery_id, user, option_for_reaction(reaction), added, at or now, is_bot)
        # group commit: concurrent reactions share one transaction (person created if new, then the event);
        # this call returns only after its batch is written
        new = await self.batcher.submit(
            IncomingReaction(ws, user, user_name, is_bot, post_id, event, reaction, source, now)
        )
        if new and self.counts is not None:
            self.counts.touch(post_id)
        return new

    async def _post_id(self, ws: int, channel: str, message_ref: str) -> int | None:
        post = await self.store.post_by_message(ws, channel, message_ref)
        return post.id if post is not None else None

    @staticmethod
    async def _single_flight(
        cache: dict[Any, asyncio.Future[Any]], key: Any, load: Callable[[], Awaitable[Any]]
    ) -> Any:
        """The cached value of ``key``, loading it once however many callers ask at the same time.

        A None or a failure is not kept (an unknown message may become a post a moment later), and the
        cache is emptied when it grows past 10,000 keys (workspaces and posts never change their ids).
        """
        future = cache.get(key)
        if future is None:
            if len(cache) > 10_000:
                cache.clear()
            future = cache[key] = asyncio.ensure_future(load())
        try:
            value = await asyncio.shield(future)
        except Exception:
            if cache.get(key) is future:
                del cache[key]
            raise
        if value is None and cache.get(key) is future:
            del cache[key]
        return value

    async def reconcile_post(
        self, post: PostInfo, reactions: Mapping[str, set[str]], as_of_event: int | None = None
    ) -> int:
        """Repair a post's answers from the platform's current reactions; returns events added.

        ``reactions`` maps raw emoji to the user ids (bots excluded) reacting with it now. Options
        we hold as present but the platform does not show become removals; options the platform
        shows that we do not hold become additions (order unknown: existing answers keep priority).
        ``as_of_event`` is the newest event id stored before the platform was read: people with newer
        events reacted meanwhile, so the snapshot may be stale for them and they are left alone.
        """
        if post.status != "posted":
            return 0
        ch = await self.store.channel_by_id(post.channel_id)
        now = self.clock.now()
        events = await self.store.reaction_events(post.id)
        # what we believe is present: replay with no cut-off
        held: dict[str, set[int]] = {}
        counts: dict[tuple[str, int, bool], int] = {}
        moved_since = {ev.user_id for _pid, ev in events if as_of_event is not None and ev.seq > as_of_event}
        for _pid, ev in sorted(events, key=lambda pe: (pe[1].at, pe[1].seq)):
            if ev.option is None or ev.is_bot:
                continue
            counts[(ev.user_id, ev.option, ev.added)] = counts.get((ev.user_id, ev.option, ev.added), 0) + 1
            s = held.setdefault(ev.user_id, set())
            (s.add if ev.added else s.discard)(ev.option)
        platform_state: dict[int, set[int]] = {}
        for emoji, users in reactions.items():
            option = option_for_reaction(emoji)
            if option is None:
                continue
            for user in users:
                pid = await self.store.ensure_person(ch.workspace_id, user)
                platform_state.setdefault(pid, set()).add(option)
        added = 0
        people = set(platform_state) | {int(u) for u in held}
        for pid in sorted(people):
            if str(pid) in moved_since:
                continue
            have = held.get(str(pid), set())
            want = platform_state.get(pid, set())
            for option in sorted(have - want):
                n = counts.get((str(pid), option, False), 0)
                ev = ReactionEvent(f"reconcile:{post.id}:{pid}:{option}:-:{n}", str(pid), option, False, now)
                added += await self.store.add_reaction_event(post.id, pid, ev, OPTION_EMOJI[option], "reconcile", now)
            for option in sorted(want - have):
                n = counts.get((str(pid), option, True), 0)
                # an addition we missed: place it just before now, after everything we know
                ev = ReactionEvent(f"reconcile:{post.id}:{pid}:{option}:+:{n}", str(pid), option, True, now)
                added += await self.store.add_reaction_event(post.id, pid, ev, OPTION_EMOJI[option], "reconcile", now)
        return added

    async def reconcile_open_posts(self, platform: str | None = None) -> int:
        """Re-read reactions of every open post (of one platform, if given) and repair missed events."""
        total = 0
        for post in await self.store.open_posts():
            if post.message_ref is None:
                continue
            ch = await self.store.channel_by_id(post.channel_id)
            if platform is not None and ch.ref.platform != platform:
                continue
            before = await self.store.reaction_events(post.id)
            as_of = max((ev.seq for _pid, ev in before), default=0)
            try:
                state = await self.notifier.fetch_reactions(ch.ref, post.message_ref)
            except PlatformError as exc:
                log.warning("cannot read reactions: %s", exc, extra={"channel": ch.ref.channel})
                continue
            if state is not None:
                total += await self.reconcile_post(post, state, as_of)
        return total
