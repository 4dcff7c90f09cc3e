"""The new user's trial (shared report, issue #10): each finding replayed from its command and output.

Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (team delete once crashed with a foreign-key error).
"""

from __future__ import annotations

import datetime as dt

from bot.core.clock import ManualClock
from bot.core.messages import QuestionPost, Reply
from bot.service import QuizService
from tests.conftest import RecordingNotifier, admin, member
from tests.storage.test_learning_engine import MONDAY_9_BERLIN, right_letter, rows, setup_channel


async def answer_drill(service: QuizService, who: str, scope: str, right: bool, channel: str = "C1") -> None:
    r = (await service.handle_command(member(who, channel), "/drill", f"{scope} 1"))[0]
    assert r.card is not None, r.text
    good = right_letter(service, r)
    letter = good if right else next(x for x in "ABCD" if x != good)
    await service.press_button(member(who, channel), f"drill:{r.card.drill_id}:0:{letter}")


async def say(service: QuizService, text: str, who: str = "") -> str:
    inv = member(who) if who else admin()
    return "\n".join(r.text for r in await service.handle_command(inv, "/studybot", text))


# -- finding 1: team delete -----------------------------------------------------------------------------------------


async def test_team_delete_with_answers_keeps_history_and_says_so(any_service: QuizService, clock: ManualClock) -> None:
    await setup_channel(any_service)
    clock.set(MONDAY_9_BERLIN)
    assert "created" in await say(any_service, "team create Data-Sci")
    assert "added to team Data-Sci" in await say(any_service, "team add Data-Sci UALICE")
    await answer_drill(any_service, "UALICE", "1.1.1", right=True)
    answers = await rows(any_service, "answer")
    text = await say(any_service, "team delete data-sci")  # any case reaches the team
    assert text == (
        "Team Data-Sci deleted. Its 1 member(s) are in no team now; their answers stay with them and count "
        "for the next team they join."
    )
    assert await rows(any_service, "answer") == answers == 1
    assert "There is no team 'Data-Sci'" in await say(any_service, "team delete Data-Sci")
    # the answers count for the next team alice joins
    await say(any_service, "team add #c1 UALICE")
    board = (await any_service.handle_command(member("UALICE"), "/leaderboard", ""))[0]
    assert [(r[1], r[2]) for r in board.tables[0].rows] == [("ualice", "1")]


async def test_the_team_of_a_subscribed_channel_cannot_be_deleted(any_service: QuizService) -> None:
    await setup_channel(any_service)
    await answer_drill(any_service, "UBOB", "2.1.1", right=False)
    text = await say(any_service, "team delete #c1")
    assert "is the team of the subscribed channel #c1, so it cannot be deleted" in text
    await say(any_service, "unsubscribe")
    assert "Team #c1 deleted" in await say(any_service, "team delete #c1")
    assert await rows(any_service, "answer") == 1
    # subscribing again gives the channel a team again
    assert "Subscribed" in await say(any_service, "subscribe 09:00 Europe/Berlin")
    assert "#c1" in "\n".join(
        str(r) for r in (await any_service.handle_command(admin(), "/studybot", "team list"))[0].tables[0].rows
    )


# -- finding 2: team names ------------------------------------------------------------------------------------------


async def test_team_names_are_unique_whatever_the_case(any_service: QuizService) -> None:
    await setup_channel(any_service)
    assert (
        await say(any_service, "team create Data-Sci")
        == "Team Data-Sci created. Add people with /studybot team add Data-Sci @person."
    )
    assert (
        await say(any_service, "team create data-sci")
        == "Team Data-Sci already exists (as Data-Sci; names ignore case); nothing changed."
    )
    assert await say(any_service, "team create Data-Sci") == "Team Data-Sci already exists; nothing changed."
    assert "Team Two Words created" in await say(any_service, "team create Two Words")
    assert "Team Ünïcødé created" in await say(any_service, "team create Ünïcødé")
    teams = (await any_service.handle_command(admin(), "/studybot", "team list"))[0].tables[0].rows
    assert sorted(r[0] for r in teams) == sorted(["#c1", "Data-Sci", "Two Words", "Ünïcødé"])


# -- finding 4: the team's zone follows the channel ---------------------------------------------------------------------


async def test_resubscribing_with_a_new_zone_moves_the_teams_week(any_service: QuizService) -> None:
    await say(any_service, "subscribe 09:00 Asia/Tokyo")
    assert "Schedule changed" in await say(any_service, "subscribe 09:00 Europe/Paris")
    teams = (await any_service.handle_command(admin(), "/studybot", "team list"))[0].tables[0].rows
    assert [(r[0], r[1]) for r in teams] == [("#c1", "Europe/Paris")]
    await say(any_service, "settings tz America/New_York")
    teams = (await any_service.handle_command(admin(), "/studybot", "team list"))[0].tables[0].rows
    assert [(r[0], r[1]) for r in teams] == [("#c1", "America/New_York")]


