"""Drills, /leaderboard, /weakspots, /stats, teams and forget-me through the real service on MemoryStore (no database)."""

from __future__ import annotations

import datetime as dt

from bot.core.boards import Leaderboard
from bot.core.clock import ManualClock
from bot.core.messages import Reply
from bot.core.present import tables
from bot.core.progress import StatsCard
from bot.core.weakspots import WeakSpotReport
from bot.service import QuizService
from tests.conftest import RecordingNotifier, admin, member
from tests.fakes.memory_store import MemoryStore
from tests.service.conftest import post_today, react, right_letter, shown_key, subscribe


async def drill_once(service: QuizService, user: str, scope: str, *, right: bool = True) -> Reply:
    """A one-question drill answered right (or wrong); returns the question's card reply."""
    inv = member(user)
    start = (await service.handle_command(inv, "/drill", f"{scope} 1"))[0]
    assert start.card is not None, start
    good = right_letter(service, start)
    letter = good if right else next(x for x in "ABCD" if x != good)
    replies = await service.press_button(inv, f"drill:{start.card.drill_id}:0:{letter}")
    assert replies[-1].text.startswith(f"Drill done: {int(right)}/1 right"), replies
    return start


async def test_drill_buttons_repeats_summary_and_missed(service: QuizService, store: MemoryStore) -> None:
    alice = member("UALICE")
    first = (await service.handle_command(alice, "/drill", "topic3 2"))[0]
    card = first.card
    assert card is not None and card.total == 2 and card.objective_id.startswith("3.")
    replies = await service.press_button(alice, f"drill:{card.drill_id}:0:{right_letter(service, first)}")
    assert replies[0].text.startswith("✅ Right!") and replies[1].card is not None
    again = await service.press_button(alice, f"drill:{card.drill_id}:0:A")
    assert "already answered" in again[0].text
    assert "not yours" in (await service.press_button(member("UBOB"), f"drill:{card.drill_id}:1:A"))[0].text
    card2 = replies[1].card
    wrong = next(x for x in "ABCD" if x != right_letter(service, replies[1]))
    last = await service.press_button(alice, f"drill:{card.drill_id}:1:{wrong}")
    assert last[0].text.startswith("❌ Not quite") and last[1].text.startswith("Drill done: 1/2 right")
    assert "comes back for review" in last[1].text  # the FSRS cards were saved
    assert await store.count_rows("answer") == 2
    missed = (await service.handle_command(alice, "/drill", "missed"))[0]
    assert missed.card is not None and missed.card.stem == card2.stem
    # a new drill ends the one in progress
    newer = await service.handle_command(alice, "/drill", "topic1 1")
    assert "has ended" in newer[0].text
    assert "replaced" in (await service.press_button(alice, f"drill:{missed.card.drill_id}:0:A"))[0].text


async def test_an_abandoned_drill_expires(service: QuizService, store: MemoryStore, clock: ManualClock) -> None:
    card = (await service.handle_command(member("UALICE"), "/drill", "2.1"))[0].card
    assert card is not None
    clock.advance(hours=3)
    assert "expired" in (await service.press_button(member("UALICE"), f"drill:{card.drill_id}:0:A"))[0].text
    assert await store.count_rows("answer") == 0


async def test_leaderboard_counts_first_attempts_of_the_channels_team(service: QuizService, clock: ManualClock) -> None:
    post = await post_today(service, clock)
    clock.advance(minutes=1)
    await react(service, post, "UALICE", shown_key(service, post), delivery="E1", name="alice")
    await react(service, post, "UBOB", (shown_key(service, post) + 1) % 4, delivery="E2", name="bob")
    clock.set(post.reveal_due_at)
    await service.daily.reveal_due()
    await drill_once(service, "UBOB", "1.1.1")  # drilling in the channel counts for its team too
    board = (await service.handle_command(member("UALICE"), "/leaderboard", ""))[0]
    assert board.private and "#c1" in board.title and "this week" in board.title
    points = {row[1]: row[2] for row in board.tables[0].rows}
    assert points == {"ualice": "1", "ubob": "1"}  # a command renames a person to the invocation's user name
    clock.advance(days=7)
    assert (await service.handle_command(member("UALICE"), "/leaderboard", "this"))[0].text.endswith(
        "no answers in that week."
    )
    last = (await service.handle_command(member("UALICE"), "/leaderboard", "last"))[0]
    assert {row[1]: row[2] for row in last.tables[0].rows} == points


