"""Study-plan reminders through slack-bolt and the Slack double: the DM with its button, the press
that starts the review drill in the DM, and a person whose DMs Slack refuses."""

from __future__ import annotations

import datetime as dt

from bot.core.clock import ManualClock
from bot.core.review import next_card
from bot.service import QuizService
from tests.adapters.slack.conftest import SlackHarness
from tests.adapters.slack.fake_slack import FakeSlack

NOW = dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC)


async def due_reviews(service: QuizService, user: str, n: int) -> None:
    ws = await service.store.ensure_workspace("slack", "T1")
    pid = await service.store.ensure_person(ws, user)
    for q in service.questions[:n]:
        card, due = next_card(None, False, NOW - dt.timedelta(days=30))
        await service.store.save_review(pid, q.id, card, due, (NOW - dt.timedelta(days=30)).date())


async def test_a_reminder_dm_has_a_button_that_starts_the_review_drill_in_the_dm(
    slack: SlackHarness, service: QuizService, fake: FakeSlack, clock: ManualClock
) -> None:
    clock.set(NOW)
    await slack.command("/plan", "remind 08:00 Europe/London", key="plan")
    await slack.idle()
    [set_reply] = slack.replies("plan")
    assert set_reply["response_type"] == "ephemeral" and "08:00 Europe/London" in set_reply["text"]
    await due_reviews(service, "UALICE", 3)
    clock.set(dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC))
    assert await service.plans.messages.send_due() == 1
    [dm] = [c for c in fake.of("chat.postMessage") if c.params["channel"] == "UALICE"]
    assert dm.team == "T1" and dm.params["text"].startswith("StudyBot: reviews due")
    assert "3 review(s) due today" in dm.params["text"]
    [actions] = [b for b in dm.params["blocks"] if b["type"] == "actions"]
    [button] = actions["elements"]
    assert (button["text"]["text"], button["action_id"], button["value"]) == (
        "Start my reviews",
        "studybot_review",
        "review:T1",
    )
    assert await service.plans.messages.send_due() == 0  # one a day

    status, _, elapsed = await slack.action(button["action_id"], button["value"], channel="DALICE", key="dm")
    assert status == 200 and elapsed < 1.0
    await slack.idle()
    [started] = slack.replies("dm")
    assert started["text"].startswith("Drill: 5 question(s) · reviews due, then your weak areas.")
    drill_buttons = next(b for b in started["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in drill_buttons["elements"]] == [f"drill_answer_{x}" for x in "ABCD"]


async def test_a_refused_dm_is_tried_once(
    slack: SlackHarness, service: QuizService, fake: FakeSlack, clock: ManualClock
) -> None:
    clock.set(NOW)
    await slack.command("/plan", "remind 08:00 UTC", user="UBOB", key="plan")
    await slack.idle()
    await due_reviews(service, "UBOB", 2)
    fake.refuse_channels["UBOB"] = "messages_tab_disabled"
    for day in range(2):
        clock.set(dt.datetime(2026, 12, 3 + day, 8, 30, tzinfo=dt.UTC))
        assert await service.plans.messages.send_due() == 0
    attempts = [c for c in fake.of("chat.postMessage") if c.params["channel"] == "UBOB"]
    assert len(attempts) == 1 and not any(k[1] == "UBOB" for k in fake.messages)
    await slack.command("/plan", "", user="UBOB", key="show")
    await slack.idle()
    [shown] = slack.replies("show")
    assert "could not send you a direct message" in shown["text"]


async def test_a_reminder_without_a_zone_takes_the_slack_profiles(
    slack: SlackHarness, service: QuizService, fake: FakeSlack, clock: ManualClock
) -> None:
    clock.set(NOW)
    fake.zones["UCAROL"] = "Asia/Kolkata"
    await slack.command("/plan", "remind 7am", user="UCAROL", key="plan")
    await slack.idle()
    [reply] = slack.replies("plan")
    assert "a direct message at 07:00 Asia/Kolkata (the zone of your Slack profile;" in reply["text"]


async def test_reminders_due_at_once_all_arrive_through_slacks_429s(
    slack: SlackHarness, service: QuizService, fake: FakeSlack, clock: ManualClock
) -> None:
    clock.set(NOW)
    people = [f"UP{i:02d}" for i in range(20)]
    for user in people:
        await slack.command("/plan", "remind 08:00 UTC", user=user, key=f"plan-{user}")
        await due_reviews(service, user, 1)
    await slack.idle()
    fake.rate_limit("chat.postMessage", times=2, retry_after=1)  # Slack says "slow down" twice
    clock.set(dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC))
    assert await service.plans.messages.send_due() == 20
    delivered = {k[1] for k in fake.messages}
    assert set(people) <= delivered
    assert len([c for c in fake.of("chat.postMessage") if c.params["channel"] in people]) == 22  # 2 retried
