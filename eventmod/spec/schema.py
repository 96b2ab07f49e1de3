"""The spec format's fields, declared once: the loader takes its key lists from here and
`eventmod schema` turns the same tables into a JSON Schema for editors."""

from __future__ import annotations

from typing import Any

from eventmod.model.settings import EMIT_MODES
from eventmod.model.spec import ANCHOR_KINDS, IMPORT_CHOICES, KWARG_ORDER, PRIORITIES, SEVERITIES, THEN_CHOICES

EXPRESSION = {"type": ["string", "number", "boolean", "null"], "description": "A Python expression (source text); YAML numbers/bools/null are literals."}
IDENTIFIER = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}
# The anchors `capture_before` may name (every kind but on_error), as a mapping.
CAPTURE_ANCHOR_KINDS = ("after_log", "after", "before", "at", "in_except")
LOG_LEVELS = ("debug", "info", "warning", "warn", "error", "exception", "critical", "fatal")

COMPONENT_FIELDS: dict[str, dict[str, Any]] = {
    "component": {"type": "string", "description": "Audit component name (unique across spec files)."},
    "file": {"type": "string", "description": "Target file, relative to root; must stay under root."},
    "phase": {"type": "integer", "minimum": 1, "maximum": 4, "description": "Rollout phase 1-4 (default 1)."},
    "days": {"oneOf": [{"type": "integer", "minimum": 1, "maximum": 12},
                       {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 12}}],
             "description": "Days of the 12-day plan (optional)."},
    "priority": {"enum": list(PRIORITIES), "description": "Component priority (default MEDIUM)."},
    "enum_group": {"type": "string", "description": "Comment header for the EventType members this file adds."},
    "defaults": {"$ref": "#/$defs/defaults", "description": "Merged into every event; event keys win."},
    "events": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/event"}},
}
REQUIRED_COMPONENT = ("component", "file", "events")
DEFAULT_PHASE = 1

EVENT_FIELDS: dict[str, dict[str, Any]] = {
    "id": {"type": "string", "description": "Unique across all spec files."},
    "event": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$", "description": "EventType member name."},
    "value": {"type": "string", "description": "EventType member value (default: event.lower())."},
    "in": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_<>][A-Za-z0-9_<>]*)*$", "description": "Qualified function name, e.g. Class.method."},
    "after_log": {"type": "string", "description": "Anchor: after the logger call whose message contains this text ({} = placeholder)."},
    "after": {"type": "string", "description": "Anchor: after the statement that starts with this text."},
    "before": {"type": "string", "description": "Anchor: before the statement that starts with this text (e.g. 'return')."},
    "at": {"enum": ["start", "end"], "description": "Anchor: function start (after the docstring) or end."},
    "in_except": {"type": "string", "description": "Anchor: first statement of the handler catching this exception ('*': any)."},
    "on_error": {"type": "string", "description": "Anchor: wrap this statement in try/except that logs and re-raises."},
    "level": {"enum": list(LOG_LEVELS), "description": "after_log only: the logger method."},
    "result": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$", "description": "after only: bind the anchor statement's value (a call or an awaited call) to this fresh name, so the payload can log it (`await f(x)` becomes `NAME = await f(x)`)."},
    "payload": {"type": ["object", "null"], "additionalProperties": EXPRESSION, "description": "Event data: key -> Python expression."},
    **{k: {**EXPRESSION, "description": f"log_event kwarg `{k}` (Python expression)."} for k in KWARG_ORDER},
    "severity": {"enum": list(SEVERITIES)},
    "comment": {"type": "string", "description": "Written as `# comment` above the block."},
    "when": {"type": "string", "description": "Extra guard: `if event_logger and (when):`."},
    "setup": {"type": "array", "items": {"type": "string"}, "description": "Statements run inside the guard first."},
    "emit": {"enum": list(EMIT_MODES), "description": "auto (await in async code; in sync code the logger's sync call, else scheduled on a running loop), await, background (asyncio.create_task, never blocks), or sync (the logger's plain-def call)."},
    "occurrence": {"oneOf": [{"type": "integer", "minimum": 1}, {"const": "all"}], "description": "Which anchor match (1-based) or all."},
    "json_safe": {"type": "boolean", "description": "Wrap payload values in the JSON-safe converter."},
    "coerce": {"type": "array", "items": IDENTIFIER, "description": "kwargs converted with int() (shorthands or `kwargs:` names)."},
    "failsafe": {"type": "boolean", "description": "Wrap the block so a logging failure is reported through the file's logger and never reaches the caller (default: config failsafe, true)."},
    "kwargs": {"type": "object", "propertyNames": IDENTIFIER, "additionalProperties": EXPRESSION,
               "description": "Any keyword the target's log_event accepts: name -> Python expression (the six top-level keyword keys are shorthands for it)."},
    "capture": {"type": "object", "propertyNames": IDENTIFIER, "additionalProperties": EXPRESSION,
                "description": "Values captured before they change: fresh name -> expression, assigned right before `capture_before` (default: before the event's anchor statement); the payload may read the names."},
    "capture_before": {"oneOf": [{"type": "string"}, {"$ref": "#/$defs/capture_anchor"}],
                       "description": "Where the capture statements go: the start of a statement (before it), or a mapping with one anchor (after_log, after, before, at, in_except) in the same function."},
    "through": {"type": "string", "description": "on_error only: wrap from the anchor statement through the statement that starts with this text (same block)."},
    "as": {**IDENTIFIER, "description": "on_error only: the exception variable (default exc)."},
    "then": {"enum": list(THEN_CHOICES), "description": "on_error only: raise (default: re-raise, behaviour preserved) or continue (log and go on: a behaviour change)."},
    "message": {"type": "string", "description": "on_error only: adds logger.error(f\"<message>\") through the file's logger before the event; {expr} fields are Python expressions."},
    "import": {"enum": list(IMPORT_CHOICES), "description": "Where the block's logger import goes: top (module level), local (inside the function) or auto (local only for an import cycle; default: config import)."},
}
REQUIRED_EVENT = ("id", "event", "in")
# Keys that identify one event or its place; they make no sense in `defaults`.
NOT_DEFAULTABLE = ("id", "event", "value", "in", *ANCHOR_KINDS, "level", "result", "occurrence", "capture", "capture_before",
                   "through", "as", "then", "message")
ON_ERROR_KEYS = ("through", "as", "then", "message")  # keys that only an on_error event takes


def json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of one spec file, for `# yaml-language-server: $schema=...`."""
    defaults = {k: v for k, v in EVENT_FIELDS.items() if k not in NOT_DEFAULTABLE}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://eventmod.dev/spec.schema.json",
        "title": "eventmod spec file",
        "description": "One component's audit events: where each goes and what it logs.",
        "type": "object",
        "properties": COMPONENT_FIELDS,
        "required": list(REQUIRED_COMPONENT),
        "additionalProperties": False,
        "$defs": {
            "event": {
                "type": "object",
                "properties": EVENT_FIELDS,
                "required": list(REQUIRED_EVENT),
                "oneOf": [{"required": [kind]} for kind in ANCHOR_KINDS],
                "additionalProperties": False,
            },
            "defaults": {"type": "object", "properties": defaults, "additionalProperties": False},
            "capture_anchor": {
                "type": "object",
                "properties": {**{k: EVENT_FIELDS[k] for k in CAPTURE_ANCHOR_KINDS}, "level": EVENT_FIELDS["level"],
                               "occurrence": EVENT_FIELDS["occurrence"]},
                "oneOf": [{"required": [kind]} for kind in CAPTURE_ANCHOR_KINDS],
                "additionalProperties": False,
            },
        },
    }
