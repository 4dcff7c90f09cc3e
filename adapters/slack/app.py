"""The slack-bolt ``AsyncApp``: listeners ack, translate, call the service and render Block Kit.

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
import datetime as dt
import functools
import json
import logging
import re
import secrets
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import (
    BUTTON_ACTION_PREFIX,
    DRILL_ACTION_PREFIX,
    REPORT_ACTION,
    REPORT_VIEW,
    fallback_text,
    home_view,
    report_done_view,
    report_modal,
    to_blocks,
)
from adapters.slack.files import ChartUploads
from adapters.slack.gate import payload_problem
from bot.core.feedback import ReportTarget
from bot.core.messages import Reply
from bot.service import Invocation, QuizService

__all__ = ["EVENT_TYPES", "HOME_INTRO", "build_slack_app", "wait_idle"]

log = logging.getLogger(__name__)

PLATFORM = "slack"
# Event subscriptions in slack-app-manifest.yaml; each has a listener below.
EVENT_TYPES = ("reaction_added", "reaction_removed", "app_home_opened", "app_uninstalled", "tokens_revoked")
USER_CACHE_SECONDS = 120.0
CLAIM_WAIT_SECONDS = 0.5
REPORT_WAIT_SECONDS = 2.0  # a view submission's answer (the form's next state) must reach Slack within 3 s
HOME_INTRO = (
    "StudyBot posts a daily Databricks ML Professional question in subscribed channels. "
    "Answer by reacting with :one: :two: :three: or :four:; the answer is revealed later the same day.\n"
    "• /drill [scope] [count]: a private drill with buttons\n"
    "• /leaderboard [this|last|YYYY-MM-DD] [topicN]: the week's leaders\n"
    "• /weakspots [team]: the objectives your team misses most\n"
    "• /stats: your own numbers\n"
    "• /studybot help: channel settings (admins)"
)

P = ParamSpec("P")
R = TypeVar("R")


class _Inflight:
    """Counts listener bodies still running after their ack (tests and graceful shutdown wait on it)."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def track(self, fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(fn)  # bolt reads the listener's argument names through inspect.unwrap
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            self.count += 1
            self._idle.clear()
            try:
                return await fn(*args, **kwargs)
            finally:
                self.count -= 1
                if self.count == 0:
                    self._idle.set()

        return wrapper

    async def wait(self, within: float) -> bool:
        try:
            await asyncio.wait_for(self._idle.wait(), within)
        except TimeoutError:
            return False
        return True


_INFLIGHT: weakref.WeakKeyDictionary[AsyncApp, _Inflight] = weakref.WeakKeyDictionary()


async def wait_idle(app: AsyncApp, within: float = 10.0) -> bool:
    """Wait until no listener of ``app`` is running (work continues after ``ack()``); False on timeout."""
    inflight = _INFLIGHT.get(app)
    if inflight is None:
        return True
    # a request that has just been acked may not have started its listener task yet
    for _ in range(3):
        await asyncio.sleep(0)
    return await inflight.wait(within)


@dataclass(frozen=True, slots=True)
class _UserInfo:
    name: str
    is_admin: bool
    is_bot: bool
    expires: float
    tz: str = ""  # the profile's IANA zone (users.info ``tz``)


