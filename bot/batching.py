"""Group commit: many concurrent callers, one database transaction per batch.

A caller ``await``s :meth:`Batcher.submit` and gets its own result only after the batch holding its
item has been written (so nothing acknowledged is lost if the process is killed). Items are written in
the order they were submitted. A batch closes when it holds ``max_items`` items or ``max_wait``
seconds after its first item, whichever comes first; while one batch is being written the next one
fills up, so under load the batches grow by themselves and the cost per item falls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["Batcher"]

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    """Collects items and writes them with ``flush(items) -> results`` (one result per item, in order)."""

    def __init__(
        self, flush: Callable[[Sequence[T]], Awaitable[Sequence[R]]], *, max_items: int = 500, max_wait: float = 0.005
    ) -> None:
        self._flush = flush
        self.max_items = max_items
        self.max_wait = max_wait
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._full = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0  # how many flushes ran (for tests and the benchmark)

    async def submit(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._pending.append((item, future))
        if len(self._pending) >= self.max_items:
            self._full.set()
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._run(), name="batch-writer")
        return await future

    async def _run(self) -> None:
        while self._pending:
            if len(self._pending) < self.max_items:
                self._full.clear()
                try:
                    await asyncio.wait_for(self._full.wait(), self.max_wait)
                except TimeoutError:
                    pass
            batch, self._pending = self._pending[: self.max_items], self._pending[self.max_items :]
            live = [(item, f) for item, f in batch if not f.cancelled()]
            if not live:
                continue
            self.batches += 1
            try:
                results = await self._flush([item for item, _f in live])
            except BaseException as exc:  # every caller of the batch sees the failure, as a lone write would
                for _item, f in live:
                    if not f.done():
                        f.set_exception(exc if isinstance(exc, Exception) else RuntimeError(repr(exc)))
                if not isinstance(exc, Exception):
                    raise
                continue
            if len(results) != len(live):
                error = RuntimeError(f"batch flush returned {len(results)} results for {len(live)} items")
                for _item, f in live:
                    if not f.done():
                        f.set_exception(error)
                continue
            for (_item, f), result in zip(live, results, strict=True):
                if not f.done():
                    f.set_result(result)
