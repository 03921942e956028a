"""`make bench`: run every benchmark and print one table (`--smoke`: tiny counts, to check each still runs)."""

from __future__ import annotations

import platform
import sys

from bench import (
    bench_leaflet,
    bench_report,
    bench_save,
    bench_screening,
    bench_screens,
    bench_sync,
    bench_unlock,
    bench_walk,
    common,
)

BENCHES = (bench_save, bench_unlock, bench_screens, bench_screening, bench_leaflet, bench_sync, bench_report,
           bench_walk)


def main(argv: list[str] | None = None) -> None:
    common.SMOKE = "--smoke" in (sys.argv[1:] if argv is None else argv)
    print(f"Courtside benchmarks — Python {platform.python_version()}, {platform.machine()}"
          + (" (smoke run: figures mean nothing)" if common.SMOKE else ""))
    print("  (ratios are to the baseline in the same block, measured in the same run)")
    for module in BENCHES:
        print()
        print("\n".join(module.main()), flush=True)


if __name__ == "__main__":
    main()
