"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(fn: Callable[[], object], repeat: int = 30, warmup: int = 3) -> float:
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
