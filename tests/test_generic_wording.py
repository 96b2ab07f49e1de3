"""Messages speak of "the caller" and "the instrumented function", whatever the project; the
trading words stay in the fixture and the README's worked example."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from eventmod.model.settings import EVENT_COLUMNS
from eventmod.spec.policy import expression_problem

PACKAGE = Path(__file__).resolve().parent.parent / "eventmod"
DOMAIN = re.compile(r"\b(trading|trades?|waves?|exchanges?|positions?|orders?|symbols?|bot)\b", re.I)
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")  # data keys such as "position_id" are no message
_COLUMNS = "|".join(sorted(EVENT_COLUMNS, key=len, reverse=True))
# Not words of a message either: a column of the events table written as code (`--symbol`, the
# flag that filters on it; `symbol`; `symbol=None`, the logger keyword), SQL's ORDER BY and CSS's
# `position:` property.
NOT_WORDS = re.compile(
    rf"--(?:{_COLUMNS.replace('_', '-')})\b|`(?:{_COLUMNS})`|\b(?:{_COLUMNS})=|\bORDER BY\b|(?<![\w-])position: *[a-z]+;"
)


def _domain_words(text: str) -> list[str]:
    return DOMAIN.findall(NOT_WORDS.sub(" ", text))


def _texts(tree: ast.Module):
    """(line, text) of every string a user can see: constants and f-string parts, docstrings
    and identifier-like data keys left out."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if not IDENTIFIER.fullmatch(node.value):
                yield node.lineno, node.value


# The logger module `eventmod init` writes keeps the audited bot's table columns (position_id,
# symbol, exchange...) on purpose: one events table for every project that eventmod reads back.
SCHEMA_TEMPLATE = PACKAGE / "init" / "logger_template.py"


def test_no_domain_words_in_messages():
    found = []
    for path in sorted(p for p in PACKAGE.rglob("*.py") if p != SCHEMA_TEMPLATE):
        for line, text in _texts(ast.parse(path.read_text(encoding="utf-8"))):
            if _domain_words(text):
                found.append(f"{path.relative_to(PACKAGE)}:{line}: {text[:90]!r}")
    assert found == []


def test_the_scan_sees_messages():  # the check above can fail: it finds a planted message
    tree = ast.parse('def f():\n    """The trading flow."""\n    raise ValueError(f"breaks the trading flow at {x}")\n')
    assert [t for _, t in _texts(tree) if _domain_words(t)] == ["breaks the trading flow at "]


@pytest.mark.parametrize("text, words", [
    ("timeline --symbol, then --position-id N", []),
    ("The events whose `symbol` is S.", []),
    ("async def log_event(self, t, d, symbol=None, exchange=None): ...", []),
    ("SELECT 1 FROM t\nORDER BY created_at", []),
    (".bar { position: relative; }", []),
    # the same words in prose are still found
    ("sort the rows by symbol", ["symbol"]),
    ("the order was rejected by the exchange", ["order", "exchange"]),
    ("rows in time order", ["order"]),
    ("one position at a time; --symbols", ["position", "symbols"]),
    ("positions: 3", ["positions"]),
])
def test_code_spelling_of_the_events_columns_is_no_message(text, words):
    assert [w.lower() for w in _domain_words(text)] == words


@pytest.mark.parametrize("expr, hint", [
    ("e.__class__.__name__", "write `type(e).__name__` for the class name"),
    ("exc.__class__", "write `type(exc).__name__` for the class name"),
    ("self.conn.__class__.__qualname__", "write `type(self.conn).__name__` for the class name"),
    ("str(err.__class__)", "write `type(err).__name__` for the class name"),
])
def test_class_dunder_gets_the_type_suggestion(expr, hint):
    problem = expression_problem(expr)
    assert problem is not None and "dunder attribute is not allowed (.__class__" in problem and hint in problem


@pytest.mark.parametrize("expr", ["type(e).__name__", "type(self.conn).__qualname__"])
def test_the_suggested_spelling_is_accepted(expr):
    assert expression_problem(expr) is None


@pytest.mark.parametrize("expr, words", [
    ("(y := 1)", "inside the instrumented function"),
    ("await fetch(x)", "must not suspend the caller"),
])
def test_policy_reasons_are_generic(expr, words):
    assert words in expression_problem(expr)
