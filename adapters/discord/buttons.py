"""Dynamic button items: any drill, report or reminder button, on any message, after any restart.

Each item matches its custom id pattern (``render.py``) and hands the press to the client's
:class:`~adapters.discord.interactions.Interactions`; nothing is kept per message (no persistent views).
"""

from __future__ import annotations

import re
from typing import Any

import discord

from adapters.discord.interactions import Interactions
from adapters.discord.views import DRILL_CUSTOM_ID, REPORT_CUSTOM_ID, REVIEW_CUSTOM_ID

__all__ = ["DrillButton", "ReportButton", "ReviewButton"]


def _interactions(interaction: discord.Interaction[discord.Client]) -> Interactions | None:
    handler = getattr(interaction.client, "interactions", None)
    return handler if isinstance(handler, Interactions) else None


class DrillButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=DRILL_CUSTOM_ID):
    """Routes any ``drill:<id>:<seq>:<letter>`` button to the service, on any message, after any restart."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(discord.ui.Button(label=custom_id.rsplit(":", 1)[-1].upper(), custom_id=custom_id))
        self.value = custom_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[discord.Client], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> DrillButton:
        return cls(match.group(0))

    async def callback(self, interaction: discord.Interaction[discord.Client]) -> None:
        handler = _interactions(interaction)
        if handler is not None:
            await handler.press_drill_button(interaction, self.value)


class ReportButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=REPORT_CUSTOM_ID):
    """Routes any "Report a problem" button (``report:<source>:<id>:<version>``) to its form, after any restart."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(discord.ui.Button(label="Report a problem", custom_id=custom_id))
        self.value = custom_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[discord.Client], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReportButton:
        return cls(match.group(0))

    async def callback(self, interaction: discord.Interaction[discord.Client]) -> None:
        handler = _interactions(interaction)
        if handler is not None:
            await handler.open_report_form(interaction, self.value)


class ReviewButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=REVIEW_CUSTOM_ID):
    """Routes a review reminder's ``review:<guild>`` button (pressed in a DM, so the guild is in the id)."""

    def __init__(self, custom_id: str, guild: str) -> None:
        super().__init__(discord.ui.Button(label="Start my reviews", custom_id=custom_id))
        self.value, self.guild = custom_id, guild

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[discord.Client], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReviewButton:
        return cls(match.group(0), match.group("guild"))

    async def callback(self, interaction: discord.Interaction[discord.Client]) -> None:
        handler = _interactions(interaction)
        if handler is not None:
            await handler.press_drill_button(interaction, self.value, guild=self.guild)
