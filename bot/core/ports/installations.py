"""The ``SlackInstallations`` port: Slack OAuth installations and the OAuth flow's one-time states."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Protocol

__all__ = ["SlackInstallations"]


class SlackInstallations(Protocol):
    """Slack OAuth installations (the latest one per workspace or org) and the OAuth flow's one-time states.

    An installation is a JSON-safe mapping of Slack's installation fields (``team_id``, ``enterprise_id``,
    ``is_enterprise_install``, ``bot_token``, ``bot_user_id``, ``bot_id``, ``app_id``, ``user_id`` of the
    installer, ``installed_at`` in Unix seconds, ...), returned as it was saved. ``enterprise_id=None`` in a
    lookup means "any org" (a notifier knows only the team id).
    """

    async def save(self, installation: Mapping[str, Any]) -> None: ...

    async def find(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool = False
    ) -> dict[str, Any] | None: ...

    async def delete(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool = False
    ) -> int: ...

    async def issue_state(self, state: str, expires_at: dt.datetime, now: dt.datetime) -> None: ...

    async def consume_state(self, state: str, now: dt.datetime) -> bool:
        """True once for an issued state that has not expired at ``now``."""
        ...
