"""OAuth distribution end to end: ``serve_slack`` with SLACK_CLIENT_ID/SECRET in HTTP mode on 127.0.0.1:0.

A browser's part is played by aiohttp: ``GET /slack/install`` (state cookie), FakeSlack's consent page
(Allow -> redirect with a code), ``GET /slack/oauth_redirect`` (bolt calls ``oauth.v2.access`` and the
installation lands in the database). Then two workspaces use the bot side by side, each with its own
token; an uninstall forgets a workspace; bad, used and expired states are refused.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
import yaml
from sqlalchemy import select

import adapters.slack.server as slack_server
from adapters.slack import serve_slack, validate_slack_settings
from adapters.slack.oauth import DEFAULT_SCOPES, authorize_url_for
from bot.app import RoutingNotifier, build_runtime
from bot.core.clock import ManualClock
from bot.core.ports import Notifier
from bot.logs import TextFormatter
from bot.runner import BotRunner
from bot.service import QuizService
from bot.settings import ConfigError, Settings
from storage.installations import INST, SqlSlackInstallations
from tests.adapters.slack.conftest import SlackHarness
from tests.adapters.slack.fake_slack import (
    BOT_USER,
    CLIENT_ID,
    CLIENT_SECRET,
    INSTALLER,
    SIGNING_SECRET,
    TOKENS,
    FakeSlack,
)
from tests.adapters.slack.test_slack_events import subscribe_and_post

TOKEN_OF = {team: token for token, team in TOKENS.items()}
SECRETS = (CLIENT_SECRET, SIGNING_SECRET, *TOKENS)
COOKIE = "slack-app-oauth-state"


@dataclass
class OAuthBot:
    slack: SlackHarness  # signs and sends events and commands, waits for the app's listeners
    service: QuizService
    store: SqlSlackInstallations
    base: str  # http://127.0.0.1:<port>
    session: aiohttp.ClientSession

    async def start_install(self, team: str | None = None) -> tuple[str, str]:
        """``GET /slack/install``: the state cookie and the consent-page link of the install page."""
        async with self.session.get(self.base + "/slack/install", params={"team": team} if team else None) as resp:
            assert resp.status == 200, await resp.text()
            page = await resp.text()
            cookie = resp.cookies[COOKIE]
        assert cookie["httponly"] and cookie["path"] == "/"
        link = html.unescape(re.search(r'<a href="([^"]+)"', page).group(1))  # type: ignore[union-attr]
        return cookie.value, link

    async def consent(self, link: str) -> str:
        """The installer clicks Allow on Slack's page: the redirect back to the bot, with a code."""
        async with self.session.get(link, allow_redirects=False) as resp:
            assert resp.status == 302, await resp.text()
            return resp.headers["Location"]

    async def redirect(self, url: str, cookie: str | None) -> tuple[int, str]:
        headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie is not None else {}
        async with self.session.get(url, headers=headers, allow_redirects=False) as resp:
            return resp.status, await resp.text()

    async def install(self, team: str) -> None:
        state, link = await self.start_install(team)
        status, page = await self.redirect(await self.consent(link), state)
        assert status == 200 and "Thank you!" in page, page


@pytest.fixture
async def oauth(
    db_url: str, fake: FakeSlack, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[OAuthBot]:
    """The production wiring: serve_slack with the client id and secret, installations in the test database."""
    routing = RoutingNotifier()
    rt = await build_runtime(db_url, routing, clock)
    apps: list[Any] = []

    def capture(*args: Any, **kw: Any) -> Any:  # keep the app serve_slack builds, to wait for its listeners
        apps.append(build(*args, **kw))
        return apps[-1]

    build = slack_server.build_slack_app
    monkeypatch.setattr(slack_server, "build_slack_app", capture)
    store = SqlSlackInstallations(rt.engine)
    stop = asyncio.Event()
    ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        serve_slack(
            rt.service,
            routing.register,
            bot_token="",  # what the runner passes when SLACK_BOT_TOKEN is unset
            app_token=None,
            signing_secret=SIGNING_SECRET,
            api_url=fake.api_url,
            http=True,
            port=0,
            host="127.0.0.1",
            stop=stop,
            ready=ready.set_result,
            reconcile_every=3600,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            installations=store,
        )
    )
    try:
        events_url = await asyncio.wait_for(ready, 10)
        base = events_url.removesuffix("/slack/events")
        fake.redirect_url = base + "/slack/oauth_redirect"
        async with aiohttp.ClientSession() as session:
            slack = SlackHarness(fake, apps[0], events_url, session, clock)
            yield OAuthBot(slack, rt.service, store, base, session)
            await slack.idle()
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        await rt.close()


