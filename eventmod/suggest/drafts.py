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

from eventmod.analysis.anchors import LOG_METHODS, LogCall, LoggerNames, Site, inspect_log_call, log_call_of, normalize_log_text
from eventmod.analysis.checks import ModuleScope, SiteContext, check_site
from eventmod.analysis.contract import LoggerSignature, logger_signature
from eventmod.analysis.emission import EmitChoice, Emission, choose_emission
from eventmod.analysis.placement import placement_problem, resolve_sites
from eventmod.analysis.presence import followed_by_log_event, inside_instrumentation
from eventmod.analysis.enum_state import read_enum
from eventmod.codegen.imports import file_matcher
from eventmod.model.problems import InputError, Problem, did_you_mean
from eventmod.model.record import record
from eventmod.model.settings import CallShape, Config
from eventmod.model.spec import Anchor, Catalog, EventSpec, Selection
from eventmod.pyast.source import SourceFile, load_source
from eventmod.pyast.walk import FunctionNode, index_functions, parameters, path_to, walk_nodes, walk_statements
from eventmod.spec.catalog import load_spec_file
from eventmod.spec.loader import load_spec_bytes
from eventmod.transform.apply import plan_run

LEVEL_RANK = {"debug": 10, "info": 20, "warning": 30, "warn": 30, "error": 40, "exception": 40, "critical": 50, "fatal": 50}
MIN_LEVELS = ("debug", "info", "warning", "error", "critical")
SEVERITY_OF = {"debug": "DEBUG", "info": "INFO", "warning": "WARNING", "error": "ERROR", "exception": "ERROR",
               "critical": "CRITICAL", "fatal": "CRITICAL"}
# Parameters worth recording on every event of a function: they identify what the call is about.
IDENTIFIER_PARAMS = ("symbol", "position_id", "exchange", "exchange_name", "order_id", "signal_id", "wave_id",
                     "side", "client_order_id", "trade_id", "correlation_id", "wave_timestamp",
                     "queue", "queue_name", "task_name", "job_name", "topic", "channel", "host")
# payload keys also passed as log_event keywords, when the logger's log_event takes them
KWARG_KEYS = ("position_id", "symbol")
STOP_WORDS = frozenset("""a an the for to of at in on by with from into onto and or but is are was were be been being
this that these those it its as via per than then so yes if else all any some our your their his her
""".split())  # not "not"/"no": dropping them would invert the event's meaning
_EDGE_WORDS = STOP_WORDS | {"not", "no"}  # a fragment ending on these reads badly ("order not")
_PURE_CALLS = frozenset({"len", "float", "int", "str", "round", "abs", "bool", "min", "max", "sum", "sorted", "repr"})
_GENERIC_ATTRS = frozenset({"value", "name", "id", "type", "status", "state"})
_BRACES = re.compile(r"\{\}")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_KEY_ASSIGN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\s*=")
_PLAIN_SCALAR = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*(\([A-Za-z0-9_.]*\))?")
MAX_EVENT_WORDS = 4
Overlay = tuple[tuple[str, bytes], ...]  # (path relative to root, bytes) standing in for the disk


# -- data ----------------------------------------------------------------------------------------
@record
class Target:
    """One code file `suggest` drafts entries for: its id prefix, and the header a new spec file for
    it gets."""

    path: str  # relative to root, POSIX
    prefix: str  # id prefix: the component name or the file stem
    component: str  # component name written into a new spec file (unique in the catalog)
    # The header of a new spec file: the existing component's for that file, else phase 1.
    phase: int = 1
    days: tuple[int, ...] = (1,)
    priority: str = "MEDIUM"
    enum_group: str | None = None


@dataclass
class Suggestion:
    """One drafted spec entry: an event logged right after one logger call of an async function
    (`after_log`), with a payload taken from the call and the function."""

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
    """What `suggest` drafted for one code file: the entries, notes on the logger calls it skipped,
    and the calls a spec already anchors at."""

    target: Target
    entries: list[Suggestion] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # logger calls not suggested, and why
    specified: list[str] = field(default_factory=list)  # logger calls a spec already anchors at


@record
class SpecWrite:
    """A spec file for the caller to write: merged into an existing spec, or a new one."""

    path: Path
    data: bytes  # the whole new file (BOM kept when merging)
    merged: bool
    count: int  # entries added
    target: str  # the code file they are for (relative to root)


@dataclass
class Outcome:
    """What `suggest` returns: the YAML to print, the drafts per file, and the spec files to write
    (or left as they were)."""

    text: str  # the YAML to print (without --out)
    files: list[FileSuggestions]
    writes: list[SpecWrite] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)  # --out files left as they were: nothing new

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
_SKIP_DIRS = frozenset({"__pycache__", ".git", ".hg", ".venv", "venv", "env", "node_modules", ".tox", ".nox",
                        "build", "dist", "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache"})
# a logger method call (`log(level, msg)` included): the text pre-filter of `has_async_log_calls`
_LOG_HINT = re.compile(r"\.(?:%s)\(" % "|".join(sorted({*LOG_METHODS, "log"})))


