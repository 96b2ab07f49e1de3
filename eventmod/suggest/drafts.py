"""`eventmod suggest`: draft spec entries for the logger calls of async functions that no
`log_event` follows yet.

For each `logger.<level>(...)` call (at or above a minimum level) in an async function, this
module picks the shortest literal fragment of the message that anchors exactly that call
(`after_log`), derives an EventType name and an id, takes the message's simple interpolated
values and the function's identifier-like parameters as the payload (keeping only those the
engine's scope check accepts at the insertion point), and renders YAML. The result is checked
the way `eventmod validate` checks it (loader + `plan_run` on the rendered text) and entries
that would not validate are dropped with a note, so what is printed or merged validates as is.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from eventmod.analysis.anchors import Site, log_call_of, normalize_log_text
from eventmod.analysis.checks import ModuleScope, SiteContext, check_site
from eventmod.analysis.placement import placement_problem, resolve_sites
from eventmod.analysis.presence import followed_by_log_event, inside_instrumentation
from eventmod.codegen.enum_members import read_enum
from eventmod.codegen.imports import existing_names
from eventmod.model.problems import InputError, Problem, did_you_mean
from eventmod.model.settings import Config
from eventmod.model.spec import Anchor, Catalog, EventSpec, Selection
from eventmod.pyast.source import SourceFile, load_source
from eventmod.pyast.walk import FunctionNode, index_functions, parameters, walk_statements
from eventmod.spec.loader import load_spec_bytes, load_spec_file
from eventmod.transform.apply import plan_run

LEVEL_RANK = {"debug": 10, "info": 20, "warning": 30, "warn": 30, "error": 40, "exception": 40, "critical": 50, "fatal": 50}
MIN_LEVELS = ("debug", "info", "warning", "error", "critical")
SEVERITY_OF = {"debug": "DEBUG", "info": "INFO", "warning": "WARNING", "error": "ERROR", "exception": "ERROR",
               "critical": "CRITICAL", "fatal": "CRITICAL"}
# Parameters worth recording on every event of a function: they identify what the call is about.
IDENTIFIER_PARAMS = ("symbol", "position_id", "exchange", "exchange_name", "order_id", "signal_id", "wave_id",
                     "side", "client_order_id", "trade_id", "correlation_id", "wave_timestamp")
STOP_WORDS = frozenset("""a an the for to of at in on by with from into onto and or but is are was were be been being
this that these those it its as via per than then so yes if else all any some our your their his her
""".split())  # not "not"/"no": dropping them would invert the event's meaning
_EDGE_WORDS = STOP_WORDS | {"not", "no"}  # a fragment ending on these reads badly ("order not")
_PURE_CALLS = frozenset({"len", "float", "int", "str", "round", "abs", "bool", "min", "max", "sum", "sorted", "repr"})
_GENERIC_ATTRS = frozenset({"value", "name", "id", "type", "status", "state"})
_BRACES = re.compile(r"\{\}")
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|\{\}")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_KEY_ASSIGN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\s*=")
_PLAIN_SCALAR = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*(\([A-Za-z0-9_.]*\))?")
MAX_EVENT_WORDS = 5


# -- data ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    path: str  # relative to root, POSIX
    prefix: str  # id prefix: the component name or the file stem
    component: str  # component name written into a new spec file


@dataclass
class Suggestion:
    id: str
    event: str
    function: str
    after_log: str
    severity: str
    payload: list[tuple[str, str]]
    kwargs: list[tuple[str, str]]
    comment: str
    level: str | None = None
    occurrence: int | None = None
    emit: str | None = None
    line: int = 0  # the logger call's first line
    insert_line: int = 0  # where the block would start (original line numbers)

    def to_event_spec(self, component: str = "suggested", spec_file: str = "<suggest>") -> EventSpec:
        return EventSpec(
            id=self.id, event=self.event, value=self.event.lower(), function=self.function,
            anchor=Anchor("after_log", self.after_log, self.level), payload=tuple(self.payload),
            kwargs=tuple(self.kwargs), severity=self.severity, component=component, spec_file=spec_file, line=0,
            comment=self.comment, emit=self.emit, occurrence=self.occurrence,
        )

    def to_yaml(self, dash_indent: str = "  ") -> list[str]:
        pad = dash_indent + "  "
        lines = [f"{dash_indent}- id: {self.id}", f"{pad}event: {self.event}", f"{pad}in: {self.function}",
                 f"{pad}after_log: {_quoted(self.after_log)}"]
        if self.level:
            lines.append(f"{pad}level: {self.level}")
        if self.occurrence:
            lines.append(f"{pad}occurrence: {self.occurrence}")
        if self.payload:
            lines.append(f"{pad}payload:")
            lines += [f"{pad}  {key}: {_scalar(expr)}" for key, expr in self.payload]
        lines += [f"{pad}{key}: {_scalar(expr)}" for key, expr in self.kwargs]
        lines.append(f"{pad}severity: {self.severity}")
        if self.emit:
            lines.append(f"{pad}emit: {self.emit}")
        lines.append(f"{pad}comment: {_quoted(self.comment)}")
        return lines


@dataclass
class FileSuggestions:
    target: Target
    entries: list[Suggestion] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # logger calls not suggested, and why
    specified: list[str] = field(default_factory=list)  # logger calls a spec already anchors at


@dataclass
class Outcome:
    text: str  # what to print, or the spec file's new text
    files: list[FileSuggestions]
    written: Path | None = None  # the spec file to write `data` to (None: print `text`)
    merged: bool = False
    data: bytes | None = None  # the spec file's new bytes (BOM kept when merging)

    @property
    def count(self) -> int:
        return sum(len(f.entries) for f in self.files)

    def notes(self) -> list[str]:
        return [n for f in self.files for n in f.notes]

    @property
    def specified(self) -> int:
        return sum(len(f.specified) for f in self.files)


# -- YAML scalars --------------------------------------------------------------------------------
def _quoted(text: str) -> str:
    """A double-quoted YAML scalar (JSON string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _scalar(expr: str) -> str:
    """An expression as a plain scalar when YAML reads it back as the same string, else quoted."""
    if _PLAIN_SCALAR.fullmatch(expr):
        try:
            if yaml.safe_load(expr) == expr:
                return expr
        except yaml.YAMLError:
            pass
    return _quoted(expr)


# -- targets -------------------------------------------------------------------------------------
def resolve_targets(config: Config, catalog: Catalog, components: list[str], files: list[str]) -> list[Target]:
    """--component NAME -> the component's spec file target; FILE -> that file (relative to root)."""
    problems: list[Problem] = []
    targets: list[Target] = []
    if components and files:
        raise InputError([Problem("suggest", 0, "give either --component or FILE paths, not both")])
    by_name = {c.component: c for c in catalog.components}
    for name in components:
        component = by_name.get(name)
        if component is None:
            problems.append(Problem("--component", 0, f"no component '{name}'{did_you_mean(name, by_name)}"))
        else:
            targets.append(Target(component.file, name, name))
    root = config.root.resolve()
    for rel in files:
        path = (root / rel).resolve()
        if not path.is_relative_to(root):
            problems.append(Problem(rel, 0, f"resolves outside root {root}; give paths relative to root"))
        elif not path.is_file():
            problems.append(Problem(rel, 0, f"not found under root {root}"))
        else:
            stem = re.sub(r"\W", "_", path.stem)
            targets.append(Target(path.relative_to(root).as_posix(), stem, stem))
    if not components and not files:
        problems.append(Problem("suggest", 0, "nothing to scan: give --component NAME or FILE paths (relative to root)"))
    if problems:
        raise InputError(problems)
    return targets


# -- scanning ------------------------------------------------------------------------------------
@dataclass
class _Names:
    """EventType names/values and ids already taken (enum file, catalog, this output)."""

    members: dict[str, str]  # name -> value
    values: dict[str, str]  # value -> name
    ids: set[str]

    def name_free(self, name: str) -> bool:
        value = name.lower()
        return name not in self.members and value not in self.values

    def take(self, name: str, event_id: str) -> None:
        self.members[name] = name.lower()
        self.values[name.lower()] = name
        self.ids.add(event_id)


def _taken(config: Config, catalog: Catalog, extra: list[EventSpec] = ()) -> _Names:
    members: dict[str, str] = {}
    loaded = load_source(config.root, Path(config.enum_file).as_posix())
    if not isinstance(loaded, Problem):
        state = read_enum(loaded[0], loaded[1], config.enum_class)
        if not isinstance(state, Problem):
            members.update(state.members)
    for event in [*catalog.events(), *extra]:
        members.setdefault(event.event, event.value)
    values = {v: k for k, v in members.items()}
    return _Names(members, values, {e.id for e in [*catalog.events(), *extra]})


def suggest(config: Config, catalog: Catalog, targets: list[Target], min_level: str = "info", *,
            include_specified: bool = False, extra_events: list[EventSpec] = ()) -> list[FileSuggestions]:
    """Draft entries for every target (not yet self-checked against the loader: see `run`)."""
    names = _taken(config, catalog, list(extra_events))
    return [_suggest_file(config, catalog, target, min_level, names, include_specified, list(extra_events)) for target in targets]


def _suggest_file(config: Config, catalog: Catalog, target: Target, min_level: str, names: _Names,
                  include_specified: bool, extra_events: list[EventSpec]) -> FileSuggestions:
    result = FileSuggestions(target)
    loaded = load_source(config.root, target.path)
    if isinstance(loaded, Problem):
        raise InputError([loaded])
    source, tree = loaded
    functions = index_functions(tree)
    getters = frozenset({config.getter, *existing_names(tree, config.logger_module, (config.getter,)).values()})
    module_scope = ModuleScope.of(tree)
    specified = {} if include_specified else _specified_lines(config, catalog, source, functions, target.path, extra_events)
    qualnames: dict[int, str] = {}
    for qualname, node in functions.items():
        qualnames.setdefault(id(node), qualname)  # `outer.inner` before `outer.<locals>.inner`
    threshold = LEVEL_RANK[min_level]
    for node_id, qualname in qualnames.items():
        function = functions[qualname]
        placed = list(walk_statements(function))
        calls = [(p, call) for p in placed if (call := log_call_of(p.stmt)) is not None]
        templates = [(call.level, call.template) for _, call in calls]
        for index, (p, call) in enumerate(calls):
            if LEVEL_RANK.get(call.level, 0) < threshold:
                continue
            where = f"{target.path}:{p.stmt.lineno}"
            if not isinstance(function, ast.AsyncFunctionDef):
                continue  # only async functions (an awaited log_event is legal there)
            if call.template is None or not call.template.strip():
                result.notes.append(f"{where}: logger.{call.level} in {qualname}: the message is not a literal, so after_log cannot anchor on it")
                continue
            site = Site("after", p.stmt, p.block, p.index, "forward", p.parent)
            if followed_by_log_event(site, getters) or inside_instrumentation(function, site, getters):
                continue  # already followed by an event, or a fail-safe block's own report line
            if site.line in specified:
                result.specified.append(f"{where}: already specified by event {specified[site.line]}")
                continue
            entry = _entry(config, source, tree, module_scope, function, qualname, site, call, p.stmt, templates, index, target, names)
            if isinstance(entry, str):
                result.notes.append(f"{where}: {entry}")
                continue
            result.entries.append(entry)
    return result


def _specified_lines(config: Config, catalog: Catalog, source: SourceFile, functions: dict[str, FunctionNode], path: str,
                     extra_events: list[EventSpec]) -> dict[int, str]:
    """Insertion line -> id of the spec events that already target this file."""
    found: dict[int, str] = {}
    events = [e for c in catalog.components if c.file == path for e in c.events] + list(extra_events)
    for event in events:
        failed, sites, _ = resolve_sites(source, functions, event, config.emit, getters=frozenset({config.getter}))
        if failed is None:
            for site in sites:
                found.setdefault(site.line, event.id)
    return found


# -- one entry -----------------------------------------------------------------------------------
def _entry(config: Config, source: SourceFile, tree: ast.Module, module_scope: ModuleScope, function: FunctionNode,
           qualname: str, site: Site, call, stmt: ast.stmt, templates: list[tuple[str, str | None]], index: int,
           target: Target, names: _Names) -> Suggestion | str:
    # logging's own arguments (`logger.info("Order %s", oid)`): the %-placeholders are placeholders too
    percent = len(stmt_call(stmt).args) > 1
    readable = _PERCENT.sub("{}", call.template) if percent else call.template
    text, level, occurrence = choose_anchor(templates, index, percent=percent)
    severity = SEVERITY_OF.get(call.level, "INFO")
    event_name = _unique_event(event_words(readable, qualname, call.level), names)
    event_id = _unique_id(f"{target.prefix}_{event_name.lower()}", names)
    probe = Suggestion(event_id, event_name, qualname, text, severity, [], [], comment_for(readable), level, occurrence,
                       line=stmt.lineno, insert_line=site.line)
    placement = placement_problem(source, probe.to_event_spec(), site, 0)
    if placement is not None:
        return placement.message
    settings = dict(source=source, tree=tree, function=function, qualname=qualname, site=site,
                    json_safe=config.json_safe, integer_kwargs=config.integer_kwargs, hot_paths=config.hot_paths)

    def problems(s: Suggestion) -> list[Problem]:
        ctx = SiteContext(event=s.to_event_spec(), emit=s.emit or config.emit, **settings)
        return check_site(ctx, module_scope)

    def errors(s: Suggestion) -> list[Problem]:
        return [p for p in problems(s) if p.severity == "error"]

    if errors(probe):  # a site-level problem (a hot path loop): emit in the background instead
        probe.emit = "background"
        if errors(probe):
            return f"no valid placement after this call ({errors(probe)[0].message})"
    payload: list[tuple[str, str]] = []
    seen_exprs: set[str] = set()
    for key, expr in payload_candidates(stmt, function):
        if expr in seen_exprs:
            continue
        trial = replace(probe, payload=[(key, expr)])
        found = problems(trial)
        if any(p.severity == "error" for p in found):
            continue  # not bound at the insertion point: dropped
        if not config.json_safe:  # follow the JSON-safety check's own advice, so json.dumps accepts it
            if any("a Decimal, which json.dumps rejects" in p.message for p in found):
                expr = f"float({expr})"
            elif any("a datetime, which json.dumps rejects" in p.message for p in found):
                expr = f"{expr}.isoformat()"
        seen_exprs.add(expr)
        payload.append((_unique_key(key, payload), expr))
    probe.payload = payload
    by_key = dict(payload)
    probe.kwargs = [(k, by_key[k]) for k in ("position_id", "symbol") if k in by_key]
    if errors(probe):  # every expression passed alone; be safe about the combination
        return f"the drafted entry does not pass the checks ({errors(probe)[0].message})"
    names.take(event_name, event_id)
    return probe


def choose_anchor(templates: list[tuple[str, str | None]], index: int, *, percent: bool = False) -> tuple[str, str | None, int | None]:
    """(after_log text, level or None, occurrence or None) that resolves to call `index` alone.

    The shortest fragment of whole words (two or more when the literal part has them) that only
    this call's message contains; else the same narrowed by `level`; else the full template with
    `{}` placeholders and `occurrence: N`."""
    level, template = templates[index]
    assert template is not None

    def matches(text: str, by_level: str | None = None) -> list[int]:
        wanted = normalize_log_text(text)
        return [i for i, (lv, t) in enumerate(templates) if t is not None and wanted in t and (by_level is None or lv == by_level)]

    candidates = fragments(template, percent=percent)
    for fragment in candidates:
        if matches(fragment) == [index]:
            return fragment, None, None
    for fragment in candidates:
        if matches(fragment, level) == [index]:
            return fragment, level, None
    full = template
    found = matches(full)
    return full, None, (found.index(index) + 1) if len(found) > 1 else None


def _strip_ends(text: str) -> str:
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end]


