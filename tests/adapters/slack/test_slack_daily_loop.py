"""The whole bot in Slack: subscribe, daily post, many people's reactions, reveal, boards, drills, Home, two workspaces."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from adapters.slack import build_slack_app, make_client
from bot.core.clock import ManualClock
from bot.service import QuizService
from tests.adapters.slack.conftest import SlackHarness, serve_app
from tests.adapters.slack.fake_slack import BOT_USER, SIGNING_SECRET, FakeSlack
from tests.adapters.slack.test_slack_events import subscribe_and_post


def chose(text: str) -> dict[str, int]:
    """Letter -> count from a reveal's fallback text ("✅ B (3 chose it): ...")."""
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"[✅❌] ([A-D]) \((\d+) chose it\)", text)}


@pytest.mark.sqlite  # the Slack loopback end to end on a real SQLite file
async def test_full_daily_loop_in_one_workspace(
    slack: SlackHarness, service: QuizService, fake: FakeSlack, clock: ManualClock
) -> None:
    fake.names.update({"UALICE": "alice", "UBOB": "bob", "UCAROL": "carol", "UDAVE": "dave", "UERIN": "erin"})
    post = await subscribe_and_post(slack, service)
    [subscribed] = slack.replies("cmd")
    assert subscribed["response_type"] == "in_channel" and "Subscribed" in subscribed["text"]

    question = fake.of("chat.postMessage")[0]
    assert question.team == "T1" and question.params["channel"] == "C1"
    blocks = question.params["blocks"]
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["text"].startswith("Daily question")
    assert ":one:" in json.dumps(blocks) and "React with" in question.params["text"]
    assert [c.params["name"] for c in fake.of("reactions.add")] == ["one", "two", "three", "four"]
    assert {c.params["timestamp"] for c in fake.of("reactions.add")} == {post.message_ref}

    ts = post.message_ref or ""
    await slack.react("UALICE", "two", ts)
    await slack.react("UBOB", "two::skin-tone-3", ts)
    await slack.react("UCAROL", "one", ts)
    await slack.react("UCAROL", "one", ts, added=False)  # change of answer: A -> C
    await slack.react("UCAROL", "three", ts)
    await slack.react("UDAVE", "four", ts)
    await slack.react("UERIN", "two", ts)
    await slack.idle()

    clock.advance(hours=9)
    reveal = await service.daily.reveal(post.id)
    assert reveal is not None
    *_, posted, pointer = (c.params for c in fake.of("chat.postMessage"))
    assert posted["thread_ts"] == ts  # the reveal is a reply in the question's thread ...
    assert "thread_ts" not in pointer and "thread of this question (5 answered)" in pointer["text"]  # ... pointed to
    assert chose(posted["text"]) == {"A": 0, "B": 3, "C": 1, "D": 1}
    assert "5 answered" in posted["text"]
    correct = reveal.correct.letter
    winners = {"B": {"alice", "bob", "erin"}, "C": {"carol"}, "D": {"dave"}}.get(correct, set())
    assert set(reveal.winners) == winners
    assert posted["blocks"][0]["text"]["text"].startswith("Answer")

    # the week's board and the person's own stats
    await slack.command("/leaderboard", "", user="UALICE", key="lb")
    await slack.command("/stats", "", user="UCAROL", key="stats")
    await slack.command("/weakspots", "", user="UDAVE", key="weak")  # a member, not a lead
    await slack.idle()
    [lb], [stats], [weak] = slack.replies("lb"), slack.replies("stats"), slack.replies("weak")
    assert "alice" in lb["text"] and "carol" in lb["text"] and "```" in json.dumps(lb["blocks"])
    assert stats["response_type"] == "ephemeral" and stats["blocks"][0]["type"] == "header"
    assert weak["response_type"] == "ephemeral" and "leads and admins only" in weak["text"]


