"""``serve_slack``: settings checks (check 18), HTTP mode and Socket Mode end to end, reconciliation at start-up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import SlackNotifier, make_client, serve_slack, validate_slack_settings
from adapters.slack.app import EVENT_TYPES
from bot.app import RoutingNotifier, build_runtime
from bot.core.clock import ManualClock
from bot.core.ports import Notifier
from bot.service import QuizService
from bot.settings import ConfigError
from tests.adapters.slack.conftest import SlackHarness
from tests.adapters.slack.fake_slack import APP_TOKEN, SIGNING_SECRET, FakeSlack, signed_headers

BOT = "xoxb-test-one"
SECRETS = ("hunter2", BOT, APP_TOKEN, SIGNING_SECRET)  # values that must never be echoed

GOOD: dict[str, Any] = {
    "bot_token": BOT,
    "app_token": APP_TOKEN,
    "signing_secret": SIGNING_SECRET,
    "api_url": None,
    "http": False,
    "port": 3000,
}


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ({"bot_token": ""}, ["SLACK_BOT_TOKEN is not set"]),
        ({"bot_token": "xoxp-hunter2-user-token"}, ["SLACK_BOT_TOKEN does not look like a bot token"]),
        ({"app_token": None}, ["Socket Mode needs SLACK_APP_TOKEN", "--http"]),
        ({"app_token": "xoxb-hunter2-wrong-kind"}, ["SLACK_APP_TOKEN does not look like an app-level token"]),
        ({"http": True, "signing_secret": None}, ["HTTP mode needs SLACK_SIGNING_SECRET"]),
        ({"http": True, "signing_secret": "hunter2"}, ["SLACK_SIGNING_SECRET looks malformed"]),
        ({"http": True, "port": 70000}, ["--port"]),
        ({"api_url": "slack.com/api"}, ["SLACK_API_URL must be an http(s) URL"]),
        ({"bot_token": "", "app_token": ""}, ["SLACK_BOT_TOKEN is not set", "SLACK_APP_TOKEN"]),
    ],
)
def test_bad_settings_fail_fast_with_a_clear_message_and_no_secret(changes: dict[str, Any], names: list[str]) -> None:
    """Check 18 (settings): every problem is named, no value is echoed."""
    with pytest.raises(ConfigError) as err:
        validate_slack_settings(**(GOOD | changes))
    message = str(err.value)
    for name in names:
        assert name in message
    assert not any(s in message for s in SECRETS)


def test_good_settings_normalise_the_api_url_and_hide_secrets() -> None:
    cfg = validate_slack_settings(**(GOOD | {"api_url": "http://127.0.0.1:9/api", "http": True}))
    assert cfg.api_url == "http://127.0.0.1:9/api/"
    assert BOT not in repr(cfg) and SIGNING_SECRET not in repr(cfg)


@pytest.fixture
async def routed(db_url: str, clock: ManualClock) -> AsyncIterator[tuple[QuizService, RoutingNotifier]]:
    routing = RoutingNotifier()
    rt = await build_runtime(db_url, routing, clock)
    try:
        yield rt.service, routing
    finally:
        await rt.close()


async def _run(
    service: QuizService, routing: RoutingNotifier, fake: FakeSlack, **kw: Any
) -> tuple[asyncio.Task[None], asyncio.Event, str]:
    stop = asyncio.Event()
    ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    registered: list[tuple[str, Notifier]] = []

    def register(platform: str, notifier: Notifier) -> None:
        registered.append((platform, notifier))
        routing.register(platform, notifier)

    args: dict[str, Any] = {
        "bot_token": BOT,
        "app_token": None,
        "signing_secret": None,
        "api_url": fake.api_url,
        "http": False,
        "port": 0,
        "host": "127.0.0.1",
    } | kw
    task = asyncio.create_task(serve_slack(service, register, stop=stop, ready=ready.set_result, **args))
    waiting: list[asyncio.Future[Any]] = [task, ready]
    done, _ = await asyncio.wait(waiting, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # raises the start-up error
    assert ready.done(), "serve_slack did not become ready"
    assert [(p, type(n)) for p, n in registered] == [("slack", SlackNotifier)]
    return task, stop, ready.result()


async def test_rejected_tokens_stop_start_up_without_logging_them(
    routed: tuple[QuizService, RoutingNotifier], fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    """Check 18 (live): Slack says invalid_auth for the bot token, then for the app token."""
    service, routing = routed
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ConfigError, match=r"rejected SLACK_BOT_TOKEN \(invalid_auth\)"):
        await _run(service, routing, fake, bot_token="xoxb-hunter2-revoked", app_token=APP_TOKEN)
    with pytest.raises(ConfigError, match=r"rejected SLACK_APP_TOKEN \(invalid_auth\)"):
        await _run(service, routing, fake, app_token="xapp-hunter2-revoked")
    with pytest.raises(ConfigError, match="Cannot reach the Slack Web API"):
        await _run(service, routing, fake, api_url="http://127.0.0.1:1/api/", app_token=APP_TOKEN)
    assert not any(s in caplog.text for s in SECRETS)


async def test_http_mode_serves_signed_requests_and_reconciles_at_start_up(
    routed: tuple[QuizService, RoutingNotifier], fake: FakeSlack, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    service, routing = routed
    caplog.set_level(logging.DEBUG)
    # an open post from before the restart, with a reaction Slack holds but we never heard
    routing.register("slack", SlackNotifier(_client(fake), min_interval=0))
    fake.admins.add("UADMIN")
    ws = await service.store.ensure_workspace("slack", "T1")
    ch = await service.store.subscribe_channel(ws, "C1", "quiz", "UTC", "08:00", clock.now())
    post = await service.daily.post_daily(ch.id)
    assert post is not None and post.message_ref
    fake.react("T1", "C1", post.message_ref, "two", "UALICE")

    task, stop, url = await _run(service, routing, fake, http=True, signing_secret=SIGNING_SECRET)
    assert url.endswith("/slack/events")
    async with aiohttp.ClientSession() as session:
        for _ in range(250):  # start-up reconciliation runs beside the server
            if await service.store.reaction_events(post.id):
                break
            await asyncio.sleep(0.02)
        body = SlackHarness(fake, None, url, session, clock).command_body(
            "/studybot", "settings", user="UADMIN", key="settings"
        )
        form = "application/x-www-form-urlencoded"
        async with session.post(url, data=body, headers=signed_headers(body, content_type=form)) as resp:
            assert resp.status == 200
        async with session.post(
            url, data=body, headers=signed_headers(body, secret="x" * 32, content_type=form)
        ) as resp:
            assert resp.status == 401
        async with session.get(url.replace("/slack/events", "/healthz")) as resp:
            assert resp.status == 200 and await resp.text() == "ok"
    stop.set()
    await asyncio.wait_for(task, 15)
    assert fake.of("reactions.get") and [r["key"] for r in fake.responses] == ["settings"]
    events = await service.store.reaction_events(post.id)
    assert [(e.option, e.added) for _p, e in events] == [(1, True)]
    assert not any(s in caplog.text for s in SECRETS)


async def test_socket_mode_receives_envelopes_and_acks_them(
    routed: tuple[QuizService, RoutingNotifier], fake: FakeSlack, clock: ManualClock
) -> None:
    service, routing = routed
    task, stop, how = await _run(service, routing, fake, app_token=APP_TOKEN)
    assert how == "socket-mode"
    ws = await service.store.ensure_workspace("slack", "T1")
    ch = await service.store.subscribe_channel(ws, "C1", "quiz", "UTC", "08:00", clock.now())
    post = await service.daily.post_daily(ch.id)  # through the notifier serve_slack registered
    assert post is not None and post.message_ref
    # the question and its four option reactions went over one kept-alive connection
    posting = [c for c in fake.calls if c.method in {"chat.postMessage", "reactions.add"}]
    assert [c.method for c in posting] == ["chat.postMessage"] + ["reactions.add"] * 4
    assert len({c.peer for c in posting}) == 1
    clock.advance(minutes=1)
    event = {
        "type": "reaction_added",
        "user": "UBOB",
        "reaction": "three::skin-tone-2",
        "item_user": "UBOT",
        "item": {"type": "message", "channel": "C1", "ts": post.message_ref},
        "event_ts": f"{clock.now().timestamp():.6f}",
    }
    fake.react("T1", "C1", post.message_ref, "three::skin-tone-2", "UBOB")
    payload = {
        "token": "legacy",
        "team_id": "T1",
        "api_app_id": "ASTUDY",
        "type": "event_callback",
        "event_id": "EvSOCKET1",
        "event_time": 1,
        "event": event,
    }
    for attempt, envelope_id in ((0, "env-1"), (1, "env-2")):  # Slack's retry of the same event
        await fake.push_envelope(
            {
                "envelope_id": envelope_id,
                "type": "events_api",
                "accepts_response_payload": False,
                "retry_attempt": attempt,
                "retry_reason": "timeout" if attempt else "",
                "payload": payload,
            }
        )
    for _ in range(200):
        if len(fake.socket_acks) >= 2 and await service.store.reaction_events(post.id):
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, 15)
    assert sorted(a["envelope_id"] for a in fake.socket_acks) == ["env-1", "env-2"]
    events = await service.store.reaction_events(post.id)
    assert [(e.option, e.added) for _p, e in events] == [(2, True)]
    assert len(fake.of("apps.connections.open")) == 1
    assert fake.of("chat.postMessage")[0].team == "T1"


def _client(fake: FakeSlack) -> AsyncWebClient:
    return make_client(BOT, fake.api_url)


def test_manifest_subscribes_only_to_events_the_app_handles() -> None:
    """Every subscribed event has a listener (else bolt answers 404); the commands match the grammar."""
    manifest = yaml.safe_load((Path(__file__).parents[3] / "slack-app-manifest.yaml").read_text())
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) <= set(EVENT_TYPES)
    assert settings["interactivity"]["is_enabled"] and settings["socket_mode_enabled"]
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {"/studybot", "/drill", "/leaderboard", "/weakspots", "/stats", "/exam", "/plan"}
    assert commands["/studybot"]["should_escape"]  # mentions arrive as user ids for team commands
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "commands", "reactions:read", "reactions:write", "users:read"} <= scopes


async def test_socket_mode_stops_promptly_while_it_cannot_connect(
    routed: tuple[QuizService, RoutingNotifier], fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, routing = routed
    monkeypatch.setattr(FakeSlack, "socket_url", property(lambda self: "ws://127.0.0.1:1/link"))
    stop = asyncio.Event()
    ready: list[str] = []
    task = asyncio.create_task(
        serve_slack(
            service,
            routing.register,
            bot_token=BOT,
            app_token=APP_TOKEN,
            signing_secret=None,
            api_url=fake.api_url,
            http=False,
            port=0,
            stop=stop,
            ready=ready.append,
        )
    )
    for _ in range(100):
        if fake.of("apps.connections.open"):
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)  # connect() is failing and retrying now
    stop.set()
    await asyncio.wait_for(task, 3)
    assert ready == []
