"""The SQL implementation of :class:`bot.core.ports.Store` (SQLite or PostgreSQL, async)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.answers import ReactionEvent
from bot.core.messages import ChannelRef
from bot.core.ports import ChannelInfo, IncomingReaction, PostInfo
from storage.learning import LearningQueries
from storage.tables import (
    Answer,
    AuditLog,
    Channel,
    Delivery,
    Person,
    Post,
    ReactionEventRow,
    Team,
    TeamMember,
    Workspace,
    table_of,
)

__all__ = ["SqlStore"]


W, P, C, PO, RE, A, AU, D, T, TM = (
    table_of(Workspace),
    table_of(Person),
    table_of(Channel),
    table_of(Post),
    table_of(ReactionEventRow),
    table_of(Answer),
    table_of(AuditLog),
    table_of(Delivery),
    table_of(Team),
    table_of(TeamMember),
)


class SqlStore(LearningQueries):
    """Short transactions, idempotent writes (``INSERT ... ON CONFLICT DO NOTHING``), no network I/O inside."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    # -- helpers --------------------------------------------------------------------------------
    def _insert(self, table: Table) -> Any:
        if self.dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    async def _insert_ignore(self, conn: AsyncConnection, table: Table, values: Mapping[str, Any]) -> bool:
        result = await conn.execute(self._insert(table).values(**values).on_conflict_do_nothing())
        return bool(result.rowcount)

    @staticmethod
    def _channel(row: Any, ws_row: Any) -> ChannelInfo:
        m = row._mapping
        return ChannelInfo(
            id=m["id"],
            workspace_id=m["workspace_id"],
            ref=ChannelRef(ws_row.platform, ws_row.external_id, m["external_id"]),
            name=m["name"],
            tz=m["tz"],
            post_time=m["post_time"],
            reveal_minutes=m["reveal_minutes"],
            team_id=m["team_id"],
            active=m["active"],
            focus_topic=m["focus_topic"],
            focus_until=m["focus_until"],
            scheduled_since=m["scheduled_since"],
        )

    @staticmethod
    def _post(row: Any) -> PostInfo:
        m = row._mapping
        return PostInfo(
            id=m["id"],
            channel_id=m["channel_id"],
            local_date=m["local_date"],
            slot=m["slot"],
            question_id=m["question_id"],
            objective_id=m["objective_id"],
            option_order=tuple(int(c) for c in m["option_order"]),
            reason=m["reason"],
            reason_detail=m["reason_detail"],
            status=m["status"],
            message_ref=m["message_ref"],
            created_at=m["created_at"],
            posted_at=m["posted_at"],
            reveal_due_at=m["reveal_due_at"],
            revealed_at=m["revealed_at"],
        )

    async def _channels_where(self, conn: AsyncConnection, *where: Any) -> list[ChannelInfo]:
        rows = (
            await conn.execute(
                select(C, W.c.platform.label("ws_platform"), W.c.external_id.label("ws_ext"))
                .join(W, W.c.id == C.c.workspace_id)
                .where(*where)
                .order_by(C.c.id)
            )
        ).all()

        class _Ws:
            def __init__(self, platform: str, external_id: str) -> None:
                self.platform, self.external_id = platform, external_id

        return [self._channel(r, _Ws(r._mapping["ws_platform"], r._mapping["ws_ext"])) for r in rows]

    # -- workspaces, people -----------------------------------------------------------------------
    async def ensure_workspace(self, platform: str, external_id: str, name: str = "") -> int:
        async with self.engine.begin() as conn:
            await self._insert_ignore(
                conn, W, {"platform": platform, "external_id": external_id, "name": name,
                          "created_at": dt.datetime.now(dt.UTC)}
            )
            return int(
                (await conn.execute(select(W.c.id).where(W.c.platform == platform, W.c.external_id == external_id))).scalar_one()
            )

    async def ensure_person(
        self, workspace_id: int, external_id: str, display_name: str = "", is_bot: bool = False
    ) -> int:
        async with self.engine.begin() as conn:
            return await self._ensure_person(conn, workspace_id, external_id, display_name, is_bot)

    async def _ensure_person(
        self, conn: AsyncConnection, workspace_id: int, external_id: str, display_name: str, is_bot: bool
    ) -> int:
        inserted = await self._insert_ignore(
            conn, P, {"workspace_id": workspace_id, "external_id": external_id, "display_name": display_name,
                      "is_bot": is_bot, "created_at": dt.datetime.now(dt.UTC)}
        )
        row = (
            await conn.execute(
                select(P.c.id, P.c.display_name).where(P.c.workspace_id == workspace_id, P.c.external_id == external_id)
            )
        ).one()
        if not inserted and display_name and row.display_name != display_name:
            await conn.execute(update(P).where(P.c.id == row.id).values(display_name=display_name))
        return int(row.id)

    async def person_names(self, person_ids: Sequence[int]) -> dict[int, str]:
        if not person_ids:
            return {}
        async with self.engine.begin() as conn:
            rows = (await conn.execute(select(P.c.id, P.c.display_name, P.c.external_id).where(P.c.id.in_(list(person_ids))))).all()
        return {r.id: r.display_name or r.external_id for r in rows}

    # -- channels -------------------------------------------------------------------------------
    async def get_channel(self, workspace_id: int, external_id: str) -> ChannelInfo | None:
        async with self.engine.begin() as conn:
            found = await self._channels_where(conn, C.c.workspace_id == workspace_id, C.c.external_id == external_id)
        return found[0] if found else None

    async def channel_by_id(self, channel_id: int) -> ChannelInfo:
        async with self.engine.begin() as conn:
            found = await self._channels_where(conn, C.c.id == channel_id)
        if not found:
            raise KeyError(channel_id)
        return found[0]

    async def subscribe_channel(
        self, workspace_id: int, external_id: str, name: str, tz: str, post_time: str, now: dt.datetime
    ) -> ChannelInfo:
        async with self.engine.begin() as conn:
            await self._insert_ignore(
                conn, C, {"workspace_id": workspace_id, "external_id": external_id, "name": name, "tz": tz,
                          "post_time": post_time, "active": True, "reveal_minutes": 480,
                          "created_at": now, "updated_at": now, "scheduled_since": now}
            )
            await conn.execute(
                update(C)
                .where(C.c.workspace_id == workspace_id, C.c.external_id == external_id)
                .values(tz=tz, post_time=post_time, active=True, updated_at=now, scheduled_since=now,
                        **({"name": name} if name else {}))
            )
            row = (await conn.execute(select(C).where(C.c.workspace_id == workspace_id, C.c.external_id == external_id))).one()
            if row.team_id is None:
                # by default a subscribed channel is one team
                team_name = ("#" + (name or external_id))[:80]
                await self._insert_ignore(conn, T, {"workspace_id": workspace_id, "name": team_name, "tz": tz})
                team_id = (await conn.execute(select(T.c.id).where(T.c.workspace_id == workspace_id, T.c.name == team_name))).scalar_one()
                await conn.execute(update(C).where(C.c.id == row.id).values(team_id=team_id))
            else:
                await conn.execute(update(T).where(T.c.id == row.team_id).values(tz=tz))  # the team follows the channel's zone
            found = await self._channels_where(conn, C.c.id == row.id)
        return found[0]

    async def update_channel(self, channel_id: int, now: dt.datetime, **changes: object) -> ChannelInfo:
        allowed = {"tz", "post_time", "reveal_minutes", "active", "focus_topic", "focus_until", "team_id", "name"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"cannot change {sorted(unknown)}")
        if "tz" in changes or "post_time" in changes:
            changes["scheduled_since"] = now
        async with self.engine.begin() as conn:
            await conn.execute(update(C).where(C.c.id == channel_id).values(updated_at=now, **changes))
            found = await self._channels_where(conn, C.c.id == channel_id)
        return found[0]

    async def active_channels(self) -> list[ChannelInfo]:
        async with self.engine.begin() as conn:
            return await self._channels_where(conn, C.c.active.is_(True))

    # -- posts ----------------------------------------------------------------------------------
    async def channel_posts(self, channel_id: int) -> list[PostInfo]:
        async with self.engine.begin() as conn:
            rows = (await conn.execute(select(PO).where(PO.c.channel_id == channel_id).order_by(PO.c.created_at, PO.c.id))).all()
        return [self._post(r) for r in rows]

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
        async with self.engine.begin() as conn:
            inserted = await self._insert_ignore(
                conn, PO,
                {"channel_id": channel_id, "local_date": local_date, "slot": slot, "question_id": question_id,
                 "objective_id": objective_id, "option_order": "".join(str(i) for i in option_order),
                 "reason": reason, "reason_detail": reason_detail[:200], "status": "reserved",
                 "created_at": now, "reveal_due_at": reveal_due_at},
            )
            if not inserted:
                return None
            row = (
                await conn.execute(
                    select(PO).where(PO.c.channel_id == channel_id, PO.c.local_date == local_date, PO.c.slot == slot)
                )
            ).one()
        return self._post(row)

    async def mark_posted(self, post_id: int, message_ref: str, now: dt.datetime) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(PO).where(PO.c.id == post_id).values(status="posted", message_ref=message_ref, posted_at=now)
            )

    async def release_reservation(self, post_id: int) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(delete(PO).where(PO.c.id == post_id, PO.c.status == "reserved"))

    async def set_team_tz(self, team_id: int, tz: str) -> None:
        """A channel's team follows the channel's zone (its weeks and streak days are local to it)."""
        async with self.engine.begin() as conn:
            await conn.execute(update(T).where(T.c.id == team_id).values(tz=tz))

    async def mark_failed(self, post_id: int) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(PO).where(PO.c.id == post_id, PO.c.status == "reserved").values(status="failed"))

    async def get_post(self, post_id: int) -> PostInfo | None:
        async with self.engine.begin() as conn:
            row = (await conn.execute(select(PO).where(PO.c.id == post_id))).first()
        return self._post(row) if row else None

    async def post_by_message(self, workspace_id: int, channel_external_id: str, message_ref: str) -> PostInfo | None:
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(
                    select(PO)
                    .join(C, C.c.id == PO.c.channel_id)
                    .where(C.c.workspace_id == workspace_id, C.c.external_id == channel_external_id, PO.c.message_ref == message_ref)
                )
            ).first()
        return self._post(row) if row else None

    async def open_posts(self, channel_id: int | None = None) -> list[PostInfo]:
        where = [PO.c.status == "posted"]
        if channel_id is not None:
            where.append(PO.c.channel_id == channel_id)
        async with self.engine.begin() as conn:
            rows = (await conn.execute(select(PO).where(*where).order_by(PO.c.id))).all()
        return [self._post(r) for r in rows]

    async def due_reveals(self, now: dt.datetime) -> list[PostInfo]:
        async with self.engine.begin() as conn:
            rows = (
                await conn.execute(select(PO).where(PO.c.status == "posted", PO.c.reveal_due_at <= now).order_by(PO.c.reveal_due_at))
            ).all()
        return [self._post(r) for r in rows]

    # -- reactions and answers ------------------------------------------------------------------
    async def add_reaction_event(
        self, post_id: int, person_id: int, event: ReactionEvent, raw_emoji: str, source: str, received_at: dt.datetime
    ) -> bool:
        async with self.engine.begin() as conn:
            return await self._insert_ignore(
                conn, RE,
                {"delivery_id": event.delivery_id, "post_id": post_id, "person_id": person_id, "option": event.option,
                 "raw_emoji": raw_emoji[:100], "added": event.added, "is_bot": event.is_bot, "source": source,
                 "occurred_at": event.at, "received_at": received_at},
            )

    async def record_reactions(self, rows: Sequence[IncomingReaction]) -> list[bool]:
        """One transaction and a handful of statements for the whole batch, whatever its size.

        People: one SELECT of those already known, one multi-row insert of the new ones (ignoring any that
        another process created meanwhile), one SELECT of their ids; changed display names are updated.
        Events: one SELECT of delivery ids already stored, then one multi-row insert; a delivery id seen
        earlier in the same batch is a repeat. The unique index on the delivery id stays the guard: if
        another process stores the same delivery in the instant between the SELECT and the insert, the
        row is not stored twice (only its flag may say new).
        """
        if not rows:
            return []
        async with self.engine.begin() as conn:
            people = await self._people_for(conn, rows)
            deliveries = list({r.event.delivery_id for r in rows})
            stored: set[str] = set()
            for chunk in _chunks(deliveries, 500):
                stored |= set((await conn.execute(select(RE.c.delivery_id).where(RE.c.delivery_id.in_(chunk)))).scalars())
            fresh: list[dict[str, Any]] = []
            flags: list[bool] = []
            for r in rows:
                new = r.event.delivery_id not in stored
                flags.append(new)
                if new:
                    stored.add(r.event.delivery_id)  # a repeat later in the batch is not new
                    fresh.append({"delivery_id": r.event.delivery_id, "post_id": r.post_id,
                                  "person_id": people[(r.workspace_id, r.user)], "option": r.event.option,
                                  "raw_emoji": r.raw_emoji[:100], "added": r.event.added, "is_bot": r.event.is_bot,
                                  "source": r.source, "occurred_at": r.event.at, "received_at": r.received_at})
            if fresh:
                await conn.execute(self._insert(RE).on_conflict_do_nothing(), fresh)
        return flags

    async def _people_for(self, conn: AsyncConnection, rows: Sequence[IncomingReaction]) -> dict[tuple[int, str], int]:
        """Person ids for every (workspace, user) of the batch, creating the missing ones."""
        wanted: dict[tuple[int, str], IncomingReaction] = {}
        for r in rows:
            wanted[(r.workspace_id, r.user)] = r  # the latest row carries the name to keep
        found: dict[tuple[int, str], tuple[int, str]] = {}

        async def lookup(keys: list[tuple[int, str]]) -> None:
            for ws in {k[0] for k in keys}:
                users = [k[1] for k in keys if k[0] == ws]
                for chunk in _chunks(users, 500):
                    q = select(P.c.id, P.c.external_id, P.c.display_name).where(
                        P.c.workspace_id == ws, P.c.external_id.in_(chunk))
                    for row in (await conn.execute(q)).all():
                        found[(ws, row.external_id)] = (int(row.id), row.display_name or "")

        await lookup(list(wanted))
        missing = [k for k in wanted if k not in found]
        if missing:
            now = dt.datetime.now(dt.UTC)
            await conn.execute(self._insert(P).on_conflict_do_nothing(), [
                {"workspace_id": k[0], "external_id": k[1], "display_name": wanted[k].user_name,
                 "is_bot": wanted[k].is_bot, "created_at": now} for k in missing])
            await lookup(missing)
        for key, r in wanted.items():
            pid, name = found[key]
            if r.user_name and name != r.user_name and key not in missing:
                await conn.execute(update(P).where(P.c.id == pid).values(display_name=r.user_name))
        return {k: v[0] for k, v in found.items()}

    async def reaction_events(self, post_id: int) -> list[tuple[int, ReactionEvent]]:
        async with self.engine.begin() as conn:
            rows = (await conn.execute(select(RE).where(RE.c.post_id == post_id).order_by(RE.c.id))).all()
        return [
            (r.person_id, ReactionEvent(r.delivery_id, str(r.person_id), r.option, r.added, r.occurred_at, r.is_bot, r.id))
            for r in rows
        ]

    async def claim_reveal(self, post_id: int, now: dt.datetime) -> bool:
        """Move a post to ``revealed`` exactly once; only the caller that wins may announce it."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(PO).where(PO.c.id == post_id, PO.c.status == "posted").values(status="revealed", revealed_at=now)
            )
        return bool(result.rowcount)

    async def save_daily_answers(
        self, post: PostInfo, channel: ChannelInfo, answers: Mapping[int, int], correct_option: int, at: dt.datetime
    ) -> None:
        if not answers:
            return
        topic, subtopic = post.objective_id.split(".")[0], post.objective_id.rsplit(".", 1)[0]
        async with self.engine.begin() as conn:
            teams = dict(
                (await conn.execute(
                    select(TM.c.person_id, TM.c.team_id).where(
                        TM.c.workspace_id == channel.workspace_id, TM.c.person_id.in_(list(answers))
                    )
                )).all()
            )
            rows = [
                {"workspace_id": channel.workspace_id, "person_id": pid, "team_id": teams.get(pid, channel.team_id),
                 "channel_id": channel.id, "question_id": post.question_id, "objective_id": post.objective_id,
                 "subtopic_id": subtopic, "topic_id": topic, "source": "daily", "post_id": post.id,
                 "option": opt, "correct": opt == correct_option, "answered_at": at}
                for pid, opt in sorted(answers.items())
            ]
            await conn.execute(self._insert(A).values(rows).on_conflict_do_nothing())

    async def post_answer_counts(self, post_id: int) -> tuple[dict[int, int], list[int]]:
        """Per canonical option, how many chose it; and the people who got it right."""
        async with self.engine.begin() as conn:
            counts: dict[int, int] = {
                int(k): int(v)
                for k, v in (
                    await conn.execute(select(A.c.option, func.count()).where(A.c.post_id == post_id).group_by(A.c.option))
                ).all()
            }
            right = [r[0] for r in (await conn.execute(
                select(A.c.person_id).where(A.c.post_id == post_id, A.c.correct.is_(True)).order_by(A.c.person_id)
            )).all()]
        return counts, right

    # -- audit, deliveries ----------------------------------------------------------------------
    async def audit(
        self, workspace_id: int | None, actor: str, actor_name: str, action: str, detail: str, at: dt.datetime
    ) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                AU.insert().values(workspace_id=workspace_id, actor=actor, actor_name=actor_name, action=action,
                                   detail=detail, at=at)
            )

    async def audit_entries(self, workspace_id: int) -> list[dict[str, Any]]:
        async with self.engine.begin() as conn:
            rows = (await conn.execute(select(AU).where(AU.c.workspace_id == workspace_id).order_by(AU.c.id))).all()
        return [dict(r._mapping) for r in rows]

    async def claim_delivery(self, delivery_id: str, now: dt.datetime) -> bool:
        """True the first time a delivery id is seen, False for every repeat."""
        async with self.engine.begin() as conn:
            return await self._insert_ignore(conn, D, {"id": delivery_id, "received_at": now})

    async def prune_deliveries(self, before: dt.datetime) -> int:
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(D).where(D.c.received_at < before))
        return int(result.rowcount or 0)

    async def count_rows(self, table: str) -> int:
        """Row count of a table (diagnostics and tests)."""
        tables = {"post": PO, "answer": A, "reaction_event": RE, "audit_log": AU, "delivery": D, "person": P}
        async with self.engine.begin() as conn:
            return int((await conn.execute(select(func.count()).select_from(tables[table]))).scalar_one())


def _chunks(items: Sequence[Any], size: int) -> list[list[Any]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]
