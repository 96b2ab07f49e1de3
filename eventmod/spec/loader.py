"""Load and validate spec files into a typed, located Catalog.

YAML is composed into nodes (not just loaded) so that every value keeps its line number; each
problem becomes a located `Problem` and all of them are collected before anything is reported.
`spec.catalog` reads the spec directory and asks this module only for the files an earlier run
did not remember: a run whose specs are all remembered imports neither it nor yaml.
This module checks everything that can be checked without reading the target code except for
the existence and containment of the target file.
"""

from __future__ import annotations

import ast
import keyword
import re
import reprlib
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from eventmod.model.problems import Problem, did_you_mean
from eventmod.model.record import record
from eventmod.model.settings import EMIT_MODES
from eventmod.model.spec import (
    ANCHOR_KINDS,
    IMPORT_CHOICES,
    KWARG_ORDER,
    PRIORITIES,
    SEVERITIES,
    THEN_CHOICES,
    Anchor,
    ComponentSpec,
    EventSpec,
    OnError,
)
from eventmod.pyast.walk import walk_nodes
from eventmod.spec.policy import expression_problem, policy_violation, setup_problem
from eventmod.spec.targets import target_problem
from eventmod.spec.schema import (
    CAPTURE_ANCHOR_KINDS,
    COMPONENT_FIELDS,
    DEFAULT_PHASE,
    EVENT_FIELDS,
    LOG_LEVELS,
    NOT_DEFAULTABLE,
    ON_ERROR_KEYS,
    REQUIRED_COMPONENT,
)

# The field tables live in spec_schema, shared with `eventmod schema`.
COMPONENT_KEYS = tuple(COMPONENT_FIELDS)
EVENT_KEYS = tuple(EVENT_FIELDS)


# libyaml's composer is ~10x faster than the pure-Python one and keeps the same line marks.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@record
class _Node:
    """A YAML node with its Python value and 1-based line."""

    value: Any
    line: int
    node: yaml.Node


