"""A bot process for the multi-process tests: a real SchedulerNode on a shared database.

Time is the real clock plus an offset the test writes to a file, so the test can move days forward
(each move is a wall-clock jump the node must notice) while lease expiry still runs in real seconds.
Every message the service sends is appended to a shared file, one JSON line each, with this pid.

Usage: python node_proc.py DB_URL SENDS_FILE OFFSET_FILE HOLDER TTL RENEW [--no-lease]
       [--platform-state=FILE]   fetch_reactions answers with this JSON ({emoji: [user, ...]})
       [--burst=FILE]            no scheduler: record the reaction events of this JSON list, 5 ms apart
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.core.messages import ChannelRef, Message, QuestionPost, RevealPost
from bot.logs import setup_logging
from scheduler.leader import SchedulerNode
from storage.lease import SqlLease
from tests.scheduler.helpers import make_service, small_bank


class OffsetClock:
    def __init__(self, offset_file: Path) -> None:
        self.offset_file = offset_file

    def now(self) -> dt.datetime:
        offset = float(self.offset_file.read_text() or 0)
        return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=offset)


class FileNotifier:
    def __init__(self, path: Path, platform_state: Path | None = None) -> None:
        self.path = path
        self.platform_state = platform_state
        self.n = 0

    async def post(self, channel: ChannelRef, message: Message) -> str:
        self.n += 1
        ref = f"{os.getpid()}-{self.n}"
        kind = (
            "question"
            if isinstance(message, QuestionPost)
            else "reveal"
            if isinstance(message, RevealPost)
            else "other"
        )
        line = json.dumps(
            {
                "pid": os.getpid(),
                "kind": kind,
                "channel": channel.channel,
                "post": getattr(message, "post_id", None),
                "ref": ref,
            }
        )
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)  # one write per line: atomic append
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)
        return ref

    async def add_option_reactions(self, channel: ChannelRef, message_ref: str, count: int) -> None:
        return None

    async def fetch_reactions(self, channel: ChannelRef, message_ref: str) -> Mapping[str, set[str]] | None:
        if self.platform_state is None:
            return {}
        state = json.loads(self.platform_state.read_text())
        return {emoji: set(users) for emoji, users in state.items()}


async def burst(service: Any, clock: OffsetClock, events: list[dict[str, Any]]) -> None:
    """What a platform adapter does for each reaction delivery, as fast as a busy channel."""
    for i, ev in enumerate(events):
        await service.record_reaction(
            platform="slack",
            workspace="T1",
            channel=ev["channel"],
            message_ref=ev["ref"],
            user=ev["user"],
            reaction=ev["emoji"],
            added=ev["added"],
            delivery_id=f"Ev{i:05d}",
            at=clock.now(),
            user_name=ev["user"],
        )
        await asyncio.sleep(0.005)


async def main(argv: list[str]) -> int:
    db_url, sends, offset_file, holder, ttl, renew = argv[:6]
    flags = dict(a.removeprefix("--").split("=", 1) if "=" in a else (a.removeprefix("--"), "") for a in argv[6:])
    use_lease = "no-lease" not in flags
    setup_logging("text", "INFO")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    clock = OffsetClock(Path(offset_file))
    state = Path(flags["platform-state"]) if flags.get("platform-state") else None
    service = make_service(db_url, FileNotifier(Path(sends), state), clock, small_bank())
    engine = service.store.engine  # type: ignore[attr-defined]
    if flags.get("burst"):
        print("ready", flush=True)
        try:
            await burst(service, clock, json.loads(await asyncio.to_thread(Path(flags["burst"]).read_text)))
        finally:
            await engine.dispose()
        return 0
    node = SchedulerNode(
        service,
        SqlLease(engine) if use_lease else None,
        clock,
        holder=f"{holder}:{os.getpid()}",
        ttl=float(ttl),
        renew_every=float(renew),
        jump_threshold=600,
        drain_timeout=5,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("ready", flush=True)
    try:
        await node.run(stop)
    finally:
        await engine.dispose()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
