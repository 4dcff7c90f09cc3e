"""Generated input to the real discord.py client through the loopback double (issue #18).

Interactions: every slash command and subcommand with generated option values (odd Unicode, digits
of other scripts, zone-database folders, calendar ends, the longest strings Discord allows), autocomplete
with generated text, and drill-button presses with generated ids. Gateway events: reactions with
generated emoji, from people and bots, on questions, on other messages and on messages that do not
exist, added and removed, repeated. Asserted: every interaction is acknowledged within Discord's
3 seconds, no reply says the bot failed, nothing is logged at ERROR, the client stays connected and
answers normally afterwards. A fixed seed makes every run the same; ``STUDYBOT_FUZZ_LONG=1`` sends
ten times as many.
"""

from __future__ import annotations

import logging
import os
import random
import string
from typing import Any

import pytest

from adapters.discord.client import FAILED
from tests.adapters.discord import discord_payloads as P
from tests.adapters.discord.fake_discord import InteractionRecord, wait_until
from tests.adapters.discord.harness import CHAN_A, GUILD_A, World, text_of

LONG = os.environ.get("STUDYBOT_FUZZ_LONG") == "1"
N_INTERACTIONS = 1500 if LONG else 150
N_REACTIONS = 2000 if LONG else 200
ACK_DEADLINE = 2.5  # Discord's is 3 s

_ODD = [
    "",
    " ",
    "²",
    "٣",
    "9" * 30,
    "topic3 ²",
    "topic9",
    "America",
    "America/Argentina",
    "US",
    "Brazil",
    "Mars/Base",
    "0001-01-01",
    "9999-12-31",
    "25:00",
    "24:00",
    "9am",
    "EST",
    "UTC+2",
    "\u202eevil",
    "\ufeffBOM",
    "🚀" * 10,
    "<@123>",
    "@everyone",
    "' OR 1=1 --",
    "weak",
    "missed",
    "3.2",
    "3.2.4",
    "9.9.9",
    "off",
    "confirm",
    "x" * 100,
]

# (command path, {option: kind}); kinds: str:MAX (length limit), int:LO:HI, bool, user, choice:a|b
_COMMANDS: list[tuple[str, dict[str, str]]] = [
    ("drill", {"scope": "str:200", "count": "int:1:20"}),
    ("leaderboard", {"week": "str:10", "topic": "choice:topic1|topic2|topic3|topic4|topic5"}),
    ("weakspots", {"team": "str:40", "topic": "choice:topic1|topic3|topic5"}),
    ("stats", {}),
    ("forget-me", {"confirm": "bool"}),
    ("studybot subscribe", {"time": "str:20", "timezone": "str:64"}),
    ("studybot unsubscribe", {}),
    ("studybot settings", {"time": "str:20", "timezone": "str:64", "reveal": "choice:30m|1h|8h|23h"}),
    ("studybot post-now", {}),
    ("studybot reveal-now", {}),
    ("studybot focus", {"topic": "choice:topic1|topic3|off", "weeks": "int:1:12"}),
    ("studybot help", {}),
    ("studybot team list", {}),
    ("studybot team create", {"name": "str:40"}),
    ("studybot team delete", {"name": "str:40"}),
    ("studybot team add", {"name": "str:40", "member": "user"}),
    ("studybot team remove", {"name": "str:40", "member": "user"}),
    ("studybot team lead", {"name": "str:40", "member": "user"}),
    ("studybot team unlead", {"name": "str:40", "member": "user"}),
]
_REQUIRED = {("studybot focus", "topic"), ("studybot team create", "name"), ("studybot team delete", "name")} | {
    (f"studybot team {a}", o) for a in ("add", "remove", "lead", "unlead") for o in ("name", "member")
}
_AUTOCOMPLETE = [
    ("drill", "scope"),
    ("studybot subscribe", "timezone"),
    ("studybot settings", "timezone"),
    ("leaderboard", "week"),
]
_EMOJI = [
    "1\ufe0f\u20e3",
    "2\ufe0f\u20e3",
    "3\ufe0f\u20e3",
    "4\ufe0f\u20e3",
    "1\u20e3",
    "5\ufe0f\u20e3",
    "👍",
    "👍🏽",
    "🇦",
    "🅰️",
    "blob",
    "",
    "\u200d",
    "🚀" * 3,
]


def _text(rng: random.Random, limit: int) -> str:
    if rng.random() < 0.5:
        return rng.choice(_ODD)[:limit] or "x"
    alphabet = string.printable.strip() + "²٣éß🚀\u202e\ufeff日本"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, limit)))


