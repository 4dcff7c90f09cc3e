"""The real QuizService on the in-memory store: no database, a manual clock, a recording notifier.

``service`` here replaces the SQL-backed fixture of tests/conftest.py for this folder. It is built as
``bot.app.build_runtime`` builds it, minus the migration, the engine and the chart renderer (text replies only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from bot.core.clock import ManualClock
from bot.core.messages import Reply
from bot.core.ports import PostInfo
from bot.service import QuizService
from content.loader import Bank
from tests.conftest import RecordingNotifier, admin
from tests.fakes.memory_store import MemoryStore

MONDAY_9_BERLIN = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
EMOJI = ("one", "two", "three", "four")


@pytest.fixture(autouse=True)
def no_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt to open a database in these tests fails loudly."""
    import sqlalchemy.ext.asyncio

    import storage.db  # imported before the patch, or it would bind the refusing stand-in for good

    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("tests/service must not open a database")

    monkeypatch.setattr(storage.db, "create_async_engine", refuse)
    monkeypatch.setattr(sqlalchemy.ext.asyncio, "create_async_engine", refuse)
    yield


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def service(store: MemoryStore, notifier: RecordingNotifier, clock: ManualClock, bank: Bank) -> QuizService:
    return QuizService(store, bank.syllabus, bank.questions, notifier, clock, charts=None)


async def subscribe(service: QuizService, channel: str = "C1", args: str = "subscribe 09:00 Europe/Berlin") -> int:
    replies = await service.handle_command(admin(channel), "/studybot", args)
    assert "Subscribed" in replies[0].text, replies
    ws = await service.store.ensure_workspace("slack", "T1")
    ch = await service.store.get_channel(ws, channel)
    assert ch is not None
    return ch.id


async def post_today(service: QuizService, clock: ManualClock, channel: str = "C1") -> PostInfo:
    """Subscribe ``channel`` at 09:00 Berlin and post Monday's daily question."""
    channel_id = await subscribe(service, channel)
    clock.set(MONDAY_9_BERLIN)
    post = await service.daily.post_daily(channel_id)
    assert post is not None and post.message_ref
    return post


def shown_key(service: QuizService, post: PostInfo) -> int:
    """The shown position (0-3) of the right answer."""
    return post.option_order.index(service.by_id[post.question_id].answer_index)


async def react(
    service: QuizService,
    post: PostInfo,
    user: str,
    shown: int,
    *,
    delivery: str,
    added: bool = True,
    channel: str = "C1",
    name: str = "",
) -> bool:
    return await service.record_reaction(
        platform="slack",
        workspace="T1",
        channel=channel,
        message_ref=post.message_ref or "",
        user=user,
        reaction=EMOJI[shown],
        added=added,
        delivery_id=delivery,
        user_name=name,
    )


def right_letter(service: QuizService, reply: Reply) -> str:
    card = reply.card
    assert card is not None
    q = next(x for x in service.questions if x.stem == card.stem)
    return next(o.letter for o in card.options if o.text == q.options[q.answer_index])
