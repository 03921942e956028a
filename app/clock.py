"""Hybrid logical clock: stamps that sort in causal order across tablets even when their wall clocks drift."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class HybridClock:
    def __init__(self, device_id: str, wall_ms=lambda: int(time.time() * 1000)) -> None:
        self.device_id = device_id
        self._wall_ms = wall_ms
        self._l = 0
        self._c = 0
        self._lock = threading.Lock()

    def now(self) -> str:
        with self._lock:
            wall = self._wall_ms()
            if wall > self._l:
                self._l, self._c = wall, 0
            else:
                self._c += 1
            return self._format()

    def observe(self, stamp: str) -> None:
        """Move past a stamp seen from elsewhere, so our next event sorts after it."""
        remote_l, remote_c = parse(stamp)
        with self._lock:
            if (remote_l, remote_c) > (self._l, self._c):
                self._l, self._c = remote_l, remote_c

    def _format(self) -> str:
        return f"{self._l:013d}.{self._c:05d}.{self.device_id}"


def parse(stamp: str) -> tuple[int, int]:
    wall, counter, _device = stamp.split(".", 2)
    return int(wall), int(counter)


def wall_time(stamp: str) -> datetime:
    """When a stamp was made, by its wall-clock part (UTC)."""
    return datetime.fromtimestamp(parse(stamp)[0] / 1000, UTC)
