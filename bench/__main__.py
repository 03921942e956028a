"""`make bench`: run every benchmark and print one table."""

from __future__ import annotations

import platform

from bench import bench_leaflet, bench_report, bench_save, bench_screening, bench_screens, bench_sync, bench_unlock


def main() -> None:
    print(f"Courtside benchmarks — Python {platform.python_version()}, {platform.machine()}")
    print("  (ratios are to the baseline in the same block, measured in the same run)")
    for module in (bench_save, bench_unlock, bench_screens, bench_screening, bench_leaflet, bench_sync, bench_report):
        print()
        print("\n".join(module.main()))


if __name__ == "__main__":
    main()
