"""Token buckets: per device once it has proved who it is, per address for anything unauthenticated.

Why in memory: limits protect this process from a tablet stuck in a loop or a guessing attack on
codes and passwords; they are not an accounting record. Several server processes each keep their
own buckets, which multiplies the limit by the number of processes (see PROTOCOL.md).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: int


class RateLimiter:
    def __init__(self, rate: Rate, max_keys: int = 10_000) -> None:
        self.rate = rate
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one token; 0.0 if allowed, else how many seconds until one is free."""
        now = time.monotonic()
        with self._lock:
            tokens, when = self._buckets.get(key, (float(self.rate.burst), now))
            tokens = min(float(self.rate.burst), tokens + (now - when) * self.rate.per_second)
            if tokens >= 1.0:
                self._remember(key, tokens - 1.0, now)
                return 0.0
            self._remember(key, tokens, now)
            return (1.0 - tokens) / self.rate.per_second

    def _remember(self, key: str, tokens: float, now: float) -> None:
        if key not in self._buckets and len(self._buckets) >= self.max_keys:
            # Forget full buckets first: they are the same as never having been seen.
            full = [k for k, (t, w) in self._buckets.items() if t + (now - w) * self.rate.per_second >= self.rate.burst]
            for k in full or list(self._buckets)[: self.max_keys // 10]:
                del self._buckets[k]
        self._buckets[key] = (tokens, now)
