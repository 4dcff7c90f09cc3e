"""Block Kit rendering of the core's neutral messages (the plain-text fallback comes from ``to_text``).

Slack limits that shape this module (docs.slack.dev/reference/block-kit/blocks, 2026-11):
a message holds at most 50 blocks, a section's text at most 3,000 characters, a header 150,
a button label 75 and a button value 2,000. ``&``, ``<`` and ``>`` must be escaped in text
Slack parses (mrkdwn and the top-level ``text``), or a question about ``a < b`` renders as a
broken link.
"""

from __future__ import annotations

from functools import singledispatch
from typing import Any

from bot.core.feedback import ReportTarget, button_label
from bot.core.messages import DrillCard, Message, QuestionPost, Reply, RevealPost, Table
from bot.core.render import table_text, to_text

__all__ = [
    "BUTTON_ACTION_PREFIX",
    "DRILL_ACTION_PREFIX",
    "REPORT_ACTION",
    "REPORT_VIEW",
    "Block",
    "drill_button_value",
    "escape",
    "fallback_text",
    "to_blocks",
]

Block = dict[str, Any]

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_FALLBACK = 3900
DRILL_ACTION_PREFIX = "drill_answer_"
REPORT_ACTION = "report_problem"  # the button's action id
REPORT_VIEW = "report_problem"  # the form's callback id
BUTTON_ACTION_PREFIX = "studybot_"  # other reply buttons: studybot_review starts the review drill


def escape(text: str) -> str:
    """Escape the three characters Slack treats as control characters in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fallback_text(message: Message) -> str:
    """The notification / screen-reader text of a message (escaped, bounded)."""
    return _cut(escape(to_text(message)), MAX_FALLBACK)


def _header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": _cut(text, MAX_HEADER), "emoji": True}}


def _sections(mrkdwn: str) -> list[Block]:
    """One or more sections for text that may exceed a section's limit (split on line breaks)."""
    out: list[Block] = []
    chunk = ""
    for line in mrkdwn.splitlines() or [""]:
        while len(line) > MAX_SECTION:  # a single enormous line: hard split
            if chunk:
                out.append(_section(chunk))
                chunk = ""
            out.append(_section(line[:MAX_SECTION]))
            line = line[MAX_SECTION:]
        candidate = f"{chunk}\n{line}" if chunk else line
        if len(candidate) > MAX_SECTION:
            out.append(_section(chunk))
            chunk = line
        else:
            chunk = candidate
    if chunk.strip():
        out.append(_section(chunk))
    return out


def _section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn if mrkdwn.strip() else "…"}}


def _context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(mrkdwn, MAX_SECTION)}]}


def _table(t: Table) -> list[Block]:
    body = escape(table_text(t))
    # a code block keeps the columns aligned; split long tables into several code blocks
    blocks: list[Block] = []
    lines = body.splitlines()
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) + 8 > MAX_SECTION:
            blocks.append(_section("```" + "\n".join(chunk) + "```"))
            chunk = []
        chunk.append(line[: MAX_SECTION - 8])
    if chunk:
        blocks.append(_section("```" + "\n".join(chunk) + "```"))
    return blocks


def _bounded(blocks: list[Block]) -> list[Block]:
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    return blocks[: MAX_BLOCKS - 1] + [_context("_(shortened: the full text is in the notification)_")]


@singledispatch
def _render(message: object) -> list[Block]:
    raise TypeError(f"cannot render {type(message).__name__}")


def to_blocks(message: Message) -> list[Block]:
    """Block Kit blocks for a neutral message."""
    return _bounded(_render(message))


@_render.register
def _question(m: QuestionPost) -> list[Block]:
    options = "\n".join(f":{o.emoji}: *{o.letter}.* {escape(o.text)}" for o in m.options)
    emoji = " ".join(f":{o.emoji}:" for o in m.options)
    return [
        _header(f"{m.title} · {m.topic}"),
        _context(f"Objective {escape(m.objective_id)}"),
        *_sections(escape(m.stem.strip())),
        *_sections(options),
        _context(f"React with {emoji} to answer. The answer is revealed at {escape(m.reveal_local)}.{m.answered_note}"),
    ]


