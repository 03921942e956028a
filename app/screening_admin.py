"""`courtside tool check` and `courtside tool try`: what a site administrator runs before a tool goes live.

`check` prints every problem as FILE:LINE: what is wrong, and exits 0 only when the tool is valid.
`try` scores a set of answers given as JSON and prints the totals, bands and flags as JSON, so a site
can test each threshold; answers that do not fit the tool are reported, never quietly ignored.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from app import screening

OK, INVALID_TOOL, INVALID_ANSWERS = 0, 1, 2


def check(path: Path, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    problems = screening.check_tool(path)
    for problem in problems:
        print(problem, file=err)
    if problems:
        print(f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}; the tool cannot be used",
              file=err)
        return INVALID_TOOL
    tool = screening.load_tool(path)
    print(f"{path}: valid — tool {tool.id} version {tool.version}, {len(tool.items)} questions in "
          f"{len(tool.sections)} blocks, {len(tool.totals)} totals, {len(tool.flags)} flags; "
          f"languages {', '.join(tool.locales)}; content hash {tool.content_hash}", file=out)
    return OK


def try_answers(path: Path, answers_path: Path, today: date | None = None, out: TextIO = sys.stdout,
                err: TextIO = sys.stderr) -> int:
    problems = screening.check_tool(path)
    if problems:
        for problem in problems:
            print(problem, file=err)
        return INVALID_TOOL
    tool = screening.load_tool(path)
    answers, trouble = _read_answers(answers_path)
    if trouble is None:
        assert answers is not None
        found = screening.validate_answers(tool, answers, today)
        trouble = [f"{answers_path}: {p}" for p in found] or None
    if trouble:
        for line in trouble:
            print(line, file=err)
        return INVALID_ANSWERS
    assert answers is not None
    print(json.dumps(result_json(tool, answers, today), indent=2, ensure_ascii=False), file=out)
    return OK


def result_json(tool: screening.Tool, answers: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    """What `try` prints: the tool cited, scores with their bands, flags with their reasons, what is left."""
    result = screening.score(tool, answers, today)
    return {
        "tool": {"id": tool.id, "version": tool.version, "content_hash": tool.content_hash},
        "totals": result.totals,
        "bands": result.bands,
        "flags": sorted(result.flags),
        "why": {f.id: f.why for f in tool.flags if f.id in result.flags},
        "risk": list(result.risk_messages),
        "complete": result.complete,
        "unanswered": [i.id for i in screening.visible_items(tool, answers) if i.id not in answers],
    }


def _read_answers(path: Path) -> tuple[dict[str, Any] | None, list[str] | None]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return None, [f"{path}: cannot read the answers file ({exc.strerror})"]
    except UnicodeDecodeError:
        return None, [f"{path}: not UTF-8 text"]
    except json.JSONDecodeError as exc:
        return None, [f"{path}:{exc.lineno}: not valid JSON ({exc.msg})"]
    if not isinstance(data, dict):
        return None, [f"{path}: the answers must be a JSON object of item id to answer, e.g. {{\"audit_1\": \"4\"}}"]
    return data, None
