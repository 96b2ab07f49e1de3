"""The expression policy: what a spec's payload, kwargs, `when` and `setup` may contain.

Specs are reviewed code, but a value is data, not code. The policy is an allowlist: an
expression may read names and attributes, subscripts and slices, build literals (f-strings
included) and comprehensions, compute with operators, comparisons, `and`/`or`/`not` and
`x if c else y`, and call the builtins in `ALLOWED_BUILTIN_CALLS` and methods of values
(`x.isoformat()`, `s.get('k')`). Everything else is refused with the reason and what is
allowed: code that executes (`lambda`, `eval`, ...), binds names (`:=`), suspends (`await`,
`yield`), reaches into the interpreter (dunders, frames, `globals()`, `getattr`), changes a
value the instrumented function uses (`list.append`, `dict.pop`, generator `.throw`), or
reads input/ends the process (`input`, `exit`).

This module checks the syntax alone. Whether a name is a module (`os.system(...)`), a
function of the target file or a shadowed builtin is known only with the target's imports,
so `eventmod.analysis.checks` applies `module_violation` per insertion site as well.
"""

from __future__ import annotations

import ast
import io
import string
import tokenize
import types
from collections import deque
from functools import lru_cache
from typing import Callable

from eventmod.model.record import record
from eventmod.pyast.scope import used_names
from eventmod.pyast.walk import child_nodes, walk_nodes

# Builtins a spec may call: conversions, containers and pure helpers.
ALLOWED_BUILTIN_CALLS = frozenset({
    "str", "int", "float", "bool", "complex", "bytes", "len", "round", "abs", "min", "max", "sum", "sorted",
    "list", "tuple", "dict", "set", "frozenset", "repr", "ascii", "format", "type", "isinstance", "issubclass",
    "any", "all", "enumerate", "zip", "reversed", "range", "divmod", "pow", "hex", "oct", "bin", "ord", "chr",
    "hash", "id", "callable", "slice",
})
# Builtins that are never allowed, called or not: they execute code, reach into the
# interpreter's namespaces, read input or end the process.
# Calling them is refused outright; reading one is refused per site when it is the builtin (a
# local variable may be called `open` or `input`).
REFUSED_NAMES = frozenset({
    "globals", "vars", "locals", "getattr", "setattr", "delattr", "hasattr", "__builtins__", "eval", "exec", "compile",
    "open", "__import__", "breakpoint", "input", "exit", "quit", "help", "dir", "print", "next", "iter", "aiter",
    "anext", "map", "filter",
})
# Never a variable's name in practice: refused wherever they appear.
ALWAYS_REFUSED_NAMES = frozenset({"globals", "vars", "locals", "getattr", "setattr", "delattr", "__builtins__", "eval", "exec", "__import__", "breakpoint"})
# Dunder attributes that are plain reads (as in `type(exc).__name__`); every other is refused.
READABLE_DUNDERS = ("__name__", "__qualname__")
# Module functions (by the dotted name the target's imports resolve to) that read a value and
# change nothing; any other use of a module object is refused.
ALLOWED_MODULE_CALLS = frozenset({
    "time.time", "time.monotonic", "time.perf_counter", "time.time_ns", "time.monotonic_ns", "time.perf_counter_ns",
    "traceback.format_exc", "traceback.format_exception", "traceback.format_exception_only",
    "datetime.datetime", "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.fromtimestamp",
    "datetime.datetime.fromisoformat", "datetime.date", "datetime.date.today", "datetime.timedelta",
    "decimal.Decimal", "math.isfinite", "math.isnan", "math.isinf", "math.floor", "math.ceil", "math.fabs",
    "math.trunc", "math.sqrt", "math.log10", "uuid.uuid4", "os.getpid", "json.dumps",
})
ALLOWED_MODULE_VALUES = frozenset({"datetime.timezone.utc", "math.pi", "math.inf", "math.nan", "os.sep", "sys.platform"})

