"""Job runs as tracked tasks: each is logged with its channel and job, and the scheduler's stop waits for it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

__all__ = ["ALL_CHANNELS", "JobRuns", "log_extra"]

log = logging.getLogger(__name__)

ALL_CHANNELS = "*"


def log_extra(channel: str, job: str, **more: object) -> dict[str, object]:
    """The ``extra`` of a scheduler log line: the platform's channel id (``*`` for sweeps) and the job."""
    return {"channel": channel, "job": job, **more}


class JobRuns:
    """The job runs in flight.

    Args:
        failed: called with the job id of a run that raised (after it is logged).
    """

    def __init__(self, failed: Callable[[str], None]) -> None:
        self.stopping = False  # set by the scheduler's stop: new runs are dropped
        self._failed = failed
        self._inflight: set[asyncio.Task[Any]] = set()

    def spawn(self, job: str, channel: str, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``work`` as a tracked task: it is logged with its channel and job, and stop() waits for it."""
        task = asyncio.create_task(self._logged(job, channel, work), name=job)
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        return task

    async def _logged(self, job: str, channel: str, work: Coroutine[Any, Any, Any]) -> Any:
        try:
            return await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("job failed", extra=log_extra(channel, job))
            self._failed(job)
            return None

    async def run(self, job: str, channel: str, work: Coroutine[Any, Any, Any]) -> None:
        """An APScheduler job's body: ``work`` as a tracked run, unless the scheduler is stopping."""
        if self.stopping:
            work.close()
            return
        # shielded: APScheduler cancels its wrapper tasks at shutdown; the work itself finishes (stop() drains it)
        await asyncio.shield(self.spawn(job, channel, work))

    async def settle(self, seconds: float = 30.0) -> None:
        """Wait until no job run is in flight (a run started meanwhile is waited for too)."""
        async with asyncio.timeout(seconds):
            while pending := {t for t in self._inflight if not t.done()}:
                await asyncio.wait(pending)

    async def drain(self, seconds: float) -> None:
        """Let the runs in flight finish for up to ``seconds``, then cancel what is left."""
        pending = {t for t in self._inflight if not t.done()}
        if not pending:
            return
        log.info("waiting for %d job run(s) in flight", len(pending), extra=log_extra(ALL_CHANNELS, "scheduler"))
        _done, late = await asyncio.wait(pending, timeout=seconds)
        for task in late:
            log.warning(
                "job run did not finish in %.0f s; cancelling it",
                seconds,
                extra=log_extra(ALL_CHANNELS, task.get_name()),
            )
            task.cancel()
        if late:
            await asyncio.wait(late, timeout=1.0)
