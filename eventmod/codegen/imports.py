"""Plan the imports a file needs: `from <logger_module> import <getter>, <Enum>` and `asyncio`.

Existing imports win: an alias (`EventType as ET`) is reused, a missing name is merged into an
existing import from the logger module, and a new import goes with the other top-level imports.
"""

from __future__ import annotations

import ast
import re
import sys

from eventmod.analysis.presence import CallMatcher
from eventmod.model.edits import Edit
from eventmod.model.record import record
from eventmod.model.settings import CallShape, ImportSort
from eventmod.pyast.bindings import bindings, free_name, global_assignments_in, identifiers
from eventmod.pyast.source import SourceFile


@record
class NameOrder:
    """In which order the names of a `from` import are written: isort's and ruff's order
    (`order_by_type`: CONSTANTS, Classes, functions; case-insensitive unless `case_sensitive`;
    numbers in natural order) when the project configures a sorter or nothing else is known;
    otherwise the order of the team's own logger imports (`getter_first`)."""

    sort: ImportSort = ImportSort()
    # learned from the project's imports of the getter and the enum, where they contradict the
    # sort order and no sorter is configured (see `for_project`); None: the sort order
    getter_first: bool | None = None

    @classmethod
    def for_project(cls, sort: ImportSort, getter_first: bool | None, getter: str, enum: str) -> "NameOrder":
        """isort's order, unless the project configures no sorter and its own logger imports
        put the getter and the enum the other way round."""
        plain = cls(sort)
        if sort.configured or getter_first is None or getter_first == (plain.key(getter) < plain.key(enum)):
            return plain
        return cls(sort, getter_first)

    @property
    def learned(self) -> bool:
        return self.getter_first is not None

    def key(self, item: str) -> tuple:
        name = item.split(" as ", 1)[0].strip()
        kind = 0
        if self.sort.order_by_type:
            kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
        text = name if self.sort.case_sensitive else name.lower()
        return (kind, _natural(text), name, item)

    def arrange(self, items: list[str], getter: str) -> list[str]:
        """The order of the names of a new import (`items`: getter first, then the enum)."""
        if self.learned:
            return list(items) if self.getter_first else list(reversed(items))
        return sorted(items, key=self.key)

    def is_sorted(self, items: list[str]) -> bool:
        return all(self.key(a) <= self.key(b) for a, b in zip(items, items[1:]))