def fragments(template: str, *, percent: bool = False) -> list[str]:
    """Literal fragments of whole words, emojis and punctuation stripped at both ends, most
    preferred first: two words or more before single words, then those that neither begin nor
    end on a stop word, then those without brackets or other punctuation inside, then shorter,
    then earlier."""
    found: dict[str, tuple[int, ...]] = {}
    position = 0
    for segment in (_PERCENT if percent else _BRACES).split(template):
        if segment is None:
            continue
        tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", segment)]
        for i in range(len(tokens)):
            for j in range(i, len(tokens)):
                text = _strip_ends(segment[tokens[i][0]: tokens[j][1]])
                if not text or "{" in text or "}" in text or not any(ch.isalpha() for ch in text):
                    continue
                words = _WORD.findall(text)
                if len(words) == 1 and len(text) < 3:
                    continue
                # a fragment that begins or ends on a stop word ("to move", "order not") reads badly
                loose = int(bool(words) and (words[0].lower() in _EDGE_WORDS or words[-1].lower() in _EDGE_WORDS))
                odd = int(any(not (ch.isalnum() or ch in " -_'.") for ch in text))  # "bot (mode"
                key = (0 if len(words) >= 2 else 1, loose, odd, len(text), position + tokens[i][0])
                found[text] = min(found.get(text, key), key)
        position += len(segment) + 2
    return sorted(found, key=lambda t: found[t])


