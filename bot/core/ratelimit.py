"""A token bucket per person, so one person flooding commands cannot starve everyone else."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Hashable

__all__ = ["RateLimiter"]


class RateLimiter:
    """Allow bursts of ``burst`` actions, refilled at ``per_minute``; remembers at most ``max_keys`` people."""

    def __init__(self, burst: int = 30, per_minute: float = 30.0, max_keys: int = 50_000) -> None:
        self.burst, self.rate, self.max_keys = float(burst), per_minute / 60.0, max_keys
        self._buckets: OrderedDict[Hashable, tuple[float, dt.datetime]] = OrderedDict()

    def allow(self, key: Hashable, now: dt.datetime) -> float:
        """0.0 if the action may go ahead (and counts it); else the seconds to wait."""
        tokens, at = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + max(0.0, (now - at).total_seconds()) * self.rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            wait = 0.0
        else:
            self._buckets[key] = (tokens, now)
            wait = (1.0 - tokens) / self.rate
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait
