"""Timing helpers shared by the benchmarks, and the smoke mode the tests run them in."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

# `python -m bench --smoke` (and tests/unit/test_bench.py): tiny counts and one timed run, so a renamed screen or
# service breaks a test rather than the next `make bench`. Its figures mean nothing and nothing checks them.
SMOKE = False


def size(full: int, smoke: int) -> int:
    """How many of something to make: `full` in a real run, `smoke` in the smoke run."""
    return smoke if SMOKE else full


def median_ms(fn: Callable[[], object], repeat: int = 30, warmup: int = 3) -> float:
    repeat, warmup = (1, 0) if SMOKE else (repeat, warmup)
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def row(name: str, value_ms: float, baseline_ms: float | None = None) -> str:
    ratio = f"{value_ms / baseline_ms:6.2f}x" if baseline_ms else "       "
    return f"  {name:<52} {value_ms:9.3f} ms  {ratio}"