@_render.register
def _reveal(m: RevealPost) -> list[Block]:
    c = m.correct
    blocks: list[Block] = [
        _header(f"Answer · objective {m.objective_id}"),
        _context(escape(m.objective_text)) if m.objective_text else _context(f"Question {escape(m.question_id)}"),
        _section(_cut(f"*Correct: {c.letter}.* {escape(c.text)}", MAX_SECTION)),
    ]
    if m.explanation.strip():
        blocks += _sections(escape(m.explanation.strip()))
    lines = [
        f"{'✅' if o.correct else '❌'} *{o.letter}* ({o.count} chose it): {escape(o.rationale)}" for o in m.options
    ]
    blocks += _sections("\n".join(lines))
    if m.answered:
        names = ", ".join(escape(n) for n in m.winners) if m.winners else "nobody this time"
        blocks.append(_context(f"{m.answered} answered; right: {names}."))
    else:
        blocks.append(_context("Nobody answered this one."))
    if m.reason:
        blocks.append(_context(f"Why this objective: {escape(m.reason)}."))
    if m.references:
        links = " · ".join(f"<{url}|{escape(title) or 'link'}>" for title, url in m.references[:3] if _safe_url(url))
        if links:
            blocks.append(_context(f"Read more: {links}"))
    blocks += _report_buttons(m.reports)
    return blocks


def _report_buttons(targets: tuple[ReportTarget, ...]) -> list[Block]:
    """An actions block of "Report a problem" buttons (one per question, at most 25, action ids unique
    in the block as Slack requires); each value names the question and the version shown."""
    if not targets:
        return []
    return [
        {
            "type": "actions",
            "block_id": "report",
            "elements": [
                {
                    "type": "button",
                    "action_id": REPORT_ACTION if i == 0 else f"{REPORT_ACTION}_{i}",
                    "text": {"type": "plain_text", "text": button_label(target)},
                    "value": target.value,
                }
                for i, target in enumerate(targets[:25])
            ],
        }
    ]


def _safe_url(url: str) -> bool:
    return url.startswith(("https://", "http://")) and not any(ch in url for ch in "<>| ")


def drill_button_value(card: DrillCard, letter: str) -> str:
    """The value a drill button carries back (``drill:<id>:<seq>:<letter>``, see DrillCard)."""
    return f"drill:{card.drill_id}:{card.seq}:{letter}"


def _card(card: DrillCard) -> list[Block]:
    head = card.header or f"Drill {card.seq}/{card.total} · objective {card.objective_id}"
    options = "\n".join(f"*{o.letter}.* {escape(o.text)}" for o in card.options)
    return [
        _section(_cut(f"*{escape(head)}*", MAX_SECTION)),
        *_sections(escape(card.stem.strip())),
        *_sections(options),
        {
            "type": "actions",
            "block_id": f"drill:{card.drill_id}:{card.seq}",
            "elements": [
                {
                    "type": "button",
                    "action_id": f"{DRILL_ACTION_PREFIX}{o.letter}",
                    "text": {"type": "plain_text", "text": o.letter},
                    "value": drill_button_value(card, o.letter),
                }
                for o in card.options
            ],
        },
    ]


@_render.register
def _reply(m: Reply) -> list[Block]:
    blocks: list[Block] = []
    if m.title:
        blocks.append(_header(m.title))
    if m.text:
        blocks += _sections(escape(m.text))
    for t in m.tables:
        blocks += _table(t)
    if m.card is not None:
        blocks += _card(m.card)
    blocks += _report_buttons(m.reports)
    if m.buttons:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": button_action_id(b.value),
                        "text": {"type": "plain_text", "text": b.label[:75]},
                        "value": b.value,
                        **({"style": "primary"} if i == 0 else {}),
                    }
                    for i, b in enumerate(m.buttons[:5])
                ],
            }
        )
    return blocks or [_section("…")]


def button_action_id(value: str) -> str:
    """A reply button's action id: ``studybot_`` and the value's kind (``studybot_review``)."""
    return f"{BUTTON_ACTION_PREFIX}{value.split(':', 1)[0]}"
