"""The logger contract: what the target's logger offers and accepts, read from its source with
`ast` (never imported), and what would fail when a block runs.

`logger_contract` checks, once per run, everything the blocks rely on: the logger module
resolves (a file under root, or an installed module found on `sys.path` without importing it),
the getter (`call = "getter"`) or the function (`call = "function"`) is defined there, the enum
class is bound there, the call target exists (the method on the class the getter returns: the
getter's return annotation names it, else the class in the module that defines the method) and
is `async def` for awaited or scheduled emission and a plain `def` for `sync = true`, and its
signature takes the payload and the severity the way the configuration passes them. Each
failure is an error that names the configuration key to change. The contract also refines the
call shape: an async method's plain-def companion (`sync_method`, or `<method>_nowait` /
`<method>_sync` found on the same class) is what sync code calls.

`logger_signature` is the one signature reader (the kwargs a spec may pass are checked against
the same `LoggerSignature`).
"""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path
from typing import Callable

from eventmod.model.problems import Problem
from eventmod.model.record import record
from eventmod.model.settings import CallShape, Config
from eventmod.model.spec import EventSpec
from eventmod.pyast.source import Loaded

Load = Callable[[str], "Loaded | Problem"]
# Plain-def companions of an async method that sync code may call instead (`sync_method` unset).
SYNC_SUFFIXES = ("_nowait", "_sync")
# A plain `def` annotated to return one of these is awaited like an `async def`.
_AWAITABLE_RETURNS = frozenset({"Awaitable", "Coroutine", "Future", "Task"})
_HOPS = 4  # how many `from x import name` re-exports are followed


@record
class LoggerSignature:
    """What a logger call target accepts, read from its `def`."""

    path: str  # the file that defines it (relative to root, or an installed module's path)
    line: int
    qualname: str  # `EventLogger.log_event`, or `log_event` for a module-level function
    is_async: bool  # `async def` (or a def annotated to return an awaitable)
    positional: tuple[str, ...]  # parameters that can be passed by position (after self/cls)
    keywords: tuple[str, ...]  # parameters that can be passed by keyword (after self/cls)
    var_positional: bool  # takes *args
    var_keyword: bool  # takes **kwargs

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def takes_positional(self, count: int) -> bool:
        return self.var_positional or len(self.positional) >= count

    def accepts(self, keyword: str) -> bool:
        """Whether `keyword=` can be passed."""
        return self.var_keyword or keyword in self.keywords

    def kwargs(self, call: CallShape) -> tuple[str, ...]:
        """The keywords a spec's kwargs may use: every keyword parameter except the event type's,
        the payload's and the severity's (the block passes those itself)."""
        taken = set(self.positional[:1])
        taken.add(call.payload_arg or (self.positional[1] if len(self.positional) > 1 else ""))
        taken.add(call.severity_arg)
        return tuple(k for k in self.keywords if k not in taken)


@record
class LoggerContract:
    """The logger as the blocks will call it: the shape (with a sync companion found), the
    signatures read, and the problems (errors name the configuration key to change)."""

    call: CallShape
    signature: LoggerSignature | None = None
    sync_signature: LoggerSignature | None = None
    problems: tuple[Problem, ...] = ()
    module_path: str | None = None  # the logger module's file, when eventmod could read it


# -- reading modules without importing them ---------------------------------------------------------
@record
class _Module:
    """A module read from source, never imported: its dotted name, its file and its syntax tree."""

    name: str
    path: str  # as `load` takes it: relative to root, or absolute for an installed module
    tree: ast.Module