def tokens_of(fake: FakeSlack, method: str) -> list[str | None]:
    return [c.token for c in fake.of(method)]


async def test_install_stores_the_installation_in_the_database(
    oauth: OAuthBot, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    state, link = await oauth.start_install()
    consent = urlsplit(link)
    assert f"{consent.scheme}://{consent.netloc}{consent.path}" == authorize_url_for(fake.api_url)
    query = {k: v[0] for k, v in parse_qs(consent.query).items()}
    assert query["client_id"] == CLIENT_ID and query["state"] == state
    assert query["scope"].split(",") == list(DEFAULT_SCOPES) and not query.get("user_scope")

    status, page = await oauth.redirect(await oauth.consent(link), state)
    assert status == 200 and "Thank you!" in page and "slack://app?team=T1&amp;id=ASTUDY" in page
    [access] = fake.of("oauth.v2.access")  # the code was exchanged once, with the app's credentials
    assert access.params["code"].startswith("code-T1-") and not fake.oauth_codes
    assert tokens_of(fake, "auth.test") == ["xoxb-test-one"]  # bolt learns the bot id with the new token

    saved = await oauth.store.find(None, "T1")
    assert saved is not None
    assert (saved["team_id"], saved["bot_token"], saved["bot_user_id"], saved["bot_id"], saved["user_id"]) == (
        "T1",
        "xoxb-test-one",
        BOT_USER,
        "BSTUDY",
        INSTALLER,
    )
    assert saved["bot_scopes"] == list(DEFAULT_SCOPES) and saved["team_name"] == "team T1"
    async with oauth.store.engine.connect() as conn:
        [row] = (await conn.execute(select(INST))).mappings().all()
    assert (row["team_id"], row["enterprise_id"], row["app_id"], row["installer_user_id"]) == (
        "T1",
        "",
        "ASTUDY",
        INSTALLER,
    )
    assert row["installed_at"].tzinfo is not None
    assert "installed in Slack workspace T1" in caplog.text
    # the client secret never reaches a log record; tokens only in library DEBUG records (slack-sdk logs the
    # oauth.v2.access response), which the bot's log formatter redacts
    assert CLIENT_SECRET not in caplog.text and SIGNING_SECRET not in caplog.text
    written = "\n".join(TextFormatter("%(name)s: %(message)s").format(r) for r in caplog.records)
    assert "xoxb-test-one" in caplog.text and not any(s in written for s in SECRETS)


async def test_two_workspaces_use_their_own_tokens_and_their_data_stays_apart(
    oauth: OAuthBot, fake: FakeSlack, clock: ManualClock
) -> None:
    await oauth.install("T1")
    await oauth.install("T2")
    service, slack = oauth.service, oauth.slack
    start = len(fake.calls)

    # the same channel and user ids in both workspaces; every call a request causes carries its team's token
    one = await subscribe_and_post(slack, service, team="T1")
    middle = len(fake.calls)
    assert {c.token for c in fake.calls[start:middle]} == {"xoxb-test-one"}
    two = await subscribe_and_post(slack, service, team="T2")
    assert {c.token for c in fake.calls[middle:]} == {"xoxb-test-two"}
    assert one.channel_id != two.channel_id

    await slack.react("UALICE", "one", one.message_ref or "", team="T1")
    await slack.react("UALICE", "two", two.message_ref or "", team="T2")
    await slack.react("UBOB", "two", two.message_ref or "", team="T2")
    await slack.idle()
    assert {(c.params["user"], c.token) for c in fake.of("users.info")} >= {
        ("UALICE", "xoxb-test-one"),
        ("UALICE", "xoxb-test-two"),
        ("UBOB", "xoxb-test-two"),
    }
    # bolt authorizes each request with its team's token, asking auth.test once per token (cached)
    assert sorted(c.token for c in fake.calls[start:] if c.method == "auth.test") == ["xoxb-test-one", "xoxb-test-two"]

    # scheduled work (no request to take a token from) finds each workspace's token in the database
    clock.advance(hours=9)
    fake.calls.clear()
    assert await service.daily.reveal(one.id) is not None
    assert await service.daily.reveal(two.id) is not None
    [(first, to_one), (second, to_two)] = [
        (c.params, c.token) for c in fake.of("chat.postMessage") if "thread_ts" in c.params
    ]  # the reveals, in their questions' threads
    assert (first["channel"], to_one, second["channel"], to_two) == ("C1", "xoxb-test-one", "C1", "xoxb-test-two")
    pointers = [c.token for c in fake.of("chat.postMessage") if "thread_ts" not in c.params]
    assert pointers == ["xoxb-test-one", "xoxb-test-two"]  # each pointer line with its workspace's own token
    assert "1 answered" in first["text"] and "2 answered" in second["text"]
    counts_one, _ = await service.store.post_answer_counts(one.id)
    counts_two, _ = await service.store.post_answer_counts(two.id)
    assert sum(counts_one.values()) == 1 and sum(counts_two.values()) == 2
    ws1 = await service.store.ensure_workspace("slack", "T1")
    ws2 = await service.store.ensure_workspace("slack", "T2")
    assert await service.store.ensure_person(ws1, "UALICE") != await service.store.ensure_person(ws2, "UALICE")


async def test_uninstall_forgets_the_workspace_and_its_later_events_do_nothing(
    oauth: OAuthBot, fake: FakeSlack, clock: ManualClock
) -> None:
    await oauth.install("T1")
    await oauth.install("T2")
    service, slack = oauth.service, oauth.slack
    post = await subscribe_and_post(slack, service, team="T1")

    status, _, _ = await slack.event({"type": "app_uninstalled", "event_ts": "1.2"}, team="T1")
    assert status == 200
    await slack.idle()
    assert await oauth.store.find(None, "T1") is None
    assert await oauth.store.find(None, "T2") is not None

    # later deliveries from T1: answered 200, nothing recorded, nothing sent with its old token
    fake.calls.clear()
    status, _, _ = await slack.react("UALICE", "two", post.message_ref or "", team="T1")
    assert status == 200
    status, _, _ = await slack.command("/stats", "", team="T1", key="after")
    assert status == 200
    await slack.idle()
    assert await service.store.reaction_events(post.id) == []
    assert "xoxb-test-one" not in {c.token for c in fake.calls}
    [after] = slack.replies("after")  # bolt's own "please reinstall" answer, not the service's
    assert "reinstall" in after["text"] and after.get("blocks") is None
    # the scheduler's next post there is refused by the notifier (marked failed), not sent
    ws1 = await service.store.ensure_workspace("slack", "T1")
    channel = await service.store.get_channel(ws1, "C1")
    assert channel is not None
    clock.advance(days=1)
    assert await service.daily.post_daily(channel.id) is None
    assert not fake.of("chat.postMessage")

    # tokens_revoked: a user token alone leaves the bot installed; the bot token removes the installation
    status, _, _ = await slack.event({"type": "tokens_revoked", "tokens": {"oauth": [INSTALLER]}}, team="T2")
    await slack.idle()
    assert status == 200 and await oauth.store.find(None, "T2") is not None
    status, _, _ = await slack.event({"type": "tokens_revoked", "tokens": {"bot": ["BSTUDY"]}}, team="T2")
    await slack.idle()
    assert status == 200 and await oauth.store.find(None, "T2") is None

    # reinstalling brings the workspace back with its history
    await oauth.install("T1")
    clock.advance(days=1)
    again = await service.daily.post_daily(channel.id)
    assert again is not None and again.message_ref
    assert [c.token for c in fake.of("chat.postMessage")] == ["xoxb-test-one"]


async def test_bad_used_and_expired_states_are_refused(oauth: OAuthBot, fake: FakeSlack, clock: ManualClock) -> None:
    redirect = oauth.base + "/slack/oauth_redirect"
    state, link = await oauth.start_install()

    # a state this server never issued (a forged link), even with a matching cookie
    assert (await oauth.redirect(f"{redirect}?code={fake.grant('T1')}&state=forged", "forged"))[0] == 401
    # the right state but not from the browser that started the install (no cookie)
    assert (await oauth.redirect(f"{redirect}?code={fake.grant('T1')}&state={state}", None))[0] == 400
    # a made-up code with the right state and cookie: Slack refuses it
    assert (await oauth.redirect(f"{redirect}?code=made-up&state={state}", state))[0] == 401
    # that state is used up now, even with a good code
    assert (await oauth.redirect(f"{redirect}?code={fake.grant('T1')}&state={state}", state))[0] == 401
    # expired: the installer took longer than 10 minutes to come back
    late, late_link = await oauth.start_install()
    clock.advance(minutes=11)
    back = await oauth.consent(late_link)
    assert (await oauth.redirect(back, late))[0] == 401
    assert (await oauth.redirect(f"{redirect}?error=access_denied&state={late}", late))[0] == 200  # Cancel clicked

    assert [c.params["code"] for c in fake.of("oauth.v2.access")] == ["made-up"]  # no other code was tried
    assert await oauth.store.find(None, "T1") is None
    status, _, _ = await oauth.slack.command("/stats", "", team="T1", key="x")  # still not installed
    await oauth.slack.idle()
    assert status == 200 and not fake.of("users.info")


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ({"client_secret": None}, ["SLACK_CLIENT_ID is set but SLACK_CLIENT_SECRET is not"]),
        ({"client_id": None}, ["SLACK_CLIENT_SECRET is set but SLACK_CLIENT_ID is not"]),
        ({"http": False}, ["needs HTTP mode", "--http"]),
        ({"bot_token": "xoxb-hunter2-one-workspace"}, ["SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET"]),
        ({"client_secret": "hunter2"}, ["SLACK_CLIENT_SECRET looks malformed"]),
        ({"client_id": "12 34"}, ["SLACK_CLIENT_ID looks malformed"]),
        ({"signing_secret": None}, ["SLACK_SIGNING_SECRET"]),
        ({"scopes": "chat:write, DROP TABLE"}, ["SLACK_SCOPES"]),
    ],
)
def test_half_configured_oauth_fails_fast_without_echoing_values(changes: dict[str, Any], names: list[str]) -> None:
    good: dict[str, Any] = {
        "bot_token": "",
        "app_token": None,
        "signing_secret": SIGNING_SECRET,
        "api_url": None,
        "http": True,
        "port": 3000,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scopes": None,
    }
    cfg = validate_slack_settings(**good)
    assert cfg.oauth and cfg.bot_token == "" and cfg.scopes == DEFAULT_SCOPES
    assert CLIENT_SECRET not in repr(cfg)
    with pytest.raises(ConfigError) as err:
        validate_slack_settings(**(good | changes))
    for name in names:
        assert name in str(err.value)
    assert not any(s in str(err.value) for s in ("hunter2", CLIENT_SECRET, SIGNING_SECRET))


