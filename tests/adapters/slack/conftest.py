"""Slack adapter harness: FakeSlack on loopback, the real AsyncApp served over real HTTP, signed requests.

The ``notifier`` fixture of tests/conftest.py is overridden with a real ``SlackNotifier`` pointed at
the fake, so the shared ``service`` fixture posts through slack-sdk to FakeSlack.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import SlackNotifier, build_slack_app, make_client, wait_idle
from adapters.slack.http import serve_http
from bot.core.clock import ManualClock
from bot.service import QuizService
from content.loader import Bank
from tests.adapters.slack.fake_slack import BOT_USER, SIGNING_SECRET, TOKENS, FakeSlack, form_body, signed_headers
from tests.backends import above_storage_service, memory_service, memory_store

__all__ = ["above_storage_service", "memory_service", "memory_store"]  # the service on MemoryStore unless marked sqlite

TOKEN_OF = {team: token for token, team in TOKENS.items()}


@pytest.fixture(autouse=True)
def _content_once(monkeypatch: pytest.MonkeyPatch, bank: Bank) -> None:
    """Load the question bank once per session (build_runtime would parse it for every test)."""
    monkeypatch.setattr("bot.app.load_content", lambda: bank)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    f = FakeSlack()
    await f.start()
    try:
        yield f
    finally:
        await f.stop()


@pytest.fixture
def notifier(fake: FakeSlack) -> SlackNotifier:  # overrides tests/conftest.py's RecordingNotifier
    async def token_for(team: str) -> str | None:
        return TOKEN_OF.get(team)

    return SlackNotifier(make_client(None, fake.api_url), token_for=token_for, min_interval=0.05)


def reaction(kind: str, user: str, name: str, ts: str, at: dt.datetime, channel: str = "C1") -> dict[str, Any]:
    return {
        "type": kind,
        "user": user,
        "reaction": name,
        "item_user": BOT_USER,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": f"{at.timestamp():.6f}",
    }


class SlackHarness:
    """Sends Slack's HTTP requests (signed) to the app and waits for its background work."""

    _ids = itertools.count(1)

    def __init__(self, fake: FakeSlack, app: Any, url: str, session: aiohttp.ClientSession, clock: ManualClock) -> None:
        self.fake, self.app, self.url, self.session, self.clock = fake, app, url, session, clock

    async def send(self, body: bytes, headers: dict[str, str]) -> tuple[int, str, float]:
        start = time.perf_counter()
        async with self.session.post(self.url, data=body, headers=headers) as resp:
            text = await resp.text()
        return resp.status, text, time.perf_counter() - start

    def envelope(self, event: dict[str, Any], *, event_id: str | None = None, team: str = "T1") -> bytes:
        return json.dumps(
            {
                "token": "legacy-unused",
                "team_id": team,
                "api_app_id": "ASTUDY",
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._ids):08d}",
                "event_time": int(time.time()),
                "event": event,
                "authorizations": [
                    {"team_id": team, "user_id": BOT_USER, "is_bot": True, "is_enterprise_install": False}
                ],
            }
        ).encode()

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, team: str = "T1", retry: int | None = None
    ) -> tuple[int, str, float]:
        body = self.envelope(event, event_id=event_id, team=team)
        headers = signed_headers(body)
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.send(body, headers)

    async def react(
        self,
        user: str,
        name: str,
        ts: str,
        *,
        added: bool = True,
        channel: str = "C1",
        team: str = "T1",
        event_id: str | None = None,
    ) -> tuple[int, str, float]:
        self.clock.advance(seconds=1)  # Slack's event_ts orders the events
        ev = reaction("reaction_added" if added else "reaction_removed", user, name, ts, self.clock.now(), channel)
        self.fake.react(team, channel, ts, name.split("::")[0], user, added)
        return await self.event(ev, team=team, event_id=event_id)

    def command_body(
        self,
        command: str,
        text: str = "",
        *,
        user: str = "UALICE",
        channel: str = "C1",
        team: str = "T1",
        key: str = "cmd",
    ) -> bytes:
        return form_body(
            {
                "token": "legacy-unused",
                "team_id": team,
                "team_domain": f"team-{team.lower()}",
                "channel_id": channel,
                "channel_name": f"quiz-{channel.lower()}",
                "user_id": user,
                "user_name": user.lower(),
                "command": command,
                "text": text,
                "api_app_id": "ASTUDY",
                "is_enterprise_install": "false",
                "response_url": self.fake.response_url(key),
                "trigger_id": "1.2.3",
            }
        )

    async def command(self, command: str, text: str = "", **kw: Any) -> tuple[int, str, float]:
        body = self.command_body(command, text, **kw)
        return await self.send(body, signed_headers(body, content_type="application/x-www-form-urlencoded"))

    def action_body(
        self,
        action_id: str,
        value: str,
        *,
        user: str = "UALICE",
        channel: str = "C1",
        team: str = "T1",
        key: str = "act",
        ephemeral: bool = True,
    ) -> bytes:
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": team},
            "api_app_id": "ASTUDY",
            "token": "legacy-unused",
            "trigger_id": "1.2.3",
            "team": {"id": team, "domain": f"team-{team.lower()}"},
            "container": {
                "type": "message",
                "message_ts": "1.000001",
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            },
            "channel": {"id": channel, "name": f"quiz-{channel.lower()}"},
            "response_url": self.fake.response_url(key),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b1",
                    "type": "button",
                    "value": value,
                    "text": {"type": "plain_text", "text": value[-1:]},
                    "action_ts": "1.2",
                }
            ],
        }
        return form_body({"payload": json.dumps(payload)})

    async def action(self, action_id: str, value: str, **kw: Any) -> tuple[int, str, float]:
        body = self.action_body(action_id, value, **kw)
        return await self.send(body, signed_headers(body, content_type="application/x-www-form-urlencoded"))

    def view_submission_body(
        self, view_id: str, *, kind: str | None, text: str | None = None, user: str = "UALICE", team: str = "T1"
    ) -> bytes:
        """Someone sends the form FakeSlack opened as ``view_id``: the state as Slack reports it (an empty
        select has no ``selected_option``; an empty text input has ``value`` None)."""
        view = self.fake.views[view_id]
        values: dict[str, Any] = {}
        for block in view.get("blocks") or []:
            if block.get("type") != "input":
                continue
            element = block["element"]
            if element["type"] == "static_select":
                chosen = next((o for o in element["options"] if o["value"] == kind), None)
                state: dict[str, Any] = {"type": "static_select", "selected_option": chosen}
            else:
                state = {"type": element["type"], "value": text}
            values[block["block_id"]] = {element["action_id"]: state}
        payload = {
            "type": "view_submission",
            "team": {"id": team, "domain": f"team-{team.lower()}"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
            "api_app_id": "ASTUDY",
            "token": "legacy-unused",
            "trigger_id": f"2.{next(self._ids)}",
            "view": {
                "id": view_id,
                "team_id": team,
                "type": "modal",
                "callback_id": view["callback_id"],
                "private_metadata": view.get("private_metadata", ""),
                "blocks": view.get("blocks"),
                "state": {"values": values},
                "hash": f"h.{view_id}",
            },
            "response_urls": [],
        }
        return form_body({"payload": json.dumps(payload)})

    async def submit_view(self, view_id: str, **kw: Any) -> tuple[int, str, float]:
        body = self.view_submission_body(view_id, **kw)
        return await self.send(body, signed_headers(body, content_type="application/x-www-form-urlencoded"))

    async def idle(self) -> None:
        assert await wait_idle(self.app, 10), "listeners still running after 10 s"

    def replies(self, key: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self.fake.responses if key is None or r["key"] == key]


async def serve_app(app: Any, fake: FakeSlack, clock: ManualClock) -> AsyncIterator[SlackHarness]:
    stop = asyncio.Event()
    url: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    server = asyncio.create_task(
        serve_http(app, host="127.0.0.1", port=0, stop=stop, ready=url.set_result, signing_secret=SIGNING_SECRET)
    )
    try:
        async with aiohttp.ClientSession() as session:
            yield SlackHarness(fake, app, await asyncio.wait_for(url, 5), session, clock)
            await wait_idle(app, 10)
    finally:
        stop.set()
        await server


@pytest.fixture
async def slack(service: QuizService, fake: FakeSlack, clock: ManualClock) -> AsyncIterator[SlackHarness]:
    """One workspace (T1), the production wiring: a client with the bot token, bolt's auth.test."""
    app = build_slack_app(service, client=make_client("xoxb-test-one", fake.api_url), signing_secret=SIGNING_SECRET)
    async for h in serve_app(app, fake, clock):
        yield h


@pytest.fixture
async def slack_multi(service: QuizService, fake: FakeSlack, clock: ManualClock) -> AsyncIterator[SlackHarness]:
    """Several workspaces (T1, T2): bolt's ``authorize`` picks each team's token, as after OAuth installs."""

    async def authorize(enterprise_id: str | None, team_id: str | None, logger: Any) -> AuthorizeResult | None:
        token = TOKEN_OF.get(team_id or "")
        if token is None:
            return None
        return AuthorizeResult(
            enterprise_id=None, team_id=team_id, bot_token=token, bot_user_id=BOT_USER, bot_id="BSTUDY"
        )

    client = AsyncWebClient(base_url=fake.api_url)
    app = build_slack_app(service, client=client, signing_secret=SIGNING_SECRET, authorize=authorize)
    async for h in serve_app(app, fake, clock):
        yield h
