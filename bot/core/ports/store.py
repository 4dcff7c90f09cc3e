"""``Store``: the union of the eleven role ports, what storage implements (``storage.store.SqlStore``)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from bot.core.ports.answers import AnswerStore
from bot.core.ports.channels import ChannelStore
from bot.core.ports.claims import ClaimStore
from bot.core.ports.drills import DrillStore
from bot.core.ports.feedback import FeedbackStore
from bot.core.ports.people import PeopleStore
from bot.core.ports.plans import PlanStore
from bot.core.ports.posts import PostStore
from bot.core.ports.reports import ReportStore
from bot.core.ports.reviews import ReviewStore
from bot.core.ports.teams import TeamStore

__all__ = ["Store"]


class Store(
    PeopleStore,
    ChannelStore,
    PostStore,
    AnswerStore,
    ClaimStore,
    ReviewStore,
    DrillStore,
    TeamStore,
    ReportStore,
    FeedbackStore,
    PlanStore,
    Protocol,
):
    """Persistence used by the service. Every write is idempotent where the platform may repeat."""

    def atomic(self) -> AbstractAsyncContextManager[None]:
        """``async with store.atomic():`` the calls inside share one transaction, all or nothing (a block
        inside a block joins it). For straight runs of store calls: no network I/O inside."""
        ...
