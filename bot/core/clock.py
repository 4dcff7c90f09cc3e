"""Time comes from an injected clock; the core never reads the system clock itself."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

__all__ = ["Clock", "ManualClock", "MovableClock", "ShiftedClock", "SystemClock", "utc"]

utc = dt.UTC


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class MovableClock(Clock, Protocol):
    def set(self, when: dt.datetime) -> None:
        """Move the clock to ``when`` (aware)."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(utc)


class ManualClock:
    """A clock that only moves when told to (tests, ``studybot demo``)."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(utc)

    def now(self) -> dt.datetime:
        return self._now

    def set(self, when: dt.datetime) -> None:
        self._now = when.astimezone(utc)

    def advance(self, **delta: float) -> dt.datetime:
        self._now += dt.timedelta(**delta)
        return self._now


class ShiftedClock:
    """The system clock moved by an offset (the terminal chat's ``time +1d``)."""

    def __init__(self) -> None:
        self._offset = dt.timedelta()

    def now(self) -> dt.datetime:
        return dt.datetime.now(utc) + self._offset

    def set(self, when: dt.datetime) -> None:
        self._offset = when.astimezone(utc) - dt.datetime.now(utc)
