"""A whole mock exam on Discord: /exam, one button press per question, the result by domain; and /exam end."""

from __future__ import annotations

from tests.adapters.discord.fake_discord import StoredMessage, wait_until
from tests.adapters.discord.harness import World, components_of, text_of

EPHEMERAL = 64


async def test_a_mock_exam_through_buttons_ends_with_the_result(world: World) -> None:
    await world.start_bot()
    sam = world.person(1, "sam")
    rec = await world.command("exam", {"count": 3, "minutes": 6}, user=sam)
    assert rec.original is not None and rec.original.data["flags"] & EPHEMERAL
    shown = text_of(rec.original.data)
    assert "Mock exam: 3 questions in 6 minutes" in shown and "Mock exam 1/3 · 6m left" in shown
    message: StoredMessage = rec.original
    for n in range(3):
        [button, *_] = components_of(message)
        press = await world.fake.press(message, button["custom_id"], user=sam)
        await wait_until(lambda p=press: bool(p.followups), what=f"answer {n + 1}")  # type: ignore[misc]
        reply = press.followups[-1]
        assert reply.data["flags"] & EPHEMERAL
        if n < 2:
            assert "Answer A recorded." in text_of(reply.data) and f"Mock exam {n + 2}/3" in text_of(reply.data)
            assert "Right!" not in text_of(reply.data)  # no feedback until the end
            message = reply
    result = text_of(press.followups[-1].data)
    assert "Mock exam result" in result and "/3 right" in result and "By exam domain" in result
    # one "Report" button per missed question of the review, labelled as the review numbers them
    missed = [line.split(" ", 2)[1] for line in result.splitlines() if line.startswith("• Q")]
    buttons = components_of(press.followups[-1])
    assert missed and [b["label"] for b in buttons] == [f"Report {n}" for n in missed]
    form = await world.fake.press(press.followups[-1], buttons[0]["custom_id"], user=sam)
    await wait_until(lambda: form.modal is not None, what="the report form")
    assert "from your mock exam" in (form.modal or {})["components"][0]["content"]

    rec = await world.command("exam", {"end": True}, user=sam)
    assert rec.original is not None and "no mock exam in progress" in text_of(rec.original.data)
