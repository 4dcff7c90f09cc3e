"""Discord's embed limits and the embeds of questions, reveals and replies (tables as code blocks)."""

from __future__ import annotations

import discord

from bot.core.messages import DrillCard, QuestionPost, Reply, RevealPost, Table
from bot.core.render import EMOJI_GLYPH

__all__ = [
    "ATTACHMENT_DESCRIPTION_LIMIT",
    "BLUE",
    "CONTENT_LIMIT",
    "DESCRIPTION_LIMIT",
    "EMBED_TOTAL_LIMIT",
    "FIELD_NAME_LIMIT",
    "FIELD_VALUE_LIMIT",
    "GREEN",
    "GREY",
    "TITLE_LIMIT",
]

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
ATTACHMENT_DESCRIPTION_LIMIT = 1024  # an attachment's description is its alt text in the client
EMBED_TOTAL_LIMIT = 6000

BLUE = discord.Colour(0x3B82F6)
GREEN = discord.Colour(0x22C55E)
GREY = discord.Colour(0x64748B)


def _cut(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _question_embed(m: QuestionPost) -> discord.Embed:
    options = "\n".join(f"{EMOJI_GLYPH[o.emoji]} **{o.letter}.** {o.text}" for o in m.options)
    embed = discord.Embed(
        title=_cut(f"{m.title} · {m.topic}", TITLE_LIMIT),
        description=f"{m.stem.strip()}\n\n{options}",
        colour=BLUE,
    )
    glyphs = " ".join(EMOJI_GLYPH[o.emoji] for o in m.options)
    embed.set_footer(
        text=f"Objective {m.objective_id} · react with {glyphs} to answer · reveal at {m.reveal_local}{m.answered_note}"
    )
    return embed


def _reveal_embed(m: RevealPost) -> discord.Embed:
    c = m.correct
    embed = discord.Embed(
        title=_cut(f"Answer · objective {m.objective_id}: {m.objective_text}", TITLE_LIMIT),
        description=f"**Correct: {c.letter}. {c.text}**\n\n{m.explanation.strip()}",
        colour=GREEN,
    )
    for o in m.options:
        mark = "✅" if o.correct else "❌"
        embed.add_field(
            name=_cut(f"{mark} {o.letter}. {o.text}", FIELD_NAME_LIMIT - 16) + f" ({o.count})",
            value=_cut(o.rationale or "-", FIELD_VALUE_LIMIT),
            inline=False,
        )
    if m.answered:
        names = ", ".join(m.winners) if m.winners else "nobody this time"
        embed.add_field(name=f"{m.answered} answered", value=_cut(f"Right: {names}", FIELD_VALUE_LIMIT), inline=False)
    else:
        embed.add_field(name="Nobody answered this one", value="Tomorrow's question is a fresh start.", inline=False)
    if m.reason:
        embed.add_field(name="Why this objective", value=_cut(m.reason, FIELD_VALUE_LIMIT), inline=False)
    if m.references:
        links = "\n".join(f"[{_cut(title or url, 200)}]({url})" for title, url in m.references[:3])
        embed.add_field(name="Read more", value=_cut(links, FIELD_VALUE_LIMIT), inline=False)
    embed.set_footer(text=f"Question {m.question_id}")
    return embed


def _table_block(t: Table) -> str:
    widths = [len(c) for c in t.columns]
    for row in t.rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=False)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*t.columns).rstrip(), fmt.format(*("-" * w for w in widths)).rstrip()]
    lines += [fmt.format(*row).rstrip() for row in t.rows]
    if not t.rows:
        lines.append("(no data yet)")
    body = "\n".join(lines).replace("```", "'''")
    out = f"**{t.title}**\n```\n{body}\n```"
    if t.note:
        out += f"\n{t.note}"
    return out


def _card_text(card: DrillCard) -> str:
    options = "\n".join(f"**{o.letter}.** {o.text}" for o in card.options)
    return f"{card.stem.strip()}\n\n{options}"


def _reply_embed(m: Reply) -> discord.Embed | None:
    parts: list[str] = []
    if m.text:
        parts.append(m.text.strip())
    parts += [_table_block(t) for t in m.tables]
    title = m.title
    if m.card is not None:
        head = m.card.header or f"Drill {m.card.seq}/{m.card.total} · objective {m.card.objective_id}"
        if title:
            parts.append(f"**{head}**\n{_card_text(m.card)}")
        else:
            title = head
            parts.append(_card_text(m.card))
    description = "\n\n".join(p for p in parts if p)
    if len(description) > DESCRIPTION_LIMIT or len(title) > TITLE_LIMIT:
        return None
    embed = discord.Embed(description=description or None, colour=GREY if m.private else BLUE)
    if title:
        embed.title = title
    return embed


def _fits(embed: discord.Embed) -> bool:
    if len(embed.title or "") > TITLE_LIMIT or len(embed.description or "") > DESCRIPTION_LIMIT:
        return False
    if len(embed.fields) > 25:
        return False
    return len(embed) <= EMBED_TOTAL_LIMIT