def _python_files(directory: Path) -> list[Path]:
    """The .py files under `directory`, sorted, skipping hidden, virtualenv and build directories."""
    found = []
    for path in sorted(directory.rglob("*.py")):
        parts = path.relative_to(directory).parts[:-1]
        if not any(part in _SKIP_DIRS or part.startswith(".") for part in parts) and path.is_file():
            found.append(path)
    return found


def has_async_log_calls(path: Path, config: Config) -> bool:
    """Whether the file has an async function with a logger call of its own (a receiver taken
    for a logger: the default patterns, `logger_names` and the loggers the module binds; not the
    report line of an eventmod block): a text pre-filter, then one parse; files without one are
    no place for an event `suggest` could draft."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False
    if "async def" not in text or not _LOG_HINT.search(text):
        return False
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    loggers = LoggerNames.of(tree, config.logger_names)
    matcher = file_matcher(tree, config.logger_module, config.getter, CallShape.from_config(config))
    for node in walk_nodes(tree):
        if isinstance(node, ast.AsyncFunctionDef) and any(
                log_call_of(p.stmt, loggers) and not inside_instrumentation(node, p.stmt, matcher) for p in walk_statements(node)):
            return True
    return False


def component_name(rel: str, taken: set[str]) -> str:
    """A component name for a new spec of the file `rel`: its stem (the package for
    `__init__.py`), prefixed by its directory and then numbered until no component has it."""
    parts = Path(rel).with_suffix("").parts
    if parts and parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    base = _snake(parts[-1]) if parts else "module"
    name = base or "module"
    if name in taken and len(parts) > 1:
        name = _snake("_".join(parts[-2:])) or name
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    return candidate


def target_for(rel: str, catalog: Catalog, taken: set[str]) -> Target:
    """The target of one file: the id prefix and the header of a new spec come from the
    component that already specifies the file (found by its `file:`), if any."""
    existing = next((c for c in catalog.components if c.file == rel), None)
    name = component_name(rel, taken)
    taken.add(name)
    if existing is None:
        return Target(rel, name, name)
    return Target(rel, existing.component, name, existing.phase, existing.days, existing.priority, existing.enum_group)


def resolve_targets(config: Config, catalog: Catalog, components: list[str], paths: list[str | Path], *,
                    cwd: Path | None = None) -> list[Target]:
    """What `suggest` scans: --component NAME -> that component's file; a PATH (relative to the
    current directory) -> that file, or every Python file under that directory; neither ->
    every Python file under root. Scanned directories keep only files with an async function
    that calls a logger, and never the enum or logger module file."""
    problems: list[Problem] = []
    root = config.root.resolve()
    cwd = (cwd or Path.cwd()).resolve()
    if components and paths:
        raise InputError([Problem("suggest", 0, "give either --component or PATH arguments, not both")])
    by_name = {c.component: c for c in catalog.components}
    taken = set(by_name)
    chosen: list[str] = []
    for name in components:
        component = by_name.get(name)
        if component is None:
            problems.append(Problem("--component", 0, f"no component '{name}'{did_you_mean(name, by_name)}"))
        elif component.file not in chosen:
            chosen.append(component.file)
    skip = {Path(config.enum_file).as_posix(), config.logger_module.replace(".", "/") + ".py",
            config.logger_module.replace(".", "/") + "/__init__.py"}

    def scan(directory: Path) -> None:
        for path in _python_files(directory):
            rel = path.resolve().relative_to(root).as_posix() if path.resolve().is_relative_to(root) else None
            if rel is not None and rel not in skip and rel not in chosen and has_async_log_calls(path, config):
                chosen.append(rel)

    for given in paths:
        path = (cwd / given).resolve()
        if not path.is_relative_to(root):
            problems.append(Problem(str(given), 0, f"is outside root {root}; suggest drafts specs for code under root"))
        elif path.is_dir():
            scan(path)
        elif path.is_file():
            rel = path.relative_to(root).as_posix()
            if rel not in chosen:
                chosen.append(rel)
        else:
            problems.append(Problem(str(given), 0, "no such file or directory"))
    if not components and not paths:
        scan(root)
    if problems:
        raise InputError(problems)
    return [target_for(rel, catalog, taken) for rel in chosen]


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


def _taken(config: Config, catalog: Catalog, extra: list[EventSpec] = (), overlay: Overlay = ()) -> _Names:
    members: dict[str, str] = {}
    loaded = load_source(config.root, Path(config.enum_file).as_posix(), overlay)
    if not isinstance(loaded, Problem):
        state = read_enum(loaded[0], loaded[1], config.enum_class)
        if not isinstance(state, Problem):
            members.update(state.members)
    for event in [*catalog.events(), *extra]:
        members.setdefault(event.event, event.value)
    values = {v: k for k, v in members.items()}
    return _Names(members, values, {e.id for e in [*catalog.events(), *extra]})


def suggest(config: Config, catalog: Catalog, targets: list[Target], min_level: str = "info", *,
            include_specified: bool = False, extra_events: list[EventSpec] = (), overlay: Overlay = ()) -> list[FileSuggestions]:
    """Draft entries for every target (not yet self-checked against the loader: see `run`).
    `overlay`: (path, bytes) of files not written yet (a logger module `eventmod init` writes)."""
    names = _taken(config, catalog, list(extra_events), overlay)
    keywords = accepted_kwargs(config, KWARG_KEYS, overlay)
    return [_suggest_file(config, catalog, target, min_level, names, include_specified, list(extra_events), keywords)
            for target in targets]


def accepted_kwargs(config: Config, wanted: tuple[str, ...], overlay: Overlay = ()) -> tuple[str, ...]:
    """Those of `wanted` that the logger's call takes (all when it takes **kwargs, none when
    eventmod cannot read it), so a drafted keyword never fails the signature check."""
    signature = logger_signature(config, lambda rel: load_source(config.root, rel, overlay), overlay)
    if not isinstance(signature, LoggerSignature):
        return ()
    accepted = signature.kwargs(CallShape.from_config(config))
    return wanted if signature.var_keyword else tuple(k for k in wanted if k in accepted)


def _suggest_file(config: Config, catalog: Catalog, target: Target, min_level: str, names: _Names,
                  include_specified: bool, extra_events: list[EventSpec], keywords: tuple[str, ...]) -> FileSuggestions:
    result = FileSuggestions(target)
    loaded = load_source(config.root, target.path)
    if isinstance(loaded, Problem):
        raise InputError([loaded])
    source, tree = loaded
    functions = index_functions(tree)
    matcher = file_matcher(tree, config.logger_module, config.getter, CallShape.from_config(config))
    module_scope = ModuleScope.of(tree)
    loggers = LoggerNames.of(tree, config.logger_names)
    specified = {} if include_specified else _specified_lines(config, catalog, source, functions, target.path, extra_events, loggers)
    qualnames: dict[int, str] = {}
    for qualname, node in functions.items():
        qualnames.setdefault(id(node), qualname)  # `outer.inner` before `outer.<locals>.inner`
    threshold = LEVEL_RANK[min_level]
    unrecognised: dict[str, list[int]] = {}  # receiver -> lines of calls that look like logging
    for node_id, qualname in qualnames.items():
        function = functions[qualname]
        placed = list(walk_statements(function))
        inspected = [(p, call) for p in placed if (call := inspect_log_call(p.stmt, loggers)) is not None]
        for p, call in inspected:
            if not call.recognised and isinstance(function, ast.AsyncFunctionDef):
                unrecognised.setdefault(call.receiver, []).append(p.stmt.lineno)
        calls = [(p, call) for p, call in inspected if call.recognised]
        templates = [(call.level, call.template) for _, call in calls]
        for index, (p, call) in enumerate(calls):
            if LEVEL_RANK.get(call.level, 0) < threshold:
                continue
            where = f"{target.path}:{p.stmt.lineno}"
            if not isinstance(function, ast.AsyncFunctionDef):
                continue  # only async functions (an awaited log_event is legal there)
            if call.template is None or not call.template.strip():
                result.notes.append(f"{where}: {call.receiver}.{call.method} in {qualname}: the message is not a literal, so after_log cannot anchor on it")
                continue
            site = Site("after", p.stmt, p.block, p.index, "forward", p.parent)
            if followed_by_log_event(site, matcher) or inside_instrumentation(function, site.stmt, matcher):
                continue  # already followed by an event, or a fail-safe block's own report line
            if site.line in specified:
                result.specified.append(f"{where}: already specified by event {specified[site.line]}")
                continue
            entry = _entry(config, source, tree, module_scope, function, qualname, site, call, p.stmt, templates, index, target, names,
                           keywords)
            if isinstance(entry, str):
                result.notes.append(f"{where}: {entry}")
                continue
            result.entries.append(entry)
    for receiver, lines in unrecognised.items():
        shown = ", ".join(str(n) for n in lines[:8]) + (", ..." if len(lines) > 8 else "")
        result.notes.append(f"{target.path}:{lines[0]}: {len(lines)} call(s) to {receiver}.<level>(...) (lines {shown}) look like "
                            f"logging, but {receiver} is not a recognised logger; add it to `logger_names` in [tool.eventmod] "
                            f"(e.g. logger_names = [\"{receiver}\"]) to draft them")
    return result


def _specified_lines(config: Config, catalog: Catalog, source: SourceFile, functions: dict[str, FunctionNode], path: str,
                     extra_events: list[EventSpec], loggers: LoggerNames) -> dict[int, str]:
    """Insertion line -> id of the spec events that already target this file."""
    found: dict[int, str] = {}
    events = [e for c in catalog.components if c.file == path for e in c.events] + list(extra_events)
    for event in events:
        failed, sites, _ = resolve_sites(source, functions, event, config.emit, loggers=loggers, call=CallShape.from_config(config))
        if failed is None:
            for site in sites:
                found.setdefault(site.line, event.id)
    return found


# -- one entry -----------------------------------------------------------------------------------
def _entry(config: Config, source: SourceFile, tree: ast.Module, module_scope: ModuleScope, function: FunctionNode,
           qualname: str, site: Site, call: LogCall, stmt: ast.stmt, templates: list[tuple[str, str | None]], index: int,
           target: Target, names: _Names, keywords: tuple[str, ...]) -> Suggestion | str:
    readable = call.template or ""  # logging's own %-placeholders are already written {}
    shape = CallShape.from_config(config)
    choice = choose_emission(config.emit, isinstance(function, ast.AsyncFunctionDef), shape, qualname)
    emission = choice.emission if isinstance(choice, EmitChoice) else Emission.AWAIT
    if in_finally(function, stmt) and emission is Emission.AWAIT:
        # An awaited emission is refused in a `finally` (at any depth: it runs during
        # cancellation and unwinding); a spec can still anchor before the `try` by hand.
        return (f"skipped: {call.receiver}.{call.method} in {qualname} is inside a `finally` block, where eventmod "
                "refuses to insert; anchor before the `try` or in an `except` handler instead")
    text, level, occurrence = choose_anchor(templates, index)
    severity = SEVERITY_OF.get(call.level, "INFO")
    event_name = _unique_event(event_words(readable, qualname, call.level), names,
                               extension_words(readable, qualname))
    event_id = _unique_id(f"{target.prefix}_{event_name.lower()}", names)
    probe = Suggestion(event_id, event_name, qualname, text, severity, [], [], comment_for(readable, event_name), level, occurrence,
                       line=stmt.lineno, insert_line=site.line)
    placement = placement_problem(source, probe.to_event_spec(), site, 0, function, EmitChoice(emission), shape)
    if placement is not None:
        return placement.message
    settings = dict(source=source, tree=tree, function=function, qualname=qualname, site=site,
                    json_safe=config.json_safe, integer_kwargs=config.integer_kwargs, hot_paths=config.hot_paths)

    def problems(s: Suggestion) -> list[Problem]:
        ctx = SiteContext(event=s.to_event_spec(), emit=s.emit or emission.value, **settings)
        return check_site(ctx, module_scope)

    def errors(s: Suggestion) -> list[Problem]:
        return [p for p in problems(s) if p.severity == "error"]

    if errors(probe):  # a site-level problem (a hot path loop): emit in the background instead
        probe.emit = "background"
        if errors(probe):
            return f"no valid placement after this call ({errors(probe)[0].message})"
    payload: list[tuple[str, str]] = []
    seen_exprs: set[str] = set()
    for key, expr in payload_candidates(call, function):
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
    probe.kwargs = [(k, by_key[k]) for k in keywords if k in by_key]
    if errors(probe):  # every expression passed alone; be safe about the combination
        return f"the drafted entry does not pass the checks ({errors(probe)[0].message})"
    names.take(event_name, event_id)
    return probe


def choose_anchor(templates: list[tuple[str, str | None]], index: int) -> tuple[str, str | None, int | None]:
    """(after_log text, level or None, occurrence or None) that resolves to call `index` alone.

    The shortest fragment of whole words (two or more when the literal part has them) that only
    this call's message contains; else the same narrowed by `level`; else the full template with
    `{}` placeholders and `occurrence: N`."""
    level, template = templates[index]
    assert template is not None

    def matches(text: str, by_level: str | None = None) -> list[int]:
        wanted = normalize_log_text(text)
        return [i for i, (lv, t) in enumerate(templates) if t is not None and wanted in t and (by_level is None or lv == by_level)]

    candidates = fragments(template)
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


def fragments(template: str) -> list[str]:
    """Literal fragments of whole words, emojis and punctuation stripped at both ends, most
    preferred first: two words or more before single words, then those that neither begin nor
    end on a stop word, then those without brackets or other punctuation inside, then shorter,
    then earlier."""
    found: dict[str, tuple[int, ...]] = {}
    position = 0
    for segment in _BRACES.split(template):
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
                odd = int(any(not (ch.isalnum() or ch in " -_'.") for ch in text))  # "mode (dry"
                key = (0 if len(words) >= 2 else 1, loose, odd, len(text), position + tokens[i][0])
                found[text] = min(found.get(text, key), key)
        position += len(segment) + 2
    return sorted(found, key=lambda t: found[t])


# -- event names -----------------------------------------------------------------------------------
# A name is the message's head clause: its content words up to the first separator (`:`, `,`,
# ` - `, `(`...) or preposition once two words are in, at most MAX_EVENT_WORDS of them, a
# leading past participle moved to the end ("Closed {} stale jobs" -> STALE_JOBS_CLOSED) and
# "failed to <verb> X" written X_<VERB>_FAILED, the way audit event names read.
_FILLER_WORDS = frozenset("successfully now just currently still also really very please finally".split())
_CUT_WORDS = frozenset("""for to from on at with in into onto during after before via by because since while when until
due per of""".split())
_NAME_TOKEN = re.compile(r"\{\}|[A-Za-z][A-Za-z0-9]*|\s[-\u2013\u2014|]\s|->|\u2192|=>|[:;,.!?()\[\]=]")
_FAILURE_PREFIXES = (("failed", "to"), ("could", "not"), ("unable", "to"), ("can", "not"), ("cannot",), ("couldn",),
                     ("failure", "to"))
_FAILURE_WORDS = frozenset(word for prefix in _FAILURE_PREFIXES for word in prefix) | {"failed", "error"}
_IRREGULAR_PAST = frozenset("""found sent got lost made built taken done held kept left paid sold bought written given
shown chosen frozen broken spent won begun shut""".split())
_GENERIC_FUNCTION_WORDS = frozenset("handle process run do get main impl inner wrapper func callback cb async on".split())


def _name_tokens(template: str) -> list[str]:
    """Words and separators (as "|") of a message; `key=` labels and placeholders dropped."""
    literal = _KEY_ASSIGN.sub(" | ", template)
    tokens = []
    for match in _NAME_TOKEN.finditer(literal):
        text = match.group(0)
        if text == "{}":
            continue
        tokens.append(text if text[0].isalpha() else "|")
    return tokens


def _past_participle(word: str) -> bool:
    lower = word.lower()
    return lower in _IRREGULAR_PAST or (len(lower) > 4 and lower.endswith("ed") and not lower.endswith("eed"))


def _content(word: str) -> bool:
    lower = word.lower()
    return len(word) >= 2 and lower not in STOP_WORDS and lower not in _FILLER_WORDS and lower not in _CUT_WORDS


def event_words(template: str, qualname: str, level: str) -> list[str]:
    """UPPER words of an event name for the message (no placeholders, `key=` labels, emojis,
    stop words or trailing qualifiers), or the function's words and the level when the message
    has none."""
    tokens = _name_tokens(template)
    words_only = [t.lower() for t in tokens if t != "|"]
    failed = False
    for prefix in _FAILURE_PREFIXES:
        if tuple(words_only[: len(prefix)]) == prefix:
            failed = True
            drop = len(prefix)
            while drop:  # drop the prefix's words from the token list
                if tokens.pop(0) != "|":
                    drop -= 1
            break
    words: list[str] = []
    enough = 1 if failed else 2  # "failed to <verb> <object>": the clause ends sooner
    for token in tokens:
        if len(words) >= enough and (token == "|" or token.lower() in _CUT_WORDS):
            break
        if token == "|" or not _content(token) or (words and words[-1] == token.upper()):
            continue
        words.append(token.upper())
        if len(words) == MAX_EVENT_WORDS:
            break
    if failed and words:
        words = [*words[1:], words[0], "FAILED"] if len(words) > 1 else [words[0], "FAILED"]
    elif len(words) >= 2 and _past_participle(words[0]):
        words = [*words[1:], words[0]]
    if not words:  # a message with no words: name it after the function and the level
        words = [w.upper() for w in _function_words(qualname) if w.lower() not in STOP_WORDS]
        words = words[:MAX_EVENT_WORDS - 1] + [SEVERITY_OF.get(level, level.upper())]
    return words


def _function_words(qualname: str) -> list[str]:
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", qualname.rsplit(".", 1)[-1])
    return [w for w in name.split("_") if w]


def extension_words(template: str, qualname: str) -> list[str]:
    """Words that tell an event apart when its name is taken, best first: the message's other
    content words, then the function's and the class's (generic verbs left out)."""
    found: list[str] = []
    for token in _name_tokens(template):
        if token != "|" and _content(token) and token.lower() not in _FAILURE_WORDS:
            found.append(token.upper())
    parts = qualname.split(".")
    for word in _function_words(parts[-1]) + (_function_words(parts[-2]) if len(parts) > 1 else []):
        if len(word) >= 3 and word.lower() not in STOP_WORDS and word.lower() not in _GENERIC_FUNCTION_WORDS:
            found.append(word.upper())
    return list(dict.fromkeys(found))


def _unique_event(words: list[str], names: _Names, extensions: list[str] = ()) -> str:
    """The name of `words`; when taken, the name plus the first word of `extensions` that makes
    it free; a numeric suffix only when no word does."""
    base = "_".join(words)
    if not re.match(r"[A-Za-z_]", base):
        base = "EVENT_" + base
    if names.name_free(base):
        return base
    for word in extensions:
        if any(_same_stem(word, w) for w in words):
            continue  # ACTIVATED_ACTIVATE says nothing new
        if names.name_free(f"{base}_{word}"):
            return f"{base}_{word}"
    name, n = f"{base}_2", 3
    while not names.name_free(name):
        name, n = f"{base}_{n}", n + 1
    return name


def _same_stem(a: str, b: str) -> bool:
    stem = min(len(a), len(b), 5)
    return a == b or (stem >= 4 and a[:stem] == b[:stem])


def _unique_id(base: str, names: _Names) -> str:
    event_id, n = base, 2
    while event_id in names.ids:
        event_id, n = f"{base}_{n}", n + 1
    return event_id


_ACRONYM = re.compile(r"[A-Z0-9]{1,4}s?")
_CODE_WORD = re.compile(r".*[=/\\()\[\]<>{}].*")  # labels, paths, calls: not prose
_PREPOSITIONS = frozenset("for of at to in on with from by after before into onto via per".split())
MAX_COMMENT_WORDS = 8


def comment_for(template: str, fallback: str = "") -> str:
    """The comment written above the block, as a person would write it: "Log" and what the
    message says, in lower case, without placeholders, `key=` labels, emojis or punctuation
    ("✅ {}: Trailing stop ACTIVATED at {}" -> "Log trailing stop activated")."""
    head = template
    match = _KEY_ASSIGN.search(head)
    if match and _strip_ends(head[: match.start()].replace("{}", " ")):
        head = head[: match.start()]
    # "✅ {}: Trailing stop ..." / "Close failed: {}": the first clause with words in it
    clauses = re.split(r"\s*[:;|]\s+|\s+-\s+", head)
    worded = [part for part in clauses if re.search(r"[A-Za-z]{2}", part.replace("{}", " "))]
    # the first clause of two words or more ("Rollback: order {} already gone" -> the second)
    head = next((p for p in worded if len(re.findall(r"[A-Za-z]{2,}", p.replace("{}", " "))) >= 2), worded[0] if worded else head)
    head = re.sub(r"\([^)]*\)?|\[[^\]]*\]?", " ", head)  # "(attempt {}/{})", "[{}]": details
    tokens = head.split()
    words: list[str] = []
    for index, raw in enumerate(tokens):
        if "{}" in raw:  # a value: "for {}" goes with it, and a last "{} attempts" too
            if words and words[-1].lower() in _PREPOSITIONS:
                words.pop()
                rest = tokens[index + 1:]
                if len(rest) == 1 and _strip_ends(rest[0]).lower().endswith("s"):
                    break
            continue
        word = re.sub(r"^[^\w]+|[^\w]+$", "", raw)  # emojis and punctuation off; identifiers stay whole
        if not word or not any(ch.isalpha() for ch in word) or _CODE_WORD.fullmatch(raw.strip(".,;:!?")):
            continue
        if word.isupper() and len(word) > 4 or (not words and word[:1].isupper() and word[1:].islower()):
            word = word.lower()  # "ACTIVATED" -> "activated"; "Order ..." -> "order ..."; "TP", "WebSocket" stay
        words.append(word)
    while words and words[-1].lower() in _EDGE_WORDS - {"not", "no"}:
        words.pop()  # "activated at {}" -> "activated"
    while words and words[0].lower() in ("the", "a", "an"):
        words.pop(0)
    if len(words) > MAX_COMMENT_WORDS:
        words = words[:MAX_COMMENT_WORDS]
        while words and words[-1].lower() in _EDGE_WORDS:
            words.pop()
    if not words:
        words = [w.lower() for w in fallback.split("_") if w] or ["this", "event"]
    return "Log " + " ".join(words)


def in_finally(function: FunctionNode, stmt: ast.stmt) -> bool:
    """Whether `stmt` lies in a `finally` block of the function, at any depth."""
    return any(step.field == "finalbody" for step in path_to(function, stmt) or ())


# -- payload -------------------------------------------------------------------------------------
# Names that say nothing about their value: the payload key comes from what they are bound to,
# the collection a loop takes them from, or the message's word before the placeholder.
_VAGUE_NAMES = frozenset("val value tmp obj item data res result ret elem arg var thing entry".split())


def payload_candidates(call: LogCall, function: FunctionNode) -> list[tuple[str, str]]:
    """(key, expression) for the message's simple interpolated values, then the identifier-like
    parameters of the function; exception objects become `str(e)` under `error`."""
    handler_names = {n.name for n in walk_nodes(function) if isinstance(n, ast.ExceptHandler) and n.name}
    found: list[tuple[str, str]] = []
    meanings: dict[str, str] | None = None
    for hint, expr, label in _interpolated(call):
        if isinstance(expr, ast.Name) and expr.id in handler_names:
            found.append(("error", f"str({expr.id})"))
        elif _simple(expr):
            key = _snake(hint) if hint else readable_key(expr)
            if hint is None and isinstance(expr, ast.Name) and _vague(expr.id):
                if meanings is None:
                    meanings = _meanings(function)
                # what it was bound to; for a one- or two-letter name, else the message's word before it
                key = meanings.get(expr.id) or (label if label and _short(expr.id) and not _vague(label) else key)
            found.append((key, ast.unparse(expr)))
    params = parameters(function) - {"self", "cls"}
    ordered = [a.arg for a in [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs] if a.arg in params]
    for name in ordered:
        if name in IDENTIFIER_PARAMS or name.endswith("_id"):
            found.append((name, name))
    return found


def _short(name: str) -> bool:
    return len(name.strip("_")) <= 2


def _vague(name: str) -> bool:
    return _short(name) or name.strip("_").lower() in _VAGUE_NAMES


def _meanings(function: FunctionNode) -> dict[str, str]:
    """Variable -> a key that says what it holds: `q = job.queue` -> queue; `for t in tasks`
    -> task. Names bound to values of different meanings get none."""
    seen: dict[str, set[str]] = {}

    def note(target: ast.expr, key: str | None) -> None:
        if isinstance(target, ast.Name) and key and not _vague(key):
            seen.setdefault(target.id, set()).add(key)
        elif isinstance(target, ast.Name):
            seen.setdefault(target.id, set()).add("")

    for node in walk_nodes(function):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            note(node.targets[0], _value_key(node.value))
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            note(node.target, _value_key(node.value))
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            note(node.target, _singular(_value_key(node.iter)))
        elif isinstance(node, ast.NamedExpr):
            note(node.target, _value_key(node.value))
    return {name: next(iter(keys)) for name, keys in seen.items() if len(keys) == 1 and "" not in keys}


def _value_key(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Await):
        expr = expr.value
    if isinstance(expr, (ast.Attribute, ast.Subscript)) or isinstance(expr, ast.Name):
        key = readable_key(expr)
        return key if key != "value" else None
    if isinstance(expr, ast.Call):  # `p = self.get_position(x)` -> position; `n = len(xs)` -> xs_count
        if isinstance(expr.func, ast.Name) and expr.func.id in _PURE_CALLS:
            return readable_key(expr) if expr.func.id == "len" and _simple(expr) else None  # sum(x) is not x
        name = expr.func.attr if isinstance(expr.func, ast.Attribute) else expr.func.id if isinstance(expr.func, ast.Name) else ""
        words = _function_words(name)
        if len(words) > 1 and words[0].lower() in ("get", "fetch", "load", "find", "read", "make", "create", "build", "new", "parse"):
            return _snake("_".join(words[1:]))
    return None


def _singular(key: str | None) -> str | None:
    if not key:
        return None
    if key.endswith("ies") and len(key) > 4:
        return key[:-3] + "y"
    if key.endswith(("sses", "xes", "ches", "shes")):
        return key[:-2]
    if key.endswith("s") and not key.endswith("ss") and len(key) > 3:
        return key[:-1]
    return None  # not visibly a collection


def _interpolated(call: LogCall) -> list[tuple[str | None, ast.expr, str | None]]:
    """(key hint, expression, the message's word right before it) for each value the message
    interpolates, in order."""
    found: list[tuple[str | None, ast.expr]] = []

    def visit(node: ast.expr) -> None:
        if isinstance(node, ast.JoinedStr):
            found.extend((None, v.value) for v in node.values if isinstance(v, ast.FormattedValue))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            visit(node.left)
            visit(node.right)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            visit(node.left)
            found.extend(_percent_values(node.right))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            found.extend((None, a) for a in node.args)
            found.extend((k.arg, k.value) for k in node.keywords if k.arg)

    if call.message is not None:
        visit(call.message)
        if len(call.lazy) == 1 and isinstance(call.lazy[0], ast.Dict):  # logger.info("%(job)s done", {"job": j})
            found.extend(_percent_values(call.lazy[0]))
        else:
            found.extend((None, a) for a in call.lazy)  # logging's own %-style arguments
    labels = _labels(call.template or "")
    if len(labels) != len(found):
        labels = [None] * len(found)
    return [(hint, expr, label) for (hint, expr), label in zip(found, labels)]


def _percent_values(node: ast.expr) -> list[tuple[str | None, ast.expr]]:
    if isinstance(node, ast.Tuple):
        return [(None, e) for e in node.elts]
    if isinstance(node, ast.Dict):
        return [(k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else None, v)
                for k, v in zip(node.keys, node.values) if k is not None]
    return [(None, node)]


def _labels(template: str) -> list[str | None]:
    """For each `{}` of the template, the word right before it (`"Job {} expired"` -> job)."""
    parts = template.split("{}")
    labels: list[str | None] = []
    for before in parts[:-1]:
        match = re.search(r"([A-Za-z][A-Za-z0-9_]*)[\s:=#]*$", before)
        word = match.group(1) if match else None
        labels.append(_snake(word) if word and word.lower() not in STOP_WORDS and word.lower() not in _CUT_WORDS else None)
    return labels


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
    group = target.enum_group or _title(target.component) + " events"
    head = [
        "# Drafted by `eventmod suggest`: review each entry (names, payload, severity) before applying.",
        f"component: {target.component}",
        f"file: {_path_scalar(target.path)}",
        f"phase: {target.phase}",
        f"days: [{', '.join(map(str, target.days))}]",
        f"priority: {target.priority}",
        f"enum_group: {_quoted(group)}",
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
def _problems_by_id(config: Config, text: str, display: str, overlay: Overlay = ()) -> tuple[dict[str, list[Problem]], list[Problem]]:
    """Load `text` as a spec file and plan it against the code, as validate does; returns the
    error problems per event id and those that name no event."""
    component, problems = load_spec_bytes(text.encode("utf-8"), config.root, display)
    if component is not None:
        run = plan_run(config, Catalog((component,)), Selection(), jobs=1, overlay=dict(overlay))
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


def _validated(config: Config, files: FileSuggestions, make_text, display: str, overlay: Overlay = ()) -> str:
    """Drop the entries the loader or the engine would reject (each with a note) and return the
    text; a problem naming no event that the text without suggestions lacks is an input error."""
    baseline: set[str] | None = None
    for _ in range(4):
        text = make_text(files.entries)
        if not files.entries:
            return text
        per_id, general = _problems_by_id(config, text, display, overlay)
        bad = [e for e in files.entries if e.id in per_id]
        if not bad:
            if general:
                if baseline is None:
                    baseline = {p.message for p in _problems_by_id(config, make_text([]), display, overlay)[1]}
                new = [p for p in general if p.message not in baseline]
                if new:
                    raise InputError(new)
            return text
        for entry in bad:
            files.notes.append(f"{files.target.path}:{entry.line}: dropped {entry.id}: {per_id[entry.id][0].message}")
        files.entries = [e for e in files.entries if e.id not in per_id]
    return make_text(files.entries)


def draft(config: Config, catalog: Catalog, targets: list[Target], min_level: str = "info", *,
          include_specified: bool = False, overlay: Overlay = ()) -> list[tuple[FileSuggestions, str]]:
    """Suggestions per target with the complete spec text of each, self-checked: every entry
    left validates as it is printed (`overlay`: files that stand in for the disk)."""
    found = suggest(config, catalog, targets, min_level, include_specified=include_specified, overlay=overlay)
    return [(f, _validated(config, f, lambda entries, t=f.target: render_spec(t, entries), f.target.component, overlay))
            for f in found]


# -- the command ---------------------------------------------------------------------------------
def _existing_spec(config: Config, catalog: Catalog, directory: Path, rel: str) -> Path | None:
    """The spec file in `directory` whose `file:` is `rel` (the catalog's when `directory` is the
    spec directory, else found by loading the directory's spec files)."""
    directory = directory.resolve()
    if directory == config.specs.resolve():
        found = [Path(c.spec_file) for c in catalog.components if c.file == rel]
    else:
        found = []
        for path in sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()):
            component, _ = load_spec_file(path, config.root, display=str(path))
            if component is not None and component.file == rel:
                found.append(path)
    return found[0] if found else None


def _new_spec_path(directory: Path, component: str) -> Path:
    path, n = directory / f"{component}.yaml", 2
    while path.exists():
        path, n = directory / f"{component}_{n}.yaml", n + 1
    return path


def _merge(config: Config, catalog: Catalog, target: Target, out: Path, min_level: str, include_specified: bool,
           extra: list[EventSpec]) -> tuple[FileSuggestions, str, bytes | None]:
    """Draft for `target` and append the entries to the spec file `out` (which must target the
    same file); (suggestions, text, new bytes or None when nothing was added)."""
    raw = out.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    existing = raw.decode("utf-8-sig")
    component, problems = load_spec_file(out, config.root, display=str(out))
    if component is None:
        raise InputError(problems or [Problem(str(out), 0, "cannot read the spec file to merge into")])
    if component.file != target.path:
        raise InputError([Problem(str(out), component.line, f"this spec is for {component.file}, not {target.path}; "
                                                            "merge into the spec of that file, or give a new file name")])
    known = {e.id for e in catalog.events()} | {e.id for e in extra}
    own = [e for e in component.events if e.id not in known]  # a spec file outside the spec directory
    found = suggest(config, catalog, [replace(target, prefix=component.component)], min_level,
                    include_specified=include_specified, extra_events=[*extra, *own])[0]
    text = _validated(config, found, lambda entries: merge_text(existing, entries) if entries else existing, str(out))
    if not found.entries:
        return found, text, None
    return found, text, (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def run(config: Config, catalog: Catalog, *, components: list[str], files: list[str | Path], min_level: str = "info",
        out: Path | None = None, include_specified: bool = False, cwd: Path | None = None) -> Outcome:
    """Scan, draft and self-check (this module never writes).

    Without `out`, `Outcome.text` is one spec per scanned file that got entries. With `out`:
    an existing spec file -> the entries are merged into it (one target only); a directory ->
    per file, merged into the spec in it whose `file:` is that file, else a new spec file named
    after the component; a new file -> a new spec (one target only). Each new spec has a unique
    component name and the header of the component that already specifies the file (else phase
    1), so the result passes `eventmod validate` together with the catalog."""
    if min_level not in MIN_LEVELS:
        raise InputError([Problem("--min-level", 0, f"must be one of {', '.join(MIN_LEVELS)}, got '{min_level}'")])
    targets = resolve_targets(config, catalog, components, list(files), cwd=cwd)
    into_directory = out is not None and out.is_dir()
    if out is not None and not into_directory and len(targets) != 1:
        raise InputError([Problem("--out", 0, f"--out FILE takes one file to scan, got {len(targets)}; give a directory to"
                                               " --out to write one spec per file")])
    extra: list[EventSpec] = []
    found: list[FileSuggestions] = []
    texts: list[str] = []
    outcome = Outcome("", found)
    for target in targets:
        destination: Path | None = out
        merge = out is not None and out.is_file()
        if into_directory:
            assert out is not None
            existing = _existing_spec(config, catalog, out, target.path)
            merge = existing is not None
            destination = existing or _new_spec_path(out, target.component)
        if merge:
            assert destination is not None
            files_found, text, data = _merge(config, catalog, target, destination, min_level, include_specified, extra)
            if data is None:
                outcome.unchanged.append(destination)
            else:
                outcome.writes.append(SpecWrite(destination, data, True, len(files_found.entries), target.path))
        else:
            files_found = suggest(config, catalog, [target], min_level, include_specified=include_specified,
                                  extra_events=extra)[0]
            text = _validated(config, files_found, lambda entries, t=target: render_spec(t, entries), target.component)
            if files_found.entries:
                texts.append(text)
                if destination is not None:
                    outcome.writes.append(SpecWrite(destination, text.encode("utf-8"), False, len(files_found.entries), target.path))
            elif destination is not None and not into_directory:
                outcome.unchanged.append(destination)
        found.append(files_found)
        extra += [e.to_event_spec(target.component, "<suggest>") for e in files_found.entries]
    outcome.text = "---\n".join(texts) if out is None else ""
    return outcome
