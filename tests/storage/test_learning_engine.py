"""The learning engine through the service on real databases (issue #4), with an injected clock."""

from __future__ import annotations

import datetime as dt

from bot.core.clock import ManualClock
from bot.core.messages import QuestionPost, Reply, RevealPost
from bot.service import Invocation, QuizService
from tests.conftest import RecordingNotifier, admin, member

MONDAY_9_BERLIN = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


async def rows(service: QuizService, table: str) -> int:
    return await service.store.count_rows(table)  # type: ignore[attr-defined, no-any-return]


async def setup_channel(service: QuizService, channel: str = "C1", workspace: str = "T1") -> int:
    await service.handle_command(admin(channel, workspace=workspace), "/studybot", "subscribe 09:00 Europe/Berlin")
    ws = await service.store.ensure_workspace("slack", workspace)
    ch = await service.store.get_channel(ws, channel)
    assert ch is not None
    return ch.id


def right_letter(service: QuizService, reply: Reply) -> str:
    card = reply.card
    assert card is not None
    q = next(x for x in service.questions if x.stem == card.stem)
    return next(o.letter for o in card.options if o.text == q.options[q.answer_index])


async def test_drill_flow_buttons_repeats_and_summary(any_service: QuizService, clock: ManualClock) -> None:
    alice = member("UALICE")
    first = await any_service.handle_command(alice, "/drill", "topic3 2")
    card = first[0].card
    assert card is not None and card.total == 2 and card.objective_id.startswith("3.")
    good = right_letter(any_service, first[0])
    replies = await any_service.press_button(alice, f"drill:{card.drill_id}:0:{good}")
    assert replies[0].text.startswith("✅ Right!") and replies[1].card is not None
    # pressing the same button again changes nothing
    again = await any_service.press_button(alice, f"drill:{card.drill_id}:0:{good}")
    assert "already answered" in again[0].text
    assert await rows(any_service, "answer") == 1
    # someone else cannot press it
    other = await any_service.press_button(member("UBOB"), f"drill:{card.drill_id}:1:A")
    assert "not yours" in other[0].text
    card2 = replies[1].card
    assert card2 is not None
    wrong = next(x for x in "ABCD" if x != right_letter(any_service, replies[1]))
    last = await any_service.press_button(alice, f"drill:{card.drill_id}:1:{wrong}")
    assert last[0].text.startswith("❌ Not quite") and "Why" in last[0].text
    assert last[1].text.startswith("Drill done: 1/2 right") and last[1].tables
    over = await any_service.press_button(alice, f"drill:{card.drill_id}:2:A")
    assert "over" in over[0].text or "already" in over[0].text
    assert await rows(any_service, "answer") == 2
    # the missed question is offered by /drill missed
    missed = await any_service.handle_command(alice, "/drill", "missed")
    assert missed[0].card is not None and missed[0].card.stem == card2.stem


async def test_bad_drill_arguments_write_nothing(any_service: QuizService) -> None:
    for text in ["topic9", "3.9", "banana", "x" * 2000, "topic3 extra", "'; DROP TABLE answer; --"]:
        replies = await any_service.handle_command(member("UALICE"), "/drill", text)
        assert len(replies) == 1 and replies[0].private and "Usage: /drill" in replies[0].text
    assert await rows(any_service, "person") == 0


async def test_abandoned_drill_expires(any_service: QuizService, clock: ManualClock) -> None:
    alice = member("UALICE")
    card = (await any_service.handle_command(alice, "/drill", "2.1"))[0].card
    assert card is not None
    clock.advance(hours=3)
    replies = await any_service.press_button(alice, f"drill:{card.drill_id}:0:A")
    assert "expired" in replies[0].text
    assert await rows(any_service, "answer") == 0


async def test_daily_and_drill_share_one_review_per_day(any_service: QuizService, clock: ManualClock) -> None:
    channel_id = await setup_channel(any_service)
    clock.set(MONDAY_9_BERLIN)
    post = await any_service.daily.post_daily(channel_id)
    assert post is not None and post.message_ref
    q = any_service.by_id[post.question_id]
    shown = post.option_order.index(q.answer_index)
    await any_service.record_reaction(
        platform="slack",
        workspace="T1",
        channel="C1",
        message_ref=post.message_ref,
        user="UALICE",
        reaction=["one", "two", "three", "four"][shown],
        added=True,
        delivery_id="E1",
    )
    clock.set(post.reveal_due_at)
    await any_service.daily.reveal_due()
    ws = await any_service.store.ensure_workspace("slack", "T1")
    alice = await any_service.store.find_person(ws, "UALICE")
    assert alice is not None
    card1, day1 = await any_service.store.review_state(alice, q.id)
    assert card1 is not None and day1 == dt.date(2026, 3, 2)
    # same day: a drill on the same objective answered wrong does not touch the card
    drill = (await any_service.handle_command(member("UALICE"), "/drill", q.objective_id))[0].card
    assert drill is not None
    if drill.stem == q.stem:
        wrong = next(o.letter for o in drill.options if o.text != q.options[q.answer_index])
        await any_service.press_button(member("UALICE"), f"drill:{drill.drill_id}:0:{wrong}")
        assert (await any_service.store.review_state(alice, q.id))[0] == card1


