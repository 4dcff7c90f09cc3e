"""The Discord test harness: a world of FakeDiscord + real service, and bots started through serve_discord."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from adapters.discord import StudyBotClient, serve_discord
from adapters.discord.notifier import DiscordNotifier
from bot.app import RoutingNotifier
from bot.core.answers import OPTION_EMOJI, derive_answers
from bot.core.clock import ManualClock
from bot.core.messages import DrillCard, OptionView, Reply
from bot.core.ports import Notifier, PostInfo
from bot.service import Invocation, QuizService
from tests.adapters.discord import discord_payloads as P
from tests.adapters.discord.fake_discord import FakeDiscord, InteractionRecord, StoredMessage, wait_until
from tests.fakes.memory_store import MemoryStore

GUILD_A = P.guild_id_on_shard(0)
GUILD_B = P.guild_id_on_shard(1)
CHAN_A = "1210000000000000011"
CHAN_A2 = "1210000000000000012"
CHAN_B = "1210000000000000021"
ADMIN = "1190000000000000001"
OWNER = "1190000000000000099"


@dataclass
class World:
    fake: FakeDiscord
    service: QuizService
    routing: RoutingNotifier
    clock: ManualClock
    bots: list[Bot] = field(default_factory=list)

    def person(self, n: int, name: str | None = None) -> dict[str, Any]:
        uid = str(1_180_000_000_000_000_000 + n)
        return self.fake.users.get(uid) or self.fake.person(uid, name or f"member{n}")

    @property
    def admin(self) -> dict[str, Any]:
        return self.fake.users[ADMIN]

    async def start_bot(self, *, sharded: bool = False, service: Any = None, **options: Any) -> Bot:
        """Run the real entry point, serve_discord, against the fake; return once the client is ready."""
        stop = asyncio.Event()
        registered: dict[str, Notifier] = {}

        def register(platform: str, notifier: Notifier) -> None:
            self.routing.register(platform, notifier)
            registered[platform] = notifier

        readies: list[str] = []
        options["ready"] = readies.append
        options.setdefault("guild_ready_timeout", 0.1)
        options.setdefault("identify_delay", 0.0)
        task = asyncio.create_task(
            serve_discord(
                service or self.service,
                register,
                token=self.fake.token,
                api_url=self.fake.base,
                gateway_url=self.fake.ws_url,
                sharded=sharded,
                stop=stop,
                **options,
            )
        )
        await wait_until(lambda: "discord" in registered or task.done(), what="notifier registration")
        if task.done():
            task.result()
        notifier = registered["discord"]
        assert isinstance(notifier, DiscordNotifier)
        client = notifier.client
        assert isinstance(client, StudyBotClient)
        ready = asyncio.create_task(client.wait_until_ready())
        await asyncio.wait({ready, task}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            ready.cancel()
            task.result()
        assert ready.done(), "client did not become ready"
        await wait_until(lambda: bool(readies), what="the ready callback")
        bot = Bot(client, notifier, stop, task, readies)
        self.bots.append(bot)
        return bot

    async def settle(self) -> None:
        """Wait until every running bot has read every gateway frame sent and stored its reactions."""
        for bot in self.bots:
            if bot.task.done():
                continue
            for shard, session in self.fake.active.items():
                await wait_until(
                    lambda b=bot, s=shard, sess=session: (  # type: ignore[misc]
                        sess.ws is None or b.client._get_websocket(shard_id=s).sequence == sess.seq
                    ),
                    what="the client to read the gateway",
                )
            await asyncio.sleep(0.02)  # raw reaction handlers run as tasks right after dispatch
            await bot.client.wait_for_reactions()

    async def post_question(self, channel: str = CHAN_A, guild: str = GUILD_A) -> tuple[PostInfo, StoredMessage]:
        """Subscribe the channel (as an admin, through /studybot) and post today's question."""
        await self.subscribe(channel, guild)
        ws = await self.service.store.ensure_workspace("discord", guild)
        ch = await self.service.store.get_channel(ws, channel)
        assert ch is not None
        post = await self.service.daily.post_daily(ch.id)
        assert post is not None and post.message_ref is not None
        return post, self.fake.messages[post.message_ref]

    async def answers(self, post_id: int) -> dict[str, int]:
        """Who answers what right now, by Discord user id (the core's answer policy over stored events)."""
        events = [ev for _pid, ev in await self.service.store.reaction_events(post_id)]
        by_person = derive_answers(events, self.clock.now() + dt.timedelta(days=1))
        store = self.service.store
        if isinstance(store, MemoryStore):
            ext = {str(p.id): p.external_id for p in store.rows.person.values()}
        else:
            rows = await self.sql("SELECT id, external_id FROM person")
            ext = {str(r[0]): str(r[1]) for r in rows}
        return {ext[pid]: option for pid, option in by_person.items()}

    async def sql(self, query: str) -> list[Any]:
        """Raw SQL on the world's database: only for tests marked ``sqlite`` (tests/backends.py)."""
        engine = getattr(self.service.store, "engine", None)
        assert engine is not None, "World.sql needs a database: mark the test @pytest.mark.sqlite"
        async with engine.connect() as conn:
            return list((await conn.execute(text(query))).all())

    async def count(self, table: str) -> int:
        """Rows in ``table`` (the MemoryStore's rows of that table when the world runs on it)."""
        store = self.service.store
        if isinstance(store, MemoryStore):
            rows: dict[Any, Any] = getattr(store.rows, table)
            return len(rows)
        return int((await self.sql(f"SELECT count(*) FROM {table}"))[0][0])

    async def event_count(self, post_id: int) -> int:
        return len(await self.service.store.reaction_events(post_id))

    async def subscribe(
        self, channel: str = CHAN_A, guild: str = GUILD_A, time: str = "09:00", zone: str = "UTC"
    ) -> None:
        """Subscribe through ``/studybot subscribe`` in the subcommand form, as Discord's client sends it."""
        rec = await self.command(
            "studybot subscribe", {"time": time, "timezone": zone}, guild=guild, channel=channel, admin=True
        )
        assert any("Subscribed" in _text(m.data) for m in rec.followups), rec

    async def command(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: dict[str, Any] | None = None,
        guild: str = GUILD_A,
        channel: str = CHAN_A,
        admin: bool = False,
        expect_followups: int | None = None,
    ) -> InteractionRecord:
        """Send a slash command and wait until the bot has finished answering it."""
        u = user or self.admin
        rec = await self.fake.slash(name, options, guild_id=guild, channel_id=channel, user=u, admin=admin)
        await wait_until(lambda: bool(rec.callbacks), what=f"callback for /{name}")
        if rec.callback_types[0] == 5:  # deferred: wait for the edit of the loading message
            await wait_until(lambda: bool(rec.edits), what=f"answer to /{name}")
        if expect_followups:
            await wait_until(lambda: len(rec.followups) >= expect_followups, what="followups")
        await asyncio.sleep(0.05)  # let any further followups land
        return rec


