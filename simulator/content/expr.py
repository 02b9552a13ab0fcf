"""A small, safe condition language over named values.

    alliance >= 5 and not out_of_window
    rupture == "confrontation" or shame > 7

Comparisons (== != < <= > >=, chains allowed), `and`, `or`, `not`, parentheses, whole or
decimal numbers, quoted text, true/false. The text is parsed with Python's `ast` parser,
checked against a whitelist of node types and known names, and compiled into closures.
Nothing is ever passed to `eval`.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from simulator.errors import did_you_mean

Kind = Literal["int", "bool", "str"]


class NameSpec(NamedTuple):
    """What a name in a condition stands for."""

    kind: Kind
    choices: tuple[str, ...] = ()
    """For text names: the values it can take."""
    bounds: tuple[int, int] | None = None
    """For number names with a range: the lowest and highest value."""


Env = Mapping[str, Any]
Pred = Callable[[Env], Any]


class ExprError(ValueError):
    def __init__(self, message: str, column: int | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.hint = hint


_CMP: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_LITERAL_WORDS = {"true": True, "false": False, "True": True, "False": False}
MAX_LENGTH = 500


class _Typed(NamedTuple):
    fn: Pred
    kind: Kind
    name: str | None = None
    const: Any = None
    is_const: bool = False


def compile_condition(source: str, names: Mapping[str, NameSpec]) -> Pred:
    """Parse and check `source`; return a function of an environment. Raises ExprError."""
    return _compile_cached(source, _freeze(names))


def _freeze(names: Mapping[str, NameSpec]) -> tuple[tuple[str, NameSpec], ...]:
    return tuple(sorted(names.items()))


@lru_cache(maxsize=4096)
def _compile_cached(source: str, frozen: tuple[tuple[str, NameSpec], ...]) -> Pred:
    names = dict(frozen)
    if not isinstance(source, str) or not source.strip():
        raise ExprError("the condition is empty", hint='write a test such as "alliance >= 5"')
    if len(source) > MAX_LENGTH:
        raise ExprError(f"the condition is longer than {MAX_LENGTH} characters", hint="split it")
    text = source.strip()
    try:
        body = _tree(text)
    except SyntaxError as exc:
        hint = 'conditions look like: alliance >= 5 and rupture == "withdrawal"'
        if "=<" in text or "=>" in text:
            hint = "write <= or >= (the comparison sign comes first)"
        elif "=" in text and "==" not in text and not any(op in text for op in ("<=", ">=", "!=")):
            hint = "use == to compare (a single = is not a comparison)"
        elif "&&" in text or "||" in text:
            hint = "write `and` / `or` instead of && / ||"
        raise ExprError("the condition does not parse", column=exc.offset, hint=hint) from None
    typed = _Checker(names).visit(body)
    if typed.kind != "bool":
        raise ExprError(
            f"the condition is a {typed.kind}, not a test",
            hint=f"compare it, e.g. `{typed.name or 'alliance'} >= 5`",
        )
    return typed.fn


class _Checker:
    def __init__(self, names: Mapping[str, NameSpec]) -> None:
        self.names = names

    def visit(self, node: ast.AST) -> _Typed:
        if isinstance(node, ast.BoolOp):
            parts = [self._want_bool(v) for v in node.values]
            fns = tuple(p.fn for p in parts)
            if isinstance(node.op, ast.And):
                if len(fns) == 2:
                    a, b = fns
                    return _Typed(lambda env: a(env) and b(env), "bool")
                return _Typed(lambda env: all(f(env) for f in fns), "bool")
            if len(fns) == 2:
                a, b = fns
                return _Typed(lambda env: a(env) or b(env), "bool")
            return _Typed(lambda env: any(f(env) for f in fns), "bool")
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                inner = self._want_bool(node.operand).fn
                return _Typed(lambda env: not inner(env), "bool")
            if isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
                value = node.operand.value
                if isinstance(value, int | float) and not isinstance(value, bool):
                    return _const(-value)
            raise self._bad(node, "only `not` and a minus sign before a number are allowed here")
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool | int | float | str):
                return _const(value)
            raise self._bad(node, "only numbers, quoted text and true/false are allowed")
        raise self._bad(node, f"'{type(node).__name__}' is not part of the condition language")

    def _bad(self, node: ast.AST, message: str) -> ExprError:
        col = getattr(node, "col_offset", None)
        return ExprError(
            message,
            column=None if col is None else col + 1,
            hint="use names, numbers, quoted text, comparisons, and/or/not, parentheses",
        )

    def _want_bool(self, node: ast.AST) -> _Typed:
        typed = self.visit(node)
        if typed.kind != "bool":
            raise self._bad(
                node, f"'{ast.unparse(node)}' is a {typed.kind}; `and`, `or`, `not` need tests"
            )
        return typed

    def _name(self, node: ast.Name) -> _Typed:
        ident = node.id
        if ident in _LITERAL_WORDS:
            return _const(_LITERAL_WORDS[ident])
        spec = self.names.get(ident)
        if spec is None:
            raise ExprError(
                f"unknown name '{ident}' in the condition",
                column=node.col_offset + 1,
                hint=did_you_mean(ident, self.names, "names"),
            )
        return _Typed(operator.itemgetter(ident), spec.kind, name=ident)

    def _compare(self, node: ast.Compare) -> _Typed:
        operands = [self.visit(node.left), *(self.visit(c) for c in node.comparators)]
        steps: list[tuple[Callable[[Any, Any], bool], Pred, Pred]] = []
        for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
            fn = _CMP.get(type(op))
            if fn is None:
                raise self._bad(node, "only == != < <= > >= compare values")
            self._check_pair(node, op, left, right)
            steps.append((fn, left.fn, right.fn))
        if len(steps) == 1:
            f, a, b = steps[0]
            right = operands[1]
            if right.is_const:
                const = right.const
                return _Typed(lambda env: f(a(env), const), "bool")
            return _Typed(lambda env: f(a(env), b(env)), "bool")
        frozen = tuple(steps)
        return _Typed(lambda env: all(f(a(env), b(env)) for f, a, b in frozen), "bool")

    def _check_pair(self, node: ast.AST, op: ast.cmpop, left: _Typed, right: _Typed) -> None:
        if left.kind != right.kind and not {left.kind, right.kind} <= {"int"}:
            raise self._bad(node, f"cannot compare a {left.kind} with a {right.kind}")
        if left.kind in ("str", "bool") and isinstance(op, _ORDERING):
            raise self._bad(node, f"a {left.kind} can only be compared with == or !=")
        for flipped, (named, const) in enumerate(((left, right), (right, left))):
            if named.name and const.is_const and named.kind == "int":
                self._check_range(node, op, named.name, const.const, bool(flipped))
            if named.name and const.is_const and named.kind == "str":
                spec = self.names[named.name]
                if spec.choices and const.const not in spec.choices:
                    raise ExprError(
                        f"'{named.name}' is never \"{const.const}\"",
                        column=getattr(node, "col_offset", 0) + 1,
                        hint=did_you_mean(str(const.const), spec.choices, "values"),
                    )

    def _check_range(
        self, node: ast.AST, op: ast.cmpop, name: str, value: Any, flipped: bool
    ) -> None:
        """A comparison of a ranged name with a number that no value in the range satisfies."""
        bounds = self.names[name].bounds
        if bounds is None or isinstance(value, bool) or not isinstance(value, int):
            return
        lo, hi = bounds
        kind = type(op)
        if flipped:  # `20 < alliance` reads as `alliance > 20`
            kind = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE}.get(
                kind, kind
            )
        never = {
            ast.Gt: value >= hi,
            ast.GtE: value > hi,
            ast.Lt: value <= lo,
            ast.LtE: value < lo,
            ast.Eq: not lo <= value <= hi,
        }.get(kind, False)
        if never:
            symbol = {ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<=", ast.Eq: "=="}[kind]
            raise ExprError(
                f"'{name} {symbol} {value}' can never be true: {name} runs from {lo} to {hi}",
                column=getattr(node, "col_offset", 0) + 1,
                hint=f"use a value between {lo} and {hi}",
            )


def _const(value: Any) -> _Typed:
    kind: Kind = "bool" if isinstance(value, bool) else "str" if isinstance(value, str) else "int"
    return _Typed(lambda env: value, kind, const=value, is_const=True)


@lru_cache(maxsize=1024)
def _tree(source: str) -> ast.expr:
    return ast.parse(source.strip(), mode="eval").body


@lru_cache(maxsize=1024)
def requirements(source: str) -> tuple[frozenset[str], ...]:
    """Necessary conditions read off the text: for each top-level `and` term that is a name or
    an `or` of names, the set of names of which at least one must be true.

    A scorer can skip a rule when some group's names are all known to be false.
    """
    tree = _tree(source)
    terms = tree.values if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.And) else [tree]
    groups = []
    for term in terms:
        if isinstance(term, ast.Name) and term.id not in _LITERAL_WORDS:
            groups.append(frozenset([term.id]))
        elif (
            isinstance(term, ast.BoolOp)
            and isinstance(term.op, ast.Or)
            and all(isinstance(v, ast.Name) and v.id not in _LITERAL_WORDS for v in term.values)
        ):
            groups.append(frozenset(v.id for v in term.values if isinstance(v, ast.Name)))
    return tuple(groups)


@lru_cache(maxsize=1024)
def names_in(source: str) -> frozenset[str]:
    """Every name the condition reads."""
    tree = ast.parse(source.strip(), mode="eval")
    return frozenset(
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in _LITERAL_WORDS
    )


_OPEN = object()
"""`_fold`'s value for a part whose value depends on names not known."""


