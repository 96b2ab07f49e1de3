"""The EventType enum: decide which members the specs add, and plan their insertion (reading the
enum and its rules is `eventmod.analysis.enum_state`).

A new member must be a member once Python runs the class body, and must not break the enum:
`EnumRules` refuses names Enum treats differently (underscore names), names the enum's bases
already define (`mro`, `name`, `value`, str methods such as `upper`, computed from `enum.Enum`,
its metaclass and the enum's base types rather than listed by hand), and names the class body
already binds in any other way (`X = auto()`, a computed value, a method, a property, a nested
class). The rules are those of the target project's Python version: the lower bound of its
`requires-python` when declared (the oldest Python the code must run on), else the running
interpreter's.
"""

from __future__ import annotations

import ast

from eventmod.analysis.enum_state import EnumRules, EnumState
from eventmod.model.edits import Edit
from eventmod.model.problems import Problem
from eventmod.model.record import record
from eventmod.pyast.source import SourceFile
from eventmod.model.spec import EventSpec


@record
class EnumMember:
    """A member to add to the event enum: its name, its string value and the `# <group>` comment it
    goes under (None: no group)."""

    name: str
    value: str
    group: str | None


def plan_members(
    events: list[EventSpec], groups: dict[str, str | None], state: EnumState, enum_path: str, enum_class: str,
    rules: EnumRules | None = None,
) -> tuple[list[EnumMember], list[Problem]]:
    """Members to add, in spec order; conflicts with the enum or between specs are problems."""
    rules = rules or EnumRules.running()
    problems: list[Problem] = []
    wanted: dict[str, EventSpec] = {}
    for event in events:
        refusal = member_problem(event.event, event.value, state, enum_path, enum_class, rules)
        if refusal:
            problems.append(Problem(event.spec_file, event.line_of("event"), refusal, event.id))
            continue
        first = wanted.get(event.event)
        if first is not None and first.value != event.value:
            problems.append(Problem(event.spec_file, event.line_of("event"), f"{enum_class}.{event.event} has value '{event.value}' here but '{first.value}' in {first.spec_file}:{first.line} (event {first.id}); use one value", event.id))
            continue
        wanted.setdefault(event.event, event)
    values = {v: k for k, v in state.members.items()}
    additions: list[EnumMember] = []
    for name, event in wanted.items():
        where = event.line_of("value") if "value" in dict(event.key_lines) else event.line_of("event")
        if name in state.members:
            if state.members[name] != event.value:
                problems.append(Problem(event.spec_file, where, f"{enum_class}.{name} already exists with value '{state.members[name]}' ({enum_path}:{state.lines[name]}), not '{event.value}'; set `value: {state.members[name]}` or choose another name", event.id))
            continue
        if event.value in values:
            problems.append(Problem(event.spec_file, where, f"value '{event.value}' is already used by {enum_class}.{values[event.value]} ({enum_path}:{state.lines[values[event.value]]}); use `event: {values[event.value]}` or another value", event.id))
            continue
        additions.append(EnumMember(name, event.value, groups.get(event.spec_file)))
        values[event.value] = name
    return additions, problems


def member_problem(name: str, value: str, state: EnumState, enum_path: str, enum_class: str, rules: EnumRules) -> str | None:
    """Why `name` cannot be (or become) a string member of the enum, or None."""
    why = rules.underscore_problem(name, enum_class) or rules.identifier_problem(name)
    if why:
        return f"{enum_class} member {why}"
    other = f"{name.upper()}_EVENT" if name.upper() != name else f"{name}_EVENT"
    if name in state.others:
        line, what = state.others[name]
        return (f"{enum_class}.{name} already exists in {enum_path}:{line} as {what}; eventmod cannot add a member of that "
                f"name or prove which value it has; choose another `event:` name (e.g. {other}), or make it `{name} = "
                f"{value!r}` in the enum")
    if name not in state.members and name in state.inherited:
        base = state.inherited[name]
        return (f"{enum_class}.{name} would shadow {base}.{name}, which every member inherits (`{enum_class}.X.{name}` "
                f"would stop working, or Enum refuses the name); choose another `event:` name, e.g. {other}")
    for piece in (name, value):
        try:
            piece.encode(state.encoding)
        except UnicodeEncodeError:
            return (f"{piece!r} cannot be written into {enum_path}, which is encoded as {state.encoding}; use characters "
                    "that encoding holds, or save the enum file as UTF-8")
    return None