_CONTAINERS = (list, dict, set, bytearray, deque)
_IMMUTABLE = (tuple, frozenset, str, bytes, int, float)
# Methods that change the value they are called on (computed from the builtin containers: the
# ones their immutable counterparts lack, minus the reads).
MUTATING_METHODS = frozenset(
    name for kind in _CONTAINERS for name in dir(kind)
    if not name.startswith("_") and not any(hasattr(other, name) for other in _IMMUTABLE)
) - {"get", "keys", "items", "values", "fromkeys", "copy", "maxlen"}
_RUNNING_CODE = (types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType)
# Methods that resume or stop a generator or coroutine (someone else's code, mid-flight).
GENERATOR_CONTROLS = frozenset(name for kind in _RUNNING_CODE for name in dir(kind) if name in {
    "send", "throw", "close", "asend", "athrow", "aclose"})
# Attributes of frames, tracebacks, code objects, generators and coroutines (`tb_frame`,
# `f_globals`, `gi_frame`, ...): the way from a value to the interpreter's namespaces.
INTROSPECTION_ATTRIBUTES = frozenset(
    name
    for kind in (types.FrameType, types.TracebackType, types.CodeType, *_RUNNING_CODE)
    for name in dir(kind)
    if name[:3] in ("f_b", "f_c", "f_g", "f_l", "f_t", "tb_", "co_", "gi_", "cr_", "ag_") or name == "f_back"
)

ALLOWED = ("a spec expression may read names, attributes, subscripts and slices, build literals (f-strings too) and "
           "comprehensions, use operators, comparisons, and/or/not and `x if c else y`, and call builtins "
           "(str, int, float, bool, len, round, abs, min, max, sum, sorted, list, tuple, dict, set, repr, type, "
           "isinstance, ...) and methods of values (`x.isoformat()`, `d.get('k')`)")

_EXPRESSION_NODES = (
    ast.Expression, ast.Name, ast.Attribute, ast.Subscript, ast.Slice, ast.Constant, ast.JoinedStr, ast.FormattedValue,
    ast.Compare, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.IfExp, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp,
    ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.comprehension, ast.Call, ast.keyword, ast.expr_context,
    ast.operator, ast.cmpop, ast.boolop, ast.unaryop,
)
_REFUSED_NODES: dict[type, str] = {
    ast.Lambda: "lambda is not allowed (a value is data, not code)",
    ast.NamedExpr: "assignment expression (:=) is not allowed (it would bind a name inside the instrumented function)",
    ast.Yield: "yield is not allowed (it would turn the function into a generator)",
    ast.YieldFrom: "yield is not allowed (it would turn the function into a generator)",
    ast.Await: "await is not allowed (evaluating a value must not suspend the caller)",
    ast.Starred: "starred expression is not allowed (write the values out)",
}
# The largest expression the policy reads; a value longer than this is a program, not a value.
MAX_EXPRESSION_LENGTH = 10_000
MAX_NESTING = 60


def _refused(reason: str) -> str:
    return f"{reason}; {ALLOWED}"


# -- expression policy ---------------------------------------------------------------------------
def policy_violation(tree: ast.AST) -> str | None:
    """The first rule an expression breaks, as '<rule> is not allowed (<reason>); <what is
    allowed>', or None. `tree` is an `ast.Expression` or one node of an expression."""
    nodes = list(walk_nodes(tree))
    for node in nodes:  # code-like nodes first: `(lambda: x)()` is refused as a lambda
        refused = _REFUSED_NODES.get(type(node))
        if refused:
            return _refused(refused)
    for node in nodes:
        if not isinstance(node, _EXPRESSION_NODES):
            return _refused(f"{type(node).__name__} is not allowed here")
        if isinstance(node, ast.comprehension) and node.is_async:
            return _refused("`async for` is not allowed (evaluating a value must not suspend the caller)")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in REFUSED_NAMES:
            return _refused(_name_reason(node.func.id))
        if isinstance(node, ast.Name) and _dunder(node.id):
            return _refused(f"dunder name is not allowed ({node.id} reaches into the interpreter)")
        if isinstance(node, ast.Name) and node.id in ALWAYS_REFUSED_NAMES:
            return _refused(_name_reason(node.id))
        if isinstance(node, ast.Attribute):
            reason = _attribute_reason(node.attr, node.value)
            if reason:
                return _refused(reason)
        if isinstance(node, ast.Call):
            reason = _call_reason(node)
            if reason:
                return _refused(reason)
    return None