def residual(source: str, known: Mapping[str, Any]) -> tuple[Any, frozenset[str]]:
    """Partial evaluation: the condition with the `known` names put in, folded as far as they
    allow. Returns (value, frozenset()) when that decides it (the value's truth is the
    condition's), or (None, the names the rest still reads) when it does not.

    A scorer uses it to drop rules that can never fire for a choice, and to learn which of the
    client's state names the remaining ones read. Exact: only parts whose every name is known
    are evaluated, by Python's own operators, as the compiled condition would."""
    value, names = _fold(_tree(source.strip()), known)
    return (None, names) if value is _OPEN else (value, frozenset())


def _fold(node: ast.AST, known: Mapping[str, Any]) -> tuple[Any, frozenset[str]]:
    if isinstance(node, ast.Constant):
        return node.value, frozenset()
    if isinstance(node, ast.Name):
        if node.id in _LITERAL_WORDS:
            return _LITERAL_WORDS[node.id], frozenset()
        if node.id in known:
            return known[node.id], frozenset()
        return _OPEN, frozenset([node.id])
    if isinstance(node, ast.UnaryOp):
        value, names = _fold(node.operand, known)
        if value is _OPEN:
            return _OPEN, names
        if isinstance(node.op, ast.Not):
            return not value, frozenset()
        if isinstance(node.op, ast.USub):
            return -value, frozenset()
    if isinstance(node, ast.BoolOp):
        deciding = not isinstance(node.op, ast.And)  # False decides an `and`, True an `or`
        still: frozenset[str] = frozenset()
        for part in node.values:
            value, names = _fold(part, known)
            if value is _OPEN:
                still |= names
            elif bool(value) is deciding:
                return deciding, frozenset()
        return (_OPEN, still) if still else (not deciding, frozenset())
    if isinstance(node, ast.Compare):
        operands = [_fold(part, known) for part in (node.left, *node.comparators)]
        still = frozenset().union(*(names for _, names in operands))
        for op, (a, _), (b, _) in zip(node.ops, operands, operands[1:], strict=False):
            fn = _CMP.get(type(op))
            if fn is not None and a is not _OPEN and b is not _OPEN and not fn(a, b):
                return False, frozenset()  # a chain is an `and` of its comparisons
        return (_OPEN, still) if still else (True, frozenset())
    return _OPEN, frozenset(
        n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id not in _LITERAL_WORDS
    )


