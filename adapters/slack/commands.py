"""Slash commands: every ``/...`` command is acked at once, then handed to the service as its text."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.shared import FAILED, PLATFORM, Listeners, send_replies
from bot.core.messages import Reply
from bot.service import Invocation

__all__ = ["register_commands"]

log = logging.getLogger(__name__)


def register_commands(app: AsyncApp, on: Listeners) -> None:
    """Listen to every slash command (the service's grammar decides what each one means)."""

    async def invocation(body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient) -> Invocation:
        # a command's payload names its team, user and channel once (team_id, user_id, channel_id): bolt's context
        team, user = str(context.team_id or ""), str(context.user_id or "")
        info = await on.directory.lookup(client, team, user)
        return Invocation(
            platform=PLATFORM,
            workspace=team,
            channel=str(context.channel_id or ""),
            user=user,
            user_name=info.name or str(body.get("user_name") or ""),
            is_admin=info.is_admin,
            channel_name=str(body.get("channel_name") or ""),
            workspace_name=str(body.get("team_domain") or ""),
            user_tz=info.tz,
        )

    async def on_command(
        ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()  # within Slack's 3 s, whatever the work below costs
        await run_command(body, context, respond, client)

    @on.inflight.track
    async def run_command(
        body: dict[str, Any], context: AsyncBoltContext, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        inv: Invocation | None = None
        try:
            inv = await invocation(body, context, client)
            replies = await on.service.handle_command(inv, str(body.get("command") or ""), str(body.get("text") or ""))
        except Exception:
            log.exception("command %s failed", body.get("command"))
            replies = [Reply(FAILED, private=True)]
        try:
            await send_replies(replies, respond, client, str(context.user_id or ""), on.uploads, inv)
        except Exception:
            log.exception("could not send the reply to %s", body.get("command"))

    app.command(re.compile(r"^/.+"))(on_command)
