"""Slash commands on Discord: the 3-second rule, ephemeral replies, /drill validation and autocomplete."""

from __future__ import annotations

import asyncio

from adapters.discord.client import FAILED, GUILDS_ONLY, scope_choices
from bot.core.messages import Reply
from tests.adapters.discord.fake_discord import wait_until
from tests.adapters.discord.harness import CHAN_A, GUILD_A, SpyService, World, text_of

EPHEMERAL = 64


def flags(body: dict[str, object]) -> int:
    data = body.get("data") or {}
    assert isinstance(data, dict)
    return int(data.get("flags") or 0)


async def test_slow_command_is_deferred_within_3_seconds_and_answered_later(world: World) -> None:
    """§6 check 3: the service takes longer than Discord's 3 s; the bot defers at once and follows up."""
    spy = SpyService(world.service)
    spy.gate = asyncio.Event()
    await world.start_bot(service=spy)

    rec = await world.fake.slash("stats", guild_id=GUILD_A, channel_id=CHAN_A, user=world.person(1))
    await wait_until(lambda: bool(rec.callbacks), what="the initial response")
    assert rec.callback_types == [5] and flags(rec.callbacks[0][1]) == EPHEMERAL
    assert rec.callback_delay() < 1.0
    await asyncio.sleep(3.1)  # the "work" outlasts the 3 s deadline; the interaction token stays valid for 15 min
    assert not rec.edits
    spy.gate.set()
    await wait_until(lambda: bool(rec.edits), what="the followup")
    assert rec.original is not None and rec.original.data["flags"] & EPHEMERAL
    assert text_of(rec.original.data)  # whatever the service said, it was delivered
    assert spy.commands[0][:2] == ("/stats", "")


async def test_drill_autocomplete_offers_at_most_25_matching_scopes(world: World) -> None:
    spy = SpyService(world.service)
    await world.start_bot(service=spy)
    user = world.person(1)

    async def choices(current: str) -> list[dict[str, str]]:
        rec = await world.fake.autocomplete(
            "drill", {"scope": current}, "scope", guild_id=GUILD_A, channel_id=CHAN_A, user=user
        )
        await wait_until(lambda: bool(rec.callbacks), what="autocomplete result")
        assert rec.callback_types == [8] and rec.callback_delay() < 1.0
        return rec.callbacks[0][1]["data"]["choices"]  # type: ignore[no-any-return]

    everything = await choices("")
    assert len(everything) == 25 and everything[0]["value"] == "weak"
    narrowed = await choices("3.2")
    assert narrowed and len(narrowed) <= 25
    assert all("3.2" in c["name"] for c in narrowed) and narrowed[0]["value"].startswith("3.2")
    assert all(len(c["name"]) <= 100 for c in everything + narrowed)
    assert await choices("no such scope at all") == []

    picked = narrowed[0]["value"]  # the person picks a suggestion and submits it
    rec = await world.command("drill", {"scope": picked}, user=user)
    assert rec.callback_types == [5] and [(c, t) for c, t, _i in spy.commands] == [("/drill", picked)]
    assert rec.original is not None and "Usage" not in text_of(rec.original.data)


async def test_drill_with_a_valid_topic_reaches_the_service(world: World) -> None:
    spy = SpyService(world.service)
    await world.start_bot(service=spy)
    member = world.person(1, "sam")

    rec = await world.command("drill", {"scope": "topic3"}, user=member)
    assert rec.callback_types == [5] and flags(rec.callbacks[0][1]) == EPHEMERAL
    await world.command("drill", {"scope": "3.2", "count": 10}, user=member)
    assert [(c, t) for c, t, _inv in spy.commands] == [("/drill", "topic3"), ("/drill", "3.2 10")]
    inv = spy.commands[0][2]
    assert (inv.platform, inv.workspace, inv.channel, inv.user) == ("discord", GUILD_A, CHAN_A, member["id"])
    assert inv.user_name == "sam" and inv.channel_name == "daily-quiz" and not inv.is_admin


