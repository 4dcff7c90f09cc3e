"""The slack-bolt ``AsyncApp``: listeners ack, translate, call the service and render Block Kit.

This module builds the app: its middleware (payload check, event dedupe) and the catch-all
listeners; the listener groups are registered from ``commands.py`` (slash commands), ``actions.py``
(buttons and the report form), ``events.py`` (reactions, uninstalls) and ``home.py`` (App Home),
with what they share (user directory, reply sending, ``wait_idle``) in ``shared.py``.

Reliability rules this module keeps (see protocols.md §1.5-§1.6):

* Events are deduplicated on ``event_id`` by a global middleware that answers a repeat with
  HTTP 200 and an empty body. A retry (``X-Slack-Retry-Num``) whose original never arrived is
  processed like a first delivery.
* Every request type Slack can send has a listener, at least a no-op one, because bolt answers
  404 for unmatched requests and Slack counts that as a failed delivery.
* Commands and actions ``ack()`` before any work; bolt (``process_before_response=False``) sends the
  HTTP 200 at that point and the rest of the listener runs as a task.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.actions import register_buttons, register_report_form
from adapters.slack.commands import register_commands
from adapters.slack.events import register_reactions, register_uninstalls
from adapters.slack.gate import payload_problem
from adapters.slack.home import HOME_INTRO, register_home
from adapters.slack.shared import PLATFORM, Listeners, track_listeners, wait_idle
from bot.service import QuizService

__all__ = ["EVENT_TYPES", "HOME_INTRO", "build_slack_app", "wait_idle"]

log = logging.getLogger(__name__)

# Event subscriptions in slack-app-manifest.yaml; each has a listener (events.py, home.py).
EVENT_TYPES = ("reaction_added", "reaction_removed", "app_home_opened", "app_uninstalled", "tokens_revoked")
CLAIM_WAIT_SECONDS = 0.5


def _forget(tasks: set[asyncio.Future[Any]]) -> Callable[[asyncio.Task[bool]], None]:
    def done(task: asyncio.Task[bool]) -> None:
        tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("late delivery claim failed: %s", task.exception())

    return done


def build_slack_app(
    service: QuizService,
    *,
    client: AsyncWebClient,
    signing_secret: str | None,
    bot_user_id: str | None = None,
    authorize: Callable[..., Awaitable[Any]] | None = None,
    oauth_settings: AsyncOAuthSettings | None = None,
) -> AsyncApp:
    """Build the bolt app around the service.

    Args:
        service: the quiz service (the only thing listeners call).
        client: the Web API client; its ``base_url`` decides where calls go (``SLACK_API_URL``).
        signing_secret: verifies HTTP requests. ``None`` (Socket Mode) installs a random secret, so an
            HTTP request can never pass verification by accident.
        bot_user_id: the bot's own user id (its seed reactions never count); bolt also learns it
            from ``auth.test``.
        authorize: multi-workspace installs: bolt's ``authorize`` function (team -> tokens).
        oauth_settings: OAuth distribution (``adapters.slack.oauth.make_oauth_settings``): the install
            routes, and each request's token from the installation store; uninstalls delete the installation.
    """
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret or secrets.token_hex(32),
        authorize=authorize,
        oauth_settings=oauth_settings,
        process_before_response=False,
        request_verification_enabled=True,
        name="studybot",
        logger=logging.getLogger("adapters.slack.bolt"),
    )
    on = Listeners(service, track_listeners(app), bot_user_id)
    _use_middleware(app, on)
    register_reactions(app, on)
    register_commands(app, on)
    register_buttons(app, on)
    register_report_form(app, on)
    register_home(app, on)
    register_uninstalls(app, on)
    _register_fallbacks(app)
    return app


def _use_middleware(app: AsyncApp, on: Listeners) -> None:
    """Check every payload's shape, then drop repeated event deliveries (by ``event_id``)."""

    async def dedupe(body: dict[str, Any], next: Callable[[], Awaitable[None]]) -> BoltResponse | None:  # noqa: A002
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            first = await claim(str(event_id))
            if not first:
                log.info("duplicate delivery %s ignored", event_id)
                return BoltResponse(status=200, body="")
        await next()
        return None

    async def claim(event_id: str) -> bool:
        """True unless the delivery is known to be a repeat. The claim runs before the ack, so it may
        take at most CLAIM_WAIT_SECONDS (a database busy with another writer must not push the ack past
        Slack's 3 s); after that, or if the store fails, the event is processed anyway: every write it
        leads to is idempotent (keyed by the event id), so a repeat still changes nothing."""
        task = asyncio.ensure_future(on.service.claim_delivery(f"{PLATFORM}:{event_id}"))
        done, _ = await asyncio.wait({task}, timeout=CLAIM_WAIT_SECONDS)
        if not done:
            on.background.add(task)  # let it finish; never cancel a database call half-way
            task.add_done_callback(_forget(on.background))
            log.warning("delivery %s: the store is slow; processing without the dedupe check", event_id)
            return True
        try:
            return task.result()
        except Exception:
            log.exception("cannot record delivery %s; processing it anyway", event_id)
            return True

    async def validate(body: dict[str, Any], next: Callable[[], Awaitable[None]]) -> BoltResponse | None:  # noqa: A002
        problem = payload_problem(body)  # Socket Mode payloads arrive here unchecked; HTTP ones were gated already
        if problem is not None:
            log.info("Slack payload ignored: %s", problem)
            return BoltResponse(status=400, body="")
        await next()
        return None

    app.use(validate)
    app.use(dedupe)


def _register_fallbacks(app: AsyncApp) -> None:
    """Everything else: answered 200 so Slack never sees a 404 (registered last: bolt takes the first match)."""

    async def ignore_event(body: dict[str, Any]) -> None:
        log.debug("event %s needs no action", (body.get("event") or {}).get("type"))

    async def just_ack(ack: AsyncAck) -> None:
        await ack()

    async def no_options(ack: AsyncAck) -> None:
        await ack(options=[])

    app.event(re.compile(r".*"))(ignore_event)
    app.action(re.compile(r".*"))(just_ack)  # e.g. the link buttons of a reveal still send block_actions
    app.shortcut(re.compile(r".*"))(just_ack)
    app.view_submission(re.compile(r".*"))(just_ack)
    app.view_closed(re.compile(r".*"))(just_ack)
    app.options(re.compile(r".*"))(no_options)