def _natural(text: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


@record
class ImportPlan:
    """The imports one file's blocks need: the local names they use for the getter, the enum,
    `asyncio` and `logging`, and the edits that add the missing imports."""

    getter: str  # the name the file uses for the getter
    enum: str
    asyncio: str
    edits: tuple[Edit, ...]
    logging: str = "logging"


def _top_imports(tree: ast.Module) -> list[ast.stmt]:
    return [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]


def getter_names(tree: ast.Module, module: str, getter: str) -> frozenset[str]:
    """The names a block in this module may call the getter by: `getter` and every local name
    the module's top-level imports give it (`from module import getter as alias`)."""
    return frozenset({getter, *_imports_of(tree, module, getter)})


def file_matcher(tree: ast.Module, module: str, getter: str, call: CallShape) -> CallMatcher:
    """The logging calls of one file: the configured shape, with every local name (alias) the
    file's top-level imports from the logger module give the getter or the function."""
    if call.function:
        return CallMatcher.of(call, frozenset({getter}), frozenset(_imports_of(tree, module, call.method)))
    return CallMatcher.of(call, getter_names(tree, module, getter))


def _imports_of(tree: ast.Module, module: str, name: str) -> list[str]:
    """Local names the module's top-level imports give `name` from `module` (`from module import
    name [as x]`), the plain name first."""
    found = []
    for stmt in _top_imports(tree):
        if isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module == module:
            for alias in stmt.names:
                if alias.name == "*":
                    found.append(name)
                elif alias.name == name:
                    found.append(alias.asname or alias.name)
    return sorted(dict.fromkeys(found), key=lambda local: local != name)


def _module_imports(tree: ast.Module, module: str) -> list[str]:
    """Local names of top-level `import <module> [as x]`, the plain name first."""
    found = [alias.asname or alias.name for stmt in _top_imports(tree) if isinstance(stmt, ast.Import)
             for alias in stmt.names if alias.name == module]
    return sorted(dict.fromkeys(found), key=lambda local: local != module)


def _is_same_import(node: ast.AST, local: str, module: str, name: str | None) -> bool:
    """Whether `node` binds `local` to `name` from `module` (or to the module itself)."""
    if name is None:
        return isinstance(node, ast.Import) and any(a.name == module and (a.asname or a.name) == local for a in node.names)
    return isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == module and any(
        (a.name == name and (a.asname or a.name) == local) or a.name == "*" for a in node.names)


@record
class NameChoice:
    """The local name blocks use for an imported name (`choose_name`), and whether an import has to
    be added for it."""

    local: str  # the name blocks use
    added: bool  # an import (or alias) has to be added for it


def choose_name(tree: ast.Module, module_bound: dict[str, list[ast.AST]], taken: frozenset[str], module: str,
                name: str | None, preferred: str) -> NameChoice:
    """The local name for `name` imported from `module` (`name` None: the module itself):
    an existing import whose name nothing else binds (at module level, or in `taken`: the scopes
    of the instrumented functions) is reused; otherwise `preferred` if it is free or bound only
    to the same object (`if TYPE_CHECKING: from module import name`), else the first free alias
    (`preferred_`, `preferred_2`, ...)."""
    existing = _module_imports(tree, module) if name is None else _imports_of(tree, module, name)
    for local in existing:
        if local not in taken and all(_is_same_import(n, local, module, name) for n in module_bound.get(local, ())):
            return NameChoice(local, False)
    if preferred not in taken and all(_is_same_import(n, preferred, module, name) for n in module_bound.get(preferred, ())):
        return NameChoice(preferred, True)
    return NameChoice(free_name(preferred, taken | set(module_bound)), True)


def plan_imports(
    source: SourceFile,
    tree: ast.Module,
    *,
    module: str,
    getter: str,
    enum: str,
    need_logger: bool,
    need_asyncio: bool,
    line_length: int,
    need_logging: bool = False,
    taken: frozenset[str] = frozenset(),
    module_bound: dict[str, list[ast.AST]] | None = None,
    order: NameOrder = NameOrder(ImportSort(configured=True)),
) -> ImportPlan:
    """The imports the blocks need. `taken`: names bound in the scopes of the instrumented
    functions (and the scopes around them); a name they or the module bind to something else is
    never rebound: the import goes under a free alias instead."""
    bound = dict(module_bound if module_bound is not None else bindings(tree))
    for name in global_assignments_in(source.text, tree):
        bound[name] = [*bound.get(name, ()), tree]  # some function may rebind it at run time
    edits: list[Edit] = []
    getter_choice = choose_name(tree, bound, taken, module, getter, getter)
    enum_choice = choose_name(tree, bound, taken, module, enum, enum)
    missing = [_item(n, c.local) for n, c in ((getter, getter_choice), (enum, enum_choice)) if c.added] if need_logger else []
    if missing:
        target = next(
            (s for s in _top_imports(tree) if isinstance(s, ast.ImportFrom) and s.level == 0 and s.module == module
             and not any(a.name == "*" for a in s.names)),
            None,
        )
        if target is not None:
            edits.append(_merge_into(source, target, missing, line_length, order))
        else:
            edits.append(_new_import(source, tree, from_import_lines(module, order.arrange(missing, getter), source.indent_unit, line_length),
                                     order=1, sort=order.sort))
    stdlib: dict[str, str] = {}
    first_party = list(edits)
    standard: list[str] = []
    for name, needed in (("asyncio", need_asyncio), ("logging", need_logging)):
        choice = choose_name(tree, bound, taken, name, None, name)
        stdlib[name] = choice.local
        if needed and choice.added:
            standard.append(_item_module(name, choice.local))
    if len(standard) + len(first_party) > 1 and not _top_imports(tree):
        # A file without imports gets them in one place, a section each, as isort writes them.
        sections = [*standard, *([""] if standard and first_party else []),
                    *(["\n".join(first_party[0].lines).strip("\n")] if first_party else [])]
        edits = [_new_import(source, tree, "\n".join(sections), order=0)]
    elif standard:
        edits.append(_new_import(source, tree, "\n".join(standard), order=0, stdlib=True))
    return ImportPlan(getter_choice.local, enum_choice.local, stdlib["asyncio"], tuple(edits), stdlib["logging"])


def _item(name: str, local: str) -> str:
    return name if local == name else f"{name} as {local}"


def alias_text(alias: ast.alias) -> str:
    """An import item as written: `name` or `name as local`."""
    return _item(alias.name, alias.asname or alias.name)


def _item_module(module: str, local: str) -> str:
    return f"import {module}" if local == module else f"import {module} as {local}"


def local_import(module: str, getter: str, enum: str, function: ast.AST, order: "NameOrder | None" = None) -> tuple[str, str, str]:
    """A function-local `from <module> import <getter>, <enum>` for a block in `function`, with
    names that occur nowhere in the function (a local binding there would shadow them for the
    whole function): (the statement, the getter's name, the enum's name)."""
    used = identifiers(function)
    local_getter = free_name(getter, used)
    local_enum = free_name(enum, used | {local_getter})
    items = [_item(getter, local_getter), _item(enum, local_enum)]
    if order is not None:
        items = order.arrange(items, getter)
    return f"from {module} import {', '.join(items)}", local_getter, local_enum


def file_logger(tree: ast.Module) -> str | None:
    """The module-level logger the file already uses: a name bound at top level to
    `logging.getLogger(...)`/`get_logger(...)` (any module's), or an imported `logger`/`log`."""
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                and isinstance(stmt.value, ast.Call):
            func = stmt.value.func
            called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if called in ("getLogger", "get_logger", "getChild"):
                return stmt.targets[0].id
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if (alias.asname or alias.name) in ("logger", "log", "LOGGER", "LOG", "_logger", "_log"):
                    return alias.asname or alias.name
    return None


def _merge_into(source: SourceFile, stmt: ast.ImportFrom, names: list[str], line_length: int,
                order: NameOrder = NameOrder(ImportSort(configured=True))) -> Edit:
    """Add `names` to an existing `from` import: where the sort order puts them when the
    import's names are in that order already (isort/ruff), else at the end."""
    existing = [alias_text(a) for a in stmt.names]
    if not order.learned and order.is_sorted(existing):
        merged = sorted([*existing, *names], key=order.key)
        if merged[: len(existing)] != existing:
            sorted_edit = _sorted_merge(source, stmt, existing, merged, line_length)
            if sorted_edit is not None:
                return sorted_edit
        else:
            names = merged[len(existing):]
    elif not order.learned:
        names = sorted(names, key=order.key)
    return _append_merge(source, stmt, names, line_length)


def _sorted_merge(source: SourceFile, stmt: ast.ImportFrom, existing: list[str], merged: list[str], line_length: int) -> Edit | None:
    """The import with `merged` (its names and the added ones, in order) written the way the
    statement is written now; None when that cannot be done without touching other text."""
    first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
    lines = source.lines
    text = source.segment(stmt)
    if "(" not in text:
        if first != last or "\\" in text:
            return None
        start_col = source.char_col(first, stmt.col_offset)
        end_col = source.char_col(last, stmt.end_col_offset or 0)
        before = lines[first - 1][:start_col]
        after = lines[last - 1][end_col:].rstrip("\r\n")
        line = f"{before}from {stmt.module} import {', '.join(merged)}{after}"
        if len(line) <= line_length:
            return Edit(first - 1, last, (line,), "import")
        return _exploded(source, stmt, before, after, merged)
    if first == last:
        line = lines[first - 1].rstrip("\r\n")
        open_col, close_col = line.index("("), line.rindex(")")
        inner = line[open_col + 1: close_col]
        trailing = inner.rstrip().endswith(",")
        new = f"{line[:open_col + 1]}{', '.join(merged)}{',' if trailing else ''}{line[close_col:]}"
        if len(new) <= line_length:
            return Edit(first - 1, last, (new,), "import")
        start_col = source.char_col(first, stmt.col_offset)
        return _exploded(source, stmt, line[:start_col], line[close_col + 1:], merged)
    # one name per line: insert each new name's line before the first name that sorts after it
    if any(a.lineno != a.end_lineno for a in stmt.names) or len({a.lineno for a in stmt.names}) != len(stmt.names) \
            or stmt.names[0].lineno == first:
        return None
    item_indent = source.indentation_of(stmt.names[0].lineno)
    by_item = {item: alias for item, alias in zip(existing, stmt.names)}
    last_alias = stmt.names[-1]
    last_text = lines[last_alias.lineno - 1]
    end_col = source.char_col(last_alias.lineno, last_alias.end_col_offset or 0)
    has_comma = last_text[end_col:].lstrip().startswith(",")
    edits_at: dict[int, list[str]] = {}
    pending: list[str] = []
    for item in merged:
        if item in by_item:
            if pending:
                edits_at.setdefault(by_item[item].lineno - 1, []).extend(pending)
                pending = []
        else:
            pending.append(item)
    if pending and not has_comma:
        return None  # appending after a last name without a comma: the append merge does it
    new_lines: list[str] = []
    for index in range(first - 1, last):
        for item in edits_at.get(index, []):
            new_lines.append(f"{item_indent}{item},")
        new_lines.append(lines[index].rstrip("\r\n"))
        if index == last_alias.lineno - 1:
            for item in pending:
                new_lines.append(f"{item_indent}{item},")
            pending = []
    return Edit(first - 1, last, tuple(new_lines), "import")  # rewritten as a whole (safe mode strips it)


def _exploded(source: SourceFile, stmt: ast.ImportFrom, before: str, after: str, items: list[str]) -> Edit:
    """The one-line import `stmt` written one name per line (black's form for a line too long)."""
    exploded = exploded_from_import(str(stmt.module), items, source.indent_unit, source.indentation_of(stmt.lineno))
    return Edit(stmt.lineno - 1, stmt.end_lineno or stmt.lineno, (before + exploded[0].lstrip() + after, *exploded[1:]), "import")


def _append_merge(source: SourceFile, stmt: ast.ImportFrom, names: list[str], line_length: int) -> Edit:
    first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
    lines = source.lines
    text = source.segment(stmt)
    indent = source.indentation_of(first)
    if "(" not in text:
        start_col = source.char_col(first, stmt.col_offset)
        end_col = source.char_col(last, stmt.end_col_offset or 0)
        before = lines[first - 1][:start_col]
        after = lines[last - 1][end_col:].rstrip("\r\n")
        joined = " ".join(text.replace("\\\n", " ").split())
        merged = f"{joined}, {', '.join(names)}"
        if len(before + merged + after) <= line_length and first == last:
            return Edit(first - 1, last, (before + merged + after,), "import")
        items = [alias_text(a) for a in stmt.names] + names
        exploded = exploded_from_import(str(stmt.module), items, source.indent_unit, indent)
        return Edit(first - 1, last, (before + exploded[0].lstrip() + after, *exploded[1:]), "import")
    # Parenthesised: add the names before the closing parenthesis.
    if first == last:
        line = lines[first - 1].rstrip("\r\n")
        close = line.rindex(")")
        inside = line[:close].rstrip()
        sep = " " if inside.endswith(",") else ", "
        return Edit(first - 1, last, (inside + sep + ", ".join(names) + line[close:],), "import")
    last_alias = stmt.names[-1]
    alias_line = last_alias.end_lineno or last
    item_indent = source.indentation_of(stmt.names[0].lineno) if stmt.names[0].lineno != first else indent + source.indent_unit
    new_lines = [f"{item_indent}{n}," for n in names]
    item_line = lines[alias_line - 1]
    end_col = source.char_col(alias_line, last_alias.end_col_offset or 0)
    if item_line[end_col:].lstrip().startswith(","):
        return Edit(alias_line, alias_line, tuple(new_lines), "import")
    # The last item has no trailing comma: give it one (the only change to an existing line).
    fixed = item_line[:end_col] + "," + item_line[end_col:]
    return Edit(alias_line - 1, alias_line, (fixed.rstrip("\r\n"), *new_lines), "import")


def from_import_lines(module: str, items: list[str], unit: str, line_length: int) -> str:
    """`from <module> import <items>` as apply writes it: one line, or black's exploded form
    when the line would be too long (lines joined with '\n')."""
    line = f"from {module} import {', '.join(items)}"
    if len(line) <= line_length:
        return line
    return "\n".join(exploded_from_import(module, items, unit))


def exploded_from_import(module: str, items: list[str], unit: str, indent: str = "") -> list[str]:
    """Black's exploded `from <module> import (...)`: one item a line, each with a comma."""
    return [f"{indent}from {module} import (", *(f"{indent}{unit}{item}," for item in items), f"{indent})"]


def _new_import(source: SourceFile, tree: ast.Module, statement: str, order: int, stdlib: bool = False,
                sort: ImportSort = ImportSort()) -> Edit:
    edit = _new_import_edit(source, tree, statement.split("\n")[0], order, stdlib, sort)
    if "\n" not in statement:
        return edit
    first = edit.lines.index(statement.split("\n")[0])
    lines = (*edit.lines[:first], *statement.split("\n"), *edit.lines[first + 1:])
    return Edit(edit.start, edit.end, lines, edit.kind, edit.order)


def _new_import_edit(source: SourceFile, tree: ast.Module, statement: str, order: int, stdlib: bool = False,
                     sort: ImportSort = ImportSort()) -> Edit:
    imports = _top_imports(tree)
    body = tree.body
    if imports:
        if stdlib:
            # Standard-library imports go first, after `from __future__` ones (isort's order).
            non_future = [s for s in imports if not (isinstance(s, ast.ImportFrom) and s.module == "__future__")]
            if non_future:
                first = non_future[0]
                # before a third-party or first-party section: a blank line keeps the sections apart
                lines = (statement,) if _is_stdlib(first) else (statement, "")
                return Edit(first.lineno - 1, first.lineno - 1, lines, "import", order)
        return _among_imports(source, body, imports, statement, order, sort)
    # No imports at all: after the docstring (and one blank line), else after leading comments.
    position = 0
    lines = source.lines
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        position = body[0].end_lineno or 1
        # black keeps one blank line after a module docstring: the import goes below it.
        if position < len(lines) and not lines[position].strip():
            position += 1
            new = [statement]
        else:
            new = ["", statement]
    else:
        while position < len(lines) and lines[position].lstrip().startswith("#"):
            position += 1
        new = [statement]
    following = next((s for s in body if (s.lineno - 1) >= position), None)
    blank_after = 0
    probe = position
    while probe < len(lines) and not lines[probe].strip():
        blank_after += 1
        probe += 1
    wanted_blank = 2 if isinstance(following, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else 1
    if following is not None and getattr(following, "decorator_list", None):
        wanted_blank = 2
    new.extend([""] * max(0, wanted_blank - blank_after))
    return Edit(position, position, tuple(new), "import", order)


def _is_stdlib(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.ImportFrom):
        name = (stmt.module or "").split(".")[0] if stmt.level == 0 else ""
    else:
        name = stmt.names[0].name.split(".")[0]  # type: ignore[attr-defined]
    return name in sys.stdlib_module_names or name == "__future__"


def _among_imports(source: SourceFile, body: list[ast.stmt], imports: list[ast.stmt], statement: str, order: int,
                   sort: ImportSort = ImportSort()) -> Edit:
    """Place a first-party `from` import as isort would: in the non-stdlib section, before the
    first `from` import that sorts after it (with `force_sort_within_sections`, before the first
    import of either form); after the stdlib section (one blank line apart) when the file has no
    other non-stdlib import."""
    leading = _leading_imports(body) or imports
    module = statement.split()[1]
    others = [s for s in leading if not _is_stdlib(s)]

    def key(name: str) -> str:
        return name if sort.case_sensitive or not sort.force_sort_within_sections else name.lower()

    for stmt in others:
        if isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and key(stmt.module or "") > key(module):
            return Edit(stmt.lineno - 1, stmt.lineno - 1, (statement,), "import", order)
        if sort.force_sort_within_sections and isinstance(stmt, ast.Import) and key(stmt.names[0].name) > key(module):
            return Edit(stmt.lineno - 1, stmt.lineno - 1, (statement,), "import", order)
    if others:
        end = others[-1].end_lineno or others[-1].lineno
        return Edit(end, end, (statement,), "import", order)
    end = leading[-1].end_lineno or leading[-1].lineno
    following_blank = end < len(source.lines) and not source.lines[end].strip()
    if following_blank:
        return Edit(end + 1, end + 1, (statement, ""), "import", order)
    return Edit(end, end, ("", statement), "import", order)


def _leading_imports(body: list[ast.stmt]) -> list[ast.stmt]:
    found = []
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            found.append(stmt)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            break
    return found
