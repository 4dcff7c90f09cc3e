"""The console's Notifier: channel messages and direct messages printed, reactions remembered, charts saved as PNG."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from bot.core.charts import ChartImage
from bot.core.feedback import ReportTarget, kinds_text
from bot.core.messages import ChannelRef, Message, QuestionPost, Reply, RevealPost
from bot.core.render import to_text

__all__ = ["REPORT_HINT", "REPORT_HINT_MANY", "ConsoleNotifier", "save_chart"]

REPORT_HINT = "(A problem with this question? report last KIND [text]; KIND: " + kinds_text() + ")"
REPORT_HINT_MANY = (
    "(A problem with one of these questions? report ID KIND [text]; KIND: " + kinds_text() + "; IDs: {ids})"
)


_saved = itertools.count(1)


def save_chart(image: ChartImage, directory: Path, now: dt.datetime) -> Path:
    """Write a chart's PNG under ``directory`` (created if missing) with a name that never overwrites."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = image.filename.removesuffix(".png")
    path = directory / f"{now:%Y%m%d-%H%M%S}-{next(_saved):03d}-{stem}.png"
    path.write_bytes(image.png)
    return path


class ConsoleNotifier:
    """Prints channel messages; remembers reactions so reconciliation works like on a platform.

    Charts are saved as PNG files under ``charts_dir`` and their path is printed below the text
    (a terminal shows no pictures); without a ``charts_dir`` only the text is shown.
    """

    def __init__(self, out: TextIO = sys.stdout, charts_dir: Path | None = None) -> None:
        self.out = out
        self.charts_dir = charts_dir
        self.charts: list[Path] = []  # every chart saved, oldest first
        self._ids = itertools.count(1)
        self.messages: dict[str, tuple[ChannelRef, Message]] = {}
        self.reactions: dict[str, dict[str, set[str]]] = {}
        self.latest_question: str | None = None
        self.report_targets: dict[str, ReportTarget] = {}  # question id -> as last shown (reveals, drill feedback)
        self.last_report_target: ReportTarget | None = None
        self.prompt: str | None = None  # set while the chat waits for a line: redrawn after a scheduled post
        self.buttons: dict[tuple[str, str], str] = {}  # (user, word) -> the value of the button last sent them

    async def post(self, channel: ChannelRef, message: Message) -> str:
        ref = f"m{next(self._ids)}"
        self.messages[ref] = (channel, message)
        if isinstance(message, QuestionPost):
            self.latest_question = ref
        thread = f" · reply to {message.thread_of}" if isinstance(message, RevealPost) and message.thread_of else ""
        print(f"\n── #{channel.channel} · message {ref}{thread} " + "─" * 30, file=self.out)
        print(to_text(message), file=self.out)
        if isinstance(message, Reply | RevealPost):
            self.offer_reports(message.reports)
        if isinstance(message, Reply):
            await self.show_chart(message)
        if self.prompt is not None:  # a scheduled post arrived while the person was typing: show the prompt again
            print(f"\n{self.prompt}", end="", file=self.out, flush=True)
        return ref

    def offer_reports(self, targets: tuple[ReportTarget, ...]) -> None:
        """Remember the questions a reveal, drill feedback or exam result showed, and say how to report a
        problem with them (``report last`` when there is one, by id among several)."""
        if not targets:
            return
        self.report_targets.update((t.question_id, t) for t in targets)
        if len(targets) == 1:
            self.last_report_target = targets[0]
            print(REPORT_HINT, file=self.out)
        else:
            ids = ", ".join(f"{t.label} {t.question_id}".strip() for t in targets)
            print(REPORT_HINT_MANY.format(ids=ids), file=self.out)

    async def direct(self, to: ChannelRef, message: Message) -> str:
        """A direct message: the terminal has one person, so it is printed like a channel message."""
        ref = f"m{next(self._ids)}"
        self.messages[ref] = (to, message)
        print(f"\n── direct message to {to.channel} · message {ref} " + "─" * 20, file=self.out)
        print(to_text(message), file=self.out)
        if isinstance(message, Reply):
            for button in message.buttons:
                self.buttons[(to.channel, button.value.split(":")[0])] = button.value
                print(f"[{button.label}]  (type: {button.value.split(':')[0]})", file=self.out)
        if self.prompt is not None:
            print(f"\n{self.prompt}", end="", file=self.out, flush=True)
        return ref

    async def show_chart(self, reply: Reply) -> Path | None:
        """Save the reply's chart (if any, off the event loop) and print where; a disk error prints why."""
        if reply.image is None or self.charts_dir is None:
            return None
        try:
            path = await asyncio.to_thread(save_chart, reply.image, self.charts_dir, dt.datetime.now(dt.UTC))
        except OSError as exc:
            print(f"(could not save the chart under {self.charts_dir}: {exc.strerror or exc})", file=self.out)
            return None
        self.charts.append(path)
        print(f"Chart: {path}  ({reply.image.alt})", file=self.out)
        return path

    async def add_option_reactions(self, channel: ChannelRef, message_ref: str, count: int) -> None:
        self.reactions.setdefault(message_ref, {})

    async def fetch_reactions(self, channel: ChannelRef, message_ref: str) -> Mapping[str, set[str]] | None:
        return {k: set(v) for k, v in self.reactions.get(message_ref, {}).items()}

    async def update(self, channel: ChannelRef, message_ref: str, message: Message) -> None:
        """A terminal cannot edit what it printed: one short line says what changed."""
        if isinstance(message, QuestionPost) and message.answered is not None:
            print(f"({message_ref} now shows: {message.answered} answered so far)", file=self.out)

    def react(self, message_ref: str, user: str, emoji: str, added: bool) -> None:
        users = self.reactions.setdefault(message_ref, {}).setdefault(emoji, set())
        (users.add if added else users.discard)(user)