def _name_reason(name: str) -> str:
    if name in ("eval", "exec", "compile", "open", "__import__"):
        return f"call to {name} is not allowed (it executes code or touches files)"
    if name in ("exit", "quit", "breakpoint", "input", "help", "print"):
        return f"{name} is not allowed (it stops, pauses or talks to the terminal instead of returning a value)"
    if name in ("next", "iter", "aiter", "anext", "map", "filter"):
        return f"{name} is not allowed (it consumes or wraps an iterator the instrumented function may still use; use a comprehension)"
    return f"{name} is not allowed (it reaches into the interpreter's namespaces or objects)"


def _attribute_reason(attr: str, value: ast.expr | None = None) -> str | None:
    if attr == "__class__":
        shown = ast.unparse(value) if value is not None else "x"
        return f"dunder attribute is not allowed (.__class__ reaches into the interpreter; write `type({shown}).__name__` for the class name)"
    if _dunder(attr) and attr not in READABLE_DUNDERS:
        return f"dunder attribute is not allowed (.{attr} reaches into the interpreter; only .__name__ and .__qualname__ are readable)"
    if attr in INTROSPECTION_ATTRIBUTES:
        return f".{attr} is not allowed (it reaches into frames, code objects or the state of a generator or coroutine)"
    return None


def _call_reason(call: ast.Call) -> str | None:
    if any(k.arg is None for k in call.keywords):
        return "`**` unpacking in a call is not allowed (write the arguments out)"
    func = call.func
    if isinstance(func, ast.Name):
        return None  # builtin or not: decided per site, where the target's names are known
    if isinstance(func, ast.Attribute):
        if func.attr in GENERATOR_CONTROLS:
            return f"calling .{func.attr}() is not allowed (it resumes or stops a generator or coroutine the instrumented function may be running)"
        if func.attr in MUTATING_METHODS:
            return f"calling .{func.attr}() is not allowed (it changes a value the instrumented function uses; read it instead, e.g. .get() or len())"
        if func.attr in ("format", "format_map") and not _plain_format(func.value):
            return f".{func.attr}() is not allowed here (a format string can reach attributes through its fields; use an f-string)"
        return None
    return f"calling the result of `{ast.unparse(func)}` is not allowed (call a builtin or a method of a value)"


def _plain_format(receiver: ast.expr) -> bool:
    """A literal format string whose fields only name arguments (no `{0.attr}`/`{0[k]}`)."""
    if not (isinstance(receiver, ast.Constant) and isinstance(receiver.value, str)):
        return False
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(receiver.value) if f is not None]
    except ValueError:
        return False
    return all(f == "" or f.isdigit() or f.isidentifier() for f in fields)


def _dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def nesting_depth(tree: ast.AST) -> int:
    """How deeply `tree` nests (iteratively: a deep tree must not exhaust the stack here)."""
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in child_nodes(node))
    return deepest


@lru_cache(maxsize=8192)
def parse_bounded(source: str, mode: str) -> ast.AST | str:
    """`ast.parse(source)` within the policy's size bounds, or why not (never raises).
    Memoised by text: the loader and the per-site checks read the same expressions, which recur
    across events; the tree is shared, so callers must not modify it."""
    if len(source) > MAX_EXPRESSION_LENGTH:
        return (f"is {len(source):,} characters long; a spec value may have at most {MAX_EXPRESSION_LENGTH:,} "
                "(compute a long value in the instrumented function and name it here)")
    try:
        tree = ast.parse(source, mode=mode)
    except (SyntaxError, ValueError) as exc:
        return f"not a single Python {'expression' if mode == 'eval' else 'statement'} ({getattr(exc, 'msg', exc)})"
    except (RecursionError, MemoryError):
        return f"nests too deeply to be read (at most {MAX_NESTING} levels)"
    if len(source) > MAX_NESTING and nesting_depth(tree) > MAX_NESTING:  # each level costs a character
        return f"nests more than {MAX_NESTING} levels deep; write a simpler value"
    return tree