def event_words(template: str, qualname: str, level: str) -> list[str]:
    """UPPER words of the message (no placeholders, `key=` labels, emojis or stop words)."""
    literal = _KEY_ASSIGN.sub(" ", template.replace("{}", " "))
    words: list[str] = []
    for word in _WORD.findall(literal):
        upper = word.upper()
        if len(word) < 2 or word.lower() in STOP_WORDS or (words and words[-1] == upper):
            continue
        words.append(upper)
        if len(words) == MAX_EVENT_WORDS:
            break
    if not words:  # a message with no words: name it after the function and the level
        words = [w.upper() for w in qualname.rsplit(".", 1)[-1].split("_") if w and w.lower() not in STOP_WORDS]
        words = words[:MAX_EVENT_WORDS - 1] + [SEVERITY_OF.get(level, level.upper())]
    return words


def _unique_event(words: list[str], names: _Names) -> str:
    base = "_".join(words)
    if not re.match(r"[A-Za-z_]", base):
        base = "EVENT_" + base
    name, n = base, 2
    while not names.name_free(name):
        name, n = f"{base}_{n}", n + 1
    return name


def _unique_id(base: str, names: _Names) -> str:
    event_id, n = base, 2
    while event_id in names.ids:
        event_id, n = f"{base}_{n}", n + 1
    return event_id


def comment_for(template: str) -> str:
    head = template
    match = _KEY_ASSIGN.search(head)
    if match and _strip_ends(head[: match.start()]):
        head = head[: match.start()]
    head = " ".join(head.strip(" :,;-.=").split())
    head = re.sub(r"^[^\w{]+", "", head).rstrip(" :,;-.=")  # leading emojis and punctuation
    if len(head) > 72:
        head = head[:72].rsplit(" ", 1)[0] + " ..."
    return f"Log: {head}"


# -- payload -------------------------------------------------------------------------------------
def stmt_call(stmt: ast.stmt) -> ast.Call:
    """The logger call of a statement that `log_call_of` recognised."""
    return stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value  # type: ignore[attr-defined,return-value]


def payload_candidates(stmt: ast.stmt, function: FunctionNode) -> list[tuple[str, str]]:
    """(key, expression) for the message's simple interpolated values, then the identifier-like
    parameters of the function; exception objects become `str(e)` under `error`."""
    call = stmt_call(stmt)
    handler_names = {n.name for n in ast.walk(function) if isinstance(n, ast.ExceptHandler) and n.name}
    found: list[tuple[str, str]] = []
    for hint, expr in _interpolated(call):
        if isinstance(expr, ast.Name) and expr.id in handler_names:
            found.append(("error", f"str({expr.id})"))
        elif _simple(expr):
            found.append((_snake(hint) if hint else readable_key(expr), ast.unparse(expr)))
    params = parameters(function) - {"self", "cls"}
    ordered = [a.arg for a in [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs] if a.arg in params]
    for name in ordered:
        if name in IDENTIFIER_PARAMS or name.endswith("_id"):
            found.append((name, name))
    return found