def load_spec_bytes(raw: bytes, root: Path, shown: str) -> tuple[ComponentSpec | None, list[Problem]]:
    """One spec file's content (as read from `shown`) -> its component, or located problems."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(shown, line, f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the spec as UTF-8")]
    try:
        try:
            document = yaml.compose(text, Loader=_COMPOSER)
        except yaml.YAMLError as fast_error:
            # libyaml words its errors differently; the pure-Python composer's messages (and
            # marks) are the ones users see, so a broken file is composed again with it. A file
            # nested beyond libyaml's limit would exhaust the pure-Python composer's stack.
            if "nesting depth" in str(fast_error):
                raise
            try:
                document = yaml.compose(text, Loader=yaml.SafeLoader)
            except RecursionError:
                raise fast_error from None
    except RecursionError:
        return None, [Problem(shown, 1, f"the spec nests too deeply to be read; a spec nests at most {MAX_DEPTH} levels")]
    except yaml.YAMLError as exc:
        # An unclosed quote or bracket is only noticed at the end of the stream: point at where
        # it opened (the context mark) and say what was being read.
        problem_mark = getattr(exc, "problem_mark", None)
        context_mark = getattr(exc, "context_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        at_end = problem_mark is not None and problem_mark.index >= len(text.rstrip())
        mark = context_mark if context_mark is not None and (at_end or problem_mark is None) else problem_mark
        line = mark.line + 1 if mark is not None else 1
        detail = f"{reason}\n{context}" if context else reason
        if mark is context_mark and problem_mark is not None:
            detail += f" (started at line {line}, still open at line {problem_mark.line + 1})"
        return None, [Problem(shown, line, f"YAML syntax error: {detail}")]
    if document is None:
        return None, [Problem(shown, 1, "empty spec file; expected a mapping with `component`, `file` and `events`")]
    shape = shape_problem(document, aliases="&" in text)
    if shape is not None:
        line, message = shape
        return None, [Problem(shown, line, message)]
    return _ComponentReader(shown, root).read(document)


# Bounds on a spec document, checked on the composed nodes before any value is built: a spec
# is a handful of levels deep and at most a few hundred thousand values, aliases expanded.
MAX_DEPTH = 16
MAX_VALUES = 200_000
MAX_PAYLOAD_KEYS = 1_000
MAX_KEY_LENGTH = 200
_KNOWN_TAGS = frozenset(t for t in yaml.SafeLoader.yaml_constructors if t is not None)
_STR_TAG = "tag:yaml.org,2002:str"
_SCALARS = yaml.SafeLoader("")


def shape_problem(document: yaml.Node, aliases: bool = True) -> tuple[int, str] | None:
    """(line, message) when the document is deeper than MAX_DEPTH, expands (through aliases)
    to more than MAX_VALUES values, refers to itself, or uses a tag plain YAML does not define;
    in time linear in the distinct nodes (an alias bomb is measured, never expanded).
    `aliases=False` (the text has no `&`, so no anchor and no alias) takes a lighter walk."""
    if not aliases:
        return _tree_shape_problem(document)
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(document, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        line = node.start_mark.line + 1
        if done:
            on_path.discard(key)
            children = _children(node)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            depths[key] = 1 + max((depths[id(c)] for c in children), default=0)
            if depths[key] > MAX_DEPTH:
                return line, f"the spec nests {depths[key]} levels deep here; a spec needs at most {MAX_DEPTH} (mapping > events > event > payload > value)"
            if sizes[key] > MAX_VALUES:
                return line, (f"this value expands to more than {MAX_VALUES:,} values (YAML aliases repeat what they refer to); "
                              "a spec needs far fewer: write the values out or use `defaults`")
            continue
        if key in sizes:
            continue  # an alias of a node already measured
        if key in on_path:
            return line, "a YAML alias here refers to the value that contains it (a recursive structure); a spec value cannot contain itself"
        problem = _node_problem(node)
        if problem:
            return problem
        if len(on_path) >= MAX_DEPTH:
            return line, f"the spec nests more than {MAX_DEPTH} levels deep here; a spec needs at most {MAX_DEPTH} (mapping > events > event > payload > value)"
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))
    return None


def _tree_shape_problem(document: yaml.Node) -> tuple[int, str] | None:
    """shape_problem for a document without aliases: a tree no bigger than its text."""
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node.start_mark.line + 1, f"the spec nests more than {MAX_DEPTH} levels deep here; a spec needs at most {MAX_DEPTH} (mapping > events > event > payload > value)"
        problem = _node_problem(node)
        if problem:
            return problem
        if isinstance(node, yaml.MappingNode):
            stack.extend((part, depth + 1) for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
    return None


def _node_problem(node: yaml.Node) -> tuple[int, str] | None:
    """An unknown tag, or a typed scalar (`!!int abc`) that cannot be read, located."""
    tag = node.tag
    if tag == _STR_TAG:
        return None
    if tag not in _KNOWN_TAGS:
        return node.start_mark.line + 1, (f"unknown YAML tag {_short(tag.replace('tag:yaml.org,2002:', '!!'))}; specs hold plain YAML "
                                          "(strings, numbers, booleans, null, lists and mappings), not tagged objects")
    if isinstance(node, yaml.ScalarNode):
        try:  # a typed scalar (`!!int abc`, a bad timestamp) fails here, where its line is known
            _SCALARS.construct_object(node)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            reason = getattr(exc, "problem", None) or str(exc)
            return node.start_mark.line + 1, f"cannot read this value as {tag.replace('tag:yaml.org,2002:', '')}: {_short(reason)[1:-1]}"
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


_REPR = reprlib.Repr()
_REPR.maxstring = 80
_REPR.maxother = 80
_REPR.maxlist = _REPR.maxdict = _REPR.maxset = _REPR.maxtuple = 6
_REPR.maxlevel = 3


def _short(value: Any) -> str:
    """A bounded repr for messages: a value built from aliases is never expanded in full."""
    return _REPR.repr(value)


class _Constructor(yaml.SafeLoader):
    """yaml's safe constructor, with a string scalar (most of a spec's nodes) answered as its
    value without the constructor's dispatch: what `construct_yaml_str` returns for it."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node.tag == _STR_TAG and type(node) is yaml.ScalarNode:
            return node.value
        return super().construct_object(node, deep=deep)