# -- finding 5: moves, and points that follow the person -----------------------------------------------------------------


async def test_moving_a_person_says_so_and_their_points_follow_them(
    any_service: QuizService, clock: ManualClock
) -> None:
    await setup_channel(any_service)
    clock.set(MONDAY_9_BERLIN)
    await answer_drill(any_service, "UCAROL", "4.1.1", right=True)  # drilling in #c1 joins its team
    await say(any_service, "team create Data-Sci")
    text = await say(any_service, "team lead Data-Sci UCAROL")
    assert text == (
        "UCAROL is now a lead of team Data-Sci (moved from team #c1; a person is in one team per workspace, "
        "and their answers move with them)."
    )
    board = (await any_service.handle_command(member("UCAROL", "C9"), "/leaderboard", ""))[0]
    assert "Data-Sci" in board.title and [(r[1], r[2]) for r in board.tables[0].rows] == [("ucarol", "1")]
    c1 = (await any_service.handle_command(admin(), "/leaderboard", ""))[0]
    assert c1.text.endswith("no answers in that week.")  # carol's point left #c1 with her
    # a lead typing /weakspots in another team's channel gets their own team's report
    replies = await any_service.handle_command(member("UCAROL"), "/weakspots", "")
    assert (
        replies[0].text == "You lead Data-Sci, not #c1: here is Data-Sci's report." and "Data-Sci" in replies[1].title
    )


async def test_team_commands_say_already_and_never_invent_people(any_service: QuizService) -> None:
    await setup_channel(any_service)
    await say(any_service, "team create Data-Sci")
    people = await rows(any_service, "person")
    assert (
        await say(any_service, "team remove Data-Sci @nobody")
        == "StudyBot knows nobody called 'nobody' here; nothing changed."
    )
    assert await rows(any_service, "person") == people
    assert await say(any_service, "team add Data-Sci @alice") == "alice added to team Data-Sci."
    assert await say(any_service, "team add Data-Sci @alice") == "alice is already in team Data-Sci; nothing changed."
    assert (
        await say(any_service, "team unlead Data-Sci @alice")
        == "alice is not a lead of team Data-Sci; nothing changed."
    )
    assert await say(any_service, "team lead Data-Sci @alice") == "alice is now a lead of team Data-Sci."
    assert (
        await say(any_service, "team lead Data-Sci @alice")
        == "alice is already a lead of team Data-Sci; nothing changed."
    )
    assert (
        await say(any_service, "team unlead Data-Sci @alice")
        == "alice is no longer a lead of team Data-Sci (still a member)."
    )
    assert (
        await say(any_service, "team remove Data-Sci @alice")
        == "alice removed from team Data-Sci; their answers now count for no team."
    )
    assert await say(any_service, "team remove Data-Sci @alice") == "alice is not in team Data-Sci; nothing changed."


# -- findings 12, 13, 22: next question, empty boards, repeats ----------------------------------------------------------


async def test_next_question_is_tomorrow_once_todays_is_posted(any_service: QuizService, clock: ManualClock) -> None:
    clock.set(dt.datetime(2026, 12, 3, 6, 0, tzinfo=dt.UTC))  # Thu 07:00 Berlin
    await say(any_service, "subscribe 09:00 Europe/Berlin")
    assert "next post   Thu 2026-12-03 09:00" in await say(any_service, "settings")
    await say(any_service, "post-now")
    text = await say(any_service, "settings time 07:38")
    assert text.startswith("Changed: post time 07:38.") and "next post   Fri 2026-12-04 07:38" in text
    assert "Already set that way; nothing changed." in await say(any_service, "settings time 7:38am")
    again = await any_service.handle_command(admin(), "/studybot", "subscribe 07:38 europe/berlin")
    assert again[0].private and again[0].text.startswith(
        "Already subscribed at 07:38 Europe/Berlin; nothing changed. Next question: Fri 2026-12-04"
    )


async def test_focus_off_twice_and_future_weeks(any_service: QuizService, notifier: RecordingNotifier) -> None:
    await setup_channel(any_service)
    off = await any_service.handle_command(admin(), "/studybot", "focus off")
    assert off[0].private and off[0].text == "Focus is already off: daily questions cover the whole syllabus."
    on = await any_service.handle_command(admin(), "/studybot", "focus topic3")
    assert not on[0].private and "come only from Topic 3" in on[0].text
    again = await any_service.handle_command(admin(), "/studybot", "focus topic3")
    assert again[0].private and "was already the focus" in again[0].text
    future = (await any_service.handle_command(admin(), "/leaderboard", "2030-01-01"))[0]
    assert (
        future.text == "The week from Monday 2029-12-31 has not started yet; try /leaderboard this."
        and not future.tables
    )


