"""Slash commands and drill buttons over signed HTTP: ack timing, ephemeral replies, admin rights, buttons."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from typing import Any

import pytest

from adapters.slack.blocks import escape
from bot.core.clock import ManualClock
from bot.core.messages import DrillCard, OptionView, Reply, Table
from bot.core.render import to_text
from bot.service import Invocation, QuizService
from tests.adapters.slack.conftest import SlackHarness, reaction
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.test_slack_events import subscribe_and_post


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


@pytest.mark.sqlite  # another writer holds the SQLite file
async def test_acks_stay_under_a_second_while_another_writer_holds_the_database(
    slack: SlackHarness, service: QuizService, clock: ManualClock, db_url: str
) -> None:
    """Check 3: the work (and the dedupe check) waits 3 s behind another writer; Slack's HTTP 200 does not."""
    post = await subscribe_and_post(slack, service)
    path = db_url.split("///", 1)[1]
    locked = threading.Event()

    def hold_write_lock() -> None:
        conn = sqlite3.connect(path, timeout=5, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(3.2)
        conn.execute("COMMIT")
        conn.close()

    holder = asyncio.create_task(asyncio.to_thread(hold_write_lock))
    assert await asyncio.to_thread(locked.wait, 5)
    clock.advance(minutes=1)
    ev = reaction("reaction_added", "UALICE", "two", post.message_ref or "", clock.now())
    (cmd_status, _, cmd_time), (ev_status, _, ev_time) = await asyncio.gather(
        slack.command("/stats", "", key="locked"), slack.event(ev, event_id="EvLOCKED")
    )
    assert (cmd_status, ev_status) == (200, 200)
    assert cmd_time < 1.0 and ev_time < 1.0
    assert slack.replies("locked") == []  # the reply comes later, through response_url
    await holder
    await slack.idle()
    [reply] = slack.replies("locked")
    assert reply["response_type"] == "ephemeral" and "stats" in reply["text"].lower()
    status, _, _ = await slack.event(ev, event_id="EvLOCKED", retry=1)  # Slack's retry after the slow ack
    await slack.idle()
    assert status == 200
    assert [(e.option, e.added) for _p, e in await service.store.reaction_events(post.id)] == [(1, True)]


BAD_ARGUMENTS = [
    ("/studybot", "frobnicate"),
    ("/studybot", "subscribe 25:00"),
    ("/studybot", "subscribe 09:00 Mars/Olympus_Mons"),
    ("/studybot", "subscribe 09:00 Europe/Berlin extra"),
    ("/studybot", "'; DROP TABLE channel; --"),
    ("/studybot", "settings time"),
    ("/studybot", "x" * 2000),
    ("/studybot", "subscribe ０９:００ 東京"),
    ("/studybot", "unsubscribe now"),
    ("/drill", "topic9"),
    ("/drill", "topic3 extra words"),
    ("/drill", "'; DROP TABLE post; --"),
]


async def test_bad_arguments_get_an_ephemeral_usage_message_and_write_nothing(
    slack: SlackHarness, service: QuizService, fake: FakeSlack
) -> None:
    """Check 13 (and /studybot with a bad argument): ephemeral usage, nothing written, no error reaches Slack."""
    fake.admins.add("UADMIN")
    for i, (command, text) in enumerate(BAD_ARGUMENTS):
        status, body, elapsed = await slack.command(command, text, user="UADMIN", key=f"bad{i}")
        assert status == 200 and body == "" and elapsed < 1.0
    await slack.idle()
    admin = Invocation("slack", "T1", "C1", "UADMIN", "uadmin", True, "quiz-c1", "team-t1")
    for i, (command, text) in enumerate(BAD_ARGUMENTS):
        [reply] = slack.replies(f"bad{i}")
        [expected] = await service.handle_command(admin, command, text)  # the core's own usage text
        assert expected.private and reply["response_type"] == "ephemeral", (command, text)
        assert reply["text"] == escape(to_text(expected)), (command, text)
        assert any(b["type"] == "section" for b in reply["blocks"])
    assert await service.store.active_channels() == []
    assert await service.store.count_rows("audit_log") == 0  # type: ignore[attr-defined]
    assert await service.store.count_rows("post") == 0  # type: ignore[attr-defined]
    assert fake.of("chat.postMessage") == []


async def test_studybot_admin_rights_come_from_users_info_with_a_cache(
    slack: SlackHarness, service: QuizService, fake: FakeSlack
) -> None:
    fake.admins.add("UADMIN")
    await slack.command("/studybot", "subscribe 09:00 Europe/Berlin", user="UMEMBER", key="member")
    await slack.idle()
    [refused] = slack.replies("member")
    assert refused["response_type"] == "ephemeral" and "admins" in refused["text"]
    assert await service.store.active_channels() == []

    await slack.command("/studybot", "subscribe 09:00 Europe/Berlin", user="UADMIN", key="admin")
    await slack.command("/studybot", "settings", user="UADMIN", key="settings")
    await slack.idle()
    [ok] = slack.replies("admin")
    assert ok["response_type"] == "in_channel" and "Subscribed" in ok["text"]
    assert ok["blocks"][0]["type"] == "section"
    [channel] = await service.store.active_channels()
    assert (channel.ref.workspace, channel.ref.channel, channel.name) == ("T1", "C1", "quiz-c1")
    assert [c.params["user"] for c in fake.of("users.info")] == ["UMEMBER", "UADMIN"]  # cached per person


async def test_public_and_private_replies_render_tables_and_go_to_the_right_audience(
    slack: SlackHarness, service: QuizService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/leaderboard answers the channel with a table; /weakspots refused to a non-lead stays private."""
    seen: list[tuple[Invocation, str, str]] = []

    async def handle(inv: Invocation, command: str, text: str) -> list[Reply]:
        seen.append((inv, command, text))
        if command == "/leaderboard":
            table = Table("This week", ("#", "who", "points"), (("1", "alice <admin>", "3"), ("2", "bob", "1")))
            return [Reply("", private=False, tables=(table,), title="Leaderboard")]
        return [Reply("Only team leads and admins can see a team's weak spots.", private=True)]

    monkeypatch.setattr(service, "handle_command", handle)
    await slack.command("/leaderboard", "last topic3", user="UBOB", key="lb")
    await slack.command("/weakspots", "platform", user="UBOB", key="ws")
    await slack.idle()
    [lb], [ws] = slack.replies("lb"), slack.replies("ws")
    assert lb["response_type"] == "in_channel"
    assert [b["type"] for b in lb["blocks"]] == ["header", "section"]
    assert (
        lb["blocks"][1]["text"]["text"].startswith("```") and "alice &lt;admin&gt;" in lb["blocks"][1]["text"]["text"]
    )
    assert ws["response_type"] == "ephemeral" and "team leads" in ws["text"]
    inv, command, text = seen[0]
    assert (inv.platform, inv.workspace, inv.channel, inv.user, inv.is_admin) == ("slack", "T1", "C1", "UBOB", False)
    assert (command, text) == ("/leaderboard", "last topic3")


async def test_service_failure_becomes_a_private_apology_not_an_error_to_slack(
    slack: SlackHarness, service: QuizService, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(inv: Invocation, command: str, text: str) -> list[Reply]:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(service, "handle_command", broken)
    status, _, _ = await slack.command("/stats", "", key="broken")
    await slack.idle()
    assert status == 200
    [reply] = slack.replies("broken")
    assert reply["response_type"] == "ephemeral" and "failed on our side" in reply["text"]


def _card(seq: int) -> DrillCard:
    options = tuple(
        OptionView(letter, emoji, f"option {letter}")
        for letter, emoji in zip("ABCD", ("one", "two", "three", "four"), strict=True)
    )
    return DrillCard(drill_id=7, seq=seq, total=3, objective_id="3.1.2", stem="Which one <really>?", options=options)


async def test_drill_buttons_carry_the_value_and_a_replay_changes_nothing_in_the_adapter(
    slack: SlackHarness, service: QuizService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Check 15 at the adapter: card -> Block Kit buttons; each press reaches press_button with its value.

    The service owns "a second press changes nothing"; here the same press twice gives two calls
    with identical arguments and two private answers.
    """
    pressed: list[tuple[Invocation, str]] = []
    answered: set[str] = set()

    async def handle(inv: Invocation, command: str, text: str) -> list[Reply]:
        return [Reply("Drill: 3 questions.", private=True, card=_card(1))]

    async def press_button(inv: Invocation, value: str) -> list[Reply]:
        pressed.append((inv, value))
        if value in answered:
            return [Reply("You already answered that one.", private=True)]
        answered.add(value)
        return [Reply("Right!", private=True, card=_card(2))]

    monkeypatch.setattr(service, "handle_command", handle)
    monkeypatch.setattr(service, "press_button", press_button, raising=False)
    await slack.command("/drill", "3.1", key="drill")
    await slack.idle()
    [card] = slack.replies("drill")
    assert card["response_type"] == "ephemeral"
    actions = next(b for b in card["blocks"] if b["type"] == "actions")
    buttons = {e["text"]["text"]: (e["action_id"], e["value"]) for e in actions["elements"]}
    assert buttons["B"] == ("drill_answer_B", "drill:7:1:B")
    assert "&lt;really&gt;" in str(card["blocks"])

    for _ in range(2):
        status, _, elapsed = await slack.action(*buttons["B"], key="press")
        assert status == 200 and elapsed < 1.0
    await slack.idle()
    assert [v for _, v in pressed] == ["drill:7:1:B", "drill:7:1:B"]
    assert (pressed[0][0].workspace, pressed[0][0].channel, pressed[0][0].user) == ("T1", "C1", "UALICE")
    first, second = slack.replies("press")
    assert first["response_type"] == second["response_type"] == "ephemeral"
    assert "Right!" in first["text"] and "already answered" in second["text"]


def _chart_reply(private: bool) -> Reply:
    from bot.core.charts import ChartImage

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    table = Table("Members by points", ("#", "Member", "Points"), (("1", "ada", "3"),))
    return Reply(
        "",
        private=private,
        tables=(table,),
        title="Leaderboard",
        image=ChartImage(png, "Leaderboard. Points by member: ada 3.", "weekly-board.png"),
    )


async def test_a_chart_is_uploaded_after_the_text_with_its_alt_text(
    slack: SlackHarness, fake: FakeSlack, service: QuizService, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def handle(inv: Invocation, command: str, text: str) -> list[Reply]:
        return [_chart_reply(private=command == "/stats")]

    monkeypatch.setattr(service, "handle_command", handle)
    await slack.command("/leaderboard", "", user="UBOB", key="lb")
    await slack.command("/stats", "", user="UBOB", key="st")
    await slack.idle()
    [lb], [st] = slack.replies("lb"), slack.replies("st")
    assert lb["response_type"] == "in_channel" and "Members by points" in lb["blocks"][1]["text"]["text"]
    assert st["response_type"] == "ephemeral"
    public, private = sorted(fake.uploads.values(), key=lambda u: str(u["channel"]))
    assert public["channel"] == "C1" and private["channel"] == "DUBOB"  # a private chart goes by DM
    for up in (public, private):
        assert up["filename"] == "weekly-board.png" and up["data"].startswith(b"\x89PNG")
        assert up["alt_txt"] == "Leaderboard. Points by member: ada 3." and up["length"] == len(up["data"])


async def test_a_refused_upload_keeps_the_text_and_tells_an_admin_once(
    slack: SlackHarness,
    fake: FakeSlack,
    service: QuizService,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.refuse_files.add("T1")
    fake.admins.add("UADMIN")

    async def handle(inv: Invocation, command: str, text: str) -> list[Reply]:
        return [_chart_reply(private=False)]

    monkeypatch.setattr(service, "handle_command", handle)
    for key in ("a", "b"):
        await slack.command("/leaderboard", "", user="UADMIN", key=key)
        await slack.idle()
    await slack.command("/leaderboard", "", user="UBOB", key="c")
    await slack.idle()
    texts = {k: [r["text"] for r in slack.replies(k)] for k in ("a", "b", "c")}
    assert all(any("Members by points" in t or "Leaderboard" in t for t in v) for v in texts.values())
    notices = [t for v in texts.values() for t in v if "files:write" in t]
    assert len(notices) == 1 and notices[0] in texts["a"]  # once, to the admin, with what to grant
    assert "Slack refused the upload (missing_scope)" in notices[0]
    assert not fake.uploads and caplog.text.count("add the files:write scope") == 1