_SYMBOL = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def compared_with(
    source: str, known: Mapping[str, Any]
) -> dict[str, frozenset[tuple[str, Any]] | None]:
    """For each name the condition reads that is not `known`: the comparisons it takes part
    in, as (operator, constant) with the name on the left (known names count as constants),
    or None when it is read any other way (on its own, or against another unknown name)."""

    def constant(node: ast.expr) -> tuple[bool, Any]:
        if isinstance(node, ast.Constant):
            return True, node.value
        if isinstance(node, ast.Name) and (node.id in _LITERAL_WORDS or node.id in known):
            return True, _LITERAL_WORDS.get(node.id, known.get(node.id))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            is_const, value = constant(node.operand)
            return (True, -value) if is_const else (False, None)
        return False, None

    tree = _tree(source.strip())
    found: dict[str, set[tuple[str, Any]] | None] = {}
    placed: set[int] = set()  # Name nodes read as one side of a comparison with a constant
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for op, a, b in zip(node.ops, operands, operands[1:], strict=False):
            for flipped, (name, other) in enumerate(((a, b), (b, a))):
                if not isinstance(name, ast.Name) or constant(name)[0]:
                    continue
                is_const, value = constant(other)
                symbol = _SYMBOL[type(op)]
                pairs = found.setdefault(name.id, set())
                if is_const and pairs is not None:
                    pairs.add((_FLIPPED[symbol] if flipped else symbol, value))
                    placed.add(id(name))
                elif not is_const:
                    found[name.id] = None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not constant(node)[0] and id(node) not in placed:
            found[node.id] = None
    return {name: None if pairs is None else frozenset(pairs) for name, pairs in found.items()}


def alike_from(comparisons: frozenset[tuple[str, Any]]) -> int:
    """The least whole number k such that every value from k up gives the same outcome in each
    of the `comparisons` ((operator, number), the name on the left): for a counter that only
    counts up or restarts at zero, the values from k up are one value to anything that reads
    them only so."""
    # x < c and x >= c agree for every x >= c; ==, !=, <= and > for every x > c
    highest = max(
        (math.ceil(c) if op in ("<", ">=") else math.floor(c) + 1 for op, c in comparisons),
        default=0,
    )
    return max(0, int(highest))  # a count starts at zero
