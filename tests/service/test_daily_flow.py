"""The daily loop through the real service on MemoryStore: subscribe, post, react, reveal (no database)."""

from __future__ import annotations

import datetime as dt

from bot.core.clock import ManualClock
from bot.core.messages import QuestionPost, RevealPost
from bot.service import QuizService
from tests.conftest import RecordingNotifier, admin, member
from tests.fakes.memory_store import MemoryStore
from tests.service.conftest import MONDAY_9_BERLIN, post_today, react, shown_key, subscribe


async def test_the_service_runs_on_the_memory_store(service: QuizService, store: MemoryStore) -> None:
    assert service.store is store
    await subscribe(service)
    assert await store.count_rows("audit_log") == 1


async def test_subscribe_makes_the_channel_a_team_and_a_repeat_changes_nothing(
    service: QuizService, store: MemoryStore, clock: ManualClock
) -> None:
    first = await service.handle_command(admin(), "/studybot", "subscribe 09:00 Europe/Berlin")
    assert (
        first[0].text.startswith("Subscribed: a daily ML-PRO question at 09:00 Europe/Berlin") and not first[0].private
    )
    assert "Next question: Mon 2026-03-02 09:00" in first[0].text  # 07:00 UTC is 08:00 in Berlin
    again = await service.handle_command(admin(), "/studybot", "subscribe 09:00 Europe/Berlin")
    assert again[0].text.startswith("Already subscribed") and again[0].private
    [ch] = await service.active_channels()
    assert ch.ref.channel == "C1" and ch.team_id is not None
    assert (await store.team_info(ch.team_id))[1:3] == ("#c1", "Europe/Berlin")
    moved = await service.handle_command(admin(), "/studybot", "settings zone America/New_York")
    assert "time zone America/New_York" in moved[0].text, moved
    assert (await store.team_info(ch.team_id))[2] == "America/New_York"  # the team follows the channel's zone
    assert [e["action"] for e in await store.audit_entries(ch.workspace_id)] == ["subscribe", "settings"]
    gone = await service.handle_command(admin(), "/studybot", "unsubscribe")
    assert gone[0].text.startswith("Unsubscribed") and await service.active_channels() == []


