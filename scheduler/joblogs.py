"""APScheduler's own log lines labelled like ours: JobLogContext adds ``channel`` and ``job`` to them."""

from __future__ import annotations

import logging

from scheduler.runs import ALL_CHANNELS

__all__ = ["APSCHEDULER_LOGGERS", "JobLogContext"]

APSCHEDULER_LOGGERS = ("apscheduler.scheduler", "apscheduler.executors.default", "apscheduler.jobstores.default")


class JobLogContext(logging.Filter):
    """Adds ``channel`` and ``job`` to APScheduler's own log records (it passes the job or its id as an arg)."""

    def __init__(self, labels: dict[str, str]) -> None:
        super().__init__()
        self.labels = labels  # job id -> channel label; shared with the scheduler, kept current

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "job"):
            found = "scheduler"
            args = record.args if isinstance(record.args, tuple) else ()
            for arg in args:
                candidate = getattr(arg, "id", arg)
                if isinstance(candidate, str) and candidate in self.labels:
                    found = candidate
                    break
            record.job = found
            record.channel = self.labels.get(found, ALL_CHANNELS)
        return True
