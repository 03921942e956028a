"""Conditions in screening tools: a tiny expression language, parsed with `ast` and compiled to closures.

Why not `eval`: a tool file is data that a site edits, so a condition may only compare answers, never
run code. `ast.parse` gives us Python's grammar for free; everything outside the small allowed set is
refused with a message, and what is allowed is turned into plain closures (fast enough to score
thousands of answer sets a second, and nothing is ever executed from the text).

Allowed: names (an item's score or number, a total, a flag), whole numbers, `== != < <= > >=`,
`and`, `or`, `not`, brackets, `answered(item)` and `selected(item, "value")`.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

MAX_EXPRESSION = 300  # long enough for any sensible rule; stops pathological nesting
FUNCTIONS = ("answered", "selected")

_CMP: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
    ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
}
_FLIP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.Eq, ast.NotEq: ast.NotEq, ast.Lt: ast.Gt, ast.LtE: ast.GtE, ast.Gt: ast.Lt, ast.GtE: ast.LtE,
}
_NEGATE: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.LtE: ast.Gt, ast.Gt: ast.LtE, ast.GtE: ast.Lt,
}


class Env(Protocol):
    """What a condition can ask while it is worked out."""

    def value(self, name: str) -> int | float | bool: ...
    def answered(self, item_id: str) -> bool: ...
    def selected(self, item_id: str, value: str) -> bool: ...


@dataclass(frozen=True)
class Call:
    function: str  # "answered" | "selected"
    item: str
    value: str | None  # the option value, for selected()


@dataclass(frozen=True)
class Expr:
    """A vetted condition: its text, the names it compares, the calls it makes, and its compiled form."""

    source: str
    node: ast.expr
    names: tuple[str, ...]  # bare names, in order of first appearance
    calls: tuple[Call, ...]
    run: Callable[[Env], Any]

    @property
    def refs(self) -> tuple[str, ...]:
        """Every name the condition depends on, bare or inside a call, in order of first appearance."""
        seen = dict.fromkeys(self.names)
        for call in self.calls:
            seen.setdefault(call.item)
        return tuple(seen)

    def holds(self, env: Env) -> bool:
        return bool(self.run(env))


@lru_cache(maxsize=2048)
def parse(source: str) -> Expr:
    """Parse, vet and compile a condition; raises ValueError (without file context) when it is not allowed."""
    if not isinstance(source, str) or not source.strip():
        raise ValueError("the condition is empty")
    if len(source) > MAX_EXPRESSION:
        raise ValueError(f"the condition is longer than {MAX_EXPRESSION} characters")
    try:
        body = ast.parse(source.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"'{source}' is not a valid condition ({exc.msg})") from None
    except (RecursionError, MemoryError):
        raise ValueError("the condition is nested too deeply") from None
    names: dict[str, None] = {}
    calls: list[Call] = []
    run = _compile(body, names, calls, boolean=True)
    return Expr(source, body, tuple(names), tuple(calls), run)


def _compile(node: ast.expr, names: dict[str, None], calls: list[Call], boolean: bool) -> Callable[[Env], Any]:
    """Vet one node and return its closure. `boolean` says whether a truth value is expected here."""
    match node:
        case ast.BoolOp(op=ast.And(), values=values):
            parts = [_compile(v, names, calls, True) for v in values]
            return lambda env: all(p(env) for p in parts)
        case ast.BoolOp(op=ast.Or(), values=values):
            parts = [_compile(v, names, calls, True) for v in values]
            return lambda env: any(p(env) for p in parts)
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            inner = _compile(operand, names, calls, True)
            return lambda env: not inner(env)
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            for op in ops:
                if type(op) not in _CMP:
                    raise ValueError(f"'{ast.unparse(node)}': only == != < <= > >= comparisons are allowed")
            operands = [_operand(part, names, calls) for part in (left, *comparators)]
            funcs = [_CMP[type(op)] for op in ops]

            def compare(env: Env) -> bool:
                lhs = operands[0](env)
                for fn, right in zip(funcs, operands[1:], strict=True):
                    rhs = right(env)
                    if not fn(lhs, rhs):
                        return False
                    lhs = rhs
                return True
            return compare
        case ast.Call():
            return _call(node, calls)
        case ast.Name() | ast.Constant() | ast.UnaryOp(op=ast.USub()):
            return _operand(node, names, calls)
    raise ValueError(f"'{ast.unparse(node)}' is not allowed; use names, whole numbers, comparisons, and/or/not, "
                     "answered(item) and selected(item, \"value\")")


def _operand(node: ast.expr, names: dict[str, None], calls: list[Call]) -> Callable[[Env], Any]:
    match node:
        case ast.Name(id=name, ctx=ast.Load()):
            if name in FUNCTIONS:
                raise ValueError(f"'{name}' is a function: write {name}(item)")
            names.setdefault(name)
            return lambda env: env.value(name)
        case ast.Constant(value=value) if type(value) is int:
            return lambda env: value
        case ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=value)) if type(value) is int:
            return lambda env: -value
        case ast.Call():
            raise ValueError(f"'{ast.unparse(node)}' is true or false: it cannot be compared; use it on its own")
    raise ValueError(f"'{ast.unparse(node)}' is not allowed; compare names and whole numbers only")


def _call(node: ast.Call, calls: list[Call]) -> Callable[[Env], Any]:
    text = ast.unparse(node)
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        raise ValueError(f"'{text}' is not allowed; the only functions are answered(item) and "
                         "selected(item, \"value\")")
    if node.keywords:
        raise ValueError(f"'{text}': no keyword arguments")
    function, args = node.func.id, node.args
    if not args or not isinstance(args[0], ast.Name):
        raise ValueError(f"'{text}': the first argument must be an item id")
    item = args[0].id
    if function == "answered":
        if len(args) != 1:
            raise ValueError(f"'{text}': answered() takes one item id")
        calls.append(Call(function, item, None))
        return lambda env: env.answered(item)
    if len(args) != 2 or not (isinstance(args[1], ast.Constant) and isinstance(args[1].value, str)):
        raise ValueError(f"'{text}': selected() takes an item id and an option value in quotes")
    value = args[1].value
    calls.append(Call(function, item, value))
    return lambda env: env.selected(item, value)


# --- Can a condition ever hold? ------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    low: float
    high: float


def possible(expr: Expr, ranges: Mapping[str, Range]) -> tuple[bool, bool]:
    """(can be true, can be false) over the possible values of each name, taking each comparison alone.

    An over-approximation: `False` in either place is certain (a flag that can never be set, a question
    that can never be shown); `True` may be optimistic when the same name appears twice.
    """
    return _possible(expr.node, ranges)


def _possible(node: ast.expr, ranges: Mapping[str, Range]) -> tuple[bool, bool]:
    match node:
        case ast.BoolOp(op=ast.And(), values=values):
            parts = [_possible(v, ranges) for v in values]
            return all(t for t, _f in parts), any(f for _t, f in parts)
        case ast.BoolOp(op=ast.Or(), values=values):
            parts = [_possible(v, ranges) for v in values]
            return any(t for t, _f in parts), all(f for _t, f in parts)
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            can_true, can_false = _possible(operand, ranges)
            return can_false, can_true
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            sides = [left, *comparators]
            pairs = [_pair(sides[n], op, sides[n + 1], ranges) for n, op in enumerate(ops)]
            return all(t for t, _f in pairs), any(f for _t, f in pairs)
        case ast.Name(id=name):
            r = ranges.get(name)
            if r is None:
                return True, True
            return not (r.low == r.high == 0), r.low <= 0 <= r.high
        case ast.Constant(value=value):
            return bool(value), not value
    return True, True  # calls: answered() and selected() can go either way


def _constant(node: ast.expr) -> int | None:
    match node:
        case ast.Constant(value=value) if type(value) is int:
            return value
        case ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=value)) if type(value) is int:
            return -value
    return None


def _pair(left: ast.expr, op: ast.cmpop, right: ast.expr, ranges: Mapping[str, Range]) -> tuple[bool, bool]:
    lc, rc = _constant(left), _constant(right)
    if lc is not None and rc is not None:
        result = _CMP[type(op)](lc, rc)
        return result, not result
    if isinstance(left, ast.Name) and rc is not None and left.id in ranges:
        r, kind, c = ranges[left.id], type(op), rc
    elif isinstance(right, ast.Name) and lc is not None and right.id in ranges:
        r, kind, c = ranges[right.id], _FLIP[type(op)], lc
    else:
        return True, True
    return _satisfiable(r, kind, c), _satisfiable(r, _NEGATE[kind], c)


def _satisfiable(r: Range, op: type[ast.cmpop], c: int) -> bool:
    """Is there a value v in r with `v op c`?"""
    if op is ast.Eq:
        return r.low <= c <= r.high
    if op is ast.NotEq:
        return not (r.low == r.high == c)
    if op is ast.Lt:
        return r.low < c
    if op is ast.LtE:
        return r.low <= c
    if op is ast.Gt:
        return r.high > c
    return r.high >= c  # GtE