def _interpolated(call: ast.Call) -> list[tuple[str | None, ast.expr]]:
    found: list[tuple[str | None, ast.expr]] = []

    def visit(node: ast.expr) -> None:
        if isinstance(node, ast.JoinedStr):
            found.extend((None, v.value) for v in node.values if isinstance(v, ast.FormattedValue))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            visit(node.left)
            visit(node.right)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            visit(node.left)
            if isinstance(node.right, ast.Tuple):
                found.extend((None, e) for e in node.right.elts)
            elif isinstance(node.right, ast.Dict):
                found.extend((k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else None, v)
                             for k, v in zip(node.right.keys, node.right.values))
            else:
                found.append((None, node.right))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            found.extend((None, a) for a in node.args)
            found.extend((k.arg, k.value) for k in node.keywords if k.arg)

    if call.args:
        visit(call.args[0])
        found.extend((None, a) for a in call.args[1:])  # logging's own %-style arguments
    return found


def _dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _simple(expr: ast.expr) -> bool:
    """Names, attributes, subscripts with constant keys, and pure builtins such as len(x)."""
    if isinstance(expr, ast.Name):
        return not _dunder(expr.id)
    if isinstance(expr, ast.Attribute):
        return not _dunder(expr.attr) and isinstance(expr.value, (ast.Name, ast.Attribute, ast.Subscript)) and _simple(expr.value)
    if isinstance(expr, ast.Subscript):
        key = expr.slice
        return isinstance(key, ast.Constant) and isinstance(key.value, (str, int)) and not isinstance(key.value, bool) and _simple(expr.value)
    if isinstance(expr, ast.Call):
        return (isinstance(expr.func, ast.Name) and expr.func.id in _PURE_CALLS and not expr.keywords and 0 < len(expr.args) <= 2
                and all(_simple(a) or isinstance(a, ast.Constant) for a in expr.args) and _simple(expr.args[0]))
    return False


