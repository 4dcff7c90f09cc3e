"""SQL queries of the learning engine: reviews, drills, teams, leaderboards, weak spots, item analytics.

Aggregations run in the database (window functions and GROUP BY over indexed columns); Python only
shapes the small result sets.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.ports import DrillInfo
from storage.tables import (
    Answer,
    AuditLog,
    Channel,
    DrillSession,
    Person,
    ReactionEventRow,
    Review,
    Team,
    TeamMember,
    WeeklyBoard,
    table_of,
)

__all__ = ["LearningQueries"]


C = table_of(Channel)
A, R, DS, T, TM, P, WB, RE, AU = (
    table_of(Answer), table_of(Review), table_of(DrillSession), table_of(Team), table_of(TeamMember), table_of(Person), table_of(WeeklyBoard),
    table_of(ReactionEventRow), table_of(AuditLog),
)


def _n_correct(column: Any) -> Any:
    """SUM of a boolean column, portable across SQLite and PostgreSQL."""
    return func.sum(case((column.is_(True), 1), else_=0))


def _drill(m: Any) -> DrillInfo:
    return DrillInfo(
        id=m["id"], workspace_id=m["workspace_id"], person_id=m["person_id"], scope=m["scope"],
        questions=[(q, tuple(o)) for q, o in json.loads(m["questions"])], position=m["position"],
        status=m["status"], created_at=m["created_at"], expires_at=m["expires_at"],
    )


class LearningQueries:
    engine: AsyncEngine
    dialect: str

    def _insert(self, table: Table) -> Any:  # provided by SqlStore
        raise NotImplementedError

    async def _insert_ignore(self, conn: AsyncConnection, table: Table, values: dict[str, Any]) -> bool:
        raise NotImplementedError

    # -- spaced repetition ----------------------------------------------------------------------
    async def review_state(self, person_id: int, question_id: str) -> tuple[str | None, dt.date | None]:
        async with self.engine.begin() as conn:
            row = (await conn.execute(select(R.c.card, R.c.last_review_date).where(R.c.person_id == person_id, R.c.question_id == question_id))).first()
        return (row.card, row.last_review_date) if row else (None, None)

    async def save_review(self, person_id: int, question_id: str, card: str, due: dt.datetime, day: dt.date) -> None:
        stmt = self._insert(R).values(person_id=person_id, question_id=question_id, card=card, due=due, last_review_date=day)
        stmt = stmt.on_conflict_do_update(
            index_elements=["person_id", "question_id"], set_={"card": card, "due": due, "last_review_date": day}
        )
        async with self.engine.begin() as conn:
            await conn.execute(stmt)

    async def person_cards(self, person_id: int) -> list[tuple[str, str, dt.datetime]]:
        async with self.engine.begin() as conn:
            rows = (await conn.execute(select(R.c.question_id, R.c.card, R.c.due).where(R.c.person_id == person_id))).all()
        return [(r.question_id, r.card, r.due) for r in rows]

    async def due_reviews(self, person_id: int, now: dt.datetime) -> dict[str, dt.datetime]:
        async with self.engine.begin() as conn:
            rows = (await conn.execute(select(R.c.question_id, R.c.due).where(R.c.person_id == person_id, R.c.due <= now))).all()
        return {r.question_id: r.due for r in rows}

    async def seen_questions(self, person_id: int) -> set[str]:
        async with self.engine.begin() as conn:
            rows = (await conn.execute(select(A.c.question_id).where(A.c.person_id == person_id).distinct())).all()
        return {r.question_id for r in rows}

    async def missed_questions(self, person_id: int) -> list[str]:
        """Questions whose most recent answer by the person was wrong, most recent first."""
        ranked = (
            select(
                A.c.question_id, A.c.correct, A.c.answered_at,
                func.row_number().over(partition_by=A.c.question_id, order_by=(A.c.answered_at.desc(), A.c.id.desc())).label("rn"),
            ).where(A.c.person_id == person_id)
        ).subquery()
        async with self.engine.begin() as conn:
            rows = (await conn.execute(
                select(ranked.c.question_id).where(ranked.c.rn == 1, ranked.c.correct.is_(False)).order_by(ranked.c.answered_at.desc())
            )).all()
        return [r.question_id for r in rows]

    async def person_objective_stats(self, person_id: int) -> list[tuple[str, int, int]]:
        async with self.engine.begin() as conn:
            rows = (await conn.execute(
                select(A.c.objective_id, _n_correct(A.c.correct), func.count())
                .where(A.c.person_id == person_id).group_by(A.c.objective_id)
            )).all()
        return [(r[0], int(r[1] or 0), int(r[2])) for r in rows]

    async def daily_answer_times(self, person_ids: Sequence[int], since: dt.datetime) -> dict[int, list[dt.datetime]]:
        if not person_ids:
            return {}
        async with self.engine.begin() as conn:
            rows = (await conn.execute(
                select(A.c.person_id, A.c.answered_at).where(
                    A.c.person_id.in_(list(person_ids)), A.c.source == "daily", A.c.answered_at >= since
                )
            )).all()
        out: dict[int, list[dt.datetime]] = {}
        for r in rows:
            out.setdefault(r.person_id, []).append(r.answered_at)
        return out

    # -- drills ---------------------------------------------------------------------------------
    async def create_drill(
        self, workspace_id: int, person_id: int, scope: str, questions: Sequence[tuple[str, Sequence[int]]],
        now: dt.datetime, expires_at: dt.datetime,
    ) -> int:
        async with self.engine.begin() as conn:
            # one active drill per person: a new one replaces the old
            await conn.execute(update(DS).where(DS.c.person_id == person_id, DS.c.status == "active").values(status="expired"))
            result = await conn.execute(
                DS.insert().values(workspace_id=workspace_id, person_id=person_id, scope=scope[:40],
                                   questions=json.dumps([[q, list(o)] for q, o in questions]), position=0,
                                   status="active", created_at=now, expires_at=expires_at)
            )
            pk = result.inserted_primary_key
            assert pk is not None
            return int(pk[0])

    async def get_drill(self, drill_id: int) -> DrillInfo | None:
        async with self.engine.begin() as conn:
            row = (await conn.execute(select(DS).where(DS.c.id == drill_id))).first()
        return _drill(row._mapping) if row else None

    async def answer_drill(
        self, drill: DrillInfo, seq: int, values: dict[str, Any], done: bool
    ) -> bool:
        """Record the answer to question ``seq`` and advance; False if it was already answered."""
        async with self.engine.begin() as conn:
            if not await self._insert_ignore(conn, A, values):
                return False
            result = await conn.execute(
                update(DS).where(DS.c.id == drill.id, DS.c.position == seq, DS.c.status == "active")
                .values(position=seq + 1, status="done" if done else "active")
            )
            return bool(result.rowcount)

    async def expire_drill(self, drill_id: int) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(DS).where(DS.c.id == drill_id, DS.c.status == "active").values(status="expired"))

    async def drill_results(self, drill_id: int) -> list[tuple[int, str, str, bool]]:
        async with self.engine.begin() as conn:
            rows = (await conn.execute(
                select(A.c.drill_seq, A.c.question_id, A.c.objective_id, A.c.correct).where(A.c.drill_id == drill_id).order_by(A.c.drill_seq)
            )).all()
        return [(int(r[0]), r[1], r[2], bool(r[3])) for r in rows]

    # -- teams ----------------------------------------------------------------------------------
    async def ensure_team(self, workspace_id: int, name: str, tz: str = "UTC") -> int:
        async with self.engine.begin() as conn:
            await self._insert_ignore(conn, T, {"workspace_id": workspace_id, "name": name, "tz": tz})
            return int((await conn.execute(select(T.c.id).where(T.c.workspace_id == workspace_id, T.c.name == name))).scalar_one())

    async def team_by_name(self, workspace_id: int, name: str) -> tuple[int, str, str] | None:
        async with self.engine.begin() as conn:
            row = (await conn.execute(select(T.c.id, T.c.name, T.c.tz).where(T.c.workspace_id == workspace_id, func.lower(T.c.name) == name.lower()))).first()
        return (row.id, row.name, row.tz) if row else None

    async def team_info(self, team_id: int) -> tuple[int, str, str, int]:
        async with self.engine.begin() as conn:
            row = (await conn.execute(select(T.c.id, T.c.name, T.c.tz, T.c.workspace_id).where(T.c.id == team_id))).one()
        return row.id, row.name, row.tz, row.workspace_id

    async def delete_team(self, team_id: int) -> int:
        """Delete a team; its members become teamless and keep their answers (which then belong to no
        team until they join another). Channels of the team are left without one. Returns the member count."""
        async with self.engine.begin() as conn:
            members = (await conn.execute(select(func.count()).select_from(TM).where(TM.c.team_id == team_id))).scalar_one()
            await conn.execute(update(A).where(A.c.team_id == team_id).values(team_id=None))
            await conn.execute(update(C).where(C.c.team_id == team_id).values(team_id=None))
            await conn.execute(delete(TM).where(TM.c.team_id == team_id))
            await conn.execute(delete(T).where(T.c.id == team_id))
        return int(members)

    async def set_member(self, workspace_id: int, team_id: int, person_id: int, *, lead: bool | None = None) -> None:
        """Put a person in a team (a person belongs to one team per workspace); optionally set lead.

        Points and weak spots follow the person: their answers move to the new team with them."""
        values: dict[str, Any] = {"workspace_id": workspace_id, "team_id": team_id, "person_id": person_id, "is_lead": bool(lead)}
        set_: dict[str, Any] = {"team_id": team_id}
        if lead is not None:
            set_["is_lead"] = lead
        stmt = self._insert(TM).values(**values).on_conflict_do_update(index_elements=["workspace_id", "person_id"], set_=set_)
        async with self.engine.begin() as conn:
            await conn.execute(stmt)
            await conn.execute(update(A).where(A.c.workspace_id == workspace_id, A.c.person_id == person_id).values(team_id=team_id))

    async def join_if_teamless(self, workspace_id: int, team_id: int, person_id: int) -> None:
        async with self.engine.begin() as conn:
            if await self._insert_ignore(conn, TM, {"workspace_id": workspace_id, "team_id": team_id, "person_id": person_id, "is_lead": False}):
                await conn.execute(update(A).where(A.c.workspace_id == workspace_id, A.c.person_id == person_id).values(team_id=team_id))

    async def remove_member(self, team_id: int, person_id: int) -> bool:
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(TM).where(TM.c.team_id == team_id, TM.c.person_id == person_id))
            if result.rowcount:
                await conn.execute(update(A).where(A.c.team_id == team_id, A.c.person_id == person_id).values(team_id=None))
        return bool(result.rowcount)

    async def person_answer_history(self, person_id: int) -> list[tuple[str, dt.datetime, bool]]:
        """Every answer of a person: (objective, when, right?), oldest first."""
        async with self.engine.begin() as conn:
            rows = (await conn.execute(
                select(A.c.objective_id, A.c.answered_at, A.c.correct).where(A.c.person_id == person_id).order_by(A.c.answered_at, A.c.id)
            )).all()
        return [(r[0], r[1], bool(r[2])) for r in rows]

    async def active_drill(self, person_id: int) -> DrillInfo | None:
        async with self.engine.begin() as conn:
            row = (await conn.execute(
                select(DS).where(DS.c.person_id == person_id, DS.c.status == "active").order_by(DS.c.id.desc())
            )).first()
        return _drill(row._mapping) if row else None

    async def person_team(self, workspace_id: int, person_id: int) -> tuple[int, bool] | None:
        async with self.engine.begin() as conn:
            row = (await conn.execute(select(TM.c.team_id, TM.c.is_lead).where(TM.c.workspace_id == workspace_id, TM.c.person_id == person_id))).first()
        return (row.team_id, bool(row.is_lead)) if row else None

    async def teams(self, workspace_id: int) -> list[dict[str, Any]]:
        async with self.engine.begin() as conn:
            teams = (await conn.execute(select(T.c.id, T.c.name, T.c.tz).where(T.c.workspace_id == workspace_id).order_by(T.c.name))).all()
            members = (await conn.execute(
                select(TM.c.team_id, TM.c.is_lead, P.c.display_name, P.c.external_id, P.c.id)
                .join(P, P.c.id == TM.c.person_id).where(TM.c.workspace_id == workspace_id).order_by(P.c.display_name)
            )).all()
        by_team: dict[int, list[Any]] = {}
        for m in members:
            by_team.setdefault(m.team_id, []).append(m)
        out = []
        for t in teams:
            ms = by_team.get(t.id, [])
            out.append({"id": t.id, "name": t.name, "tz": t.tz,
                        "members": [(m.id, m.display_name or m.external_id) for m in ms],
                        "leads": [(m.id, m.display_name or m.external_id) for m in ms if m.is_lead]})
        return out

    async def team_names(self, workspace_id: int) -> dict[int, str]:
        async with self.engine.begin() as conn:
            rows = (await conn.execute(select(T.c.id, T.c.name).where(T.c.workspace_id == workspace_id))).all()
        return {int(r.id): r.name for r in rows}

    async def find_person(self, workspace_id: int, ref: str) -> int | None:
        """A person by external id or display name (case-insensitive)."""
        async with self.engine.begin() as conn:
            row = (await conn.execute(
                select(P.c.id).where(P.c.workspace_id == workspace_id, or_(P.c.external_id == ref, func.lower(P.c.display_name) == ref.lower()))
                .order_by(P.c.id)
            )).first()
        return int(row.id) if row else None

    # -- leaderboards, weak spots ---------------------------------------------------------------
    async def first_attempts(self, workspace_id: int, start: dt.datetime, end: dt.datetime) -> list[tuple[int | None, int, str, int, int]]:
        """Per (team, person, topic): first attempts at distinct questions in [start, end) and how many were right."""
        ranked = (
            select(
                A.c.team_id, A.c.person_id, A.c.topic_id, A.c.correct,
                func.row_number().over(partition_by=(A.c.person_id, A.c.question_id), order_by=(A.c.answered_at, A.c.id)).label("rn"),
            ).where(A.c.workspace_id == workspace_id, A.c.answered_at >= start, A.c.answered_at < end)
        ).subquery()
        correct = _n_correct(ranked.c.correct)
        async with self.engine.begin() as conn:
            rows = (await conn.execute(
                select(ranked.c.team_id, ranked.c.person_id, ranked.c.topic_id, func.count(), correct)
                .where(ranked.c.rn == 1).group_by(ranked.c.team_id, ranked.c.person_id, ranked.c.topic_id)
            )).all()
        return [(r[0], int(r[1]), r[2], int(r[3]), int(r[4] or 0)) for r in rows]

    async def team_objective_stats(
        self, team_id: int, since: dt.datetime | None = None, until: dt.datetime | None = None
    ) -> list[tuple[str, int, int]]:
        where = [A.c.team_id == team_id]
        if since is not None:
            where.append(A.c.answered_at >= since)
        if until is not None:
            where.append(A.c.answered_at < until)
        async with self.engine.begin() as conn:
            rows = (await conn.execute(
                select(A.c.objective_id, _n_correct(A.c.correct), func.count())
                .where(and_(*where)).group_by(A.c.objective_id)
            )).all()
        return [(r[0], int(r[1] or 0), int(r[2])) for r in rows]

    async def team_wrong_choices(self, team_id: int, objective_ids: Sequence[str]) -> list[tuple[str, str, int, int]]:
        """(objective, question, canonical option, count) of wrong answers, most chosen first."""
        if not objective_ids:
            return []
        async with self.engine.begin() as conn:
            rows = (await conn.execute(
                select(A.c.objective_id, A.c.question_id, A.c.option, func.count().label("n"))
                .where(A.c.team_id == team_id, A.c.correct.is_(False), A.c.objective_id.in_(list(objective_ids)))
                .group_by(A.c.objective_id, A.c.question_id, A.c.option).order_by(func.count().desc())
            )).all()
        return [(r[0], r[1], int(r[2]), int(r[3])) for r in rows]

    async def team_member_topic_stats(self, team_id: int) -> list[tuple[int, str, int, int]]:
        async with self.engine.begin() as conn:
            rows = (await conn.execute(
                select(A.c.person_id, A.c.topic_id, _n_correct(A.c.correct), func.count())
                .where(A.c.team_id == team_id).group_by(A.c.person_id, A.c.topic_id)
            )).all()
        return [(int(r[0]), r[1], int(r[2] or 0), int(r[3])) for r in rows]

    async def claim_weekly_board(self, channel_id: int, week_start: dt.date, now: dt.datetime) -> bool:
        async with self.engine.begin() as conn:
            return await self._insert_ignore(conn, WB, {"channel_id": channel_id, "week_start": week_start, "posted_at": now})

    async def release_weekly_board(self, channel_id: int, week_start: dt.date) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(delete(WB).where(WB.c.channel_id == channel_id, WB.c.week_start == week_start))

    # -- item analytics ---------------------------------------------------------------------------
    async def first_attempt_choices(self) -> list[tuple[str, int, int, bool]]:
        """(question, person, canonical option, correct) of every person's first attempt at a question."""
        ranked = (
            select(
                A.c.question_id, A.c.person_id, A.c.option, A.c.correct,
                func.row_number().over(partition_by=(A.c.person_id, A.c.question_id), order_by=(A.c.answered_at, A.c.id)).label("rn"),
            )
        ).subquery()
        async with self.engine.begin() as conn:
            rows = (await conn.execute(
                select(ranked.c.question_id, ranked.c.person_id, ranked.c.option, ranked.c.correct).where(ranked.c.rn == 1)
            )).all()
        return [(r[0], int(r[1]), int(r[2]), bool(r[3])) for r in rows]

    # -- privacy --------------------------------------------------------------------------------
    async def forget_person(self, person_id: int) -> dict[str, int]:
        """Delete everything stored about a person; the audit log keeps the action but not the person."""
        counts: dict[str, int] = {}
        async with self.engine.begin() as conn:
            ext = (await conn.execute(select(P.c.external_id, P.c.workspace_id).where(P.c.id == person_id))).first()
            for name, table in (("answers", A), ("reactions", RE), ("reviews", R), ("drills", DS), ("teams", TM)):
                result = await conn.execute(delete(table).where(table.c.person_id == person_id))
                counts[name] = int(result.rowcount or 0)
            if ext is not None:
                await conn.execute(
                    update(AU).where(AU.c.workspace_id == ext.workspace_id, AU.c.actor.like(f"%:{ext.external_id}"))
                    .values(actor="forgotten", actor_name="")
                )
            await conn.execute(delete(P).where(P.c.id == person_id))
        return counts
