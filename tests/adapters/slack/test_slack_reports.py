""" "Report a problem" on Slack through the real slack-bolt: the reveal's and the drill feedback's button opens
a form (views.open on FakeSlack), its submission is stored once, acknowledged in the form, listed by
``studybot content reports`` and flags the item for ``content validate``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from adapters.slack.blocks import REPORT_ACTION, to_blocks
from bot.core.clock import ManualClock
from bot.core.feedback import ReportTarget, bank_version
from bot.core.messages import Reply
from bot.service import QuizService
from content.loader import Bank
from tests.adapters.slack.conftest import SlackHarness
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.test_slack_events import subscribe_and_post
from tests.feedback_checks import authors_view


def _report_button(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    [button] = [
        e for b in blocks if b["type"] == "actions" for e in b["elements"] if e.get("action_id") == REPORT_ACTION
    ]
    return button


async def _open_form(slack: SlackHarness, button: dict[str, Any], user: str) -> tuple[str, dict[str, Any]]:
    before = set(slack.fake.views)
    status, _, _ = await slack.action(button["action_id"], button["value"], user=user, key="report")
    assert status == 200
    await slack.idle()
    [view_id] = set(slack.fake.views) - before
    return view_id, slack.fake.views[view_id]


def _shown(view: dict[str, Any]) -> str:
    return "\n".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")


@pytest.mark.sqlite  # the authors' CLI reads the database file
async def test_a_report_from_the_reveal_is_stored_once_listed_and_flags_the_item(
    slack: SlackHarness,
    service: QuizService,
    fake: FakeSlack,
    clock: ManualClock,
    db_url: str,
    bank: Bank,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    post = await subscribe_and_post(slack, service)
    clock.advance(hours=10)
    assert await service.daily.reveal(post.id) is not None
    reveal = next(c.params for c in fake.of("chat.postMessage") if c.params.get("thread_ts") == post.message_ref)
    q = service.by_id[post.question_id]
    button = _report_button(reveal["blocks"])
    assert button["text"]["text"] == "Report a problem"

    view_id, view = await _open_form(slack, button, "UBOB")
    assert view["title"]["text"] == "Report a problem" and view["submit"]["text"] == "Send report"
    assert f"Question *{q.id}* from the reveal." in _shown(view)
    kind, text = (b for b in view["blocks"] if b["type"] == "input")
    assert kind["label"]["text"] == "What is wrong?" and not kind.get("optional")  # the kind is required
    assert [o["text"]["text"] for o in kind["element"]["options"]] == [
        "Wrong key",
        "Unclear",
        "Outdated",
        "Typo",
        "Other",
    ]
    assert text["optional"] and text["element"]["max_length"] == 500

    # sent without a kind (Slack itself requires one; a forged or old client may not): the form stays open
    status, body, _ = await slack.submit_view(view_id, kind=None, text="Option B and C say the same", user="UBOB")
    assert status == 200 and json.loads(body) == {
        "response_action": "errors",
        "errors": {"kind": "Choose what is wrong with the question."},
    }
    assert await service.store.count_rows("item_report") == 0  # type: ignore[attr-defined]

    for _ in range(2):  # the same submission delivered twice
        status, body, elapsed = await slack.submit_view(
            view_id, kind="unclear", text="Option B and C say the same", user="UBOB"
        )
        answer = json.loads(body)
        assert status == 200 and elapsed < 3.0 and answer["response_action"] == "update"
        assert _shown(answer["view"]) == f"Thanks — your report on {q.id} (unclear) reaches the question's authors."
    await slack.idle()
    assert await service.store.count_rows("item_report") == 1  # type: ignore[attr-defined]
    [stored] = await service.store.item_reports()
    assert (stored.question_id, stored.bank_version, stored.kind, stored.source) == (
        q.id,
        bank_version(q),
        "unclear",
        "reveal",
    )

    listed, flagged = await authors_view(db_url, bank, monkeypatch)
    assert listed.startswith(f"{q.id}  1 report(s): unclear 1;") and "“Option B and C say the same”" in listed
    assert "bob" not in listed and "UBOB" not in listed
    assert flagged == {q.id}


async def test_drill_feedback_has_the_button_and_its_report_says_drill(
    slack: SlackHarness, service: QuizService, fake: FakeSlack
) -> None:
    await slack.command("/drill", "topic1 2", user="UALICE", key="drill")
    await slack.idle()
    [start] = slack.replies("drill")
    with pytest.raises(ValueError):  # the question itself has no report button, only its feedback
        _report_button(start["blocks"])
    answer = next(b for b in start["blocks"] if b["type"] == "actions")["elements"][0]
    await slack.action(answer["action_id"], answer["value"], user="UALICE", key="press")
    await slack.idle()
    [feedback] = [r for r in slack.replies("press") if "Your choice A" in r["text"]]
    button = _report_button(feedback["blocks"])
    view_id, view = await _open_form(slack, button, "UALICE")
    assert "from your drill" in _shown(view)
    status, body, _ = await slack.submit_view(view_id, kind="typo", text=None, user="UALICE")
    assert status == 200 and "(typo) reaches the question's authors" in body
    [stored] = await service.store.item_reports()
    assert (stored.kind, stored.text, stored.source) == ("typo", "", "drill")
    assert button["value"] == f"report:drill:{stored.question_id}:{stored.bank_version}"


async def test_an_exam_result_has_one_button_per_missed_question_each_opening_its_form(
    slack: SlackHarness, service: QuizService
) -> None:
    first, second = service.questions[:2]
    result = Reply(
        "Mock exam result: 0/2 right.",
        reports=(ReportTarget.of(first, "exam", "Q1"), ReportTarget.of(second, "exam", "Q2")),
    )
    [actions] = [b for b in to_blocks(result) if b["type"] == "actions"]
    buttons = actions["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Report Q1", "Report Q2"]
    assert len({b["action_id"] for b in buttons}) == 2  # Slack refuses repeated action ids in a block
    _view_id, view = await _open_form(slack, buttons[1], "UALICE")
    assert f"Question *{second.id}* from your mock exam." in _shown(view)


async def test_a_slow_store_still_answers_the_form_in_time_and_the_thanks_follows_by_direct_message(
    slack: SlackHarness, service: QuizService, fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("adapters.slack.actions.REPORT_WAIT_SECONDS", 0.05)
    real = service.report_problem
    store_free = asyncio.Event()  # the store answers only after Slack has had the form's answer

    async def slow(*args: Any) -> Reply:
        await store_free.wait()
        return await real(*args)

    monkeypatch.setattr(service, "report_problem", slow)
    q = service.questions[0]
    button = {"action_id": REPORT_ACTION, "value": ReportTarget.of(q, "reveal").value}
    view_id, _view = await _open_form(slack, button, "UALICE")
    status, body, _elapsed = await slack.submit_view(view_id, kind="outdated", text=None, user="UALICE")
    assert status == 200 and _shown(json.loads(body)["view"]) == "Sending your report; a message follows."
    assert await service.store.item_reports() == []
    store_free.set()
    await slack.idle()
    [dm] = [c.params for c in fake.of("chat.postMessage") if c.params.get("channel") == "UALICE"]
    assert dm["text"] == f"Thanks — your report on {q.id} (outdated) reaches the question's authors."
    assert [r.kind for r in await service.store.item_reports()] == ["outdated"]