class _Modules:
    """Finds and parses modules by dotted name: under root first, then on sys.path (the spec of
    the top package only, then files; nothing is imported or executed)."""

    def __init__(self, config: Config, load: Load, overlay: tuple[tuple[str, bytes], ...]):
        self.config = config
        self.load = load
        self.overlay = dict(overlay)
        self.cache: dict[str, _Module | Problem | None] = {}

    def file_of(self, module: str) -> tuple[str | None, bool]:
        """(the file that holds `module` or None, whether an installed package has it in a form
        eventmod cannot read: a compiled extension, a namespace without the file)."""
        from eventmod.analysis.cycles import module_file

        rel = module_file(self.config.root, module, self.overlay)
        if rel is not None:
            return rel, False
        return installed_module_file(module)

    def get(self, module: str) -> _Module | Problem | None:
        if module not in self.cache:
            path, _ = self.file_of(module)
            if path is None:
                self.cache[module] = None
            else:
                loaded = self.load(path)
                self.cache[module] = loaded if isinstance(loaded, Problem) else _Module(module, path, loaded[1])
        return self.cache[module]


def installed_module_file(module: str) -> tuple[str | None, bool]:
    """The source file of an installed module found on sys.path, WITHOUT importing anything:
    `PathFinder.find_spec` locates the top-level package, the rest is a walk of its directories.
    Returns (absolute path or None, whether the module exists but has no readable source)."""
    import importlib.machinery
    import sys

    parts = module.split(".")
    if parts[0] in sys.builtin_module_names:
        return None, True
    try:
        spec = importlib.machinery.PathFinder.find_spec(parts[0], sys.path)
    except (ImportError, ValueError):
        return None, False
    if spec is None:
        return None, False
    if len(parts) == 1:
        origin = spec.origin
        if origin and origin.endswith(".py"):
            return origin, False
        return None, True  # an extension module or a namespace package
    locations = list(spec.submodule_search_locations or [])
    for index, part in enumerate(parts[1:], start=1):
        last = index == len(parts) - 1
        found = None
        for location in locations:
            package = Path(location) / part
            if (package / "__init__.py").is_file():
                found = package / "__init__.py"
                locations = [str(package)]
                break
            if last and (Path(location) / f"{part}.py").is_file():
                found = Path(location) / f"{part}.py"
                break
            if package.is_dir():  # a namespace package
                locations = [str(package)]
                found = package
                break
        if found is None:
            compiled = any(p.name.startswith(f"{part}.") and p.suffix in (".so", ".pyd")
                           for location in locations if Path(location).is_dir() for p in Path(location).iterdir())
            return None, compiled
        if last:
            return (str(found), False) if found.suffix == ".py" else (None, True)
    return None, False  # pragma: no cover - the loop returns


