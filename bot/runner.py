"""``studybot run``: serve the configured platforms, or a terminal chat when none is configured."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from adapters.console import ConsoleChat, ConsoleNotifier
from adapters.console.adapter import stdin_lines
from bot.app import build_runtime
from bot.core.clock import SystemClock
from bot.settings import ConfigError, Settings

__all__ = ["run"]

log = logging.getLogger(__name__)

TICK_SECONDS = 30.0


async def run(settings: Settings, platform: str = "auto", *, http: bool = False, port: int = 3000) -> int:
    if platform == "auto":
        platform = settings.platforms[0] if len(settings.platforms) == 1 else ("console" if not settings.platforms else "both")
    if platform in {"slack", "discord", "both"}:
        raise ConfigError(
            f"the {platform} adapter is not available in this version yet; run without platform tokens "
            "for the terminal chat (see README, 'Status')"
        )
    return await run_console(settings)


async def run_console(settings: Settings) -> int:
    clock = SystemClock()
    notifier = ConsoleNotifier()
    rt = await build_runtime(settings.db_url, notifier, clock, admins=settings.admins)
    chat = ConsoleChat(rt.service, notifier, clock)
    print(f"StudyBot terminal chat · database {settings.db_url} · {len(rt.questions)} questions loaded")

    async def ticker() -> None:
        while True:
            try:
                await rt.service.catch_up()
            except Exception:  # keep the chat alive; the log says what failed
                log.exception("scheduled work failed")
            await asyncio.sleep(TICK_SECONDS)

    task = asyncio.create_task(ticker())
    try:
        await chat.run(stdin_lines)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await rt.close()
    return 0
