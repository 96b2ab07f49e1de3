"""The expression policy: what a spec's payload, kwargs, `when` and `setup` may contain.

Specs are reviewed code, but a value is data, not code: nothing that executes, binds names in
the instrumented function or reaches into the interpreter.
"""

from __future__ import annotations

import ast


_FORBIDDEN_CALLS = ("eval", "exec", "compile", "open", "__import__")
# Read-only names, common in payloads as `type(exc).__name__`; every other dunder is refused.
_ALLOWED_DUNDER_ATTRIBUTES = ("__name__", "__qualname__")


# -- expression policy ---------------------------------------------------------------------------
def policy_violation(tree: ast.AST) -> str | None:
    """The first rule an expression breaks, as '<rule> is not allowed (<reason>)', or None."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Lambda):
            return "lambda is not allowed (a payload value is data, not code)"
        if isinstance(node, ast.NamedExpr):
            return "assignment expression (:=) is not allowed (it would bind a name inside the instrumented function)"
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return "yield is not allowed (it would turn the function into a generator)"
        if isinstance(node, ast.Await):
            return "await is not allowed (the payload must not suspend the caller)"
        if isinstance(node, ast.Starred):
            return "starred expression is not allowed (write the values out)"
        if isinstance(node, ast.Name) and _dunder(node.id):
            return f"dunder name is not allowed ({node.id} reaches into the interpreter)"
        if isinstance(node, ast.Attribute) and _dunder(node.attr) and node.attr not in _ALLOWED_DUNDER_ATTRIBUTES:
            return f"dunder attribute is not allowed (.{node.attr} reaches into the interpreter){_dunder_hint(node)}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FORBIDDEN_CALLS:
            return f"call to {node.func.id} is not allowed (it executes code or touches files)"
    return None


def _dunder_hint(node: ast.Attribute) -> str:
    """The allowed spelling of a common dunder read (`e.__class__.__name__` -> `type(e).__name__`)."""
    if node.attr == "__class__":
        return f"; write type({ast.unparse(node.value)}) instead, e.g. type({ast.unparse(node.value)}).__name__"
    return ""


def _dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def expression_problem(source: str) -> str | None:
    """Why `source` is not exactly one Python expression usable as a value, or None."""
    if not source:
        return "empty expression"
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        hint = ""
        if " " in source and not any(c in source for c in "()[]{}'\""):
            hint = f"; to write a string, quote it: \"'{source}'\""
        return f"not a single Python expression ({exc.msg}): {source!r}{hint}"
    if isinstance(tree.body, ast.Tuple) and not source.startswith("("):
        return f"a bare tuple is ambiguous here; wrap it in parentheses: ({source})"
    return policy_violation(tree)
