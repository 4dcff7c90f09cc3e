"""Buttons and forms: drill and reminder buttons, and "Report a problem" (the button opens a form, the
form's submission is the report)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import BUTTON_ACTION_PREFIX, DRILL_ACTION_PREFIX, REPORT_ACTION, REPORT_VIEW
from adapters.slack.shared import FAILED, PLATFORM, Listeners, send_replies, team_of
from adapters.slack.views import report_done_view, report_modal
from bot.core.feedback import ReportTarget
from bot.core.messages import Reply
from bot.service import Invocation

__all__ = ["REPORT_WAIT_SECONDS", "register_buttons", "register_report_form"]

log = logging.getLogger(__name__)

REPORT_WAIT_SECONDS = 2.0  # a view submission's answer (the form's next state) must reach Slack within 3 s
REPORT_FAILED = "Sorry, your report could not be stored; the error was logged. Please try again."


def register_buttons(app: AsyncApp, on: Listeners) -> None:
    """A drill's A-D buttons and a reminder's "Start my reviews": acked, then the service's answer."""

    async def on_drill_button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await run_button(body, action, respond, client)

    @on.inflight.track
    async def run_button(
        body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        user = body.get("user") or {}
        team = team_of(body)
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
        try:
            info = await on.directory.lookup(client, team, str(user.get("id") or ""))
            inv = Invocation(
                platform=PLATFORM,
                workspace=team,
                channel=str(channel),
                user=str(user.get("id") or ""),
                user_name=info.name or str(user.get("username") or user.get("name") or ""),
                is_admin=info.is_admin,
                channel_name=str((body.get("channel") or {}).get("name") or ""),
                workspace_name=str((body.get("team") or {}).get("domain") or ""),
            )
            replies = list(await on.service.press_button(inv, str(action.get("value") or "")))
        except Exception:
            log.exception("drill button failed")
            replies = [Reply(FAILED, private=True)]
        try:
            await send_replies(replies, respond, client, str(user.get("id") or ""))
        except Exception:
            log.exception("could not answer a drill button")

    app.action(re.compile(rf"^{DRILL_ACTION_PREFIX}[A-D]$"))(on_drill_button)
    app.action(re.compile(rf"^{BUTTON_ACTION_PREFIX}review$"))(on_drill_button)  # a reminder's "start my reviews"


def register_report_form(app: AsyncApp, on: Listeners) -> None:
    """ "Report a problem": the button opens the form at once; its submission is stored once per view."""

    async def on_report_button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        await open_report_form(body, action, client)

    @on.inflight.track
    async def open_report_form(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
        target = ReportTarget.parse(str(action.get("value") or ""))
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
        if target is None or not body.get("trigger_id"):
            log.info("report button with an unusable value or no trigger id ignored")
            return
        try:  # the trigger id is valid for 3 s: open the form before anything else
            await client.views_open(trigger_id=str(body["trigger_id"]), view=report_modal(target, str(channel)))
        except SlackApiError as exc:
            log.warning("views.open failed: %s", exc.response.get("error") if exc.response is not None else exc)

    app.action(re.compile(rf"^{REPORT_ACTION}(_[0-9]{{1,2}})?$"))(on_report_button)

    async def on_report_submit(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        values = (view.get("state") or {}).get("values") or {}
        chosen = ((values.get("kind") or {}).get("kind") or {}).get("selected_option") or {}
        kind = str(chosen.get("value") or "")
        text = str(((values.get("text") or {}).get("text") or {}).get("value") or "")
        if not kind:  # the form stays open with what was typed
            await ack(response_action="errors", errors={"kind": "Choose what is wrong with the question."})
            return
        try:
            meta = json.loads(str(view.get("private_metadata") or "{}"))
        except ValueError:
            meta = {}
        meta = meta if isinstance(meta, dict) else {}
        user = body.get("user") or {}
        team = team_of(body)
        inv = Invocation(
            platform=PLATFORM,
            workspace=team,
            channel=str(meta.get("channel") or ""),
            user=str(user.get("id") or ""),
            user_name=str(user.get("username") or user.get("name") or ""),
        )
        # the view id is unique per opened form: a repeat of the same submission stores nothing new
        delivery = f"{PLATFORM}:view:{view.get('id') or body.get('trigger_id') or ''}"
        task = asyncio.ensure_future(
            on.service.report_problem(inv, str(meta.get("target") or ""), kind, text, delivery)
        )
        done, _ = await asyncio.wait({task}, timeout=REPORT_WAIT_SECONDS)
        if not done:  # answer Slack in time; the report is told by direct message when it is stored
            await ack(response_action="update", view=report_done_view("Sending your report; a message follows."))
            later = asyncio.ensure_future(on.inflight.track(_report_later)(task, client, inv.user))
            on.background.add(later)
            later.add_done_callback(on.background.discard)
            return
        try:
            reply = task.result()
        except Exception:
            log.exception("storing a report failed")
            reply = Reply(REPORT_FAILED)
        await ack(response_action="update", view=report_done_view(reply.text))

    app.view_submission(REPORT_VIEW)(on_report_submit)


async def _report_later(task: asyncio.Future[Reply], client: AsyncWebClient, user: str) -> None:
    """A report that took too long for the form's answer: tell the person by direct message once it is stored."""
    try:
        text = (await task).text
    except Exception:
        log.exception("storing a report failed")
        text = REPORT_FAILED
    try:
        await client.chat_postMessage(channel=user, text=text)
    except SlackApiError as exc:
        log.warning("could not tell %s about their report: %s", user, exc)
