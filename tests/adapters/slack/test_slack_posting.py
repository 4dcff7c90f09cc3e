"""SlackNotifier against FakeSlack: 429 retries, per-channel pacing, refusals, reconciliation, rendering."""

from __future__ import annotations

import asyncio
import datetime as dt

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError

from adapters.slack import SlackNotifier, make_client
from adapters.slack.blocks import MAX_BLOCKS, MAX_SECTION, to_blocks
from bot.core.clock import ManualClock
from bot.core.messages import ChannelRef, OptionView, QuestionPost, Reply, Table
from bot.core.ports import PlatformError
from bot.service import QuizService
from tests.adapters.slack.conftest import SlackHarness
from tests.adapters.slack.fake_slack import BOT_USER, FakeSlack
from tests.adapters.slack.test_slack_events import answers_at_reveal, subscribe_and_post


def question(n: int = 1) -> QuestionPost:
    opts = tuple(
        OptionView(letter, emoji, f"opt {letter}")
        for letter, emoji in zip("ABCD", ("one", "two", "three", "four"), strict=True)
    )
    return QuestionPost(
        n,
        "Topic 1",
        "1.1.1",
        f"Stem {n} with a < b & c > d",
        opts,
        dt.datetime(2026, 3, 2, 17, tzinfo=dt.UTC),
        "17:00 UTC",
    )


async def test_429_is_retried_once_after_retry_after_and_the_daily_post_completes(
    slack: SlackHarness, service: QuizService, fake: FakeSlack
) -> None:
    """Check 11: 429 + Retry-After: 1 on chat.postMessage."""
    fake.rate_limit("chat.postMessage", times=1, retry_after=1)
    post = await subscribe_and_post(slack, service)
    first, second = fake.of("chat.postMessage")
    assert second.at - first.at >= 1.0
    assert post.status == "posted" and len(fake.of("reactions.add")) == 4


async def test_a_client_given_a_session_keeps_one_connection_and_one_without_opens_one_per_call(
    fake: FakeSlack,
) -> None:
    async with aiohttp.ClientSession() as session:
        shared = SlackNotifier(make_client("xoxb-test-one", fake.api_url, session), min_interval=0)
        for n in range(3):
            await shared.post(ChannelRef("slack", "T1", "C1"), Reply(f"shared {n}", private=False))
    alone = SlackNotifier(make_client("xoxb-test-one", fake.api_url), min_interval=0)
    for n in range(3):
        await alone.post(ChannelRef("slack", "T1", "C1"), Reply(f"alone {n}", private=False))
    posts = fake.of("chat.postMessage")
    assert [p.params["text"] for p in posts] == ["shared 0", "shared 1", "shared 2", "alone 0", "alone 1", "alone 2"]
    assert len({p.peer for p in posts[:3]}) == 1
    assert len({p.peer for p in posts[3:]}) == 3


async def test_one_message_per_second_per_channel_and_channels_in_parallel(fake: FakeSlack) -> None:
    notifier = SlackNotifier(make_client("xoxb-test-one", fake.api_url))  # the production pacing: 1 s
    c1, c2 = ChannelRef("slack", "T1", "C1"), ChannelRef("slack", "T1", "C2")
    await asyncio.gather(*(notifier.post(ch, question(i)) for i in range(3) for ch in (c1, c2)))
    calls = fake.of("chat.postMessage")
    for channel in ("C1", "C2"):
        times = [c.at for c in calls if c.params["channel"] == channel]
        assert len(times) == 3
        assert all(b - a >= 0.99 for a, b in zip(times, times[1:], strict=False)), times
    starts = {ch: min(c.at for c in calls if c.params["channel"] == ch) for ch in ("C1", "C2")}
    assert abs(starts["C1"] - starts["C2"]) < 0.5  # C2 did not wait behind C1
    assert calls[-1].at - calls[0].at < 2.6