async def test_bad_drill_arguments_get_an_ephemeral_usage_message_and_write_nothing(world: World) -> None:
    """§6 check 13, including an autocomplete label submitted as the final value (not enforced by Discord)."""
    spy = SpyService(world.service)
    await world.start_bot(service=spy)
    label = next(c.name for c in scope_choices(world.service.syllabus, "3.2") if c.value != c.name)
    bad = ["topic9", "topic3 extra", "x" * 2000, "ünïcødé ✨", "'; DROP TABLE answer; --", label, "3.9.9"]
    before = {t: await world.count(t) for t in ("audit_log", "drill_session", "answer", "channel")}
    for value in bad:
        rec = await world.command("drill", {"scope": value}, user=world.person(1))
        assert rec.callback_types == [4], value
        body = rec.callbacks[0][1]
        assert flags(body) == EPHEMERAL, value
        assert "Usage: /drill" in text_of(body["data"]), value
        assert rec.callback_delay() < 1.0
    assert spy.commands == []
    assert {t: await world.count(t) for t in before} == before

    rec = await world.command("studybot subscribe", {"time": "25:00"}, admin=True)
    assert rec.callback_types == [4] and "not a time" in text_of(rec.callbacks[0][1]["data"])
    assert spy.commands == []


async def test_public_replies_are_visible_and_private_ones_ephemeral(world: World) -> None:
    await world.start_bot()
    rec = await world.command(
        "studybot subscribe", {"time": "09:00", "timezone": "Europe/Berlin"}, admin=True, expect_followups=1
    )
    assert rec.callback_types == [5] and flags(rec.callbacks[0][1]) == EPHEMERAL
    assert rec.original is not None and rec.original.data["flags"] & EPHEMERAL
    [public] = rec.followups
    assert not public.data["flags"] & EPHEMERAL and "Subscribed" in text_of(public.data)

    rec = await world.command("studybot settings", admin=True)
    assert rec.followups == [] and rec.original is not None
    assert rec.original.data["flags"] & EPHEMERAL and "Channel settings" in text_of(rec.original.data)


async def test_admin_commands_need_manage_server(world: World) -> None:
    await world.start_bot()
    rec = await world.command("studybot subscribe", user=world.person(1))  # no Manage Server
    assert rec.original is not None and "admins" in text_of(rec.original.data) and not rec.followups
    assert await world.count("channel") == 0
    await world.subscribe()
    assert await world.count("channel") == 1


async def test_failures_and_direct_messages_get_a_clear_ephemeral_answer(world: World) -> None:
    spy = SpyService(world.service)
    spy.fail = True
    await world.start_bot(service=spy)
    rec = await world.command("stats", user=world.person(1))
    assert rec.original is not None and FAILED in text_of(rec.original.data)

    dm = await world.fake.send_interaction(
        2,
        {"id": "1", "name": "stats", "type": 1, "options": []},
        guild_id=None,
        channel_id="1210000000000000999",
        user=world.person(1),
    )
    await wait_until(lambda: bool(dm.callbacks), what="DM answer")
    assert dm.callback_types == [4] and flags(dm.callbacks[0][1]) == EPHEMERAL
    assert GUILDS_ONLY in text_of(dm.callbacks[0][1]["data"])


async def test_long_replies_fall_back_to_plain_text_messages(world: World) -> None:
    spy = SpyService(world.service)
    spy.replies["/stats"] = [Reply("line of stats\n" * 600, private=True)]  # ~8,400 characters
    await world.start_bot(service=spy)
    rec = await world.command("stats", user=world.person(1), expect_followups=4)
    assert rec.original is not None
    parts = [rec.original, *rec.followups]
    assert all(len(m.data["content"]) <= 2000 and m.data["flags"] & EPHEMERAL for m in parts)
    assert sum(m.data["content"].count("line of stats") for m in parts) == 600


async def test_member_commands_reach_the_real_service_with_their_options(world: World) -> None:
    await world.start_bot()
    await world.subscribe()
    member = world.person(1)
    for name, options in [
        ("leaderboard", {"week": "last", "topic": "topic2"}),
        ("leaderboard", None),
        ("weakspots", None),
        ("weakspots", {"team": "owls"}),
        ("stats", None),
        ("forget-me", None),
    ]:
        rec = await world.command(name, options, user=member)
        shown = "\n".join(text_of(m.data) for m in [rec.original, *rec.followups] if m is not None)
        if rec.callback_types == [4]:
            shown += text_of(rec.callbacks[0][1]["data"])
        assert shown and FAILED not in shown and "Unknown command" not in shown, (name, options, shown)
