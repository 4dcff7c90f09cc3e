"""``studybot run``: both platforms on one loop with one scheduler, readiness, failures, SIGTERM, /healthz."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.core.clock import ManualClock
from bot.core.messages import QuestionPost
from bot.core.ports import Notifier
from bot.process import resolve_platforms
from bot.runner import BotRunner
from bot.service import Invocation, QuizService
from bot.settings import ConfigError, Settings
from content.loader import Bank
from storage.db import create_engine
from storage.lease import SqlLease
from tests.conftest import RecordingNotifier
from tests.scheduler.helpers import make_service, wait_for

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # Monday: 11:00 in Berlin, 05:00 in New York


@pytest.fixture(autouse=True)
def _small_bank(monkeypatch: pytest.MonkeyPatch, bank_small: Bank) -> None:
    monkeypatch.setattr("bot.app.load_content", lambda: bank_small)


async def subscribe_as(service: QuizService, platform: str, workspace: str, channel: str, text: str) -> None:
    inv = Invocation(platform, workspace, channel, "UADMIN", "admin", True, "quiz", workspace)
    replies = await service.handle_command(inv, "/studybot", text)
    assert "Subscribed" in replies[0].text, replies[0].text


async def lease_holder(db_url: str) -> str | None:
    engine = create_engine(db_url)
    try:
        state = await SqlLease(engine).current("scheduler")
        return None if state is None else state.holder
    finally:
        await engine.dispose()


def test_platforms_from_tokens_or_the_console() -> None:
    assert resolve_platforms(Settings()) == ["console"]
    assert resolve_platforms(Settings(slack_bot_token="xoxb-1", discord_token="a.b.c")) == ["slack", "discord"]
    assert resolve_platforms(Settings(discord_token="a.b.c")) == ["discord"]
    assert resolve_platforms(Settings(), "both") == ["slack", "discord"]
    with pytest.raises(ConfigError):
        resolve_platforms(Settings(), "teams")


async def test_a_missing_adapter_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch, sched_db_url: str) -> None:
    monkeypatch.setattr("bot.runner.load_server", lambda _platform: None)
    runner = BotRunner(Settings(database_url=sched_db_url, slack_bot_token="xoxb-1"), ["slack"])
    with pytest.raises(ConfigError, match="slack adapter is not available"):
        await runner.run(asyncio.Event())


async def test_slack_and_discord_in_one_process_with_one_scheduler(sched_db_url: str, bank_small: Bank) -> None:
    """The real adapters against loopback Slack and Discord: one loop, one scheduler posting to both."""
    fake_slack_mod = pytest.importorskip("tests.adapters.slack.fake_slack")
    fake_discord_mod = pytest.importorskip("tests.adapters.discord.fake_discord")
    harness = pytest.importorskip("tests.adapters.discord.harness")
    slack = fake_slack_mod.FakeSlack()
    discord = fake_discord_mod.FakeDiscord()
    discord.add_guild(harness.GUILD_A, "Study Group A", {harness.CHAN_A: "daily-quiz"}, owner_id=harness.OWNER)
    await slack.start()
    await discord.start()
    clock = ManualClock(NOW - dt.timedelta(hours=5))
    setup = make_service(sched_db_url, RecordingNotifier(), clock, bank_small)
    await subscribe_as(setup, "slack", "T1", "C1", "subscribe 09:00 Europe/Berlin")
    await subscribe_as(setup, "discord", harness.GUILD_A, harness.CHAN_A, "subscribe 04:30 America/New_York")
    await setup.store.engine.dispose()  # type: ignore[attr-defined]
    clock.set(NOW)  # both questions are due: the scheduler's start-up catch-up posts them
    settings = Settings(
        database_url=sched_db_url,
        slack_bot_token="xoxb-test-one",
        slack_app_token=fake_slack_mod.APP_TOKEN,
        slack_api_url=slack.api_url,
        discord_token=discord.token,
        discord_api_url=discord.base,
        discord_gateway_url=discord.ws_url,
    )
    runner = BotRunner(
        settings,
        resolve_platforms(settings),
        clock=clock,
        health_port=0,
        health_host="127.0.0.1",
        options={"discord": {"guild_ready_timeout": 0.1, "identify_delay": 0.0}},
        drain_seconds=5,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        await asyncio.wait_for(runner.ready.wait(), 15)
        assert runner.node is not None
        await wait_for(
            lambda: (
                bool(slack.of("chat.postMessage"))
                and any(m.channel_id == harness.CHAN_A for m in discord.messages.values())
            ),
            10,
            "a question on each platform",
        )
        await wait_for(lambda: runner.node is not None and runner.node.is_leader, 5, "leadership")
        assert [c.params["channel"] for c in slack.of("chat.postMessage")] == ["C1"]
        assert runner.health_url is not None
        async with aiohttp.ClientSession() as http, http.get(runner.health_url) as resp:
            body = await resp.json()
            assert resp.status == 200, body
        assert body["platforms"] == {"slack": True, "discord": True}
        assert body["scheduler"]["role"] == "leader" and body["scheduler"]["jobs"] == 4  # daily + weekly per channel
        assert await lease_holder(sched_db_url) == runner.node.holder
    finally:
        stop.set()
        code = await asyncio.wait_for(task, 30)
        await slack.stop()
        await discord.close()
    assert code == 0
    assert await lease_holder(sched_db_url) is None


def fake_server(
    log: list[str], name: str, *, fail_after_register: Exception | None = None, ready_gate: asyncio.Event | None = None
) -> Callable[..., Any]:
    async def serve(
        service: QuizService,
        register: Callable[[str, Notifier], None],
        *,
        stop: asyncio.Event,
        ready: Callable[[str], None],
        **_settings: Any,
    ) -> None:
        register(name, RecordingNotifier())
        log.append(f"{name} registered")
        if fail_after_register is not None:
            raise fail_after_register
        if ready_gate is not None:
            await ready_gate.wait()
        ready("fake")
        log.append(f"{name} ready")
        await stop.wait()
        log.append(f"{name} stopped")

    return serve


async def test_the_scheduler_starts_only_when_every_adapter_is_ready(sched_db_url: str, bank_small: Bank) -> None:
    log: list[str] = []
    gate = asyncio.Event()
    clock = ManualClock(NOW - dt.timedelta(hours=5))
    setup = make_service(sched_db_url, RecordingNotifier(), clock, bank_small)
    await subscribe_as(setup, "slack", "T1", "C1", "subscribe 09:00 Europe/Berlin")
    await setup.store.engine.dispose()  # type: ignore[attr-defined]
    clock.set(NOW)
    settings = Settings(database_url=sched_db_url, slack_bot_token="xoxb-1", discord_token="x.y.z")
    runner = BotRunner(
        settings,
        ["slack", "discord"],
        clock=clock,
        drain_seconds=5,
        servers={"slack": fake_server(log, "slack"), "discord": fake_server(log, "discord", ready_gate=gate)},
    )
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    await wait_for(lambda: "slack ready" in log and "discord registered" in log, 10, "adapters")
    await asyncio.sleep(0.2)
    assert not runner.ready.is_set() and await lease_holder(sched_db_url) is None  # no scheduler yet
    slack_notifier = runner.routing._by_platform["slack"]
    assert isinstance(slack_notifier, RecordingNotifier) and slack_notifier.sent == []
    gate.set()
    await asyncio.wait_for(runner.ready.wait(), 5)
    await wait_for(lambda: len(slack_notifier.of_type(QuestionPost)) == 1, 5, "the caught-up question")
    stop.set()
    assert await asyncio.wait_for(task, 15) == 0
    assert log[-2:] in (["slack stopped", "discord stopped"], ["discord stopped", "slack stopped"])


async def test_a_failing_adapter_stops_the_other_and_the_error_surfaces(sched_db_url: str) -> None:
    log: list[str] = []
    settings = Settings(database_url=sched_db_url, slack_bot_token="xoxb-1", discord_token="x.y.z")
    runner = BotRunner(
        settings,
        ["slack", "discord"],
        drain_seconds=5,
        servers={
            "slack": fake_server(log, "slack"),
            "discord": fake_server(log, "discord", fail_after_register=ConfigError("Discord rejected DISCORD_TOKEN")),
        },
    )
    with pytest.raises(ConfigError, match="rejected DISCORD_TOKEN"):
        await asyncio.wait_for(runner.run(asyncio.Event()), 15)
    assert "slack stopped" in log
    assert await lease_holder(sched_db_url) is None


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 0), (signal.SIGINT, 130)], ids=["SIGTERM", "Ctrl-C"])
async def test_a_signal_stops_a_running_bot_cleanly(
    tmp_path: Path, sched_db_url: str, sig: signal.Signals, code: int
) -> None:
    """A real ``studybot run`` process (terminal chat, JSON logs, /healthz) stopped with SIGTERM (exit 0) or
    Ctrl-C (SIGINT: exit 130, as a shell expects of an interrupted program, after closing everything)."""
    secret = "s3cr3t-signing-value-0123456789ab"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "STUDYBOT_"))}
    env.update(
        DATABASE_URL=sched_db_url, STUDYBOT_LOG_FORMAT="json", STUDYBOT_LOG_LEVEL="INFO", SLACK_SIGNING_SECRET=secret
    )
    err = tmp_path / "stderr.log"
    out = tmp_path / "stdout.log"
    studybot = str(Path(sys.executable).with_name("studybot"))
    with err.open("wb") as err_file, out.open("wb") as out_file:  # noqa: ASYNC230  (local files, opened once)
        proc = await asyncio.create_subprocess_exec(
            studybot,
            "run",
            "--health-port",
            "0",
            stdin=asyncio.subprocess.PIPE,
            stdout=out_file,
            stderr=err_file,
            env=env,
        )
    try:

        def log_lines() -> list[dict[str, Any]]:
            return [json.loads(x) for x in err.read_text().splitlines() if x.startswith("{")]

        await wait_for(
            lambda: (
                any(r["message"].startswith("health check on") for r in log_lines())
                and any("lease acquired" in r["message"] for r in log_lines())
            ),
            60,
            "start-up",
        )
        url = next(r["message"].split(" on ", 1)[1] for r in log_lines() if r["message"].startswith("health check on"))
        async with aiohttp.ClientSession() as http, http.get(url) as resp:
            body = await resp.json()
            assert resp.status == 200 and body["scheduler"]["role"] == "leader", body
        started = time.monotonic()
        proc.send_signal(sig)
        assert await asyncio.wait_for(proc.wait(), 15) == code
        assert time.monotonic() - started < 10
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    records = log_lines()
    messages = [r["message"] for r in records]
    assert "scheduler lease released" in messages and "stopped; database closed" in messages
    assert all("channel" in r and "job" in r for r in records if r["logger"].startswith("scheduler")), records
    assert secret not in err.read_text()
    assert await lease_holder(sched_db_url) is None
    shown = out.read_text()
    assert "StudyBot terminal chat" in shown
    assert shown.rstrip().endswith("(interrupted) bye") == (sig == signal.SIGINT), shown[-200:]


def test_bad_settings_name_what_is_wrong(tmp_path: Path) -> None:
    """New-user re-trial: a file as the data folder and a URL without a scheme got confusing lines."""
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    with pytest.raises(ConfigError, match="is a file, not a folder"):
        Settings.from_env({"STUDYBOT_DATA_DIR": str(a_file)})
    with pytest.raises(ConfigError, match="not a database URL"):
        Settings.from_env({"DATABASE_URL": "garbage", "STUDYBOT_DATA_DIR": str(tmp_path / "d")})
    with pytest.raises(ConfigError, match="uses 'mysql'"):
        Settings.from_env({"DATABASE_URL": "mysql://u@h/db", "STUDYBOT_DATA_DIR": str(tmp_path / "d")})
