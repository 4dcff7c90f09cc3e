"""Discord API payload builders for the loopback double, in one place (discord.py 2.7 reads some fields strictly).

Fields discord.py 2.7.1 requires and a naive fake forgets (protocols.md §2.3): ``type`` and ``burst``
on reaction events; ``attachment_size_limit``, ``version``, ``application_id``, ``token`` and ``member``
on INTERACTION_CREATE; ``resume_gateway_url`` and ``application`` on READY. An upgrade of discord.py
must re-run these tests deliberately (the dependency is pinned to 2.7.*).
"""

from __future__ import annotations

import itertools
from typing import Any

BOT_ID = "1250000000000000001"  # the bot user; its application has the same id (as on Discord)
APP_ID = BOT_ID
TOKEN = "fake.discord-bot-token.7f3a9c"  # never a real token; distinctive so logs can be searched for it
EPOCH = "2026-01-01T00:00:00.000000+00:00"

# Snowflakes are (ms since 2015 << 22 | ...); shard = (guild_id >> 22) % shard_count.
_ids = itertools.count(1_300_000_000_000_000_000, 1 << 22)  # consecutive ids alternate between 2 shards


def snowflake() -> str:
    return str(next(_ids))


def guild_id_on_shard(shard: int, shard_count: int = 2, base: int = 1_200_000_000_000_000_000) -> str:
    gid = base
    while (gid >> 22) % shard_count != shard:
        gid += 1 << 22
    return str(gid)


def user(uid: str, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": uid,
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
        "flags": 0,
    }


def member(u: dict[str, Any], *, permissions: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "user": u,
        "roles": [],
        "joined_at": EPOCH,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "nick": None,
        "avatar": None,
        "pending": False,
    }
    if permissions is not None:
        data["permissions"] = permissions  # interactions carry the member's resolved permissions
    return data


def text_channel(cid: str, gid: str, name: str) -> dict[str, Any]:
    return {
        "id": cid,
        "type": 0,
        "guild_id": gid,
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
    }


def guild(gid: str, name: str, owner_id: str, channels: dict[str, str]) -> dict[str, Any]:
    everyone = {
        "id": gid,
        "name": "@everyone",
        "permissions": str(1 << 10 | 1 << 11 | 1 << 6 | 1 << 16 | 1 << 14),
        "position": 0,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }
    return {
        "id": gid,
        "name": name,
        "owner_id": owner_id,
        "unavailable": False,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "features": [],
        "roles": [everyone],
        "emojis": [],
        "stickers": [],
        "channels": [text_channel(cid, gid, cname) for cid, cname in channels.items()],
        "threads": [],
        "members": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "member_count": 3,
        "large": False,
        "joined_at": EPOCH,
        "premium_tier": 0,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "preferred_locale": "en-US",
        "system_channel_id": None,
        "system_channel_flags": 0,
        "afk_channel_id": None,
        "afk_timeout": 300,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_subscription_count": 0,
        "max_members": 500000,
        "application_id": None,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
    }


def application(owner: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": APP_ID,
        "name": "StudyBot",
        "icon": None,
        "description": "",
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": owner,
        "summary": "",
        "verify_key": "0" * 64,
        "team": None,
        "flags": 0,
        "tags": [],
        "interactions_endpoint_url": None,
        "approximate_guild_count": 2,
        "redirect_uris": [],
    }


def message(
    mid: str,
    channel_id: str,
    author: dict[str, Any],
    *,
    guild_id: str | None = None,
    content: str = "",
    embeds: list[Any] | None = None,
    components: list[Any] | None = None,
    flags: int = 0,
    webhook_id: str | None = None,
    interaction_metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": mid,
        "channel_id": channel_id,
        "author": author,
        "content": content,
        "timestamp": EPOCH,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": embeds or [],
        "pinned": False,
        "type": 0,
        "flags": flags,
        "components": components or [],
    }
    if guild_id is not None:
        data["guild_id"] = guild_id
    if webhook_id is not None:
        data["webhook_id"] = webhook_id
    if interaction_metadata is not None:
        data["interaction_metadata"] = interaction_metadata
    return data


