"""The ``TeamStore`` role port: teams, their members and leads."""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["TeamStore"]


class TeamStore(Protocol):
    """Teams, their members and leads."""

    async def ensure_team(self, workspace_id: int, name: str, tz: str = "UTC") -> int: ...

    async def team_by_name(self, workspace_id: int, name: str) -> tuple[int, str, str] | None: ...

    async def team_info(self, team_id: int) -> tuple[int, str, str, int]: ...

    async def delete_team(self, team_id: int) -> int:
        """Delete a team (members become teamless, keeping their answers); returns its member count."""
        ...

    async def set_member(self, workspace_id: int, team_id: int, person_id: int, *, lead: bool | None = None) -> None:
        """Put a person in a team (one team per workspace); optionally set lead; their answers follow them."""
        ...

    async def join_if_teamless(self, workspace_id: int, team_id: int, person_id: int) -> None: ...

    async def remove_member(self, team_id: int, person_id: int) -> bool: ...

    async def person_team(self, workspace_id: int, person_id: int) -> tuple[int, bool] | None: ...

    async def teams(self, workspace_id: int) -> list[dict[str, Any]]: ...

    async def team_names(self, workspace_id: int) -> dict[int, str]: ...
