"""Posting on Discord: 429 handling left to discord.py, 403 never retried, reaction reads, rendering."""

from __future__ import annotations

import asyncio
import datetime as dt

import discord
import pytest

from adapters.discord.render import render, split_text
from adapters.discord.views import card_view
from bot.core.messages import ChannelRef, OptionView, QuestionPost, Reply, RevealOption, RevealPost, Table
from bot.core.ports import PlatformError
from tests.adapters.discord import discord_payloads as P
from tests.adapters.discord.harness import CHAN_A, CHAN_A2, GUILD_A, OWNER, World, card, embed_text, question_messages

POST_RX = rf"/channels/{CHAN_A}/messages$"


async def _channel_id(world: World, channel: str = CHAN_A) -> int:
    await world.subscribe(channel)
    ws = await world.service.store.ensure_workspace("discord", GUILD_A)
    ch = await world.service.store.get_channel(ws, channel)
    assert ch is not None
    return ch.id


async def test_429_with_via_is_retried_once_after_the_delay(world: World) -> None:
    """§6 check 11: one retry after at least retry_after; the daily post completes."""
    await world.start_bot()
    cid = await _channel_id(world)
    world.fake.rate_limit("POST", POST_RX, times=1, retry_after=0.3)
    post = await world.service.daily.post_daily(cid)
    assert post is not None and post.status == "posted"
    first, second = world.fake.calls_to("POST", POST_RX)
    assert first.status == 429 and second.status == 200
    assert second.at - first.at >= 0.3
    assert len(question_messages(world.fake)) == 1


async def test_a_rate_limited_channel_does_not_hold_up_another(world: World) -> None:
    """Per-channel pacing: discord.py keys buckets by channel, so one channel's 429 delays only that channel."""
    bot = await world.start_bot()
    world.fake.rate_limit("POST", POST_RX, times=1, retry_after=0.5)
    a, b = ChannelRef("discord", GUILD_A, CHAN_A), ChannelRef("discord", GUILD_A, CHAN_A2)
    await asyncio.gather(bot.notifier.post(a, Reply("to A")), bot.notifier.post(b, Reply("to B")))
    limited, retried = world.fake.calls_to("POST", POST_RX)
    [other] = world.fake.calls_to("POST", rf"/channels/{CHAN_A2}/messages$")
    assert limited.status == 429 and retried.status == 200 and other.status == 200
    assert other.at < retried.at - 0.3


async def test_429_without_via_is_not_retried(world: World) -> None:
    """A 429 without Via is Cloudflare's, not Discord's: discord.py raises instead of hammering."""
    await world.start_bot()
    cid = await _channel_id(world)
    world.fake.rate_limit("POST", POST_RX, times=1, retry_after=0.05, via=False)
    with pytest.raises(discord.HTTPException) as err:
        await world.service.daily.post_daily(cid)
    assert err.value.status == 429
    assert len(world.fake.calls_to("POST", POST_RX)) == 1


async def test_429_storm_is_bounded_and_surfaced(world: World) -> None:
    """§6 check 12: repeated 429s end after discord.py's 5 tries; the post stays reserved for a later retry."""
    await world.start_bot()
    cid = await _channel_id(world)
    world.fake.rate_limit("POST", POST_RX, times=100, retry_after=0.01)
    with pytest.raises(discord.HTTPException):
        await world.service.daily.post_daily(cid)
    assert len(world.fake.calls_to("POST", POST_RX)) == 5
    [post] = await world.service.store.channel_posts(cid)
    assert post.status == "reserved"  # resume_reserved() sends it on a later tick


async def test_403_is_not_retried_and_reported_once(world: World) -> None:
    """§6 check 12: missing permission is one request, a PlatformError, one DM to the owner; never a loop."""
    await world.start_bot()
    cid = await _channel_id(world, CHAN_A2)
    world.fake.forbidden_channels.add(CHAN_A2)
    assert await world.service.daily.post_daily(cid) is None
    rx = rf"/channels/{CHAN_A2}/messages$"
    assert len(world.fake.calls_to("POST", rx)) == 1
    [post] = await world.service.store.channel_posts(cid)
    assert post.status == "failed"
    dms = [m for m in world.fake.messages.values() if m.channel_id in world.fake.dm_channels]
    assert len(dms) == 1 and world.fake.dm_channels[dms[0].channel_id] == OWNER
    assert f"<#{CHAN_A2}>" in dms[0].data["content"] and "Send Messages" in dms[0].data["content"]

    assert await world.service.daily.post_daily(cid, manual=True) is None  # an admin tries again
    assert len(world.fake.calls_to("POST", rx)) == 2
    assert len([m for m in world.fake.messages.values() if m.channel_id in world.fake.dm_channels]) == 1