async def test_429_storm_is_bounded_and_refusals_are_not_retried(
    slack: SlackHarness, service: QuizService, fake: FakeSlack
) -> None:
    """Check 12: repeated 429s give up after a bounded number of tries; a refusal is not retried."""
    notifier = SlackNotifier(make_client("xoxb-test-one", fake.api_url), min_interval=0)
    fake.rate_limit("chat.postMessage", times=10, retry_after=0)
    with pytest.raises(SlackApiError) as err:
        await notifier.post(ChannelRef("slack", "T1", "C1"), question())
    assert not isinstance(err.value, PlatformError) and err.value.response.status_code == 429
    assert len(fake.of("chat.postMessage")) == 4  # 1 + 3 retries, then the error surfaces
    fake.rate_limit("chat.postMessage", times=0)

    fake.refuse_channels["CPRIVATE"] = "channel_not_found"
    with pytest.raises(PlatformError, match="channel_not_found"):
        await notifier.post(ChannelRef("slack", "T1", "CPRIVATE"), question())
    assert [c.params["channel"] for c in fake.of("chat.postMessage")].count("CPRIVATE") == 1

    # through the service: the post is marked failed and nothing else is sent
    fake.admins.add("UADMIN")
    await slack.command("/studybot", "subscribe", user="UADMIN", channel="CPRIVATE")
    await slack.idle()
    [ch] = await service.store.active_channels()
    assert await service.daily.post_daily(ch.id) is None
    [failed] = await service.store.channel_posts(ch.id)
    assert failed.status == "failed"
    assert fake.of("reactions.add") == []


async def test_not_in_channel_joins_the_public_channel_then_posts(fake: FakeSlack) -> None:
    notifier = SlackNotifier(make_client("xoxb-test-one", fake.api_url), min_interval=0)
    fake.not_in_channel.add("CPUBLIC")
    ts = await notifier.post(ChannelRef("slack", "T1", "CPUBLIC"), question())
    assert ts and [c.params["channel"] for c in fake.of("conversations.join")] == ["CPUBLIC"]


async def test_reconciliation_repairs_reactions_missed_while_down(
    slack: SlackHarness, service: QuizService, fake: FakeSlack, clock: ManualClock
) -> None:
    """Check 9: reactions added and removed while the bot was down are repaired from reactions.get."""
    post = await subscribe_and_post(slack, service)
    ts = post.message_ref or ""
    await slack.react("UCAROL", "one", ts)  # heard live
    await slack.idle()
    # the bot is down: Slack's state moves on without events reaching us
    fake.react("T1", "C1", ts, "two", "UALICE")
    fake.react("T1", "C1", ts, "three", "UBOB")
    fake.react("T1", "C1", ts, "one", "UCAROL", added=False)
    fake.react("T1", "C1", ts, "smile", "UDAVE")
    clock.advance(minutes=30)
    assert await service.reconcile_open_posts() == 3
    assert await service.reconcile_open_posts() == 0  # idempotent
    [get, _again] = fake.of("reactions.get")
    assert get.params["full"] in (True, "true", "1") and get.team == "T1"
    order = post.option_order
    assert await answers_at_reveal(service, clock, post) == {order[1]: 1, order[2]: 1}


async def test_fetch_reactions_excludes_the_bot(fake: FakeSlack) -> None:
    notifier = SlackNotifier(make_client("xoxb-test-one", fake.api_url), min_interval=0)
    ch = ChannelRef("slack", "T1", "C1")
    ts = await notifier.post(ch, question())
    await notifier.add_option_reactions(ch, ts, 4)
    await notifier.add_option_reactions(ch, ts, 4)  # a repeat: already_reacted is fine
    fake.react("T1", "C1", ts, "two", "UALICE")
    assert await notifier.fetch_reactions(ch, ts) == {"two": {"UALICE"}}
    assert BOT_USER in fake.reactions[("T1", "C1", ts)]["one"]


