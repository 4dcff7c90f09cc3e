"""The process around ``studybot run``: the platforms it serves, its lease holder id, an adapter's serve
function, the stop signals."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import secrets
import signal
import socket
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from bot.settings import ConfigError, Settings

__all__ = ["INTERRUPTED", "PLATFORMS", "ServeFn", "holder_id", "load_server", "resolve_platforms", "stop_on_signals"]

log = logging.getLogger(__name__)

INTERRUPTED = 128 + signal.SIGINT  # 130: what a shell reports for a program stopped by Ctrl-C


PLATFORMS = ("slack", "discord")
ServeFn = Callable[..., Coroutine[Any, Any, None]]


def resolve_platforms(settings: Settings, platform: str = "auto") -> list[str]:
    """``auto``: every platform with a token, or the console when there is none."""
    if platform == "auto":
        return list(settings.platforms) or ["console"]
    if platform == "both":
        return list(PLATFORMS)
    if platform not in {*PLATFORMS, "console"}:
        raise ConfigError(f"unknown platform {platform!r}: use auto, console, slack, discord or both")
    return [platform]


def holder_id() -> str:
    """This process as a lease holder: host, pid and a random part (a restarted pid is someone else)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


def load_server(platform: str) -> ServeFn | None:
    """``adapters.<platform>.serve_<platform>``, or None if this installation has no such adapter."""
    try:
        module = importlib.import_module(f"adapters.{platform}")
    except ImportError:
        log.warning("the %s adapter cannot be imported", platform, exc_info=True)
        return None
    fn = getattr(module, f"serve_{platform}", None)
    return fn if callable(fn) else None


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[list[signal.Signals]]:
    """SIGTERM/SIGINT set ``stop`` once; a second signal gets the default behaviour (kill / KeyboardInterrupt).

    Yields the list of signals received (at most one), so the caller can choose the exit code.
    """
    loop = asyncio.get_running_loop()
    sigs = (signal.SIGTERM, signal.SIGINT)
    received: list[signal.Signals] = []

    def first(sig: signal.Signals) -> None:
        log.info("%s received: shutting down (send it again to kill)", sig.name)
        received.append(sig)
        for s in sigs:
            loop.remove_signal_handler(s)
        stop.set()

    installed = []
    for sig in sigs:
        try:
            loop.add_signal_handler(sig, first, sig)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals here
            pass
    try:
        yield received
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
