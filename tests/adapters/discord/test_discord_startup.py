"""Start-up and shutdown: intents, registered commands, settings checks, secrets, invite URL, clean stop."""

from __future__ import annotations

import asyncio
import logging

import pytest
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord import INVITE_PERMISSIONS, check_settings, invite_url, serve_discord
from bot.settings import ConfigError
from tests.adapters.discord import discord_payloads as P
from tests.adapters.discord.fake_discord import wait_until
from tests.adapters.discord.harness import World

MESSAGE_CONTENT = 1 << 15


async def test_identify_uses_minimal_intents_and_registers_the_commands(world: World) -> None:
    await world.start_bot()
    [identify] = world.fake.identifies
    assert identify["intents"] == (1 << 0) | (1 << 10)  # guilds + guild reactions, nothing else
    assert not identify["intents"] & MESSAGE_CONTENT
    [commands] = world.fake.commands
    by_name = {c["name"]: c for c in commands}
    assert set(by_name) == {"drill", "leaderboard", "weakspots", "stats", "exam", "forget-me", "plan", "studybot"}
    assert int(by_name["studybot"]["default_member_permissions"]) == 1 << 5  # Manage Server
    assert all(c["default_member_permissions"] is None for n, c in by_name.items() if n != "studybot")
    assert all(c["contexts"] == [0] for c in commands)  # servers only
    scope = next(o for o in by_name["drill"]["options"] if o["name"] == "scope")
    assert scope["autocomplete"] is True and scope["type"] == 3 and not scope["required"]
    count = next(o for o in by_name["drill"]["options"] if o["name"] == "count")
    assert (count["min_value"], count["max_value"]) == (1, 20)
    for c in commands:
        assert c["description"] and len(c["description"]) <= 100
    plan = [o["name"] for o in by_name["plan"]["options"]]
    assert plan == ["show", "remind", "pause", "resume", "cap", "exam", "weekly"]


@pytest.mark.parametrize(
    ("token", "api_url", "gateway_url", "needle"),
    [
        ("", None, None, "DISCORD_TOKEN is not set"),
        ("   ", None, None, "DISCORD_TOKEN is not set"),
        ("Bot abc.def.ghi", None, None, "without the 'Bot ' prefix"),
        ("abc def", None, None, "spaces"),
        ("abc.def.ghi", "discord.com/api", None, "DISCORD_API_URL"),
        ("abc.def.ghi", "ftp://discord.com", None, "DISCORD_API_URL"),
        ("abc.def.ghi", "https://user:pw@discord.com", None, "DISCORD_API_URL"),
        ("abc.def.ghi", None, "https://gateway.discord.gg", "DISCORD_GATEWAY_URL"),
    ],
)
async def test_bad_settings_stop_start_up_with_a_clear_message(
    token: str, api_url: str | None, gateway_url: str | None, needle: str, world: World
) -> None:
    """§6 check 18: fail fast, name the setting, never echo a value; nothing connects."""
    with pytest.raises(ConfigError) as err:
        await serve_discord(
            world.service,
            world.routing.register,
            token=token,
            api_url=api_url,
            gateway_url=gateway_url,
            sharded=False,
            stop=asyncio.Event(),
        )
    assert needle in str(err.value)
    for secret in ("abc.def.ghi", "abc def", "pw@"):
        assert secret not in str(err.value)
    assert world.fake.calls == [] and world.fake.identifies == []


def test_endpoint_overrides_are_normalised() -> None:
    assert check_settings(" t.o.k ", "http://127.0.0.1:8080", "ws://127.0.0.1:8080/ws?x=1") == (
        "t.o.k",
        "http://127.0.0.1:8080/api/v10",
        yarl.URL("ws://127.0.0.1:8080/ws"),
    )
    assert check_settings("t", "https://example.test/api/v10/", None) == ("t", "https://example.test/api/v10", None)
    assert check_settings("t", None, None) == ("t", None, None)


async def test_a_rejected_token_is_a_config_error_and_never_logged(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "MTIzNDU2Nzg5MDEyMzQ1Njc4.wrong-token.never-print-me"
    with pytest.raises(ConfigError) as err:
        await serve_discord(
            world.service,
            world.routing.register,
            token=wrong,
            api_url=world.fake.base,
            gateway_url=world.fake.ws_url,
            sharded=False,
            stop=asyncio.Event(),
            identify_delay=0.0,
        )
    assert "rejected DISCORD_TOKEN" in str(err.value)
    assert "never-print-me" not in str(err.value) and "never-print-me" not in caplog.text
    assert world.fake.calls[0].path == "/api/v10/users/@me" and world.fake.calls[0].status == 401
    assert world.fake.identifies == []


async def test_a_whole_session_never_logs_the_token_and_stops_cleanly(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    default_base, default_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    bot = await world.start_bot()
    assert Route.BASE == world.fake.api_url and DiscordWebSocket.DEFAULT_GATEWAY == yarl.URL(world.fake.ws_url)
    await world.subscribe()
    await world.fake.react(
        world.person(1)["id"], world.fake._new_message("1210000000000000011", {"content": "x"}).id, "1\ufe0f\u20e3"
    )
    await world.settle()

    await bot.stop()
    assert bot.task.done() and bot.task.exception() is None
    assert bot.client.is_closed()
    await wait_until(lambda: not world.fake.connected(), what="the gateway connection to close")
    assert (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY) == (default_base, default_gateway)
    assert all(c.auth in (None, f"Bot {P.TOKEN}") for c in world.fake.calls)  # the token went only to Discord
    assert P.TOKEN not in caplog.text
    assert "connected to Discord" in caplog.text


def test_invite_url_asks_for_exactly_what_the_bot_needs() -> None:
    url = invite_url("123456789012345678")
    assert url == (
        "https://discord.com/oauth2/authorize?client_id=123456789012345678"
        "&scope=bot+applications.commands&permissions=117824"
    )
    perms = {name for name, on in INVITE_PERMISSIONS if on}
    assert perms == {
        "read_messages",
        "send_messages",
        "embed_links",
        "attach_files",
        "add_reactions",
        "read_message_history",
    }  # read_messages is View Channel
    for bad in ("", "abc", "12345", "1234567890123456789012345"):
        with pytest.raises(ValueError):
            invite_url(bad)
