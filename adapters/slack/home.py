"""The App Home tab: the welcome text, the person's own stats and their chart, published on every visit."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.shared import PLATFORM, Listeners, team_of
from adapters.slack.views import home_view
from bot.core.messages import Reply
from bot.service import Invocation, QuizService

__all__ = ["HOME_INTRO", "register_home"]

log = logging.getLogger(__name__)

HOME_INTRO = (
    "StudyBot posts a daily Databricks ML Professional question in subscribed channels. "
    "Answer by reacting with :one: :two: :three: or :four:; the answer is revealed later the same day.\n"
    "• /drill [scope] [count]: a private drill with buttons\n"
    "• /leaderboard [this|last|YYYY-MM-DD] [topicN]: the week's leaders\n"
    "• /weakspots [team]: the objectives your team misses most\n"
    "• /stats: your own numbers\n"
    "• /studybot help: channel settings (admins)"
)


def register_home(app: AsyncApp, on: Listeners) -> None:
    """``app_home_opened`` on the Home tab: publish the view (the welcome view alone if the stats fail)."""

    @on.inflight.track
    async def on_home(body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        team, user = team_of(body), str(event["user"])
        try:
            info = await on.directory.lookup(client, team, user)
            inv = Invocation(PLATFORM, team, str(event.get("channel") or ""), user, info.name, info.is_admin)
            replies = await _home_replies(on.service, inv)
        except Exception:
            log.exception("App Home content failed; showing the welcome view")
            replies = []
        chart = next((r.image for r in replies if r.image is not None), None)
        chart_file = await on.uploads.home_file(client, chart, team, user) if chart is not None else None
        try:
            await client.views_publish(
                user_id=user,
                view=home_view(HOME_INTRO, replies, chart=(chart_file, chart.alt) if chart and chart_file else None),
            )
        except SlackApiError as exc:
            log.warning("views.publish failed: %s", exc.response.get("error") if exc.response is not None else exc)

    app.event("app_home_opened")(on_home)


async def _home_replies(service: QuizService, inv: Invocation) -> list[Reply]:
    """The person's own stats for the Home tab: the ``/stats`` reply when it answers with data (a table or a
    titled reply)."""
    replies = await service.handle_command(inv, "/stats", "")
    return [r for r in replies if r.tables or r.title or r.card is not None]
