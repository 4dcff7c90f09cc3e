"""Reaction events and the answers derived from them: the SQL side of :class:`bot.core.ports.AnswerStore`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.answers import ReactionEvent
from bot.core.ports import ChannelInfo, IncomingReaction, PostInfo
from storage.repos.boards import link_attempts
from storage.sql import RE, TM, A, P, SqlBase, _chunks

__all__ = ["AnswersRepo"]


class AnswersRepo(SqlBase):
    """Reaction events and the answers derived from them."""

    async def add_reaction_event(
        self, post_id: int, person_id: int, event: ReactionEvent, raw_emoji: str, source: str, received_at: dt.datetime
    ) -> bool:
        async with self._tx() as conn:
            return await self._insert_ignore(
                conn,
                RE,
                {
                    "delivery_id": event.delivery_id,
                    "post_id": post_id,
                    "person_id": person_id,
                    "option": event.option,
                    "raw_emoji": raw_emoji[:100],
                    "added": event.added,
                    "is_bot": event.is_bot,
                    "source": source,
                    "occurred_at": event.at,
                    "received_at": received_at,
                },
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
        async with self._tx() as conn:
            people = await self._people_for(conn, rows)
            deliveries = list({r.event.delivery_id for r in rows})
            stored: set[str] = set()
            for chunk in _chunks(deliveries, 500):
                stored |= set(
                    (await conn.execute(select(RE.c.delivery_id).where(RE.c.delivery_id.in_(chunk)))).scalars()
                )
            fresh: list[dict[str, Any]] = []
            flags: list[bool] = []
            for r in rows:
                new = r.event.delivery_id not in stored
                flags.append(new)
                if new:
                    stored.add(r.event.delivery_id)  # a repeat later in the batch is not new
                    fresh.append(
                        {
                            "delivery_id": r.event.delivery_id,
                            "post_id": r.post_id,
                            "person_id": people[(r.workspace_id, r.user)],
                            "option": r.event.option,
                            "raw_emoji": r.raw_emoji[:100],
                            "added": r.event.added,
                            "is_bot": r.event.is_bot,
                            "source": r.source,
                            "occurred_at": r.event.at,
                            "received_at": r.received_at,
                        }
                    )
            if fresh:
                # in key order: two processes inserting the same deliveries then lock them in the same order
                # (PostgreSQL found deadlocks between four bot processes given them in arrival order)
                fresh.sort(key=lambda e: str(e["delivery_id"]))
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
                        P.c.workspace_id == ws, P.c.external_id.in_(chunk)
                    )
                    for row in (await conn.execute(q)).all():
                        found[(ws, row.external_id)] = (int(row.id), row.display_name or "")

        await lookup(list(wanted))
        missing = sorted(k for k in wanted if k not in found)  # in key order, as the events (no deadlocks)
        if missing:
            now = dt.datetime.now(dt.UTC)
            await conn.execute(
                self._insert(P).on_conflict_do_nothing(),
                [
                    {
                        "workspace_id": k[0],
                        "external_id": k[1],
                        "display_name": wanted[k].user_name,
                        "is_bot": wanted[k].is_bot,
                        "created_at": now,
                    }
                    for k in missing
                ],
            )
            await lookup(missing)
        created = set(missing)
        renamed = sorted(  # by id: one lock order
            (found[key][0], r.user_name)
            for key, r in wanted.items()
            if r.user_name and found[key][1] != r.user_name and key not in created
        )
        for pid, name in renamed:
            await conn.execute(update(P).where(P.c.id == pid).values(display_name=name))
        return {k: v[0] for k, v in found.items()}

    async def reaction_events(self, post_id: int) -> list[tuple[int, ReactionEvent]]:
        async with self._tx() as conn:
            rows = (await conn.execute(select(RE).where(RE.c.post_id == post_id).order_by(RE.c.id))).all()
        return [
            (
                r.person_id,
                ReactionEvent(r.delivery_id, str(r.person_id), r.option, r.added, r.occurred_at, r.is_bot, r.id),
            )
            for r in rows
        ]

    async def save_daily_answers(
        self, post: PostInfo, channel: ChannelInfo, answers: Mapping[int, int], correct_option: int, at: dt.datetime
    ) -> None:
        if not answers:
            return
        topic, subtopic = post.objective_id.split(".")[0], post.objective_id.rsplit(".", 1)[0]
        async with self._tx() as conn:
            teams = dict(
                (
                    await conn.execute(
                        select(TM.c.person_id, TM.c.team_id).where(
                            TM.c.workspace_id == channel.workspace_id, TM.c.person_id.in_(list(answers))
                        )
                    )
                ).all()
            )
            rows = [
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
                for pid, opt in sorted(answers.items())
            ]
            await conn.execute(self._insert(A).values(rows).on_conflict_do_nothing())
            await link_attempts(conn, [(pid, post.question_id) for pid in answers])

    async def post_answer_counts(self, post_id: int) -> tuple[dict[int, int], list[int]]:
        """Per canonical option, how many chose it; and the people who got it right."""
        async with self._tx() as conn:
            counts: dict[int, int] = {
                int(k): int(v)
                for k, v in (
                    await conn.execute(
                        select(A.c.option, func.count()).where(A.c.post_id == post_id).group_by(A.c.option)
                    )
                ).all()
            }
            right = [
                r[0]
                for r in (
                    await conn.execute(
                        select(A.c.person_id)
                        .where(A.c.post_id == post_id, A.c.correct.is_(True))
                        .order_by(A.c.person_id)
                    )
                ).all()
            ]
        return counts, right

    # -- audit, deliveries ----------------------------------------------------------------------
