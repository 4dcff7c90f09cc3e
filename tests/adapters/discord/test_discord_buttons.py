"""Drill buttons: persistent routing by custom id (before and after a restart), replays, missing support."""

from __future__ import annotations

import pytest

from adapters.discord.client import NO_BUTTONS
from bot.service import QuizService
from tests.adapters.discord.fake_discord import InteractionRecord, StoredMessage, wait_until
from tests.adapters.discord.harness import ButtonSpy, SpyService, World, card, components_of, text_of

EPHEMERAL = 64


async def _card_message(world: World, user: dict[str, str]) -> StoredMessage:
    rec = await world.command("drill", {"scope": "topic3"}, user=user)
    assert rec.original is not None and rec.original.data["flags"] & EPHEMERAL
    return rec.original


async def _press(world: World, message: StoredMessage, custom_id: str, user: dict[str, str]) -> InteractionRecord:
    rec = await world.fake.press(message, custom_id, user=user)
    await wait_until(lambda: bool(rec.callbacks), what="button acknowledgement")
    return rec


async def test_drill_buttons_route_before_and_after_a_restart(world: World) -> None:
    """§6 check 15: a replayed press is answered again (the service decides); yesterday's card still works."""
    spy = ButtonSpy(world.service)
    spy.replies["/drill"] = [card(7)]
    bot = await world.start_bot(service=spy)
    sam = world.person(1, "sam")
    today = await _card_message(world, sam)
    spy.replies["/drill"] = [card(8)]
    yesterday = await _card_message(world, sam)
    assert [c["custom_id"] for c in components_of(today)] == [f"drill:7:1:{x}" for x in "ABCD"]
    assert "Which registry stage fits?" in text_of(today.data)

    rec = await _press(world, today, "drill:7:1:B", sam)
    assert rec.callback_types == [6] and rec.callback_delay() < 1.0
    await wait_until(lambda: len(rec.followups) == 1 and bool(rec.edits), what="press handled")
    assert rec.followups[0].data["flags"] & EPHEMERAL and "You chose B" in text_of(rec.followups[0].data)
    buttons = components_of(today)
    assert all(b["disabled"] for b in buttons) and [b["style"] for b in buttons] == [2, 1, 2, 2]
    inv, value = spy.presses[0]
    assert value == "drill:7:1:B" and (inv.platform, inv.user) == ("discord", sam["id"])
    store = bot.client._connection._view_store
    assert not bot.client.persistent_views and not store._views  # routed by the dynamic item, nothing kept

    again = await _press(world, today, "drill:7:1:B", sam)  # the same press delivered twice
    await wait_until(lambda: len(again.followups) == 1, what="second press handled")
    assert [v for _i, v in spy.presses] == ["drill:7:1:B", "drill:7:1:B"]

    await bot.stop()
    await world.start_bot(service=spy)  # a new process: no view objects in memory
    late = await _press(world, yesterday, "drill:8:1:D", sam)
    assert late.callback_types == [6]
    await wait_until(lambda: len(late.followups) == 1, what="press after restart")
    assert spy.presses[-1][1] == "drill:8:1:D"


async def test_buttons_without_service_support_say_so(world: World) -> None:
    spy = SpyService(world.service)  # no press_button
    spy.replies["/drill"] = [card(3)]
    await world.start_bot(service=spy)
    sam = world.person(1)
    message = await _card_message(world, sam)
    rec = await _press(world, message, "drill:3:1:A", sam)
    assert rec.callback_types == [4]
    assert rec.callbacks[0][1]["data"]["flags"] == EPHEMERAL and NO_BUTTONS in rec.callbacks[0][1]["data"]["content"]


@pytest.mark.sqlite  # a restart on the same SQLite file loses nothing
async def test_real_drill_answered_with_buttons_before_and_after_a_restart(world: World) -> None:
    """The real service: a double press counts once, a stranger's press counts not, a restart loses nothing."""
    if not hasattr(QuizService, "press_button"):
        pytest.skip("QuizService.press_button is not implemented yet")
    bot = await world.start_bot()
    sam, kim = world.person(1, "sam"), world.person(2, "kim")
    first = await _card_message(world, sam)
    ids = [c["custom_id"] for c in components_of(first)]
    assert [i.rsplit(":", 1)[-1] for i in ids] == ["A", "B", "C", "D"]

    press = await _press(world, first, ids[0], sam)
    await wait_until(lambda: len(press.followups) == 2, what="feedback and the next card")
    feedback, following = press.followups
    assert "Right" in text_of(feedback.data) or "Not quite" in text_of(feedback.data)
    next_ids = [c["custom_id"] for c in components_of(following)]
    assert next_ids and next_ids[0].split(":")[2] == "1"  # the next question of the same drill

    again = await _press(world, first, ids[0], sam)  # double press
    await wait_until(lambda: bool(again.followups), what="second press")
    assert "already answered" in text_of(again.followups[0].data)
    stranger = await _press(world, following, next_ids[1], kim)
    await wait_until(lambda: bool(stranger.followups), what="stranger's press")
    assert "not yours" in text_of(stranger.followups[0].data)
    assert (await world.sql("SELECT count(*) FROM answer WHERE source = 'drill'"))[0][0] == 1

    await bot.stop()
    await world.start_bot()
    late = await _press(world, following, next_ids[2], sam)
    await wait_until(lambda: bool(late.followups), what="press after restart")
    assert (await world.sql("SELECT count(*) FROM answer WHERE source = 'drill'"))[0][0] == 2
