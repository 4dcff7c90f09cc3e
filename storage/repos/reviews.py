"""A person's record: FSRS review state, seen and missed questions, answer history: the SQL side of :class:`bot.core.ports.ReviewStore`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import case, func, select

from storage.sql import A, R, SqlBase, _chunks, _n_correct

__all__ = ["ReviewsRepo"]


class ReviewsRepo(SqlBase):
    """A person's record: FSRS review state, seen and missed questions, answer history."""

    async def review_state(self, person_id: int, question_id: str) -> tuple[str | None, dt.date | None]:
        async with self._tx() as conn:
            row = (
                await conn.execute(
                    select(R.c.card, R.c.last_review_date).where(
                        R.c.person_id == person_id, R.c.question_id == question_id
                    )
                )
            ).first()
        return (row.card, row.last_review_date) if row else (None, None)

    async def save_review(self, person_id: int, question_id: str, card: str, due: dt.datetime, day: dt.date) -> None:
        stmt = self._insert(R).values(
            person_id=person_id, question_id=question_id, card=card, due=due, last_review_date=day
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["person_id", "question_id"], set_={"card": card, "due": due, "last_review_date": day}
        )
        async with self._tx() as conn:
            await conn.execute(stmt)

    async def person_cards(self, person_id: int) -> list[tuple[str, str, dt.datetime]]:
        async with self._tx() as conn:
            rows = (
                await conn.execute(select(R.c.question_id, R.c.card, R.c.due).where(R.c.person_id == person_id))
            ).all()
        return [(r.question_id, r.card, r.due) for r in rows]

    async def due_reviews(self, person_id: int, now: dt.datetime) -> dict[str, dt.datetime]:
        async with self._tx() as conn:
            rows = (
                await conn.execute(select(R.c.question_id, R.c.due).where(R.c.person_id == person_id, R.c.due <= now))
            ).all()
        return {r.question_id: r.due for r in rows}

    async def seen_questions(self, person_id: int) -> set[str]:
        async with self._tx() as conn:
            rows = (await conn.execute(select(A.c.question_id).where(A.c.person_id == person_id).distinct())).all()
        return {r.question_id for r in rows}

    async def missed_questions(self, person_id: int) -> list[str]:
        """Questions whose most recent answer by the person was wrong, most recent first."""
        ranked = (
            select(
                A.c.question_id,
                A.c.correct,
                A.c.answered_at,
                func.row_number()
                .over(partition_by=A.c.question_id, order_by=(A.c.answered_at.desc(), A.c.id.desc()))
                .label("rn"),
            ).where(A.c.person_id == person_id)
        ).subquery()
        async with self._tx() as conn:
            rows = (
                await conn.execute(
                    select(ranked.c.question_id)
                    .where(ranked.c.rn == 1, ranked.c.correct.is_(False))
                    .order_by(ranked.c.answered_at.desc())
                )
            ).all()
        return [r.question_id for r in rows]

    async def person_objective_stats(self, person_id: int) -> list[tuple[str, int, int]]:
        async with self._tx() as conn:
            rows = (
                await conn.execute(
                    select(A.c.objective_id, _n_correct(A.c.correct), func.count())
                    .where(A.c.person_id == person_id)
                    .group_by(A.c.objective_id)
                )
            ).all()
        return [(r[0], int(r[1] or 0), int(r[2])) for r in rows]

    async def person_answer_history(self, person_id: int) -> list[tuple[str, dt.datetime, bool]]:
        """Every answer of a person: (objective, when, right?), oldest first."""
        async with self._tx() as conn:
            rows = (
                await conn.execute(
                    select(A.c.objective_id, A.c.answered_at, A.c.correct)
                    .where(A.c.person_id == person_id)
                    .order_by(A.c.answered_at, A.c.id)
                )
            ).all()
        return [(r[0], r[1], bool(r[2])) for r in rows]

    async def daily_answer_times(self, person_ids: Sequence[int], since: dt.datetime) -> dict[int, list[dt.datetime]]:
        if not person_ids:
            return {}
        async with self._tx() as conn:
            rows = (
                await conn.execute(
                    select(A.c.person_id, A.c.answered_at).where(
                        A.c.person_id.in_(list(person_ids)), A.c.source == "daily", A.c.answered_at >= since
                    )
                )
            ).all()
        out: dict[int, list[dt.datetime]] = {}
        for r in rows:
            out.setdefault(r.person_id, []).append(r.answered_at)
        return out

    async def daily_answer_days(self, person_ids: Sequence[int], bounds: Sequence[dt.datetime]) -> dict[int, set[int]]:
        if not person_ids or len(bounds) < 2:
            return {}
        # the span's index: the last bound at or before the answer (most answers are recent: newest first)
        span = case(*((A.c.answered_at >= b, i) for i, b in reversed(list(enumerate(bounds[:-1])))), else_=-1).label(
            "span"
        )
        out: dict[int, set[int]] = {}
        async with self._tx() as conn:
            for chunk in _chunks(sorted(set(person_ids)), 500):
                rows = (
                    await conn.execute(
                        select(A.c.person_id, span)
                        .distinct()
                        .where(
                            A.c.person_id.in_(chunk),
                            A.c.source == "daily",
                            A.c.answered_at >= bounds[0],
                            A.c.answered_at < bounds[-1],
                        )
                    )
                ).all()
                for person, i in rows:
                    out.setdefault(person, set()).add(i)
        return out

    # -- drills ---------------------------------------------------------------------------------
