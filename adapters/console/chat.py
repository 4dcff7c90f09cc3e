"""A chat channel in the terminal: slash commands as typed text, reactions as a named person."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import re
import shlex
import sys
import uuid
from collections.abc import Awaitable, Callable
from typing import TextIO

from adapters.console.notifier import ConsoleNotifier
from bot.core.answers import OPTION_EMOJI
from bot.core.clock import Clock, ManualClock, ShiftedClock
from bot.core.feedback import kinds_text
from bot.core.messages import DrillCard, Reply
from bot.core.render import to_text
from bot.service import Invocation, QuizService

__all__ = ["ConsoleChat", "stdin_lines"]

log = logging.getLogger(__name__)

HELP = """Console chat: type slash commands as you would in Slack or Discord, for example
  /studybot subscribe 09:00 Europe/Berlin    /studybot post-now    /studybot reveal-now
  /drill topic3    /exam 5 10    /leaderboard    /weakspots    /stats    /plan    /studybot help
Other lines:
  A / B / C / D      answer the drill question shown to you (a button press)
  review             start your due reviews (the button of a /plan remind reminder)
  react NAME N       NAME reacts with option N (1-4, or A-D) on the latest question
  report last KIND [text]   report a problem with the last revealed or drilled question (or name its id
                     instead of last); KIND is wrong_key, unclear, outdated, typo or other
  unreact NAME N     NAME removes that reaction
  as NAME [admin]    type the next commands as NAME (`as NAME admin` makes NAME an admin; NAME keeps it)
  channel NAME       type in another channel (each subscribed channel is a team)
  time               show the chat's clock; `time +1d`, `time +3h`, `time 2026-12-07 08:00` (UTC) move it
  help               this text          quit               leave (Ctrl-D too)"""

KEYCAPS = {"one": "1️⃣", "two": "2️⃣", "three": "3️⃣", "four": "4️⃣"}
REPORT_USAGE = f"usage: report last|QUESTION-ID KIND [text]   (KIND: {kinds_text()})"


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
        on_clock_moved: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.service = service
        self.notifier = notifier
        self.clock = clock
        self.channel = channel
        self.out = out
        self.user = "you"
        self.admin = True
        self.admins = {"you"}  # names made admin with `as NAME admin` stay admins
        self.on_clock_moved = on_clock_moved
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
            await self._show(await self.service.handle_command(inv, command, text))
            return True
        if line.lower() == "review":  # the button of a review reminder
            value = self.notifier.buttons.get((self.user, "review"), f"review:{self._inv().workspace}")
            await self._show(await self.service.press_button(self._inv(), value))
            return True
        if line.upper() in {"A", "B", "C", "D"}:
            card = self.cards.get(self.user) or await self.service.drills.current_card(
                self._inv()
            )  # after a restart too
            if card is None:
                print("No drill question is waiting for you; start one with /drill.", file=self.out)
                return True
            value = f"drill:{card.drill_id}:{card.seq}:{line.upper()}"
            await self._show(await self.service.press_button(self._inv(), value))
            return True
        if line.split(maxsplit=1)[0].lower() == "report":
            await self._report(line)
            return True
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        head = words[0].lower()
        if head == "as":
            if len(words) == 2 or (len(words) == 3 and words[2].lower() == "admin"):
                if len(words) == 3:
                    self.admins.add(words[1])
                self.user, self.admin = words[1], words[1] in self.admins
                print(f"(now typing as {self.user}{' (admin)' if self.admin else ''})", file=self.out)
            else:
                print("usage: as NAME [admin]   e.g. as bob, or as carol admin", file=self.out)
            return True
        if head in {"react", "unreact"}:
            option = _option_number(words[2]) if len(words) == 3 else None
            ref = self.notifier.latest_question
            if option is None or ref is None:
                print(f"usage: {head} NAME N  (N is 1-4 or A-D; there must be a question posted)", file=self.out)
                return True
            if head == "unreact" and words[1] not in self.notifier.reactions.get(ref, {}).get(
                OPTION_EMOJI[option], set()
            ):
                print(f"({words[1]} has no {KEYCAPS[OPTION_EMOJI[option]]} reaction to remove)", file=self.out)
                return True
            await self.react(words[1], option, head == "react", ref)
            return True
        if head == "channel":
            if len(words) != 2 or not words[1].lstrip("#"):
                print(f"usage: channel NAME   (now in #{self.channel})", file=self.out)
                return True
            self.channel = words[1].lstrip("#")[:80]
            print(f"(now in #{self.channel})", file=self.out)
            return True
        if head == "time":
            await self._time(words[1:])
            return True
        print(f"Unknown input {line[:60]!r}. Type help.", file=self.out)
        return True

    async def _report(self, line: str) -> None:
        """``report last|ID KIND [text]``: the console's "Report a problem" form (the text is the rest of the line)."""
        words = line.split(maxsplit=3)
        if len(words) < 3:
            print(REPORT_USAGE, file=self.out)
            return
        which, kind, text = words[1], words[2], words[3] if len(words) == 4 else ""
        target = (
            self.notifier.last_report_target if which.lower() == "last" else self.notifier.report_targets.get(which)
        )
        if target is None:
            shown = ", ".join(self.notifier.report_targets) or "none yet"
            print(
                f"No question {'was' if which.lower() == 'last' else which + ' was'} revealed or drilled in this chat "
                f"(shown here: {shown}); a report is about a question you saw. {REPORT_USAGE}",
                file=self.out,
            )
            return
        reply = await self.service.report_problem(
            self._inv(), target.value, kind, text, f"console:report:{uuid.uuid4()}"
        )
        await self._show([reply])

    async def _time(self, args: list[str]) -> None:
        if not args:
            print(f"(it is {self.clock.now():%a %Y-%m-%d %H:%M} UTC)", file=self.out)
            return
        if not isinstance(self.clock, ManualClock | ShiftedClock):
            print("(this chat's clock cannot be moved)", file=self.out)
            return
        target = _parse_when(" ".join(args), self.clock.now())
        if target is None:
            print("usage: time +1d | +3h | +30m | YYYY-MM-DD [HH:MM]   (UTC; forward or back)", file=self.out)
            return
        self.clock.set(target)
        print(f"(the clock is now {target:%a %Y-%m-%d %H:%M} UTC)", file=self.out)
        if self.on_clock_moved is not None:
            await self.on_clock_moved()

    def _inv(self) -> Invocation:
        return Invocation(
            platform="console",
            workspace="local",
            channel=self.channel,
            user=self.user,
            user_name=self.user,
            is_admin=self.admin,
            channel_name=self.channel,
            workspace_name="local",
        )

    async def _show(self, replies: list[Reply]) -> None:
        for r in replies:
            if r.card is not None:
                self.cards[self.user] = r.card
            tag = "only you can see this" if r.private else f"#{self.channel}"
            print(f"\n[{tag}]\n{to_text(r)}", file=self.out)
            self.notifier.offer_reports(r.reports)
            await self.notifier.show_chart(r)

    async def react(self, user: str, option: int, added: bool, message_ref: str, at: dt.datetime | None = None) -> bool:
        emoji = OPTION_EMOJI[option]
        self.notifier.react(message_ref, user, emoji, added)
        new = await self.service.record_reaction(
            platform="console",
            workspace="local",
            channel=self.channel,
            message_ref=message_ref,
            user=user,
            user_name=user,
            reaction=emoji,
            added=added,
            delivery_id=f"console:{next(self._seq)}:{user}:{emoji}",
            at=at,
        )
        verb = "reacted" if added else "removed"
        print(
            f"({user} {verb} {KEYCAPS.get(emoji, emoji)})" if new else "(that message is not an open question)",
            file=self.out,
        )
        return new

    async def run(self, lines: Callable[[], Awaitable[str]]) -> None:
        """Read lines until ``quit`` or end of input; a line that fails is reported and the chat goes on."""
        print(HELP, file=self.out)
        while True:
            print(f"\n{self.user}> ", end="", file=self.out, flush=True)
            self.notifier.prompt = f"{self.user}> "
            try:
                line = await lines()
            except EOFError:
                line = ""
            finally:
                self.notifier.prompt = None
            if line == "":  # end of input (Ctrl-D)
                print("\nbye", file=self.out)
                break
            try:
                if not await self.handle_line(line):
                    print("bye", file=self.out)
                    break
            except Exception as exc:  # the chat survives any line
                log.exception("console line failed: %r", line[:200])
                print(
                    f"Sorry, that failed: {type(exc).__name__}. The error was logged; the chat goes on.", file=self.out
                )


def _parse_when(text: str, now: dt.datetime) -> dt.datetime | None:
    m = re.fullmatch(r"([+-])([0-9]{1,4})([dhm])", text.strip(), flags=re.ASCII)
    if m:
        n = int(m.group(2)) * (-1 if m.group(1) == "-" else 1)
        when = now + dt.timedelta(**{{"d": "days", "h": "hours", "m": "minutes"}[m.group(3)]: n})
        return when if 2000 <= when.year <= 2999 else None
    m = re.fullmatch(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T]([0-9]{1,2}):([0-9]{2}))?", text.strip(), flags=re.ASCII)
    if not m:
        return None
    try:
        day = dt.date.fromisoformat(m.group(1))
        hh, mm = int(m.group(2) or 0), int(m.group(3) or 0)
        when = dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=dt.UTC)
    except ValueError:
        return None
    return when if 2000 <= when.year <= 2999 else None


def _option_number(value: str) -> int | None:
    v = value.strip().upper()
    if v in {"1", "2", "3", "4"}:
        return int(v) - 1
    if v in {"A", "B", "C", "D"}:
        return "ABCD".index(v)
    return None


async def stdin_lines() -> str:
    return await asyncio.to_thread(sys.stdin.readline)