def readable_key(expr: ast.expr) -> str:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        if expr.attr in _GENERIC_ATTRS and not (isinstance(expr.value, ast.Name) and expr.value.id in ("self", "cls")):
            return f"{readable_key(expr.value)}_{expr.attr}"  # signal.id -> signal_id, not id
        return expr.attr
    if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant):
        value = expr.slice.value
        return _snake(value) if isinstance(value, str) and _snake(value) else f"{readable_key(expr.value)}_{value}"
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
        inner = readable_key(expr.args[0])
        return f"{inner}_count" if expr.func.id == "len" else inner
    return "value"


def _snake(text: str) -> str:
    key = re.sub(r"[^0-9a-zA-Z]+", "_", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)).strip("_").lower()
    return key if key and not key[0].isdigit() else (f"v_{key}" if key else "")


def _unique_key(key: str, payload: list[tuple[str, str]]) -> str:
    taken = {k for k, _ in payload}
    result, n = key, 2
    while result in taken:
        result, n = f"{key}_{n}", n + 1
    return result


# -- output --------------------------------------------------------------------------------------
def render_spec(target: Target, entries: list[Suggestion]) -> str:
    """A complete spec file for one target."""
    head = [
        "# Drafted by `eventmod suggest`: review each entry (names, payload, severity) before applying.",
        f"component: {target.component}",
        f"file: {_path_scalar(target.path)}",
        "phase: 1",
        "days: [1]",
        "priority: MEDIUM",
        f"enum_group: {_quoted(_title(target.component) + ' events')}",
        "events:",
    ]
    body: list[str] = []
    for entry in entries:
        body += entry.to_yaml("  ") + [""]
    return "\n".join(head + body).rstrip("\n") + "\n"


def _path_scalar(path: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_./-]*", path) and yaml.safe_load(path) == path:
        return path
    return _quoted(path)


def _title(name: str) -> str:
    return " ".join(w.capitalize() for w in re.split(r"[_\W]+", name) if w)


def merge_text(existing: str, entries: list[Suggestion]) -> str:
    """`existing` with the entries appended to its `events:` list; every other byte unchanged."""
    newline = "\r\n" if "\r\n" in existing else "\n"
    lines = existing.splitlines(keepends=True)
    events_at = next((i for i, l in enumerate(lines) if re.match(r"events\s*:\s*(#.*)?$", l.rstrip("\r\n"))), None)
    if events_at is None:
        raise InputError([Problem("--out", 0, "cannot merge: the file has no block-style top-level `events:` list")])
    end = len(lines)
    for i in range(events_at + 1, len(lines)):
        if re.match(r"[^\s#-]", lines[i]):  # the next top-level key
            end = i
            break
    dash = next((re.match(r"\s*", l).group(0) for l in lines[events_at + 1: end] if l.lstrip().startswith("- ")), "  ")
    insert = end
    while insert > events_at + 1 and (not lines[insert - 1].strip() or lines[insert - 1].lstrip().startswith("#")):
        insert -= 1
    if insert == len(lines) and insert > 0 and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline  # the last line gets its line end before entries follow it
    block: list[str] = []
    for entry in entries:
        block += [""] + entry.to_yaml(dash)
    added = [line + newline for line in block]
    return "".join(lines[:insert] + added + lines[insert:])


