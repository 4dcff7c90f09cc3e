"""Reactions on Discord: the daily loop, edge cases, RESUME, INVALID_SESSION, reconciliation, guilds and shards."""

from __future__ import annotations

import asyncio
import json
import re

import pytest

from bot.core.model import LETTERS
from tests.adapters.discord import discord_payloads as P
from tests.adapters.discord.fake_discord import wait_until
from tests.adapters.discord.harness import CHAN_A, CHAN_B, GUILD_A, GUILD_B, World, reveal_messages, text_of

KEYS = ("1\ufe0f\u20e3", "2\ufe0f\u20e3", "3\ufe0f\u20e3", "4\ufe0f\u20e3")


@pytest.mark.sqlite  # reads the stored rows with SQL
async def test_daily_loop_with_reactions_from_many_people(world: World) -> None:
    await world.start_bot()
    post, msg = await world.post_question()

    # the question is an embed with the four options, and the bot seeded exactly the four keycaps
    embed = msg.data["embeds"][0]
    assert embed["title"].startswith("Daily question · Topic")
    assert all(k in embed["description"] for k in KEYS) and "reveal at" in embed["footer"]["text"]
    assert [c.path.rsplit("/", 2)[-2] for c in world.fake.calls_to("PUT", r"/reactions/.+/@me$")] == list(KEYS)
    assert all(msg.reactions[k] == [P.BOT_ID] for k in KEYS)

    people = [world.person(i) for i in range(24)]
    expected: dict[str, int] = {}
    for i, person in enumerate(people):
        final = i % 4
        if i < 6:  # changes their mind: remove the first pick, then add another
            await world.fake.react(person["id"], msg.id, KEYS[(i + 1) % 4])
            await world.fake.react(person["id"], msg.id, KEYS[(i + 1) % 4], added=False)
        elif i >= 20:  # two reactions at once: the most recent one is the answer
            await world.fake.react(person["id"], msg.id, KEYS[(i + 2) % 4])
        await world.fake.react(person["id"], msg.id, KEYS[final])
        expected[person["id"]] = final
    await world.settle()

    assert await world.answers(post.id) == expected
    stored_users = {
        r[0] for r in await world.sql("SELECT p.external_id FROM reaction_event e JOIN person p ON p.id = e.person_id")
    }
    assert P.BOT_ID not in stored_users  # the bot's own seed reactions are not events at all

    world.clock.advance(hours=9)
    assert len(await world.service.daily.reveal_due()) == 1
    [reveal] = reveal_messages(world.fake)
    fields = {f["name"][2]: f["name"] for f in reveal.data["embeds"][0]["fields"] if f["name"][:1] in "✅❌"}
    for shown, canonical in enumerate(post.option_order):
        count = sum(1 for option in expected.values() if option == shown)
        assert fields[LETTERS[shown]].endswith(f"({count})"), (fields, canonical)
    assert "24 answered" in text_of(reveal.data)
    assert await world.count("answer") == 24
    [sent] = [
        c
        for c in world.fake.calls_to("POST", rf"/channels/{msg.channel_id}/messages$")
        if "Answer" in json.dumps(c.body, ensure_ascii=False)
    ]
    assert str(sent.body["message_reference"]["message_id"]) == msg.id  # the reveal replies to its question
    assert sent.body["message_reference"]["fail_if_not_exists"] is False


