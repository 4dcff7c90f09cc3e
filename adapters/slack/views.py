"""Slack views (not messages): the "Report a problem" form and what it turns into once sent, the App Home tab."""

from __future__ import annotations

import json
from typing import Any

from adapters.slack.blocks import REPORT_VIEW, Block, _header, _reply, _section, _sections, escape
from bot.core.feedback import MAX_REPORT_TEXT, REPORT_BUTTON_LABEL, REPORT_KINDS, ReportTarget
from bot.core.messages import Reply

__all__ = ["home_view", "report_done_view", "report_modal"]


def report_modal(target: ReportTarget, channel: str) -> dict[str, Any]:
    """The "Report a problem" form (views.open): the question id shown, the kind required, the text optional.

    ``private_metadata`` carries the button's value and the channel back with the submission."""
    where = {"reveal": "the reveal", "drill": "your drill", "exam": "your mock exam"}.get(target.source, "")
    return {
        "type": "modal",
        "callback_id": REPORT_VIEW,
        "private_metadata": json.dumps({"target": target.value, "channel": channel}),
        "title": {"type": "plain_text", "text": REPORT_BUTTON_LABEL},
        "submit": {"type": "plain_text", "text": "Send report"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            _section(
                f"Question *{escape(target.question_id)}*" + (f" from {where}" if where else "") + ". "
                "Its authors read what you write here, not who wrote it."
            ),
            {
                "type": "input",
                "block_id": "kind",
                "label": {"type": "plain_text", "text": "What is wrong?"},
                "element": {
                    "type": "static_select",
                    "action_id": "kind",
                    "placeholder": {"type": "plain_text", "text": "Choose one"},
                    "options": [
                        {"text": {"type": "plain_text", "text": label}, "value": kind} for kind, label in REPORT_KINDS
                    ],
                },
            },
            {
                "type": "input",
                "block_id": "text",
                "optional": True,
                "label": {"type": "plain_text", "text": "Details (optional)"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "text",
                    "multiline": True,
                    "max_length": MAX_REPORT_TEXT,
                },
            },
        ],
    }


def report_done_view(text: str) -> dict[str, Any]:
    """What the form turns into once sent: the service's private answer, and a Close button."""
    return {
        "type": "modal",
        "callback_id": f"{REPORT_VIEW}_done",
        "title": {"type": "plain_text", "text": REPORT_BUTTON_LABEL},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": _sections(escape(text)),
    }


def home_view(intro: str, replies: list[Reply], *, chart: tuple[str, str] | None = None) -> dict[str, Any]:
    """The App Home tab: a short introduction, the chart (an uploaded file's id and its alt text) if
    there is one, then the rendered replies (stats, due reviews)."""
    blocks: list[Block] = [_header("StudyBot"), *_sections(escape(intro))]
    if chart is not None:
        file_id, alt = chart
        blocks.append(
            {
                "type": "image",
                "slack_file": {"id": file_id},
                "alt_text": alt[:2000] or "chart",
                "title": {"type": "plain_text", "text": "Your progress"},
            }
        )
    for r in replies:
        blocks.append({"type": "divider"})
        blocks += _reply(r)
    # a Home tab allows 100 blocks; stay well within it
    return {"type": "home", "blocks": blocks[:100]}
