"""Question feedback: a learner's "Report a problem" (from a reveal or drill feedback) stored for the authors.

A report is stored once per platform delivery (Slack view submission, Discord interaction, console line),
with the question id and the bank version that was shown (``bot.core.feedback``), and acknowledged
privately. Authors read them with ``studybot content reports`` (kinds and texts, never who reported).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from bot.core.feedback import MAX_REPORT_TEXT, ReportTarget, kind_label, kinds_text, parse_kind
from bot.core.messages import Invocation, Reply
from bot.core.model import Question
from bot.core.render import shorten

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.core.ports import FeedbackStore

__all__ = ["ItemFeedback"]


class ItemFeedback:
    """Stores reports through ``FeedbackStore``; ``who`` and ``limited`` are the service's."""

    def __init__(
        self,
        store: FeedbackStore,
        clock: Clock,
        by_id: Mapping[str, Question],
        *,
        who: Callable[[Invocation], Awaitable[tuple[int, int]]],
        limited: Callable[[Invocation], Reply | None],
    ) -> None:
        self.store = store
        self.clock = clock
        self.by_id = by_id
        self._who = who
        self._limited = limited

    async def report(self, inv: Invocation, target: str, kind: str, text: str, delivery_id: str) -> Reply:
        """Store one report (a repeat delivery stores nothing new) and say so privately; a bad
        target, kind or text is explained, with the person's text given back so nothing is lost."""
        if (limited := self._limited(inv)) is not None:
            return limited
        text = text.strip()
        keep = f"\nYour text, to copy: {text}" if text else ""
        where = ReportTarget.parse(target)
        if where is None:
            return Reply(f"That report button is not valid any more; nothing was stored.{keep}")
        q = self.by_id.get(where.question_id)
        if q is None:
            return Reply(
                f"There is no question {shorten(where.question_id, 40)} in the bank any more (it may have been "
                f"retired), so the report was not stored.{keep}"
            )
        stored_kind = parse_kind(kind)
        if stored_kind is None:
            return Reply(f"Choose what is wrong with {q.id}: {kinds_text()}. Nothing was stored yet.{keep}")
        if len(text) > MAX_REPORT_TEXT:
            return Reply(
                f"The text can be at most {MAX_REPORT_TEXT} characters (yours has {len(text)}); "
                f"nothing was stored yet.{keep}"
            )
        ws, person = await self._who(inv)
        await self.store.add_item_report(
            delivery_id, ws, person, q.id, where.version, stored_kind, text, where.source, self.clock.now()
        )
        return Reply(f"Thanks — your report on {q.id} ({kind_label(stored_kind)}) reaches the question's authors.")
