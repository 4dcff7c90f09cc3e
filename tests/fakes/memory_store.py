"""An in-memory :class:`bot.core.ports.Store`: the semantics of ``storage.store.SqlStore`` on dicts and lists.

Every method mirrors the SQL implementation (``storage/repos/*.py``, joined in ``storage/store.py``):

* the same unique keys, with ``INSERT ... ON CONFLICT DO NOTHING`` read as "skip the row if a unique key
  (with no NULL column, as in SQL) is taken": workspaces, people, channels, teams, team members, posts,
  reaction events (by delivery id), answers (post + person, drill + seq), reviews, weekly boards, deliveries;
* the same conditional updates (``mark_failed`` and ``release_reservation`` touch only reserved posts,
  ``claim_reveal`` only posted ones, ``answer_drill`` only the active drill at that position, ...);
* the same deletes and the updates that keep references valid (``delete_team``, ``forget_person``);
* the same order of returned lists where the SQL orders them; where it does not (``GROUP BY`` results,
  ``person_cards``, ...) rows come in insertion or key order, and callers must not rely on either;
* the same value shaping: truncated strings (``reason_detail``, ``raw_emoji``, drill ``scope``), option orders
  stored as digit strings, drill plans as JSON, aware datetimes returned in UTC (a naive one is refused);
* the same exceptions where the service can meet them: ``KeyError`` from ``channel_by_id``,
  ``NoResultFound`` from ``team_info``, ``IndexError`` from ``update_channel`` of a missing channel,
  ``ValueError`` for an unknown channel setting.

Ids come from one counter per table that never goes back (PostgreSQL ``SERIAL`` behaviour; SQLite may reuse
the highest id after a delete). Foreign keys, column lengths and NOT NULL are not checked; see
``tests/storage/test_store_contract.py`` for the behaviour both implementations are held to.
"""

from __future__ import annotations

import asyncio
import bisect
import copy
import datetime as dt
import itertools
import json
import re
import zoneinfo
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import NoResultFound

from bot.core.answers import ReactionEvent
from bot.core.messages import ChannelRef
from bot.core.ports import (
    ChannelInfo,
    ChannelPostSummary,
    DrillInfo,
    DrillStart,
    IncomingReaction,
    ItemReportInfo,
    PostInfo,
    StudyPlanInfo,
)

__all__ = ["MemoryStore"]


