"""Events over signed HTTP: dedupe, lost originals, forged requests, never-404, reaction edge cases."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from bot.core.clock import ManualClock
from bot.core.ports import PostInfo
from bot.service import QuizService
from tests.adapters.slack.conftest import SlackHarness, reaction
from tests.adapters.slack.fake_slack import BOT_USER, SIGNING_SECRET, FakeSlack, signed_headers


async def subscribe_and_post(
    slack: SlackHarness, service: QuizService, *, channel: str = "C1", team: str = "T1"
) -> PostInfo:
    slack.fake.admins.add("UADMIN")
    status, _, _ = await slack.command(
        "/studybot", "subscribe 08:00 Europe/Berlin", user="UADMIN", channel=channel, team=team
    )
    assert status == 200
    await slack.idle()
    ws = await service.store.ensure_workspace("slack", team)
    ch = await service.store.get_channel(ws, channel)
    assert ch is not None and ch.active
    post = await service.daily.post_daily(ch.id)
    assert post is not None and post.message_ref
    return post


async def answers_at_reveal(service: QuizService, clock: ManualClock, post: PostInfo) -> dict[int, int]:
    clock.advance(hours=10)
    await service.daily.reveal(post.id)
    counts, _right = await service.store.post_answer_counts(post.id)
    return counts


async def test_url_verification_is_echoed(slack: SlackHarness) -> None:
    body = json.dumps(
        {
            "token": "legacy",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    ).encode()
    status, text, _ = await slack.send(body, signed_headers(body))
    assert status == 200
    assert json.loads(text)["challenge"].startswith("3eZbrw1aBm")


async def test_duplicate_deliveries_answer_200_and_store_one_event(
    slack: SlackHarness, service: QuizService, fake: FakeSlack, clock: ManualClock
) -> None:
    """Check 1: the same signed body again, as retries 1-3, and concurrently: one row, always 200."""
    post = await subscribe_and_post(slack, service)
    posts_before = len(fake.of("chat.postMessage"))
    clock.advance(minutes=5)
    ev = reaction("reaction_added", "UALICE", "two", post.message_ref or "", clock.now())
    body = slack.envelope(ev, event_id="EvDUPLICATE1")
    statuses = [(await slack.send(body, signed_headers(body)))[0] for _ in range(2)]
    for n in (1, 2, 3):
        headers = signed_headers(body) | {"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"}
        statuses.append((await slack.send(body, headers))[0])
    statuses += [s for s, _, _ in await asyncio.gather(*(slack.send(body, signed_headers(body)) for _ in range(8)))]
    await slack.idle()
    assert statuses == [200] * 13
    assert await service.store.count_rows("reaction_event") == 1  # type: ignore[attr-defined]
    assert await service.store.count_rows("delivery") == 1  # type: ignore[attr-defined]
    assert len(fake.of("chat.postMessage")) == posts_before
    assert await answers_at_reveal(service, clock, post) == {post.option_order[1]: 1}


@pytest.mark.sqlite  # concurrent inserts meet the database's unique key
async def test_concurrent_first_deliveries_of_one_event_store_one_row(
    slack: SlackHarness, service: QuizService, clock: ManualClock
) -> None:
    post = await subscribe_and_post(slack, service)
    ev = reaction("reaction_added", "UBOB", "three", post.message_ref or "", clock.now())
    body = slack.envelope(ev, event_id="EvRACE")
    results = await asyncio.gather(*(slack.send(body, signed_headers(body)) for _ in range(10)))
    await slack.idle()
    assert [s for s, _, _ in results] == [200] * 10
    assert await service.store.count_rows("reaction_event") == 1  # type: ignore[attr-defined]


async def test_retry_whose_original_was_lost_is_processed_once(
    slack: SlackHarness, service: QuizService, clock: ManualClock
) -> None:
    """Check 2: only the retry (Retry-Num 1) of an unseen event_id arrives; it counts, once."""
    post = await subscribe_and_post(slack, service)
    clock.advance(minutes=1)
    ev = reaction("reaction_added", "UCAROL", "four", post.message_ref or "", clock.now())
    for n in (1, 2):
        status, _, _ = await slack.event(ev, event_id="EvLOSTORIGINAL", retry=n)
        assert status == 200
    await slack.idle()
    assert await service.store.count_rows("reaction_event") == 1  # type: ignore[attr-defined]
    assert await answers_at_reveal(service, clock, post) == {post.option_order[3]: 1}


async def test_forged_or_replayed_requests_get_401_and_change_nothing(
    slack: SlackHarness, service: QuizService, fake: FakeSlack, clock: ManualClock
) -> None:
    """Check 4: wrong secret, stale or future timestamp, body altered after signing, headers missing."""
    post = await subscribe_and_post(slack, service)
    rows_before = await service.store.count_rows("reaction_event")  # type: ignore[attr-defined]
    responses_before = len(fake.responses)
    ev = reaction("reaction_added", "UMALLORY", "one", post.message_ref or "", clock.now())
    body = slack.envelope(ev)
    cmd = slack.command_body("/studybot", "unsubscribe", user="UADMIN")
    form = "application/x-www-form-urlencoded"
    now = int(time.time())
    forged = [
        (body, signed_headers(body, secret="not-the-secret-0000000000000000")),
        (body, signed_headers(body, ts=now - 301)),
        (body, signed_headers(body, ts=now + 301)),
        (body.replace(b'"one"', b'"two"'), signed_headers(body)),
        (body, {"Content-Type": "application/json"}),
        (body, {k: v for k, v in signed_headers(body).items() if k != "X-Slack-Signature"}),
        (cmd, signed_headers(cmd, secret="wrong", content_type=form)),
        (cmd + b"&x=1", signed_headers(cmd, content_type=form)),
    ]
    for raw, headers in forged:
        status, _, _ = await slack.send(raw, headers)
        assert status == 401
    await slack.idle()
    assert await service.store.count_rows("reaction_event") == rows_before  # type: ignore[attr-defined]
    assert len(fake.responses) == responses_before
    assert [c.active for c in await service.store.active_channels()] == [True]
    # the same secret signs a genuine request that works
    status, _, _ = await slack.send(body, signed_headers(body, secret=SIGNING_SECRET))
    assert status == 200


async def test_unhandled_and_short_circuited_requests_never_get_404_or_5xx(
    slack: SlackHarness, service: QuizService
) -> None:
    """Check 5: event types without a listener, unknown actions, shortcuts, views, options, dedupe path."""
    events: list[dict[str, Any]] = [
        {"type": "message", "channel": "C1", "user": "UALICE", "text": "hi", "ts": "1.1"},
        {"type": "member_joined_channel", "user": "UALICE", "channel": "C1"},
        {"type": "app_uninstalled"},
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}},
        {
            "type": "reaction_added",
            "user": "UALICE",
            "reaction": "one",
            "item": {"type": "file", "file": "F1"},
            "event_ts": "1.2",
        },
        {
            "type": "reaction_added",
            "user": "UALICE",
            "reaction": "one",
            "item_user": BOT_USER,
            "item": {"type": "message", "channel": "C404", "ts": "999.000001"},
            "event_ts": "1.3",
        },
    ]
    for ev in events:
        for _ in range(2):  # the repeat goes through the dedupe short-circuit
            status, _, _ = await slack.event(ev, event_id=f"Ev-{ev['type']}-{ev.get('event_ts', '')}")
            assert status == 200, ev
    form = "application/x-www-form-urlencoded"
    others: list[dict[str, Any]] = [
        {
            "type": "block_actions",
            "user": {"id": "UALICE"},
            "team": {"id": "T1"},
            "api_app_id": "ASTUDY",
            "actions": [{"action_id": "reference_link", "type": "button", "value": "x"}],
            "response_url": slack.fake.response_url("link"),
            "trigger_id": "1",
        },
        {
            "type": "shortcut",
            "callback_id": "anything",
            "user": {"id": "UALICE"},
            "team": {"id": "T1"},
            "trigger_id": "1",
        },
        {
            "type": "view_submission",
            "user": {"id": "UALICE"},
            "team": {"id": "T1"},
            "view": {"id": "V1", "callback_id": "whatever", "type": "modal"},
        },
        {
            "type": "view_closed",
            "user": {"id": "UALICE"},
            "team": {"id": "T1"},
            "view": {"id": "V1", "callback_id": "whatever", "type": "modal"},
        },
        {
            "type": "block_suggestion",
            "action_id": "menu",
            "block_id": "b",
            "value": "x",
            "user": {"id": "UALICE"},
            "team": {"id": "T1"},
        },
    ]
    for payload in others:
        body = f"payload={json.dumps(payload)}".encode()
        status, _, _ = await slack.send(body, signed_headers(body, content_type=form))
        assert status == 200, payload["type"]
    status, _, _ = await slack.command("/unknown-command", "x")
    assert status == 200
    await slack.idle()
    assert await service.store.count_rows("reaction_event") == 0  # type: ignore[attr-defined]


async def test_reaction_edge_cases_follow_the_answer_policy(
    slack: SlackHarness, service: QuizService, fake: FakeSlack, clock: ManualClock
) -> None:
    """Check 14: skin tones, aliases, unknown emoji, the bot's seed reactions, change of answer, closed post."""
    post = await subscribe_and_post(slack, service)
    ts = post.message_ref or ""
    await slack.react(BOT_USER, "one", ts)  # Slack echoes the bot's own seed reactions
    await slack.react("UALICE", "two::skin-tone-4", ts)  # tone suffix stripped -> B
    await slack.react("UBOB", "one", ts)  # A, then changes to C
    await slack.react("UBOB", "one", ts, added=False)
    await slack.react("UBOB", "three", ts)
    await slack.react("UCAROL", "+1", ts)  # not an option: no answer
    await slack.react("UCAROL", "thumbsup::skin-tone-2", ts)
    await slack.react("UDAVE", "four", ts)  # D, then adds B: the latest present reaction wins
    await slack.react("UDAVE", "two", ts)
    await slack.react("UERIN", "three", ts)  # retracted before the reveal: no answer
    await slack.react("UERIN", "three", ts, added=False)
    await slack.idle()
    persons = await service.store.count_rows("person")  # type: ignore[attr-defined]
    counts = await answers_at_reveal(service, clock, post)
    order = post.option_order
    assert counts == {order[1]: 2, order[2]: 1}
    # a reaction on someone else's message costs no lookup and no write
    lookups = len(fake.of("users.info"))
    elsewhere = reaction("reaction_added", "UGRACE", "one", "1.000009", clock.now()) | {"item_user": "UALICE"}
    assert (await slack.event(elsewhere))[0] == 200
    await slack.idle()
    assert len(fake.of("users.info")) == lookups
    assert await service.store.count_rows("person") == persons  # type: ignore[attr-defined]
    # a reaction on the closed (revealed) question changes nothing
    await slack.react("UFRANK", "one", ts)
    await slack.idle()
    counts_after, _ = await service.store.post_answer_counts(post.id)
    assert counts_after == counts
    reveal = fake.of("chat.postMessage")[-1].params
    assert "3 answered" in reveal["text"]
