"""The pure rules of question feedback: button values, kinds, the bank version, per-item summaries."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from bot.core.feedback import ReportTarget, bank_version, parse_kind, summarize_reports
from bot.core.model import Question

Q = Question(
    id="mlpro-3.2.4-002",
    objective_id="3.2.4",
    stem="Which stage?",
    options=("a", "b", "c", "d"),
    answer="B",
    explanation="Because.",
    explanation_short="Short.",
    rationales=("ra", "rb", "rc", "rd"),
)
T0 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def test_the_bank_version_follows_the_shown_wording_only() -> None:
    v = bank_version(Q)
    assert len(v) == 12 and int(v, 16) >= 0
    assert bank_version(dataclasses.replace(Q, status="reviewed", tags=("x",), reviewers=("r",))) == v
    for change in ({"stem": "Which stage now?"}, {"answer": "C"}, {"rationales": ("ra", "rb", "rc", "rd!")}):
        assert bank_version(dataclasses.replace(Q, **change)) != v  # type: ignore[arg-type]


@given(
    st.sampled_from(["reveal", "drill", "exam"]),
    st.from_regex(r"[A-Za-z0-9._-]{1,32}", fullmatch=True),
    st.from_regex(r"[0-9a-f]{12}", fullmatch=True),
)
def test_a_button_value_names_its_target_and_nothing_else_parses(source: str, qid: str, version: str) -> None:
    target = ReportTarget(qid, version, source)
    assert len(target.value) <= 60 and ReportTarget.parse(target.value) == target
    assert ReportTarget.parse(target.value + "x") is None and ReportTarget.parse(target.value.upper()) is None


def test_kinds_as_people_and_forms_send_them() -> None:
    assert [parse_kind(k) for k in ("wrong_key", "Wrong key", "wrong-key", " TYPO ", "other")] == [
        "wrong_key",
        "wrong_key",
        "wrong_key",
        "typo",
        "other",
    ]
    assert parse_kind("") is None and parse_kind("confusing") is None


def test_summaries_put_the_most_reported_first_and_see_wording_changes() -> None:
    now = bank_version(Q)
    rows = [
        ("q-other", "aaaaaaaaaaaa", "typo", "", T0),
        (Q.id, "000000000000", "wrong_key", "old wording", T0),
        (Q.id, now, "unclear", "new text", T0 + dt.timedelta(hours=1)),
    ]
    first, second = summarize_reports(rows, {Q.id: now})
    assert (first.question_id, first.total, first.by_kind) == (Q.id, 2, (("wrong_key", 1), ("unclear", 1)))
    assert first.latest_texts == ("new text", "old wording") and first.on_current == 1 and first.wording_changed
    assert first.kinds_text == "wrong key 1, unclear 1"
    assert (second.question_id, second.current_version, second.wording_changed) == ("q-other", None, False)