def reaction_summary(emoji: str, count: int, me: bool) -> dict[str, Any]:
    return {
        "emoji": {"id": None, "name": emoji},
        "count": count,
        "count_details": {"burst": 0, "normal": count},
        "me": me,
        "me_burst": False,
        "burst_colors": [],
    }


def reaction_event(
    *,
    added: bool,
    user_id: str,
    channel_id: str,
    message_id: str,
    guild_id: str,
    emoji: str,
    emoji_id: str | None = None,
    member_data: dict[str, Any] | None = None,
    author_id: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "user_id": user_id,
        "channel_id": channel_id,
        "message_id": message_id,
        "guild_id": guild_id,
        "emoji": {"id": emoji_id, "name": emoji},
        "burst": False,
        "type": 0,
    }
    if added:
        data["member"] = member_data
        data["message_author_id"] = author_id
        data["burst_colors"] = []
    return data


def ready(
    session_id: str, resume_url: str, guild_ids: list[str], shard: tuple[int, int], bot: dict[str, Any]
) -> dict[str, Any]:
    return {
        "v": 10,
        "user": bot,
        "session_id": session_id,
        "resume_gateway_url": resume_url,
        "guilds": [{"id": g, "unavailable": True} for g in guild_ids],
        "shard": list(shard),
        "application": {"id": APP_ID, "flags": 0},
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "geo_ordered_rtc_regions": [],
        "guild_join_requests": [],
        "user_settings": {},
    }


def interaction(
    *,
    iid: str,
    token: str,
    kind: int,
    data: dict[str, Any],
    guild_id: str | None,
    channel_id: str,
    channel_name: str,
    u: dict[str, Any],
    permissions: str,
    msg: dict[str, Any] | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": iid,
        "application_id": APP_ID,
        "type": kind,
        "data": data,
        "channel_id": channel_id,
        "token": token,
        "version": 1,
        "locale": "en-US",
        "attachment_size_limit": 8 * 1024 * 1024,
        "app_permissions": str((1 << 51) - 1),
        "entitlements": [],
        "entitlement_sku_ids": [],
        "authorizing_integration_owners": {"0": guild_id} if guild_id else {"1": u["id"]},
        "context": 0 if guild_id else 1,
    }
    if guild_id is not None:
        payload["guild_id"] = guild_id
        payload["guild_locale"] = "en-US"
        payload["guild"] = {"id": guild_id, "locale": "en-US", "features": []}
        payload["channel"] = {**text_channel(channel_id, guild_id, channel_name), "permissions": permissions}
        payload["member"] = member(u, permissions=permissions)
    else:
        payload["user"] = u
        payload["channel"] = {"id": channel_id, "type": 1, "recipients": [u], "last_message_id": None, "flags": 0}
    if msg is not None:
        payload["message"] = msg
    return payload


def slash_data(name: str, options: dict[str, Any] | None = None, *, focused: str | None = None) -> dict[str, Any]:
    """A slash command's data; ``name`` may be a subcommand path ("studybot subscribe", "studybot team add").

    Option values: str (type 3), int (4), bool (5), a user payload (6, with ``resolved.users``)."""
    opts, resolved = [], {}
    for key, value in (options or {}).items():
        if isinstance(value, bool):
            kind = 5
        elif isinstance(value, int):
            kind = 4
        elif isinstance(value, dict):
            kind = 6
            resolved.setdefault("users", {})[value["id"]] = value
            value = value["id"]
        else:
            kind = 3
        opt: dict[str, Any] = {"name": key, "type": kind, "value": value}
        if key == focused:
            opt["focused"] = True
        opts.append(opt)
    path = name.split()
    if len(path) == 2:
        opts = [{"name": path[1], "type": 1, "options": opts}]
    elif len(path) == 3:
        opts = [{"name": path[1], "type": 2, "options": [{"name": path[2], "type": 1, "options": opts}]}]
    data: dict[str, Any] = {"id": snowflake(), "name": path[0], "type": 1, "options": opts}
    if resolved:
        data["resolved"] = resolved
    return data


def button_data(custom_id: str) -> dict[str, Any]:
    return {"custom_id": custom_id, "component_type": 2}


MANAGE_GUILD = str(1 << 5)
MEMBER_PERMS = str(1 << 10 | 1 << 11 | 1 << 6 | 1 << 16)
