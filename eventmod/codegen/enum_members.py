"""The EventType enum: read its members, decide which the specs add, and plan their insertion."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from eventmod.model.edits import Edit
from eventmod.model.problems import Problem
from eventmod.codegen.render import quote_string
from eventmod.pyast.source import SourceFile
from eventmod.model.spec import EventSpec


@dataclass(frozen=True)
class EnumMember:
    name: str
    value: str
    group: str | None


@dataclass(frozen=True)
class EnumState:
    members: dict[str, str]  # name -> value
    lines: dict[str, int]  # name -> line in the enum file
    classdef: ast.ClassDef
    duplicates: tuple[Problem, ...] = ()  # the enum already repeats a name or a value


def read_enum(source: SourceFile, tree: ast.Module, enum_class: str) -> EnumState | Problem:
    classdef = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == enum_class), None)
    if classdef is None:
        return Problem(source.path, 1, f"class {enum_class} not found; set `enum_file`/`enum_class` in [tool.eventmod]")
    members: dict[str, str] = {}
    lines: dict[str, int] = {}
    duplicates: list[Problem] = []
    by_value: dict[str, str] = {}
    for stmt in classdef.body:
        if (
            isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)
        ):
            name, value = stmt.targets[0].id, stmt.value.value
            if name in members:
                duplicates.append(Problem(source.path, stmt.lineno, f"{enum_class}.{name} is defined twice (first at line {lines[name]}); the second silently replaces the first"))
            elif value in by_value:
                duplicates.append(Problem(source.path, stmt.lineno, f"{enum_class}.{name} repeats the value '{value}' of {by_value[value]} (line {lines[by_value[value]]}); Enum makes it an alias, so events of both names become one"))
            members.setdefault(name, value)
            lines.setdefault(name, stmt.lineno)
            by_value.setdefault(value, name)
    return EnumState(members, lines, classdef, tuple(duplicates))


def plan_members(
    events: list[EventSpec], groups: dict[str, str | None], state: EnumState, enum_path: str, enum_class: str
) -> tuple[list[EnumMember], list[Problem]]:
    """Members to add, in spec order; conflicts with the enum or between specs are problems."""
    problems: list[Problem] = []
    wanted: dict[str, EventSpec] = {}
    for event in events:
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


def enum_edits(source: SourceFile, state: EnumState, additions: list[EnumMember], quote: str) -> list[Edit]:
    """Insert members group by group: under an existing `# <group>` comment of the class, else as a
    new commented group after the last member."""
    if not additions:
        return []
    classdef = state.classdef
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