@dataclass
class Bot:
    client: StudyBotClient
    notifier: DiscordNotifier
    stop_event: asyncio.Event
    task: asyncio.Task[None]
    readies: list[str]

    async def stop(self) -> None:
        self.stop_event.set()
        await asyncio.wait_for(self.task, 10)


def embed_text(e: dict[str, Any]) -> str:
    parts = [e.get("title") or "", e.get("description") or ""]
    parts += [f"{f['name']}\n{f['value']}" for f in e.get("fields") or []]
    parts.append((e.get("footer") or {}).get("text", ""))
    return "\n".join(p for p in parts if p)


def _text(message: dict[str, Any]) -> str:
    parts = [message.get("content") or ""] + [embed_text(e) for e in message.get("embeds") or []]
    return "\n".join(p for p in parts if p)


text_of = _text


def question_messages(fake: FakeDiscord, channel: str = CHAN_A) -> list[StoredMessage]:
    return [
        m
        for m in fake.messages.values()
        if m.channel_id == channel and "Daily question" in _text(m.data) and not m.data.get("webhook_id")
    ]


def reveal_messages(fake: FakeDiscord, channel: str = CHAN_A) -> list[StoredMessage]:
    return [m for m in fake.messages.values() if m.channel_id == channel and _text(m.data).startswith("Answer")]


class SpyService:
    """Delegates to the real service; records commands, can hold them, can answer some itself.

    It has no ``press_button``: the adapter must say drill buttons are unavailable (see ButtonSpy).
    """

    def __init__(self, inner: QuizService) -> None:
        self.inner = inner
        self.commands: list[tuple[str, str, Invocation]] = []
        self.gate: asyncio.Event | None = None
        self.replies: dict[str, list[Reply]] = {}
        self.fail = False

    @property
    def syllabus(self) -> Any:
        return self.inner.syllabus

    async def handle_command(self, inv: Invocation, command: str, text: str) -> list[Reply]:
        self.commands.append((command, text, inv))
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise RuntimeError("boom")
        if command in self.replies:
            return self.replies[command]
        return await self.inner.handle_command(inv, command, text)

    async def record_reaction(self, **kwargs: Any) -> bool:
        return await self.inner.record_reaction(**kwargs)

    async def reconcile_open_posts(self, platform: str | None = None) -> int:
        return await self.inner.reconcile_open_posts(platform)


class ButtonSpy(SpyService):
    def __init__(self, inner: QuizService) -> None:
        super().__init__(inner)
        self.presses: list[tuple[Invocation, str]] = []

    async def press_button(self, inv: Invocation, value: str) -> list[Reply]:
        self.presses.append((inv, value))
        return [Reply(f"You chose {value.rsplit(':', 1)[-1]}.", private=True)]


def card(drill_id: int, seq: int = 1) -> Reply:
    options = tuple(
        OptionView(letter, emoji, f"option {letter}") for letter, emoji in zip("ABCD", OPTION_EMOJI, strict=True)
    )
    return Reply("", card=DrillCard(drill_id, seq, 5, "3.2.1", "Which registry stage fits?", options))


def components_of(message: StoredMessage) -> list[dict[str, Any]]:
    return [c for row in message.data.get("components") or [] for c in row.get("components", [])]