async def test_drill_answered_with_buttons_once(
    slack: SlackHarness, service: QuizService, fake: FakeSlack, clock: ManualClock
) -> None:
    """A private drill: the card's buttons answer it; the same button twice changes nothing (check 15)."""
    await slack.command("/drill", "topic1 2", user="UALICE", key="drill")
    await slack.idle()
    [start] = slack.replies("drill")
    assert start["response_type"] == "ephemeral"
    actions = next(b for b in start["blocks"] if b["type"] == "actions")
    first = {e["text"]["text"]: e for e in actions["elements"]}
    assert set(first) == {"A", "B", "C", "D"}

    for _ in range(2):
        status, _, _ = await slack.action(first["A"]["action_id"], first["A"]["value"], user="UALICE", key="press1")
        assert status == 200
    await slack.idle()
    replies = slack.replies("press1")  # the two presses run concurrently: order the answers by content
    assert len(replies) == 3 and {r["response_type"] for r in replies} == {"ephemeral"}
    [_again] = [r for r in replies if "already answered" in r["text"]]
    [next_card] = [r for r in replies if any(b.get("block_id", "").startswith("drill:") for b in r["blocks"])]
    assert await service.store.count_rows("answer") == 1  # type: ignore[attr-defined]

    # someone else pressing Alice's button is told it is not theirs
    await slack.action(first["B"]["action_id"], first["B"]["value"], user="UMALLORY", key="intruder")
    await slack.idle()
    [intruder] = slack.replies("intruder")
    assert "not yours" in intruder["text"]

    # the bot restarts: a new app (nothing in memory) still routes the buttons of the earlier card
    second = next(b for b in next_card["blocks"] if b["type"] == "actions")["elements"][1]
    restarted = build_slack_app(
        service, client=make_client("xoxb-test-one", fake.api_url), signing_secret=SIGNING_SECRET
    )
    async for after in serve_app(restarted, fake, clock):
        await after.action(second["action_id"], second["value"], user="UALICE", key="press2")
        await after.idle()
    assert "Drill done" in slack.replies("press2")[-1]["text"]
    assert await service.store.count_rows("answer") == 2  # type: ignore[attr-defined]

    # a button of yesterday's drill changes nothing
    await slack.command("/drill", "topic2 2", user="UALICE", key="drill2")
    await slack.idle()
    [old] = slack.replies("drill2")
    stale = next(b for b in old["blocks"] if b["type"] == "actions")["elements"][0]
    clock.advance(days=1)
    await slack.action(stale["action_id"], stale["value"], user="UALICE", key="stale")
    await slack.idle()
    [expired] = slack.replies("stale")
    assert expired["response_type"] == "ephemeral" and "expired" in expired["text"]
    assert await service.store.count_rows("answer") == 2  # type: ignore[attr-defined]


async def test_app_home_shows_the_persons_stats(slack: SlackHarness, fake: FakeSlack) -> None:
    status, _, _ = await slack.event(
        {"type": "app_home_opened", "user": "UALICE", "channel": "D1", "tab": "home", "event_ts": "1.1"}
    )
    await slack.event(
        {"type": "app_home_opened", "user": "UALICE", "channel": "D1", "tab": "messages", "event_ts": "1.2"}
    )
    await slack.idle()
    assert status == 200
    [publish] = fake.of("views.publish")
    view: dict[str, Any] = publish.params["view"]
    assert publish.params["user_id"] == "UALICE" and view["type"] == "home"
    text = json.dumps(view)
    assert "/drill" in text and "Your StudyBot stats" in text and "reviews due" in text


