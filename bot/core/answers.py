"""The answer policy: which reaction is whose answer.

Rules (issue #2):

* A person's answer is their most recently added option reaction that is still present at the reveal.
* Removing a reaction before the reveal retracts it.
* Reactions after the reveal, reactions by bots (the bot's own included) and any other emoji do not count.
* Skin-tone suffixes are stripped (``thumbsup::skin-tone-3``, or the Unicode modifiers U+1F3FB-U+1F3FF).
* A duplicate delivery of the same event changes nothing (events are keyed by their delivery id).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "OPTION_EMOJI",
    "ReactionEvent",
    "derive_answers",
    "normalize_reaction",
    "option_for_reaction",
]

# Neutral option emoji: Slack short names (keycaps have no aliases and no skin tones) and Unicode keycaps.
OPTION_EMOJI: tuple[str, str, str, str] = ("one", "two", "three", "four")
OPTION_UNICODE: tuple[str, str, str, str] = ("1\u20e3", "2\u20e3", "3\u20e3", "4\u20e3")
_ALIASES: dict[str, int] = {
    **{name: i for i, name in enumerate(OPTION_EMOJI)},
    **{u: i for i, u in enumerate(OPTION_UNICODE)},
    **{f":{name}:": i for i, name in enumerate(OPTION_EMOJI)},
}
_SKIN_TONES = {chr(c) for c in range(0x1F3FB, 0x1F400)}


def normalize_reaction(reaction: str) -> str:
    """Strip skin tones (``name::skin-tone-N`` or Unicode modifiers) and variation selectors."""
    name = reaction.split("::", 1)[0].strip()
    return "".join(ch for ch in name if ch != "\ufe0f" and ch not in _SKIN_TONES)


def option_for_reaction(reaction: str) -> int | None:
    """Map a platform reaction to an option index 0-3, or None for any other emoji."""
    return _ALIASES.get(normalize_reaction(reaction))


@dataclass(frozen=True, slots=True)
class ReactionEvent:
    """One raw reaction event as delivered (or as found by reconciliation)."""

    delivery_id: str
    user_id: str
    option: int | None  # None: not an option emoji
    added: bool  # False: removed
    at: dt.datetime
    is_bot: bool = False
    seq: int = 0  # tie-breaker for events with the same timestamp (arrival order)


def derive_answers(events: Iterable[ReactionEvent], reveal_at: dt.datetime) -> dict[str, int]:
    """Apply the answer policy to a post's raw events; return ``{user_id: option}`` at ``reveal_at``.

    Events are replayed in time order (arrival order breaks ties); duplicates by delivery id are
    ignored, events after ``reveal_at`` are ignored (one recorded at the reveal instant still counts),
    as are bots and non-option emoji.
    """
    seen: set[str] = set()
    # user -> option -> time it was (last) added
    present: dict[str, dict[int, tuple[dt.datetime, int]]] = {}
    for ev in sorted(events, key=lambda e: (e.at, e.seq)):
        if ev.delivery_id in seen:
            continue
        seen.add(ev.delivery_id)
        if ev.is_bot or ev.option is None or ev.at > reveal_at:
            continue
        mine = present.setdefault(ev.user_id, {})
        if ev.added:
            # re-adding an option that is still present (a replay) keeps its original time
            mine.setdefault(ev.option, (ev.at, ev.seq))
        else:
            mine.pop(ev.option, None)
    answers: dict[str, int] = {}
    for user, options in present.items():
        if options:
            answers[user] = max(options.items(), key=lambda kv: (kv[1], kv[0]))[0]
    return answers
