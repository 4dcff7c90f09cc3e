"""The team totals of migration 0009 (kept by triggers on ``answer``) equal a recomputation from the answers,
whatever wrote them: inserts one at a time and many at once, a person moving team, leaving it, being
forgotten, a team deleted; and ``team_objective_stats`` windows that start and end inside UTC days, on a
midnight, or within one day. Also: the upgrade to 0009 backfills the totals from the answers already stored."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from typing import Any

from alembic import command
from sqlalchemy import func, select

from storage.db import create_engine
from storage.migrate import alembic_config, upgrade_async
from storage.sql import TMT, TOD, TOT, A, _n_correct
from storage.store import SqlStore

T0 = dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC)  # a Monday midnight, UTC


def _answer(rng: random.Random, ws: int, person: int, team: int | None, seq: int) -> dict[str, Any]:
    topic = rng.choice("123")
    objective = f"{topic}.{rng.randint(1, 2)}.{rng.randint(1, 2)}"
    return {
        "workspace_id": ws,
        "person_id": person,
        "team_id": team,
        "question_id": f"q{seq}",
        "objective_id": objective,
        "subtopic_id": objective.rsplit(".", 1)[0],
        "topic_id": topic,
        "source": "drill",
        "option": rng.randint(0, 3),
        "correct": rng.random() < 0.55,
        # minutes apart over ten days, some exactly on midnight
        "answered_at": T0
        + dt.timedelta(minutes=rng.choice([0, 1440, 2880]) if seq % 17 == 0 else rng.randint(-1440, 14400)),
    }


async def _recomputed(
    store: SqlStore, team: int, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[tuple[str, int, int]]:
    where = [A.c.team_id == team]
    if since is not None:
        where.append(A.c.answered_at >= since)
    if until is not None:
        where.append(A.c.answered_at < until)
    async with store.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(A.c.objective_id, _n_correct(A.c.correct), func.count()).where(*where).group_by(A.c.objective_id)
            )
        ).all()
    return sorted((r[0], int(r[1] or 0), int(r[2])) for r in rows)


async def _members_recomputed(store: SqlStore, team: int) -> list[tuple[int, str, int, int]]:
    async with store.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(A.c.person_id, A.c.topic_id, _n_correct(A.c.correct), func.count())
                .where(A.c.team_id == team)
                .group_by(A.c.person_id, A.c.topic_id)
            )
        ).all()
    return sorted((int(r[0]), r[1], int(r[2] or 0), int(r[3])) for r in rows)


async def _days_recomputed(store: SqlStore) -> list[tuple[int, dt.date, str, int, int]]:
    async with store.engine.connect() as conn:
        answers = (await conn.execute(select(A.c.team_id, A.c.answered_at, A.c.objective_id, A.c.correct))).all()
        kept = (await conn.execute(select(TOD.c.team_id, TOD.c.day, TOD.c.objective_id, TOD.c.n_right, TOD.c.n))).all()
    days: dict[tuple[int, dt.date, str], list[int]] = {}
    for team, at, objective, correct in answers:
        if team is not None:
            cell = days.setdefault((team, at.astimezone(dt.UTC).date(), objective), [0, 0])
            cell[0] += int(correct)
            cell[1] += 1
    assert sorted((int(t), d, o, int(c), int(n)) for t, d, o, c, n in kept) == sorted(
        (t, d, o, c, n) for (t, d, o), (c, n) in days.items()
    ), "team_objective_day is not the answers summed per team, UTC day and objective"
    return sorted((t, d, o, c, n) for (t, d, o), (c, n) in days.items())


async def _assert_totals(store: SqlStore, teams: list[int], rng: random.Random) -> None:
    await _days_recomputed(store)
    for team in teams:
        assert sorted(await store.team_objective_stats(team)) == await _recomputed(store, team), "all time"
        assert sorted(await store.team_member_topic_stats(team)) == await _members_recomputed(store, team)
        windows: list[tuple[dt.datetime | None, dt.datetime | None]] = [
            (T0 + dt.timedelta(days=1), None),  # on a midnight
            (None, T0 + dt.timedelta(days=3)),
            (T0 + dt.timedelta(hours=30), T0 + dt.timedelta(hours=34)),  # inside one day
            (T0 + dt.timedelta(hours=30), T0 + dt.timedelta(hours=50)),  # across one midnight, no whole day
            (T0 + dt.timedelta(hours=-3), T0 + dt.timedelta(days=9)),
            (T0 + dt.timedelta(days=4), T0 + dt.timedelta(days=4)),  # empty
        ]
        for _ in range(6):  # random minutes, as "now - 7 days" gives
            start = T0 + dt.timedelta(minutes=rng.randint(-2000, 15000))
            windows.append((start, start + dt.timedelta(minutes=rng.randint(1, 9000))))
            windows.append((start, None))
        for since, until in windows:
            got = sorted(await store.team_objective_stats(team, since=since, until=until))
            assert got == await _recomputed(store, team, since, until), (since, until)
    async with store.engine.connect() as conn:
        for table in (TOT, TOD, TMT):
            assert (await conn.execute(select(func.count()).select_from(table).where(table.c.n <= 0))).scalar_one() == 0


async def test_totals_follow_every_change_of_the_answers(any_db_url: str) -> None:
    await upgrade_async(any_db_url)
    engine = create_engine(any_db_url)
    rng = random.Random(15)
    try:
        store = SqlStore(engine)
        ws = await store.ensure_workspace("slack", "T1")
        red, blue, green = [await store.ensure_team(ws, n) for n in ("red", "blue", "green")]
        teams = [red, blue, green]
        people = [await store.ensure_person(ws, f"U{i}") for i in range(8)]
        home = {p: teams[i % 3] for i, p in enumerate(people)}
        for p, t in home.items():
            await store.set_member(ws, t, p)
        async with engine.begin() as conn:
            for seq in range(60):  # one at a time
                p = rng.choice(people)
                await conn.execute(A.insert().values(_answer(rng, ws, p, rng.choice([home[p], None]), seq)))
            # many in one statement
            await conn.execute(
                A.insert(), [_answer(rng, ws, rng.choice(people), rng.choice(teams), s) for s in range(60, 200)]
            )
        await _assert_totals(store, teams, rng)

        await store.set_member(ws, blue, people[0])  # moves their answers (from red) to blue
        await store.remove_member(green, people[2])  # their answers leave green
        await _assert_totals(store, teams, rng)
        assert await _members_recomputed(store, blue) and people[0] in {
            m[0] for m in await store.team_member_topic_stats(blue)
        }

        await store.forget_person(people[1])
        await _assert_totals(store, teams, rng)

        await store.delete_team(green)
        await _assert_totals(store, [red, blue], rng)
        assert await store.team_objective_stats(green) == [] and await store.team_member_topic_stats(green) == []
    finally:
        await engine.dispose()


async def test_upgrade_to_0009_backfills_the_totals(any_db_url: str) -> None:
    await upgrade_async(any_db_url)
    engine = create_engine(any_db_url)
    rng = random.Random(9)
    try:
        store = SqlStore(engine)
        ws = await store.ensure_workspace("slack", "T1")
        teams = [await store.ensure_team(ws, n) for n in ("red", "blue")]
        people = [await store.ensure_person(ws, f"U{i}") for i in range(5)]
    finally:
        await engine.dispose()
    await asyncio.to_thread(command.downgrade, alembic_config(any_db_url), "0008")  # no totals, no triggers
    engine = create_engine(any_db_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                A.insert(), [_answer(rng, ws, rng.choice(people), rng.choice([*teams, None]), s) for s in range(150)]
            )
    finally:
        await engine.dispose()
    await upgrade_async(any_db_url)
    engine = create_engine(any_db_url)
    try:
        store = SqlStore(engine)
        await _assert_totals(store, teams, rng)
        async with engine.begin() as conn:  # and the triggers keep them from then on
            await conn.execute(A.insert(), [_answer(rng, ws, rng.choice(people), teams[0], s) for s in range(150, 170)])
        await _assert_totals(store, teams, rng)
    finally:
        await engine.dispose()
