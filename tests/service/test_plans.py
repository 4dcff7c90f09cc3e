"""The study plan through the real service on MemoryStore: reminders by DM at the person's local time,
restarts, daylight saving, pauses, the daily cap, refused DMs, the reminder's button, the exam date."""

from __future__ import annotations

import datetime as dt

from bot.core.clock import ManualClock
from bot.core.messages import Reply
from bot.core.review import next_card
from bot.service import QuizService
from content.loader import Bank
from tests.conftest import RecordingNotifier, member
from tests.fakes.memory_store import MemoryStore

TOKYO_8AM = dt.datetime(2026, 12, 3, 23, 0, tzinfo=dt.UTC)  # 08:00 on Friday 2026-12-04 in Tokyo


async def person(service: QuizService, user: str = "U1") -> int:
    ws = await service.store.ensure_workspace("slack", "T1")
    return await service.store.ensure_person(ws, user, user.lower())


async def seed_due(service: QuizService, pid: int, n: int, at: dt.datetime, start: int = 0) -> list[str]:
    """``n`` review states that fell due well before ``at`` (answered wrong a month earlier)."""
    ids = [q.id for q in service.questions[start : start + n]]
    for qid in ids:
        card, due = next_card(None, False, at - dt.timedelta(days=30))
        await service.store.save_review(pid, qid, card, due, (at - dt.timedelta(days=30)).date())
    return ids


async def plan(service: QuizService, text: str, user: str = "U1") -> Reply:
    [reply] = await service.handle_command(member(user), "/plan", text)
    return reply


def texts(notifier: RecordingNotifier) -> list[str]:
    return [m.text for _to, m in notifier.directs if isinstance(m, Reply)]


async def test_a_reminder_comes_at_the_persons_local_time_once_a_day_across_a_restart(
    service: QuizService, store: MemoryStore, notifier: RecordingNotifier, clock: ManualClock, bank: Bank
) -> None:
    clock.set(TOKYO_8AM - dt.timedelta(hours=10))
    pid = await person(service)
    reply = await plan(service, "remind 08:00 Asia/Tokyo")
    assert "a direct message at 08:00 Asia/Tokyo on days when reviews are due" in reply.text
    assert "Next check: Fri 2026-12-04 08:00 Asia/Tokyo" in reply.text
    await seed_due(service, pid, 3, TOKYO_8AM)
    clock.set(TOKYO_8AM - dt.timedelta(minutes=1))
    assert await service.plans.messages.send_due() == 0 and notifier.directs == []
    clock.set(TOKYO_8AM)
    assert await service.plans.messages.send_due() == 1
    [(to, msg)] = notifier.directs
    assert (to.platform, to.workspace, to.channel) == ("slack", "T1", "U1")
    assert isinstance(msg, Reply) and msg.text.startswith("📚 3 review(s) due today.")
    assert [(b.label, b.value) for b in msg.buttons] == [("Start my reviews", "review:T1")]
    clock.advance(minutes=1)
    assert await service.plans.messages.send_due() == 0
    restarted = QuizService(store, bank.syllabus, bank.questions, notifier, clock, charts=None)  # same database
    assert await restarted.plans.messages.send_due() == 0
    clock.advance(days=1)
    assert await restarted.plans.messages.send_due() == 1 and len(notifier.directs) == 2