# -- findings 6, 7, 8, 18, 22: drills -----------------------------------------------------------------------------------


async def test_drill_replacement_small_scopes_and_forget_me(any_service: QuizService) -> None:
    alice = member("UALICE")
    first = (await any_service.handle_command(alice, "/drill", "topic3"))[0]
    assert first.card is not None
    await any_service.press_button(alice, f"drill:{first.card.drill_id}:0:A")
    second = (await any_service.handle_command(alice, "/drill", "3.2.4 20"))[0]
    lines = second.text.splitlines()
    assert lines[0] == "Your drill in progress (1/5 answered) has ended; its answers are kept."
    assert lines[1].startswith("Drill: 3 question(s) (only 3 in that scope) · objective 3.2.4.")
    stale = await any_service.press_button(alice, f"drill:{first.card.drill_id}:1:A")
    assert stale[0].text == "That drill was replaced by a newer one or expired. Start a new one with /drill."
    weak = (await any_service.handle_command(member("UZED"), "/drill", "weak"))[0]
    assert "an objective needs at least 3 answers" in weak.text
    await any_service.handle_command(alice, "/studybot", "forget-me confirm")
    assert second.card is not None
    gone = await any_service.press_button(alice, f"drill:{second.card.drill_id}:0:A")
    assert gone[0].text.startswith("That drill no longer exists")


async def test_drill_summary_says_when_reviews_come_back(any_service: QuizService) -> None:
    r = (await any_service.handle_command(member("UALICE"), "/drill", "5.1.1 1"))[0]
    assert r.card is not None
    wrong = next(x for x in "ABCD" if x != right_letter(any_service, r))
    done = await any_service.press_button(member("UALICE"), f"drill:{r.card.drill_id}:0:{wrong}")
    assert done[-1].text.startswith("Drill done: 0/1 right. The first of these questions comes back for review ")
    stats = (await any_service.handle_command(member("UALICE"), "/stats", ""))[0]
    assert "reviews due: 0 (next " in stats.text


# -- finding 3: readiness ---------------------------------------------------------------------------------------------


async def test_a_wrong_answer_never_raises_readiness(any_service: QuizService, clock: ManualClock) -> None:
    zed = member("UZED")

    async def readiness_of_topic(topic: str) -> int:
        stats = (await any_service.handle_command(zed, "/stats", ""))[0]
        row = next(r for r in stats.tables[0].rows if r[0] == topic)
        return int(row[4].rstrip("%"))

    assert await readiness_of_topic("5") == 25
    await answer_drill(any_service, "UZED", "5.1.1", right=False)
    assert await readiness_of_topic("5") == 25  # was 29% before the fix
    for _ in range(3):
        clock.advance(days=1)
        await answer_drill(any_service, "UZED", "5.1.2", right=True)
    ready = await readiness_of_topic("5")
    assert ready > 25
    clock.advance(days=1)
    await answer_drill(any_service, "UZED", "5.1.2", right=False)
    assert await readiness_of_topic("5") <= ready
    stats = (await any_service.handle_command(zed, "/stats", ""))[0]
    method = stats.text.splitlines()[1]
    assert method.startswith("Readiness: predicted chance of a right answer in 7 days") and len(method) < 200


async def test_a_quiet_week_posts_no_board(
    any_service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    channel_id = await setup_channel(any_service)
    clock.set(dt.datetime(2026, 3, 9, 7, 0, tzinfo=dt.UTC))
    assert await any_service.boards.post_weekly(channel_id) is False
    assert not [m for _c, m, _r in notifier.sent if isinstance(m, Reply | QuestionPost)]


async def test_a_person_flooding_commands_is_slowed_and_others_are_not(
    any_service: QuizService, clock: ManualClock
) -> None:
    replies = [(await any_service.handle_command(member("UFLOOD"), "/stats", ""))[0] for _ in range(31)]
    assert replies[-1].private and replies[-1].text.startswith(
        "You are sending commands faster than StudyBot takes them"
    )
    assert "Your StudyBot stats" == (await any_service.handle_command(member("UCALM"), "/stats", ""))[0].title
    clock.advance(seconds=5)
    assert (await any_service.handle_command(member("UFLOOD"), "/stats", ""))[0].title == "Your StudyBot stats"