async def test_fetch_reactions_pages_users_and_excludes_bots(world: World) -> None:
    bot = await world.start_bot()
    post, msg = await world.post_question()
    two = "2\ufe0f\u20e3"
    for n in range(150):
        await world.fake.react(str(1_170_000_000_000_001_000 + n), msg.id, two, send_event=False)
    world.fake.person("1170000000000009999", "robot", bot=True)
    await world.fake.react("1170000000000009999", msg.id, two, send_event=False)
    before = len(world.fake.calls)
    state = await bot.notifier.fetch_reactions(ChannelRef("discord", GUILD_A, CHAN_A), msg.id)
    assert state is not None
    assert len(state[two]) == 150 and P.BOT_ID not in state[two] and "1170000000000009999" not in state[two]
    assert all(users == set() for emoji, users in state.items() if emoji != two)
    paged = [c for c in world.fake.calls[before:] if "/reactions/" in c.path]
    assert len(paged) == 2  # 100 + 51 users of 2️⃣; the bot-only keycaps cost no call


async def test_notifier_refuses_what_is_not_a_discord_channel(world: World) -> None:
    bot = await world.start_bot()
    with pytest.raises(PlatformError):
        await bot.notifier.post(ChannelRef("slack", "T1", "C1"), Reply("hi"))
    with pytest.raises(PlatformError):
        await bot.notifier.post(ChannelRef("discord", GUILD_A, "not-a-snowflake"), Reply("hi"))
    with pytest.raises(PlatformError):  # 404: a channel the bot cannot see any more
        await bot.notifier.post(ChannelRef("discord", GUILD_A, "1210000000000000404"), Reply("hi"))


def _question(stem: str = "Which stage?") -> QuestionPost:
    options = tuple(
        OptionView(letter, name, f"option {letter}")
        for letter, name in zip("ABCD", ("one", "two", "three", "four"), strict=True)
    )
    return QuestionPost(
        1,
        "Topic 3: Registry",
        "3.2.1",
        stem,
        options,
        dt.datetime(2026, 3, 2, 17, tzinfo=dt.UTC),
        "17:00 Europe/Berlin",
    )


def test_question_embed_and_plain_text_fallback() -> None:
    rendered = render(_question())
    assert rendered.embed is not None and rendered.view is None
    data = rendered.embed.to_dict()
    assert data["title"] == "Daily question · Topic 3: Registry"
    assert "1\ufe0f\u20e3 **A.** option A" in data["description"]
    assert "17:00 Europe/Berlin" in data["footer"]["text"]

    huge = render(_question("why? " * 1000))  # 5,000 characters: no embed can hold it
    assert huge.embed is None and len(huge.chunks) == 3 and all(len(c) <= 2000 for c in huge.chunks)
    assert "React with" in huge.chunks[-1]  # the reactions go on the last part, which says how to answer


async def test_reveal_reply_and_card_rendering() -> None:  # async: views need a running loop
    options = tuple(
        RevealOption(x, f"option {x}", f"why {x}", n, x == "B") for x, n in zip("ABCD", (1, 5, 0, 2), strict=True)
    )
    reveal = render(
        RevealPost(
            1,
            "q-1",
            "3.2.1",
            "Register models",
            options,
            "Because.",
            "coverage",
            ("sam", "kim"),
            8,
            (("Docs", "https://docs.databricks.com/"),),
        )
    )
    assert reveal.embed is not None
    text = embed_text(dict(reveal.embed.to_dict()))
    assert "Correct: B. option B" in text and "✅ B. option B (5)" in text and "❌ D. option D (2)" in text
    assert "Right: sam, kim" in text and "(https://docs.databricks.com/)" in text

    table = render(Reply("Week 10", tables=(Table("Leaderboard", ("#", "Name"), (("1", "sam"),)),), title="Board"))
    assert table.embed is not None and "```" in (table.embed.description or "") and table.embed.title == "Board"

    drill = render(card(9, 2))
    assert (
        drill.embed is not None and drill.view is not None and drill.view.is_finished()
    )  # stopped: sent, never stored
    assert [b.custom_id for b in drill.view.children] == [f"drill:9:2:{x}" for x in "ABCD"]  # type: ignore[attr-defined]
    assert card_view(card(9, 2).card).to_components() == drill.view.to_components()  # type: ignore[arg-type]


def test_split_text_keeps_lines_and_limits() -> None:
    assert split_text("a\nb") == ["a\nb"]
    parts = split_text("x" * 4500)
    assert [len(p) for p in parts] == [2000, 2000, 500]
    assert split_text("   ") == ["(empty)"]


async def test_the_answered_count_edits_the_question_and_a_429_on_the_edit_is_retried(world: World) -> None:
    import dataclasses

    bot = await world.start_bot()
    _post, msg = await world.post_question()
    world.fake.rate_limit("PATCH", rf"/channels/{CHAN_A}/messages/{msg.id}$", times=1, retry_after=0.2)
    from bot.core.messages import QuestionPost

    rendered = world.service.daily.render_question(
        await world.service.channel_by_id(_post.channel_id), _post, world.service.by_id[_post.question_id]
    )
    assert isinstance(rendered, QuestionPost)
    await bot.notifier.update(ChannelRef("discord", GUILD_A, CHAN_A), msg.id, dataclasses.replace(rendered, answered=4))
    patches = world.fake.calls_to("PATCH", rf"/channels/{CHAN_A}/messages/{msg.id}$")
    assert [c.status for c in patches] == [429, 200]
    assert "4 answered so far" in msg.data["embeds"][0]["footer"]["text"]
