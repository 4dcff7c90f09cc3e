"""The Store contract: the same assertions on the in-memory fake and on the SQL store (SQLite, and PostgreSQL
when TEST_DATABASE_URL is set), so service tests on ``MemoryStore`` mean what they would mean on a database.

Lists whose order the SQL does not fix (GROUP BY results, cards, first attempts) are compared sorted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import os
import zoneinfo
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol

import pytest

from bot.core.answers import ReactionEvent
from bot.core.ports import ChannelInfo, PostInfo, Store
from tests.conftest import _drop_pg_database, _fresh_pg_database, sqlite_url
from tests.fakes.memory_store import MemoryStore

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)  # a Monday
DAY = T0.date()
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


class ContractStore(Store, Protocol):
    """The port plus the two diagnostics both implementations offer to tests."""

    async def count_rows(self, table: str) -> int: ...

    async def audit_entries(self, workspace_id: int) -> list[dict[str, Any]]: ...


_typed: ContractStore = MemoryStore()  # mypy: the fake satisfies the port structurally


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ContractStore]:
    if request.param == "memory":
        yield MemoryStore()
        return
    from storage.db import create_engine
    from storage.migrate import upgrade_async
    from storage.store import SqlStore

    pg_name = base = None
    if request.param == "sqlite":
        url = sqlite_url(tmp_path)
    else:
        base = os.environ.get("TEST_DATABASE_URL")
        if not base:
            pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL storage tests need a server (.ci/run starts one)")
        url, pg_name = await _fresh_pg_database(base)
    await upgrade_async(url)
    engine = create_engine(url)
    try:
        yield SqlStore(engine)
    finally:
        await engine.dispose()
        if base and pg_name:
            await _drop_pg_database(base, pg_name)


# -- helpers --------------------------------------------------------------------------------------
async def channel(
    store: Store, ws: int, ext: str = "C1", name: str = "general", tz: str = "Europe/Berlin"
) -> ChannelInfo:
    return await store.subscribe_channel(ws, ext, name, tz, "09:00", T0)


async def posted(
    store: Store,
    ch: ChannelInfo,
    day: dt.date = DAY,
    slot: int = 0,
    *,
    qid: str = "q1",
    objective: str = "1.2.3",
    ref: str | None = "ts1",
    reveal: dt.timedelta = dt.timedelta(hours=8),
) -> PostInfo:
    post = await store.reserve_post(ch.id, day, slot, qid, objective, (2, 0, 1, 3), "coverage", "", T0 + reveal, T0)
    assert post is not None
    if ref is not None:
        await store.mark_posted(post.id, ref, T0)
    found = await store.get_post(post.id)
    assert found is not None
    return found


async def drill_answer(
    store: Store,
    ws: int,
    person: int,
    qid: str,
    objective: str,
    correct: bool,
    at: dt.datetime,
    *,
    option: int = 0,
    team: int | None = None,
) -> None:
    """One scored drill answer (a one-question drill), as the service records it."""
    drill_id = await store.create_drill(ws, person, "topic:1", [(qid, (0, 1, 2, 3))], at, at + dt.timedelta(hours=2))
    drill = await store.get_drill(drill_id)
    assert drill is not None
    values = {
        "workspace_id": ws,
        "person_id": person,
        "team_id": team,
        "channel_id": None,
        "question_id": qid,
        "objective_id": objective,
        "subtopic_id": objective.rsplit(".", 1)[0],
        "topic_id": objective.split(".")[0],
        "source": "drill",
        "post_id": None,
        "drill_id": drill_id,
        "drill_seq": 0,
        "option": option,
        "correct": correct,
        "answered_at": at,
    }
    assert await store.answer_drill(drill, 0, values, True)


def event(
    delivery: str, option: int | None, added: bool = True, at: dt.datetime = T0, is_bot: bool = False
) -> ReactionEvent:
    return ReactionEvent(delivery, "ignored", option, added, at, is_bot)


# -- the port itself ------------------------------------------------------------------------------
def test_memory_store_has_every_store_method_with_the_same_signature() -> None:
    from storage.store import SqlStore

    # Store is the union of role ports: collect the methods of every role it is made of
    names = sorted({n for role in Store.__mro__ for n, v in vars(role).items() if inspect.iscoroutinefunction(v)})
    assert len(names) > 50
    for name in names:
        port = inspect.signature(getattr(Store, name))
        for impl in (MemoryStore, SqlStore):
            method = getattr(impl, name)
            assert inspect.iscoroutinefunction(method), (impl, name)
            sig = inspect.signature(method)
            assert [(p.name, p.kind, p.default) for p in sig.parameters.values()] == [
                (p.name, p.kind, p.default) for p in port.parameters.values()
            ], (impl, name)


# -- workspaces, people ---------------------------------------------------------------------------
async def test_atomic_block_commits_its_calls_together_and_a_block_inside_joins_it(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1", "Acme")
    async with store.atomic():
        ch = await channel(store, ws)
        async with store.atomic():
            post = await store.reserve_post(ch.id, DAY, 0, "q1", "1.2.3", (0, 1, 2, 3), "coverage", "", T0, T0)
        assert post is not None
        # a read inside the block sees the block's own writes
        assert (await store.channel_post_summary(ch.id, DAY)).slots_on_day == (0,)
        await store.mark_posted(post.id, "ts1", T0)
    found = await store.get_post(post.id)
    assert found is not None and found.status == "posted" and found.message_ref == "ts1"


async def test_reserve_and_mark_posted_return_the_post_as_stored(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1", "Acme")
    ch = await channel(store, ws)
    post = await store.reserve_post(ch.id, DAY, 0, "q1", "1.2.3", (2, 0, 1, 3), "coverage", "", T0, T0)
    assert post is not None and post.status == "reserved" and post == await store.get_post(post.id)
    assert await store.reserve_post(ch.id, DAY, 0, "q2", "1.2.4", (0, 1, 2, 3), "coverage", "", T0, T0) is None
    posted = await store.mark_posted(post.id, "ts1", T0 + dt.timedelta(seconds=1))
    assert posted is not None and posted.status == "posted" and posted.message_ref == "ts1"
    assert posted == await store.get_post(post.id)
    assert await store.mark_posted(999_999, "ts2", T0) is None


async def test_atomic_block_that_raises_leaves_nothing_of_its_calls(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1", "Acme")
    ch = await channel(store, ws)
    with pytest.raises(RuntimeError, match="platform down"):
        async with store.atomic():
            post = await store.reserve_post(ch.id, DAY, 0, "q1", "1.2.3", (0, 1, 2, 3), "coverage", "", T0, T0)
            assert post is not None
            await store.ensure_person(ws, "U1", "Ada")
            async with store.atomic():  # the inner block's writes go with the outer one
                await store.mark_posted(post.id, "ts1", T0)
            raise RuntimeError("platform down")
    assert (await store.channel_post_summary(ch.id, DAY)).slots_on_day == ()
    assert await store.count_rows("post") == 0
    assert await store.count_rows("person") == 0
    # and the store works as before afterwards
    again = await store.reserve_post(ch.id, DAY, 0, "q1", "1.2.3", (0, 1, 2, 3), "coverage", "", T0, T0)
    assert again is not None and again.slot == 0


async def test_atomic_blocks_of_concurrent_tasks_do_not_share_a_transaction(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1", "Acme")
    ch = await channel(store, ws)

    async def post_in_slot(slot: int, fail: bool) -> None:
        async with store.atomic():
            await store.reserve_post(ch.id, DAY, slot, f"q{slot}", "1.2.3", (0, 1, 2, 3), "coverage", "", T0, T0)
            if fail:
                raise RuntimeError(f"slot {slot} failed")

    results = await asyncio.gather(*(post_in_slot(s, fail=s % 2 == 1) for s in range(4)), return_exceptions=True)
    assert [type(r).__name__ for r in results] == ["NoneType", "RuntimeError", "NoneType", "RuntimeError"]
    assert (await store.channel_post_summary(ch.id, DAY)).slots_on_day == (0, 2)


async def test_workspaces_are_unique_per_platform_and_keep_their_first_name(store: ContractStore) -> None:
    a = await store.ensure_workspace("slack", "T1", "Acme")
    assert await store.ensure_workspace("slack", "T1", "Renamed") == a
    b = await store.ensure_workspace("discord", "T1")
    assert b != a
    ch = await channel(store, b)
    assert ch.ref.platform == "discord" and ch.ref.workspace == "T1" and ch.ref.channel == "C1"


async def test_people_are_unique_per_workspace_and_names_update_only_when_given(store: ContractStore) -> None:
    ws, other = await store.ensure_workspace("slack", "T1"), await store.ensure_workspace("slack", "T2")
    alice = await store.ensure_person(ws, "UA", "alice")
    assert await store.ensure_person(ws, "UA") == alice
    assert await store.ensure_person(other, "UA") != alice
    bob = await store.ensure_person(ws, "UB")
    assert await store.person_names([alice, bob, 999_999]) == {alice: "alice", bob: "UB"}  # external id stands in
    assert await store.ensure_person(ws, "UA", "Alice L.") == alice
    assert await store.person_names([alice]) == {alice: "Alice L."}
    await store.ensure_person(ws, "UA", "")
    assert await store.person_names([alice]) == {alice: "Alice L."}
    assert await store.person_names([]) == {}
    assert await store.count_rows("person") == 3


async def test_the_asker_is_the_workspace_and_person_ensure_gives_created_once_name_kept_current(
    store: ContractStore,
) -> None:
    ws, ada = await store.ensure_asker("slack", "T1", "Acme", "UA", "Ada")  # both new
    assert await store.ensure_workspace("slack", "T1") == ws
    assert await store.ensure_person(ws, "UA") == ada
    assert await store.ensure_asker("slack", "T1", "Acme", "UA", "Ada") == (ws, ada)  # both known
    assert await store.ensure_asker("slack", "T1", "", "UA", "") == (ws, ada)  # no name given: kept
    assert await store.person_names([ada]) == {ada: "Ada"}
    assert await store.ensure_asker("slack", "T1", "Acme", "UA", "Ada L.") == (ws, ada)  # renamed
    assert await store.person_names([ada]) == {ada: "Ada L."}
    ws2, bob = await store.ensure_asker("slack", "T1", "Acme", "UB", "Bob")  # known workspace, new person
    assert ws2 == ws and bob != ada
    other, ada_there = await store.ensure_asker("discord", "T1", "Acme", "UA", "Ada")  # same ids, other platform
    assert other != ws and ada_there not in (ada, bob)
    assert await store.ensure_workspace("discord", "T1") == other
    assert await store.count_rows("person") == 3


async def test_find_person_by_exact_external_id_or_display_name_ignoring_case(store: ContractStore) -> None:
    ws, other = await store.ensure_workspace("slack", "T1"), await store.ensure_workspace("slack", "T2")
    alice = await store.ensure_person(ws, "UA", "Alice")
    await store.ensure_person(other, "UB", "Bob")
    assert await store.find_person(ws, "UA") == alice
    assert await store.find_person(ws, "ALICE") == alice
    assert await store.find_person(ws, "ua") is None  # external ids are exact
    assert await store.find_person(ws, "bob") is None  # another workspace
    twin = await store.ensure_person(ws, "alice")
    assert twin != alice
    assert await store.find_person(ws, "alice") == alice  # both match: the older one


# -- channels -------------------------------------------------------------------------------------
async def test_subscribe_creates_a_channel_that_is_its_own_team(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    ch = await channel(store, ws)
    assert (ch.name, ch.tz, ch.post_time, ch.reveal_minutes, ch.active) == (
        "general",
        "Europe/Berlin",
        "09:00",
        480,
        True,
    )
    assert ch.scheduled_since == T0 and ch.focus_topic is None and ch.focus_until is None
    assert ch.team_id is not None
    assert await store.team_info(ch.team_id) == (ch.team_id, "#general", "Europe/Berlin", ws)
    assert await store.get_channel(ws, "C1") == ch == await store.channel_by_id(ch.id)
    assert await store.get_channel(ws, "C2") is None
    with pytest.raises(KeyError):
        await store.channel_by_id(ch.id + 1000)
    long = await store.subscribe_channel(ws, "C2", "", "UTC", "10:00", T0)
    team = await store.team_info(long.team_id or 0)
    assert team[1] == "#C2"  # no name: the external id
    wide = await store.subscribe_channel(ws, "C3", "x" * 100, "UTC", "10:00", T0)
    assert (await store.team_info(wide.team_id or 0))[1] == "#" + "x" * 79


async def test_resubscribe_updates_the_schedule_keeps_the_team_and_moves_its_zone(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    ch = await channel(store, ws)
    later = T0 + dt.timedelta(days=1)
    await store.update_channel(ch.id, later, active=False, reveal_minutes=60)
    again = await store.subscribe_channel(ws, "C1", "", "America/New_York", "07:30", later)
    assert again.id == ch.id and again.team_id == ch.team_id and again.active
    assert (again.name, again.tz, again.post_time, again.reveal_minutes) == ("general", "America/New_York", "07:30", 60)
    assert again.scheduled_since == later
    assert (await store.team_info(ch.team_id or 0))[2] == "America/New_York"
    assert (await store.subscribe_channel(ws, "C1", "renamed", "UTC", "07:30", later)).name == "renamed"


async def test_subscribe_joins_an_existing_team_of_that_name_without_changing_its_zone(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    team = await store.ensure_team(ws, "#general", "Asia/Tokyo")
    ch = await channel(store, ws)
    assert ch.team_id == team
    assert (await store.team_info(team))[2] == "Asia/Tokyo"


async def test_update_channel_changes_settings_and_schedule_stamp(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    ch = await channel(store, ws)
    t1, t2 = T0 + dt.timedelta(hours=1), T0 + dt.timedelta(hours=2)
    until = dt.datetime(2026, 3, 16, 9, 0, tzinfo=BERLIN)
    focused = await store.update_channel(ch.id, t1, focus_topic="3", focus_until=until, reveal_minutes=30)
    assert (focused.focus_topic, focused.focus_until, focused.reveal_minutes) == ("3", until, 30)
    assert focused.focus_until is not None and focused.focus_until.tzinfo == dt.UTC  # aware UTC back
    assert focused.scheduled_since == T0  # not a schedule change
    moved = await store.update_channel(ch.id, t2, post_time="10:00")
    assert moved.post_time == "10:00" and moved.scheduled_since == t2
    cleared = await store.update_channel(ch.id, t2, focus_topic=None, focus_until=None, team_id=None)
    assert cleared.focus_topic is None and cleared.focus_until is None and cleared.team_id is None
    with pytest.raises(ValueError):
        await store.update_channel(ch.id, t2, workspace_id=5)


async def test_active_channels_in_id_order_across_workspaces(store: ContractStore) -> None:
    ws1, ws2 = await store.ensure_workspace("slack", "T1"), await store.ensure_workspace("discord", "G1")
    a = await channel(store, ws1, "C1")
    b = await channel(store, ws2, "C9")
    c = await channel(store, ws1, "C2")
    await store.update_channel(b.id, T0, active=False)
    assert [x.id for x in await store.active_channels()] == [a.id, c.id]
    assert (await store.channel_by_id(b.id)).active is False


# -- posts ----------------------------------------------------------------------------------------
async def test_reserve_post_is_unique_per_channel_local_date_and_slot(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    ch, other = await channel(store, ws, "C1"), await channel(store, ws, "C2")
    at_berlin = T0.astimezone(BERLIN)
    post = await store.reserve_post(ch.id, DAY, 0, "q1", "1.2.3", (2, 0, 1, 3), "weak-spot", "d" * 300, T0, at_berlin)
    assert post is not None
    assert (post.status, post.option_order, post.reason, len(post.reason_detail)) == (
        "reserved",
        (2, 0, 1, 3),
        "weak-spot",
        200,
    )
    assert post.message_ref is None and post.posted_at is None and post.revealed_at is None
    assert post.created_at == T0 and post.created_at.tzinfo == dt.UTC
    assert await store.reserve_post(ch.id, DAY, 0, "q2", "1.2.4", (0, 1, 2, 3), "coverage", "", T0, T0) is None
    assert await store.reserve_post(ch.id, DAY, 1, "q2", "1.2.4", (0, 1, 2, 3), "manual", "", T0, T0) is not None
    assert await store.reserve_post(other.id, DAY, 0, "q2", "1.2.4", (0, 1, 2, 3), "coverage", "", T0, T0) is not None
    assert await store.reserve_post(
        ch.id, DAY + dt.timedelta(days=1), 0, "q3", "2.1.1", (0, 1, 2, 3), "coverage", "", T0, T0
    )
    assert await store.count_rows("post") == 4
    assert await store.get_post(post.id) == post
    assert await store.get_post(post.id + 1000) is None


async def test_posted_messages_are_found_by_reference_in_their_channel_only(store: ContractStore) -> None:
    ws, ws2 = await store.ensure_workspace("slack", "T1"), await store.ensure_workspace("slack", "T2")
    ch, ch2 = await channel(store, ws), await channel(store, ws2)
    post = await posted(store, ch, ref="ts42")
    assert (post.status, post.message_ref, post.posted_at) == ("posted", "ts42", T0)
    assert await store.post_by_message(ws, "C1", "ts42") == post
    assert await store.post_by_message(ws, "C2", "ts42") is None
    assert await store.post_by_message(ws2, "C1", "ts42") is None
    assert await store.post_by_message(ws, "C1", "ts43") is None
    other = await posted(store, ch2, ref="ts42")
    assert await store.post_by_message(ws2, "C1", "ts42") == other


async def test_failed_and_released_reservations_touch_only_reserved_posts(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    ch = await channel(store, ws)
    live = await posted(store, ch, slot=0)
    failing = await posted(store, ch, slot=1, ref=None)
    released = await posted(store, ch, slot=2, ref=None)
    await store.mark_failed(failing.id)
    await store.mark_failed(live.id)
    await store.release_reservation(released.id)
    await store.release_reservation(live.id)
    await store.release_reservation(failing.id)
    assert [(p.slot, p.status) for p in await store.channel_posts(ch.id)] == [(0, "posted"), (1, "failed")]
    assert await store.get_post(released.id) is None
    # the slot of a released reservation is free again; a failed one keeps its slot
    assert await store.reserve_post(ch.id, DAY, 2, "q9", "1.1.1", (0, 1, 2, 3), "coverage", "", T0, T0) is not None
    assert await store.reserve_post(ch.id, DAY, 1, "q9", "1.1.1", (0, 1, 2, 3), "coverage", "", T0, T0) is None


async def test_channel_posts_come_oldest_first_and_open_posts_by_id(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    ch, other = await channel(store, ws, "C1"), await channel(store, ws, "C2")
    late = await store.reserve_post(
        ch.id, DAY, 0, "q1", "1.1.1", (0, 1, 2, 3), "coverage", "", T0, T0 + dt.timedelta(hours=1)
    )
    early = await store.reserve_post(ch.id, DAY, 1, "q2", "1.1.2", (0, 1, 2, 3), "coverage", "", T0, T0)
    elsewhere = await posted(store, other, ref="tsX")
    assert late is not None and early is not None
    assert [p.id for p in await store.channel_posts(ch.id)] == [early.id, late.id]
    assert await store.open_posts() == [elsewhere]
    await store.mark_posted(late.id, "ts1", T0)
    await store.mark_posted(early.id, "ts2", T0)
    assert [p.id for p in await store.open_posts()] == sorted([early.id, late.id, elsewhere.id])
    assert [p.id for p in await store.open_posts(ch.id)] == sorted([early.id, late.id])


async def test_channel_post_summary_counts_questions_takes_the_days_slots_and_the_last_posts(
    store: ContractStore,
) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    ch, other = await channel(store, ws, "C1"), await channel(store, ws, "C2")
    d = dt.timedelta(days=1)
    empty = await store.channel_post_summary(ch.id, DAY)
    assert (empty.question_counts, empty.slots_on_day, empty.recent) == ({}, (), ())
    first = await posted(store, ch, DAY - 2 * d, qid="q1", ref="ts1")
    second = await posted(store, ch, DAY - d, qid="q2", ref="ts2")
    again = await posted(store, ch, DAY, 0, qid="q1", ref="ts3")
    failed = await posted(store, ch, DAY, 2, qid="q3", ref=None)
    await store.mark_failed(failed.id)
    bonus = await posted(store, ch, DAY, 1, qid="q2", ref=None)  # reserved, not sent
    await posted(store, other, DAY, 0, qid="q1", ref="tsX")
    summary = await store.channel_post_summary(ch.id, DAY)
    assert summary.question_counts == {"q1": 2, "q2": 2}  # the failed post does not count
    assert summary.slots_on_day == (0, 1, 2)  # every status takes its slot
    everything = await store.channel_posts(ch.id)
    assert [p.id for p in everything] == [first.id, second.id, again.id, failed.id, bonus.id]
    assert summary.recent == tuple(everything[-3:])
    assert (await store.channel_post_summary(ch.id, DAY - d, recent=5)).recent == tuple(everything)
    yesterday = await store.channel_post_summary(ch.id, DAY - d, recent=0)
    assert (yesterday.slots_on_day, yesterday.recent) == ((0,), ())
    assert (await store.channel_post_summary(ch.id, DAY + d)).slots_on_day == ()


async def test_due_reveals_and_a_reveal_claimed_exactly_once(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    ch = await channel(store, ws)
    slow = await posted(store, ch, slot=0, reveal=dt.timedelta(hours=8), ref="ts1")
    fast = await posted(store, ch, slot=1, reveal=dt.timedelta(hours=1), ref="ts2")
    reserved = await posted(store, ch, slot=2, reveal=dt.timedelta(minutes=1), ref=None)
    assert await store.due_reveals(T0) == []
    assert [p.id for p in await store.due_reveals(T0 + dt.timedelta(hours=1))] == [fast.id]  # due at the instant
    assert [p.id for p in await store.due_reveals(T0 + dt.timedelta(days=1))] == [fast.id, slow.id]
    assert not await store.claim_reveal(reserved.id, T0)
    at = T0 + dt.timedelta(hours=2)
    assert await store.claim_reveal(fast.id, at)
    assert not await store.claim_reveal(fast.id, at)
    revealed = await store.get_post(fast.id)
    assert revealed is not None and revealed.status == "revealed" and revealed.revealed_at == at
    assert [p.id for p in await store.due_reveals(T0 + dt.timedelta(days=1))] == [slow.id]
    assert [p.id for p in await store.open_posts()] == [slow.id]


# -- reactions and answers ------------------------------------------------------------------------
async def test_reaction_events_are_deduplicated_by_delivery_id_and_replayed_in_arrival_order(
    store: ContractStore,
) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    ch = await channel(store, ws)
    post, other = await posted(store, ch, slot=0, ref="ts1"), await posted(store, ch, slot=1, ref="ts2")
    alice, bob = await store.ensure_person(ws, "UA"), await store.ensure_person(ws, "UB")
    at = T0.astimezone(BERLIN) + dt.timedelta(minutes=5)
    assert await store.add_reaction_event(post.id, alice, event("E1", 0, at=at), "one", "event", T0)
    assert not await store.add_reaction_event(post.id, alice, event("E1", 1), "two", "event", T0)  # repeat delivery
    assert not await store.add_reaction_event(other.id, bob, event("E1", 2), "three", "event", T0)  # on any post
    assert await store.add_reaction_event(post.id, bob, event("E2", None, is_bot=True), "tada" * 40, "reconcile", T0)
    assert await store.add_reaction_event(post.id, alice, event("E3", 0, added=False), "one", "event", T0)
    assert await store.add_reaction_event(other.id, bob, event("E4", 3), "four", "event", T0)
    events = await store.reaction_events(post.id)
    assert [(pid, ev.delivery_id, ev.user_id, ev.option, ev.added, ev.is_bot) for pid, ev in events] == [
        (alice, "E1", str(alice), 0, True, False),
        (bob, "E2", str(bob), None, True, True),
        (alice, "E3", str(alice), 0, False, False),
    ]
    assert events[0][1].at == at and events[0][1].at.tzinfo == dt.UTC
    seqs = [ev.seq for _pid, ev in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3 and min(seqs) > 0
    assert [ev.delivery_id for _p, ev in await store.reaction_events(other.id)] == ["E4"]
    assert await store.count_rows("reaction_event") == 4


async def test_a_batch_of_reactions_creates_people_and_keeps_order_and_dedupe(store: ContractStore) -> None:
    from bot.core.ports import IncomingReaction

    ws = await store.ensure_workspace("slack", "T1")
    ch = await channel(store, ws)
    post = await posted(store, ch, slot=0, ref="ts1")
    alice = await store.ensure_person(ws, "UA", "alice")
    assert await store.add_reaction_event(post.id, alice, event("OLD", 0), "one", "event", T0)

    def row(delivery: str, user: str, option: int, name: str = "") -> IncomingReaction:
        return IncomingReaction(ws, user, name, False, post.id, event(delivery, option), "one", "event", T0)

    flags = await store.record_reactions(
        [
            row("B1", "UA", 1),
            row("B2", "UNEW", 2, "newbie"),
            row("B1", "UA", 3),  # a repeat inside the batch
            row("OLD", "UA", 3),  # already stored before the batch
            row("B3", "UNEW", 0, "newbie"),
        ]
    )
    assert flags == [True, True, False, False, True]
    assert await store.record_reactions([]) == []
    newbie = await store.ensure_person(ws, "UNEW")
    events = [(pid, ev.delivery_id, ev.option) for pid, ev in await store.reaction_events(post.id)]
    assert events == [(alice, "OLD", 0), (alice, "B1", 1), (newbie, "B2", 2), (newbie, "B3", 0)]  # arrival order
    assert (await store.person_names([newbie]))[newbie] == "newbie"
    assert await store.count_rows("person") == 2


async def test_daily_answers_are_saved_once_per_post_and_person(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    ch = await channel(store, ws)
    post = await posted(store, ch)
    a, b, c = [await store.ensure_person(ws, u) for u in ("UA", "UB", "UC")]
    await store.save_daily_answers(post, ch, {c: 1, a: 2, b: 2}, 2, T0)
    await store.save_daily_answers(post, ch, {a: 0, c: 2}, 2, T0 + dt.timedelta(hours=1))  # a repeat changes nothing
    await store.save_daily_answers(post, ch, {}, 2, T0)
    counts, right = await store.post_answer_counts(post.id)
    assert counts == {1: 1, 2: 2} and right == sorted([a, b])
    assert await store.count_rows("answer") == 3
    assert await store.post_answer_counts(post.id + 1000) == ({}, [])
    assert await store.person_answer_history(c) == [("1.2.3", T0, False)]


async def test_daily_answers_count_for_the_persons_team_else_the_channels(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    ch = await channel(store, ws)
    post = await posted(store, ch, objective="4.2.1")
    own = await store.ensure_team(ws, "Data Science")
    a, b = await store.ensure_person(ws, "UA"), await store.ensure_person(ws, "UB")
    await store.set_member(ws, own, a)
    await store.save_daily_answers(post, ch, {a: 0, b: 1}, 0, T0)
    assert await store.team_member_topic_stats(own) == [(a, "4", 1, 1)]
    assert await store.team_member_topic_stats(ch.team_id or 0) == [(b, "4", 0, 1)]
    assert await store.team_objective_stats(own) == [("4.2.1", 1, 1)]


# -- deliveries, weekly boards, audit -------------------------------------------------------------
async def test_delivery_claims_are_first_wins_and_pruned_when_old(store: ContractStore) -> None:
    assert await store.claim_delivery("Ev1", T0)
    assert not await store.claim_delivery("Ev1", T0 + dt.timedelta(seconds=1))
    assert await store.claim_delivery("Ev2", T0 + dt.timedelta(hours=1))
    assert await store.prune_deliveries(T0) == 0  # strictly older only
    assert await store.prune_deliveries(T0 + dt.timedelta(minutes=1)) == 1
    assert await store.count_rows("delivery") == 1
    assert await store.claim_delivery("Ev1", T0 + dt.timedelta(days=3))  # forgotten: new again
    assert not await store.claim_delivery("Ev2", T0)


async def test_weekly_board_is_claimed_once_per_channel_and_week_and_can_be_released(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    ch, other = await channel(store, ws, "C1"), await channel(store, ws, "C2")
    monday = dt.date(2026, 2, 23)
    assert await store.claim_weekly_board(ch.id, monday, T0)
    assert not await store.claim_weekly_board(ch.id, monday, T0)
    assert await store.claim_weekly_board(other.id, monday, T0)
    assert await store.claim_weekly_board(ch.id, monday + dt.timedelta(weeks=1), T0)
    await store.release_weekly_board(ch.id, monday)
    await store.release_weekly_board(ch.id, monday - dt.timedelta(weeks=5))  # nothing to release
    assert await store.claim_weekly_board(ch.id, monday, T0)


async def test_audit_entries_are_kept_per_workspace_in_order(store: ContractStore) -> None:
    ws, ws2 = await store.ensure_workspace("slack", "T1"), await store.ensure_workspace("slack", "T2")
    await store.audit(ws, "slack:UA", "alice", "subscribe", "channel=C1", T0)
    await store.audit(ws2, "slack:UB", "bob", "focus", "", T0)
    await store.audit(ws, "slack:UA", "alice", "settings", "tz=UTC", T0 + dt.timedelta(minutes=1))
    await store.audit(None, "cli", "", "doctor", "", T0)
    entries = await store.audit_entries(ws)
    assert [(e["actor"], e["action"], e["detail"], e["at"]) for e in entries] == [
        ("slack:UA", "subscribe", "channel=C1", T0),
        ("slack:UA", "settings", "tz=UTC", T0 + dt.timedelta(minutes=1)),
    ]
    assert await store.count_rows("audit_log") == 4


# -- spaced repetition ----------------------------------------------------------------------------
async def test_reviews_are_upserted_per_person_and_question(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    a, b = await store.ensure_person(ws, "UA"), await store.ensure_person(ws, "UB")
    assert await store.review_state(a, "q1") == (None, None)
    await store.save_review(a, "q1", "card-1", T0 + dt.timedelta(days=1), DAY)
    await store.save_review(a, "q2", "card-2", T0, DAY)
    await store.save_review(b, "q1", "card-b", T0, DAY)
    await store.save_review(a, "q1", "card-1b", T0 + dt.timedelta(days=3), DAY + dt.timedelta(days=1))
    assert await store.review_state(a, "q1") == ("card-1b", DAY + dt.timedelta(days=1))
    assert sorted(await store.person_cards(a)) == [("q1", "card-1b", T0 + dt.timedelta(days=3)), ("q2", "card-2", T0)]
    assert await store.due_reviews(a, T0) == {"q2": T0}  # due at the instant
    assert await store.due_reviews(a, T0 + dt.timedelta(days=3)) == {"q1": T0 + dt.timedelta(days=3), "q2": T0}


async def test_answer_history_seen_and_missed_questions(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    a, b = await store.ensure_person(ws, "UA"), await store.ensure_person(ws, "UB")
    h = dt.timedelta(hours=1)
    await drill_answer(store, ws, a, "q1", "1.1.1", False, T0)
    await drill_answer(store, ws, a, "q2", "1.1.1", False, T0 + h)
    await drill_answer(store, ws, a, "q1", "1.1.1", True, T0 + 2 * h)  # q1 is no longer missed
    await drill_answer(store, ws, a, "q3", "2.1.1", False, T0 + 3 * h)
    await drill_answer(store, ws, a, "q4", "2.1.1", True, T0 - h)
    await drill_answer(store, ws, b, "q5", "2.1.1", False, T0)
    assert await store.seen_questions(a) == {"q1", "q2", "q3", "q4"}
    assert await store.missed_questions(a) == ["q3", "q2"]  # most recent miss first
    assert sorted(await store.person_objective_stats(a)) == [("1.1.1", 1, 3), ("2.1.1", 1, 2)]
    assert await store.person_answer_history(a) == [
        ("2.1.1", T0 - h, True),
        ("1.1.1", T0, False),
        ("1.1.1", T0 + h, False),
        ("1.1.1", T0 + 2 * h, True),
        ("2.1.1", T0 + 3 * h, False),
    ]
    assert await store.seen_questions(999_999) == set() and await store.missed_questions(999_999) == []


async def test_daily_answer_times_count_only_daily_answers_since_the_instant(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    ch = await channel(store, ws)
    a, b, c = [await store.ensure_person(ws, u) for u in ("UA", "UB", "UC")]
    day1, day2 = await posted(store, ch, DAY, ref="ts1"), await posted(store, ch, DAY + dt.timedelta(days=1), ref="ts2")
    await store.save_daily_answers(day1, ch, {a: 0, b: 0}, 0, T0)
    await store.save_daily_answers(day2, ch, {a: 0}, 0, T0 + dt.timedelta(days=1))
    await drill_answer(store, ws, c, "q9", "1.1.1", True, T0 + dt.timedelta(days=1))
    times = await store.daily_answer_times([a, b, c], T0)
    assert {p: sorted(v) for p, v in times.items()} == {a: [T0, T0 + dt.timedelta(days=1)], b: [T0]}
    assert await store.daily_answer_times([a, b], T0 + dt.timedelta(seconds=1)) == {a: [T0 + dt.timedelta(days=1)]}
    assert await store.daily_answer_times([], T0) == {}


async def test_daily_answer_days_give_the_spans_between_bounds_that_hold_daily_answers(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    ch = await channel(store, ws)
    a, b, c = [await store.ensure_person(ws, u) for u in ("UA", "UB", "UC")]
    d = dt.timedelta(days=1)
    for k, who in enumerate(([a, b], [a], [b], [a])):
        post = await posted(store, ch, DAY + k * d, ref=f"ts{k}")
        await store.save_daily_answers(post, ch, dict.fromkeys(who, 0), 0, T0 + k * d)
    await drill_answer(store, ws, c, "q9", "1.1.1", True, T0 + d)  # not a daily answer
    bounds = [T0 - d, T0, T0 + d, T0 + 2 * d, T0 + 3 * d]  # the last answer (T0 + 3d) is at the end: outside
    assert await store.daily_answer_days([a, b, c], bounds) == {a: {1, 2}, b: {1, 3}}
    edge = [T0 + dt.timedelta(seconds=1), T0 + d, T0 + d + dt.timedelta(seconds=1)]  # an answer on a bound
    assert await store.daily_answer_days([a, b], edge) == {a: {1}}
    assert await store.daily_answer_days([], bounds) == {} and await store.daily_answer_days([a], [T0]) == {}


# -- drills ---------------------------------------------------------------------------------------
async def test_a_new_drill_replaces_the_active_one(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    a, b = await store.ensure_person(ws, "UA"), await store.ensure_person(ws, "UB")
    exp = T0 + dt.timedelta(hours=2)
    first = await store.create_drill(ws, a, "topic:" + "3" * 60, [("q1", (3, 2, 1, 0)), ("q2", [0, 1, 2, 3])], T0, exp)
    info = await store.get_drill(first)
    assert info is not None
    assert (info.workspace_id, info.person_id, info.position, info.status, info.created_at, info.expires_at) == (
        ws,
        a,
        0,
        "active",
        T0,
        exp,
    )
    assert info.scope == ("topic:" + "3" * 60)[:40]
    assert info.questions == [("q1", (3, 2, 1, 0)), ("q2", (0, 1, 2, 3))]
    theirs = await store.create_drill(ws, b, "due:", [("q1", (0, 1, 2, 3))], T0, exp)
    second = await store.create_drill(ws, a, "due:", [("q3", (0, 1, 2, 3))], T0, exp)
    assert (await store.get_drill(first) or info).status == "expired"
    active = await store.active_drill(a)
    assert active is not None and active.id == second
    assert (await store.active_drill(b) or info).id == theirs
    await store.expire_drill(second)
    assert await store.active_drill(a) is None
    assert await store.get_drill(second + 1000) is None


async def test_drill_answers_advance_once_per_question(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    a = await store.ensure_person(ws, "UA")
    drill_id = await store.create_drill(
        ws, a, "topic:1", [("q1", (0, 1, 2, 3)), ("q2", (0, 1, 2, 3))], T0, T0 + dt.timedelta(hours=2)
    )

    def values(seq: int, qid: str, correct: bool) -> dict[str, Any]:
        return {
            "workspace_id": ws,
            "person_id": a,
            "team_id": None,
            "channel_id": None,
            "question_id": qid,
            "objective_id": "1.2.3",
            "subtopic_id": "1.2",
            "topic_id": "1",
            "source": "drill",
            "post_id": None,
            "drill_id": drill_id,
            "drill_seq": seq,
            "option": 1,
            "correct": correct,
            "answered_at": T0 + dt.timedelta(minutes=seq),
        }

    drill = await store.get_drill(drill_id)
    assert drill is not None
    assert await store.answer_drill(drill, 0, values(0, "q1", True), False)
    assert not await store.answer_drill(drill, 0, values(0, "q1", False), False)  # pressed twice
    moved = await store.get_drill(drill_id)
    assert moved is not None and (moved.position, moved.status) == (1, "active")
    assert await store.answer_drill(moved, 1, values(1, "q2", False), True)
    done = await store.get_drill(drill_id)
    assert done is not None and (done.position, done.status) == (2, "done")
    assert await store.drill_results(drill_id) == [(0, "q1", "1.2.3", True), (1, "q2", "1.2.3", False)]
    assert await store.count_rows("answer") == 2
    assert await store.active_drill(a) is None
    await store.expire_drill(drill_id)  # only active drills expire
    assert (await store.get_drill(drill_id) or done).status == "done"


# -- teams ----------------------------------------------------------------------------------------
async def test_teams_are_unique_by_name_and_found_ignoring_case(store: ContractStore) -> None:
    ws, ws2 = await store.ensure_workspace("slack", "T1"), await store.ensure_workspace("slack", "T2")
    ds = await store.ensure_team(ws, "Data Science", "Europe/Berlin")
    assert await store.ensure_team(ws, "Data Science", "UTC") == ds  # the first zone stays
    assert await store.team_info(ds) == (ds, "Data Science", "Europe/Berlin", ws)
    assert await store.team_by_name(ws, "data science") == (ds, "Data Science", "Europe/Berlin")
    assert await store.team_by_name(ws2, "Data Science") is None
    elsewhere = await store.ensure_team(ws2, "Data Science")
    assert elsewhere != ds
    await store.set_team_tz(ds, "Asia/Tokyo")
    assert (await store.team_info(ds))[2] == "Asia/Tokyo"
    assert await store.team_names(ws) == {ds: "Data Science"}
    with pytest.raises(Exception):  # noqa: B017 - SQLAlchemy's NoResultFound, in both
        await store.team_info(ds + elsewhere + 1000)


async def test_membership_is_one_team_per_workspace_and_answers_follow_the_person(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    red, blue = await store.ensure_team(ws, "red"), await store.ensure_team(ws, "blue")
    a = await store.ensure_person(ws, "UA")
    await drill_answer(store, ws, a, "q1", "1.1.1", True, T0)  # teamless answer
    await store.set_member(ws, red, a, lead=True)
    assert await store.person_team(ws, a) == (red, True)
    assert await store.team_objective_stats(red) == [("1.1.1", 1, 1)]
    await store.set_member(ws, blue, a)  # a move keeps the lead flag unless given
    assert await store.person_team(ws, a) == (blue, True)
    assert await store.team_objective_stats(red) == [] and await store.team_objective_stats(blue) == [("1.1.1", 1, 1)]
    await store.set_member(ws, blue, a, lead=False)
    assert await store.person_team(ws, a) == (blue, False)
    await store.join_if_teamless(ws, red, a)  # already in a team: nothing
    assert await store.person_team(ws, a) == (blue, False)
    assert await store.remove_member(blue, a)
    assert not await store.remove_member(blue, a)
    assert await store.person_team(ws, a) is None
    assert await store.team_objective_stats(blue) == []  # answers now belong to no team
    await store.join_if_teamless(ws, red, a)
    assert await store.person_team(ws, a) == (red, False)
    assert await store.team_member_topic_stats(red) == [(a, "1", 1, 1)]


async def test_delete_team_leaves_members_channels_and_answers_teamless(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    ch = await channel(store, ws)
    team = ch.team_id
    assert team is not None
    a, b = await store.ensure_person(ws, "UA"), await store.ensure_person(ws, "UB")
    await store.set_member(ws, team, a)
    await store.set_member(ws, team, b, lead=True)
    await drill_answer(store, ws, a, "q1", "1.1.1", True, T0, team=team)
    assert await store.delete_team(team) == 2
    assert await store.team_by_name(ws, "#general") is None
    assert (await store.channel_by_id(ch.id)).team_id is None
    assert await store.person_team(ws, a) is None and await store.person_team(ws, b) is None
    assert await store.team_objective_stats(team) == []
    assert await store.person_objective_stats(a) == [("1.1.1", 1, 1)]  # the answer is kept
    assert await store.delete_team(team) == 0
    assert await store.teams(ws) == []


async def test_team_listing_by_name_with_members_by_display_name(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    zeta, alpha = await store.ensure_team(ws, "zeta", "UTC"), await store.ensure_team(ws, "alpha", "Europe/Berlin")
    carol, bob, anon = [await store.ensure_person(ws, u, n) for u, n in (("UC", "carol"), ("UB", "bob"), ("UX", ""))]
    await store.set_member(ws, alpha, carol, lead=True)
    await store.set_member(ws, alpha, bob)
    await store.set_member(ws, zeta, anon)
    assert await store.teams(ws) == [
        {
            "id": alpha,
            "name": "alpha",
            "tz": "Europe/Berlin",
            "members": [(bob, "bob"), (carol, "carol")],
            "leads": [(carol, "carol")],
        },
        {"id": zeta, "name": "zeta", "tz": "UTC", "members": [(anon, "UX")], "leads": []},
    ]


# -- leaderboards, weak spots, item analytics -----------------------------------------------------
async def test_first_attempts_count_each_question_once_per_person_within_the_window(store: ContractStore) -> None:
    ws, ws2 = await store.ensure_workspace("slack", "T1"), await store.ensure_workspace("slack", "T2")
    team = await store.ensure_team(ws, "red")
    a, b = await store.ensure_person(ws, "UA"), await store.ensure_person(ws, "UB")
    h = dt.timedelta(hours=1)
    week = (T0, T0 + dt.timedelta(days=7))
    await drill_answer(store, ws, a, "q0", "1.1.1", False, T0 - h, team=team)  # before the window
    await drill_answer(store, ws, a, "q0", "1.1.1", True, T0 + h, team=team)  # first in the window: counts
    await drill_answer(store, ws, a, "q1", "1.1.1", False, T0 + 2 * h, team=team)
    await drill_answer(store, ws, a, "q1", "1.1.1", True, T0 + 3 * h, team=team)  # a retry: not counted
    await drill_answer(store, ws, a, "q2", "2.1.1", True, T0, team=team)  # at the start: inside
    await drill_answer(store, ws, a, "q3", "2.1.1", True, week[1], team=team)  # at the end: outside
    await drill_answer(store, ws, b, "q1", "1.1.1", True, T0 + h)  # teamless
    other = await store.ensure_person(ws2, "UZ")
    await drill_answer(store, ws2, other, "q1", "1.1.1", True, T0 + h)
    assert sorted(await store.first_attempts(ws, *week), key=str) == sorted(
        [(team, a, "1", 2, 1), (team, a, "2", 1, 1), (None, b, "1", 1, 1)], key=str
    )
    assert sorted(await store.first_attempt_choices()) == sorted(
        [
            ("q0", a, 0, False),
            ("q1", a, 0, False),
            ("q2", a, 0, True),
            ("q3", a, 0, True),
            ("q1", b, 0, True),
            ("q1", other, 0, True),
        ]
    )


async def test_team_first_attempts_give_the_team_per_person_and_other_teams_summed(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    red, blue = await store.ensure_team(ws, "red"), await store.ensure_team(ws, "blue")
    a, b, c, d = [await store.ensure_person(ws, u) for u in ("UA", "UB", "UC", "UD")]
    h = dt.timedelta(hours=1)
    week = (T0, T0 + dt.timedelta(days=7))
    await drill_answer(store, ws, a, "q0", "1.1.1", True, T0 + h, team=red)
    await drill_answer(store, ws, a, "q0", "1.1.1", False, T0 + 2 * h, team=red)  # a retry: not counted
    await drill_answer(store, ws, b, "q1", "2.1.1", False, T0 + h, team=red)
    await drill_answer(store, ws, c, "q0", "1.1.1", True, T0 + h, team=blue)
    await drill_answer(store, ws, d, "q0", "1.1.1", False, T0 + h, team=blue)
    await drill_answer(store, ws, d, "q1", "1.1.1", True, T0 - h, team=blue)  # before the window
    await drill_answer(store, ws, d, "q2", "1.1.1", True, T0 + h)  # teamless: left out
    assert sorted(await store.team_first_attempts(ws, red, *week), key=str) == sorted(
        [(red, a, "1", 1, 1), (red, b, "2", 1, 0), (blue, None, "1", 2, 1)], key=str
    )
    assert sorted(await store.team_first_attempts(ws, blue, *week), key=str) == sorted(
        [(blue, c, "1", 1, 1), (blue, d, "1", 1, 0), (red, None, "1", 1, 1), (red, None, "2", 1, 0)], key=str
    )


async def test_team_objective_stats_windows_and_most_chosen_wrong_options(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    team, rival = await store.ensure_team(ws, "red"), await store.ensure_team(ws, "blue")
    a, b = await store.ensure_person(ws, "UA"), await store.ensure_person(ws, "UB")
    d = dt.timedelta(days=1)
    await drill_answer(store, ws, a, "q1", "1.1.1", False, T0 - 10 * d, option=2, team=team)
    await drill_answer(store, ws, a, "q1", "1.1.1", False, T0, option=3, team=team)
    await drill_answer(store, ws, b, "q1", "1.1.1", False, T0, option=3, team=team)
    await drill_answer(store, ws, b, "q2", "1.1.1", True, T0, option=0, team=team)
    await drill_answer(store, ws, b, "q3", "2.2.2", False, T0, option=1, team=team)
    await drill_answer(store, ws, a, "q1", "1.1.1", False, T0, option=1, team=rival)
    assert sorted(await store.team_objective_stats(team)) == [("1.1.1", 1, 4), ("2.2.2", 0, 1)]
    assert sorted(await store.team_objective_stats(team, since=T0 - d)) == [("1.1.1", 1, 3), ("2.2.2", 0, 1)]
    assert await store.team_objective_stats(team, since=T0 - 20 * d, until=T0) == [("1.1.1", 0, 1)]
    wrong = await store.team_wrong_choices(team, ["1.1.1"])
    assert wrong[0] == ("1.1.1", "q1", 3, 2) and sorted(wrong[1:]) == [("1.1.1", "q1", 2, 1)]
    assert await store.team_wrong_choices(team, []) == []
    assert sorted(await store.team_member_topic_stats(team)) == [(a, "1", 0, 2), (b, "1", 1, 2), (b, "2", 0, 1)]


async def test_team_objective_stats_from_a_moment_give_that_windows_figures_per_team(store: ContractStore) -> None:
    """What the daily question's weighting reads (the choice of the objectives asked for is
    ``bot.core.weakspots.asked_for_else_all``, tested in tests/core/test_weakspots.py)."""
    ws = await store.ensure_workspace("slack", "T1")
    team, rival = await store.ensure_team(ws, "red"), await store.ensure_team(ws, "blue")
    a, b = await store.ensure_person(ws, "UA"), await store.ensure_person(ws, "UB")
    d = dt.timedelta(days=1)
    await drill_answer(store, ws, a, "q1", "1.1.1", True, T0 - 10 * d, team=team)  # before the window
    await drill_answer(store, ws, a, "q1", "1.1.1", False, T0 - d, team=team)  # at its start
    await drill_answer(store, ws, b, "q2", "1.1.1", True, T0, team=team)
    await drill_answer(store, ws, b, "q3", "2.2.2", False, T0, team=team)
    await drill_answer(store, ws, b, "q4", "9.9.9", True, T0, team=team)
    await drill_answer(store, ws, a, "q1", "1.1.1", True, T0, team=rival)
    since = T0 - d
    everything = await store.team_objective_stats(team, since=since)
    assert sorted(everything) == [("1.1.1", 1, 2), ("2.2.2", 0, 1), ("9.9.9", 1, 1)]
    assert await store.team_objective_stats(team, since=T0 + d) == []  # no answer at all
    assert await store.team_objective_stats(rival, since=since) == [("1.1.1", 1, 1)]
    assert await store.team_objective_stats(rival, since=T0 + d) == []


# -- forget-me ------------------------------------------------------------------------------------
async def test_forget_person_deletes_their_rows_and_anonymises_their_audit_entries(store: ContractStore) -> None:
    ws, ws2 = await store.ensure_workspace("slack", "T1"), await store.ensure_workspace("slack", "T2")
    ch = await channel(store, ws)
    post = await posted(store, ch)
    a, b = await store.ensure_person(ws, "UA", "alice"), await store.ensure_person(ws, "UB", "bob")
    await store.add_reaction_event(post.id, a, event("E1", 0), "one", "event", T0)
    await store.add_reaction_event(post.id, b, event("E2", 1), "two", "event", T0)
    await store.save_daily_answers(post, ch, {a: 0, b: 1}, 0, T0)
    await drill_answer(store, ws, a, "q7", "2.1.1", True, T0)
    await store.save_review(a, "q7", "card", T0, DAY)
    await store.set_member(ws, ch.team_id or 0, a, lead=True)
    await store.audit(ws, "slack:UA", "alice", "subscribe", "", T0)
    await store.audit(ws, "slack:UB", "bob", "focus", "", T0)
    await store.audit(ws2, "slack:UA", "alice elsewhere", "subscribe", "", T0)
    assert await store.add_item_report("slack:view:V1", ws, a, "q7", "0123456789ab", "unclear", "which?", "drill", T0)
    await store.save_plan(a, T0, remind_time="08:00", tz="Europe/Berlin")
    await store.add_pause(a, DAY, DAY + dt.timedelta(days=3))
    assert await store.forget_person(a) == {
        "answers": 2,
        "reactions": 1,
        "reviews": 1,
        "drills": 1,
        "teams": 1,
        "plans": 1,
        "pauses": 1,
        "reports": 1,
    }
    assert await store.get_plan(a) is None and await store.pauses_of([a]) == {}
    assert await store.person_names([a, b]) == {b: "bob"}
    assert await store.find_person(ws, "UA") is None and await store.find_person(ws, "alice") is None
    assert await store.post_answer_counts(post.id) == ({1: 1}, [])
    assert [pid for pid, _ev in await store.reaction_events(post.id)] == [b]
    assert await store.review_state(a, "q7") == (None, None) and await store.active_drill(a) is None
    assert await store.person_team(ws, a) is None and await store.seen_questions(a) == set()
    assert [(e["actor"], e["actor_name"]) for e in await store.audit_entries(ws)] == [
        ("forgotten", ""),
        ("slack:UB", "bob"),
    ]
    assert [(e["actor"], e["actor_name"]) for e in await store.audit_entries(ws2)] == [("slack:UA", "alice elsewhere")]
    assert await store.count_rows("answer") == 1 and await store.count_rows("person") == 1
    # a new person with the same id is a stranger; forgetting nobody deletes nothing
    assert await store.ensure_person(ws, "UA") != a
    assert await store.forget_person(a) == {
        "answers": 0,
        "reactions": 0,
        "reviews": 0,
        "drills": 0,
        "teams": 0,
        "plans": 0,
        "pauses": 0,
        "reports": 0,
    }
    # the report stays for the authors, with no person: what, not who
    [kept] = await store.item_reports()
    assert (kept.question_id, kept.kind, kept.text) == ("q7", "unclear", "which?")
    assert await store.count_rows("item_report") == 1


# -- question reports ------------------------------------------------------------------------------
async def test_item_reports_are_stored_once_per_delivery_oldest_first(store: ContractStore) -> None:
    ws = await store.ensure_workspace("discord", "G1")
    a, b = await store.ensure_person(ws, "UA", "alice"), await store.ensure_person(ws, "UB", "bob")
    later = T0 + dt.timedelta(hours=2)
    assert await store.add_item_report(
        "discord:interaction:2", ws, b, "q2", "bbbbbbbbbbbb", "typo", "", "reveal", later
    )
    assert await store.add_item_report(
        "slack:view:V9", ws, a, "q1", "aaaaaaaaaaaa", "wrong_key", "B is right", "drill", T0
    )
    # the platform delivers the same submission again, with other values: nothing new is stored
    assert not await store.add_item_report("slack:view:V9", ws, b, "q3", "cccccccccccc", "other", "x", "exam", later)
    reports = await store.item_reports()
    assert [(r.question_id, r.bank_version, r.kind, r.text, r.source) for r in reports] == [
        ("q1", "aaaaaaaaaaaa", "wrong_key", "B is right", "drill"),
        ("q2", "bbbbbbbbbbbb", "typo", "", "reveal"),
    ]
    assert reports[0].created_at == T0 and reports[0].created_at.tzinfo is not None
    assert [r.question_id for r in await store.item_reports(since=T0 + dt.timedelta(hours=1))] == ["q2"]
    assert await store.count_rows("item_report") == 2


async def test_drill_start_reads_stats_seen_plan_team_zone_active_drill_and_the_due_reviews_a_cap_can_reach(
    store: ContractStore,
) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    a, b = await store.ensure_person(ws, "UA"), await store.ensure_person(ws, "UB")
    h, d = dt.timedelta(hours=1), dt.timedelta(days=1)
    empty = await store.drill_start(ws, a, T0, 20)
    assert (empty.objective_stats, empty.seen, empty.due, empty.plan, empty.team_tz, empty.active) == (
        (),
        frozenset(),
        {},
        None,
        None,
        None,
    )
    await drill_answer(store, ws, a, "q1", "1.1.1", False, T0)
    await drill_answer(store, ws, a, "q1", "1.1.1", True, T0 + h)
    await drill_answer(store, ws, a, "q2", "2.1.1", True, T0 + 2 * h)
    await drill_answer(store, ws, b, "q9", "3.1.1", True, T0)
    # due: two three days ago, three the day before yesterday (one at its last second), one yesterday; one not yet
    cards = {
        "old1": T0 - 3 * d,
        "old2": T0 - 3 * d + h,
        "mid1": T0 - 2 * d,
        "mid2": T0 - 2 * d + 2 * h,
        "mid3": dt.datetime.combine((T0 - 2 * d).date(), dt.time(23, 59, 59), tzinfo=dt.UTC),
        "new1": T0 - d,
        "later": T0 + h,
    }
    for qid, due in cards.items():
        await store.save_review(a, qid, "card", due, DAY)
    await store.save_review(b, "theirs", "card", T0 - 5 * d, DAY)
    due_now = {q: t for q, t in cards.items() if t <= T0}
    start = await store.drill_start(ws, a, T0, 3)  # no plan: the default cap of 3 reaches the second day
    assert sorted(start.objective_stats) == [("1.1.1", 1, 2), ("2.1.1", 1, 1)]
    assert start.seen == {"q1", "q2"}
    assert start.due == {q: due_now[q] for q in ("old1", "old2", "mid1", "mid2", "mid3")}
    assert (start.plan, start.team_tz, start.active) == (None, None, None)  # drill_answer's drills are done
    assert (await store.drill_start(ws, a, T0, 2)).due == {q: due_now[q] for q in ("old1", "old2")}
    assert (await store.drill_start(ws, a, T0, 6)).due == due_now  # the cap-th is the last due
    assert (await store.drill_start(ws, a, T0, 7)).due == due_now  # fewer due than the cap: all of them
    assert (await store.drill_start(ws, a, T0, 0)).due == {}
    assert (await store.drill_start(ws, a, T0 - 3 * d, 1)).due == {"old1": cards["old1"]}  # due at the instant
    plan = await store.save_plan(a, T0, daily_cap=1, tz="Asia/Tokyo")
    ch = await channel(store, ws)
    assert ch.team_id is not None
    await store.join_if_teamless(ws, ch.team_id, a)
    running = await store.create_drill(ws, a, "due:", [("q3", (0, 1, 2, 3))], T0, T0 + 2 * h)
    start = await store.drill_start(ws, a, T0, 20)  # the plan's cap wins over the default
    assert start.due == {q: due_now[q] for q in ("old1", "old2")}
    assert (start.plan, start.team_tz) == (plan, "Europe/Berlin")
    assert start.active is not None and start.active.id == running
    other = await store.drill_start(ws, b, T0, 20)
    assert (other.seen, other.due, other.team_tz, other.active) == (
        {"q9"},
        {"theirs": T0 - 5 * d},
        None,
        None,
    )


# -- study plans -----------------------------------------------------------------------------------
async def test_a_plan_is_created_on_first_save_and_changes_field_by_field(store: ContractStore) -> None:
    ws = await store.ensure_workspace("discord", "G1")
    a = await store.ensure_person(ws, "U1", "ann")
    assert await store.get_plan(a) is None
    plan = await store.save_plan(a, T0, remind_time="08:00", tz="Asia/Tokyo")
    assert (plan.platform, plan.workspace, plan.user) == ("discord", "G1", "U1")
    assert (plan.remind_time, plan.tz, plan.daily_cap, plan.exam_date, plan.weekly_summary) == (
        "08:00",
        "Asia/Tokyo",
        20,
        None,
        False,
    )
    plan = await store.save_plan(a, T0, exam_date=dt.date(2027, 2, 15), daily_cap=35)
    assert (plan.remind_time, plan.exam_date, plan.daily_cap) == ("08:00", dt.date(2027, 2, 15), 35)
    with pytest.raises(TypeError):
        await store.save_plan(a, T0, last_reminded_on=DAY)  # the bot's bookkeeping is not a setting
    assert await store.get_plan(a) == plan


async def test_only_plans_that_may_be_messaged_are_swept(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    a, b, c, d = [await store.ensure_person(ws, f"U{i}") for i in range(4)]
    await store.save_plan(a, T0, remind_time="08:00")
    await store.save_plan(b, T0, weekly_summary=True)
    await store.save_plan(c, T0, daily_cap=5)  # no reminder, no summary
    await store.save_plan(d, T0, remind_time="07:00", dm_blocked_at=T0)  # refused DMs: not retried
    assert [p.person_id for p in await store.messaged_plans()] == sorted([a, b])


async def test_the_sweep_reads_only_plans_whose_reminder_or_summary_has_not_gone_out_in_their_zone(
    store: ContractStore,
) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    people = [await store.ensure_person(ws, f"U{i}") for i in range(8)]
    fresh, today, yesterday, summary_done, summary_due, blocked, nothing, tokyo = people
    now = dt.datetime(2026, 3, 4, 16, 0, tzinfo=dt.UTC)  # Wednesday; already Thursday in Tokyo
    wednesday, monday = now.date(), now.date() - dt.timedelta(days=2)
    await store.save_plan(fresh, T0, remind_time="08:00", tz="Europe/Berlin")  # never reminded
    for person, day in ((today, wednesday), (yesterday, wednesday - dt.timedelta(days=1)), (tokyo, wednesday)):
        await store.save_plan(person, T0, remind_time="08:00", tz="Asia/Tokyo" if person == tokyo else "UTC")
        assert await store.claim_message(person, "reminder", day)
    await store.save_plan(summary_done, T0, weekly_summary=True)
    assert await store.claim_message(summary_done, "summary", monday)
    await store.save_plan(summary_due, T0, weekly_summary=True, remind_time="08:00")
    assert await store.claim_message(summary_due, "reminder", wednesday)  # reminded, but its summary is due
    assert await store.claim_message(summary_due, "summary", monday - dt.timedelta(days=7))
    await store.save_plan(blocked, T0, remind_time="08:00", dm_blocked_at=T0)
    await store.save_plan(nothing, T0, daily_cap=5)
    swept = await store.plans_to_message(now)
    assert [p.person_id for p in swept] == sorted([fresh, yesterday, summary_due, tokyo])
    assert swept == [p for p in await store.messaged_plans() if p.person_id in {fresh, yesterday, summary_due, tokyo}]
    assert [p.person_id for p in await store.plans_to_message(now + dt.timedelta(days=7))] == sorted(
        [fresh, today, yesterday, summary_done, summary_due, tokyo]
    )


async def test_reminded_people_are_counted_per_workspace(store: ContractStore) -> None:
    ws, other = await store.ensure_workspace("slack", "T1"), await store.ensure_workspace("slack", "T2")
    a, b, c, d = [await store.ensure_person(ws, f"U{i}") for i in range(4)]
    e = await store.ensure_person(other, "U9")
    assert await store.count_reminded(ws) == 0
    await store.save_plan(a, T0, remind_time="08:00")
    await store.save_plan(b, T0, remind_time="07:30", weekly_summary=True)
    await store.save_plan(c, T0, weekly_summary=True)  # a summary only: no reminders
    await store.save_plan(d, T0, remind_time="08:00", dm_blocked_at=T0)  # refused DMs
    await store.save_plan(e, T0, remind_time="08:00")
    assert (await store.count_reminded(ws), await store.count_reminded(other)) == (2, 1)


async def test_a_reminder_is_claimed_once_a_day_and_a_summary_once_a_week(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    a = await store.ensure_person(ws, "U1")
    assert not await store.claim_message(a, "reminder", DAY)  # no plan, nothing to claim
    await store.save_plan(a, T0, remind_time="08:00")
    assert await store.claim_message(a, "reminder", DAY)
    assert not await store.claim_message(a, "reminder", DAY)
    assert not await store.claim_message(a, "reminder", DAY - dt.timedelta(days=1))  # never backwards
    assert await store.claim_message(a, "summary", DAY)  # its own column
    assert await store.claim_message(a, "reminder", DAY + dt.timedelta(days=1))
    plan = await store.get_plan(a)
    assert plan is not None and (plan.last_reminded_on, plan.last_summary_on) == (DAY + dt.timedelta(days=1), DAY)


async def test_reviews_are_counted_per_local_day(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    a = await store.ensure_person(ws, "U1")
    assert [await store.count_review(a, DAY, T0) for _ in range(3)] == [1, 2, 3]
    assert await store.count_review(a, DAY + dt.timedelta(days=1), T0) == 1  # a new day starts again
    plan = await store.get_plan(a)
    assert plan is not None and (plan.reviews_on, plan.reviews_done) == (DAY + dt.timedelta(days=1), 1)


async def test_pauses_end_early_and_a_pause_ended_on_its_first_day_leaves_no_trace(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    a, b = await store.ensure_person(ws, "U1"), await store.ensure_person(ws, "U2")
    d = dt.timedelta(days=1)
    await store.add_pause(a, DAY, DAY + 14 * d)
    await store.add_pause(b, DAY, DAY + 2 * d)
    assert await store.end_pause(a, DAY - d) is None  # not paused that day
    assert await store.end_pause(a, DAY + 5 * d) == (DAY, DAY + 14 * d)
    assert await store.end_pause(b, DAY) == (DAY, DAY + 2 * d)
    assert await store.pauses_of([a, b]) == {a: [(DAY, DAY + 5 * d)]}
    plan = await store.save_plan(a, T0, remind_time="08:00")
    assert plan.pauses == ((DAY, DAY + 5 * d),)


async def test_rescheduled_reviews_keep_their_last_review_day(store: ContractStore) -> None:
    ws = await store.ensure_workspace("slack", "T1")
    a = await store.ensure_person(ws, "U1")
    await store.save_review(a, "q1", "card-1", T0, DAY)
    later = T0 + dt.timedelta(days=14)
    await store.reschedule_reviews(a, [("q1", "card-1b", later), ("q-missing", "x", later)])
    assert await store.person_cards(a) == [("q1", "card-1b", later)]
    assert await store.review_state(a, "q1") == ("card-1b", DAY)
    assert await store.count_rows("review") == 1


async def test_concurrent_claims_of_one_reminder_give_it_to_exactly_one(store: ContractStore) -> None:
    """Several bot processes sweeping at once (here: concurrent connections) send one reminder."""
    ws = await store.ensure_workspace("slack", "T1")
    a = await store.ensure_person(ws, "U1")
    await store.save_plan(a, T0, remind_time="08:00")
    won = await asyncio.gather(*(store.claim_message(a, "reminder", DAY) for _ in range(8)))
    assert sorted(won) == [False] * 7 + [True]


# -- first attempts kept as answers are written (answer.prev_at) ---------------------------------
def _expected_board(
    answers: list[dict[str, Any]], ws: int, team: int, start: dt.datetime, end: dt.datetime
) -> list[tuple[int, int | None, str, int, int]]:
    """``team_first_attempts`` recomputed from the raw answers: first per (person, question) by (time, order)."""
    seen: set[tuple[int, str]] = set()
    sums: dict[tuple[int, int | None, str], list[int]] = {}
    for a in sorted(answers, key=lambda a: (a["at"], a["seq"])):
        if a["ws"] != ws or not start <= a["at"] < end or (a["person"], a["question"]) in seen:
            continue
        seen.add((a["person"], a["question"]))
        if a["team"] is None:
            continue
        s = sums.setdefault((a["team"], a["person"] if a["team"] == team else None, a["topic"]), [0, 0])
        s[0] += 1
        s[1] += int(a["correct"])
    return sorted(((t, p, topic, n, r) for (t, p, topic), (n, r) in sums.items()), key=str)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_team_first_attempts_equal_a_recomputation_after_random_writes_moves_and_deletions(
    store: ContractStore, seed: int
) -> None:
    """Answers out of time order, ties in time, daily saves for many people, team moves and removals, team
    deletion and forget-me, in a random order: after each, every team's board of two windows equals the
    recomputation from the raw answers (the SQL store reads it from ``prev_at``, kept by every write)."""
    import random

    rng = random.Random(seed)
    ws = await store.ensure_workspace("slack", "T1")
    ch = await channel(store, ws)
    assert ch.team_id is not None
    teams = [ch.team_id, await store.ensure_team(ws, "red"), await store.ensure_team(ws, "blue")]
    people = [await store.ensure_person(ws, f"U{i}") for i in range(4)]
    member: dict[int, int] = {}
    answers: list[dict[str, Any]] = []
    h = dt.timedelta(hours=1)
    slot = 0
    windows = [(T0, T0 + dt.timedelta(days=7)), (T0 + 20 * h, T0 + 60 * h)]
    for step in range(40):
        kind = rng.choice(["drill", "drill", "drill", "daily", "move", "remove", "delete", "forget"])
        person = rng.choice(people)
        if kind == "drill":
            qid = rng.choice(["q0", "q1", "q2"])
            at, correct, topic = T0 + rng.randint(-10, 80) * h, rng.random() < 0.5, rng.choice(["1", "2"])
            team = member.get(person)
            await drill_answer(store, ws, person, qid, f"{topic}.1.1", correct, at, team=team)
            answers.append(
                {"ws": ws, "person": person, "question": qid, "team": team, "topic": topic, "correct": correct}
                | {"at": at, "seq": step}
            )
        elif kind == "daily":
            qid, slot = rng.choice(["q0", "q1", "q2"]), slot + 1
            post = await posted(store, ch, slot=slot, qid=qid, objective="3.1.1")
            chosen = {p: rng.randint(0, 3) for p in rng.sample(people, rng.randint(1, len(people)))}
            at = T0 + rng.randint(-10, 80) * h
            await store.save_daily_answers(post, ch, chosen, 2, at)
            for p in sorted(chosen):
                answers.append(
                    {"ws": ws, "person": p, "question": qid, "team": member.get(p, ch.team_id), "topic": "3"}
                    | {"correct": chosen[p] == 2, "at": at, "seq": step}
                )
        elif kind == "move":
            team = rng.choice(teams)
            await store.set_member(ws, team, person)
            member[person] = team
            for a in answers:
                if a["person"] == person:
                    a["team"] = team
        elif kind == "remove" and person in member:
            team = member.pop(person)
            assert await store.remove_member(team, person)
            for a in answers:
                if a["person"] == person and a["team"] == team:
                    a["team"] = None
        elif kind == "delete" and len(teams) > 1:
            team = teams.pop(rng.randrange(1, len(teams)))  # the channel's own team stays for daily posts
            await store.delete_team(team)
            member = {p: t for p, t in member.items() if t != team}
            for a in answers:
                if a["team"] == team:
                    a["team"] = None
            teams.append(await store.ensure_team(ws, f"new{step}"))
        elif kind == "forget":
            await store.forget_person(person)
            people[people.index(person)] = await store.ensure_person(ws, f"U{step}x")
            member.pop(person, None)
            answers = [a for a in answers if a["person"] != person]
        for team in teams:
            for start, end in windows:
                assert sorted(await store.team_first_attempts(ws, team, start, end), key=str) == _expected_board(
                    answers, ws, team, start, end
                ), (step, kind, team, start)
    assert await store.count_rows("answer") == len(answers)
