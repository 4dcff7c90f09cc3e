"""Workspaces and people, and forget-me: the SQL side of :class:`bot.core.ports.PeopleStore`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, func, or_, select, update

from storage.sql import AU, DS, IR, RE, SP, SPP, TM, A, P, R, SqlBase, W

__all__ = ["PeopleRepo"]


class PeopleRepo(SqlBase):
    """Workspaces and people, and forget-me."""

    async def ensure_workspace(self, platform: str, external_id: str, name: str = "") -> int:
        find = select(W.c.id).where(W.c.platform == platform, W.c.external_id == external_id)
        async with self._tx() as conn:
            found = (await conn.execute(find)).scalar()  # the usual case: one statement
            if found is not None:
                return int(found)
            await self._insert_ignore(
                conn,
                W,
                {"platform": platform, "external_id": external_id, "name": name, "created_at": dt.datetime.now(dt.UTC)},
            )
            return int((await conn.execute(find)).scalar_one())

    async def ensure_person(
        self, workspace_id: int, external_id: str, display_name: str = "", is_bot: bool = False
    ) -> int:
        async with self._tx() as conn:
            return await self._ensure_person(conn, workspace_id, external_id, display_name, is_bot)

    async def ensure_asker(
        self, platform: str, workspace: str, workspace_name: str, user: str, user_name: str
    ) -> tuple[int, int]:
        # the usual case, both known and the name unchanged: one statement instead of two
        known = (
            select(W.c.id, P.c.id, P.c.display_name)
            .join(P, (P.c.workspace_id == W.c.id) & (P.c.external_id == user))
            .where(W.c.platform == platform, W.c.external_id == workspace)
        )
        async with self._tx() as conn:
            row = (await conn.execute(known)).first()
        if row is not None and (not user_name or row[2] == user_name):
            return int(row[0]), int(row[1])
        ws = await self.ensure_workspace(platform, workspace, workspace_name)
        return ws, await self.ensure_person(ws, user, user_name)

    async def person_names(self, person_ids: Sequence[int]) -> dict[int, str]:
        if not person_ids:
            return {}
        async with self._tx() as conn:
            rows = (
                await conn.execute(
                    select(P.c.id, P.c.display_name, P.c.external_id).where(P.c.id.in_(list(person_ids)))
                )
            ).all()
        return {r.id: r.display_name or r.external_id for r in rows}

    # -- channels -------------------------------------------------------------------------------

    async def find_person(self, workspace_id: int, ref: str) -> int | None:
        """A person by external id or display name (case-insensitive)."""
        async with self._tx() as conn:
            row = (
                await conn.execute(
                    select(P.c.id)
                    .where(
                        P.c.workspace_id == workspace_id,
                        or_(P.c.external_id == ref, func.lower(P.c.display_name) == ref.lower()),
                    )
                    .order_by(P.c.id)
                )
            ).first()
        return int(row.id) if row else None

    # -- leaderboards, weak spots ---------------------------------------------------------------

    async def forget_person(self, person_id: int) -> dict[str, int]:
        """Delete everything stored about a person; the audit log keeps the action but not the person."""
        counts: dict[str, int] = {}
        async with self._tx() as conn:
            ext = (await conn.execute(select(P.c.external_id, P.c.workspace_id).where(P.c.id == person_id))).first()
            for name, table in (
                ("answers", A),
                ("reactions", RE),
                ("reviews", R),
                ("drills", DS),
                ("teams", TM),
                ("plans", SP),
                ("pauses", SPP),
            ):
                result = await conn.execute(delete(table).where(table.c.person_id == person_id))
                counts[name] = int(result.rowcount or 0)
            # their reports stay for the authors, without the person
            result = await conn.execute(update(IR).where(IR.c.person_id == person_id).values(person_id=None))
            counts["reports"] = int(result.rowcount or 0)
            if ext is not None:
                await conn.execute(
                    update(AU)
                    .where(AU.c.workspace_id == ext.workspace_id, AU.c.actor.like(f"%:{ext.external_id}"))
                    .values(actor="forgotten", actor_name="")
                )
            await conn.execute(delete(P).where(P.c.id == person_id))
        return counts
