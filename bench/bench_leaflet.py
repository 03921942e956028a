"""Leaflet generation per language: cold (the first leaflet in a fresh process: fonts parsed, catalogue read)
and warm (every leaflet after that), standard and easy read. Target: under 300 ms warm."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.leaflet import LANGUAGES
from bench import common

ROOT = Path(__file__).resolve().parent.parent

# Runs in a fresh interpreter per language so "cold" really is the first leaflet of a process.
_PROBE = """
import json, sys, time
from app import clock
from app.leaflet import demo_data, render_leaflet
from app.site import demo_site_path, load_site
from bench import common
from bench.common import median_ms
code, common.SMOKE = sys.argv[1], sys.argv[2:] == ["--smoke"]
data = demo_data(load_site(demo_site_path()), clock.today())
start = time.perf_counter()
render_leaflet(data, code)
cold = (time.perf_counter() - start) * 1000
warm = median_ms(lambda: render_leaflet(data, code), repeat=10, warmup=1)
easy = median_ms(lambda: render_leaflet(data, code, easy_read=True), repeat=10, warmup=1)
fold = median_ms(lambda: render_leaflet(data, code, paper="a5-fold"), repeat=5, warmup=1)
print(json.dumps({"cold": cold, "warm": warm, "easy": easy, "fold": fold}))
"""


def _probe(code: str) -> dict[str, float]:
    smoke = ["--smoke"] if common.SMOKE else []
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", _PROBE, code, *smoke], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> list[str]:
    out = ["CSTR leaflet per language (ms; cold = first in a fresh process; warm = median of 10; target < 300 warm)",
           f"  {'language':<10} {'cold':>9} {'warm':>9} {'easy read':>10} {'A5 fold':>9} {'warm vs en':>11}"]
    results = {code: _probe(code) for code in (("en", "ur") if common.SMOKE else LANGUAGES)}
    base = results["en"]["warm"]
    for code, r in results.items():
        out.append(f"  {code:<10} {r['cold']:9.1f} {r['warm']:9.1f} {r['easy']:10.1f} {r['fold']:9.1f} "
                   f"{r['warm'] / base:10.2f}x")
    slowest = max(results.items(), key=lambda kv: max(kv[1]["warm"], kv[1]["easy"]))
    worst = max(slowest[1]["warm"], slowest[1]["easy"])
    verdict = "within" if worst < 300 else "OVER"
    out.append(f"  slowest warm: {slowest[0]} at {worst:.1f} ms ({verdict} the 300 ms target)")
    return out


if __name__ == "__main__":
    print("\n".join(main()))
