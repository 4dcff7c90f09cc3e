"""Registering the slash commands with Discord only when they changed (Discord rate-limits command updates)."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

__all__ = ["command_fingerprint", "sync_if_changed"]

log = logging.getLogger(__name__)

_FINGERPRINT_KEYS = (
    "name",
    "description",
    "type",
    "required",
    "autocomplete",
    "min_value",
    "max_value",
    "min_length",
    "max_length",
    "channel_types",
)


async def sync_if_changed(tree: app_commands.CommandTree[Any], dev_guild: str | None) -> None:
    """Register the slash commands, globally or in the development guild, only when they changed
    (a restart with the same commands sends nothing)."""
    guild = discord.Object(id=int(dev_guild)) if dev_guild else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    wanted = [command_fingerprint(c.to_dict(tree)) for c in tree.get_commands(guild=guild)]
    try:
        current = [command_fingerprint(_registered_payload(c)) for c in await tree.fetch_commands(guild=guild)]
    except discord.HTTPException as exc:
        log.info("could not read the registered commands (%s); registering them", exc.status)
        current = []
    where = f"guild {dev_guild}" if guild is not None else "globally"
    if sorted(wanted, key=repr) == sorted(current, key=repr):
        log.info("slash commands unchanged %s; not synced", where)
        return
    synced = await tree.sync(guild=guild)
    log.info("slash commands synced %s: %s", where, ", ".join(c.name for c in synced))


def _registered_payload(command: app_commands.AppCommand) -> dict[str, Any]:
    payload = dict(command.to_dict())
    perms = command.default_member_permissions  # AppCommand.to_dict leaves this out
    payload["default_member_permissions"] = str(perms.value) if perms is not None else None
    return payload


def command_fingerprint(payload: dict[str, Any]) -> dict[str, Any]:
    """The parts of a command's payload that we set, normalised, so local and registered forms compare."""
    out: dict[str, Any] = {k: payload[k] for k in _FINGERPRINT_KEYS if payload.get(k) not in (None, False, [])}
    out.setdefault("type", 1)
    perms = payload.get("default_member_permissions")
    if perms is not None:
        out["default_member_permissions"] = str(perms)
    if payload.get("choices"):
        out["choices"] = [(c["name"], c["value"]) for c in payload["choices"]]
    if payload.get("options"):
        out["options"] = [command_fingerprint(o) for o in payload["options"]]
    return out
