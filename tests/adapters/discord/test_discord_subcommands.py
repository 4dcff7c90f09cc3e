"""Native slash commands (issue #13): the registered payload, and every /studybot subcommand driven in the
subcommand form Discord's own client sends, with bad option values answered by an ephemeral usage message."""

from __future__ import annotations

from typing import Any

from tests.adapters.discord import discord_payloads as P
from tests.adapters.discord.fake_discord import wait_until
from tests.adapters.discord.harness import CHAN_A, GUILD_A, World, question_messages, reveal_messages, text_of

EPHEMERAL = 64
SUB, GROUP = 1, 2


def _shown(rec: Any) -> str:
    parts = [text_of(m.data) for m in [rec.original, *rec.followups] if m is not None]
    if rec.callbacks and rec.callback_types[0] == 4:
        parts.append(text_of(rec.callbacks[0][1]["data"]))
    return "\n".join(parts)


async def test_the_registered_payload_has_subcommands_typed_options_and_permissions(world: World) -> None:
    await world.start_bot()
    [commands] = world.fake.commands
    by_name = {c["name"]: c for c in commands}
    studybot = by_name["studybot"]
    assert int(studybot["default_member_permissions"]) == 1 << 5 and studybot["contexts"] == [0]
    subs = {o["name"]: o for o in studybot["options"]}
    assert set(subs) == {"subscribe", "unsubscribe", "settings", "post-now", "reveal-now", "focus", "help", "team"}
    assert all(o["type"] == SUB for n, o in subs.items() if n != "team") and subs["team"]["type"] == GROUP
    sub_opts = {o["name"]: o for o in subs["subscribe"]["options"]}
    assert sub_opts["time"]["type"] == 3 and sub_opts["timezone"]["autocomplete"] is True
    reveal = next(o for o in subs["settings"]["options"] if o["name"] == "reveal")
    assert [c["value"] for c in reveal["choices"]] == ["30m", "1h", "2h", "4h", "8h", "12h", "23h"]
    focus = {o["name"]: o for o in subs["focus"]["options"]}
    assert focus["topic"]["required"] and [c["value"] for c in focus["topic"]["choices"]][-1] == "off"
    assert (focus["weeks"]["type"], focus["weeks"]["min_value"], focus["weeks"]["max_value"]) == (4, 1, 12)
    team = {o["name"]: o for o in subs["team"]["options"]}
    assert set(team) == {"list", "create", "delete", "add", "remove", "lead", "unlead"}
    member = next(o for o in team["add"]["options"] if o["name"] == "member")
    assert member["type"] == 6 and member["required"]
    # member commands: visible to everyone (no default permission), described, servers only
    for name in ("drill", "leaderboard", "weakspots", "stats", "forget-me"):
        assert by_name[name]["default_member_permissions"] is None and by_name[name]["description"], name
    # descriptions come from the command catalogue, the same text as the help and the Slack manifest
    from bot.core.catalogue import STUDYBOT, member_command, subcommand

    assert studybot["description"] == STUDYBOT.summary
    for name in ("drill", "leaderboard", "weakspots", "stats", "exam"):
        assert by_name[name]["description"] == member_command(name).summary
    assert by_name["forget-me"]["description"] == subcommand("forget-me").summary
    for name in ("subscribe", "unsubscribe", "post-now", "reveal-now", "focus", "help"):
        assert subs[name]["description"] == subcommand(name).summary, name
    assert all(team[a]["description"] == subcommand(f"team {a}").summary for a in team)
    weak = {o["name"]: o for o in by_name["weakspots"]["options"]}
    assert [c["value"] for c in weak["topic"]["choices"]] == [f"topic{n}" for n in range(1, 6)]
    confirm = by_name["forget-me"]["options"][0]
    assert (confirm["name"], confirm["type"], confirm.get("required", False)) == ("confirm", 5, False)

    def walk(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for o in options:
            out.append(o)
            out += walk(o.get("options") or [])
        return out

    assert all(
        o["description"] and len(o["description"]) <= 100 for c in commands for o in [c, *walk(c.get("options") or [])]
    )


async def test_a_restart_with_the_same_commands_does_not_sync_again(world: World) -> None:
    bot = await world.start_bot()
    assert len(world.fake.commands) == 1
    await bot.stop()
    await world.start_bot()
    assert len(world.fake.commands) == 1  # unchanged: nothing sent (Discord rate-limits command updates)


async def test_a_development_guild_gets_the_commands_instead_of_the_global_list(world: World) -> None:
    bot = await world.start_bot(dev_guild=GUILD_A)
    assert world.fake.commands == []  # nothing global: a development build does not touch real servers
    [registered] = world.fake.guild_commands[GUILD_A]
    assert {c["name"] for c in registered} == {
        "drill",
        "leaderboard",
        "weakspots",
        "stats",
        "exam",
        "forget-me",
        "plan",
        "studybot",
    }
    await bot.stop()
    await world.start_bot(dev_guild=GUILD_A)
    assert len(world.fake.guild_commands[GUILD_A]) == 1  # unchanged: no second sync


async def test_the_daily_loop_through_subcommands(world: World) -> None:
    await world.start_bot()
    await world.subscribe(zone="Europe/Berlin")
    rec = await world.command("studybot post-now", admin=True)
    assert "Posted question" in _shown(rec)
    [question] = question_messages(world.fake)
    member = world.person(1)
    await world.fake.react(member["id"], question.id, "1\ufe0f\u20e3")
    await world.settle()
    rec = await world.command("studybot reveal-now", admin=True)
    assert "Revealed 1 question(s)." in _shown(rec)
    [reveal] = reveal_messages(world.fake)
    assert "1 answered" in text_of(reveal.data)


async def test_every_subcommand_answers_and_bad_values_get_usage(world: World) -> None:
    await world.start_bot()
    await world.subscribe()
    carol = world.person(3, "carol")
    good: list[tuple[str, dict[str, Any] | None, str]] = [
        ("studybot help", None, "Usage: /studybot"),
        (
            "studybot settings",
            {"time": "10am", "timezone": "europe/berlin", "reveal": "2h"},
            "Changed: post time 10:00, time zone Europe/Berlin, reveal delay 2h.",
        ),
        ("studybot focus", {"topic": "topic3", "weeks": 2}, "come only from Topic 3"),
        ("studybot focus", {"topic": "off"}, "Focus off"),
        ("studybot team create", {"name": "Data Science"}, "Team Data Science created"),
        ("studybot team add", {"name": "Data Science", "member": carol}, "added to team Data Science"),
        ("studybot team lead", {"name": "data science", "member": carol}, "is now a lead of team Data Science"),
        ("studybot team unlead", {"name": "Data Science", "member": carol}, "is no longer a lead"),
        ("studybot team remove", {"name": "Data Science", "member": carol}, "removed from team Data Science"),
        ("studybot team list", None, "Data Science"),
        ("studybot team delete", {"name": "Data Science"}, "Team Data Science deleted"),
        ("studybot unsubscribe", None, "Unsubscribed"),
    ]
    for name, options, expected in good:
        rec = await world.command(name, options, admin=True)
        assert expected in _shown(rec), (name, options, _shown(rec))
    bad = [
        ("studybot subscribe", {"timezone": "Mars/Base"}, "not a time zone"),
        ("studybot subscribe", {"time": "25:00"}, "not a time of day"),
        ("studybot settings", {"timezone": "America"}, "not a time zone"),
        ("studybot team create", {"name": "🚀"}, "is not a team name"),
    ]
    for name, options, expected in bad:
        rec = await world.command(name, options, admin=True)
        assert rec.callback_types == [4] and rec.callbacks[0][1]["data"]["flags"] == EPHEMERAL, name
        assert expected in _shown(rec), (name, _shown(rec))


async def test_timezone_autocomplete_and_member_commands(world: World) -> None:
    await world.start_bot()
    rec = await world.fake.autocomplete(
        "studybot subscribe", {"timezone": "berl"}, "timezone", guild_id=GUILD_A, channel_id=CHAN_A, user=world.admin
    )
    await wait_until(lambda: bool(rec.callbacks), what="autocomplete")
    assert rec.callbacks[0][1]["data"]["choices"][0]["value"] == "Europe/Berlin"
    member = world.person(1)
    asked = await world.command("forget-me", user=member)
    assert "forget-me confirm" in _shown(asked) or "deletes everything" in _shown(asked)
    done = await world.command("forget-me", {"confirm": True}, user=member)
    assert "StudyBot stores nothing about you here." in _shown(done) or "deleted" in _shown(done)
    refused = await world.command("studybot post-now", user=member)  # a member who typed it anyway
    assert "Only workspace admins" in _shown(refused)
    assert P.MANAGE_GUILD  # the admin flag the fake sets for admins