def _top_level(body: list[ast.stmt]):
    """Statements that run at import: the top level and the bodies of top-level if/try/with."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If):
            yield from _top_level(stmt.body)
            yield from _top_level(stmt.orelse)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            for block in (stmt.body, *(h.body for h in stmt.handlers), stmt.orelse, stmt.finalbody):  # type: ignore[attr-defined]
                yield from _top_level(block)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            yield from _top_level(stmt.body)


def _absolute(module: _Module, node: ast.ImportFrom) -> str | None:
    if not node.level:
        return node.module
    package = module.name if module.path.endswith("__init__.py") else module.name.rpartition(".")[0]
    parts = package.split(".") if package else []
    if node.level - 1 > len(parts):
        return None
    base = ".".join(parts[: len(parts) - (node.level - 1)])
    return f"{base}.{node.module}" if node.module and base else (node.module or base)


@record
class _Found:
    """Where a name is defined: the module read and the top-level statement that binds it (a def, a
    class, an assignment or an import)."""

    module: _Module
    node: ast.AST  # FunctionDef, AsyncFunctionDef, ClassDef, or the statement that binds the name otherwise


def _definition(modules: _Modules, module: _Module, name: str, hops: int = _HOPS) -> _Found | None:
    """Where `name` is defined at the top level of `module`, following `from x import name`
    re-exports; the last binding wins, as at run time. None when nothing binds it."""
    found: _Found | None = None
    for stmt in _top_level(module.tree.body):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and stmt.name == name:
            found = _Found(module, stmt)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                found = _Found(module, stmt)
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if (alias.asname or alias.name) == name or alias.name == "*":
                    source = _absolute(module, stmt)
                    target = modules.get(source) if source and hops else None
                    if isinstance(target, _Module):
                        inner = _definition(modules, target, alias.name if alias.name != "*" else name, hops - 1)
                        if inner is not None:
                            found = inner
                            continue
                    if alias.name != "*":
                        found = _Found(module, stmt)
        elif isinstance(stmt, ast.Import):
            if any((a.asname or a.name.split(".")[0]) == name for a in stmt.names):
                found = _Found(module, stmt)
    return found


def _annotation_names(node: ast.expr | None) -> list[str]:
    """Class names a return annotation mentions (`EventLogger | None`, `Optional["X"]`)."""
    if node is None:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return _annotation_names(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return []
    if isinstance(node, ast.Name):
        return [] if node.id in ("None", "Optional", "Union", "Any") else [node.id]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _annotation_names(node.left) + _annotation_names(node.right)
    if isinstance(node, ast.Subscript):
        head = node.value.attr if isinstance(node.value, ast.Attribute) else node.value.id if isinstance(node.value, ast.Name) else ""
        if head in ("Optional", "Union"):
            inner = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            return [n for item in inner for n in _annotation_names(item)]
    return []


def _method_of(modules: _Modules, found: _Found, method: str, depth: int = 0) -> tuple[_Found, str] | None:
    """`method` defined in the class `found` or in one of its bases eventmod can read:
    (the definition, the class that defines it)."""
    cls = found.node
    if not isinstance(cls, ast.ClassDef) or depth > 8:
        return None
    for stmt in _top_level(cls.body):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == method:
            return _Found(found.module, stmt), cls.name
    for base in cls.bases:
        name = base.attr if isinstance(base, ast.Attribute) else base.id if isinstance(base, ast.Name) else None
        if name is None:
            continue
        parent = _definition(modules, found.module, name)
        if parent is not None:
            inherited = _method_of(modules, parent, method, depth + 1)
            if inherited is not None:
                return inherited
    return None


def _signature(found: _Found, qualname: str, method: bool) -> LoggerSignature:
    node = found.node
    assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    args = node.args
    positional = [a.arg for a in [*args.posonlyargs, *args.args]]
    keyword_able = [a.arg for a in args.args] + [a.arg for a in args.kwonlyargs]
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)
    if method and not static and positional:
        dropped = positional[0]
        positional = positional[1:]
        keyword_able = [k for k in keyword_able if k != dropped]
    returns = _annotation_names(node.returns) if node.returns is not None else []
    awaitable = isinstance(node, ast.AsyncFunctionDef) or any(r in _AWAITABLE_RETURNS for r in returns) or (
        isinstance(node.returns, ast.Subscript) and _subscript_head(node.returns) in _AWAITABLE_RETURNS)
    return LoggerSignature(found.module.path, node.lineno, qualname, awaitable, tuple(positional), tuple(keyword_able),
                           args.vararg is not None, args.kwarg is not None)


def _subscript_head(node: ast.Subscript) -> str:
    value = node.value
    return value.attr if isinstance(value, ast.Attribute) else value.id if isinstance(value, ast.Name) else ""


def _logger_classes(modules: _Modules, logger: _Module, getter: _Found | None, method: str) -> list[_Found]:
    """The classes whose instances the getter returns: named by its return annotation, else every
    class at the top level of the logger module (defined or imported there) that has `method`."""
    if getter is not None and isinstance(getter.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        named = [_definition(modules, getter.module, n) for n in _annotation_names(getter.node.returns)]
        classes = [f for f in named if f is not None and isinstance(f.node, ast.ClassDef)]
        if classes:
            return classes
    candidates: list[_Found] = []
    for stmt in _top_level(logger.tree.body):
        if isinstance(stmt, ast.ClassDef):
            candidates.append(_Found(logger, stmt))
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if alias.name != "*" and (alias.asname or alias.name)[:1].isupper():
                    found = _definition(modules, logger, alias.asname or alias.name)
                    if found is not None and isinstance(found.node, ast.ClassDef):
                        candidates.append(found)
    return [c for c in candidates if _method_of(modules, c, method) is not None]


# -- the contract ---------------------------------------------------------------------------------
def _where(config: Config) -> str:
    return str(config.source) if config.source else "[tool.eventmod]"


def logger_signature(config: Config, load: Load, overlay: tuple[tuple[str, bytes], ...] = (),
                     method: str | None = None) -> LoggerSignature | Problem | None:
    """The signature of the logger's call target (`method`, default config `method`): the method
    on the class the getter returns, or the module-level function (`call = "function"`). A
    Problem says why it cannot be found (naming the config key); None when the logger lives
    where eventmod cannot read it (a compiled module)."""
    contract = logger_contract(config, load, overlay, method=method)
    if contract.signature is not None:
        return contract.signature
    errors = [p for p in contract.problems if p.severity == "error"]
    return errors[0] if errors else None


def logger_contract(config: Config, load: Load, overlay: tuple[tuple[str, bytes], ...] = (),
                    method: str | None = None) -> LoggerContract:
    """Check the logger the blocks call (see the module docstring)."""
    call = CallShape.from_config(config)
    if method is not None:
        call = replace(call, method=method)
    where = _where(config)
    modules = _Modules(config, load, overlay)
    path, unreadable = modules.file_of(config.logger_module)
    if path is None:
        if unreadable:
            return LoggerContract(call, problems=(Problem(where, 0, f"logger_module '{config.logger_module}' is installed without Python source eventmod can read; the logger contract (getter, enum, `{call.method}`) is not checked", severity="warning"),))
        return LoggerContract(call, problems=(Problem(
            where, 0, f"logger_module '{config.logger_module}' resolves to no file under root {config.root} "
                      f"(looked for {config.logger_module.replace('.', '/')}.py and .../__init__.py) and is not an installed package: "
                      "every block's import would raise ImportError; set `logger_module` in [tool.eventmod]"),))
    logger = modules.get(config.logger_module)
    if isinstance(logger, Problem):
        return LoggerContract(call, problems=(logger,), module_path=path)
    assert logger is not None
    shown = path if not Path(path).is_absolute() else f"{path} (installed)"
    problems: list[Problem] = []
    line = 1

    def error(message: str) -> None:
        problems.append(Problem(path, line, message))

    if _definition(modules, logger, config.enum_class) is None and not _star(logger.tree):
        error(f"the enum class '{config.enum_class}' is not defined in {shown} (logger_module '{config.logger_module}'): every "
              "block imports it from there and would raise ImportError; set `enum_class` (or `logger_module`) in [tool.eventmod]")
    signature = sync_signature = None
    if call.function:
        found = _definition(modules, logger, call.method)
        if found is None and not _star(logger.tree):
            error(f"the function '{call.method}' is not defined in {shown} (logger_module '{config.logger_module}', "
                  f"call = \"function\"): every block would raise ImportError; set `method` in [tool.eventmod] to the "
                  "module-level function that logs an event, or `call = \"getter\"` if a getter returns the logger")
        elif found is not None and isinstance(found.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            signature = _signature(found, call.method, method=False)
        elif found is not None:
            problems.append(Problem(path, line, f"'{call.method}' in {shown} is not a `def` eventmod can read; its signature "
                                                "(async or not, the keywords it takes) is not checked", severity="warning"))
    else:
        getter = _definition(modules, logger, config.getter)
        if getter is None and not _star(logger.tree):
            error(f"the getter '{config.getter}' is not defined in {shown} (logger_module '{config.logger_module}'): "
                  "every block would raise ImportError; set `getter` in [tool.eventmod] to the function that returns the logger"
                  " (or `call = \"function\"` when the module has a logging function instead)")
        else:
            classes = _logger_classes(modules, logger, getter, call.method)
            if not classes:
                named = _annotation_names(getter.node.returns) if getter is not None and isinstance(
                    getter.node, (ast.FunctionDef, ast.AsyncFunctionDef)) else []
                if named:
                    target = _definition(modules, getter.module, named[0]) if getter is not None else None
                    if target is not None and isinstance(target.node, ast.ClassDef):
                        error(f"the class {named[0]} that '{config.getter}' returns ({target.module.path}:{target.node.lineno}) "
                              f"has no method '{call.method}': every block would raise AttributeError; set `method` in "
                              "[tool.eventmod] to the method that logs an event")
                    else:
                        problems.append(Problem(path, line, f"'{config.getter}' returns {named[0]}, whose definition eventmod "
                                                            f"cannot read; `{call.method}` and its signature are not checked", severity="warning"))
                else:
                    error(f"no class in {shown} has a method '{call.method}' (and '{config.getter}' has no return annotation "
                          f"naming the logger's class): the logger's `{call.method}` cannot be found, so every block would fail "
                          "with AttributeError; set `method` in [tool.eventmod] to the method that logs an event, or annotate the "
                          "getter's return type")
            elif _method_of(modules, classes[0], call.method) is None:
                cls = classes[0]
                error(f"the class {cls.node.name} that '{config.getter}' returns ({cls.module.path}:{cls.node.lineno}) "  # type: ignore[attr-defined]
                      f"has no method '{call.method}': every block would raise AttributeError; set `method` in "
                      "[tool.eventmod] to the method that logs an event")
            else:
                cls = classes[0]
                found_method = _method_of(modules, cls, call.method)
                assert found_method is not None
                signature = _signature(found_method[0], f"{found_method[1]}.{call.method}", method=True)
                sync_name = call.sync_method
                if sync_name:
                    companion = _method_of(modules, cls, sync_name)
                    if companion is None:
                        error(f"the class {cls.node.name} has no method '{sync_name}' (`sync_method` in [tool.eventmod]): "  # type: ignore[attr-defined]
                              "sync code would fail with AttributeError; set `sync_method` to a plain-def method of the logger, or remove it")
                    else:
                        sync_signature = _signature(companion[0], f"{companion[1]}.{sync_name}", method=True)
                        if sync_signature.is_async:
                            error(f"`{sync_signature.qualname}` ({sync_signature.where}) is `async def`, but `sync_method` names the "
                                  "plain-def method sync code calls without awaiting it (the coroutine would never run); set "
                                  "`sync_method` to a plain `def`, or remove it")
                            sync_signature = None
                elif signature.is_async and not config.sync:
                    for suffix in SYNC_SUFFIXES:
                        companion = _method_of(modules, cls, call.method + suffix)
                        if companion is not None:
                            candidate = _signature(companion[0], f"{companion[1]}.{call.method}{suffix}", method=True)
                            if not candidate.is_async:
                                sync_signature = candidate
                                call = replace(call, sync_method=call.method + suffix)
                                break
    if signature is not None:
        problems += _signature_problems(config, call, signature, path)
    if sync_signature is not None:
        problems += [replace(p, message=p.message + " (sync companion)") for p in
                     _keyword_problems(call, sync_signature, path)]
    return LoggerContract(call, signature, sync_signature, tuple(problems), path)


def _star(tree: ast.Module) -> bool:
    return any(isinstance(s, ast.ImportFrom) and any(a.name == "*" for a in s.names) for s in tree.body)


def _signature_problems(config: Config, call: CallShape, signature: LoggerSignature, path: str) -> list[Problem]:
    problems: list[Problem] = []
    if call.is_async and not signature.is_async:
        problems.append(Problem(signature.path, signature.line,
                                f"`{signature.qualname}` is a plain `def`, but blocks await it or schedule it with asyncio.create_task "
                                "(`sync = false`, the default): that raises TypeError when a block runs; set `sync = true` in "
                                "[tool.eventmod] so blocks call it directly"))
    elif not call.is_async and signature.is_async:
        problems.append(Problem(signature.path, signature.line,
                                f"`{signature.qualname}` is `async def`, but `sync = true` makes blocks call it without awaiting it: "
                                "the coroutine would never run; remove `sync = true` from [tool.eventmod]"))
    problems += _keyword_problems(call, signature, path)
    return problems


def _keyword_problems(call: CallShape, signature: LoggerSignature, path: str) -> list[Problem]:
    problems: list[Problem] = []
    after_event_type = [k for k in signature.keywords if k not in signature.positional[:1]]
    takes = ", ".join(after_event_type) or "no keywords"

    def problem(message: str) -> None:
        problems.append(Problem(signature.path, signature.line, message))

    if not signature.takes_positional(1):
        problem(f"`{signature.qualname}` takes no positional argument, but blocks pass the event type as the first one; "
                "set `method` in [tool.eventmod] to the logger's event-logging call")
    if call.payload_arg:
        if not signature.accepts(call.payload_arg):
            problem(f"`{signature.qualname}` takes no `{call.payload_arg}=` keyword (it takes: {takes}), but blocks pass the "
                    "payload that way; set `payload_arg` in [tool.eventmod] to its payload keyword, or to \"\" to pass it "
                    "positionally")
    elif not signature.takes_positional(2):
        problem(f"`{signature.qualname}` takes {len(signature.positional)} positional argument(s), but blocks pass the event type "
                "and the payload positionally; set `payload_arg` in [tool.eventmod] to the keyword that takes the payload")
    if call.severity_arg and not signature.accepts(call.severity_arg):
        others = ", ".join(signature.kwargs(replace(call, severity_arg=""))) or "no other keywords"
        problem(f"`{signature.qualname}` takes no `{call.severity_arg}=` keyword (it takes: {others}); set `severity_arg` in "
                "[tool.eventmod] to the keyword that takes the severity, or to \"\" when it takes none (the severity is then "
                "not passed)")
    return problems


def contract_problems(config: Config, events: list[EventSpec], contract: LoggerContract) -> list[Problem]:
    """kwargs of the selected events that the logger's call does not accept."""
    signature = contract.signature
    if signature is None or signature.var_keyword:
        return []
    return signature_problems(events, signature, contract.call)