async def test_leaderboard_points_once_per_question_per_week(any_service: QuizService, clock: ManualClock) -> None:
    await setup_channel(any_service)
    clock.set(MONDAY_9_BERLIN)
    alice = member("UALICE")

    async def drill_right(scope: str) -> str:
        r = (await any_service.handle_command(alice, "/drill", f"{scope} 1"))[0]
        assert r.card is not None
        await any_service.press_button(alice, f"drill:{r.card.drill_id}:0:{right_letter(any_service, r)}")
        return r.card.stem

    # alice must belong to the channel's team to appear: lead adds her
    added = await any_service.handle_command(admin(), "/studybot", "team add #c1 UALICE")
    assert "added to team #c1" in added[0].text, added
    stem1 = await drill_right("1.1.1")
    clock.advance(days=1)
    stem2 = await drill_right("1.1.1")
    board = (await any_service.handle_command(alice, "/leaderboard", ""))[0]
    members = board.tables[0].rows
    points = {r[1]: r[2] for r in members}
    expected = "1" if stem1 == stem2 else "2"  # the same question twice in one week scores once
    assert points == {"ualice": expected}
    # next week: this week is empty, last week still has the points
    clock.advance(days=7)
    quiet = (await any_service.handle_command(alice, "/leaderboard", "this"))[0]
    assert not quiet.tables and quiet.text.endswith(": no answers in that week.")  # one line, no empty tables
    last = (await any_service.handle_command(alice, "/leaderboard", "last topic1"))[0]
    assert {r[1]: r[2] for r in last.tables[0].rows} == {"ualice": expected}
    by_date = (await any_service.handle_command(alice, "/leaderboard", "2026-03-04"))[0]
    assert {r[1]: r[2] for r in by_date.tables[0].rows} == {"ualice": expected} and "2026-03-02" in by_date.title
    bad = await any_service.handle_command(alice, "/leaderboard", "yesterday")
    assert "Usage: /leaderboard" in bad[0].text


async def test_weakspots_only_for_leads_and_admins(any_service: QuizService) -> None:
    await setup_channel(any_service)
    refused = await any_service.handle_command(member("UBOB"), "/weakspots", "")
    assert "leads and admins only" in refused[0].text and refused[0].private
    await any_service.handle_command(admin(), "/studybot", "team lead #c1 UBOB")
    allowed = await any_service.handle_command(member("UBOB"), "/weakspots", "")
    assert allowed[0].private and allowed[0].text.startswith("Weak spots · #c1: no answers yet")
    r = (await any_service.handle_command(member("UBOB"), "/drill", "1.1.1 1"))[0]
    assert r.card is not None
    await any_service.press_button(member("UBOB"), f"drill:{r.card.drill_id}:0:A")
    assert (await any_service.handle_command(admin(), "/weakspots", "#c1"))[0].tables
    assert "no team" in (await any_service.handle_command(admin(), "/weakspots", "nope"))[0].text


async def test_non_admins_cannot_run_admin_commands(any_service: QuizService) -> None:
    await setup_channel(any_service)
    for text in ["post-now", "reveal-now", "focus topic3", "team create x", "unsubscribe", "settings time 10:00"]:
        replies = await any_service.handle_command(member("UEVE"), "/studybot", text)
        assert "Only workspace admins" in replies[0].text, text
    ws = await any_service.store.ensure_workspace("slack", "T1")
    assert [e["action"] for e in await any_service.store.audit_entries(ws)] == ["subscribe"]  # type: ignore[attr-defined]


