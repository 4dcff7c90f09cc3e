"""Events API listeners: reactions (the answers to the daily question) and uninstalls."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.shared import PLATFORM, Listeners, team_of

__all__ = ["register_reactions", "register_uninstalls"]

log = logging.getLogger(__name__)


def _event_time(event: dict[str, Any], now: dt.datetime) -> dt.datetime:
    """When the reaction happened per Slack (orders a retry correctly); never later than our clock."""
    try:
        at = dt.datetime.fromtimestamp(float(event["event_ts"]), dt.UTC)
    except (KeyError, TypeError, ValueError):
        return now
    return min(at, now)


def register_reactions(app: AsyncApp, on: Listeners) -> None:
    """``reaction_added`` and ``reaction_removed`` on the bot's messages, stored as raw events."""

    def is_bot_user(user: str, context: dict[str, Any]) -> bool:
        return user in {on.bot_user_id, context.get("bot_user_id")}

    @on.inflight.track
    async def on_reaction(body: dict[str, Any], event: dict[str, Any], context: Any, client: AsyncWebClient) -> None:
        item = event.get("item") or {}
        user, reaction = event.get("user"), event.get("reaction")
        if item.get("type") != "message" or not item.get("channel") or not item.get("ts") or not user or not reaction:
            return  # file reactions and malformed items are not answers
        author = event.get("item_user")
        me = on.bot_user_id or context.get("bot_user_id")
        if author and me and author != me:
            return  # questions are the bot's own messages; skip the lookups for everyone else's
        team = team_of(body)
        bot = is_bot_user(str(user), context)
        name = "" if bot else (await on.directory.lookup(client, team, str(user))).name
        try:
            await on.service.record_reaction(
                platform=PLATFORM,
                workspace=team,
                channel=str(item["channel"]),
                message_ref=str(item["ts"]),
                user=str(user),
                reaction=str(reaction),
                added=event.get("type") == "reaction_added",
                delivery_id=str(
                    body.get("event_id") or f"{event.get('type')}:{item['ts']}:{user}:{event.get('event_ts')}"
                ),
                at=_event_time(event, on.service.now()),
                is_bot=bot,
                user_name=name,
            )
        except Exception:
            log.exception("could not record a reaction", extra={"channel": item.get("channel")})

    app.event("reaction_added")(on_reaction)
    app.event("reaction_removed")(on_reaction)


def register_uninstalls(app: AsyncApp, on: Listeners) -> None:
    """``app_uninstalled`` and ``tokens_revoked``: logged, and with OAuth the installation's tokens deleted."""

    @on.inflight.track
    async def uninstalled(body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        kind, tokens = event.get("type"), event.get("tokens") or {}
        bot_gone = kind == "app_uninstalled" or bool(tokens.get("bot"))
        if bot_gone:
            log.warning(
                "Slack workspace %s: %s; StudyBot can no longer post there until it is reinstalled",
                team_of(body),
                kind,
            )
        store = app.installation_store  # OAuth distribution: forget the workspace's token
        if store is None:
            return
        where = {"enterprise_id": context.get("enterprise_id"), "team_id": context.get("team_id") or team_of(body)}
        try:
            if bot_gone:
                await store.async_delete_all(**where)
            for user in tokens.get("oauth") or []:  # user tokens only: the bot stays installed
                await store.async_delete_installation(**where, user_id=str(user))
        except Exception:
            log.exception("could not delete the installation of Slack workspace %s", where["team_id"])

    for name in ("app_uninstalled", "tokens_revoked"):
        app.event(name)(uninstalled)
