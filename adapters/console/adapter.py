"""A chat channel in the terminal: slash commands as typed text, reactions as a named person."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import shlex
import sys
from collections.abc import Awaitable, Callable, Mapping
from typing import TextIO

from bot.core.answers import OPTION_EMOJI
from bot.core.clock import Clock
from bot.core.messages import ChannelRef, DrillCard, Message, QuestionPost, Reply
from bot.core.render import to_text
from bot.service import Invocation, QuizService

__all__ = ["ConsoleChat", "ConsoleNotifier", "stdin_lines"]

HELP = """Console chat: type slash commands as you would in Slack or Discord, for example
  /studybot subscribe 09:00 Europe/Berlin    /studybot post-now    /studybot reveal-now
  /drill topic3    /leaderboard    /weakspots    /stats    /studybot help
Other lines:
  A / B / C / D      answer the drill question shown to you (a button press)
  react NAME N       NAME reacts with option N (1-4, or A-D) on the latest question
  unreact NAME N     NAME removes that reaction
  as NAME            type the next commands as NAME (admin: `as NAME admin`)
  help               this text          quit               leave"""


class ConsoleNotifier:
    """Prints channel messages; remembers reactions so reconciliation works like on a platform."""

    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out = out
        self._ids = itertools.count(1)
        self.messages: dict[str, tuple[ChannelRef, Message]] = {}
        self.reactions: dict[str, dict[str, set[str]]] = {}
        self.latest_question: str | None = None

    async def post(self, channel: ChannelRef, message: Message) -> str:
        ref = f"m{next(self._ids)}"
        self.messages[ref] = (channel, message)
        if isinstance(message, QuestionPost):
            self.latest_question = ref
        print(f"\n── #{channel.channel} · message {ref} " + "─" * 30, file=self.out)
        print(to_text(message), file=self.out)
        return ref

    async def add_option_reactions(self, channel: ChannelRef, message_ref: str, count: int) -> None:
        self.reactions.setdefault(message_ref, {})

    async def fetch_reactions(self, channel: ChannelRef, message_ref: str) -> Mapping[str, set[str]] | None:
        return {k: set(v) for k, v in self.reactions.get(message_ref, {}).items()}

    def react(self, message_ref: str, user: str, emoji: str, added: bool) -> None:
        users = self.reactions.setdefault(message_ref, {}).setdefault(emoji, set())
        (users.add if added else users.discard)(user)


class ConsoleChat:
    """Drives the service from lines of text (a terminal, or a test feeding lines)."""

    def __init__(
        self,
        service: QuizService,
        notifier: ConsoleNotifier,
        clock: Clock,
        *,
        channel: str = "study-group",
        out: TextIO = sys.stdout,
    ) -> None:
        self.service = service
        self.notifier = notifier
        self.clock = clock
        self.channel = channel
        self.out = out
        self.user = "you"
        self.admin = True
        self._seq = itertools.count(1)
        self.cards: dict[str, DrillCard] = {}  # the drill card last shown to each person

    async def handle_line(self, line: str) -> bool:
        """Handle one typed line; False means quit."""
        line = line.strip()
        if not line:
            return True
        if line in {"quit", "exit", "/quit"}:
            return False
        if line == "help":
            print(HELP, file=self.out)
            return True
        if line.startswith("/"):
            command, _, text = line.partition(" ")
            inv = self._inv()
            self._show(await self.service.handle_command(inv, command, text))
            return True
        if line.upper() in {"A", "B", "C", "D"}:
            card = self.cards.get(self.user)
            if card is None:
                print("No drill question is waiting for you; start one with /drill.", file=self.out)
                return True
            value = f"drill:{card.drill_id}:{card.seq}:{line.upper()}"
            self._show(await self.service.press_button(self._inv(), value))
            return True
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        if words[0] == "as" and len(words) in {2, 3}:
            self.user, self.admin = words[1], len(words) == 3 and words[2] == "admin"
            print(f"(now typing as {self.user}{' (admin)' if self.admin else ''})", file=self.out)
            return True
        if words[0] in {"react", "unreact"} and len(words) == 3:
            option = _option_number(words[2])
            ref = self.notifier.latest_question
            if option is None or ref is None:
                print("usage: react NAME N  (N is 1-4 or A-D; there must be a question posted)", file=self.out)
                return True
            await self.react(words[1], option, words[0] == "react", ref)
            return True
        print(f"Unknown input {line!r}. Type help.", file=self.out)
        return True

    def _inv(self) -> Invocation:
        return Invocation(
            platform="console", workspace="local", channel=self.channel, user=self.user,
            user_name=self.user, is_admin=self.admin, channel_name=self.channel, workspace_name="local",
        )

    def _show(self, replies: list[Reply]) -> None:
        for r in replies:
            if r.card is not None:
                self.cards[self.user] = r.card
            tag = "only you can see this" if r.private else f"#{self.channel}"
            print(f"\n[{tag}]\n{to_text(r)}", file=self.out)

    async def react(self, user: str, option: int, added: bool, message_ref: str, at: dt.datetime | None = None) -> bool:
        emoji = OPTION_EMOJI[option]
        self.notifier.react(message_ref, user, emoji, added)
        new = await self.service.record_reaction(
            platform="console", workspace="local", channel=self.channel, message_ref=message_ref, user=user,
            user_name=user, reaction=emoji, added=added, delivery_id=f"console:{next(self._seq)}:{user}:{emoji}",
            at=at,
        )
        verb = "reacted" if added else "removed"
        print(f"({user} {verb} {emoji})" if new else "(that message is not an open question)", file=self.out)
        return new

    async def run(self, lines: Callable[[], Awaitable[str]]) -> None:
        print(HELP, file=self.out)
        while True:
            print(f"\n{self.user}> ", end="", file=self.out, flush=True)
            try:
                line = await lines()
            except EOFError:
                break
            if line == "":  # EOF
                break
            if not await self.handle_line(line):
                break


def _option_number(value: str) -> int | None:
    v = value.strip().upper()
    if v in {"1", "2", "3", "4"}:
        return int(v) - 1
    if v in {"A", "B", "C", "D"}:
        return "ABCD".index(v)
    return None


async def stdin_lines() -> str:
    return await asyncio.to_thread(sys.stdin.readline)
