"""Question feedback through the real service on MemoryStore: the reveal's and drill feedback's report
target, a report stored once per delivery, clear refusals that give the text back, forget-me."""

from __future__ import annotations

import dataclasses

from bot.core.clock import ManualClock
from bot.core.feedback import ReportTarget, bank_version
from bot.core.messages import RevealPost
from bot.service import QuizService
from tests.conftest import RecordingNotifier, member
from tests.fakes.memory_store import MemoryStore
from tests.service.conftest import post_today, right_letter


async def test_reveal_and_drill_feedback_carry_the_question_and_its_shown_version(
    service: QuizService, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    post = await post_today(service, clock)
    clock.set(post.reveal_due_at)
    await service.daily.reveal_due()
    [reveal] = notifier.of_type(RevealPost)
    assert isinstance(reveal, RevealPost)
    q = service.by_id[post.question_id]
    assert reveal.reports == (ReportTarget(q.id, bank_version(q), "reveal"),)

    start = (await service.handle_command(member("UALICE"), "/drill", "topic2 2"))[0]
    assert start.card is not None and start.reports == ()  # a question not yet answered has no report button
    feedback, _next = await service.press_button(
        member("UALICE"), f"drill:{start.card.drill_id}:0:{right_letter(service, start)}"
    )
    [target] = feedback.reports
    assert target.source == "drill" and target.label == "" and ReportTarget.parse(target.value) == target
    assert target.value == f"report:drill:{target.question_id}:{target.version}"


async def test_the_exam_result_has_a_report_target_per_missed_question(service: QuizService) -> None:
    sam = member("USAM")
    reply = (await service.handle_command(sam, "/exam", "3 6"))[0]
    for seq in range(3):
        assert reply.card is not None
        wrong = next(x for x in "ABCD" if x != right_letter(service, reply))
        reply = (await service.press_button(sam, f"drill:{reply.card.drill_id}:{seq}:{wrong}"))[-1]
    assert reply.title == "Mock exam result" and "0/3 right" in reply.text
    reviewed = [line.split(" ", 2)[1] for line in reply.text.splitlines() if line.startswith("• Q")]
    assert reviewed == ["Q1", "Q2", "Q3"]
    assert [(t.label, t.source) for t in reply.reports] == [("Q1", "exam"), ("Q2", "exam"), ("Q3", "exam")]
    assert len({t.question_id for t in reply.reports}) == 3


async def test_a_report_is_stored_once_and_acknowledged_privately(service: QuizService, store: MemoryStore) -> None:
    q = service.questions[0]
    target = ReportTarget.of(q, "drill").value
    alice = member("UALICE")
    ack = await service.report_problem(alice, target, "unclear", "  Which workspace is meant?  ", "slack:view:V1")
    assert ack.private
    assert ack.text == f"Thanks — your report on {q.id} (unclear) reaches the question's authors."
    again = await service.report_problem(alice, target, "unclear", "Which workspace is meant?", "slack:view:V1")
    assert again.text == ack.text
    [stored] = await store.item_reports()
    assert (stored.question_id, stored.bank_version, stored.kind, stored.text, stored.source) == (
        q.id,
        bank_version(q),
        "unclear",
        "Which workspace is meant?",
        "drill",
    )
    wrong = await service.report_problem(alice, target, "Wrong key", "", "discord:interaction:9")
    assert f"on {q.id} (wrong key)" in wrong.text
    assert [r.kind for r in await store.item_reports()] == ["unclear", "wrong_key"]


async def test_bad_reports_are_explained_store_nothing_and_give_the_text_back(
    service: QuizService, store: MemoryStore
) -> None:
    q = service.questions[0]
    alice = member("UALICE")
    good = ReportTarget.of(q, "reveal")
    no_kind = await service.report_problem(alice, good.value, "", "B reads better", "d1")
    assert no_kind.private and f"Choose what is wrong with {q.id}" in no_kind.text
    assert "wrong_key, unclear, outdated, typo or other" in no_kind.text
    assert no_kind.text.endswith("Your text, to copy: B reads better")
    gone = dataclasses.replace(good, question_id="mlpro-9.9.9-999")
    unknown = await service.report_problem(alice, gone.value, "typo", "teh", "d2")
    assert "no question mlpro-9.9.9-999 in the bank" in unknown.text and "Your text, to copy: teh" in unknown.text
    forged = await service.report_problem(alice, "report:reveal:<script>:zz", "typo", "", "d3")
    assert "not valid" in forged.text
    long = await service.report_problem(alice, good.value, "other", "x" * 501, "d4")
    assert "at most 500 characters (yours has 501)" in long.text
    assert await store.item_reports() == []
    # the refused deliveries did not use up their ids: the corrected form goes through
    fixed = await service.report_problem(alice, good.value, "other", "B reads better", "d1")
    assert fixed.text.startswith("Thanks") and len(await store.item_reports()) == 1


async def test_forget_me_keeps_the_report_without_the_person(service: QuizService, store: MemoryStore) -> None:
    q = service.questions[1]
    await service.report_problem(member("UALICE"), ReportTarget.of(q, "reveal").value, "typo", "teh", "d1")
    done = await service.handle_command(member("UALICE"), "/studybot", "forget-me confirm")
    assert "problem reports stay for the question authors, no longer linked to you" in done[0].text
    assert [r.person_id for r in store.rows.item_report.values()] == [None]
    assert [r.text for r in await store.item_reports()] == ["teh"]
