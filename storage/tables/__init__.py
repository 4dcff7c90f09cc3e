"""SQLModel tables. Times are stored as naive UTC and returned as aware UTC (:class:`UTCDateTime`)."""

from storage.tables.daily import Answer, Channel, Post, ReactionEventRow, WeeklyBoard
from storage.tables.learning import DrillSession, ItemReport, Review, StudyPause, StudyPlan
from storage.tables.ops import AuditLog, Delivery, Lease
from storage.tables.people import Person, Team, TeamMember, Workspace
from storage.tables.totals import TeamMemberTopicTotal, TeamObjectiveDay, TeamObjectiveTotal
from storage.tables.types import UTCDateTime, table_of

__all__ = [
    "Answer",
    "AuditLog",
    "Channel",
    "Delivery",
    "DrillSession",
    "ItemReport",
    "Lease",
    "Person",
    "Post",
    "ReactionEventRow",
    "Review",
    "StudyPause",
    "StudyPlan",
    "Team",
    "TeamMember",
    "TeamMemberTopicTotal",
    "TeamObjectiveDay",
    "TeamObjectiveTotal",
    "UTCDateTime",
    "WeeklyBoard",
    "Workspace",
    "table_of",
]