async def test_no_message_when_nothing_is_due(
    service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    clock.set(TOKYO_8AM - dt.timedelta(hours=1))
    await person(service)
    await plan(service, "remind 08:00 Asia/Tokyo")
    clock.set(TOKYO_8AM + dt.timedelta(minutes=5))
    assert await service.plans.messages.send_due() == 0 and notifier.dm_attempts == 0


async def test_daylight_saving_days_get_one_reminder(
    service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    clock.set(dt.datetime(2026, 10, 24, 12, 0, tzinfo=dt.UTC))
    pid = await person(service)
    await plan(service, "remind 02:30 Europe/Berlin")
    await seed_due(service, pid, 2, dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
    sent = 0
    for minutes in range(0, 4 * 60, 15):  # 02:00 CEST .. 05:00 CET on the night 02:30 happens twice
        clock.set(dt.datetime(2026, 10, 25, 0, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=minutes))
        sent += await service.plans.messages.send_due()
    assert sent == 1
    notifier.directs.clear()
    await plan(service, "remind 02:30 Europe/Berlin")
    for minutes in range(0, 3 * 60, 15):  # spring forward: 02:30 does not exist, it comes at 03:30 CEST
        clock.set(dt.datetime(2027, 3, 28, 0, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=minutes))
        if await service.plans.messages.send_due():
            assert clock.now() == dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.UTC)
    assert len(notifier.directs) == 1


async def test_a_pause_holds_reminders_moves_reviews_and_resume_moves_them_back(
    service: QuizService, store: MemoryStore, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    clock.set(dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC))
    pid = await person(service)
    await plan(service, "remind 08:00 UTC")
    await seed_due(service, pid, 4, clock.now())
    before = {q: due for q, _c, due in await store.person_cards(pid)}
    reply = await plan(service, "pause 3d")
    assert (
        "Paused for 3 day(s), through Sat 2026-12-05" in reply.text
        and "4 scheduled review(s) move 3 day(s) later" in reply.text
    )
    after = {q: due for q, _c, due in await store.person_cards(pid)}
    assert all(after[q] - before[q] == dt.timedelta(days=3) for q in before)
    for day in range(3):
        clock.set(dt.datetime(2026, 12, 3 + day, 9, 0, tzinfo=dt.UTC))
        assert await service.plans.messages.send_due() == 0
    assert "already on a pause" in (await plan(service, "pause 5d")).text
    assert "Pause      until Sat 2026-12-05" in _table(await plan(service, ""))
    clock.set(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC))
    back = await plan(service, "resume")
    assert "the pause ended today, 2 day(s) early; 4 review(s) moved back" in back.text
    restored = {q: due for q, _c, due in await store.person_cards(pid)}
    assert all(restored[q] - before[q] == dt.timedelta(days=1) for q in before)  # one paused day was used
    assert await service.plans.messages.send_due() == 1  # 10:00, after 08:00, on a day no longer paused
    assert "not on a pause" in (await plan(service, "resume")).text


def _table(reply: Reply) -> str:
    return "\n".join(f"{a:<10} {b}" for a, b in reply.tables[0].rows)


async def test_the_daily_cap_limits_reminders_and_drills(
    service: QuizService, store: MemoryStore, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    clock.set(dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC))
    pid = await person(service)
    due_ids = set(await seed_due(service, pid, 5, clock.now()))
    assert "at most 2 reviews a day" in (await plan(service, "cap 2")).text
    await plan(service, "remind 08:00 UTC")
    clock.set(dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC))
    await service.plans.messages.send_due()
    assert texts(notifier)[0].startswith("📚 2 review(s) due today (of 5 due; your daily cap is 2).")
    start = (await service.handle_command(member("U1"), "/drill", "due 5"))[0]
    assert start.card is not None
    drill = await store.get_drill(start.card.drill_id)
    assert drill is not None and len({q for q, _o in drill.questions} & due_ids) == 2
    for seq in range(2):  # answer the two reviews: the cap for today is used up
        await service.press_button(member("U1"), f"drill:{drill.id}:{seq}:A")
    assert "0 left today" in _table(await plan(service, ""))
    again = (await service.handle_command(member("U1"), "/drill", "due 5"))[0]
    assert again.card is not None
    later = await store.get_drill(again.card.drill_id)
    assert later is not None and not (
        {q for q, _o in later.questions} & (due_ids - {q for q, _o in drill.questions[:2]})
    )


async def test_a_refused_dm_is_noticed_once_and_not_retried_until_set_again(
    service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    clock.set(dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC))
    pid = await person(service)
    await seed_due(service, pid, 2, clock.now())
    await plan(service, "remind 08:00 UTC")
    notifier.refuse_dm.add("U1")
    for day in range(3):
        clock.set(dt.datetime(2026, 12, 3 + day, 9, 0, tzinfo=dt.UTC))
        assert await service.plans.messages.send_due() == 0
    assert notifier.dm_attempts == 1
    shown = _table(await plan(service, ""))
    assert "stopped: StudyBot could not send you a direct message on 2026-12-03" in shown
    notifier.refuse_dm.clear()
    reply = await plan(service, "remind 08:00 UTC")  # setting it again tries again, from tomorrow (it is 09:00)
    assert "Next check: Sun 2026-12-06 08:00 UTC" in reply.text
    assert await service.plans.messages.send_due() == 0
    clock.set(dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.UTC))
    assert await service.plans.messages.send_due() == 1 and notifier.dm_attempts == 2


async def test_the_reminder_button_starts_the_review_drill_in_the_dm(service: QuizService, clock: ManualClock) -> None:
    clock.set(dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC))
    pid = await person(service)
    due_ids = await seed_due(service, pid, 2, clock.now())
    replies = await service.press_button(member("U1", channel="D0001"), "review:T1")
    assert replies[0].text.startswith("Drill: 5 question(s) · reviews due, then your weak areas.")
    card = replies[0].card
    assert card is not None and service.by_id[due_ids[0]].stem in {card.stem, service.by_id[due_ids[1]].stem}
    other = await service.press_button(member("U1", workspace="T9"), "review:T1")
    assert "another workspace" in other[0].text