class _Directory:
    """``users.info`` with a short cache: display names and the workspace admin/owner flag."""

    def __init__(self, ttl: float = USER_CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._cache: dict[tuple[str, str], _UserInfo] = {}

    async def lookup(self, client: AsyncWebClient, team: str, user: str) -> _UserInfo:
        key = (team, user)
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and hit.expires > now:
            return hit
        try:
            resp = await client.users_info(user=user)
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else "unknown_error"
            log.warning("users.info failed for %s: %s (treated as a member)", user, error)
            info = _UserInfo("", False, False, now + min(self.ttl, 30.0))
        else:
            u = resp.get("user") or {}
            profile = u.get("profile") or {}
            name = profile.get("display_name") or profile.get("real_name") or u.get("real_name") or u.get("name") or ""
            is_admin = bool(u.get("is_admin") or u.get("is_owner") or u.get("is_primary_owner"))
            info = _UserInfo(str(name), is_admin, bool(u.get("is_bot")), now + self.ttl, str(u.get("tz") or ""))
        if len(self._cache) > 10_000:  # bound memory in very large workspaces
            self._cache.clear()
        self._cache[key] = info
        return info


def _forget(tasks: set[asyncio.Future[Any]]) -> Callable[[asyncio.Task[bool]], None]:
    def done(task: asyncio.Task[bool]) -> None:
        tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("late delivery claim failed: %s", task.exception())

    return done


async def _report_later(task: asyncio.Future[Reply], client: AsyncWebClient, user: str) -> None:
    """A report that took too long for the form's answer: tell the person by direct message once it is stored."""
    try:
        text = (await task).text
    except Exception:
        log.exception("storing a report failed")
        text = "Sorry, your report could not be stored; the error was logged. Please try again."
    try:
        await client.chat_postMessage(channel=user, text=text)
    except SlackApiError as exc:
        log.warning("could not tell %s about their report: %s", user, exc)


def _team_of(body: dict[str, Any]) -> str:
    """The workspace of a request: the envelope's team (events, commands) or the payload's (actions)."""
    team = body.get("team_id") or (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    return str(team or "")


def _event_time(event: dict[str, Any], now: dt.datetime) -> dt.datetime:
    """When the reaction happened per Slack (orders a retry correctly); never later than our clock."""
    try:
        at = dt.datetime.fromtimestamp(float(event["event_ts"]), dt.UTC)
    except (KeyError, TypeError, ValueError):
        return now
    return min(at, now)


async def _send_replies(
    replies: Sequence[Reply],
    respond: AsyncRespond | None,
    client: AsyncWebClient,
    user: str,
    uploads: ChartUploads | None = None,
    inv: Invocation | None = None,
) -> None:
    """Private replies are ephemeral, others go to the channel; without a response_url, a DM.

    A reply's chart is uploaded after its text (into the channel, or by DM for a private reply);
    a refused upload leaves the text as it is and tells an admin once what to grant.
    """
    for reply in replies:
        text, blocks = fallback_text(reply), to_blocks(reply)
        if respond is not None and respond.response_url:
            await respond(
                text=text,
                blocks=blocks,
                response_type="ephemeral" if reply.private else "in_channel",
                replace_original=False,
            )
        else:
            await client.chat_postMessage(channel=user, text=text, blocks=blocks)
        if reply.image is None or uploads is None or inv is None:
            continue
        target = await uploads.direct_channel(client, user) if reply.private or not inv.channel else inv.channel
        if target is None:
            continue
        error = await uploads.upload(client, reply.image, target, inv.workspace)
        notice = uploads.admin_notice(inv.workspace, error, inv.is_admin)
        if notice is not None and respond is not None and respond.response_url:
            await respond(text=notice, response_type="ephemeral", replace_original=False)


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
    inflight = _Inflight()
    _INFLIGHT[app] = inflight
    directory = _Directory()

    background: set[asyncio.Future[Any]] = set()
    uploads = ChartUploads()

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
        task = asyncio.ensure_future(service.claim_delivery(f"{PLATFORM}:{event_id}"))
        done, _ = await asyncio.wait({task}, timeout=CLAIM_WAIT_SECONDS)
        if not done:
            background.add(task)  # let it finish; never cancel a database call half-way
            task.add_done_callback(_forget(background))
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

    def is_bot_user(user: str, context: dict[str, Any]) -> bool:
        return user in {bot_user_id, context.get("bot_user_id")}

    # -- reactions --------------------------------------------------------------------------
    @inflight.track
    async def on_reaction(body: dict[str, Any], event: dict[str, Any], context: Any, client: AsyncWebClient) -> None:
        item = event.get("item") or {}
        user, reaction = event.get("user"), event.get("reaction")
        if item.get("type") != "message" or not item.get("channel") or not item.get("ts") or not user or not reaction:
            return  # file reactions and malformed items are not answers
        author = event.get("item_user")
        me = bot_user_id or context.get("bot_user_id")
        if author and me and author != me:
            return  # questions are the bot's own messages; skip the lookups for everyone else's
        team = _team_of(body)
        bot = is_bot_user(str(user), context)
        name = "" if bot else (await directory.lookup(client, team, str(user))).name
        try:
            await service.record_reaction(
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
                at=_event_time(event, service.now()),
                is_bot=bot,
                user_name=name,
            )
        except Exception:
            log.exception("could not record a reaction", extra={"channel": item.get("channel")})

    app.event("reaction_added")(on_reaction)
    app.event("reaction_removed")(on_reaction)

    # -- slash commands ----------------------------------------------------------------------
    async def invocation(body: dict[str, Any], client: AsyncWebClient) -> Invocation:
        team, user = _team_of(body), str(body.get("user_id") or "")
        info = await directory.lookup(client, team, user)
        return Invocation(
            platform=PLATFORM,
            workspace=team,
            channel=str(body.get("channel_id") or ""),
            user=user,
            user_name=info.name or str(body.get("user_name") or ""),
            is_admin=info.is_admin,
            channel_name=str(body.get("channel_name") or ""),
            workspace_name=str(body.get("team_domain") or ""),
            user_tz=info.tz,
        )

    async def on_command(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient) -> None:
        await ack()  # within Slack's 3 s, whatever the work below costs
        await run_command(body, respond, client)

    @inflight.track
    async def run_command(body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient) -> None:
        inv: Invocation | None = None
        try:
            inv = await invocation(body, client)
            replies = await service.handle_command(inv, str(body.get("command") or ""), str(body.get("text") or ""))
        except Exception:
            log.exception("command %s failed", body.get("command"))
            replies = [Reply("Sorry, that failed on our side; the error was logged. Please try again.", private=True)]
        try:
            await _send_replies(replies, respond, client, str(body.get("user_id") or ""), uploads, inv)
        except Exception:
            log.exception("could not send the reply to %s", body.get("command"))

    app.command(re.compile(r"^/.+"))(on_command)

    # -- drill buttons ------------------------------------------------------------------------
    async def on_drill_button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        await run_button(body, action, respond, client)

    @inflight.track
    async def run_button(
        body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        user = body.get("user") or {}
        team = _team_of(body)
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
        press = getattr(service, "press_button", None)
        try:
            if press is None:
                replies = [Reply("Drill buttons are not available in this version of StudyBot yet.", private=True)]
            else:
                info = await directory.lookup(client, team, str(user.get("id") or ""))
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
                replies = list(await press(inv, str(action.get("value") or "")))
        except Exception:
            log.exception("drill button failed")
            replies = [Reply("Sorry, that failed on our side; the error was logged. Please try again.", private=True)]
        try:
            await _send_replies(replies, respond, client, str(user.get("id") or ""))
        except Exception:
            log.exception("could not answer a drill button")

    app.action(re.compile(rf"^{DRILL_ACTION_PREFIX}[A-D]$"))(on_drill_button)
    app.action(re.compile(rf"^{BUTTON_ACTION_PREFIX}review$"))(on_drill_button)  # a reminder's "start my reviews"

    # -- "Report a problem": the button opens a form, the form's submission is the report -------------
    async def on_report_button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        await open_report_form(body, action, client)

    @inflight.track
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
        team = _team_of(body)
        inv = Invocation(
            platform=PLATFORM,
            workspace=team,
            channel=str(meta.get("channel") or ""),
            user=str(user.get("id") or ""),
            user_name=str(user.get("username") or user.get("name") or ""),
        )
        # the view id is unique per opened form: a repeat of the same submission stores nothing new
        delivery = f"{PLATFORM}:view:{view.get('id') or body.get('trigger_id') or ''}"
        task = asyncio.ensure_future(service.report_problem(inv, str(meta.get("target") or ""), kind, text, delivery))
        done, _ = await asyncio.wait({task}, timeout=REPORT_WAIT_SECONDS)
        if not done:  # answer Slack in time; the report is told by direct message when it is stored
            await ack(response_action="update", view=report_done_view("Sending your report; a message follows."))
            later = asyncio.ensure_future(inflight.track(_report_later)(task, client, inv.user))
            background.add(later)
            later.add_done_callback(background.discard)
            return
        try:
            reply = task.result()
        except Exception:
            log.exception("storing a report failed")
            reply = Reply("Sorry, your report could not be stored; the error was logged. Please try again.")
        await ack(response_action="update", view=report_done_view(reply.text))

    app.view_submission(REPORT_VIEW)(on_report_submit)

    # -- App Home ------------------------------------------------------------------------------
    @inflight.track
    async def on_home(body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        team, user = _team_of(body), str(event["user"])
        try:
            info = await directory.lookup(client, team, user)
            inv = Invocation(PLATFORM, team, str(event.get("channel") or ""), user, info.name, info.is_admin)
            replies = await _home_replies(service, inv)
        except Exception:
            log.exception("App Home content failed; showing the welcome view")
            replies = []
        chart = next((r.image for r in replies if r.image is not None), None)
        chart_file = await uploads.home_file(client, chart, team, user) if chart is not None else None
        try:
            await client.views_publish(
                user_id=user,
                view=home_view(HOME_INTRO, replies, chart=(chart_file, chart.alt) if chart and chart_file else None),
            )
        except SlackApiError as exc:
            log.warning("views.publish failed: %s", exc.response.get("error") if exc.response is not None else exc)

    app.event("app_home_opened")(on_home)

    # -- everything else: answered 200 so Slack never sees a 404 --------------------------------
    async def ignore_event(body: dict[str, Any]) -> None:
        log.debug("event %s needs no action", (body.get("event") or {}).get("type"))

    async def just_ack(ack: AsyncAck) -> None:
        await ack()

    async def no_options(ack: AsyncAck) -> None:
        await ack(options=[])

    @inflight.track
    async def uninstalled(body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        kind, tokens = event.get("type"), event.get("tokens") or {}
        bot_gone = kind == "app_uninstalled" or bool(tokens.get("bot"))
        if bot_gone:
            log.warning(
                "Slack workspace %s: %s; StudyBot can no longer post there until it is reinstalled",
                _team_of(body),
                kind,
            )
        store = app.installation_store  # OAuth distribution: forget the workspace's token
        if store is None:
            return
        where = {"enterprise_id": context.get("enterprise_id"), "team_id": context.get("team_id") or _team_of(body)}
        try:
            if bot_gone:
                await store.async_delete_all(**where)
            for user in tokens.get("oauth") or []:  # user tokens only: the bot stays installed
                await store.async_delete_installation(**where, user_id=str(user))
        except Exception:
            log.exception("could not delete the installation of Slack workspace %s", where["team_id"])

    for name in ("app_uninstalled", "tokens_revoked"):
        app.event(name)(uninstalled)
    app.event(re.compile(r".*"))(ignore_event)
    app.action(re.compile(r".*"))(just_ack)  # e.g. the link buttons of a reveal still send block_actions
    app.shortcut(re.compile(r".*"))(just_ack)
    app.view_submission(re.compile(r".*"))(just_ack)
    app.view_closed(re.compile(r".*"))(just_ack)
    app.options(re.compile(r".*"))(no_options)
    return app


async def _home_replies(service: QuizService, inv: Invocation) -> list[Reply]:
    """The person's own stats for the Home tab: ``service.home_view(inv)`` if the service has one,
    else the ``/stats`` reply when that command answers with data (a table or a titled reply)."""
    home = getattr(service, "home_view", None)
    if home is not None:
        return list(await home(inv))
    replies = await service.handle_command(inv, "/stats", "")
    return [r for r in replies if r.tables or r.title or r.card is not None]
