"""Neutral messages the core produces; adapters render them (Block Kit, embeds, terminal text).

Every message has a plain-text rendering (:func:`bot.core.render.to_text`) that the console shows and
that Slack and Discord use as the notification fallback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.answers import OPTION_EMOJI
from bot.core.boards import Leaderboard
from bot.core.charts import ChartImage
from bot.core.feedback import ReportTarget
from bot.core.model import LETTERS, Question
from bot.core.progress import StatsCard
from bot.core.weakspots import WeakSpotReport

__all__ = [
    "Button",
    "ChannelRef",
    "DrillCard",
    "Invocation",
    "Message",
    "OptionView",
    "QuestionPost",
    "Reply",
    "ReplyData",
    "RevealOption",
    "RevealPost",
    "Table",
    "option_views",
]


@dataclass(frozen=True, slots=True)
class ChannelRef:
    platform: str  # "slack" | "discord" | "console"
    workspace: str  # Slack team id / Discord guild id / "local"
    channel: str


@dataclass(frozen=True, slots=True)
class OptionView:
    letter: str
    emoji: str  # neutral emoji name: one/two/three/four
    text: str


@dataclass(frozen=True, slots=True)
class QuestionPost:
    post_id: int
    topic: str  # "Topic 3: Model Registry, Governance & Release Management"
    objective_id: str
    stem: str
    options: tuple[OptionView, ...]
    reveal_at: dt.datetime
    reveal_local: str  # "17:00 Europe/Berlin"
    title: str = "Daily question"
    answered: int | None = None  # how many have answered so far (shown while open; None: not counted yet)

    @property
    def answered_note(self) -> str:
        """`` · 3 answered so far`` (empty before the first count): who chose what stays hidden."""
        return "" if self.answered is None else f" · {self.answered} answered so far"


@dataclass(frozen=True, slots=True)
class RevealOption:
    letter: str
    text: str
    rationale: str
    count: int
    correct: bool


@dataclass(frozen=True, slots=True)
class RevealPost:
    post_id: int
    question_id: str
    objective_id: str
    objective_text: str
    options: tuple[RevealOption, ...]
    explanation: str
    reason: str  # why this objective was chosen
    winners: tuple[str, ...]  # display names of those who got it right
    answered: int
    references: tuple[tuple[str, str], ...] = ()
    thread_of: str | None = None  # the question's message: the reveal is posted in its thread (or as a reply)
    reports: tuple[ReportTarget, ...] = ()  # shown as a "Report a problem" button

    @property
    def correct(self) -> RevealOption:
        return next(o for o in self.options if o.correct)


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table (leaderboards, weak spots, stats); ``rows`` are already formatted cells."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class DrillCard:
    """One drill question with A-D buttons; button values are ``drill:<id>:<seq>:<letter>``."""

    drill_id: int
    seq: int
    total: int
    objective_id: str
    stem: str
    options: tuple[OptionView, ...]
    header: str = ""


@dataclass(frozen=True, slots=True)
class Button:
    """A button under a reply; pressing it hands ``value`` to ``QuizService.press_button``
    (``review:<workspace>`` starts the review drill, e.g. from a reminder sent by direct message)."""

    label: str
    value: str


# the figures behind a reply's tables (bot.core.present makes the tables from them)
ReplyData = Leaderboard | WeakSpotReport | StatsCard


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply to the person who asked; ``private`` replies are ephemeral or DMs.

    ``data``: for /leaderboard, /weakspots and /stats, the typed figures the ``tables`` were made from.
    """

    text: str
    private: bool = True
    tables: tuple[Table, ...] = field(default=())
    card: DrillCard | None = None
    title: str = ""
    image: ChartImage | None = None  # a chart beside the text (the text always carries the same figures)
    reports: tuple[ReportTarget, ...] = ()  # "Report a problem" buttons: drill feedback, an exam's missed questions
    buttons: tuple[Button, ...] = ()
    data: ReplyData | None = None


Message = QuestionPost | RevealPost | Reply


@dataclass(frozen=True, slots=True)
class Invocation:
    """Who typed a command, where."""

    platform: str
    workspace: str
    channel: str
    user: str
    user_name: str = ""
    is_admin: bool = False
    channel_name: str = ""
    workspace_name: str = ""
    user_tz: str = ""  # the person's zone from their platform profile, where it has one (Slack users.info)

    @property
    def ref(self) -> ChannelRef:
        return ChannelRef(self.platform, self.workspace, self.channel)


def option_views(q: Question, order: Sequence[int]) -> tuple[OptionView, ...]:
    """The options of ``q`` in the shown ``order``, lettered A-D (buttons and console echo names)."""
    return tuple(OptionView(LETTERS[i], OPTION_EMOJI[i], q.options[c]) for i, c in enumerate(order))
