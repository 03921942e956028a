"""Screening tools: loading and checking a 100-item tool, and scoring 10,000 answer sets.

The baseline for loading is tomllib parsing the same files (what any TOML tool must pay); the baseline for
scoring is summing the same option scores in a plain loop (what scoring costs with no conditions at all).
"""

from __future__ import annotations

import random
import tempfile
import time
import tomllib
from pathlib import Path

from app import screening
from bench.common import median_ms, row, size

ITEMS, BLOCKS = 100, 10


def write_tool(root: Path) -> Path:
    """A tool of ten blocks of ten items: each block gated on the one before, with totals, bands and flags."""
    (root / "instruments").mkdir()
    per = ITEMS // BLOCKS
    include = []
    for b in range(BLOCKS):
        lines = [f'[instrument]\nformat = 2\nid = "b{b}"\ntitle = "Block {b}"\nsource = "bench"\nlicence = "bench"\n',
                 "[scales.s]\noptions = [\n" + "".join(
                     f'  {{ value = "{v}", label = "Option {v}", score = {v} }},\n' for v in range(4)) + "]\n"]
        for i in range(per):
            show = f'show_if = "b{b}_0 >= 1"\n' if i >= per // 2 else ""
            lines.append(f'[[items]]\nid = "b{b}_{i}"\ntext = "Question {b}.{i}?"\nkind = "choice"\nscale = "s"\n'
                         f"{show}")
        members = ", ".join(f'"b{b}_{i}"' for i in range(per))
        lines.append(f'[[totals]]\nid = "t{b}"\nlabel = "Total {b}"\nitems = [{members}]\nbands = [\n'
                     f'  {{ from = 0, to = 9, label = "Low" }},\n  {{ from = 10, to = 19, label = "Mid" }},\n'
                     f'  {{ from = 20, to = {3 * per}, label = "High" }},\n]\n')
        (root / "instruments" / f"b{b}.toml").write_text("\n".join(lines))
        include.append(f'"b{b}.toml"' if b == 0 else f'{{ block = "b{b}.toml", show_if = "t{b - 1} >= 5" }}')
    flags = "".join(f'\n[[flags]]\nid = "f{b}"\nwhen = "t{b} >= 20 or (f{b - 1} and t{b} >= 10)"\nwhy = "x"\n'
                    if b else '\n[[flags]]\nid = "f0"\nwhen = "t0 >= 20"\nwhy = "x"\n' for b in range(BLOCKS))
    path = root / "bench_tool.toml"
    path.write_text(f'[tool]\nformat = 2\nid = "bench"\nversion = "1"\ntitle = "Bench"\n'
                    f'include = [{", ".join(include)}]\n{flags}')
    return path


def answer_sets(tool: screening.Tool, count: int) -> list[dict[str, str]]:
    """Complete screenings as the tablet stores them: every question answered at random, then only the
    answers to questions asked kept (a condition only looks at earlier answers, so one pass decides)."""
    rng = random.Random(7)
    return [screening.prune(tool, {i.id: rng.choice(i.options).value for i in tool.items}) for _ in range(count)]


def main() -> list[str]:
    answer_count = size(10_000, 20)
    out = [f"Screening tool: {ITEMS} items in {BLOCKS} blocks; {answer_count:,} answer sets"]
    with tempfile.TemporaryDirectory() as d:
        path = write_tool(Path(d))
        files = [path, *sorted((Path(d) / "instruments").glob("*.toml"))]
        base = median_ms(lambda: [tomllib.loads(f.read_text()) for f in files], repeat=20)
        out.append(row("tomllib parse of the same files (baseline)", base))
        out.append(row("load and check the 100-item tool (tool check)",
                       median_ms(lambda: screening.check_tool(path), repeat=20), base))
        tool = screening.load_tool(path)
        assert len(tool.items) == ITEMS
        sets = answer_sets(tool, answer_count)
        asked = sum(len(s) for s in sets) / len(sets)

        start = time.perf_counter()
        for answers in sets:
            sum(tool.item(k).option(v).score for k, v in answers.items())  # type: ignore[union-attr]
        plain = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        for answers in sets:
            screening.score(tool, answers)
        scored = (time.perf_counter() - start) * 1000
    out.append(row(f"sum option scores, {answer_count:,} sets (baseline)", plain))
    out.append(row(f"score {answer_count:,} sets (~{asked:.0f} answers each)", scored, plain))
    out.append(row("  per answer set", scored / answer_count))
    return out


if __name__ == "__main__":
    print("\n".join(main()))