def test_scopes_follow_the_manifest_and_slack_scopes() -> None:
    manifest = yaml.safe_load((Path(__file__).parents[3] / "slack-app-manifest.yaml").read_text())
    assert tuple(manifest["oauth_config"]["scopes"]["bot"]) == DEFAULT_SCOPES
    text = (Path(__file__).parents[3] / "slack-app-manifest.yaml").read_text()
    assert re.search(r"#\s*redirect_urls:\n\s*#\s*- https://\S+/slack/oauth_redirect", text)
    custom = validate_slack_settings(
        bot_token=None,
        app_token=None,
        signing_secret=SIGNING_SECRET,
        api_url=None,
        http=True,
        port=0,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scopes="chat:write, commands,chat:write.public",
    )
    assert custom.scopes == ("chat:write", "commands", "chat:write.public")
    assert authorize_url_for("https://slack-gov.com/api/") == "https://slack-gov.com/oauth/v2/authorize"


async def test_settings_and_runner_wire_oauth_with_the_database_store(db_url: str) -> None:
    env = {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET, "SLACK_SCOPES": "chat:write,commands"}
    settings = Settings.from_env(env | {"DATABASE_URL": db_url})
    assert settings.platforms == ["slack"] and CLIENT_SECRET not in repr(settings)
    assert Settings.from_env({"SLACK_CLIENT_SECRET": CLIENT_SECRET}).platforms == ["slack"]  # fails in the adapter

    seen: dict[str, Any] = {}

    async def serve(service: QuizService, register: Any, *, stop: asyncio.Event, ready: Any, **kw: Any) -> None:
        seen.update(kw)
        notifier: Notifier = RoutingNotifier()
        register("slack", notifier)
        ready("fake")
        await stop.wait()

    stop = asyncio.Event()
    runner = BotRunner(settings, ["slack"], http=True, servers={"slack": serve}, drain_seconds=1)
    task = asyncio.create_task(runner.run(stop))
    await asyncio.wait_for(runner.ready.wait(), 20)
    stop.set()
    assert await asyncio.wait_for(task, 20) == 0
    assert (seen["client_id"], seen["client_secret"], seen["scopes"]) == (
        CLIENT_ID,
        CLIENT_SECRET,
        "chat:write,commands",
    )
    assert isinstance(seen["installations"], SqlSlackInstallations) and seen["http"] is True