async def test_one_daily_post_per_local_day_and_bonus_posts_on_request(
    service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    channel_id = await subscribe(service)
    ch = await service.channel_by_id(channel_id)
    clock.set(MONDAY_9_BERLIN - dt.timedelta(minutes=1))
    assert not await service.daily.daily_is_due(ch)
    clock.set(MONDAY_9_BERLIN)
    assert await service.daily.daily_is_due(ch)
    post = await service.daily.post_daily(channel_id)
    assert post is not None and post.status == "posted" and post.slot == 0 and post.local_date == dt.date(2026, 3, 2)
    assert await service.daily.post_daily(channel_id) is None
    assert not await service.daily.daily_is_due(ch)
    bonus = await service.handle_command(admin(), "/studybot", "post-now")
    assert bonus[0].text.startswith("Posted question"), bonus
    posts = await service.store.channel_posts(channel_id)
    assert [(p.slot, p.status) for p in posts] == [(0, "posted"), (1, "posted")]
    assert [m.title for _c, m, _r in notifier.sent if isinstance(m, QuestionPost)] == [
        "Daily question",
        "Bonus question",
    ]
    clock.advance(days=1)
    assert await service.daily.post_daily(channel_id) is not None


async def test_reactions_decide_answers_and_a_repeated_delivery_changes_nothing(
    service: QuizService, store: MemoryStore, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    post = await post_today(service, clock)
    key = shown_key(service, post)
    wrong = (key + 1) % 4
    clock.advance(minutes=1)
    assert await react(service, post, "UALICE", key, delivery="E1", name="alice")
    assert not await react(service, post, "UALICE", wrong, delivery="E1")  # the platform repeats E1
    assert await store.count_rows("reaction_event") == 1
    await react(service, post, "UBOB", wrong, delivery="E2", name="bob")
    clock.advance(minutes=1)
    await react(service, post, "UCAROL", wrong, delivery="E3", name="carol")
    await react(service, post, "UCAROL", wrong, delivery="E4", added=False)  # retracted: no answer
    assert not await service.record_reaction(
        platform="slack",
        workspace="T1",
        channel="C1",
        message_ref="nope",
        user="UDAN",
        reaction="one",
        added=True,
        delivery_id="E5",
    )
    clock.set(post.reveal_due_at)
    [reveal] = await service.daily.reveal_due()
    assert isinstance(reveal, RevealPost) and reveal.post_id == post.id
    assert reveal.winners == ("alice",) and reveal.answered == 2
    assert [o.count for o in reveal.options if o.correct] == [1]
    assert notifier.of_type(RevealPost) == [reveal]
    # late reactions, repeats and a second reveal change nothing
    assert await react(service, post, "UBOB", key, delivery="E6")
    assert await service.daily.reveal(post.id) is None and await service.daily.reveal_due() == []
    assert await store.post_answer_counts(post.id) == (
        {post.option_order[key]: 1, post.option_order[wrong]: 1},
        [await store.find_person(1, "UALICE")],
    )
    # answering joined the channel's team
    ch = await service.channel_by_id(post.channel_id)
    alice = await store.find_person(ch.workspace_id, "UALICE")
    assert alice is not None and await store.person_team(ch.workspace_id, alice) == (ch.team_id, False)


async def test_reveal_now_and_reconciliation_of_a_missed_reaction(
    service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    post = await post_today(service, clock)
    key = shown_key(service, post)
    assert post.message_ref is not None
    notifier.reactions[post.message_ref] = {("one", "two", "three", "four")[key]: {"UERIN"}}  # an event we never got
    clock.advance(minutes=5)
    assert await service.reconcile_open_posts() == 1
    assert await service.reconcile_open_posts() == 0  # nothing new the second time
    refused = await service.handle_command(member("UEVE"), "/studybot", "reveal-now")
    assert "Only workspace admins" in refused[0].text
    done = await service.handle_command(admin(), "/studybot", "reveal-now")
    assert done[0].text == "Revealed 1 question(s)."
    [reveal] = notifier.of_type(RevealPost)
    assert isinstance(reveal, RevealPost) and reveal.winners == ("UERIN",)
    assert (await service.handle_command(admin(), "/studybot", "reveal-now"))[
        0
    ].text == "There is no open question in this channel."


async def test_delivery_claims_through_the_facade(service: QuizService, clock: ManualClock) -> None:
    assert await service.claim_delivery("Ev1")
    assert not await service.claim_delivery("Ev1")
    clock.advance(days=3)
    assert await service.prune_deliveries() == 1
    assert await service.claim_delivery("Ev1")


async def test_a_burst_of_reactions_on_a_new_question_is_looked_up_once_and_written_in_few_batches(
    service: QuizService, store: MemoryStore, clock: ManualClock
) -> None:
    import asyncio

    post = await post_today(service, clock)
    service.reactions._post_ids.clear()  # as after a restart: nothing cached
    service.reactions._ws_ids.clear()
    lookups = {"post_by_message": 0, "ensure_workspace": 0}
    for name in lookups:
        real = getattr(store, name)

        async def counted(*a: object, _real: object = real, _name: str = name, **k: object) -> object:
            lookups[_name] += 1
            await asyncio.sleep(0)  # a real look-up yields to the loop: the other callers arrive meanwhile
            return await _real(*a, **k)  # type: ignore[operator]

        setattr(store, name, counted)
    shown = shown_key(service, post)
    results = await asyncio.gather(
        *(react(service, post, f"U{i % 300}", shown, delivery=f"burst-{i % 900}") for i in range(1000))
    )
    assert sum(results) == 900  # 100 repeated deliveries are not new
    assert lookups == {"post_by_message": 1, "ensure_workspace": 1}  # one look-up shared by 1,000 callers
    assert service.reactions.batcher.batches <= 10  # group commit: at most 200 events per write, usually fewer writes
    assert len(await store.reaction_events(post.id)) == 900
    assert not await react(service, post, "U1", shown, delivery="burst-5")  # a late repeat changes nothing
    assert not await react(service, post, "U1", shown, delivery="x", channel="C-unknown")  # not a question: ignored


async def test_subscribe_without_a_zone_keeps_the_channels_zone(service: QuizService, store: MemoryStore) -> None:
    """New-user re-trial: `subscribe 11:00` on a Berlin channel used to put it back on UTC."""
    new = await service.handle_command(admin(), "/studybot", "subscribe")
    assert new[0].text.startswith("Subscribed: a daily ML-PRO question at 09:00 UTC")  # a new channel's default
    await service.handle_command(admin(), "/studybot", "subscribe 10:00 Europe/Berlin")
    moved = await service.handle_command(admin(), "/studybot", "subscribe 11:00")
    assert moved[0].text.startswith("Schedule changed: a daily ML-PRO question at 11:00 Europe/Berlin"), moved[0].text
    again = await service.handle_command(admin(), "/studybot", "subscribe")
    assert again[0].text.startswith("Already subscribed at 11:00 Europe/Berlin; nothing changed.") and again[0].private
    zone = await service.handle_command(admin(), "/studybot", "subscribe Asia/Tokyo")
    assert zone[0].text.startswith("Schedule changed: a daily ML-PRO question at 11:00 Asia/Tokyo")
    [ch] = await service.active_channels()
    assert ch.team_id is not None and (await store.team_info(ch.team_id))[2] == "Asia/Tokyo"


async def test_an_open_question_shows_how_many_answered_in_one_edit_per_burst(
    service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    import asyncio

    from bot.core.render import to_text

    service.answered_counts.every = 0.3  # production: 5 s
    post = await post_today(service, clock)
    shown = shown_key(service, post)
    await asyncio.gather(*(react(service, post, f"U{i}", shown, delivery=f"a{i}") for i in range(10)))
    await asyncio.gather(*(react(service, post, f"U{i}", (shown + 1) % 4, delivery=f"b{i}") for i in range(5)))
    assert notifier.updates == []  # nothing yet: the edit waits for the burst
    await asyncio.sleep(0.5)
    [(channel, ref, question)] = notifier.updates
    assert ref == post.message_ref and channel.channel == "C1" and isinstance(question, QuestionPost)
    assert question.answered == 10 and "10 answered so far" in to_text(question)
    assert "U1" not in to_text(question)  # who chose what stays hidden until the reveal
    await react(service, post, "U99", shown, delivery="late")
    await asyncio.sleep(0.5)
    assert [q.answered for _c, _r, q in notifier.updates] == [10, 11]  # type: ignore[attr-defined]
    clock.set(post.reveal_due_at)
    await service.daily.reveal_due()
    await react(service, post, "U100", shown, delivery="after")  # revealed: the question is not edited again
    await asyncio.sleep(0.5)
    assert len(notifier.updates) == 2
    assert service.answered_counts.every > 0 and not service.answered_counts._pending


async def test_the_daily_weighting_reads_the_teams_last_90_days_on_the_syllabus(
    service: QuizService, store: MemoryStore, clock: ManualClock
) -> None:
    channel_id = await subscribe(service)
    ch = await store.channel_by_id(channel_id)
    clock.set(MONDAY_9_BERLIN)
    assert ch.team_id is not None and await service.weakspots.team_stats(ch) is None  # nothing answered yet
    ws = await store.ensure_workspace("slack", "T1")
    person = await store.ensure_person(ws, "U1")
    objective = service.syllabus.objectives()[0].id

    async def answer(qid: str, obj: str, correct: bool, at: dt.datetime) -> None:
        drill = await store.create_drill(ws, person, "topic:1", [(qid, (0, 1, 2, 3))], at, at + dt.timedelta(hours=2))
        info = await store.get_drill(drill)
        assert info is not None
        values = {
            "workspace_id": ws,
            "person_id": person,
            "team_id": ch.team_id,
            "channel_id": None,
            "question_id": qid,
            "objective_id": obj,
            "subtopic_id": obj.rsplit(".", 1)[0],
            "topic_id": obj.split(".")[0],
            "source": "drill",
            "post_id": None,
            "drill_id": drill,
            "drill_seq": 0,
            "option": 0,
            "correct": correct,
            "answered_at": at,
        }
        assert await store.answer_drill(info, 0, values, True)

    # only a retired objective answered: there are figures, so the weighted choice applies as before
    await answer("retired-1", "9.9.9", False, MONDAY_9_BERLIN - dt.timedelta(days=1))
    assert await service.weakspots.team_stats(ch) == {"9.9.9": (0, 1)}
    await answer("q-old", objective, True, MONDAY_9_BERLIN - dt.timedelta(days=91))  # outside the window
    await answer("q-new", objective, False, MONDAY_9_BERLIN - dt.timedelta(days=2))
    # the syllabus's figures; the retired objective's are left out (the choice never reads them)
    assert await service.weakspots.team_stats(ch) == {objective: (0, 1)}
    # the window is whole UTC days: the day it starts on counts from its midnight, the day before does not
    start_day = (MONDAY_9_BERLIN - dt.timedelta(days=90)).astimezone(dt.UTC).replace(hour=0, minute=0)
    await answer("q-first-day", objective, True, start_day + dt.timedelta(minutes=1))
    await answer("q-day-before", objective, True, start_day - dt.timedelta(minutes=1))
    assert await service.weakspots.team_stats(ch) == {objective: (1, 2)}
