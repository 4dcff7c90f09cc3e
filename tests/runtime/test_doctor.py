"""``studybot doctor``: settings, tokens (never printed), database and migrations, content, next runs."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from bot.cli import main
from bot.core.clock import ManualClock
from bot.doctor import run_doctor
from bot.settings import Settings
from content.loader import Bank
from storage.lease import SqlLease
from tests.conftest import RecordingNotifier
from tests.scheduler.helpers import make_service, subscribe

NOW = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)  # Monday 08:00 in Berlin, 02:00 in New York
SLACK_BOT = "xoxb-000000000-111111111-doctortestnotreal"
SLACK_APP = "xapp-1-A000-222-doctortestnotrealeither"
DISCORD = "MTE5MDAwMDAwMDAwMDAwMDAwMQ.GaBcDe.doctor-test-not-a-real-token-xyz"


async def doctor(settings: Settings, **kw: object) -> tuple[int, str]:
    out = io.StringIO()
    code = await run_doctor(settings, out, now=NOW, **kw)  # type: ignore[arg-type]
    return code, out.getvalue()


async def test_a_healthy_setup_with_next_runs_in_local_time(sched_db_url: str, bank_small: Bank) -> None:
    clock = ManualClock(NOW)
    svc = make_service(sched_db_url, RecordingNotifier(), clock, bank_small)
    await subscribe(svc, "CBER", "09:00", "Europe/Berlin")
    nyc = await subscribe(svc, "CNYC", "01:30", "America/New_York")
    post = await svc.daily.post_daily(nyc)  # 02:00 in New York: today's question is out, its reveal pending
    assert post is not None
    await SqlLease(svc.store.engine).acquire("scheduler", "host:42:abc", dt.timedelta(seconds=30), NOW)  # type: ignore[attr-defined]
    await svc.store.engine.dispose()  # type: ignore[attr-defined]
    settings = Settings(
        database_url=sched_db_url,
        slack_bot_token=SLACK_BOT,
        slack_app_token=SLACK_APP,
        discord_token=DISCORD,
        admins=frozenset({"U1"}),
    )
    code, out = await doctor(settings)
    assert code == 0, out
    assert "[ ok ] slack: Socket Mode (SLACK_APP_TOKEN set)" in out
    assert "[ ok ] discord: bot token present" in out
    assert "[ ok ] migrations: at head" in out
    assert "lease held by host:42:abc until 07:00:30 UTC" in out
    assert (
        "slack T1/CBER #cber (Europe/Berlin): weekly board Mon 2026-03-02 08:00 CET (07:00 UTC); "
        "daily question Mon 2026-03-02 09:00 CET (08:00 UTC)" in out
    )
    assert "daily question Tue 2026-03-03 01:30 EST (06:30 UTC)" in out
    assert f"reveal of post {post.id} Mon 2026-03-02 10:00 EST (15:00 UTC)" in out
    assert "content: " in out and "content validate: " in out
    for secret in (SLACK_BOT, SLACK_APP, DISCORD, "doctortest", "not-a-real"):
        assert secret not in out
    assert out.rstrip().endswith("doctor: all checks passed")


async def test_problems_fail_the_doctor_without_printing_secrets(tmp_path: Path, sched_db_url: str) -> None:
    missing = Settings(data_dir=tmp_path / "nowhere")
    code, out = await doctor(missing, content=False)
    assert code == 1 and "[FAIL] database:" in out and "does not exist yet" in out

    empty = tmp_path / "empty.db"
    empty.touch()
    code, out = await doctor(Settings(database_url=f"sqlite:///{empty}"), content=False)
    assert code == 1 and "[FAIL] migrations: database at no revision" in out

    bad = Settings(database_url=sched_db_url, slack_bot_token="xoxp-user-token-secretvalue", discord_token="Bot abc")
    code, out = await doctor(bad, content=False)
    assert code == 1
    assert "[FAIL] slack:" in out and "must start with xoxb-" in out and "[FAIL] discord:" in out
    assert "secretvalue" not in out

    pg = Settings(database_url="postgresql://studybot:hunter2pw@127.0.0.1:1/studybot")
    code, out = await doctor(pg, content=False)
    assert code == 1 and "[FAIL] database: cannot connect to PostgreSQL 127.0.0.1:1/studybot" in out
    assert "hunter2pw" not in out


async def test_json_output(sched_db_url: str) -> None:
    code, out = await doctor(Settings(database_url=sched_db_url), content=False, as_json=True)
    data = json.loads(out)
    assert code == 0 and data["ok"] is True
    assert {c["area"] for c in data["checks"]} >= {
        "settings",
        "platforms",
        "database",
        "migrations",
        "scheduler",
        "schedule",
    }


def test_cli_doctor_exit_code(tmp_path: Path, monkeypatch: object, capsys: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("STUDYBOT_DATA_DIR", str(tmp_path))
    assert main(["doctor", "--skip-content"]) == 1  # no database yet
    assert "studybot db upgrade" in capsys.readouterr().out  # type: ignore[attr-defined]
