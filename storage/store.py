"""The SQL implementation of :class:`bot.core.ports.Store` (SQLite or PostgreSQL, async): one repository
per role port (``storage/repos/``), joined here."""

from __future__ import annotations

from storage.repos.answers import AnswersRepo
from storage.repos.boards import BoardsRepo
from storage.repos.channels import ChannelsRepo
from storage.repos.claims import ClaimsRepo
from storage.repos.drills import DrillsRepo
from storage.repos.feedback import FeedbackRepo
from storage.repos.people import PeopleRepo
from storage.repos.plans import PlansRepo
from storage.repos.posts import PostsRepo
from storage.repos.reports import ReportsRepo
from storage.repos.reviews import ReviewsRepo
from storage.repos.teams import TeamsRepo

__all__ = ["SqlStore"]


class SqlStore(
    PeopleRepo,
    ChannelsRepo,
    PostsRepo,
    AnswersRepo,
    ClaimsRepo,
    ReviewsRepo,
    DrillsRepo,
    TeamsRepo,
    ReportsRepo,
    FeedbackRepo,
    PlansRepo,
    BoardsRepo,
):
    """Short transactions, idempotent writes (``INSERT ... ON CONFLICT DO NOTHING``), no network I/O inside."""
