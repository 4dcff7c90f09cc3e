"""Discord buttons and forms: the custom ids a press is routed by, drill cards, reply buttons, the
"Report a problem" button and form, disabled copies."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import discord

from adapters.discord.embeds import _cut
from bot.core.feedback import MAX_REPORT_TEXT, REPORT_KINDS, REPORT_VALUE, ReportTarget, button_label
from bot.core.messages import Button, DrillCard, Message, Reply, RevealPost

__all__ = [
    "DRILL_CUSTOM_ID",
    "REPORT_CUSTOM_ID",
    "REPORT_FORM_PREFIX",
    "REVIEW_CUSTOM_ID",
    "buttons_view",
    "card_view",
    "disabled_copy",
    "report_button",
    "report_form",
    "report_form_answers",
]

# Button custom ids carry the whole answer, so a press can be routed after a restart with no view in memory.
DRILL_CUSTOM_ID = re.compile(r"drill:(?P<drill>[0-9]{1,18}):(?P<seq>[0-9]{1,4}):(?P<letter>[A-Da-d])")
# "Report a problem": the custom id is the report target's value (bot.core.feedback.ReportTarget)
REPORT_CUSTOM_ID = REPORT_VALUE
REPORT_FORM_PREFIX = "form:"  # the form's custom id: this prefix and the button's, so a submission needs no memory
_SHOWN_IN = {"reveal": "the reveal", "drill": "your drill", "exam": "your mock exam"}
# a review reminder's "start my reviews": the guild rides along, since the press comes from a DM
REVIEW_CUSTOM_ID = re.compile(r"review:(?P<guild>[0-9]{1,20})")


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