@lru_cache(maxsize=8192)
def expression_problem(source: str) -> str | None:
    """Why `source` is not exactly one Python expression usable as a value, or None."""
    if not source:
        return "empty expression"
    parsed = parse_bounded(source, "eval")
    if isinstance(parsed, str):
        if parsed.startswith("not a single"):
            hint = ""
            if " " in source and not any(c in source for c in "()[]{}'\""):
                hint = f"; to write a string, quote it: \"'{source}'\""
            return f"{parsed}: {source[:200]!r}{hint}"
        return f"the expression {parsed}"
    tree = parsed
    if isinstance(tree.body, ast.Tuple) and not source.startswith("("):  # type: ignore[attr-defined]
        return f"a bare tuple is ambiguous here; wrap it in parentheses: ({source})"
    if "#" in source and _has_comment(source):
        return ("a comment (`# ...`) is not allowed in an expression: the value is written inside a line of generated "
                "code, where it would comment out the rest of that line; use `comment:` for notes")
    return policy_violation(tree)


def _has_comment(source: str) -> bool:
    try:
        return any(t.type == tokenize.COMMENT for t in tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return True


# -- setup statements ------------------------------------------------------------------------------
def setup_problem(statement: str) -> str | None:
    """Why one `setup` entry is not `name = <expression>` (or `a, b = ...`, `name: T = ...`)
    with an allowed expression, or None. Freshness of the names is checked per site."""
    parsed = parse_bounded(statement, "exec")
    if isinstance(parsed, str):
        return f"setup statement {statement[:200]!r}: {parsed}"
    body = parsed.body  # type: ignore[attr-defined]
    shape = ("setup statements may only bind new names: `name = <expression>`, `a, b = <expression>` or "
             "`name: type = <expression>`")
    if len(body) != 1:
        return f"setup statement {statement!r} must be one statement; {shape}"
    stmt = body[0]
    if isinstance(stmt, ast.Assign):
        targets, values = stmt.targets, [stmt.value]
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None and isinstance(stmt.target, ast.Name):
        targets, values = [stmt.target], [stmt.value, stmt.annotation]
    else:
        kind = {ast.AugAssign: "an augmented assignment changes an existing name",
                ast.Expr: "a bare expression only has side effects"}.get(type(stmt), f"a `{type(stmt).__name__.lower()}` statement")
        return f"setup statement {statement!r}: {kind}; {shape}"
    for target in targets:
        if not _names_only(target):
            return f"setup statement {statement!r} assigns to `{ast.unparse(target)}`, which changes a value the instrumented function uses; {shape}"
    for value in values:
        violation = policy_violation(value)
        if violation:
            return f"setup statement {statement!r}: {violation}"
    return None


def _names_only(target: ast.expr) -> bool:
    if isinstance(target, ast.Name):
        return True
    if isinstance(target, (ast.Tuple, ast.List)):
        return all(_names_only(e) for e in target.elts)
    return False


# -- per insertion site: what the names are ----------------------------------------------------------
@record
class Binding:
    """What a name read by a spec expression refers to at one insertion site."""

    kind: str  # "builtin" | "module" | "import" | "function" | "value"
    origin: str = ""  # the dotted module ("module") or what a from-import named ("import")
    line: int = 0  # where the target file binds it


@record
class NameUse:
    """One read of a free name in a spec expression, with what the policy needs of its
    surroundings: whether the name itself is called, and (for a module) the attribute chain
    read through it and whether that chain is called."""

    name: str
    called: bool
    chain: tuple[str, ...]  # `.a.b` read off the name (`os.path.join` -> ("path", "join"))
    chain_called: bool
    top: ast.expr  # the outermost attribute of the chain (the name itself when none)


def name_uses(tree: ast.AST) -> tuple[NameUse, ...]:
    """Every load of a free name of `tree`, in walk order: what `site_violation` judges once the
    names' bindings are known. Pure of the tree, so callers may compute it once per expression
    and judge it at many sites (`uses_violation`)."""
    parents: dict[int, ast.AST] = {}
    loads: list[ast.Name] = []
    for node in walk_nodes(tree):  # one walk: the parents, and the loaded names in walk order
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                loads.append(node)
            continue
        for child in child_nodes(node):
            parents[id(child)] = node
    if not loads:
        return ()
    free = {n.id for n in used_names(tree)}
    uses = []
    for node in loads:
        if node.id not in free:
            continue
        parent = parents.get(id(node))
        called = isinstance(parent, ast.Call) and parent.func is node
        top: ast.expr = node
        chain: list[str] = []
        while isinstance(above := parents.get(id(top)), ast.Attribute) and above.value is top:
            top = above
            chain.append(above.attr)
        above = parents.get(id(top))
        uses.append(NameUse(node.id, called, tuple(chain), isinstance(above, ast.Call) and above.func is top, top))
    return tuple(uses)


def site_violation(tree: ast.AST, binding_of: Callable[[str], Binding | None]) -> str | None:
    """The first rule `tree` breaks once its names are known (`binding_of`: None for a name
    the scope check reports): modules, builtins read as values, and what a plain call calls."""
    return uses_violation(name_uses(tree), binding_of)


def uses_violation(uses: tuple[NameUse, ...], binding_of: Callable[[str], Binding | None]) -> str | None:
    """`site_violation` of the expression whose `name_uses` are `uses`."""
    for use in uses:
        binding = binding_of(use.name)
        if binding is None:
            continue
        called = use.called
        if binding.kind == "module":
            reason = _module_reason(use, binding)
        elif binding.kind == "builtin":
            if use.name in REFUSED_NAMES:
                reason = _name_reason(use.name)
            elif called and use.name not in ALLOWED_BUILTIN_CALLS:
                reason = f"calling the builtin {use.name}() is not allowed (only conversions and container builtins are)"
            else:
                reason = None
        elif called and binding.kind == "import" and _absolute(binding.origin) not in ALLOWED_MODULE_CALLS:
            reason = (f"calling {use.name}(), imported from {binding.origin.rsplit('.', 1)[0] or '.'} at line {binding.line}, is not "
                      f"allowed (it runs code of the target project or a library); stdlib calls allowed: {_module_list()}")
        elif called and binding.kind in ("function", "value"):
            what = "a function of the target file" if binding.kind == "function" else "a value of the target code"
            reason = (f"calling {use.name}(), {what} (line {binding.line}), is not allowed (it runs the target's own code); "
                      "compute the value in the instrumented function and name it here")
        else:
            reason = None
        if reason:
            return _refused(reason)
    return None


def _absolute(origin: str) -> str:
    return "" if origin.startswith(".") else origin


def _module_list() -> str:
    return ", ".join(sorted(ALLOWED_MODULE_CALLS | ALLOWED_MODULE_VALUES))


def _module_reason(use: NameUse, binding: Binding) -> str | None:
    dotted = ".".join((binding.origin, *use.chain))
    called = use.chain_called
    if (called and dotted in ALLOWED_MODULE_CALLS) or (not called and dotted in ALLOWED_MODULE_VALUES):
        return None
    shown = ast.unparse(use.top) + ("(...)" if called else "")
    return (f"`{shown}` reaches through the module `{use.name}` (imported at line {binding.line}); a module gives access "
            f"to everything (os.system, sys.modules, ...), so a spec may use only these from modules: {_module_list()}; "
            "compute anything else in the instrumented function and name it here")