# -- self-check (what `eventmod validate` would say) ---------------------------------------------
def _problems_by_id(config: Config, text: str, display: str) -> tuple[dict[str, list[Problem]], list[Problem]]:
    """Load `text` as a spec file and plan it against the code, as validate does; returns the
    error problems per event id and those that name no event."""
    component, problems = load_spec_bytes(text.encode("utf-8"), config.root, display)
    if component is not None:
        run = plan_run(config, Catalog((component,)), Selection(), jobs=1)
        problems = [*problems, *run.all_problems()]
    per_id: dict[str, list[Problem]] = {}
    general: list[Problem] = []
    for problem in problems:
        if problem.severity != "error":
            continue
        if problem.event_id:
            per_id.setdefault(problem.event_id, []).append(problem)
        else:
            general.append(problem)
    return per_id, general


def _validated(config: Config, files: FileSuggestions, make_text, display: str) -> str:
    """Drop the entries the loader or the engine would reject (each with a note) and return the
    text; a problem naming no event that the text without suggestions lacks is an input error."""
    baseline: set[str] | None = None
    for _ in range(4):
        text = make_text(files.entries)
        if not files.entries:
            return text
        per_id, general = _problems_by_id(config, text, display)
        bad = [e for e in files.entries if e.id in per_id]
        if not bad:
            if general:
                if baseline is None:
                    baseline = {p.message for p in _problems_by_id(config, make_text([]), display)[1]}
                new = [p for p in general if p.message not in baseline]
                if new:
                    raise InputError(new)
            return text
        for entry in bad:
            files.notes.append(f"{files.target.path}:{entry.line}: dropped {entry.id}: {per_id[entry.id][0].message}")
        files.entries = [e for e in files.entries if e.id not in per_id]
    return make_text(files.entries)


def draft(config: Config, catalog: Catalog, targets: list[Target], min_level: str = "info", *,
          include_specified: bool = False) -> list[tuple[FileSuggestions, str]]:
    """Suggestions per target with the complete spec text of each, self-checked: every entry
    left validates as it is printed."""
    found = suggest(config, catalog, targets, min_level, include_specified=include_specified)
    return [(f, _validated(config, f, lambda entries, t=f.target: render_spec(t, entries), f.target.component)) for f in found]


# -- the command ---------------------------------------------------------------------------------
def run(config: Config, catalog: Catalog, *, components: list[str], files: list[str], min_level: str = "info",
        out: Path | None = None, include_specified: bool = False) -> Outcome:
    """Scan, draft and self-check; `Outcome.text` is the YAML produced and, with `out`,
    `Outcome.data` the bytes for the caller to write (this module never writes)."""
    if min_level not in MIN_LEVELS:
        raise InputError([Problem("--min-level", 0, f"must be one of {', '.join(MIN_LEVELS)}, got '{min_level}'")])
    targets = resolve_targets(config, catalog, components, files)
    if out is not None and len(targets) != 1:
        raise InputError([Problem("--out", 0, f"--out takes one target file, got {len(targets)}; run suggest once per file")])
    if out is not None and out.exists():
        raw = out.read_bytes()
        bom = raw.startswith(b"\xef\xbb\xbf")
        existing = raw.decode("utf-8-sig")
        component, problems = load_spec_file(out, config.root, display=str(out))
        if component is None:
            raise InputError(problems or [Problem(str(out), 0, "cannot read the spec file to merge into")])
        if component.file != targets[0].path:
            raise InputError([Problem(str(out), 0, f"targets {component.file}, not {targets[0].path}; merge into the spec of that file")])
        known = {e.id for e in catalog.events()}
        extra = [e for e in component.events if e.id not in known]  # a spec file outside the spec directory
        found = suggest(config, catalog, targets, min_level, include_specified=include_specified, extra_events=extra)
        text = _validated(config, found[0], lambda entries: merge_text(existing, entries) if entries else existing, str(out))
        if not found[0].entries:
            return Outcome(text, found, None, merged=True)
        return Outcome(text, found, out, merged=True, data=(b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    drafted = draft(config, catalog, targets, min_level, include_specified=include_specified)
    found = [f for f, _ in drafted]
    texts = [text for f, text in drafted if f.entries]  # no spec file without events
    if out is not None:
        if not texts:
            return Outcome("", found)
        return Outcome(texts[0], found, out, data=texts[0].encode("utf-8"))
    return Outcome("---\n".join(texts), found)
