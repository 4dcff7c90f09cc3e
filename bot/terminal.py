"""``studybot run`` with no platform: the terminal chat, with the scheduler posting into it; StdinLines
reads its input."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Awaitable, Callable

from aiohttp import web

from adapters.console import ConsoleChat, ConsoleNotifier
from bot.app import build_runtime
from bot.core.clock import Clock, ShiftedClock
from bot.health import start_health_server
from bot.process import holder_id
from bot.settings import Settings
from scheduler import SchedulerNode

__all__ = ["StdinLines", "run_console"]

log = logging.getLogger(__name__)


def _settle(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class StdinLines:
    """Lines from standard input without a blocked thread, so a signal can end the chat at once.

    Waits for the descriptor with ``loop.add_reader`` (terminals and pipes) and reads with ``os.read``;
    a regular file (which epoll refuses) is read in a worker thread, where reads never block long.
    """

    def __init__(self, fd: int | None = None) -> None:
        self.fd = sys.stdin.fileno() if fd is None else fd
        self._buf = b""
        self._eof = False

    async def _chunk(self) -> bytes:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        try:
            loop.add_reader(self.fd, _settle, ready)
        except (PermissionError, ValueError, NotImplementedError, OSError):
            return await asyncio.to_thread(os.read, self.fd, 65536)
        try:
            await ready
        finally:
            loop.remove_reader(self.fd)
        return os.read(self.fd, 65536)

    async def __call__(self) -> str:
        while b"\n" not in self._buf and not self._eof:
            chunk = await self._chunk()
            self._eof = not chunk
            self._buf += chunk
        if b"\n" in self._buf:
            line, _, self._buf = self._buf.partition(b"\n")
            return line.decode(errors="replace") + "\n"
        line, self._buf = self._buf, b""
        return line.decode(errors="replace")  # "" at end of input


async def run_console(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    health_port: int | None = None,
    lines: Callable[[], Awaitable[str]] | None = None,
    clock: Clock | None = None,
) -> int:
    """The terminal chat, with the scheduler posting into it (if this process holds the lease)."""
    stop = stop or asyncio.Event()
    clock = clock or ShiftedClock()  # the system clock, movable by the chat's `time` command
    notifier = ConsoleNotifier(charts_dir=settings.data_dir / "charts")
    rt = await build_runtime(settings.db_url, notifier, clock, admins=settings.admins)
    node = SchedulerNode(rt.service, rt.lease, clock, holder=holder_id())

    async def clock_moved() -> None:
        """Post, reveal and publish what the new time makes due, as the scheduler does after a sleep."""
        node.scheduler.wakeup()
        if node.is_leader:
            node.scheduler.request_catch_up("console clock moved")
            with contextlib.suppress(TimeoutError):
                await node.scheduler.settle(30)
        else:
            await rt.service.daily.catch_up()
        await rt.service.plans.messages.send_due()  # review reminders the new time makes due (idempotent)

    chat = ConsoleChat(rt.service, notifier, clock, on_clock_moved=clock_moved)
    print(f"StudyBot terminal chat · {len(rt.questions)} questions loaded", flush=True)
    node_task = asyncio.create_task(node.run(stop), name="scheduler-node")
    chat_task = asyncio.create_task(chat.run(lines or StdinLines()), name="console-chat")
    stopper = asyncio.create_task(stop.wait())
    health: web.AppRunner | None = None
    try:
        if health_port is not None:

            async def healthz(_request: web.Request) -> web.Response:
                status = node.status()
                status["jobs"] = len(status["jobs"])
                return web.json_response(
                    {
                        "status": "ok" if status["healthy"] else "degraded",
                        "platforms": {"console": True},
                        "scheduler": status,
                    },
                    status=200 if status["healthy"] else 503,
                )

            health = await start_health_server(healthz, "127.0.0.1", health_port, lambda _url: None)
        await asyncio.wait({chat_task, stopper, node_task}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.set()
        chat_task.cancel()
        stopper.cancel()
        try:
            await chat_task
        except asyncio.CancelledError:
            pass
        except Exception:  # never skip closing the scheduler and the database
            log.exception("the terminal chat stopped with an error")
        try:
            await node_task  # runs in flight finish, the lease is released
        except Exception:
            log.exception("the scheduler stopped with an error")
        if health is not None:
            await health.cleanup()
        await rt.close()
        log.info("stopped; database closed")
    return 0
