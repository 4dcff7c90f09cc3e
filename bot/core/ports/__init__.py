"""Ports: what the service needs from storage and from a chat platform, as Protocols.

Storage implements :class:`Store` (``storage.store.SqlStore``; ``tests/fakes/memory_store.py`` is the
in-memory twin held to it by a contract suite). ``Store`` is the union of eleven role ports, each a few
methods with one concern (people, channels, posts, answers, claims, reviews, drills, teams, reports,
feedback, plans), so a
feature can ask for just the roles it uses (``bot.exams.MockExams`` needs only ``DrillStore`` and
``ReviewStore``). Each adapter implements
:class:`Notifier`. The records that cross the port (:mod:`bot.core.ports.records`) are plain frozen
dataclasses. Each port has its own module here; import them from ``bot.core.ports``.
"""

from bot.core.ports.answers import AnswerStore
from bot.core.ports.channels import ChannelStore
from bot.core.ports.charts import ChartRenderer
from bot.core.ports.claims import ClaimStore
from bot.core.ports.drills import DrillStore
from bot.core.ports.feedback import FeedbackStore
from bot.core.ports.installations import SlackInstallations
from bot.core.ports.people import PeopleStore
from bot.core.ports.plans import PlanStore
from bot.core.ports.platform import DirectMessageRefused, Notifier, PlatformError, PlatformUnavailable
from bot.core.ports.posts import PostStore
from bot.core.ports.records import (
    ChannelInfo,
    ChannelPostSummary,
    DrillInfo,
    DrillStart,
    IncomingReaction,
    ItemReportInfo,
    PostInfo,
    StudyPlanInfo,
)
from bot.core.ports.reports import ReportStore
from bot.core.ports.reviews import ReviewStore
from bot.core.ports.store import Store
from bot.core.ports.teams import TeamStore

__all__ = [
    "ChartRenderer",
    "ChannelInfo",
    "ChannelPostSummary",
    "DrillInfo",
    "DrillStart",
    "IncomingReaction",
    "ItemReportInfo",
    "Notifier",
    "PlatformError",
    "PlatformUnavailable",
    "PostInfo",
    "DirectMessageRefused",
    "SlackInstallations",
    "Store",
    "StudyPlanInfo",
    # the role ports Store is made of (a feature needs only the roles it uses)
    "AnswerStore",
    "ChannelStore",
    "ClaimStore",
    "DrillStore",
    "FeedbackStore",
    "PeopleStore",
    "PlanStore",
    "PostStore",
    "ReportStore",
    "ReviewStore",
    "TeamStore",
]