def _value(rng: random.Random, kind: str, world: World) -> Any:
    name, *args = kind.split(":")
    if name == "str":
        return _text(rng, int(args[0]))
    if name == "int":
        return rng.randint(int(args[0]), int(args[1]))
    if name == "bool":
        return rng.random() < 0.5
    if name == "user":
        return world.person(rng.randint(0, 5))
    return rng.choice(args[0].split("|"))


def _options(rng: random.Random, path: str, spec: dict[str, str], world: World) -> dict[str, Any]:
    return {
        opt: _value(rng, kind, world) for opt, kind in spec.items() if (path, opt) in _REQUIRED or rng.random() < 0.6
    }


def _shown(rec: InteractionRecord) -> str:
    parts = [text_of(m.data) for m in [rec.original, *rec.followups] if m is not None]
    parts += [text_of(body.get("data") or {}) for _t, body in rec.callbacks]
    return "\n".join(parts)


@pytest.mark.slow
async def test_generated_interactions_and_gateway_events_never_break_the_bot(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(20261203)
    caplog.set_level(logging.WARNING)
    bot = await world.start_bot()
    _post, question = await world.post_question()
    other = world.fake._new_message(CHAN_A, {"content": "chatter"}, author=world.person(1))

    records: list[tuple[str, InteractionRecord]] = []
    for i in range(N_INTERACTIONS):
        roll = rng.random()
        user = world.admin if rng.random() < 0.4 else world.person(rng.randint(0, 5))
        admin = user is world.admin
        if roll < 0.75:
            path, spec = rng.choice(_COMMANDS)
            rec = await world.fake.slash(
                path, _options(rng, path, spec, world), guild_id=GUILD_A, channel_id=CHAN_A, user=user, admin=admin
            )
        elif roll < 0.9:
            path, focused = rng.choice(_AUTOCOMPLETE)
            rec = await world.fake.autocomplete(
                path, {focused: _text(rng, 100)}, focused, guild_id=GUILD_A, channel_id=CHAN_A, user=user
            )
        else:
            # Discord sends only custom ids of the message's own buttons: an old or unknown drill card
            custom = f"drill:{rng.randint(0, 10 ** rng.randint(1, 18))}:{rng.randint(0, 9999)}:{rng.choice('ABCDabcd')}"
            row = {"type": 1, "components": [{"type": 2, "style": 2, "label": custom[-1], "custom_id": custom}]}
            card = world.fake._new_message(CHAN_A, {"content": "Drill 1/5", "components": [row]})
            rec = await world.fake.press(card, custom, user=user)
            path = f"button {custom}"
        records.append((path, rec))
        await wait_until(lambda r=rec: bool(r.callbacks), within=5.0, what=f"ack of interaction {i} ({path})")  # type: ignore[misc]

    for _ in range(N_REACTIONS):
        target = rng.choice([question, question, other])
        uid = P.BOT_ID if rng.random() < 0.05 else world.person(rng.randint(0, 30))["id"]
        emoji = rng.choice(_EMOJI)
        emoji_id = str(1170000000000000000 + rng.randint(0, 9)) if emoji == "blob" else None
        await world.fake.react(uid, target.id, emoji or "x", added=rng.random() < 0.7, emoji_id=emoji_id)
    for t in ("MESSAGE_REACTION_REMOVE_ALL", "MESSAGE_REACTION_REMOVE_EMOJI"):  # on a message the bot never posted
        await world.fake.dispatch(
            t,
            {
                "channel_id": CHAN_A,
                "message_id": P.snowflake(),
                "guild_id": GUILD_A,
                "emoji": {"id": None, "name": "👍"},
            },
            guild_id=GUILD_A,
        )
    await world.settle()

    late = [(p, round(r.callback_delay(), 2)) for p, r in records if r.callback_delay() > ACK_DEADLINE]
    assert not late, late
    await wait_until(
        lambda: all(r.edits or r.callback_types[0] != 5 for _p, r in records),
        within=10.0,
        what="every deferred interaction to be answered",
    )
    failed = [p for p, r in records if FAILED in _shown(r)]
    assert not failed, failed
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [f"{r.name}: {r.getMessage()}" for r in errors[:5]]

    assert not bot.task.done() and world.fake.connected()  # still alive and connected
    rec = await world.command("stats", user=world.person(99))  # someone the rate limit has not met
    assert "Your StudyBot stats" in _shown(rec)
