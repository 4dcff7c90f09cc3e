"""What every Discord command group shares: the client's command runner, option text, the scope and zone autocomplete."""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import discord
from discord import app_commands

from bot.core.model import Syllabus

__all__ = ["CommandRunner", "scope_choices", "zone_choices"]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _args(*parts: object) -> str:
    return " ".join(str(p).strip() for p in parts if p is not None and str(p).strip())


class _HasSyllabus(Protocol):
    @property
    def syllabus(self) -> Syllabus: ...


@runtime_checkable
class CommandRunner(Protocol):
    """What a command callback needs: the client's ``interactions`` (``Interactions`` is one); no import of it."""

    @property
    def service(self) -> _HasSyllabus: ...

    async def run_command(
        self,
        interaction: discord.Interaction[Any],
        command: str,
        text: str,
        validate: Callable[[str], object] | None = None,
    ) -> None: ...


def _runner(interaction: discord.Interaction[Any]) -> CommandRunner:
    runner = getattr(interaction.client, "interactions", None)
    if not isinstance(runner, CommandRunner):
        raise TypeError("StudyBot commands need a client with interactions (StudyBotClient)")
    return runner


def scope_choices(syllabus: Syllabus, current: str, limit: int = 25) -> list[app_commands.Choice[str]]:
    """Drill scopes matching what the person has typed so far (Discord shows at most 25)."""
    options: list[tuple[str, str]] = [
        ("weak", "weak · your weakest objectives"),
        ("missed", "missed · questions you got wrong"),
    ]
    for topic in syllabus.topics:
        options.append((f"topic{topic.id}", f"topic{topic.id} · {topic.title}"))
    for topic in syllabus.topics:
        for sub in topic.subtopics:
            options.append((sub.id, f"{sub.id} · {sub.title}"))
    for objective in syllabus.objectives():
        options.append((objective.id, f"{objective.id} · {objective.text}"))
    needle = current.strip().lower()[:100]
    if needle:
        hits = [o for o in options if needle in o[1].lower()]
        hits.sort(key=lambda o: not o[0].lower().startswith(needle))  # stable: prefix matches first
    else:
        hits = options
    return [app_commands.Choice(name=_cut(label, 100), value=value) for value, label in hits[:limit]]


@functools.cache
def _zone_names() -> tuple[str, ...]:
    return tuple(
        sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "posix/", "right/")))
    )


def zone_choices(current: str, limit: int = 25) -> list[app_commands.Choice[str]]:
    """IANA zones containing what was typed (prefix matches first); UTC first when nothing is typed."""
    needle = current.strip().lower()[:64]
    names = _zone_names()
    if not needle:
        picks = [
            "UTC",
            "Europe/London",
            "Europe/Berlin",
            "America/New_York",
            "America/Chicago",
            "America/Los_Angeles",
            "Asia/Kolkata",
            "Asia/Singapore",
            "Asia/Tokyo",
            "Australia/Sydney",
        ]
    else:
        hits = [z for z in names if needle in z.lower()]
        hits.sort(key=lambda z: (not z.lower().startswith(needle), not z.lower().split("/")[-1].startswith(needle), z))
        picks = (["UTC"] if "utc".startswith(needle) else []) + hits
    return [app_commands.Choice(name=z, value=z) for z in picks[:limit]]


async def _zone_autocomplete(_interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    return zone_choices(current)


def _mention(member: discord.abc.User) -> str:
    return f"<@{member.id}>"