async def test_focus_topic_drives_selection_and_reveal_reason(
    any_service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    channel_id = await setup_channel(any_service)
    replies = await any_service.handle_command(admin(), "/studybot", "focus topic2 2")
    assert "Topic 2" in replies[0].text and not replies[0].private
    clock.set(MONDAY_9_BERLIN)
    for _ in range(3):
        post = await any_service.daily.post_daily(channel_id)
        assert post is not None and post.objective_id.startswith("2.") and post.reason == "focus"
        clock.set(post.reveal_due_at)
        await any_service.daily.reveal_due()
        clock.advance(hours=16)
    reveal = notifier.of_type(RevealPost)[0]
    assert isinstance(reveal, RevealPost) and "focus" in reveal.reason
    await any_service.handle_command(admin(), "/studybot", "focus off")
    clock.advance(days=1)
    assert len(notifier.of_type(QuestionPost)) == 3


async def test_forget_me_needs_confirmation_then_deletes(any_service: QuizService, clock: ManualClock) -> None:
    alice = member("UALICE")
    r = (await any_service.handle_command(alice, "/drill", "topic2 1"))[0]
    assert r.card is not None
    await any_service.press_button(alice, f"drill:{r.card.drill_id}:0:A")
    ask = await any_service.handle_command(alice, "/studybot", "forget-me")
    assert "forget-me confirm" in ask[0].text and await rows(any_service, "answer") == 1
    done = await any_service.handle_command(alice, "/studybot", "forget-me confirm")
    assert "deleted" in done[0].text
    assert await rows(any_service, "answer") == 0 and await rows(any_service, "person") == 0


async def test_two_workspaces_never_mix(any_service: QuizService, clock: ManualClock) -> None:
    await setup_channel(any_service, "C1", "T1")
    await setup_channel(any_service, "C9", "T2")
    clock.set(MONDAY_9_BERLIN)
    for ws_id, user, ch in (("T1", "UA", "C1"), ("T2", "UB", "C9")):
        inv = Invocation("slack", ws_id, ch, user, user.lower(), False, ch.lower(), ws_id)
        await any_service.handle_command(admin(ch, workspace=ws_id), "/studybot", f"team add #{ch.lower()} {user}")
        r = (await any_service.handle_command(inv, "/drill", "1 1"))[0]
        assert r.card is not None
        await any_service.press_button(inv, f"drill:{r.card.drill_id}:0:{right_letter(any_service, r)}")
    b1 = (await any_service.handle_command(Invocation("slack", "T1", "C1", "UA", "ua"), "/leaderboard", ""))[0]
    b2 = (await any_service.handle_command(Invocation("slack", "T2", "C9", "UB", "ub"), "/leaderboard", ""))[0]
    assert [r[1] for r in b1.tables[0].rows] == ["ua"] and [r[1] for r in b2.tables[0].rows] == ["ub"]
    assert all("#c9" not in row for row in b1.tables[2].rows)
    # a drill button from one workspace cannot be pressed from the other
    r = (await any_service.handle_command(Invocation("slack", "T1", "C1", "UA", "ua"), "/drill", "2 1"))[0]
    assert r.card is not None
    cross = await any_service.press_button(Invocation("slack", "T2", "C9", "UA", "ua"), f"drill:{r.card.drill_id}:0:A")
    assert "not yours" in cross[0].text


async def test_weekly_board_posted_once(
    any_service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    channel_id = await setup_channel(any_service)
    clock.set(dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC))  # Monday 08:00 Berlin: last week was quiet
    assert await any_service.boards.post_weekly(channel_id) is False
    assert not [m for _c, m, _r in notifier.sent if isinstance(m, Reply)]  # a quiet week posts nothing
    alice = member("UALICE")
    r = (await any_service.handle_command(alice, "/drill", "1.1.1 1"))[0]  # drilling in the channel joins its team
    assert r.card is not None
    await any_service.press_button(alice, f"drill:{r.card.drill_id}:0:{right_letter(any_service, r)}")
    clock.set(dt.datetime(2026, 3, 9, 7, 0, tzinfo=dt.UTC))  # the next Monday
    assert await any_service.boards.post_weekly(channel_id) is True
    assert await any_service.boards.post_weekly(channel_id) is False
    boards = [m for _c, m, _r in notifier.sent if isinstance(m, Reply)]
    assert len(boards) == 1 and "last week" in boards[0].title and not boards[0].private


async def test_stats_reply(any_service: QuizService) -> None:
    alice = member("UALICE")
    r = (await any_service.handle_command(alice, "/drill", "5.1.1 1"))[0]
    assert r.card is not None
    await any_service.press_button(alice, f"drill:{r.card.drill_id}:0:{right_letter(any_service, r)}")
    stats = (await any_service.handle_command(alice, "/stats", ""))[0]
    assert stats.private and "exam readiness" in stats.text and "FSRS" in stats.text
    topic5 = next(row for row in stats.tables[0].rows if row[0] == "5")
    assert topic5[2] == "1/1" and topic5[3] == "100%"
    assert "Usage: /stats" in (await any_service.handle_command(alice, "/stats", "now"))[0].text


async def test_long_streaks_are_counted_in_full(any_service: QuizService, clock: ManualClock) -> None:
    from storage.tables import Answer

    ws = await any_service.store.ensure_workspace("slack", "T1")
    person = await any_service.store.ensure_person(ws, "UALICE", "alice")
    clock.set(dt.datetime(2026, 3, 30, 12, 0, tzinfo=dt.UTC))
    rows = [
        {
            "workspace_id": ws,
            "person_id": person,
            "question_id": "mlpro-1.1.1-001",
            "objective_id": "1.1.1",
            "subtopic_id": "1.1",
            "topic_id": "1",
            "source": "daily",
            "option": 0,
            "correct": True,
            "answered_at": clock.now() - dt.timedelta(days=d),
        }
        for d in range(40)  # forty consecutive days, today included
    ]
    async with any_service.store.engine.begin() as conn:  # type: ignore[attr-defined]
        await conn.execute(Answer.__table__.insert(), rows)  # type: ignore[attr-defined]
    stats = (await any_service.handle_command(member("UALICE"), "/stats", ""))[0]
    assert "Daily streak: 40 day(s)" in stats.text
