"""The daily loop on real databases: unique posts under concurrency, reactions, reveal (issue #2)."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.core.clock import ManualClock
from bot.core.messages import QuestionPost, RevealPost
from bot.service import QuizService
from tests.conftest import RecordingNotifier, admin, member


async def subscribe(service: QuizService, channel: str = "C1", args: str = "subscribe 09:00 Europe/Berlin") -> int:
    replies = await service.handle_command(admin(channel), "/studybot", args)
    assert "Subscribed" in replies[0].text, replies
    ws = await service.store.ensure_workspace("slack", "T1")
    ch = await service.store.get_channel(ws, channel)
    assert ch is not None
    return ch.id


async def test_one_post_per_channel_per_local_date_under_concurrency(
    any_service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    channel_id = await subscribe(any_service)
    clock.set(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC))  # 09:00 in Berlin
    results = await asyncio.gather(*(any_service.daily.post_daily(channel_id) for _ in range(12)))
    assert sum(r is not None for r in results) == 1
    assert len(notifier.of_type(QuestionPost)) == 1
    # later the same local day: still nothing new
    clock.advance(hours=14)  # 23:00 Berlin
    assert await any_service.daily.post_daily(channel_id) is None
    # next local day: a new post
    clock.advance(hours=2)
    assert await any_service.daily.post_daily(channel_id) is not None
    assert len(notifier.of_type(QuestionPost)) == 2


async def test_local_date_follows_channel_time_zone(any_service: QuizService, clock: ManualClock) -> None:
    channel_id = await subscribe(any_service, "C2", "subscribe 23:30 America/New_York")
    clock.set(dt.datetime(2026, 3, 3, 4, 30, tzinfo=dt.UTC))  # 23:30 on 2 March in New York
    post = await any_service.daily.post_daily(channel_id)
    assert post is not None and post.local_date == dt.date(2026, 3, 2)


async def test_reactions_and_reveal_with_counts(
    any_service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    channel_id = await subscribe(any_service)
    clock.set(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC))
    post = await any_service.daily.post_daily(channel_id)
    assert post is not None and post.message_ref
    q = any_service.by_id[post.question_id]
    key_shown = post.option_order.index(q.answer_index)
    emoji = ["one", "two", "three", "four"]
    wrong = (key_shown + 1) % 4

    async def react(user: str, option: int, added: bool = True, delivery: str | None = None, **kw: object) -> bool:
        clock.advance(seconds=30)
        return await any_service.record_reaction(
            platform="slack",
            workspace="T1",
            channel="C1",
            message_ref=post.message_ref or "",
            user=user,
            reaction=emoji[option] + str(kw.get("suffix", "")),
            added=added,
            delivery_id=delivery or f"ev-{user}-{option}-{added}-{clock.now().timestamp()}",
            is_bot=bool(kw.get("bot")),
        )

    assert await react("UALICE", key_shown, delivery="E1")
    assert not await react("UALICE", key_shown, delivery="E1")  # duplicate delivery
    await react("UBOB", wrong)
    await react("UBOB", wrong, added=False)  # retracted
    await react("UCAROL", wrong)
    await react("UCAROL", key_shown, suffix="::skin-tone-3")  # changed her answer, with a skin tone
    await react("UDAN", wrong)
    await react("UBOT", key_shown, bot=True)
    await any_service.record_reaction(
        platform="slack",
        workspace="T1",
        channel="C1",
        message_ref=post.message_ref,
        user="UERIN",
        reaction="tada",
        added=True,
        delivery_id="E-tada",
    )
    clock.set(post.reveal_due_at)
    reveals = await any_service.daily.reveal_due()
    assert len(reveals) == 1
    r = reveals[0]
    counts = {o.letter: o.count for o in r.options}
    assert counts["ABCD"[key_shown]] == 2 and counts["ABCD"[wrong]] == 1 and sum(counts.values()) == 3
    assert sorted(r.winners) == ["ualice", "ucarol"] or sorted(r.winners) == ["UALICE", "UCAROL"]
    assert r.answered == 3
    assert r.correct.text == q.options[q.answer_index]
    assert r.objective_id == q.objective_id and r.objective_text
    # a reaction after the reveal does not count, and a second reveal does nothing
    await react("UFRED", key_shown)
    assert await any_service.daily.reveal(post.id) is None
    assert len(notifier.of_type(RevealPost)) == 1


async def test_concurrent_reveals_announce_once(
    any_service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    channel_id = await subscribe(any_service)
    clock.set(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC))
    post = await any_service.daily.post_daily(channel_id)
    assert post is not None
    clock.set(post.reveal_due_at)
    results = await asyncio.gather(*(any_service.daily.reveal(post.id) for _ in range(8)))
    assert sum(r is not None for r in results) == 1
    assert len(notifier.of_type(RevealPost)) == 1


async def test_duplicate_reaction_deliveries_concurrently_one_row(any_service: QuizService, clock: ManualClock) -> None:
    channel_id = await subscribe(any_service)
    clock.set(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC))
    post = await any_service.daily.post_daily(channel_id)
    assert post is not None and post.message_ref
    calls = [
        any_service.record_reaction(
            platform="slack",
            workspace="T1",
            channel="C1",
            message_ref=post.message_ref,
            user=f"U{i % 25}",
            reaction="two",
            added=True,
            delivery_id=f"E{i % 25}",
        )
        for i in range(200)
    ]
    results = await asyncio.gather(*calls)
    assert sum(results) == 25
    assert await any_service.store.count_rows("reaction_event") == 25  # type: ignore[attr-defined]


async def test_admin_rights_and_audit(any_service: QuizService) -> None:
    refused = await any_service.handle_command(member("UBOB"), "/studybot", "subscribe")
    assert refused[0].private and "admin" in refused[0].text.lower()
    await subscribe(any_service)
    await any_service.handle_command(admin(), "/studybot", "settings reveal 2h")
    ws = await any_service.store.ensure_workspace("slack", "T1")
    entries = await any_service.store.audit_entries(ws)  # type: ignore[attr-defined]
    assert [e["action"] for e in entries] == ["subscribe", "settings"]
    assert entries[0]["actor"] == "slack:UADMIN"


async def test_platform_refusal_marks_post_failed_and_changes_nothing_else(
    any_service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    channel_id = await subscribe(any_service)
    notifier.refuse.add("C1")
    clock.set(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC))
    assert await any_service.daily.post_daily(channel_id) is None
    posts = await any_service.store.channel_posts(channel_id)
    assert [p.status for p in posts] == ["failed"]


async def test_no_surprise_post_on_the_subscription_day(any_service: QuizService, clock: ManualClock) -> None:
    clock.set(dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC))  # 10:30 in Berlin, after today's 09:00
    channel_id = await subscribe(any_service)
    ch = await any_service.store.channel_by_id(channel_id)
    assert not await any_service.daily.daily_is_due(ch)
    posted, _ = await any_service.daily.catch_up()
    assert posted == 0
    clock.set(dt.datetime(2026, 3, 3, 8, 0, tzinfo=dt.UTC))  # tomorrow 09:00 Berlin
    assert await any_service.daily.daily_is_due(await any_service.store.channel_by_id(channel_id))


async def test_platform_not_served_here_leaves_the_post_for_another_process(
    any_service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    from bot.core.ports import PlatformUnavailable

    channel_id = await subscribe(any_service)
    clock.set(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC))
    real_post = notifier.post

    async def unavailable(*_a: object) -> str:
        raise PlatformUnavailable("no slack connection in this process")

    notifier.post = unavailable  # type: ignore[method-assign]
    assert await any_service.daily.post_daily(channel_id) is None
    assert await any_service.store.channel_posts(channel_id) == []
    notifier.post = real_post  # type: ignore[method-assign]
    assert await any_service.daily.post_daily(channel_id) is not None


async def test_reconcile_repairs_missed_reactions_and_leaves_fresh_ones_alone(
    any_service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    channel_id = await subscribe(any_service)
    clock.set(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC))
    post = await any_service.daily.post_daily(channel_id)
    assert post is not None and post.message_ref
    ref = post.message_ref

    async def react(user: str, emoji: str, added: bool, delivery: str) -> None:
        clock.advance(seconds=10)
        await any_service.record_reaction(
            platform="slack",
            workspace="T1",
            channel="C1",
            message_ref=ref,
            user=user,
            reaction=emoji,
            added=added,
            delivery_id=delivery,
        )

    await react("UA", "one", True, "e1")  # seen by the bot
    await react("UB", "two", True, "e2")  # seen, but later removed while the bot was down
    # the platform now shows: UA one, UC three (missed), UB nothing
    notifier.reactions[ref] = {"one": {"UA"}, "three": {"UC"}}
    assert await any_service.reconcile_open_posts() == 2
    assert await any_service.reconcile_open_posts() == 0  # a second pass changes nothing
    # a reaction recorded after the platform was read is not undone by a stale snapshot
    stale = {"one": {"UA"}, "three": {"UC"}}
    before = await any_service.store.reaction_events(post.id)
    as_of = max(ev.seq for _p, ev in before)
    await react("UD", "four", True, "e3")
    assert await any_service.reactions.reconcile_post(post, stale, as_of) == 0
    clock.set(post.reveal_due_at)
    reveal = (await any_service.daily.reveal_due())[0]
    counts = {o.text: o.count for o in reveal.options}
    q = any_service.by_id[post.question_id]
    shown = [q.options[i] for i in post.option_order]
    assert counts[shown[0]] == 1 and counts[shown[1]] == 0 and counts[shown[2]] == 1 and counts[shown[3]] == 1


async def test_default_team_follows_the_channel_time_zone(any_service: QuizService) -> None:
    channel_id = await subscribe(any_service)
    await any_service.handle_command(admin(), "/studybot", "settings tz America/New_York")
    ch = await any_service.store.channel_by_id(channel_id)
    assert ch.team_id is not None
    assert (await any_service.store.team_info(ch.team_id))[2] == "America/New_York"
