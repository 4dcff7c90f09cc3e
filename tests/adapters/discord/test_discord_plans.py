"""Study-plan reminders through discord.py and the Discord double: the DM with its button, the press
in the DM (no guild in the interaction) that starts the review drill, and DMs closed (403, 50007)."""

from __future__ import annotations

import datetime as dt

from bot.core.review import next_card
from tests.adapters.discord.fake_discord import StoredMessage, wait_until
from tests.adapters.discord.harness import GUILD_A, World, components_of, text_of

NOW = dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC)


async def due_reviews(world: World, user: str, n: int) -> None:
    ws = await world.service.store.ensure_workspace("discord", GUILD_A)
    pid = await world.service.store.ensure_person(ws, user)
    for q in world.service.questions[:n]:
        card, due = next_card(None, False, NOW - dt.timedelta(days=30))
        await world.service.store.save_review(pid, q.id, card, due, (NOW - dt.timedelta(days=30)).date())


def dms_to(world: World, user: str) -> list[StoredMessage]:
    return [m for m in world.fake.messages.values() if world.fake.dm_channels.get(m.channel_id) == user]


async def test_a_reminder_dm_has_a_button_that_starts_the_review_drill_in_the_dm(world: World) -> None:
    world.clock.set(NOW)
    await world.start_bot()
    sam = world.person(1, "sam")
    await world.command("plan remind", {"time": "08:00", "timezone": "Europe/Lisbon"}, user=sam)
    ws = await world.service.store.ensure_workspace("discord", GUILD_A)
    plan = await world.service.store.get_plan(await world.service.store.ensure_person(ws, sam["id"]))
    assert plan is not None and (plan.remind_time, plan.tz) == ("08:00", "Europe/Lisbon")
    await due_reviews(world, sam["id"], 3)
    world.clock.set(dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC))
    assert await world.service.plans.messages.send_due() == 1
    [dm] = dms_to(world, sam["id"])
    assert "3 review(s) due today" in text_of(dm.data)
    [button] = components_of(dm)
    assert (button["label"], button["custom_id"]) == ("Start my reviews", f"review:{GUILD_A}")

    rec = await world.fake.press(dm, button["custom_id"], user=sam)  # a DM: the interaction has no guild
    assert rec.guild_id is None
    await wait_until(lambda: bool(rec.followups), what="the review drill")
    started = rec.followups[0]
    assert "Drill: 5 question(s) · reviews due, then your weak areas." in text_of(started.data)
    drill_ids = [c["custom_id"] for row in started.data["components"] for c in row["components"]]
    assert len(drill_ids) == 4 and all(cid.startswith("drill:") for cid in drill_ids)
    assert await world.service.plans.messages.send_due() == 0  # one a day


async def test_closed_dms_are_tried_once(world: World) -> None:
    world.clock.set(NOW)
    await world.start_bot()
    kim = world.person(2, "kim")
    await world.command("plan remind", {"time": "08:00"}, user=kim)
    await due_reviews(world, kim["id"], 2)
    world.fake.refuse_dms.add(kim["id"])
    for day in range(2):
        world.clock.set(dt.datetime(2026, 12, 3 + day, 9, 0, tzinfo=dt.UTC))
        assert await world.service.plans.messages.send_due() == 0
    refused = [c for c in world.fake.calls if c.method == "POST" and c.path.endswith("/messages")]
    assert len([c for c in refused if c.path.split("/")[-2] in world.fake.dm_channels]) == 1
    rec = await world.command("plan show", {}, user=kim)
    assert "could not send you a direct message" in text_of(rec.edits[-1])
