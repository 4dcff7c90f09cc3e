""" "Report a problem" on Discord through the real discord.py against FakeDiscord: the reveal's and the drill
feedback's button answers with a form (callback type 9, a select of kinds inside a Label), its submission
(type 5) is stored once per interaction id, acknowledged privately, listed by ``studybot content reports``
and flags the item; a form sent after a restart still arrives."""

from __future__ import annotations

import pytest

from bot.core.feedback import bank_version
from content.loader import Bank
from tests.adapters.discord.fake_discord import InteractionRecord, StoredMessage, wait_until
from tests.adapters.discord.harness import World, components_of, reveal_messages, text_of
from tests.feedback_checks import authors_view

EPHEMERAL = 64


async def _open_form(world: World, message: StoredMessage, user: dict[str, str]) -> InteractionRecord:
    [button] = [c for c in components_of(message) if c["custom_id"].startswith("report:")]
    assert button["label"] == "Report a problem"
    rec = await world.fake.press(message, button["custom_id"], user=user)
    await wait_until(lambda: bool(rec.callbacks), what="the form")
    assert rec.callback_types == [9] and rec.callback_delay() < 1.0 and rec.modal is not None
    return rec


async def _send(world: World, opened: InteractionRecord, user: dict[str, str], **values: object) -> InteractionRecord:
    rec = await world.fake.submit_modal(opened, values, user=user)
    await wait_until(lambda: bool(rec.edits), what="the acknowledgement")
    return rec


@pytest.mark.sqlite  # the authors' CLI reads the database file
async def test_a_report_from_the_reveal_is_stored_once_listed_and_flags_the_item(
    world: World, db_url: str, bank: Bank, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await world.start_bot()
    post, _question = await world.post_question()
    world.clock.advance(hours=10)
    assert await world.service.daily.reveal(post.id) is not None
    [reveal] = reveal_messages(world.fake)
    q = world.service.by_id[post.question_id]
    sam = world.person(1, "sam")

    opened = await _open_form(world, reveal, sam)
    form = opened.modal or {}
    assert (
        form["title"] == f"Report {q.id}"
        and f"Question **{q.id}** from the reveal." in form["components"][0]["content"]
    )
    kind, text = form["components"][1], form["components"][2]
    assert kind["label"] == "What is wrong?" and kind["component"]["required"] is True
    assert [o["label"] for o in kind["component"]["options"]] == ["Wrong key", "Unclear", "Outdated", "Typo", "Other"]
    assert text["component"]["required"] is False and text["component"]["max_length"] == 500

    sent = await _send(world, opened, sam, kind=["wrong_key"], text="B is the documented default")
    assert sent.callback_types == [5] and sent.original is not None and sent.original.data["flags"] & EPHEMERAL
    assert text_of(sent.original.data) == f"Thanks — your report on {q.id} (wrong key) reaches the question's authors."
    caplog.set_level("INFO", logger="adapters.discord.interactions")
    await world.fake.replay(sent)  # the gateway delivers the same submission again (a RESUME replay)
    await wait_until(lambda: "handled without an answer" in caplog.text, what="the replay handled")
    assert len(await world.service.store.item_reports()) == 1
    await bot.stop()  # a new process: the form opened before it still arrives
    await world.start_bot()
    later = await _send(world, opened, world.person(2, "kim"), kind=["typo"])
    assert "(typo) reaches the question's authors" in text_of(later.original.data if later.original else {})

    reports = await world.service.store.item_reports()
    assert [(r.question_id, r.bank_version, r.kind, r.source) for r in reports] == [
        (q.id, bank_version(q), "wrong_key", "reveal"),
        (q.id, bank_version(q), "typo", "reveal"),
    ]
    listed, flagged = await authors_view(db_url, bank, monkeypatch)
    assert listed.startswith(f"{q.id}  2 report(s): wrong key 1, typo 1;") and "“B is the documented default”" in listed
    assert "sam" not in listed and "kim" not in listed
    assert flagged == {q.id}


async def test_drill_feedback_has_the_button_and_a_form_without_a_kind_stores_nothing(world: World) -> None:
    await world.start_bot()
    sam = world.person(1, "sam")
    rec = await world.command("drill", {"scope": "topic3"}, user=sam)
    assert rec.original is not None
    assert not [c for c in components_of(rec.original) if c["custom_id"].startswith("report:")]
    first = components_of(rec.original)[0]["custom_id"]
    press = await world.fake.press(rec.original, first, user=sam)
    await wait_until(lambda: len(press.followups) == 2, what="feedback and the next card")
    feedback = press.followups[0]
    opened = await _open_form(world, feedback, sam)
    assert "from your drill" in (opened.modal or {})["components"][0]["content"]

    # Discord requires the select; a client that sends the form without it is told, with the text given back
    empty = await _send(world, opened, sam, text="The stem says 'two' but shows three")
    shown = text_of(empty.original.data if empty.original else {})
    assert "Choose what is wrong with" in shown and "Your text, to copy: The stem says 'two' but shows three" in shown
    assert await world.service.store.item_reports() == []
    fixed = await _send(world, opened, sam, kind=["unclear"], text="The stem says 'two' but shows three")
    assert "(unclear) reaches the question's authors" in text_of(fixed.original.data if fixed.original else {})
    [stored] = await world.service.store.item_reports()
    assert (stored.kind, stored.source) == ("unclear", "drill")
