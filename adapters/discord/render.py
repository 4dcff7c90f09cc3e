"""Neutral messages as Discord embeds and buttons; plain text when an embed would break Discord's limits.

Discord's limits (developers/resources/message.mdx, "Embed Limits"): title 256, description 4096,
25 fields of name 256 / value 1024, 6000 characters in all; message content 2000. Rather than
silently cutting a question in half, a message that cannot fit becomes plain text
(:func:`bot.core.render.to_text`) split over as many messages as needed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.core.charts import ChartImage
from bot.core.feedback import MAX_REPORT_TEXT, REPORT_KINDS, REPORT_VALUE, ReportTarget, button_label
from bot.core.messages import Button, DrillCard, Message, QuestionPost, Reply, RevealPost, Table
from bot.core.render import EMOJI_GLYPH, to_text

__all__ = [
    "DRILL_CUSTOM_ID",
    "OPTION_REACTIONS",
    "REPORT_CUSTOM_ID",
    "REPORT_FORM_PREFIX",
    "REVIEW_CUSTOM_ID",
    "Rendered",
    "buttons_view",
    "card_view",
    "disabled_copy",
    "message_parts",
    "render",
    "report_button",
    "report_form",
    "report_form_answers",
    "split_text",
]

# The bot seeds these on every question; people answer by clicking one (keycaps: no skin tones, no aliases).
OPTION_REACTIONS: tuple[str, ...] = tuple(EMOJI_GLYPH[name] for name in ("one", "two", "three", "four"))

# Button custom ids carry the whole answer, so a press can be routed after a restart with no view in memory.
DRILL_CUSTOM_ID = re.compile(r"drill:(?P<drill>[0-9]{1,18}):(?P<seq>[0-9]{1,4}):(?P<letter>[A-Da-d])")
# "Report a problem": the custom id is the report target's value (bot.core.feedback.ReportTarget)
REPORT_CUSTOM_ID = REPORT_VALUE
REPORT_FORM_PREFIX = "form:"  # the form's custom id: this prefix and the button's, so a submission needs no memory
_SHOWN_IN = {"reveal": "the reveal", "drill": "your drill", "exam": "your mock exam"}
# a review reminder's "start my reviews": the guild rides along, since the press comes from a DM
REVIEW_CUSTOM_ID = re.compile(r"review:(?P<guild>[0-9]{1,20})")

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


def _view(message: Message) -> discord.ui.View | None:
    """The message's buttons: a drill card's A-D and/or "Report a problem" (a stopped view, see card_view)."""
    card = message.card if isinstance(message, Reply) else None
    reports = message.reports if isinstance(message, Reply | RevealPost) else ()
    buttons = message.buttons if isinstance(message, Reply) else ()
    if card is None and not reports and not buttons:
        return None
    if card is None and not reports:
        return buttons_view(buttons)
    view = card_view(card) if card is not None else discord.ui.View(timeout=None)
    first_row = 1 if card is not None else 0
    for i, target in enumerate(reports[: 5 * (5 - first_row)]):  # 5 buttons a row, 5 rows a message
        view.add_item(report_button(target, row=first_row + i // 5))
    view.stop()
    return view


def buttons_view(buttons: Sequence[Button]) -> discord.ui.View:
    """A reply's buttons (custom id = the button's value, e.g. ``review:<guild>``), as a stopped view
    like :func:`card_view`: presses are routed by the client's dynamic items."""
    view = discord.ui.View(timeout=None)
    for i, b in enumerate(buttons[:5]):
        style = discord.ButtonStyle.primary if i == 0 else discord.ButtonStyle.secondary
        view.add_item(discord.ui.Button(label=b.label[:80], custom_id=b.value[:100], style=style))
    view.stop()
    return view


def report_button(target: ReportTarget, *, row: int | None = None) -> discord.ui.Button[discord.ui.View]:
    """The "Report a problem" button; its custom id is the target's value, routed by ``ReportButton``."""
    return discord.ui.Button(
        label=button_label(target), style=discord.ButtonStyle.secondary, custom_id=target.value, row=row, emoji="🚩"
    )


def report_form(target: ReportTarget) -> discord.ui.Modal:
    """The "Report a problem" form (a type 9 MODAL callback): the question id in its title, a required
    select of kinds and optional text. discord.py 2.6+ puts a select in a modal through ``ui.Label``.

    The modal is stopped: discord.py keeps no object for it, and its submission (a type 5 interaction
    with this custom id) is read by ``StudyBotClient.on_interaction``, before or after a restart."""
    form = discord.ui.Modal(title=_cut(f"Report {target.question_id}", 45), custom_id=REPORT_FORM_PREFIX + target.value)
    where = _SHOWN_IN.get(target.source, "")
    form.add_item(
        discord.ui.TextDisplay(
            f"Question **{target.question_id}**" + (f" from {where}" if where else "") + ". "
            "Its authors read what you write here, not who wrote it."
        )
    )
    kinds = [discord.SelectOption(label=label, value=kind) for kind, label in REPORT_KINDS]
    form.add_item(
        discord.ui.Label(
            text="What is wrong?",
            component=discord.ui.Select(custom_id="kind", options=kinds, min_values=1, max_values=1, required=True),
        )
    )
    form.add_item(
        discord.ui.Label(
            text="Details (optional)",
            component=discord.ui.TextInput(
                custom_id="text", style=discord.TextStyle.paragraph, required=False, max_length=MAX_REPORT_TEXT
            ),
        )
    )
    form.stop()
    return form


def report_form_answers(data: Any) -> tuple[str, str, str] | None:
    """(button value, kind, text) from a modal submission's data; None if it is not a report form."""
    if not isinstance(data, dict):
        return None
    custom_id = str(data.get("custom_id") or "")
    if not custom_id.startswith(REPORT_FORM_PREFIX):
        return None
    answers: dict[str, str] = {}
    stack: list[Any] = list(data.get("components") or [])
    while stack:
        item = stack.pop()
        if not isinstance(item, dict):
            continue
        stack += list(item.get("components") or []) + ([item["component"]] if "component" in item else [])
        if "custom_id" in item:
            values = item.get("values")
            answers[str(item["custom_id"])] = (
                str(values[0]) if isinstance(values, list) and values else str(item.get("value") or "")
            )
    return custom_id.removeprefix(REPORT_FORM_PREFIX), answers.get("kind", ""), answers.get("text", "")


def card_view(card: DrillCard) -> discord.ui.View:
    """A view with one button per option; custom ids are ``drill:<id>:<seq>:<letter>``.

    The view is stopped before it is returned: discord.py then sends its components without
    keeping the view in memory (one per drill question would grow forever, and an ephemeral
    view is force-expired after 15 minutes). Presses are routed by the ``DrillButton``
    dynamic item registered in ``setup_hook``, which works the same before and after a restart.
    """
    view = discord.ui.View(timeout=None)
    for option in card.options[:5]:
        view.add_item(
            discord.ui.Button(
                label=option.letter,
                style=discord.ButtonStyle.secondary,
                custom_id=f"drill:{card.drill_id}:{card.seq}:{option.letter}",
            )
        )
    view.stop()
    return view


def disabled_copy(message: discord.Message, pressed_custom_id: str) -> discord.ui.View:
    """The message's buttons, disabled, with the pressed one highlighted (a stopped view)."""
    view = discord.ui.View.from_message(message, timeout=None)
    for item in view.children:
        if isinstance(item, discord.ui.Button):
            item.disabled = True
            if item.custom_id == pressed_custom_id:
                item.style = discord.ButtonStyle.primary
    view.stop()
    return view


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