@pytest.mark.sqlite  # reads the stored rows with SQL
async def test_reaction_edge_cases(world: World) -> None:
    await world.start_bot()
    post, msg = await world.post_question()
    u = [world.person(i) for i in range(6)]
    robot = world.fake.person("1180000000000000777", "otherbot", bot=True)

    await world.fake.react(u[0]["id"], msg.id, "blobA", emoji_id="1170000000000000001")  # custom emoji
    await world.fake.react(u[1]["id"], msg.id, "\U0001f44d\U0001f3fd")  # thumbs up, skin tone: not an option
    await world.fake.react(u[2]["id"], msg.id, "1\u20e3")  # keycap without U+FE0F still means option 1
    await world.fake.react(u[3]["id"], msg.id, KEYS[0])  # change of answer: remove A, add B
    await world.fake.react(u[3]["id"], msg.id, KEYS[0], added=False)
    await world.fake.react(u[3]["id"], msg.id, KEYS[1])
    await world.fake.react(robot["id"], msg.id, KEYS[2])  # another bot's reaction is not an answer
    other = world.fake._new_message(CHAN_A, {"content": "chatter"}, author=u[4])  # not a question
    await world.fake.react(u[4]["id"], other.id, KEYS[0])
    await world.settle()

    assert await world.answers(post.id) == {u[2]["id"]: 0, u[3]["id"]: 1}
    assert not [r for r in await world.sql("SELECT raw_emoji FROM reaction_event") if r[0] == "chatter"]

    world.clock.advance(hours=9)
    await world.service.daily.reveal_due()
    answered = await world.count("answer")
    await world.fake.react(u[5]["id"], msg.id, KEYS[3])  # on a closed question
    await world.settle()
    world.clock.advance(minutes=5)
    await world.service.daily.reveal_due()
    assert await world.count("answer") == answered == 2


async def test_resume_replays_missed_events_once(world: World) -> None:
    """§6 check 10: close 4000 with events in the gap; RESUME replays them; a duplicate replay adds nothing."""
    bot = await world.start_bot()
    post, msg = await world.post_question()
    a, b, c = (world.person(i) for i in range(3))
    await world.fake.react(a["id"], msg.id, KEYS[0])
    await world.settle()

    await world.fake.drop(4000, hold=True)
    await world.fake.react(b["id"], msg.id, KEYS[1])  # while the bot is disconnected
    await world.fake.react(c["id"], msg.id, KEYS[2])
    world.fake.replay_seen = 3  # an at-least-once gateway: also resend frames the bot already processed
    world.fake.release()
    await wait_until(lambda: len(world.fake.resumes) == 1 and world.fake.connected(), what="RESUME")
    await world.settle()

    assert len(world.fake.identifies) == 1  # resumed, not re-identified
    assert world.fake.resumes[0]["session_id"] == bot.client.ws.session_id
    assert await world.answers(post.id) == {a["id"]: 0, b["id"]: 1, c["id"]: 2}
    assert await world.event_count(post.id) == 3  # a's replayed add kept its delivery id: one row


@pytest.mark.sqlite  # reads the stored rows with SQL
async def test_invalid_session_loses_events_and_reconciliation_restores_them(world: World) -> None:
    """§6 check 8: after op 9 the gap is never replayed; on_ready reconciliation reads GET .../reactions."""
    bot = await world.start_bot()
    post, msg = await world.post_question()
    a, b, c = (world.person(i) for i in range(3))
    await world.fake.react(a["id"], msg.id, KEYS[0])
    await world.settle()
    runs = bot.client.reconciliations

    await world.fake.drop(4000, hold=True)
    await world.fake.react(b["id"], msg.id, KEYS[1])
    await world.fake.react(a["id"], msg.id, KEYS[0], added=False)  # a changes their answer while we are away
    await world.fake.react(a["id"], msg.id, KEYS[3])
    await world.fake.react(c["id"], msg.id, KEYS[2])
    world.fake.invalidate_next_resume = True
    world.fake.release()
    await wait_until(lambda: len(world.fake.identifies) == 2 and bot.client.reconciliations > runs, what="reconcile")
    await world.settle()

    events = await world.sql("SELECT source FROM reaction_event")
    assert sorted(r[0] for r in events).count("event") == 1  # nothing from the gap arrived as an event
    platform = {uid: KEYS.index(e) for e, users in msg.reactions.items() for uid in users if uid != P.BOT_ID}
    assert await world.answers(post.id) == platform == {a["id"]: 3, b["id"]: 1, c["id"]: 2}
    assert world.fake.calls_to("GET", rf"/messages/{msg.id}/reactions/")
    assert bot.readies == ["discord gateway (2 server(s))"]  # the runner hears "ready" once, not per on_ready