def signature_problems(events: list[EventSpec], signature: LoggerSignature, call: CallShape) -> list[Problem]:
    """Each event kwarg that is not a keyword of `signature` (besides the event type, the
    payload and the severity, which the block passes itself), at its spec line."""
    accepted = signature.kwargs(call)
    problems = []
    for event in events:
        for key, _ in event.kwargs:
            if key not in accepted:
                problems.append(Problem(event.spec_file, event.line_of(key),
                                        f"{call.method} in {signature.path} does not accept `{key}=` (it takes: "
                                        f"{', '.join(accepted) or 'no other keywords'}); remove it or put it in the payload", event.id))
    return problems


def runtime_problems(config: Config, load: Load, overlay: tuple[tuple[str, bytes], ...] = ()) -> list[Problem]:
    """What would fail when a block runs (the contract's errors)."""
    return [p for p in logger_contract(config, load, overlay).problems if p.severity == "error"]


def unknown_member_problems(config: Config, plans, additions, load: Load) -> list[Problem]:
    """Every `log_event(<Enum>.<MEMBER>, ...)` in the planned files must name a member the enum
    has (or that this run adds): anything else raises AttributeError when the block runs."""
    from eventmod.analysis.enum_state import read_enum

    references = [(plan.path, member, line) for plan in plans for member, line in plan.references]
    if not references:
        return []
    loaded = load(Path(config.enum_file).as_posix())
    if isinstance(loaded, Problem):
        return []  # already reported
    state = read_enum(loaded[0], loaded[1], config.enum_class)
    if isinstance(state, Problem):
        return []
    known = set(state.members) | set(state.lines) | {m.name for m in additions} | _other_members(state)
    return [Problem(path, line, f"{config.enum_class}.{member} is not a member of {config.enum_class} in {config.enum_file}: "
                                f"this {config.method} call raises AttributeError when it runs; add the member (an event spec with "
                                f"`event: {member}` adds it), fix the name, or check `enum_file`/`enum_class` in [tool.eventmod]")
            for path, member, line in references if member not in known]


def _other_members(state) -> set[str]:
    """Names the enum class body binds in any other way (computed values, `auto()`, aliases)."""
    names: set[str] = set()
    for stmt in state.classdef.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
        names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names
