"""Charts on Discord: a file attachment that the embed shows, its alt text, and the text-only fallback."""

from __future__ import annotations

import io
import logging

import pytest
from PIL import Image

from adapters.discord.render import attachment_name, message_parts, render
from bot.core.charts import ChartImage
from bot.core.messages import ChannelRef, Reply, Table
from tests.adapters.discord.harness import CHAN_A, GUILD_A, OWNER, SpyService, World, text_of

EPHEMERAL = 64
PNG = b"\x89PNG\r\n\x1a\n-board-"
ALT = "Leaderboard. Points by member: ada 4, bo 2."


def board(*, private: bool = False) -> Reply:
    return Reply(
        "",
        private=private,
        title="Leaderboard · last week",
        tables=(Table("Members by points", ("#", "Member", "Points"), (("1", "ada", "4"), ("2", "bo", "2"))),),
        image=ChartImage(PNG, ALT, "weekly board 2026-11-30.png"),
    )


def owner_dms(world: World) -> list[str]:
    return [
        m.data["content"] for m in world.fake.messages.values() if world.fake.dm_channels.get(m.channel_id) == OWNER
    ]


async def test_the_embed_shows_the_attached_chart_and_the_text_stays() -> None:
    rendered = render(board())
    assert rendered.embed is not None and rendered.image is not None
    assert rendered.image.filename == "weekly-board-2026-11-30.png"  # attachment:// takes no spaces
    assert rendered.embed.image.url == "attachment://weekly-board-2026-11-30.png"
    assert "ada" in (rendered.embed.description or "") + str(rendered.embed.fields)
    [with_file] = message_parts(rendered)
    assert with_file["file"].filename == "weekly-board-2026-11-30.png" and with_file["file"].description == ALT
    [without] = message_parts(rendered, with_image=False)
    assert "file" not in without and without["embed"].image.url is None
    assert rendered.embed.image.url == "attachment://weekly-board-2026-11-30.png"  # the original is untouched
    assert attachment_name("chart") == "chart.png" and attachment_name("../ä b.PNG") == "b.PNG"


async def test_a_monday_board_is_posted_with_its_chart_attached(world: World) -> None:
    bot = await world.start_bot()
    mid = await bot.notifier.post(ChannelRef("discord", GUILD_A, CHAN_A), board())
    stored = world.fake.messages[mid]
    [upload] = world.fake.uploads
    assert (upload.channel_id, upload.via, upload.filename) == (CHAN_A, "channel", "weekly-board-2026-11-30.png")
    assert (upload.data, upload.description, upload.content_type) == (PNG, ALT, "image/png")
    [embed] = stored.data["embeds"]
    assert embed["image"]["url"] == "attachment://weekly-board-2026-11-30.png"
    assert stored.data["attachments"][0]["description"] == ALT
    assert "ada" in text_of(stored.data) and "Leaderboard" in text_of(stored.data)


async def test_without_attach_files_the_board_is_posted_as_text_and_the_owner_hears_once(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await world.start_bot()
    world.fake.refuse_files.add(CHAN_A)
    caplog.set_level(logging.WARNING)
    first = await bot.notifier.post(ChannelRef("discord", GUILD_A, CHAN_A), board())
    second = await bot.notifier.post(ChannelRef("discord", GUILD_A, CHAN_A), board())
    for mid in (first, second):
        stored = world.fake.messages[mid]
        assert "ada" in text_of(stored.data) and stored.data["attachments"] == []
        assert "image" not in stored.data["embeds"][0]  # no broken picture pointing at a missing file
    assert world.fake.uploads == []
    [dm] = owner_dms(world)  # once, not once per post
    assert "Attach Files" in dm and f"<#{CHAN_A}>" in dm and "text version was sent" in dm
    assert caplog.text.count("Discord refused a chart upload") == 2 and "Attach Files" in caplog.text


async def test_a_private_chart_reply_is_attached_to_the_ephemeral_answer(world: World) -> None:
    spy = SpyService(world.service)
    spy.replies["/stats"] = [
        Reply(
            "Your week: 4 answers, 3 right.",
            private=True,
            title="Your stats",
            image=ChartImage(PNG, "Your progress: topic 1 75%.", "progress.png"),
        )
    ]
    await world.start_bot(service=spy)
    rec = await world.command("stats", user=world.person(1))
    assert rec.original is not None and rec.original.data["flags"] & EPHEMERAL
    [upload] = world.fake.uploads
    assert (upload.via, upload.filename, upload.description) == (
        "interaction",
        "progress.png",
        "Your progress: topic 1 75%.",
    )
    assert rec.original.data["attachments"][0]["filename"] == "progress.png"
    assert rec.original.data["embeds"][0]["image"]["url"] == "attachment://progress.png"
    assert "3 right" in text_of(rec.original.data)


async def test_a_refused_reply_chart_still_delivers_the_text(world: World) -> None:
    spy = SpyService(world.service)
    spy.replies["/leaderboard"] = [board(private=False)]
    await world.start_bot(service=spy)
    world.fake.refuse_files.add(CHAN_A)
    rec = await world.command("leaderboard", user=world.person(1), expect_followups=1)
    [public] = rec.followups
    assert not public.data["flags"] & EPHEMERAL and "ada" in text_of(public.data) and public.data["attachments"] == []
    assert world.fake.uploads == [] and len(owner_dms(world)) == 1


async def test_the_real_weekly_board_arrives_as_a_decodable_png(world: World) -> None:
    """Through the real service and matplotlib: the board's PNG reaches Discord at the drawn size."""
    await world.start_bot()
    _post, msg = await world.post_question()
    for i, key in enumerate(("1\ufe0f\u20e3", "2\ufe0f\u20e3", "2\ufe0f\u20e3")):
        await world.fake.react(world.person(i)["id"], msg.id, key)
    await world.settle()
    world.clock.advance(hours=9)  # answers count once the question is revealed
    assert len(await world.service.daily.reveal_due()) == 1
    rec = await world.command("leaderboard", {"week": "this"}, user=world.person(1))
    messages = [m for m in [rec.original, *rec.followups] if m is not None]
    assert any("Leaderboard" in text_of(m.data) for m in messages)
    [upload] = world.fake.uploads
    assert upload.content_type == "image/png" and upload.description
    with Image.open(io.BytesIO(upload.data)) as img:
        assert img.size == (1000, 560)
