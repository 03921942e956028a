"""Every benchmark still runs: `make bench` in its smoke mode (tiny counts, one timed run), so a renamed screen or
service breaks this test rather than the next benchmark run. The figures are never checked: tests do not time."""

from __future__ import annotations

import re

import pytest

from bench import __main__ as bench
from bench import common

pytestmark = pytest.mark.clockless  # a smoke run of the benchmarks: the date check would only repeat it


@pytest.mark.timeout(600)
def test_every_benchmark_runs_and_prints_its_rows(capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "SMOKE", False)  # restored after: main() sets it for the run
    bench.main(["--smoke"])
    blocks = capsys.readouterr().out.strip().split("\n\n")
    assert "smoke run" in blocks[0]
    assert len(blocks) == len(bench.BENCHES) + 1, blocks
    for module, block in zip(bench.BENCHES, blocks[1:], strict=True):
        title, *rows = block.splitlines()
        figures = [r for r in rows if re.search(r"\d+\.\d+", r)]
        assert title and len(figures) >= 2, f"{module.__name__} printed no rows of figures:\n{block}"