async def test_weekly_board_is_posted_once(
    service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    channel_id = await subscribe(service)
    assert await service.boards.post_weekly(channel_id) is False  # last week was quiet
    await drill_once(service, "UALICE", "1.1.1")
    clock.set(dt.datetime(2026, 3, 9, 7, 0, tzinfo=dt.UTC))  # the next Monday
    assert await service.boards.post_weekly(channel_id) is True
    assert await service.boards.post_weekly(channel_id) is False
    boards = [m for _c, m, _r in notifier.sent if isinstance(m, Reply)]
    assert len(boards) == 1 and "last week" in boards[0].title and not boards[0].private


async def test_stats_show_topics_streak_and_reviews(service: QuizService, clock: ManualClock) -> None:
    post = await post_today(service, clock)
    clock.advance(minutes=1)
    await react(service, post, "UALICE", shown_key(service, post), delivery="E1")
    clock.set(post.reveal_due_at)
    await service.daily.reveal_due()
    await drill_once(service, "UALICE", "5.1.1", right=False)
    stats = (await service.handle_command(member("UALICE"), "/stats", ""))[0]
    assert stats.private and stats.text.startswith("Daily streak: 1 day(s)") and "exam readiness" in stats.text
    rows = {row[0]: row for row in stats.tables[0].rows}
    topic = post.objective_id.split(".")[0]
    assert rows["5"][2] == ("1/2" if topic == "5" else "0/1")
    assert sum(int(r[2].split("/")[1]) for r in rows.values()) == 2
    assert "Usage: /stats" in (await service.handle_command(member("UALICE"), "/stats", "now"))[0].text


async def test_team_commands_create_add_lead_move_remove_delete(service: QuizService, store: MemoryStore) -> None:
    await subscribe(service)
    run = service.handle_command
    assert "created" in (await run(admin(), "/studybot", "team create Data Science"))[0].text
    assert "already exists" in (await run(admin(), "/studybot", "team create data science"))[0].text
    assert "added to team Data Science" in (await run(admin(), "/studybot", "team add Data Science UALICE"))[0].text
    assert "already in team" in (await run(admin(), "/studybot", "team add Data Science UALICE"))[0].text
    moved = (await run(admin(), "/studybot", "team lead #c1 UALICE"))[0].text
    assert "now a lead of team #c1" in moved and "moved from team Data Science" in moved
    listing = (await run(admin(), "/studybot", "team list"))[0]
    assert listing.tables[0].rows == (
        ("#c1", "Europe/Berlin", "UALICE", "1"),
        ("Data Science", "Europe/Berlin", "–", "0"),
    )
    # a lead sees the team's weak spots; others do not
    assert (await run(member("UALICE"), "/weakspots", ""))[0].text.startswith("Weak spots · #c1: no answers yet")
    assert "leads and admins only" in (await run(member("UBOB"), "/weakspots", ""))[0].text
    refused = (await run(admin(), "/studybot", "team delete #c1"))[0].text
    assert "cannot be deleted" in refused
    assert "removed from team #c1" in (await run(admin(), "/studybot", "team remove #c1 UALICE"))[0].text
    assert "knows nobody" in (await run(admin(), "/studybot", "team remove #c1 UNOBODY"))[0].text
    assert "deleted" in (await run(admin(), "/studybot", "team delete Data Science"))[0].text
    ws = await store.ensure_workspace("slack", "T1")
    assert [t["name"] for t in await store.teams(ws)] == ["#c1"]
    assert "Only workspace admins" in (await run(member("UEVE"), "/studybot", "team create x"))[0].text


async def test_forget_me_needs_confirmation_then_deletes_everything(
    service: QuizService, store: MemoryStore, clock: ManualClock
) -> None:
    post = await post_today(service, clock)
    clock.advance(minutes=1)
    await react(service, post, "UALICE", shown_key(service, post), delivery="E1", name="alice")
    await react(service, post, "UBOB", shown_key(service, post), delivery="E2", name="bob")
    clock.set(post.reveal_due_at)
    await service.daily.reveal_due()
    await drill_once(service, "UALICE", "2.1.1")
    await service.handle_command(admin(user="UALICE"), "/studybot", "focus topic2")  # an audit entry by alice
    ask = await service.handle_command(member("UALICE"), "/studybot", "forget-me")
    assert "forget-me confirm" in ask[0].text and await store.count_rows("answer") == 3
    done = await service.handle_command(member("UALICE"), "/studybot", "forget-me confirm")
    assert "deleted" in done[0].text
    ws = await store.ensure_workspace("slack", "T1")
    assert await store.find_person(ws, "UALICE") is None
    assert await store.count_rows("answer") == 1 and await store.count_rows("reaction_event") == 1
    actors = [(e["actor"], e["action"]) for e in await store.audit_entries(ws)]
    assert ("slack:UALICE", "focus") not in actors and ("forgotten", "focus") in actors and actors[-1][1] == "forget-me"
    board = (await service.handle_command(member("UBOB"), "/leaderboard", ""))[0]
    assert [row[1] for row in board.tables[0].rows] == ["ubob"]
    assert (
        "stores nothing" in (await service.handle_command(member("UALICE"), "/studybot", "forget-me confirm"))[0].text
    )


async def test_a_board_of_another_teams_channel_says_whose_it_is(service: QuizService, clock: ManualClock) -> None:
    """New-user re-trial: a Data-Sci member typing /leaderboard in #c1 got #c1's board with no word about it."""
    post = await post_today(service, clock)
    await react(service, post, "UALICE", shown_key(service, post), delivery="E1", name="alice")
    clock.set(post.reveal_due_at)
    await service.daily.reveal_due()
    await service.handle_command(admin(), "/studybot", "team create Data-Sci")
    await service.handle_command(admin(), "/studybot", "team add Data-Sci <@UCAROL>")
    note, board = await service.handle_command(member("UCAROL"), "/leaderboard", "")
    assert (
        note.text
        == ("This is #c1's board, the team of this channel; you are in Data-Sci, whose board is in its own channel.")
        and note.private
    )
    assert "#c1" in board.title
    [own] = await service.handle_command(member("UALICE"), "/leaderboard", "")  # in her own team's channel: no note
    assert "#c1" in own.title


async def test_board_weak_spots_and_stats_carry_the_figures_their_tables_show(
    service: QuizService, clock: ManualClock
) -> None:
    """The typed figures reach the adapters on the reply (Reply.data), and the tables are made from them."""
    post = await post_today(service, clock)
    await react(service, post, "UALICE", shown_key(service, post), delivery="E1", name="alice")
    clock.set(post.reveal_due_at)
    await service.daily.reveal_due()
    await drill_once(service, "UALICE", "5.1.1", right=False)
    board = (await service.handle_command(member("UALICE"), "/leaderboard", ""))[0]
    assert isinstance(board.data, Leaderboard) and board.data.week is not None and board.data.week.which == "this"
    assert board.tables == tables(board.data)
    assert [(m.name, m.points) for m in board.data.members] == [("ualice", 1)]
    await service.handle_command(admin(), "/studybot", "team lead #c1 UALICE")
    spots = (await service.handle_command(member("UALICE"), "/weakspots", ""))[0]
    assert isinstance(spots.data, WeakSpotReport) and spots.tables == tables(spots.data)
    assert sum(a.tally.attempted for a in spots.data.areas if not a.subtopic) == 2
    stats = (await service.handle_command(member("UALICE"), "/stats", ""))[0]
    assert isinstance(stats.data, StatsCard) and stats.tables == tables(stats.data)
    assert stats.data.streak == 1 and sum(t.tally.attempted for t in stats.data.topics) == 2
    assert {t.topic: f"{t.tally.right}/{t.tally.attempted}" for t in stats.data.topics} == {
        row[0]: row[2] for row in stats.tables[0].rows
    }


async def test_a_teamless_persons_first_drill_counts_todays_reviews_in_the_zone_of_the_team_they_join(
    service: QuizService, store: MemoryStore, clock: ManualClock
) -> None:
    """Drilling in a channel puts a teamless person in its team; the daily review cap is then counted on
    that team's local day (here already Tuesday in Berlin, still Monday in UTC)."""
    await subscribe(service)  # C1: its own team, Europe/Berlin
    now = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)
    clock.set(now)
    ws = await store.ensure_workspace("slack", "T1")
    person = await store.ensure_person(ws, "UNEW", "unew")
    in_objective = {
        o.id: [q for q in service.questions if q.objective_id == o.id] for o in service.syllabus.objectives()
    }
    objective = next(o for o in service.syllabus.objectives() if len(in_objective[o.id]) >= 2)
    due_q = in_objective[objective.id][0]
    drill = await store.create_drill(ws, person, "topic:1", [(due_q.id, (0, 1, 2, 3))], now, now)
    info = await store.get_drill(drill)
    assert info is not None
    values = {
        "workspace_id": ws,
        "person_id": person,
        "team_id": None,
        "channel_id": None,
        "question_id": due_q.id,
        "objective_id": due_q.objective_id,
        "subtopic_id": due_q.subtopic_id,
        "topic_id": due_q.topic_id,
        "source": "drill",
        "post_id": None,
        "drill_id": drill,
        "drill_seq": 0,
        "option": 0,
        "correct": True,
        "answered_at": now - dt.timedelta(days=3),
    }
    assert await store.answer_drill(info, 0, values, True)  # seen: unseen questions come before it
    await store.save_review(person, due_q.id, "card", now - dt.timedelta(days=1), dt.date(2026, 2, 28))
    await store.save_plan(person, now, daily_cap=1)
    assert await store.count_review(person, dt.date(2026, 3, 3), now) == 1  # Tuesday's one review is done
    assert await store.person_team(ws, person) is None
    await service.handle_command(member("UNEW"), "/drill", f"{objective.id} 1")
    assert await store.person_team(ws, person) is not None
    running = await store.active_drill(person)
    # counted on Monday (UTC), the cap would leave room for the due review and it would come first
    assert running is not None and [q for q, _order in running.questions] != [due_q.id]