async def test_periodic_reconciliation_repairs_without_a_reconnect(world: World) -> None:
    await world.start_bot(reconcile_every=0.2)
    post, msg = await world.post_question()
    a = world.person(1)
    await world.fake.react(a["id"], msg.id, KEYS[2], send_event=False)  # Discord never told us
    for _ in range(150):  # the 0.2 s timer, not a reconnect, must pick it up
        if await world.answers(post.id) == {a["id"]: 2}:
            break
        await asyncio.sleep(0.02)
    assert await world.answers(post.id) == {a["id"]: 2}
    assert len(world.fake.identifies) == 1


@pytest.mark.sqlite  # reads the stored rows with SQL
async def test_two_guilds_keep_their_data_apart(world: World) -> None:
    await world.start_bot()
    post_a, msg_a = await world.post_question(CHAN_A, GUILD_A)
    post_b, msg_b = await world.post_question(CHAN_B, GUILD_B)
    x, y = world.person(1), world.person(2)
    await world.fake.react(x["id"], msg_a.id, KEYS[0])
    await world.fake.react(y["id"], msg_a.id, KEYS[3])
    await world.fake.react(x["id"], msg_b.id, KEYS[1])
    # a forged event naming guild B for guild A's message must not touch either post
    forged = P.reaction_event(
        added=True,
        user_id=y["id"],
        channel_id=CHAN_A,
        message_id=msg_a.id,
        guild_id=GUILD_B,
        emoji=KEYS[2],
        member_data=P.member(y),
        author_id=P.BOT_ID,
    )
    await world.fake.dispatch("MESSAGE_REACTION_ADD", forged, guild_id=GUILD_B)
    await world.settle()

    assert await world.answers(post_a.id) == {x["id"]: 0, y["id"]: 3}
    assert await world.answers(post_b.id) == {x["id"]: 1}
    rows = await world.sql(
        "SELECT w.external_id, p.external_id FROM person p JOIN workspace w ON w.id = p.workspace_id"
    )
    assert (GUILD_A, x["id"]) in rows and (GUILD_B, x["id"]) in rows  # one person per server

    world.clock.advance(hours=9)
    await world.service.daily.reveal_due()
    assert "2 answered" in text_of(reveal_messages(world.fake, CHAN_A)[0].data)
    assert "1 answered" in text_of(reveal_messages(world.fake, CHAN_B)[0].data)


@pytest.mark.sqlite  # reads the stored rows with SQL
async def test_sharded_client_records_reactions_on_every_shard(world: World) -> None:
    world.fake.shard_count = 2
    bot = await world.start_bot(sharded=True)
    assert sorted(tuple(i["shard"]) for i in world.fake.identifies) == [(0, 2), (1, 2)]
    assert world.fake.calls_to("GET", r"/gateway/bot$") and bot.client.shard_count == 2
    post_a, msg_a = await world.post_question(CHAN_A, GUILD_A)
    post_b, msg_b = await world.post_question(CHAN_B, GUILD_B)
    x = world.person(1)
    await world.fake.react(x["id"], msg_a.id, KEYS[0])
    await world.fake.react(x["id"], msg_b.id, KEYS[1])
    await world.settle()

    await world.fake.drop(4000, hold=True, shard=1)  # one shard resumes, the other stays connected
    await world.fake.react(x["id"], msg_b.id, KEYS[1], added=False)
    await world.fake.react(x["id"], msg_b.id, KEYS[2])
    world.fake.release()
    await wait_until(lambda: len(world.fake.resumes) == 1 and world.fake.connected(), what="shard RESUME")
    await world.settle()

    assert await world.answers(post_a.id) == {x["id"]: 0}
    assert await world.answers(post_b.id) == {x["id"]: 2}
    ids = [r[0] for r in await world.sql("SELECT delivery_id FROM reaction_event")]
    assert len(ids) == len(set(ids)) == 4
    assert all(re.fullmatch(r"discord:\d+:\d+:(add|remove):[0-9a-f]{20}", i) for i in ids)
