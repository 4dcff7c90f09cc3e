"""Migration 0007 backfills ``answer.prev_at`` from the answers already stored: a database upgraded from 0006
gives the same boards as one whose answers were written by the store."""

from __future__ import annotations

import asyncio
import datetime as dt
import random

from alembic import command

from storage.db import create_engine
from storage.migrate import alembic_config, upgrade_async
from storage.sql import A
from storage.store import SqlStore
from tests.storage.test_store_contract import T0, _expected_board


async def test_upgrade_to_0007_backfills_prev_at_so_boards_equal_a_recomputation(any_db_url: str) -> None:
    await upgrade_async(any_db_url)
    engine = create_engine(any_db_url)
    try:
        store = SqlStore(engine)
        ws = await store.ensure_workspace("slack", "T1")
        red, blue = await store.ensure_team(ws, "red"), await store.ensure_team(ws, "blue")
        people = [await store.ensure_person(ws, f"U{i}") for i in range(5)]
    finally:
        await engine.dispose()
    # back to 0006 (drops prev_at): the answers below are stored as 0006 stored them
    await asyncio.to_thread(command.downgrade, alembic_config(any_db_url), "0006")
    rng = random.Random(7)
    answers = []
    for seq in range(120):  # out of time order, with ties in time
        person, team = rng.choice(people), rng.choice([red, blue, None])
        qid, topic = rng.choice(["q0", "q1", "q2", "q3"]), rng.choice(["1", "2"])
        at, correct = T0 + dt.timedelta(hours=rng.randint(-48, 200)), rng.random() < 0.6
        answers.append(
            {"ws": ws, "person": person, "question": qid, "team": team, "topic": topic, "correct": correct}
            | {"at": at, "seq": seq}
        )
    engine = create_engine(any_db_url)
    try:
        async with engine.begin() as conn:
            for a in answers:  # one at a time: ids follow the list's order, as the recomputation's ties do
                await conn.execute(
                    A.insert().values(
                        workspace_id=ws,
                        person_id=a["person"],
                        team_id=a["team"],
                        question_id=a["question"],
                        objective_id=f"{a['topic']}.1.1",
                        subtopic_id=f"{a['topic']}.1",
                        topic_id=a["topic"],
                        source="drill",
                        option=0,
                        correct=a["correct"],
                        answered_at=a["at"],
                    )
                )
    finally:
        await engine.dispose()
    await upgrade_async(any_db_url)
    engine = create_engine(any_db_url)
    try:
        store = SqlStore(engine)
        windows = [(T0, T0 + dt.timedelta(days=7)), (T0 + dt.timedelta(hours=30), T0 + dt.timedelta(hours=60))]
        for team in (red, blue):
            for start, end in windows:
                got = sorted(await store.team_first_attempts(ws, team, start, end), key=str)
                assert got == _expected_board(answers, ws, team, start, end)
                assert got  # the windows hold answers: the comparison is not of two empty lists
    finally:
        await engine.dispose()
