"""Seeding a year of answers for a workspace, with bulk inserts through SQLAlchemy core on the store's engine.

The shape follows real use: every person belongs to one of a few teams, each team has a subscribed
channel with one daily post per local day, a person answers a daily question every 2-3 days (the
answer is stored at the reveal, as ``save_daily_answers`` does) and now and then runs a five-question
drill. Rows are inserted in time order, as production would have written them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import random
import time
import zoneinfo
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, select

from bot.core.model import Question
from bot.core.review import next_card
from bot.service import post_instant
from storage.store import SqlStore
from storage.tables import Answer, DrillSession, Person, Post, Review, TeamMember

__all__ = ["FULL_PEOPLE", "SeedPlan", "Seeded", "seed_workspace"]

FULL_PEOPLE = 10_000  # --scale 1.0
TEAM_ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC", "Australia/Sydney", "America/Sao_Paulo")
POST_TIME = "09:00"
REVEAL_MINUTES = 480
DRILL_LEN = 5


def _t(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


A, DS, P, PO, R, TM = _t(Answer), _t(DrillSession), _t(Person), _t(Post), _t(Review), _t(TeamMember)


@dataclasses.dataclass(frozen=True)
class SeedPlan:
    people: int
    teams: int = 4
    days: int = 365
    daily_rate: tuple[float, float] = (0.25, 0.55)  # per person and day; mean 0.4 = a daily answer every 2.5 days
    drill_rate: float = 0.03  # per person and day: a five-question drill about once a month
    review_people: int = 5  # people whose FSRS review cards are built (the /stats subjects)
    chunk_rows: int = 20_000
    seed: int = 20260305


@dataclasses.dataclass
class Seeded:
    workspace_id: int
    team_ids: list[int]
    channel_ids: list[int]
    person_ids: list[int]
    sample_people: list[int]
    posts: int = 0
    daily_answers: int = 0
    drill_answers: int = 0
    drills: int = 0
    reviews: int = 0
    seconds: float = 0.0

    @property
    def answers(self) -> int:
        return self.daily_answers + self.drill_answers

    def as_dict(self) -> dict[str, Any]:
        return {
            "people": len(self.person_ids),
            "teams": len(self.team_ids),
            "posts": self.posts,
            "answers": self.answers,
            "daily_answers": self.daily_answers,
            "drill_answers": self.drill_answers,
            "drill_sessions": self.drills,
            "review_cards": self.reviews,
            "seconds": round(self.seconds, 2),
        }


async def _insert_returning_ids(store: SqlStore, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    async with store.engine.begin() as conn:
        result = await conn.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), list(rows))
        return [int(r[0]) for r in result.all()]


async def seed_workspace(
    store: SqlStore,
    questions: Sequence[Question],
    plan: SeedPlan,
    now: dt.datetime,
    progress: Callable[[str], None] = print,
) -> Seeded:
    started = time.perf_counter()
    rng = random.Random(plan.seed)
    bank = list(questions)
    by_id = {q.id: q for q in bank}
    ws = await store.ensure_workspace("slack", "TBENCHAGG", "Bench workspace")

    # teams: one subscribed channel each (subscribing makes the channel a team, as in production)
    team_ids: list[int] = []
    channel_ids: list[int] = []
    zones: list[str] = []
    for t in range(plan.teams):
        tz = TEAM_ZONES[t % len(TEAM_ZONES)]
        ch = await store.subscribe_channel(ws, f"CTEAM{t}", f"team-{t}", tz, POST_TIME, now)
        assert ch.team_id is not None
        team_ids.append(ch.team_id)
        channel_ids.append(ch.id)
        zones.append(tz)

    # people and their teams
    person_ids = await _insert_returning_ids(
        store,
        P,
        [
            {
                "workspace_id": ws,
                "external_id": f"U{i:06d}",
                "display_name": f"person-{i:05d}",
                "is_bot": False,
                "created_at": now - dt.timedelta(days=plan.days + 1),
            }
            for i in range(plan.people)
        ],
    )
    team_of = [i % plan.teams for i in range(plan.people)]
    async with store.engine.begin() as conn:
        await conn.execute(
            TM.insert(),
            [
                {"workspace_id": ws, "team_id": team_ids[team_of[i]], "person_id": pid, "is_lead": i < 2 * plan.teams}
                for i, pid in enumerate(person_ids)
            ],
        )
    seeded = Seeded(ws, team_ids, channel_ids, person_ids, [])

    # one revealed daily post per team channel and local day; question rotation like coverage-first selection
    post_rows: list[dict[str, Any]] = []
    post_keys: list[tuple[int, int]] = []  # (team index, days ago)
    for t, tz in enumerate(zones):
        rotation = bank[:]
        rng.shuffle(rotation)
        today = now.astimezone(zoneinfo.ZoneInfo(tz)).date()
        for ago in range(plan.days, 0, -1):
            q = rotation[(plan.days - ago) % len(rotation)]
            posted = post_instant(today - dt.timedelta(days=ago), POST_TIME, tz)
            reveal = posted + dt.timedelta(minutes=REVEAL_MINUTES)
            order = list(range(4))
            rng.shuffle(order)
            post_rows.append(
                {
                    "channel_id": channel_ids[t],
                    "local_date": today - dt.timedelta(days=ago),
                    "slot": 0,
                    "question_id": q.id,
                    "objective_id": q.objective_id,
                    "option_order": "".join(map(str, order)),
                    "reason": "coverage",
                    "reason_detail": "",
                    "status": "revealed",
                    "message_ref": f"seed-{t}-{ago}",
                    "created_at": posted,
                    "posted_at": posted,
                    "reveal_due_at": reveal,
                    "revealed_at": reveal,
                }
            )
            post_keys.append((t, ago))
    post_ids = await _insert_returning_ids(store, PO, post_rows)
    posts = {key: (pid, row) for key, pid, row in zip(post_keys, post_ids, post_rows, strict=True)}
    seeded.posts = len(post_ids)

    # answers, day by day, in time order
    rate = [rng.uniform(*plan.daily_rate) for _ in person_ids]
    skill = [rng.uniform(0.45, 0.8) for _ in person_ids]
    ease = {q.id: rng.uniform(-0.15, 0.15) for q in bank}
    lure = {q.id: rng.choice([o for o in range(4) if o != q.answer_index]) for q in bank}

    def answer(i: int, q: Question, ago: int) -> tuple[int, bool]:
        learned = 0.1 * (plan.days - ago) / plan.days  # people improve over the year
        if rng.random() < min(0.97, max(0.05, skill[i] + ease[q.id] + learned)):
            return q.answer_index, True
        wrong = [o for o in range(4) if o != q.answer_index]
        return (lure[q.id] if rng.random() < 0.5 else rng.choice(wrong)), False

    daily: list[dict[str, Any]] = []
    drills: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    last_report = time.perf_counter()

    pending: asyncio.Task[None] | None = None
    last_at: dict[tuple[int, str], dt.datetime] = {}  # answer.prev_at, as link_attempts keeps it

    async def insert_answers(rows: list[dict[str, Any]]) -> None:
        async with store.engine.begin() as conn:
            if store.dialect == "sqlite":
                # a bigger page cache for the load only (the pool is disposed afterwards, so the measured
                # connections run with the production default): random index inserts thrash the 2 MB default
                await conn.exec_driver_sql("PRAGMA cache_size=-131072")
            await conn.execute(A.insert(), rows)

    async def flush() -> None:
        """Queue the buffered rows; the insert runs while the next days are generated (the driver works
        in its own thread or socket, the generation yields once per day)."""
        nonlocal daily, drills, pending
        if pending is not None:
            await pending
            pending = None
        if drills:
            ids = await _insert_returning_ids(store, DS, [s for s, _rows in drills])
            for drill_id, (_s, rows) in zip(ids, drills, strict=True):
                for r in rows:
                    r["drill_id"] = drill_id
        rows = daily + [r for _s, rs in drills for r in rs]
        rows.sort(key=lambda r: r["answered_at"])
        for r in rows:  # rows go in in time order, so ids follow it: the pair's previous row is the last one seen
            key = (r["person_id"], r["question_id"])
            r["prev_at"] = last_at.get(key)
            last_at[key] = r["answered_at"]
        if rows:
            pending = asyncio.create_task(insert_answers(rows))
        seeded.drills += len(drills)
        seeded.daily_answers += len(daily)
        seeded.drill_answers += sum(len(rs) for _s, rs in drills)
        daily, drills = [], []

    for ago in range(plan.days, 0, -1):
        for i, pid in enumerate(person_ids):
            t = team_of[i]
            if rng.random() < rate[i]:
                post_id, post = posts[(t, ago)]
                q = by_id[post["question_id"]]
                option, ok = answer(i, q, ago)
                daily.append(
                    {
                        "workspace_id": ws,
                        "person_id": pid,
                        "team_id": team_ids[t],
                        "channel_id": channel_ids[t],
                        "question_id": q.id,
                        "objective_id": q.objective_id,
                        "subtopic_id": q.subtopic_id,
                        "topic_id": q.topic_id,
                        "source": "daily",
                        "post_id": post_id,
                        "drill_id": None,
                        "drill_seq": None,
                        "option": option,
                        "correct": ok,
                        "answered_at": post["reveal_due_at"],
                    }
                )
            if rng.random() < plan.drill_rate:
                zone = zoneinfo.ZoneInfo(zones[t])
                day = now.astimezone(zone).date() - dt.timedelta(days=ago)
                at = dt.datetime.combine(day, dt.time(rng.randrange(7, 22), rng.randrange(60)), tzinfo=zone).astimezone(
                    dt.UTC
                )
                picked = rng.sample(bank, DRILL_LEN)
                session = {
                    "workspace_id": ws,
                    "person_id": pid,
                    "scope": "due:",
                    "position": DRILL_LEN,
                    "status": "done",
                    "questions": json.dumps([[q.id, [0, 1, 2, 3]] for q in picked]),
                    "created_at": at,
                    "expires_at": at + dt.timedelta(hours=2),
                }
                rows = []
                for seq, q in enumerate(picked):
                    option, ok = answer(i, q, ago)
                    rows.append(
                        {
                            "workspace_id": ws,
                            "person_id": pid,
                            "team_id": team_ids[t],
                            "channel_id": None,
                            "question_id": q.id,
                            "objective_id": q.objective_id,
                            "subtopic_id": q.subtopic_id,
                            "topic_id": q.topic_id,
                            "source": "drill",
                            "post_id": None,
                            "drill_id": None,
                            "drill_seq": seq,
                            "option": option,
                            "correct": ok,
                            "answered_at": at + dt.timedelta(seconds=40 * (seq + 1)),
                        }
                    )
                drills.append((session, rows))
        if len(daily) + DRILL_LEN * len(drills) >= plan.chunk_rows or ago == 1:
            await flush()
            if time.perf_counter() - last_report >= 3.0 or ago == 1:
                last_report = time.perf_counter()
                done = plan.days - ago + 1
                spent = last_report - started
                progress(
                    f"  seeding: day {done:>3}/{plan.days} · {seeded.answers:>10,} answers · "
                    f"{spent:6.1f} s elapsed, ~{spent * (plan.days - done) / done:5.1f} s to go"
                )
        await asyncio.sleep(0)  # let a queued insert advance

    if pending is not None:
        await pending
    await store.engine.dispose()  # drop the seeding connections (and their page-cache setting)
    seeded.sample_people = await _seed_reviews(store, bank, person_ids, plan, rng)
    async with store.engine.begin() as conn:
        seeded.reviews = len((await conn.execute(select(R.c.id).where(R.c.person_id.in_(seeded.sample_people)))).all())
    if store.dialect == "postgresql":
        # autovacuum would analyze freshly loaded tables soon; SQLite has no automatic ANALYZE (and the app runs none)
        async with store.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql("ANALYZE")
    seeded.seconds = time.perf_counter() - started
    return seeded


async def _seed_reviews(
    store: SqlStore,
    bank: Sequence[Question],
    person_ids: Sequence[int],
    plan: SeedPlan,
    rng: random.Random,
) -> list[int]:
    """FSRS cards of a few people, replayed from their answers (first answer of a question per day counts)."""
    sample = rng.sample(list(person_ids), min(plan.review_people, len(person_ids)))
    rows: list[dict[str, Any]] = []
    for pid in sample:
        async with store.engine.begin() as conn:
            answers = (
                await conn.execute(
                    select(A.c.question_id, A.c.correct, A.c.answered_at)
                    .where(A.c.person_id == pid)
                    .order_by(A.c.answered_at, A.c.id)
                )
            ).all()
        cards: dict[str, tuple[str, dt.datetime, dt.date]] = {}
        for qid, correct, at in answers:
            day = at.date()
            previous = cards.get(qid)
            if previous is not None and previous[2] == day:
                continue
            card, due = next_card(previous[0] if previous else None, bool(correct), at)
            cards[qid] = (card, due, day)
        rows += [
            {"person_id": pid, "question_id": qid, "card": card, "due": due, "last_review_date": day}
            for qid, (card, due, day) in cards.items()
        ]
    if rows:
        async with store.engine.begin() as conn:
            await conn.execute(R.insert(), rows)
    return sample