async def test_an_exam_date_gives_the_pace_and_the_projection(service: QuizService, clock: ManualClock) -> None:
    clock.set(dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC))
    pid = await person(service)
    await seed_due(service, pid, 3, clock.now())
    reply = await plan(service, "exam 2027-02-15")
    text = reply.text
    assert text.startswith("Exam date set: Mon 2027-02-15.\nExam on Mon 2027-02-15: 74 day(s) from today.")
    assert "Readiness today 25%." in text and "Stopping now: 25%." in text
    assert "105 not practised yet, about 2 a day" in text
    assert "Work on first: Topic 1" in text and "not a pass prediction" in text
    assert [r[0] for r in reply.tables[0].rows] == [f"Topic {t}" for t in "12345"]
    alias = (await service.handle_command(member("U1"), "/stats", "exam"))[0]
    assert alias.text.startswith("Exam on Mon 2027-02-15")
    bad = (await service.handle_command(member("U1"), "/plan", "exam 2026-11-01"))[0]
    assert "not in the future" in bad.text and "Usage: /plan" in bad.text
    assert "Exam date  Mon 2027-02-15 (74 days)" in _table(await plan(service, ""))


async def test_the_weekly_summary_comes_on_monday_with_progress_against_the_plan(
    service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    clock.set(dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC))  # a Wednesday
    await person(service)
    start = (await service.handle_command(member("U1"), "/drill", "topic2 1"))[0]
    assert start.card is not None
    await service.press_button(member("U1"), f"drill:{start.card.drill_id}:0:A")
    assert "Weekly summary on" in (await plan(service, "weekly on")).text
    await plan(service, "exam 2027-02-15")
    clock.set(dt.datetime(2026, 11, 30, 8, 59, tzinfo=dt.UTC))
    assert await service.plans.messages.send_due() == 0
    clock.set(dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC))
    assert await service.plans.messages.send_due() == 1
    [summary] = texts(notifier)
    assert summary.startswith("Last week (Mon 23 Nov to Sun 29 Nov): 1 answer(s), ")
    assert "1 new objective(s) practised." in summary and "1 of 21 new objectives this week" in summary
    clock.advance(days=1)
    assert await service.plans.messages.send_due() == 0


async def test_forget_me_removes_the_plan(service: QuizService, store: MemoryStore, clock: ManualClock) -> None:
    pid = await person(service)
    await plan(service, "remind 08:00 UTC")
    await plan(service, "pause 3d")
    await service.handle_command(member("U1"), "/studybot", "forget-me confirm")
    assert await store.get_plan(pid) is None and await store.pauses_of([pid]) == {}
    assert await store.messaged_plans() == []


async def test_many_reminders_due_at_once_are_all_sent_a_few_at_a_time(
    service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    import asyncio

    from bot.reminders import SEND_CONCURRENCY

    clock.set(dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC))
    for i in range(60):
        pid = await person(service, f"U{i}")
        await seed_due(service, pid, 1, clock.now(), start=i)
        await plan(service, "remind 08:00 UTC", user=f"U{i}")
    inflight, most = 0, 0
    original = notifier.direct

    async def slow_direct(to: object, message: object) -> str:
        nonlocal inflight, most
        inflight += 1
        most = max(most, inflight)
        await asyncio.sleep(0.005)  # a platform answering in 5 ms
        inflight -= 1
        return await original(to, message)  # type: ignore[arg-type]

    notifier.direct = slow_direct  # type: ignore[method-assign]
    clock.set(dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC))
    assert await service.plans.messages.send_due() == 60
    assert len({to.channel for to, _m in notifier.directs}) == 60 and most == SEND_CONCURRENCY


async def test_admins_see_how_many_get_reminders_and_nothing_more(service: QuizService, clock: ManualClock) -> None:
    from tests.conftest import admin
    from tests.service.conftest import subscribe

    clock.set(dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC))
    await subscribe(service)
    for user in ("U1", "U2"):
        await plan(service, "remind 08:00 UTC", user=user)
    await plan(service, "exam 2027-02-15", user="U3")
    [settings] = await service.handle_command(admin(), "/studybot", "settings")
    assert "study plans 2 people here get review reminders (counts only; plans are personal)" in settings.text
    assert "U1" not in settings.text and "2027-02-15" not in settings.text