async def test_two_workspaces_keep_their_data_apart(
    slack_multi: SlackHarness, service: QuizService, fake: FakeSlack, clock: ManualClock
) -> None:
    """The same channel and user ids in T1 and T2 are different channels and people."""
    slack = slack_multi
    one = await subscribe_and_post(slack, service, team="T1")
    two = await subscribe_and_post(slack, service, team="T2")
    posts = fake.of("chat.postMessage")
    assert [p.team for p in posts] == ["T1", "T2"]
    assert {c.team for c in fake.of("reactions.add")} == {"T1", "T2"}
    assert one.channel_id != two.channel_id

    await slack.react("UALICE", "one", one.message_ref or "", team="T1")
    await slack.react("UALICE", "two", two.message_ref or "", team="T2")
    await slack.react("UBOB", "three", two.message_ref or "", team="T2")
    await slack.idle()
    assert {c.team for c in fake.of("users.info")} == {"T1", "T2"}  # each team's own token

    clock.advance(hours=9)
    await service.daily.reveal(one.id)
    await service.daily.reveal(two.id)
    reveal_one, reveal_two = [c for c in fake.of("chat.postMessage")[2:] if "thread_ts" in c.params]
    assert (reveal_one.team, reveal_two.team) == ("T1", "T2")
    pointers = [c for c in fake.of("chat.postMessage")[2:] if "thread_ts" not in c.params]
    assert [c.team for c in pointers] == ["T1", "T2"]  # each workspace's channel gets its own pointer line
    assert chose(reveal_one.params["text"]) == {"A": 1, "B": 0, "C": 0, "D": 0}
    assert chose(reveal_two.params["text"]) == {"A": 0, "B": 1, "C": 1, "D": 0}

    ws1 = await service.store.ensure_workspace("slack", "T1")
    ws2 = await service.store.ensure_workspace("slack", "T2")
    alice1 = await service.store.ensure_person(ws1, "UALICE")
    alice2 = await service.store.ensure_person(ws2, "UALICE")
    assert alice1 != alice2
    await slack.command("/stats", "", user="UALICE", team="T1", key="s1")
    await slack.command("/stats", "", user="UALICE", team="T2", key="s2")
    await slack.idle()
    [s1], [s2] = slack.replies("s1"), slack.replies("s2")
    for reply in (s1, s2):  # one answer each, not two: "right/answered" cells of the by-topic table
        assert sum(int(n) for _c, n in re.findall(r" (\d+)/(\d+) ", reply["text"])) == 1
    assert BOT_USER not in s1["text"]


async def test_app_home_shows_the_progress_chart_uploaded_once(
    slack: SlackHarness, service: QuizService, fake: FakeSlack, clock: ManualClock
) -> None:
    post = await subscribe_and_post(slack, service)
    await slack.react("UALICE", "one", post.message_ref or "")
    await slack.idle()
    clock.advance(hours=9)
    assert len(await service.daily.reveal_due()) == 1  # the answer is scored at the reveal
    for ts in ("2.1", "2.2"):  # opened twice with the same figures: one upload, both views show it
        await slack.event({"type": "app_home_opened", "user": "UALICE", "channel": "D1", "tab": "home", "event_ts": ts})
        await slack.idle()
    first, second = fake.of("views.publish")
    [(file_id, upload)] = fake.uploads.items()
    assert upload["channel"] is None and upload["data"].startswith(b"\x89PNG")  # private to the bot, not in a channel
    for publish in (first, second):
        [image] = [b for b in publish.params["view"]["blocks"] if b["type"] == "image"]
        assert image["slack_file"] == {"id": file_id} and image["alt_text"] == upload["alt_txt"]
        assert "readiness" in image["alt_text"].lower()
    text = json.dumps(second.params["view"])
    assert "Your StudyBot stats" in text  # the text version stays beside the picture

    fake.refuse_files.add("T1")  # no files:write: the Home tab still opens, text only
    await slack.event({"type": "app_home_opened", "user": "UBOB", "channel": "D2", "tab": "home", "event_ts": "2.3"})
    await slack.idle()
    bob = fake.of("views.publish")[-1]
    assert bob.params["user_id"] == "UBOB" and not [b for b in bob.params["view"]["blocks"] if b["type"] == "image"]
    assert "Your StudyBot stats" in json.dumps(bob.params["view"])


async def test_a_mock_exam_through_buttons_ends_with_the_result(slack: SlackHarness, service: QuizService) -> None:
    await slack.command("/exam", "3 6", user="UALICE", key="exam")
    await slack.idle()
    [start] = slack.replies("exam")
    assert start["response_type"] == "ephemeral" and "Mock exam: 3 questions in 6 minutes" in start["text"]
    assert "Mock exam 1/3 · 6m left" in json.dumps(start["blocks"], ensure_ascii=False)
    current = start
    for n in range(3):
        actions = next(b for b in current["blocks"] if b["type"] == "actions")
        button = actions["elements"][2]  # C
        await slack.action(button["action_id"], button["value"], user="UALICE", key=f"x{n}")
        await slack.idle()
        [reply] = slack.replies(f"x{n}")
        assert reply["response_type"] == "ephemeral"
        if n < 2:
            assert "Answer C recorded." in reply["text"] and "Right!" not in reply["text"]
            current = reply
    assert "Mock exam result" in reply["text"] and "/3 right" in reply["text"]
    assert "By exam domain" in json.dumps(reply["blocks"])
    assert await service.store.count_rows("answer") == 3  # type: ignore[attr-defined]