class _ComponentReader:
    def __init__(self, shown: str, root: Path):
        self.shown = shown
        self.root = root
        self.problems: list[Problem] = []
        self._constructor = _Constructor("")

    # -- node helpers -------------------------------------------------------------------------
    def problem(self, line: int, message: str, event_id: str | None = None) -> None:
        self.problems.append(Problem(self.shown, line, message, event_id))

    def mapping(self, node: yaml.Node, what: str, allowed: tuple[str, ...], event_id: str | None = None) -> dict[str, _Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node.start_mark.line + 1, f"{what} must be a mapping, got {_kind(node)}", event_id)
            return None
        result: dict[str, _Node] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            key = self.construct(key_node, event_id)
            if key is _FAILED:
                continue
            if not isinstance(key, str):
                self.problem(line, f"{what}: keys must be strings, got {_short(key)}", event_id)
                continue
            if key in result:
                self.problem(line, f"{what}: duplicate key {_short(key)} (first at line {result[key].line})", event_id)
                continue
            if allowed and key not in allowed:
                hint = did_you_mean(key, allowed) if len(key) <= 100 else ""
                self.problem(line, f"unknown key {_short(key)} in {what}{hint}", event_id)
                continue
            value = self.construct(value_node, event_id)
            if value is _FAILED:
                continue
            result[key] = _Node(value, line, value_node)
        return result

    def construct(self, node: yaml.Node, event_id: str | None) -> Any:
        """The Python value of a node, or _FAILED with a located problem (`!!int x`, a bad
        `!!timestamp`, an unhashable key): never an exception."""
        try:
            return self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
            reason = getattr(exc, "problem", None) or str(exc)
            self.problem(node.start_mark.line + 1, f"cannot read this value: {_short(reason)[1:-1]}", event_id)
            return _FAILED

    # -- component ----------------------------------------------------------------------------
    def read(self, document: yaml.Node) -> tuple[ComponentSpec | None, list[Problem]]:
        top = self.mapping(document, "spec file", COMPONENT_KEYS)
        if top is None:
            return None, self.problems
        for key in REQUIRED_COMPONENT:
            if key not in top:
                self.problem(1, f"missing key '{key}' (a spec file needs {', '.join(REQUIRED_COMPONENT)}; phase, days and priority are optional)")
        component = self.string(top.get("component"), "component", required=False)
        file = self.target_file(top.get("file"))
        phase = self.integer(top.get("phase"), "phase", 1, 4) if "phase" in top else DEFAULT_PHASE
        days = self.days(top.get("days"))
        priority = self.choice(top.get("priority"), "priority", PRIORITIES, default="MEDIUM")
        enum_group = self.string(top.get("enum_group"), "enum_group", required=False)
        defaults = self.defaults(top.get("defaults"))
        header_problems = len(self.problems)
        events: list[EventSpec] = []
        events_node = top.get("events")
        if events_node is not None:
            if not isinstance(events_node.node, yaml.SequenceNode):
                self.problem(events_node.line, f"events must be a list, got {_kind(events_node.node)}")
            elif not events_node.node.value:
                self.problem(events_node.line, "events is empty; list at least one event")
            else:
                for item in events_node.node.value:
                    event = self.event(item, defaults, component or "?")
                    if event is not None:
                        events.append(event)
        # A bad event does not hide the good ones: they are still checked against the code.
        if header_problems or not events or component is None or file is None or phase is None:
            return None, self.problems
        spec = ComponentSpec(
            component=component, file=file, phase=phase, days=days, priority=priority or "MEDIUM",
            enum_group=enum_group, events=tuple(events), spec_file=self.shown,
            line=document.start_mark.line + 1,
        )
        return spec, self.problems

    def target_file(self, node: _Node | None) -> str | None:
        if node is None:
            return None  # reported by read() as a missing key
        rel = self.string(node, "file")
        if rel is None:
            return None
        problem = self.target_problem(rel)
        if problem is not None:
            self.problem(node.line, problem)
            return None
        return Path(rel).as_posix()

    def target_problem(self, rel: str) -> str | None:
        """Why `file: rel` cannot be a target under root, or None."""
        return target_problem(self.root, rel)

    def days(self, node: _Node | None) -> tuple[int, ...]:
        if node is None:
            return ()
        values = node.value if isinstance(node.value, list) else [node.value]
        days: list[int] = []
        for value in values:
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
                self.problem(node.line, f"days must be whole numbers from 1 to 12, got {_short(value)}")
            else:
                days.append(value)
        return tuple(days)

    def defaults(self, node: _Node | None) -> dict[str, _Node]:
        if node is None:
            return {}
        allowed = tuple(k for k in EVENT_KEYS if k not in NOT_DEFAULTABLE)
        if isinstance(node.node, yaml.MappingNode):
            for key_node, _ in node.node.value:
                key = getattr(key_node, "value", None)
                if key in NOT_DEFAULTABLE:
                    self.problem(key_node.start_mark.line + 1, f"'{key}' cannot be set in defaults: it identifies one event or its place; set it on each event")
            node.node.value = [(k, v) for k, v in node.node.value if getattr(k, "value", None) not in NOT_DEFAULTABLE]
        mapping = self.mapping(node.node, "defaults", allowed)
        return mapping or {}

    # -- event --------------------------------------------------------------------------------
    def event(self, node: yaml.Node, defaults: dict[str, _Node], component: str) -> EventSpec | None:
        line = node.start_mark.line + 1
        raw_id = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if getattr(key_node, "value", None) == "id" and isinstance(value_node, yaml.ScalarNode):
                    raw_id = value_node.value
        before = len(self.problems)
        fields = self.mapping(node, "event", EVENT_KEYS, raw_id)
        if fields is None:
            return None
        merged = {**defaults, **fields}
        event_id = self.string(fields.get("id"), "id", event_id=raw_id, line=line)
        name = self.identifier(fields.get("event"), "event", event_id, line)
        value = self.string(fields.get("value"), "value", required=False, event_id=event_id) or (name.lower() if name else None)
        function = self.qualified_name(fields.get("in"), event_id, line)
        anchor = self.anchor(fields, event_id, line)
        payload = self.payload(merged.get("payload"), event_id)
        kwargs, kwarg_lines = self.kwargs(merged, event_id)
        severity = self.choice(merged.get("severity"), "severity", SEVERITIES, event_id=event_id, line=line)
        comment = self.text(merged.get("comment"), "comment", event_id)
        when = self.expression(merged["when"], "when", event_id) if "when" in merged else None
        setup = self.setup(merged.get("setup"), event_id)
        emit = self.choice(merged.get("emit"), "emit", EMIT_MODES, event_id=event_id, required=False)
        occurrence = self.occurrence(merged.get("occurrence"), event_id)
        json_safe = self.boolean(merged.get("json_safe"), "json_safe", event_id)
        failsafe = self.boolean(merged.get("failsafe"), "failsafe", event_id)
        coerce = self.coerce(merged.get("coerce"), tuple(k for k, _ in kwargs), event_id)
        capture = self.capture(fields.get("capture"), event_id)
        capture_anchor, capture_occurrence = self.capture_anchor(fields.get("capture_before"), bool(capture), event_id)
        on_error = self.on_error(fields, anchor, event_id)
        import_mode = self.choice(merged.get("import"), "import", IMPORT_CHOICES, event_id=event_id, required=False)
        if len(self.problems) > before or None in (event_id, name, value, function, anchor, severity, on_error):
            return None
        assert event_id and name and value and function and anchor and severity and on_error
        lines = {k: n.line for k, n in fields.items()}
        key_lines = tuple(lines.items()) + tuple((k, n) for k, n in kwarg_lines if k not in lines)
        return EventSpec(
            id=event_id, event=name, value=value, function=function, anchor=anchor,
            payload=payload, kwargs=kwargs, severity=severity, component=component,
            spec_file=self.shown, line=line,
            key_lines=key_lines,
            comment=comment, when=when, setup=setup, emit=emit, occurrence=occurrence,
            json_safe=json_safe, coerce=coerce, failsafe=failsafe, capture=capture, capture_anchor=capture_anchor,
            capture_occurrence=capture_occurrence, on_error=on_error, import_mode=import_mode,
        )

    def kwargs(self, merged: dict[str, _Node], event_id: str | None) -> tuple[tuple[tuple[str, str], ...], list[tuple[str, int]]]:
        """The log_event keywords: the top-level shorthands in their fixed order, then `kwargs:`
        in spec order; and the line of each `kwargs:` key."""
        items: list[tuple[str, str]] = []
        for key in KWARG_ORDER:
            if key in merged and (expr := self.expression(merged[key], key, event_id)) is not None:
                items.append((key, expr))
        node = merged.get("kwargs")
        lines: list[tuple[str, int]] = []
        if node is None or node.value is None:
            return tuple(items), lines
        mapping = self.mapping(node.node, "kwargs", (), event_id)
        for key, value in (mapping or {}).items():
            if not key.isidentifier() or keyword.iskeyword(key):
                self.problem(value.line, f"kwargs: {key!r} is not a keyword argument name (a Python identifier)", event_id)
                continue
            if key == "severity":
                self.problem(value.line, "kwargs: `severity` is its own key; write `severity: INFO` (or WARNING, ERROR, ...) on the event", event_id)
                continue
            if key in merged and key in KWARG_ORDER:
                self.problem(value.line, f"kwargs: `{key}` is given twice (also as the top-level key `{key}:` at line {merged[key].line}); keep one", event_id)
                continue
            expr = self.expression(value, f"kwargs '{key}'", event_id)
            if expr is not None:
                items.append((key, expr))
                lines.append((key, value.line))
        return tuple(items), lines

    def capture(self, node: _Node | None, event_id: str | None) -> tuple[tuple[str, str], ...]:
        if node is None:
            return ()
        mapping = self.mapping(node.node, "capture", (), event_id)
        if not mapping:
            if mapping is not None:
                self.problem(node.line, "capture is empty; map a fresh name to the expression to capture (old_value: item.value)", event_id)
            return ()
        items = []
        for name, value in mapping.items():
            if not name.isidentifier() or keyword.iskeyword(name) or (name.startswith("__") and name.endswith("__")):
                self.problem(value.line, f"capture: {name!r} is not a plain variable name", event_id)
                continue
            expr = self.expression(value, f"capture '{name}'", event_id)
            if expr is not None:
                items.append((name, expr))
        return tuple(items)

    def capture_anchor(self, node: _Node | None, has_capture: bool, event_id: str | None) -> tuple[Anchor | None, int | str | None]:
        """`capture_before`: a statement's start (the captures go before it), or a mapping with
        one anchor (after_log, after, before, at, in_except; `level`, `occurrence`)."""
        if node is None:
            return None, None
        if not has_capture:
            self.problem(node.line, "capture_before without capture: say what to capture (capture: {old_value: item.value})", event_id)
            return None, None
        if isinstance(node.value, str):
            if not node.value.strip():
                self.problem(node.line, "capture_before needs the start of a statement", event_id)
                return None, None
            return Anchor("before", node.value), None
        if not isinstance(node.node, yaml.MappingNode):
            self.problem(node.line, f"capture_before must be the start of a statement or a mapping with one anchor ({', '.join(CAPTURE_ANCHOR_KINDS)}), got {_kind(node.node)}", event_id)
            return None, None
        fields = self.mapping(node.node, "capture_before", (*CAPTURE_ANCHOR_KINDS, "level", "occurrence"), event_id)
        if fields is None:
            return None, None
        given = [k for k in CAPTURE_ANCHOR_KINDS if k in fields]
        if len(given) != 1:
            self.problem(node.line, f"capture_before needs exactly one anchor ({', '.join(CAPTURE_ANCHOR_KINDS)}), got {', '.join(given) or 'none'}", event_id)
            return None, None
        anchor = self.anchor(fields, event_id, node.line, kinds=CAPTURE_ANCHOR_KINDS)
        return anchor, self.occurrence(fields.get("occurrence"), event_id)

    def on_error(self, fields: dict[str, _Node], anchor: Anchor | None, event_id: str | None) -> OnError | None:
        """The on_error keys (`as`, `then`, `message`, `through`); they need an on_error anchor."""
        given = [k for k in ON_ERROR_KEYS if k in fields]
        if not given:
            return OnError()
        if anchor is not None and anchor.kind != "on_error":
            for key in given:
                self.problem(fields[key].line, f"`{key}` only applies to an `on_error` anchor (this event is anchored with `{anchor.kind}`)", event_id)
            return None
        name = "exc"
        if "as" in fields:
            text = self.string(fields["as"], "as", event_id=event_id)
            if text is not None and (not text.isidentifier() or keyword.iskeyword(text)):
                self.problem(fields["as"].line, f"`as` must name a variable (a Python identifier), got {text!r}", event_id)
                return None
            name = text or name
        then = self.choice(fields.get("then"), "then", THEN_CHOICES, event_id=event_id, default="raise") or None
        message = self.message(fields["message"], event_id) if "message" in fields else None
        through = self.string(fields["through"], "through", event_id=event_id) if "through" in fields else None
        if then is None or ("message" in fields and message is None) or ("through" in fields and through is None):
            return None
        return OnError(name=name, then=then, message=message, through=through)

    def message(self, node: _Node, event_id: str | None) -> str | None:
        """An on_error `message`: f-string text whose `{...}` fields are expressions."""
        text = self.text(node, "message", event_id)
        if text is None:
            if node.value is None or node.value == "":
                self.problem(node.line, "message must be a non-empty string", event_id)
            return None
        problem = message_problem(text)
        if problem:
            self.problem(node.line, f"message: {problem}", event_id)
            return None
        return text

    def anchor(self, fields: dict[str, _Node], event_id: str | None, line: int,
               kinds: tuple[str, ...] = ANCHOR_KINDS) -> Anchor | None:
        given = [k for k in kinds if k in fields]
        if not given:
            self.problem(line, f"missing anchor: give exactly one of {', '.join(kinds)}", event_id)
            return None
        if len(given) > 1:
            self.problem(fields[given[1]].line, f"several anchors ({', '.join(given)}); give exactly one", event_id)
            return None
        kind = given[0]
        node = fields[kind]
        text = self.string(node, kind, event_id=event_id)
        if text is None:
            return None
        level = None
        if "level" in fields:
            if kind != "after_log":
                self.problem(fields["level"].line, "`level` only narrows an `after_log` anchor", event_id)
                return None
            level = self.choice(fields["level"], "level", LOG_LEVELS, event_id=event_id, lower=True)
        if kind == "at" and text not in ("start", "end"):
            self.problem(node.line, f"`at` must be 'start' or 'end', got {_short(text)}", event_id)
            return None
        if kind in ("after", "before", "on_error") and not text.strip():
            self.problem(node.line, f"`{kind}` needs the start of a statement", event_id)
            return None
        result = None
        if "result" in fields:
            if kind != "after":
                self.problem(fields["result"].line, f"`result` binds the value of an `after:` anchor's statement; this event's anchor is `{kind}`", event_id)
                return None
            result = self.string(fields["result"], "result", event_id=event_id)
            if result is None:
                return None
            if not result.isidentifier() or keyword.iskeyword(result) or result in ("self", "cls"):
                self.problem(fields["result"].line, f"result must name a fresh variable (an identifier such as order_id), got {result!r}", event_id)
                return None
        return Anchor(kind, text, level, result)

    def payload(self, node: _Node | None, event_id: str | None) -> tuple[tuple[str, str], ...]:
        if node is None:
            return ()
        if node.value is None:
            return ()
        if isinstance(node.node, yaml.MappingNode) and len(node.node.value) > MAX_PAYLOAD_KEYS:
            self.problem(node.line, f"payload has {len(node.node.value):,} keys; an event carries at most {MAX_PAYLOAD_KEYS:,} "
                                    "(log a summary, or split it into several events)", event_id)
            return ()
        mapping = self.mapping(node.node, "payload", (), event_id)
        if mapping is None:
            return ()
        items = []
        for key, value in mapping.items():
            if len(key) > MAX_KEY_LENGTH:
                self.problem(value.line, f"payload key {_short(key)} is {len(key):,} characters long; a key may have at most "
                                         f"{MAX_KEY_LENGTH}", event_id)
                continue
            if _CONTROL.search(key):
                self.problem(value.line, f"payload key {_short(key)} holds a control character, which cannot be written into "
                                         "Python source as it is; use printable text", event_id)
                continue
            expr = self.expression(value, f"payload '{key}'", event_id)
            if expr is not None:
                items.append((key, expr))
        return tuple(items)

    def setup(self, node: _Node | None, event_id: str | None) -> tuple[str, ...]:
        if node is None:
            return ()
        values = node.value if isinstance(node.value, list) else None
        if values is None or not all(isinstance(v, str) for v in values):
            self.problem(node.line, "setup must be a list of Python statements (strings)", event_id)
            return ()
        for statement in values:
            problem = setup_problem(statement)
            if problem:
                self.problem(node.line, problem, event_id)
        return tuple(values)

    # -- scalar helpers -----------------------------------------------------------------------
    def string(self, node: _Node | None, key: str, required: bool = True, event_id: str | None = None, line: int = 1) -> str | None:
        if node is None:
            if required:
                self.problem(line, f"missing key '{key}'", event_id)
            return None
        if not isinstance(node.value, str) or not node.value.strip():
            self.problem(node.line, f"{key} must be a non-empty string, got {_type(node.value)}", event_id)
            return None
        return node.value

    def text(self, node: _Node | None, key: str, event_id: str | None) -> str | None:
        """Free text written into the target (a `# comment`): printable, no control characters."""
        value = self.string(node, key, required=False, event_id=event_id)
        if value is not None and node is not None and _CONTROL.search(value.replace("\r\n", "\n")):
            self.problem(node.line, f"{key} holds a control character, which cannot be written into Python source; use printable text", event_id)
            return None
        return value

    def identifier(self, node: _Node | None, key: str, event_id: str | None, line: int) -> str | None:
        text = self.string(node, key, event_id=event_id, line=line)
        if text is None or node is None:
            return None
        if not text.isidentifier():
            self.problem(node.line, f"{key} must be an identifier (an enum member name such as POSITION_CLOSED), got {_short(text)}", event_id)
            return None
        problem = member_name_problem(text)
        if problem:
            self.problem(node.line, problem, event_id)
            return None
        return text

    def qualified_name(self, node: _Node | None, event_id: str | None, line: int) -> str | None:
        text = self.string(node, "in", event_id=event_id, line=line)
        if text is None or node is None:
            return None
        if not all(part.isidentifier() for part in text.split(".")):
            self.problem(node.line, f"`in` must be a qualified function name like Class.method, got {_short(text)}", event_id)
            return None
        return text

    def integer(self, node: _Node | None, key: str, low: int, high: int) -> int | None:
        if node is None:
            return None
        if isinstance(node.value, bool) or not isinstance(node.value, int) or not low <= node.value <= high:
            self.problem(node.line, f"{key} must be a whole number from {low} to {high}, got {_short(node.value)}")
            return None
        return node.value

    def choice(self, node: _Node | None, key: str, choices: tuple[str, ...], *, event_id: str | None = None,
               default: str | None = None, required: bool = True, line: int = 1, lower: bool = False) -> str | None:
        if node is None:
            if default is None and required:
                self.problem(line, f"missing key '{key}' (one of {', '.join(choices)}; set it per event or in `defaults`)", event_id)
            return default
        value = node.value
        if not isinstance(value, str) or value not in choices:
            hint = ""
            if isinstance(value, str):
                fixed = value.lower() if lower else value.upper()
                hint = f" (did you mean '{fixed}'?)" if fixed in choices else did_you_mean(value, choices)
            self.problem(node.line, f"bad {key} {_short(value)}: expected one of {', '.join(choices)}{hint}", event_id)
            return None
        return value

    def boolean(self, node: _Node | None, key: str, event_id: str | None) -> bool | None:
        if node is None:
            return None
        if not isinstance(node.value, bool):
            self.problem(node.line, f"{key} must be true or false, got {_short(node.value)}", event_id)
            return None
        return node.value

    def occurrence(self, node: _Node | None, event_id: str | None) -> int | str | None:
        if node is None:
            return None
        value = node.value
        if value == "all" or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
            return value
        self.problem(node.line, f"occurrence must be a match number (1, 2, ...) or 'all', got {_short(value)}", event_id)
        return None

    def coerce(self, node: _Node | None, given: tuple[str, ...], event_id: str | None) -> tuple[str, ...]:
        if node is None:
            return ()
        values = node.value if isinstance(node.value, list) else [node.value]
        known = tuple(dict.fromkeys((*KWARG_ORDER, *given)))
        bad = [v for v in values if v not in known]
        if bad:
            self.problem(node.line, f"coerce names log_event kwargs ({', '.join(known)}), got {_short(bad)}", event_id)
            return ()
        return tuple(values)

    def expression(self, node: _Node, what: str, event_id: str | None) -> str | None:
        """A Python expression from YAML: strings are source text, numbers/bools/null literals."""
        value = node.value
        if value is None:
            return "None"
        if isinstance(value, bool):
            return "True" if value else "False"
        if isinstance(value, (int, float)):
            return repr(value)
        if not isinstance(value, str):
            self.problem(node.line, f"{what} must be a Python expression (a string), got {_type(value)}", event_id)
            return None
        source = value.strip()
        message = expression_problem(source)
        if message:
            self.problem(node.line, f"{what}: {message}", event_id)
            return None
        return source