def enum_edits(source: SourceFile, state: EnumState, additions: list[EnumMember], quote: str) -> list[Edit]:
    """Insert members group by group: under an existing `# <group>` comment of the class, else as a
    new commented group after the last member."""
    from eventmod.codegen.render import quote_string  # the block renderer: only a run that writes members needs it

    if not additions:
        return []
    classdef = state.classdef
    if not source.starts_its_line(classdef.body[0]):
        return [_expanded_one_liner(source, classdef, additions, quote)]
    member_stmts = [s for s in classdef.body if isinstance(s, ast.Assign)]
    anchor_stmt = member_stmts[-1] if member_stmts else classdef.body[-1]
    indent = source.indentation_of(anchor_stmt.lineno)
    class_first, class_last = classdef.lineno, classdef.end_lineno or classdef.lineno
    edits: list[Edit] = []
    by_group: dict[str | None, list[EnumMember]] = {}
    for member in additions:
        by_group.setdefault(member.group, []).append(member)
    default_position = anchor_stmt.end_lineno or anchor_stmt.lineno
    for order, (group, members) in enumerate(by_group.items()):
        rendered = [f"{indent}{m.name} = {quote_string(m.value, quote)}" for m in members]
        comment_line = _find_group_comment(source, group, class_first, class_last) if group else None
        if comment_line is not None:
            position = _end_of_run(source, comment_line, member_stmts)
            edits.append(Edit(position, position, tuple(rendered), "enum", order))
        else:
            header = ["", f"{indent}# {group}"] if group else []
            edits.append(Edit(default_position, default_position, tuple(header + rendered), "enum", order))
    return edits


def _find_group_comment(source: SourceFile, group: str, first: int, last: int) -> int | None:
    wanted = f"# {group}".strip()
    for lineno in range(first, last + 1):
        if source.lines[lineno - 1].strip() == wanted:
            return lineno
    return None


def _end_of_run(source: SourceFile, comment_line: int, members: list[ast.stmt]) -> int:
    """Line index after the members that directly follow a group comment."""
    position = comment_line
    for stmt in members:
        if stmt.lineno == position + 1:
            position = stmt.end_lineno or stmt.lineno
    return position


def _expanded_one_liner(source: SourceFile, classdef: ast.ClassDef, additions: list[EnumMember], quote: str) -> Edit:
    """`class EventType(str, Enum): A = "a"` has no line to insert members after: rewrite the
    body onto its own lines (each statement verbatim, at one indent step), then add the
    members. The rewritten lines carry their original line as origin, so safe mode compares
    the class statement by statement instead of trusting the edit."""
    from eventmod.codegen.render import quote_string

    body = classdef.body
    first, last = body[0], body[-1]
    header_line = source.lines[first.lineno - 1]
    header = header_line[: source.char_col(first.lineno, first.col_offset)].rstrip()
    indent = source.indentation_of(classdef.lineno) + source.indent_unit
    lines: list[str] = [header]
    origins: list[int | None] = [first.lineno - 1]
    for stmt in body:
        parts = source.segment(stmt).split("\n")
        for offset, part in enumerate(parts):
            lines.append((indent + part if offset == 0 else part).rstrip("\r"))
            origins.append(stmt.lineno - 1 + offset)
    end_line = source.lines[last.end_lineno - 1]  # type: ignore[operator]
    rest = end_line[source.char_col(last.end_lineno, last.end_col_offset):].strip().lstrip(";").strip()  # type: ignore[arg-type]
    if rest.startswith("#"):
        lines[-1] += "  " + rest
    by_group: dict[str | None, list[EnumMember]] = {}
    for member in additions:
        by_group.setdefault(member.group, []).append(member)
    for group, members in by_group.items():
        added = (["", f"{indent}# {group}"] if group else []) + [f"{indent}{m.name} = {quote_string(m.value, quote)}" for m in members]
        lines += added
        origins += [None] * len(added)
    return Edit(first.lineno - 1, last.end_lineno, tuple(lines), "enum", 0, tuple(origins))  # type: ignore[arg-type]

