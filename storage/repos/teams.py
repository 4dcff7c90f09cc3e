"""Teams, members and leads: the SQL side of :class:`bot.core.ports.TeamStore`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update

from storage.sql import TM, A, C, P, SqlBase, T

__all__ = ["TeamsRepo"]


class TeamsRepo(SqlBase):
    """Teams, members and leads."""

    async def ensure_team(self, workspace_id: int, name: str, tz: str = "UTC") -> int:
        async with self._tx() as conn:
            await self._insert_ignore(conn, T, {"workspace_id": workspace_id, "name": name, "tz": tz})
            return int(
                (
                    await conn.execute(select(T.c.id).where(T.c.workspace_id == workspace_id, T.c.name == name))
                ).scalar_one()
            )

    async def team_by_name(self, workspace_id: int, name: str) -> tuple[int, str, str] | None:
        async with self._tx() as conn:
            row = (
                await conn.execute(
                    select(T.c.id, T.c.name, T.c.tz).where(
                        T.c.workspace_id == workspace_id, func.lower(T.c.name) == name.lower()
                    )
                )
            ).first()
        return (row.id, row.name, row.tz) if row else None

    async def team_info(self, team_id: int) -> tuple[int, str, str, int]:
        async with self._tx() as conn:
            row = (
                await conn.execute(select(T.c.id, T.c.name, T.c.tz, T.c.workspace_id).where(T.c.id == team_id))
            ).one()
        return row.id, row.name, row.tz, row.workspace_id

    async def delete_team(self, team_id: int) -> int:
        """Delete a team; its members become teamless and keep their answers (which then belong to no
        team until they join another). Channels of the team are left without one. Returns the member count."""
        async with self._tx() as conn:
            members = (
                await conn.execute(select(func.count()).select_from(TM).where(TM.c.team_id == team_id))
            ).scalar_one()
            await conn.execute(update(A).where(A.c.team_id == team_id).values(team_id=None))
            await conn.execute(update(C).where(C.c.team_id == team_id).values(team_id=None))
            await conn.execute(delete(TM).where(TM.c.team_id == team_id))
            await conn.execute(delete(T).where(T.c.id == team_id))
        return int(members)

    async def set_member(self, workspace_id: int, team_id: int, person_id: int, *, lead: bool | None = None) -> None:
        """Put a person in a team (a person belongs to one team per workspace); optionally set lead.

        Points and weak spots follow the person: their answers move to the new team with them."""
        values: dict[str, Any] = {
            "workspace_id": workspace_id,
            "team_id": team_id,
            "person_id": person_id,
            "is_lead": bool(lead),
        }
        set_: dict[str, Any] = {"team_id": team_id}
        if lead is not None:
            set_["is_lead"] = lead
        stmt = (
            self._insert(TM)
            .values(**values)
            .on_conflict_do_update(index_elements=["workspace_id", "person_id"], set_=set_)
        )
        async with self._tx() as conn:
            await conn.execute(stmt)
            await conn.execute(
                update(A).where(A.c.workspace_id == workspace_id, A.c.person_id == person_id).values(team_id=team_id)
            )

    async def join_if_teamless(self, workspace_id: int, team_id: int, person_id: int) -> None:
        async with self._tx() as conn:
            if await self._insert_ignore(
                conn, TM, {"workspace_id": workspace_id, "team_id": team_id, "person_id": person_id, "is_lead": False}
            ):
                await conn.execute(
                    update(A)
                    .where(A.c.workspace_id == workspace_id, A.c.person_id == person_id)
                    .values(team_id=team_id)
                )

    async def remove_member(self, team_id: int, person_id: int) -> bool:
        async with self._tx() as conn:
            result = await conn.execute(delete(TM).where(TM.c.team_id == team_id, TM.c.person_id == person_id))
            if result.rowcount:
                await conn.execute(
                    update(A).where(A.c.team_id == team_id, A.c.person_id == person_id).values(team_id=None)
                )
        return bool(result.rowcount)

    async def person_team(self, workspace_id: int, person_id: int) -> tuple[int, bool] | None:
        async with self._tx() as conn:
            row = (
                await conn.execute(
                    select(TM.c.team_id, TM.c.is_lead).where(
                        TM.c.workspace_id == workspace_id, TM.c.person_id == person_id
                    )
                )
            ).first()
        return (row.team_id, bool(row.is_lead)) if row else None

    async def teams(self, workspace_id: int) -> list[dict[str, Any]]:
        async with self._tx() as conn:
            teams = (
                await conn.execute(
                    select(T.c.id, T.c.name, T.c.tz).where(T.c.workspace_id == workspace_id).order_by(T.c.name)
                )
            ).all()
            members = (
                await conn.execute(
                    select(TM.c.team_id, TM.c.is_lead, P.c.display_name, P.c.external_id, P.c.id)
                    .join(P, P.c.id == TM.c.person_id)
                    .where(TM.c.workspace_id == workspace_id)
                    .order_by(P.c.display_name)
                )
            ).all()
        by_team: dict[int, list[Any]] = {}
        for m in members:
            by_team.setdefault(m.team_id, []).append(m)
        out = []
        for t in teams:
            ms = by_team.get(t.id, [])
            out.append(
                {
                    "id": t.id,
                    "name": t.name,
                    "tz": t.tz,
                    "members": [(m.id, m.display_name or m.external_id) for m in ms],
                    "leads": [(m.id, m.display_name or m.external_id) for m in ms if m.is_lead],
                }
            )
        return out

    async def team_names(self, workspace_id: int) -> dict[int, str]:
        async with self._tx() as conn:
            rows = (await conn.execute(select(T.c.id, T.c.name).where(T.c.workspace_id == workspace_id))).all()
        return {int(r.id): r.name for r in rows}
