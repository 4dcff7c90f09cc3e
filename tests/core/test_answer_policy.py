"""The answer policy (issue #2): change of answer, retraction, late, bot and foreign emoji, skin tones, duplicates."""

from __future__ import annotations

import datetime as dt

from bot.core.answers import ReactionEvent, derive_answers, normalize_reaction, option_for_reaction

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
REVEAL = T0 + dt.timedelta(hours=8)


def ev(
    n: int, user: str, option: int | None, added: bool = True, minutes: float = 0, is_bot: bool = False
) -> ReactionEvent:
    return ReactionEvent(f"d{n}", user, option, added, T0 + dt.timedelta(minutes=minutes), is_bot, n)


def test_single_answer() -> None:
    assert derive_answers([ev(1, "alice", 1, minutes=5)], REVEAL) == {"alice": 1}


def test_change_of_answer_takes_most_recent_still_present() -> None:
    events = [ev(1, "alice", 0, minutes=1), ev(2, "alice", 2, minutes=2)]
    assert derive_answers(events, REVEAL) == {"alice": 2}
    # removing the newer one falls back to the older one that is still present
    assert derive_answers([*events, ev(3, "alice", 2, added=False, minutes=3)], REVEAL) == {"alice": 0}


def test_retraction_before_reveal_removes_answer() -> None:
    events = [ev(1, "bob", 3, minutes=1), ev(2, "bob", 3, added=False, minutes=2)]
    assert derive_answers(events, REVEAL) == {}


def test_reactions_after_reveal_do_not_count() -> None:
    late = [ev(1, "carol", 1, minutes=8 * 60 + 0.01), ev(2, "dan", 2, minutes=8 * 60 + 1)]
    assert derive_answers(late, REVEAL) == {}
    # recorded at the reveal instant itself (before the reveal ran): counts
    assert derive_answers([ev(5, "dan", 2, minutes=8 * 60)], REVEAL) == {"dan": 2}
    # a removal after the reveal does not retract either
    events = [ev(3, "erin", 0, minutes=1), ev(4, "erin", 0, added=False, minutes=9 * 60)]
    assert derive_answers(events, REVEAL) == {"erin": 0}


def test_bots_and_foreign_emoji_do_not_count() -> None:
    events = [ev(1, "bot", 0, is_bot=True), ev(2, "frank", None, minutes=1)]
    assert derive_answers(events, REVEAL) == {}


def test_duplicate_delivery_changes_nothing() -> None:
    a = ev(1, "gina", 1, minutes=1)
    b = ev(2, "gina", 2, minutes=2)
    removed = ev(3, "gina", 2, added=False, minutes=3)
    once = derive_answers([a, b, removed], REVEAL)
    # the same deliveries again (a retry), in any order
    twice = derive_answers([removed, a, b, a, removed, b], REVEAL)
    assert once == twice == {"gina": 1}


def test_skin_tones_and_keycaps_are_normalised() -> None:
    assert option_for_reaction("two::skin-tone-4") == 1
    assert option_for_reaction("one") == 0
    assert option_for_reaction("3\ufe0f\u20e3") == 2
    assert option_for_reaction("4\u20e3") == 3
    assert option_for_reaction("thumbsup::skin-tone-6") is None
    assert option_for_reaction("+1") is None
    assert normalize_reaction("wave\U0001f3fd") == "wave"


def test_many_people_independent() -> None:
    events = [ev(i, f"u{i}", i % 4, minutes=i) for i in range(40)]
    answers = derive_answers(events, REVEAL)
    assert len(answers) == 40 and answers["u5"] == 1
