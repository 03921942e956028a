"""The one place Courtside learns the time: "now" and "today" for the app, and the hybrid logical clock whose
stamps sort in causal order across tablets even when their wall clocks drift.

Courts sit in England, so "today" is the date in Europe/London whatever the machine's own zone is: a hearing
list rolls over at local midnight, not at UTC midnight (which is 23:00 or 01:00 local for half the year).
Code a test runs in-process can be given another clock with `use()`; processes a test starts read the real one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def _system_now() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _system_now


def now() -> datetime:
    """This instant, timezone-aware in UTC."""
    return _source()


def local_now() -> datetime:
    """This instant on the courts' wall clocks (Europe/London, GMT or BST)."""
    return now().astimezone(LONDON)


def today() -> date:
    """Today's date in England."""
    return local_now().date()


def wall_ms() -> int:
    return int(now().timestamp() * 1000)


@contextmanager
def use(source: Callable[[], datetime] | datetime) -> Iterator[None]:
    """Let the app read another clock for the block: a fixed instant, or a callable for one that moves.
    For tests and what-if tools only; the instant must be timezone-aware."""
    global _source
    fixed = source if isinstance(source, datetime) else None
    if fixed is not None and fixed.tzinfo is None:
        raise ValueError("clock.use needs a timezone-aware datetime")
    previous, _source = _source, ((lambda: fixed) if fixed is not None else source)  # type: ignore[assignment]
    try:
        yield
    finally:
        _source = previous


class HybridClock:
    def __init__(self, device_id: str, wall_ms: Callable[[], int] = wall_ms) -> None:
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