def message_problem(text: str) -> str | None:
    """Why `text` cannot be the body of an f-string whose fields are allowed expressions, or None."""
    try:
        tree = ast.parse("f" + repr(text), mode="eval")
    except SyntaxError as exc:
        return f"not a valid f-string body ({exc.msg}); fields are written {{expression}} and a literal brace {{{{ or }}}}"
    for node in walk_nodes(tree):
        if isinstance(node, ast.FormattedValue):
            violation = policy_violation(node.value)
            if violation:
                return violation
    return None


_FAILED = object()
# C0 controls other than tab and newline, DEL, and lone surrogates: not writable as source text.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def member_name_problem(name: str) -> str | None:
    """Why an `event:` name cannot be written as an enum member name at all, or None. The
    rules that depend on the enum (its bases and existing names) and on the target's Python
    version (underscore names) are checked against the enum file (`eventmod.analysis.enum_state`)."""
    normal = unicodedata.normalize("NFKC", name)
    if normal != name:
        return (f"event {_short(name)} is not in NFKC normal form: Python reads the identifier as {normal!r}, so the "
                f"enum member, the block and presence checks would disagree; write `event: {normal}`")
    if keyword.iskeyword(name):
        return f"event {name!r} is a Python keyword; `EventType.{name}` does not parse; choose another name, e.g. {name.upper()}_EVENT"
    return None


def _kind(node: yaml.Node) -> str:
    return {yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list"}.get(type(node), "a scalar")


def _type(value: Any) -> str:
    return "nothing" if value is None else f"{type(value).__name__} {_short(value)}"