def test_block_kit_respects_slack_limits_and_escapes() -> None:
    rows = tuple((str(i), "x" * 80, "1") for i in range(400))
    reply = Reply("t" * 7000, tables=(Table("Big", ("#", "who", "n"), rows),), title="T" * 300)
    blocks = to_blocks(reply)
    assert len(blocks) <= MAX_BLOCKS
    assert len(blocks[0]["text"]["text"]) <= 150
    assert all(len(b["text"]["text"]) <= MAX_SECTION for b in blocks if b["type"] == "section")
    q = to_blocks(question())
    assert "a &lt; b &amp; c &gt; d" in str(q)


async def test_a_single_workspace_notifier_refuses_other_workspaces(fake: FakeSlack) -> None:
    notifier = SlackNotifier(make_client("xoxb-test-one", fake.api_url), team_id="T1", min_interval=0)
    with pytest.raises(PlatformError, match="not T2"):
        await notifier.post(ChannelRef("slack", "T2", "C1"), question())
    assert fake.of("chat.postMessage") == []
    assert await notifier.post(ChannelRef("slack", "T1", "C1"), question())


async def test_a_cut_short_reaction_list_is_not_read_as_removals(
    slack: SlackHarness, service: QuizService, fake: FakeSlack, clock: ManualClock
) -> None:
    post = await subscribe_and_post(slack, service)
    ts = post.message_ref or ""
    for user in ("UALICE", "UBOB", "UCAROL"):
        await slack.react(user, "two", ts)
    await slack.idle()
    fake.list_at_most = 2  # Slack counts 4 (with the bot) but lists 2
    assert await slack_notifier(fake).fetch_reactions(ChannelRef("slack", "T1", "C1"), ts) is None
    assert await service.reconcile_open_posts() == 0
    assert await answers_at_reveal(service, clock, post) == {post.option_order[1]: 3}


def slack_notifier(fake: FakeSlack) -> SlackNotifier:
    return SlackNotifier(make_client("xoxb-test-one", fake.api_url), min_interval=0)


async def test_a_channel_board_with_a_chart_posts_the_text_then_uploads_it(fake: FakeSlack) -> None:
    from bot.core.charts import ChartImage

    notifier = SlackNotifier(make_client("xoxb-test-one", fake.api_url), min_interval=0)
    board = Reply(
        "",
        private=False,
        title="Leaderboard · last week",
        tables=(Table("Members by points", ("#", "Member", "Points"), (("1", "ada", "4"),)),),
        image=ChartImage(b"\x89PNG\r\n\x1a\nboard", "Leaderboard. Points by member: ada 4.", "weekly-board.png"),
    )
    ts = await notifier.post(ChannelRef("slack", "T1", "C1"), board)
    assert fake.messages[("T1", "C1", ts)]["text"]  # the text board is in the channel
    [upload] = fake.uploads.values()
    assert (upload["channel"], upload["filename"], upload["data"]) == (
        "C1",
        "weekly-board.png",
        b"\x89PNG\r\n\x1a\nboard",
    )
    assert upload["alt_txt"] == "Leaderboard. Points by member: ada 4."
    fake.refuse_files.add("T1")  # the scope removed: the board still posts, without its picture
    ts2 = await notifier.post(ChannelRef("slack", "T1", "C1"), board)
    assert ts2 != ts and ("T1", "C1", ts2) in fake.messages and len(fake.uploads) == 1


async def test_the_answered_count_edits_the_question_and_a_429_on_the_edit_is_waited_out(fake: FakeSlack) -> None:
    import dataclasses

    notifier = slack_notifier(fake)
    where = ChannelRef("slack", "T1", "C1")
    ts = await notifier.post(where, question())
    fake.rate_limit("chat.update", times=1, retry_after=1)
    await notifier.update(where, ts, dataclasses.replace(question(), answered=3))
    edits = fake.of("chat.update")
    assert len(edits) == 2 and edits[-1].params["ts"] == ts  # the 429, then the retry after Retry-After
    stored = fake.messages[("T1", "C1", ts)]
    assert "3 answered so far" in str(stored["blocks"]) and "opt A" in str(stored["blocks"])
    with pytest.raises(PlatformError):
        await notifier.update(where, "999.000001", question())  # a message that is gone: a clear error
