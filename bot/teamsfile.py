"""``studybot teams load FILE``: define teams and their leads from a YAML file.

```yaml
workspace: {platform: slack, id: T0STUDY}
teams:
  - name: platform
    tz: Europe/Berlin
    leads: [U0ALICE]
    members: [U0BOB, U0CAROL]
```
Loading is idempotent: teams are created or updated, people are moved into the named team (a person
is in one team per workspace), and leads are set. Nobody is removed from a team by omission.
"""

from __future__ import annotations

import asyncio
import zoneinfo
from pathlib import Path
from typing import Literal, TextIO

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.app import open_store
from bot.core.clock import SystemClock

__all__ = ["TeamsFile", "load_teams_file"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorkspaceRef(_Strict):
    platform: Literal["slack", "discord", "console"]
    id: str = Field(min_length=1, max_length=64)


class TeamSpec(_Strict):
    name: str = Field(pattern=r"^#?[A-Za-z0-9_\-]{1,40}$")
    tz: str = "UTC"
    leads: list[str] = Field(default_factory=list)
    members: list[str] = Field(default_factory=list)

    @field_validator("tz")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            zoneinfo.ZoneInfo(v)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {v!r}") from exc
        return v


class TeamsFile(_Strict):
    workspace: WorkspaceRef
    teams: list[TeamSpec] = Field(min_length=1)


async def load_teams_file(path: Path, db_url: str, out: TextIO) -> int:
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        spec = TeamsFile.model_validate(yaml.safe_load(text))
    except (OSError, yaml.YAMLError) as exc:
        print(f"{path}: cannot read: {exc}", file=out)
        return 1
    except ValidationError as exc:
        for e in exc.errors():
            print(f"{path}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}", file=out)
        return 1
    seen: dict[str, str] = {}
    for team in spec.teams:
        for person in [*team.leads, *team.members]:
            if seen.get(person, team.name) != team.name:
                print(
                    f"{path}: {person} is listed in teams {seen[person]} and {team.name}; a person is in one team",
                    file=out,
                )
                return 1
            seen[person] = team.name
    async with open_store(db_url) as store:
        ws = await store.ensure_workspace(spec.workspace.platform, spec.workspace.id)
        for team in spec.teams:
            team_id = await store.ensure_team(ws, team.name, team.tz)
            for person in team.members:
                await store.set_member(ws, team_id, await store.ensure_person(ws, person))
            for person in team.leads:
                await store.set_member(ws, team_id, await store.ensure_person(ws, person), lead=True)
            print(f"team {team.name}: {len(team.leads)} lead(s), {len(team.members)} member(s)", file=out)
        await store.audit(ws, "config", str(path), "teams-load", f"{len(spec.teams)} team(s)", SystemClock().now())
    return 0
