"""The event enum as the code defines it: its members, the names its class body binds
otherwise, the attributes its bases define, and the Enum rules of the target's Python version.

Read by analysis (the logger contract), code generation (which members to add), transform and
suggest; it lives here, below code generation, so every layer reads the enum the same way.
"""

from __future__ import annotations

import ast
import builtins
import enum
import sys
from dataclasses import field

from eventmod.model.problems import Problem
from eventmod.model.record import record
from eventmod.pyast.bindings import import_bindings
from eventmod.pyast.source import SourceFile
from eventmod.pyast.walk import dotted_name, walk_nodes

@record
class EnumState:
    """The event enum class as its file defines it (`read_enum`): its members and their lines, the
    other names its body binds, and what its bases define."""

    members: dict[str, str]  # name -> value
    lines: dict[str, int]  # name -> line in the enum file
    classdef: ast.ClassDef
    duplicates: tuple[Problem, ...] = ()  # the enum already repeats a name or a value
    # Names the class body binds other than as `NAME = "literal"`: name -> (line, what it is).
    others: dict[str, tuple[int, str]] = field(default_factory=dict)
    # Attribute names the enum's bases define (member names that would shadow them): name -> base.
    inherited: dict[str, str] = field(default_factory=dict)
    bases: tuple[str, ...] = ()
    unknown_bases: tuple[str, ...] = ()  # bases eventmod cannot look into (imported mixins)
    encoding: str = "utf-8"


@record
class EnumRules:
    """The Enum rules of one Python version (see the module docstring)."""

    version: tuple[int, int]
    source: str  # where the version comes from, for messages

    @classmethod
    def running(cls) -> "EnumRules":
        return cls(sys.version_info[:2], "the running interpreter")

    def underscore_problem(self, name: str, enum_class: str) -> str | None:
        fix = name.strip("_").upper() or "EVENT"
        if name.startswith("__") and name.endswith("__"):
            return f"{name} is a dunder name: Enum keeps it as a plain attribute, not a member; use `event: {fix}`"
        if name.startswith("_") and name.endswith("_") and len(name) > 2:
            return f"{name} is a _sunder_ name, reserved by Enum (ValueError when the module is imported); use `event: {fix}`"
        if name.startswith("__"):
            if self.version >= (3, 11):
                effect = f"Python {self.version[0]}.{self.version[1]} mangles it to _{enum_class}{name}, which Enum does not make a member"
            else:
                effect = f"on Python {self.version[0]}.{self.version[1]} it is mangled to _{enum_class}{name} and is a member only with a DeprecationWarning (not one from 3.11 on)"
            return f"{name} is a private name: {effect}; use `event: {fix}`"
        if name.startswith("_"):
            return f"{name} starts with an underscore, which Enum reserves for its own names; use `event: {fix}`"
        return None

    def identifier_problem(self, name: str) -> str | None:
        """A non-ASCII name checked by a newer interpreter than the target's: its Unicode
        tables may accept characters the target's Python does not."""
        if name.isascii() or self.version >= sys.version_info[:2]:
            return None
        return (f"{name!r} is not ASCII, and the target's Python {self.version[0]}.{self.version[1]} ({self.source}) "
                f"may not accept it as an identifier (its Unicode tables are older than this interpreter's); use an ASCII name")


_BASE_TYPES = {name: getattr(builtins, name) for name in ("str", "int", "float", "bytes", "complex")}


def inherited_attributes(bases: list[str]) -> tuple[dict[str, str], list[str]]:
    """Public attribute names (no leading underscore) of `enum.Enum`, its metaclass, and the
    enum's bases that eventmod can resolve (builtin types, the `enum` module's classes):
    name -> the base defining it; plus the bases it could not resolve."""
    found: dict[str, str] = {}
    classes: list[tuple[str, type]] = [("Enum", enum.Enum), ("EnumType", type(enum.Enum))]
    unknown = []
    for base in bases:
        short = base.rsplit(".", 1)[-1]
        known = _BASE_TYPES.get(base) or (getattr(enum, short, None) if base in (short, f"enum.{short}") else None)
        if isinstance(known, type):
            classes.append((short, known))
        else:
            unknown.append(base)
    for label, kind in classes:
        for klass in kind.__mro__:
            if klass is object:
                continue
            for name in vars(klass):
                if not name.startswith("_"):
                    found.setdefault(name, label)
    return found, unknown


def read_enum(source: SourceFile, tree: ast.Module, enum_class: str) -> EnumState | Problem:
    classdef = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == enum_class), None)
    if classdef is None:
        return Problem(source.path, 1, f"class {enum_class} not found; set `enum_file`/`enum_class` in [tool.eventmod]")
    members: dict[str, str] = {}
    lines: dict[str, int] = {}
    others: dict[str, tuple[int, str]] = {}
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
            continue
        for name, what in _other_bindings(stmt):
            others.setdefault(name, (stmt.lineno, what))
    local_classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    bases = [dotted_name(b) or ast.unparse(b) for b in classdef.bases]
    inherited, unknown = inherited_attributes([b for b in bases if b not in local_classes])
    for base in bases:  # a mixin defined in the same file: its own names count too
        if base in local_classes:
            for stmt in local_classes[base].body:
                for name, _ in _other_bindings(stmt):
                    inherited.setdefault(name, base)
    return EnumState(members, lines, classdef, tuple(duplicates), others, inherited, tuple(bases), tuple(unknown), source.encoding)


def _other_bindings(stmt: ast.stmt) -> list[tuple[str, str]]:
    """Names a class-body statement binds that are not plain string members, with what they are."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        decorators = {dotted_name(d.func if isinstance(d, ast.Call) else d) or "" for d in stmt.decorator_list}
        kind = "a property" if any(d.endswith(("property", "cached_property")) for d in decorators) else "a method"
        return [(stmt.name, kind)]
    if isinstance(stmt, ast.ClassDef):
        return [(stmt.name, "a nested class")]
    if isinstance(stmt, ast.Assign):
        value = ast.unparse(stmt.value)
        what = f"a member whose value is not a string literal (`{value[:40]}`)"
        return [(n.id, what) for t in stmt.targets for n in walk_nodes(t) if isinstance(n, ast.Name)]
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return [(stmt.target.id, "an annotated name")]
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return [(name, "an import") for name in import_bindings(stmt)]
    return []
