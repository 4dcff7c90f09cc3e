"""Neutral messages as Discord embeds and buttons; plain text when an embed would break Discord's limits.

Discord's limits (developers/resources/message.mdx, "Embed Limits"): title 256, description 4096,
25 fields of name 256 / value 1024, 6000 characters in all; message content 2000. Rather than
silently cutting a question in half, a message that cannot fit becomes plain text
(:func:`bot.core.render.to_text`) split over as many messages as needed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import discord

from adapters.discord.embeds import (
    ATTACHMENT_DESCRIPTION_LIMIT,
    CONTENT_LIMIT,
    _fits,
    _question_embed,
    _reply_embed,
    _reveal_embed,
)
from adapters.discord.views import _view
from bot.core.charts import ChartImage
from bot.core.messages import Message, QuestionPost, Reply, RevealPost
from bot.core.render import EMOJI_GLYPH, to_text

__all__ = ["OPTION_REACTIONS", "Rendered", "attachment_name", "message_parts", "render", "split_text"]

# The bot seeds these on every question; people answer by clicking one (keycaps: no skin tones, no aliases).
OPTION_REACTIONS: tuple[str, ...] = tuple(EMOJI_GLYPH[name] for name in ("one", "two", "three", "four"))


@dataclass
class Rendered:
    """What to send for one neutral message: one embed, or plain-text chunks (never both), and maybe a chart.

    A chart goes as a file attachment; an embed shows it with ``attachment://<filename>``.
    """

    embed: discord.Embed | None = None
    chunks: list[str] = field(default_factory=list)
    view: discord.ui.View | None = None
    image: ChartImage | None = None

    @property
    def is_embed(self) -> bool:
        return self.embed is not None


def render(message: Message) -> Rendered:
    """Render a neutral message; falls back to :func:`to_text` chunks when the embed would not fit."""
    embed: discord.Embed | None
    if isinstance(message, QuestionPost):
        embed = _question_embed(message)
    elif isinstance(message, RevealPost):
        embed = _reveal_embed(message)
    else:
        embed = _reply_embed(message)
    view = _view(message)
    image = message.image if isinstance(message, Reply) else None
    if image is not None:
        image = ChartImage(image.png, image.alt, attachment_name(image.filename))
    if embed is not None and _fits(embed):
        if image is not None:
            embed.set_image(url=f"attachment://{image.filename}")
        return Rendered(embed=embed, view=view, image=image)
    return Rendered(chunks=split_text(to_text(message)), view=view, image=image)


def attachment_name(filename: str) -> str:
    """A file name an embed can reference (``attachment://`` takes letters, digits, ``.``, ``_`` and ``-``)."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, "png"
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-") or "chart"
    return f"{safe[:80]}.{re.sub(r'[^A-Za-z0-9]', '', ext) or 'png'}"


def message_parts(rendered: Rendered, *, with_image: bool = True) -> list[dict[str, Any]]:
    """Keyword arguments for one or more sends (several only for an over-long plain-text message).

    With ``with_image`` the chart rides on the last part as a :class:`discord.File` (a fresh one each
    call: a file can be read once); without it the embed's image reference is dropped too, so a
    refused upload leaves a plain, complete text message.
    """
    parts: list[dict[str, Any]]
    if rendered.embed is not None:
        embed = rendered.embed
        if not with_image and rendered.image is not None:
            embed = embed.copy()
            embed.set_image(url=None)
        parts = [{"embed": embed}]
    else:
        parts = [{"content": chunk} for chunk in rendered.chunks]
    if rendered.view is not None:
        parts[-1]["view"] = rendered.view
    if with_image and rendered.image is not None:
        image = rendered.image
        parts[-1]["file"] = discord.File(
            io.BytesIO(image.png), filename=image.filename, description=image.alt[:ATTACHMENT_DESCRIPTION_LIMIT]
        )
    return parts


def split_text(text: str, limit: int = CONTENT_LIMIT) -> list[str]:
    """Split text into Discord-sized messages, at a line break or else a space in the second half of each."""
    text = text.strip() or "(empty)"
    chunks: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit + 1)
        if cut < limit // 2:
            cut = limit
        chunks.append(text[:cut].rstrip())
        text = text[cut + 1 :] if text[cut] in "\n " else text[cut:]
    chunks.append(text)
    return [c for c in chunks if c]
