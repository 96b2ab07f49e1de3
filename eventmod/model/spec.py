"""Typed, located spec data: what a YAML spec file means once it has been validated."""

from __future__ import annotations

from dataclasses import field
from typing import Union

from eventmod.model.record import record

SEVERITIES = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
PRIORITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
ANCHOR_KINDS = ("after_log", "after", "before", "at", "in_except", "on_error")
# The log_event keyword arguments a spec may give as top-level keys (shorthands for `kwargs:`),
# in the order they are written in generated code; other keywords (`kwargs:`) follow in spec order.
KWARG_ORDER = ("correlation_id", "position_id", "order_id", "symbol", "exchange", "error")
THEN_CHOICES = ("raise", "continue")  # on_error: what the handler does after logging
IMPORT_CHOICES = ("auto", "top", "local")  # per event / defaults `import:` (the config key's values)

Occurrence = Union[int, str, None]  # 1-based index, "all", or None (must be unique)


@record
class Anchor:
    """Where an event's block goes in the instrumented function, as the spec writes it: the anchor's
    kind (one of ANCHOR_KINDS) and its text."""

    kind: str  # one of ANCHOR_KINDS
    text: str
    level: str | None = None  # after_log only: narrows to logger.<level>
    # `after:` only: the anchor statement's value is bound to this name (`await f(x)` becomes
    # `NAME = await f(x)`), so the block can log it
    result: str | None = None

    def describe(self) -> str:
        level = f" (level {self.level})" if self.level else ""
        return f"{self.kind}: {self.text!r}{level}"


@record
class OnError:
    """How an `on_error` wrap handles the exception: `except Exception as <name>:`, an optional
    `<file logger>.error(f"<message>")` line, the event, then `raise` (the default: behaviour
    preserved) or `continue` (log and go on: a behaviour change the spec must ask for). `through`
    extends the wrap from the anchor statement through a later statement of the same block."""

    name: str = "exc"
    then: str = "raise"
    message: str | None = None
    through: str | None = None

    @property
    def continues(self) -> bool:
        return self.then == "continue"


@record
class EventSpec:
    """One validated event entry of a spec: the enum member it logs, the function and anchor where
    its block goes, what the block passes the logger, and where the entry is written."""

    id: str
    event: str  # EventType member name
    value: str  # EventType member value
    function: str  # qualified name of the target function
    anchor: Anchor
    payload: tuple[tuple[str, str], ...]  # (key, python expression source)
    kwargs: tuple[tuple[str, str], ...]  # (log_event kwarg, expression source), KWARG_ORDER
    severity: str
    component: str
    spec_file: str
    line: int  # line of the event entry in its spec file
    key_lines: tuple[tuple[str, int], ...] = ()
    comment: str | None = None
    when: str | None = None
    setup: tuple[str, ...] = ()
    emit: str | None = None
    occurrence: Occurrence = None
    json_safe: bool | None = None
    coerce: tuple[str, ...] = ()  # kwargs to coerce to int (issue: column types)
    failsafe: bool | None = None  # per-event override of the config's `failsafe`
    # Values captured before they change: (fresh name, expression) assignments inserted right
    # before `capture_anchor` (None: before the event's own anchor statement).
    capture: tuple[tuple[str, str], ...] = ()
    capture_anchor: Anchor | None = None
    capture_occurrence: Occurrence = None
    on_error: OnError = OnError()  # the wrap's handling (on_error anchors only)
    import_mode: str | None = None  # per-event `import:` (top | local | auto); None: the config's

    @property
    def changes_behaviour(self) -> bool:
        """The event changes what the instrumented function does (`then: continue`)."""
        return self.anchor.kind == "on_error" and self.on_error.continues

    def line_of(self, key: str) -> int:
        for name, line in reversed(self.key_lines):  # the last one, as a dict of them would keep
            if name == key:
                return line
        return self.line


@record
class ComponentSpec:
    """One spec file (a component): the code file it instruments, its phase, days and priority in
    the rollout plan, the enum group its members go under, and its events."""

    component: str
    file: str  # relative to root, POSIX separators
    phase: int
    days: tuple[int, ...]
    priority: str
    enum_group: str | None
    events: tuple[EventSpec, ...]
    spec_file: str
    line: int = 1


@record
class Catalog:
    """The validated spec files: every component, and through them every event to instrument."""

    components: tuple[ComponentSpec, ...]

    def events(self) -> list[EventSpec]:
        return [e for c in self.components for e in c.events]

    def component_of(self, event: EventSpec) -> ComponentSpec:
        return next(c for c in self.components if c.component == event.component)


@record
class Selection:
    """CLI selectors; empty tuples select everything. Selectors of different kinds intersect."""

    phases: tuple[int, ...] = ()
    days: tuple[int, ...] = ()
    components: tuple[str, ...] = ()
    events: tuple[str, ...] = ()

    def matches(self, component: ComponentSpec, event: EventSpec) -> bool:
        return (
            (not self.phases or component.phase in self.phases)
            and (not self.days or any(d in self.days for d in component.days))
            and (not self.components or component.component in self.components)
            and (not self.events or event.id in self.events)
        )


@record
class SelectedCatalog:
    """A catalog narrowed by a selection; `all_events` is kept for checks that need the whole set."""

    catalog: Catalog
    selection: Selection = field(default_factory=Selection)

    def events(self) -> list[EventSpec]:
        return [
            e for c in self.catalog.components for e in c.events if self.selection.matches(c, e)
        ]