def _utc(value: dt.datetime) -> dt.datetime:
    """What a ``UTCDateTime`` column gives back: aware UTC; a naive datetime is refused."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the database; use aware UTC")
    return value.astimezone(dt.UTC)


def _utc_or_none(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else _utc(value)


def _like(pattern: str, value: str) -> bool:
    """SQL ``LIKE`` with ``%`` and ``_`` wildcards (case-sensitive, as PostgreSQL)."""
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


@dataclass
class _Workspace:
    id: int
    platform: str
    external_id: str
    name: str
    created_at: dt.datetime


@dataclass
class _Person:
    id: int
    workspace_id: int
    external_id: str
    display_name: str
    is_bot: bool
    created_at: dt.datetime


@dataclass
class _Team:
    id: int
    workspace_id: int
    name: str
    tz: str


@dataclass
class _TeamMember:
    id: int
    workspace_id: int
    team_id: int
    person_id: int
    is_lead: bool


@dataclass
class _Channel:
    id: int
    workspace_id: int
    external_id: str
    name: str
    tz: str
    post_time: str
    reveal_minutes: int
    team_id: int | None
    active: bool
    focus_topic: str | None
    focus_until: dt.datetime | None
    scheduled_since: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass
class _Post:
    id: int
    channel_id: int
    local_date: dt.date
    slot: int
    question_id: str
    objective_id: str
    option_order: str  # "2013", as the SQL column
    reason: str
    reason_detail: str
    status: str
    message_ref: str | None
    created_at: dt.datetime
    posted_at: dt.datetime | None
    reveal_due_at: dt.datetime
    revealed_at: dt.datetime | None


@dataclass
class _Reaction:
    id: int
    delivery_id: str
    post_id: int
    person_id: int
    option: int | None
    raw_emoji: str
    added: bool
    is_bot: bool
    source: str
    occurred_at: dt.datetime
    received_at: dt.datetime


_ANSWER_COLUMNS = frozenset(
    {
        "workspace_id",
        "person_id",
        "team_id",
        "channel_id",
        "question_id",
        "objective_id",
        "subtopic_id",
        "topic_id",
        "source",
        "post_id",
        "drill_id",
        "drill_seq",
        "option",
        "correct",
        "answered_at",
    }
)


@dataclass
class _Answer:
    id: int
    workspace_id: int
    person_id: int
    team_id: int | None
    channel_id: int | None
    question_id: str
    objective_id: str
    subtopic_id: str
    topic_id: str
    source: str
    post_id: int | None
    drill_id: int | None
    drill_seq: int | None
    option: int
    correct: bool
    answered_at: dt.datetime


@dataclass
class _Review:
    id: int
    person_id: int
    question_id: str
    card: str
    due: dt.datetime
    last_review_date: dt.date | None


@dataclass
class _Plan:
    person_id: int
    updated_at: dt.datetime
    tz: str = "UTC"
    remind_time: str | None = None
    last_reminded_on: dt.date | None = None
    dm_blocked_at: dt.datetime | None = None
    exam_date: dt.date | None = None
    weekly_summary: bool = False
    last_summary_on: dt.date | None = None
    daily_cap: int = 20
    reviews_on: dt.date | None = None
    reviews_done: int = 0


@dataclass
class _Pause:
    id: int
    person_id: int
    start_date: dt.date
    end_date: dt.date


@dataclass
class _Drill:
    id: int
    workspace_id: int
    person_id: int
    scope: str
    questions: str  # JSON list of [question_id, order], as the SQL column
    position: int
    status: str
    created_at: dt.datetime
    expires_at: dt.datetime


@dataclass
class _Audit:
    id: int
    workspace_id: int | None
    actor: str
    actor_name: str
    action: str
    detail: str
    at: dt.datetime


@dataclass
class _WeeklyBoard:
    id: int
    channel_id: int
    week_start: dt.date
    posted_at: dt.datetime


@dataclass
class _ItemReport:
    id: int
    delivery_id: str
    workspace_id: int
    person_id: int | None  # None once the person is forgotten
    question_id: str
    bank_version: str
    kind: str
    text: str
    source: str
    created_at: dt.datetime


@dataclass
class _Tables:
    """The rows, keyed by id (dicts keep insertion order, which is id order)."""

    workspace: dict[int, _Workspace] = field(default_factory=dict)
    person: dict[int, _Person] = field(default_factory=dict)
    team: dict[int, _Team] = field(default_factory=dict)
    team_member: dict[int, _TeamMember] = field(default_factory=dict)
    channel: dict[int, _Channel] = field(default_factory=dict)
    post: dict[int, _Post] = field(default_factory=dict)
    reaction_event: dict[int, _Reaction] = field(default_factory=dict)
    answer: dict[int, _Answer] = field(default_factory=dict)
    review: dict[int, _Review] = field(default_factory=dict)
    drill_session: dict[int, _Drill] = field(default_factory=dict)
    audit_log: dict[int, _Audit] = field(default_factory=dict)
    delivery: dict[str, dt.datetime] = field(default_factory=dict)  # delivery id -> received_at
    weekly_board: dict[int, _WeeklyBoard] = field(default_factory=dict)
    item_report: dict[int, _ItemReport] = field(default_factory=dict)
    study_plan: dict[int, _Plan] = field(default_factory=dict)  # person id -> plan
    study_pause: dict[int, _Pause] = field(default_factory=dict)


class MemoryStore:
    """The :class:`bot.core.ports.Store` port in memory (tests of the service that need no database)."""

    def __init__(self) -> None:
        self.rows = _Tables()
        self._ids: dict[str, itertools.count[int]] = {}
        self._atomic_tasks: set[asyncio.Task[Any] | None] = set()

    @asynccontextmanager
    async def atomic(self) -> AsyncIterator[None]:
        """All or nothing, as SqlStore's transaction: the rows are restored if the block raises (ids
        taken inside stay taken, like a PostgreSQL sequence's)."""
        task = asyncio.current_task()
        if task in self._atomic_tasks:  # a block inside a block joins it
            yield
            return
        self._atomic_tasks.add(task)
        snapshot = copy.deepcopy(self.rows)
        try:
            yield
        except BaseException:
            self.rows.__dict__.update(snapshot.__dict__)
            raise
        finally:
            self._atomic_tasks.discard(task)

    def _next_id(self, table: str) -> int:
        return next(self._ids.setdefault(table, itertools.count(1)))

    # -- helpers --------------------------------------------------------------------------------
    def _channel_info(self, c: _Channel) -> ChannelInfo:
        ws = self.rows.workspace[c.workspace_id]
        return ChannelInfo(
            id=c.id,
            workspace_id=c.workspace_id,
            ref=ChannelRef(ws.platform, ws.external_id, c.external_id),
            name=c.name,
            tz=c.tz,
            post_time=c.post_time,
            reveal_minutes=c.reveal_minutes,
            team_id=c.team_id,
            active=c.active,
            focus_topic=c.focus_topic,
            focus_until=c.focus_until,
            scheduled_since=c.scheduled_since,
        )

    @staticmethod
    def _post_info(p: _Post) -> PostInfo:
        return PostInfo(
            id=p.id,
            channel_id=p.channel_id,
            local_date=p.local_date,
            slot=p.slot,
            question_id=p.question_id,
            objective_id=p.objective_id,
            option_order=tuple(int(c) for c in p.option_order),
            reason=p.reason,
            reason_detail=p.reason_detail,
            status=p.status,
            message_ref=p.message_ref,
            created_at=p.created_at,
            posted_at=p.posted_at,
            reveal_due_at=p.reveal_due_at,
            revealed_at=p.revealed_at,
        )

    @staticmethod
    def _drill_info(d: _Drill) -> DrillInfo:
        return DrillInfo(
            id=d.id,
            workspace_id=d.workspace_id,
            person_id=d.person_id,
            scope=d.scope,
            questions=[(q, tuple(o)) for q, o in json.loads(d.questions)],
            position=d.position,
            status=d.status,
            created_at=d.created_at,
            expires_at=d.expires_at,
        )

    def _find_person(self, workspace_id: int, external_id: str) -> _Person | None:
        return next(
            (p for p in self.rows.person.values() if p.workspace_id == workspace_id and p.external_id == external_id),
            None,
        )

    def _find_channel(self, workspace_id: int, external_id: str) -> _Channel | None:
        return next(
            (c for c in self.rows.channel.values() if c.workspace_id == workspace_id and c.external_id == external_id),
            None,
        )

    def _find_team(self, workspace_id: int, name: str) -> _Team | None:
        return next((t for t in self.rows.team.values() if t.workspace_id == workspace_id and t.name == name), None)

    def _membership(self, workspace_id: int, person_id: int) -> _TeamMember | None:
        return next(
            (m for m in self.rows.team_member.values() if m.workspace_id == workspace_id and m.person_id == person_id),
            None,
        )

    def _insert_team_ignore(self, workspace_id: int, name: str, tz: str) -> int:
        team = self._find_team(workspace_id, name)
        if team is None:
            team = _Team(self._next_id("team"), workspace_id, name, tz)
            self.rows.team[team.id] = team
        return team.id

    def _insert_answer_ignore(self, values: Mapping[str, Any]) -> bool:
        """Insert an answer unless (post, person) or (drill, seq) is taken; NULLs never conflict."""
        unknown = set(values) - _ANSWER_COLUMNS
        if unknown:
            raise ValueError(f"unknown answer columns {sorted(unknown)}")
        row = _Answer(
            id=0,
            workspace_id=values["workspace_id"],
            person_id=values["person_id"],
            team_id=values.get("team_id"),
            channel_id=values.get("channel_id"),
            question_id=values["question_id"],
            objective_id=values["objective_id"],
            subtopic_id=values["subtopic_id"],
            topic_id=values["topic_id"],
            source=values["source"],
            post_id=values.get("post_id"),
            drill_id=values.get("drill_id"),
            drill_seq=values.get("drill_seq"),
            option=values["option"],
            correct=bool(values["correct"]),
            answered_at=_utc(values["answered_at"]),
        )
        for a in self.rows.answer.values():
            if row.post_id is not None and (a.post_id, a.person_id) == (row.post_id, row.person_id):
                return False
            if (
                row.drill_id is not None
                and row.drill_seq is not None
                and (a.drill_id, a.drill_seq) == (row.drill_id, row.drill_seq)
            ):
                return False
        row.id = self._next_id("answer")
        self.rows.answer[row.id] = row
        return True

    @staticmethod
    def _first_per_person_question(answers: Iterable[_Answer]) -> list[_Answer]:
        """Each person's first answer (by time, then id) to each question."""
        first: dict[tuple[int, str], _Answer] = {}
        for a in sorted(answers, key=lambda a: (a.answered_at, a.id)):
            first.setdefault((a.person_id, a.question_id), a)
        return list(first.values())

    @staticmethod
    def _tally(rows: Iterable[tuple[Any, bool]]) -> dict[Any, list[int]]:
        """key -> [right, answers], in order of first appearance."""
        out: dict[Any, list[int]] = {}
        for key, correct in rows:
            t = out.setdefault(key, [0, 0])
            t[0] += int(correct)
            t[1] += 1
        return out

    # -- workspaces, people -----------------------------------------------------------------------
    async def ensure_workspace(self, platform: str, external_id: str, name: str = "") -> int:
        for w in self.rows.workspace.values():
            if w.platform == platform and w.external_id == external_id:
                return w.id
        ws = _Workspace(self._next_id("workspace"), platform, external_id, name, dt.datetime.now(dt.UTC))
        self.rows.workspace[ws.id] = ws
        return ws.id

    async def ensure_person(
        self, workspace_id: int, external_id: str, display_name: str = "", is_bot: bool = False
    ) -> int:
        person = self._find_person(workspace_id, external_id)
        if person is None:
            person = _Person(
                self._next_id("person"), workspace_id, external_id, display_name, is_bot, dt.datetime.now(dt.UTC)
            )
            self.rows.person[person.id] = person
        elif display_name and person.display_name != display_name:
            person.display_name = display_name
        return person.id

    async def ensure_asker(
        self, platform: str, workspace: str, workspace_name: str, user: str, user_name: str
    ) -> tuple[int, int]:
        ws = await self.ensure_workspace(platform, workspace, workspace_name)
        return ws, await self.ensure_person(ws, user, user_name)

    async def person_names(self, person_ids: Sequence[int]) -> dict[int, str]:
        wanted = set(person_ids)
        return {p.id: p.display_name or p.external_id for p in self.rows.person.values() if p.id in wanted}

    # -- channels -------------------------------------------------------------------------------
    async def get_channel(self, workspace_id: int, external_id: str) -> ChannelInfo | None:
        c = self._find_channel(workspace_id, external_id)
        return self._channel_info(c) if c is not None else None

    async def channel_by_id(self, channel_id: int) -> ChannelInfo:
        c = self.rows.channel.get(channel_id)
        if c is None:
            raise KeyError(channel_id)
        return self._channel_info(c)

    async def subscribe_channel(
        self, workspace_id: int, external_id: str, name: str, tz: str, post_time: str, now: dt.datetime
    ) -> ChannelInfo:
        now = _utc(now)
        c = self._find_channel(workspace_id, external_id)
        if c is None:
            c = _Channel(
                id=self._next_id("channel"),
                workspace_id=workspace_id,
                external_id=external_id,
                name=name,
                tz=tz,
                post_time=post_time,
                reveal_minutes=480,
                team_id=None,
                active=True,
                focus_topic=None,
                focus_until=None,
                scheduled_since=now,
                created_at=now,
                updated_at=now,
            )
            self.rows.channel[c.id] = c
        c.tz, c.post_time, c.active, c.updated_at, c.scheduled_since = tz, post_time, True, now, now
        if name:
            c.name = name
        if c.team_id is None:
            # by default a subscribed channel is one team (an existing team of that name keeps its zone)
            c.team_id = self._insert_team_ignore(workspace_id, ("#" + (name or external_id))[:80], tz)
        elif (team := self.rows.team.get(c.team_id)) is not None:
            team.tz = tz  # the team follows the channel's zone
        return self._channel_info(c)

    async def update_channel(self, channel_id: int, now: dt.datetime, **changes: object) -> ChannelInfo:
        allowed = {"tz", "post_time", "reveal_minutes", "active", "focus_topic", "focus_until", "team_id", "name"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"cannot change {sorted(unknown)}")
        now = _utc(now)
        c = self.rows.channel.get(channel_id)
        if c is None:
            raise IndexError(channel_id)  # SqlStore: ``found[0]`` of no rows
        if "tz" in changes or "post_time" in changes:
            c.scheduled_since = now
        for key, value in changes.items():
            if key == "focus_until":
                value = _utc_or_none(value)  # type: ignore[arg-type]
            setattr(c, key, value)
        c.updated_at = now
        return self._channel_info(c)

    async def active_channels(self) -> list[ChannelInfo]:
        return [self._channel_info(c) for c in sorted(self.rows.channel.values(), key=lambda c: c.id) if c.active]

    # -- posts ----------------------------------------------------------------------------------
    async def channel_posts(self, channel_id: int) -> list[PostInfo]:
        posts = [p for p in self.rows.post.values() if p.channel_id == channel_id]
        return [self._post_info(p) for p in sorted(posts, key=lambda p: (p.created_at, p.id))]

    async def channel_post_summary(self, channel_id: int, day: dt.date, recent: int = 3) -> ChannelPostSummary:
        posts = await self.channel_posts(channel_id)
        counts: dict[str, int] = {}
        for p in posts:
            if p.status != "failed":
                counts[p.question_id] = counts.get(p.question_id, 0) + 1
        return ChannelPostSummary(
            question_counts=counts,
            slots_on_day=tuple(sorted(p.slot for p in posts if p.local_date == day)),
            recent=tuple(posts[-recent:]) if recent > 0 else (),
        )

    async def reserve_post(
        self,
        channel_id: int,
        local_date: dt.date,
        slot: int,
        question_id: str,
        objective_id: str,
        option_order: Sequence[int],
        reason: str,
        reason_detail: str,
        reveal_due_at: dt.datetime,
        now: dt.datetime,
    ) -> PostInfo | None:
        """Insert the post row first (unique on channel, local date, slot); None if it already exists."""
        if any((p.channel_id, p.local_date, p.slot) == (channel_id, local_date, slot) for p in self.rows.post.values()):
            return None
        post = _Post(
            id=self._next_id("post"),
            channel_id=channel_id,
            local_date=local_date,
            slot=slot,
            question_id=question_id,
            objective_id=objective_id,
            option_order="".join(str(i) for i in option_order),
            reason=reason,
            reason_detail=reason_detail[:200],
            status="reserved",
            message_ref=None,
            created_at=_utc(now),
            posted_at=None,
            reveal_due_at=_utc(reveal_due_at),
            revealed_at=None,
        )
        self.rows.post[post.id] = post
        return self._post_info(post)

    async def mark_posted(self, post_id: int, message_ref: str, now: dt.datetime) -> PostInfo | None:
        # as the SQL: whatever the status was
        if (p := self.rows.post.get(post_id)) is None:
            return None
        p.status, p.message_ref, p.posted_at = "posted", message_ref, _utc(now)
        return self._post_info(p)

    async def release_reservation(self, post_id: int) -> None:
        if (p := self.rows.post.get(post_id)) is not None and p.status == "reserved":
            del self.rows.post[post_id]

    async def set_team_tz(self, team_id: int, tz: str) -> None:
        if (t := self.rows.team.get(team_id)) is not None:
            t.tz = tz

    async def mark_failed(self, post_id: int) -> None:
        if (p := self.rows.post.get(post_id)) is not None and p.status == "reserved":
            p.status = "failed"

    async def get_post(self, post_id: int) -> PostInfo | None:
        p = self.rows.post.get(post_id)
        return self._post_info(p) if p is not None else None

    async def post_by_message(self, workspace_id: int, channel_external_id: str, message_ref: str) -> PostInfo | None:
        c = self._find_channel(workspace_id, channel_external_id)
        if c is None:
            return None
        p = next((p for p in self.rows.post.values() if p.channel_id == c.id and p.message_ref == message_ref), None)
        return self._post_info(p) if p is not None else None

    async def open_posts(self, channel_id: int | None = None) -> list[PostInfo]:
        return [
            self._post_info(p)
            for p in sorted(self.rows.post.values(), key=lambda p: p.id)
            if p.status == "posted" and (channel_id is None or p.channel_id == channel_id)
        ]

    async def due_reveals(self, now: dt.datetime) -> list[PostInfo]:
        now = _utc(now)
        due = [p for p in self.rows.post.values() if p.status == "posted" and p.reveal_due_at <= now]
        return [self._post_info(p) for p in sorted(due, key=lambda p: (p.reveal_due_at, p.id))]

    # -- reactions and answers ------------------------------------------------------------------
    async def add_reaction_event(
        self, post_id: int, person_id: int, event: ReactionEvent, raw_emoji: str, source: str, received_at: dt.datetime
    ) -> bool:
        if any(r.delivery_id == event.delivery_id for r in self.rows.reaction_event.values()):
            return False  # unique on the platform's delivery id, whatever the post
        row = _Reaction(
            id=self._next_id("reaction_event"),
            delivery_id=event.delivery_id,
            post_id=post_id,
            person_id=person_id,
            option=event.option,
            raw_emoji=raw_emoji[:100],
            added=event.added,
            is_bot=event.is_bot,
            source=source,
            occurred_at=_utc(event.at),
            received_at=_utc(received_at),
        )
        self.rows.reaction_event[row.id] = row
        return True

    async def record_reactions(self, rows: Sequence[IncomingReaction]) -> list[bool]:
        out: list[bool] = []
        for r in rows:
            person = await self.ensure_person(r.workspace_id, r.user, r.user_name, r.is_bot)
            out.append(
                await self.add_reaction_event(
                    person_id=person,
                    post_id=r.post_id,
                    event=r.event,
                    raw_emoji=r.raw_emoji,
                    source=r.source,
                    received_at=r.received_at,
                )
            )
        return out

    async def reaction_events(self, post_id: int) -> list[tuple[int, ReactionEvent]]:
        return [
            (
                r.person_id,
                ReactionEvent(r.delivery_id, str(r.person_id), r.option, r.added, r.occurred_at, r.is_bot, r.id),
            )
            for r in sorted(self.rows.reaction_event.values(), key=lambda r: r.id)
            if r.post_id == post_id
        ]

    async def claim_reveal(self, post_id: int, now: dt.datetime) -> bool:
        """Move a post to ``revealed`` exactly once; only the caller that wins may announce it."""
        p = self.rows.post.get(post_id)
        if p is None or p.status != "posted":
            return False
        p.status, p.revealed_at = "revealed", _utc(now)
        return True

    async def save_daily_answers(
        self, post: PostInfo, channel: ChannelInfo, answers: Mapping[int, int], correct_option: int, at: dt.datetime
    ) -> None:
        if not answers:
            return
        topic, subtopic = post.objective_id.split(".")[0], post.objective_id.rsplit(".", 1)[0]
        teams = {
            m.person_id: m.team_id
            for m in self.rows.team_member.values()
            if m.workspace_id == channel.workspace_id and m.person_id in answers
        }
        for pid, opt in sorted(answers.items()):
            self._insert_answer_ignore(
                {
                    "workspace_id": channel.workspace_id,
                    "person_id": pid,
                    "team_id": teams.get(pid, channel.team_id),
                    "channel_id": channel.id,
                    "question_id": post.question_id,
                    "objective_id": post.objective_id,
                    "subtopic_id": subtopic,
                    "topic_id": topic,
                    "source": "daily",
                    "post_id": post.id,
                    "option": opt,
                    "correct": opt == correct_option,
                    "answered_at": at,
                }
            )

    async def post_answer_counts(self, post_id: int) -> tuple[dict[int, int], list[int]]:
        """Per canonical option, how many chose it; and the people who got it right."""
        counts: dict[int, int] = {}
        right: list[int] = []
        for a in self.rows.answer.values():
            if a.post_id == post_id:
                counts[a.option] = counts.get(a.option, 0) + 1
                if a.correct:
                    right.append(a.person_id)
        return counts, sorted(right)

    # -- audit, deliveries ----------------------------------------------------------------------
    async def audit(
        self, workspace_id: int | None, actor: str, actor_name: str, action: str, detail: str, at: dt.datetime
    ) -> None:
        row = _Audit(self._next_id("audit_log"), workspace_id, actor, actor_name, action, detail, _utc(at))
        self.rows.audit_log[row.id] = row

    async def audit_entries(self, workspace_id: int) -> list[dict[str, Any]]:
        """As ``SqlStore.audit_entries`` (not part of the port): the rows as dicts, oldest first."""
        return [
            {
                "id": a.id,
                "workspace_id": a.workspace_id,
                "actor": a.actor,
                "actor_name": a.actor_name,
                "action": a.action,
                "detail": a.detail,
                "at": a.at,
            }
            for a in self.rows.audit_log.values()
            if a.workspace_id == workspace_id
        ]

    async def claim_delivery(self, delivery_id: str, now: dt.datetime) -> bool:
        """True the first time a delivery id is seen, False for every repeat."""
        if delivery_id in self.rows.delivery:
            return False
        self.rows.delivery[delivery_id] = _utc(now)
        return True

    async def prune_deliveries(self, before: dt.datetime) -> int:
        before = _utc(before)
        old = [d for d, at in self.rows.delivery.items() if at < before]
        for d in old:
            del self.rows.delivery[d]
        return len(old)

    async def count_rows(self, table: str) -> int:
        """As ``SqlStore.count_rows`` (not part of the port): row count of a table; KeyError for others."""
        tables: dict[str, Mapping[Any, Any]] = {
            "post": self.rows.post,
            "answer": self.rows.answer,
            "reaction_event": self.rows.reaction_event,
            "audit_log": self.rows.audit_log,
            "delivery": self.rows.delivery,
            "person": self.rows.person,
            "item_report": self.rows.item_report,
            "review": self.rows.review,
        }
        return len(tables[table])

    # -- spaced repetition ----------------------------------------------------------------------
    def _review(self, person_id: int, question_id: str) -> _Review | None:
        return next(
            (r for r in self.rows.review.values() if r.person_id == person_id and r.question_id == question_id), None
        )

    async def review_state(self, person_id: int, question_id: str) -> tuple[str | None, dt.date | None]:
        r = self._review(person_id, question_id)
        return (r.card, r.last_review_date) if r is not None else (None, None)

    async def save_review(self, person_id: int, question_id: str, card: str, due: dt.datetime, day: dt.date) -> None:
        r = self._review(person_id, question_id)
        if r is None:
            r = _Review(self._next_id("review"), person_id, question_id, card, _utc(due), day)
            self.rows.review[r.id] = r
        else:
            r.card, r.due, r.last_review_date = card, _utc(due), day

    async def person_cards(self, person_id: int) -> list[tuple[str, str, dt.datetime]]:
        return [(r.question_id, r.card, r.due) for r in self.rows.review.values() if r.person_id == person_id]

    async def due_reviews(self, person_id: int, now: dt.datetime) -> dict[str, dt.datetime]:
        now = _utc(now)
        return {r.question_id: r.due for r in self.rows.review.values() if r.person_id == person_id and r.due <= now}

    async def seen_questions(self, person_id: int) -> set[str]:
        return {a.question_id for a in self.rows.answer.values() if a.person_id == person_id}

    async def missed_questions(self, person_id: int) -> list[str]:
        """Questions whose most recent answer by the person was wrong, most recent first."""
        latest: dict[str, _Answer] = {}
        for a in sorted(
            (a for a in self.rows.answer.values() if a.person_id == person_id),
            key=lambda a: (a.answered_at, a.id),
            reverse=True,
        ):
            latest.setdefault(a.question_id, a)
        missed = [a for a in latest.values() if not a.correct]
        return [a.question_id for a in sorted(missed, key=lambda a: (a.answered_at, a.id), reverse=True)]

    async def person_objective_stats(self, person_id: int) -> list[tuple[str, int, int]]:
        tally = self._tally((a.objective_id, a.correct) for a in self.rows.answer.values() if a.person_id == person_id)
        return [(o, c, n) for o, (c, n) in sorted(tally.items())]

    async def daily_answer_times(self, person_ids: Sequence[int], since: dt.datetime) -> dict[int, list[dt.datetime]]:
        if not person_ids:
            return {}
        since = _utc(since)
        wanted = set(person_ids)
        out: dict[int, list[dt.datetime]] = {}
        for a in self.rows.answer.values():
            if a.person_id in wanted and a.source == "daily" and a.answered_at >= since:
                out.setdefault(a.person_id, []).append(a.answered_at)
        return out

    async def daily_answer_days(self, person_ids: Sequence[int], bounds: Sequence[dt.datetime]) -> dict[int, set[int]]:
        edges = [_utc(b) for b in bounds]
        wanted = set(person_ids)
        out: dict[int, set[int]] = {}
        for a in self.rows.answer.values():
            if (
                a.person_id in wanted
                and a.source == "daily"
                and len(edges) > 1
                and edges[0] <= a.answered_at < edges[-1]
            ):
                out.setdefault(a.person_id, set()).add(bisect.bisect_right(edges, a.answered_at) - 1)
        return out

    # -- drills ---------------------------------------------------------------------------------
    async def create_drill(
        self,
        workspace_id: int,
        person_id: int,
        scope: str,
        questions: Sequence[tuple[str, Sequence[int]]],
        now: dt.datetime,
        expires_at: dt.datetime,
    ) -> int:
        for d in self.rows.drill_session.values():  # one active drill per person: a new one replaces the old
            if d.person_id == person_id and d.status == "active":
                d.status = "expired"
        drill = _Drill(
            id=self._next_id("drill_session"),
            workspace_id=workspace_id,
            person_id=person_id,
            scope=scope[:40],
            questions=json.dumps([[q, list(o)] for q, o in questions]),
            position=0,
            status="active",
            created_at=_utc(now),
            expires_at=_utc(expires_at),
        )
        self.rows.drill_session[drill.id] = drill
        return drill.id

    async def get_drill(self, drill_id: int) -> DrillInfo | None:
        d = self.rows.drill_session.get(drill_id)
        return self._drill_info(d) if d is not None else None

    async def answer_drill(self, drill: DrillInfo, seq: int, values: dict[str, Any], done: bool) -> bool:
        """Record the answer to question ``seq`` and advance; False if it was already answered.

        As the SQL: the answer is kept even when the drill has moved on (then False too)."""
        if not self._insert_answer_ignore(values):
            return False
        d = self.rows.drill_session.get(drill.id)
        if d is None or d.position != seq or d.status != "active":
            return False
        d.position, d.status = seq + 1, "done" if done else "active"
        return True

    async def expire_drill(self, drill_id: int) -> None:
        if (d := self.rows.drill_session.get(drill_id)) is not None and d.status == "active":
            d.status = "expired"

    async def drill_results(self, drill_id: int) -> list[tuple[int, str, str, bool]]:
        rows = sorted(
            (a for a in self.rows.answer.values() if a.drill_id == drill_id), key=lambda a: (a.drill_seq or 0, a.id)
        )
        return [(int(a.drill_seq or 0), a.question_id, a.objective_id, a.correct) for a in rows]

    # -- teams ----------------------------------------------------------------------------------
    async def ensure_team(self, workspace_id: int, name: str, tz: str = "UTC") -> int:
        return self._insert_team_ignore(workspace_id, name, tz)

    async def team_by_name(self, workspace_id: int, name: str) -> tuple[int, str, str] | None:
        t = next(
            (t for t in self.rows.team.values() if t.workspace_id == workspace_id and t.name.lower() == name.lower()),
            None,
        )
        return (t.id, t.name, t.tz) if t is not None else None

    async def team_info(self, team_id: int) -> tuple[int, str, str, int]:
        t = self.rows.team.get(team_id)
        if t is None:
            raise NoResultFound("No row was found when one was required")  # as SQLAlchemy's ``.one()``
        return t.id, t.name, t.tz, t.workspace_id

    async def delete_team(self, team_id: int) -> int:
        """Delete a team (members become teamless, keeping their answers); returns its member count."""
        members = [m.id for m in self.rows.team_member.values() if m.team_id == team_id]
        for a in self.rows.answer.values():
            if a.team_id == team_id:
                a.team_id = None
        for c in self.rows.channel.values():
            if c.team_id == team_id:
                c.team_id = None
        for m in members:
            del self.rows.team_member[m]
        self.rows.team.pop(team_id, None)
        return len(members)

    def _answers_follow(self, workspace_id: int, person_id: int, team_id: int) -> None:
        for a in self.rows.answer.values():
            if a.workspace_id == workspace_id and a.person_id == person_id:
                a.team_id = team_id

    async def set_member(self, workspace_id: int, team_id: int, person_id: int, *, lead: bool | None = None) -> None:
        """Put a person in a team (one team per workspace); optionally set lead; their answers follow them."""
        m = self._membership(workspace_id, person_id)
        if m is None:
            m = _TeamMember(self._next_id("team_member"), workspace_id, team_id, person_id, bool(lead))
            self.rows.team_member[m.id] = m
        else:
            m.team_id = team_id
            if lead is not None:
                m.is_lead = lead
        self._answers_follow(workspace_id, person_id, team_id)

    async def join_if_teamless(self, workspace_id: int, team_id: int, person_id: int) -> None:
        if self._membership(workspace_id, person_id) is None:
            m = _TeamMember(self._next_id("team_member"), workspace_id, team_id, person_id, False)
            self.rows.team_member[m.id] = m
            self._answers_follow(workspace_id, person_id, team_id)

    async def remove_member(self, team_id: int, person_id: int) -> bool:
        gone = [m.id for m in self.rows.team_member.values() if m.team_id == team_id and m.person_id == person_id]
        for m in gone:
            del self.rows.team_member[m]
        if gone:
            for a in self.rows.answer.values():
                if a.team_id == team_id and a.person_id == person_id:
                    a.team_id = None
        return bool(gone)

    async def person_answer_history(self, person_id: int) -> list[tuple[str, dt.datetime, bool]]:
        """Every answer of a person: (objective, when, right?), oldest first."""
        rows = sorted(
            (a for a in self.rows.answer.values() if a.person_id == person_id), key=lambda a: (a.answered_at, a.id)
        )
        return [(a.objective_id, a.answered_at, a.correct) for a in rows]

    async def active_drill(self, person_id: int) -> DrillInfo | None:
        active = [d for d in self.rows.drill_session.values() if d.person_id == person_id and d.status == "active"]
        return self._drill_info(max(active, key=lambda d: d.id)) if active else None

    async def drill_start(self, workspace_id: int, person_id: int, now: dt.datetime, default_cap: int) -> DrillStart:
        plan = await self.get_plan(person_id)
        cap = plan.daily_cap if plan is not None else default_cap
        due = await self.due_reviews(person_id, now)
        kept: dict[str, dt.datetime] = {}
        if cap > 0:
            days = sorted(d.date() for d in due.values())
            last_day = days[cap - 1] if len(days) >= cap else None
            kept = {q: d for q, d in due.items() if last_day is None or d.date() <= last_day}
        m = self._membership(workspace_id, person_id)
        team = self.rows.team.get(m.team_id) if m is not None else None
        return DrillStart(
            objective_stats=tuple(await self.person_objective_stats(person_id)),
            seen=frozenset(await self.seen_questions(person_id)),
            due=kept,
            plan=plan,
            team_tz=team.tz if team is not None else None,
            active=await self.active_drill(person_id),
        )

    async def person_team(self, workspace_id: int, person_id: int) -> tuple[int, bool] | None:
        m = self._membership(workspace_id, person_id)
        return (m.team_id, m.is_lead) if m is not None else None

    async def teams(self, workspace_id: int) -> list[dict[str, Any]]:
        members = sorted(
            (
                (m, self.rows.person[m.person_id])
                for m in self.rows.team_member.values()
                if m.workspace_id == workspace_id and m.person_id in self.rows.person
            ),
            key=lambda mp: mp[1].display_name,
        )
        out = []
        for t in sorted((t for t in self.rows.team.values() if t.workspace_id == workspace_id), key=lambda t: t.name):
            ms = [(m, p) for m, p in members if m.team_id == t.id]
            out.append(
                {
                    "id": t.id,
                    "name": t.name,
                    "tz": t.tz,
                    "members": [(p.id, p.display_name or p.external_id) for _m, p in ms],
                    "leads": [(p.id, p.display_name or p.external_id) for m, p in ms if m.is_lead],
                }
            )
        return out

    async def team_names(self, workspace_id: int) -> dict[int, str]:
        return {t.id: t.name for t in self.rows.team.values() if t.workspace_id == workspace_id}

    async def find_person(self, workspace_id: int, ref: str) -> int | None:
        """A person by external id or display name (case-insensitive)."""
        for p in sorted(self.rows.person.values(), key=lambda p: p.id):
            if p.workspace_id == workspace_id and (p.external_id == ref or p.display_name.lower() == ref.lower()):
                return p.id
        return None

    # -- leaderboards, weak spots ---------------------------------------------------------------
    async def first_attempts(
        self, workspace_id: int, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[int | None, int, str, int, int]]:
        """Per (team, person, topic): first attempts at distinct questions in [start, end) and how many were right."""
        start, end = _utc(start), _utc(end)
        first = self._first_per_person_question(
            a for a in self.rows.answer.values() if a.workspace_id == workspace_id and start <= a.answered_at < end
        )
        tally = self._tally(((a.team_id, a.person_id, a.topic_id), a.correct) for a in first)
        return [(team, person, topic, n, c) for (team, person, topic), (c, n) in tally.items()]

    async def team_first_attempts(
        self, workspace_id: int, team_id: int, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[int, int | None, str, int, int]]:
        summed: dict[tuple[int, int | None, str], list[int]] = {}
        for team, person, topic, n, c in await self.first_attempts(workspace_id, start, end):
            if team is not None:
                t = summed.setdefault((team, person if team == team_id else None, topic), [0, 0])
                t[0], t[1] = t[0] + n, t[1] + c
        return [(team, person, topic, n, c) for (team, person, topic), (n, c) in summed.items()]

    async def team_objective_stats(
        self, team_id: int, since: dt.datetime | None = None, until: dt.datetime | None = None
    ) -> list[tuple[str, int, int]]:
        since, until = _utc_or_none(since), _utc_or_none(until)
        tally = self._tally(
            (a.objective_id, a.correct)
            for a in self.rows.answer.values()
            if a.team_id == team_id
            and (since is None or a.answered_at >= since)
            and (until is None or a.answered_at < until)
        )
        return [(o, c, n) for o, (c, n) in sorted(tally.items())]

    async def team_wrong_choices(self, team_id: int, objective_ids: Sequence[str]) -> list[tuple[str, str, int, int]]:
        """(objective, question, canonical option, count) of wrong answers, most chosen first."""
        if not objective_ids:
            return []
        wanted = set(objective_ids)
        tally = self._tally(
            ((a.objective_id, a.question_id, a.option), True)
            for a in self.rows.answer.values()
            if a.team_id == team_id and not a.correct and a.objective_id in wanted
        )
        rows = [(o, q, opt, n) for (o, q, opt), (_c, n) in tally.items()]
        return sorted(rows, key=lambda r: -r[3])

    async def team_member_topic_stats(self, team_id: int) -> list[tuple[int, str, int, int]]:
        tally = self._tally(
            ((a.person_id, a.topic_id), a.correct) for a in self.rows.answer.values() if a.team_id == team_id
        )
        return [(p, t, c, n) for (p, t), (c, n) in sorted(tally.items())]

    async def claim_weekly_board(self, channel_id: int, week_start: dt.date, now: dt.datetime) -> bool:
        if any((b.channel_id, b.week_start) == (channel_id, week_start) for b in self.rows.weekly_board.values()):
            return False
        board = _WeeklyBoard(self._next_id("weekly_board"), channel_id, week_start, _utc(now))
        self.rows.weekly_board[board.id] = board
        return True

    async def release_weekly_board(self, channel_id: int, week_start: dt.date) -> None:
        for b in [
            b for b in self.rows.weekly_board.values() if (b.channel_id, b.week_start) == (channel_id, week_start)
        ]:
            del self.rows.weekly_board[b.id]

    # -- item analytics ---------------------------------------------------------------------------
    async def first_attempt_choices(self) -> list[tuple[str, int, int, bool]]:
        """(question, person, canonical option, correct) of every person's first attempt at a question."""
        return [
            (a.question_id, a.person_id, a.option, a.correct)
            for a in self._first_per_person_question(self.rows.answer.values())
        ]

    # -- question reports -------------------------------------------------------------------------
    async def add_item_report(
        self,
        delivery_id: str,
        workspace_id: int,
        person_id: int,
        question_id: str,
        bank_version: str,
        kind: str,
        text: str,
        source: str,
        at: dt.datetime,
    ) -> bool:
        """Unique on the delivery id (cut to the column's 160 characters, as the SQL insert does)."""
        delivery_id = delivery_id[:160]
        if any(r.delivery_id == delivery_id for r in self.rows.item_report.values()):
            return False
        row = _ItemReport(
            self._next_id("item_report"),
            delivery_id,
            workspace_id,
            person_id,
            question_id[:32],
            bank_version[:40],
            kind[:12],
            text,
            source[:8],
            _utc(at),
        )
        self.rows.item_report[row.id] = row
        return True

    async def item_reports(self, since: dt.datetime | None = None) -> list[ItemReportInfo]:
        after = None if since is None else _utc(since)
        rows = [r for r in self.rows.item_report.values() if after is None or r.created_at >= after]
        rows.sort(key=lambda r: (r.created_at, r.id))
        return [ItemReportInfo(r.question_id, r.bank_version, r.kind, r.text, r.source, r.created_at) for r in rows]

    # -- privacy --------------------------------------------------------------------------------
    async def forget_person(self, person_id: int) -> dict[str, int]:
        """Delete everything stored about a person; the audit log keeps the action but not the person."""
        tables: tuple[tuple[str, dict[int, Any]], ...] = (
            ("answers", self.rows.answer),
            ("reactions", self.rows.reaction_event),
            ("reviews", self.rows.review),
            ("drills", self.rows.drill_session),
            ("teams", self.rows.team_member),
            ("plans", self.rows.study_plan),
            ("pauses", self.rows.study_pause),
        )
        counts: dict[str, int] = {}
        for name, rows in tables:
            gone = [k for k, row in rows.items() if row.person_id == person_id]
            for k in gone:
                del rows[k]
            counts[name] = len(gone)
        reports = [r for r in self.rows.item_report.values() if r.person_id == person_id]
        for r in reports:  # kept for the authors, without the person
            r.person_id = None
        counts["reports"] = len(reports)
        person = self.rows.person.pop(person_id, None)
        if person is not None:
            for a in self.rows.audit_log.values():
                if a.workspace_id == person.workspace_id and _like(f"%:{person.external_id}", a.actor):
                    a.actor, a.actor_name = "forgotten", ""
        return counts

    # -- study plans ----------------------------------------------------------------------------
    _PLAN_FIELDS = frozenset({"tz", "remind_time", "exam_date", "weekly_summary", "daily_cap", "dm_blocked_at"})

    def _plan_info(self, plan: _Plan) -> StudyPlanInfo:
        person = self.rows.person[plan.person_id]
        ws = self.rows.workspace[person.workspace_id]
        return StudyPlanInfo(
            person_id=plan.person_id,
            platform=ws.platform,
            workspace=ws.external_id,
            user=person.external_id,
            tz=plan.tz,
            remind_time=plan.remind_time,
            last_reminded_on=plan.last_reminded_on,
            dm_blocked_at=plan.dm_blocked_at,
            exam_date=plan.exam_date,
            weekly_summary=plan.weekly_summary,
            last_summary_on=plan.last_summary_on,
            daily_cap=plan.daily_cap,
            reviews_on=plan.reviews_on,
            reviews_done=plan.reviews_done,
            pauses=tuple(self._pause_list(plan.person_id)),
        )

    def _pause_list(self, person_id: int) -> list[tuple[dt.date, dt.date]]:
        rows = sorted(
            (p for p in self.rows.study_pause.values() if p.person_id == person_id), key=lambda p: (p.start_date, p.id)
        )
        return [(p.start_date, p.end_date) for p in rows]

    def _ensure_plan(self, person_id: int, now: dt.datetime) -> _Plan:
        if person_id not in self.rows.person:
            raise ValueError(f"no person {person_id} (foreign key)")
        return self.rows.study_plan.setdefault(person_id, _Plan(person_id, _utc(now)))

    async def get_plan(self, person_id: int) -> StudyPlanInfo | None:
        plan = self.rows.study_plan.get(person_id)
        return None if plan is None else self._plan_info(plan)

    async def save_plan(self, person_id: int, now: dt.datetime, **changes: object) -> StudyPlanInfo:
        unknown = set(changes) - self._PLAN_FIELDS
        if unknown:
            raise TypeError(f"not a study plan field: {', '.join(sorted(unknown))}")
        plan = self._ensure_plan(person_id, now)
        for name, value in changes.items():
            setattr(plan, name, _utc(value) if isinstance(value, dt.datetime) else value)
        plan.updated_at = _utc(now)
        return self._plan_info(plan)

    async def messaged_plans(self) -> list[StudyPlanInfo]:
        return [
            self._plan_info(p)
            for _id, p in sorted(self.rows.study_plan.items())
            if p.dm_blocked_at is None and (p.remind_time is not None or p.weekly_summary)
        ]

    async def plans_to_message(self, now: dt.datetime) -> list[StudyPlanInfo]:
        out = []
        for plan in await self.messaged_plans():
            try:
                day = now.astimezone(zoneinfo.ZoneInfo(plan.tz)).date()
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                out.append(plan)
                continue
            monday = day - dt.timedelta(days=day.weekday())
            reminder = plan.remind_time is not None and (plan.last_reminded_on is None or plan.last_reminded_on < day)
            summary = plan.weekly_summary and (plan.last_summary_on is None or plan.last_summary_on < monday)
            if reminder or summary:
                out.append(plan)
        return out

    async def count_reminded(self, workspace_id: int) -> int:
        return sum(
            1
            for person_id, p in self.rows.study_plan.items()
            if p.dm_blocked_at is None
            and p.remind_time
            and person_id in self.rows.person
            and self.rows.person[person_id].workspace_id == workspace_id
        )

    async def claim_message(self, person_id: int, kind: str, day: dt.date) -> bool:
        column = {"reminder": "last_reminded_on", "summary": "last_summary_on"}[kind]
        plan = self.rows.study_plan.get(person_id)
        if plan is None:
            return False
        last = getattr(plan, column)
        if last is not None and last >= day:
            return False
        setattr(plan, column, day)
        return True

    async def count_review(self, person_id: int, day: dt.date, now: dt.datetime) -> int:
        plan = self._ensure_plan(person_id, now)
        if plan.reviews_on == day:
            plan.reviews_done += 1
        else:
            plan.reviews_on, plan.reviews_done = day, 1
        return plan.reviews_done

    async def add_pause(self, person_id: int, start: dt.date, end: dt.date) -> None:
        pid = self._next_id("study_pause")
        self.rows.study_pause[pid] = _Pause(pid, person_id, start, end)

    async def end_pause(self, person_id: int, day: dt.date) -> tuple[dt.date, dt.date] | None:
        covering = [
            p for p in self.rows.study_pause.values() if p.person_id == person_id and p.start_date <= day < p.end_date
        ]
        if not covering:
            return None
        pause = max(covering, key=lambda p: p.id)
        old = (pause.start_date, pause.end_date)
        if pause.start_date == day:
            del self.rows.study_pause[pause.id]
        else:
            pause.end_date = day
        return old

    async def reschedule_reviews(self, person_id: int, cards: Sequence[tuple[str, str, dt.datetime]]) -> None:
        for question_id, card, due in cards:
            r = self._review(person_id, question_id)
            if r is not None:
                r.card, r.due = card, _utc(due)

    async def pauses_of(self, person_ids: Sequence[int]) -> dict[int, list[tuple[dt.date, dt.date]]]:
        return {p: found for p in person_ids if (found := self._pause_list(p))}
