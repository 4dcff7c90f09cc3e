"""`studybot teams load FILE`: teams, members and leads from YAML; clear errors for bad files."""

from __future__ import annotations

import io
from pathlib import Path

from bot.teamsfile import load_teams_file
from storage.db import create_engine
from storage.store import SqlStore

GOOD = """
workspace: {platform: slack, id: T1}
teams:
  - name: platform
    tz: Europe/Berlin
    leads: [UALICE]
    members: [UBOB, UCAROL]
  - name: data
    members: [UDAN]
"""


async def test_load_teams_file_is_idempotent(tmp_path: Path) -> None:
    f = tmp_path / "teams.yaml"
    f.write_text(GOOD, encoding="utf-8")
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    out = io.StringIO()
    assert await load_teams_file(f, url, out) == 0
    assert await load_teams_file(f, url, out) == 0
    engine = create_engine(url)
    try:
        store = SqlStore(engine)
        ws = await store.ensure_workspace("slack", "T1")
        teams = {t["name"]: t for t in await store.teams(ws)}
        assert set(teams) == {"platform", "data"} and teams["platform"]["tz"] == "Europe/Berlin"
        assert [n for _i, n in teams["platform"]["leads"]] == ["UALICE"]
        assert len(teams["platform"]["members"]) == 3 and len(teams["data"]["members"]) == 1
    finally:
        await engine.dispose()


async def test_bad_teams_file_names_the_problem(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    cases = {
        "teams:\n  - name: x\n": "workspace: Field required",
        GOOD.replace("Europe/Berlin", "Mars/Base"): "unknown time zone 'Mars/Base'",
        GOOD.replace("members: [UDAN]", "members: [UBOB]"): "UBOB is listed in teams platform and data",
        GOOD.replace("leads:", "captains:"): "captains: Extra inputs are not permitted",
    }
    for text, expected in cases.items():
        f = tmp_path / "teams.yaml"
        f.write_text(text, encoding="utf-8")
        out = io.StringIO()
        assert await load_teams_file(f, url, out) == 1
        assert expected in out.getvalue(), out.getvalue()
