"""Plain-text rendering of neutral messages (console output and chat notification fallbacks)."""

from __future__ import annotations

import unicodedata
from functools import singledispatch

from bot.core.messages import DrillCard, QuestionPost, Reply, RevealPost, Table

__all__ = ["shorten", "EMOJI_GLYPH", "table_text", "to_text"]

EMOJI_GLYPH = {"one": "1\ufe0f\u20e3", "two": "2\ufe0f\u20e3", "three": "3\ufe0f\u20e3", "four": "4\ufe0f\u20e3"}


@singledispatch
def to_text(message: object) -> str:
    raise TypeError(f"cannot render {type(message).__name__}")


@to_text.register
def _question(m: QuestionPost) -> str:
    lines = [f"{m.title} · {m.topic} · objective {m.objective_id}", "", m.stem.strip(), ""]
    lines += [f"{EMOJI_GLYPH[o.emoji]} {o.letter}. {o.text}" for o in m.options]
    lines += [
        "",
        f"React with {' '.join(EMOJI_GLYPH[o.emoji] for o in m.options)} to answer. Reveal at {m.reveal_local}.{m.answered_note}",
    ]
    return "\n".join(lines)


@to_text.register
def _reveal(m: RevealPost) -> str:
    c = m.correct
    lines = [f"Answer · objective {m.objective_id}: {m.objective_text}", f"Correct: {c.letter}. {c.text}", ""]
    lines.append(m.explanation)
    lines.append("")
    for o in m.options:
        mark = "✅" if o.correct else "❌"
        lines.append(f"{mark} {o.letter} ({o.count} chose it): {o.rationale}")
    lines.append("")
    if m.answered:
        names = ", ".join(m.winners) if m.winners else "nobody this time"
        lines.append(f"{m.answered} answered; right: {names}.")
    else:
        lines.append("Nobody answered this one.")
    if m.reason:
        lines.append(f"Why this objective: {m.reason}.")
    if m.references:
        lines.append("Read more: " + " · ".join(url for _, url in m.references[:2]))
    return "\n".join(lines)


def display_width(text: str) -> int:
    """Columns a string takes in a monospace font: wide (CJK, emoji) characters take two, combining marks none."""
    return sum(
        0 if unicodedata.combining(ch) or ch in "\u200d\ufe0f" else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def cell_text(text: str, limit: int = 72) -> str:
    """A table cell cut to ``limit`` display columns (long names would widen every row)."""
    if display_width(text) <= limit:
        return text
    out = ""
    for ch in text:
        if display_width(out + ch) > limit - 1:
            break
        out += ch
    return out + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def table_text(t: Table) -> str:
    rows = [tuple(cell_text(c) for c in row) for row in t.rows]
    widths = [display_width(c) for c in t.columns]
    for row in rows:
        widths = [max(w, display_width(cell)) for w, cell in zip(widths, row, strict=False)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(_pad(c, w) for c, w in zip(cells, widths, strict=False)).rstrip()

    out = [t.title, line(tuple(t.columns)), line(tuple("-" * w for w in widths))]
    out += [line(row) for row in rows]
    if not t.rows:
        out.append("(no data yet)")
    if t.note:
        out.append(t.note)
    return "\n".join(out)


@to_text.register
def _card(m: DrillCard) -> str:
    head = m.header or f"Drill {m.seq}/{m.total} · objective {m.objective_id}"
    lines = [head, "", m.stem.strip(), ""]
    lines += [f"[{o.letter}] {o.text}" for o in m.options]
    return "\n".join(lines)


@to_text.register
def _reply(m: Reply) -> str:
    parts = [m.title] if m.title else []
    if m.text:
        parts.append(m.text)
    parts += [table_text(t) for t in m.tables]
    if m.card is not None:
        parts.append(to_text(m.card))
    return "\n\n".join(parts)


def shorten(text: str, n: int) -> str:
    """``text`` on one line, cut to ``n`` characters with an ellipsis when longer."""
    flat = " ".join(text.split())
    return flat if len(flat) <= n else flat[: n - 1].rstrip() + "…"
