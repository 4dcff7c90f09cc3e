"""The ``PeopleStore`` role port: workspaces and people, names, forget-me."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

__all__ = ["PeopleStore"]


class PeopleStore(Protocol):
    """Workspaces and people: ids for the platform's workspace and user ids, names, and forget-me."""

    async def ensure_workspace(self, platform: str, external_id: str, name: str = "") -> int: ...

    async def ensure_person(
        self, workspace_id: int, external_id: str, display_name: str = "", is_bot: bool = False
    ) -> int: ...

    async def ensure_asker(
        self, platform: str, workspace: str, workspace_name: str, user: str, user_name: str
    ) -> tuple[int, int]:
        """(workspace id, person id) of someone using a command: ``ensure_workspace`` then ``ensure_person``
        (the display name kept current), in one statement when both already exist."""
        ...

    async def person_names(self, person_ids: Sequence[int]) -> dict[int, str]: ...

    async def find_person(self, workspace_id: int, ref: str) -> int | None:
        """A person by external id or display name (case-insensitive)."""
        ...

    async def forget_person(self, person_id: int) -> dict[str, int]:
        """Delete everything stored about a person; the audit log keeps the action but not the person."""
        ...
