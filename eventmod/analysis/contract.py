"""The logger contract: what the target's logger accepts, read from its source (never imported)."""

from __future__ import annotations

from typing import Callable

from eventmod.analysis.checks import log_event_parameters, signature_problems
from eventmod.model.problems import Problem
from eventmod.model.settings import Config
from eventmod.model.spec import EventSpec
from eventmod.pyast.source import Loaded


def contract_problems(config: Config, events: list[EventSpec], load: Callable[[str], Loaded | Problem],
                      overlay: tuple[tuple[str, bytes], ...] = ()) -> list[Problem]:
    """kwargs the target's own `log_event` does not accept (read from `logger_module`)."""
    rel = config.logger_module.replace(".", "/")
    for candidate in (f"{rel}.py", f"{rel}/__init__.py"):
        if (config.root / candidate).is_file() or candidate in dict(overlay):
            loaded = load(candidate)
            if isinstance(loaded, Problem):
                return [loaded]
            found = log_event_parameters(loaded[1])
            if found is None:
                return [Problem(candidate, 0, "no `log_event` definition found; eventmod cannot check the kwargs the specs pass", severity="warning")]
            accepted, has_var_kwargs = found
            return [] if has_var_kwargs else signature_problems(events, accepted, candidate)
    return []


def runtime_problems(config: Config, load: Callable[[str], Loaded | Problem],
                     overlay: tuple[tuple[str, bytes], ...] = ()) -> list[Problem]:
    """What would fail when a block runs: the logger module must resolve to a file under root
    (or to an installed package) and define the getter."""
    import importlib.machinery
    import sys

    from eventmod.analysis.cycles import module_file
    from eventmod.pyast.bindings import bindings

    rel = module_file(config.root, config.logger_module, dict(overlay))
    where = str(config.source) if config.source else "[tool.eventmod]"
    if rel is None:
        top = config.logger_module.split(".")[0]
        if importlib.machinery.PathFinder.find_spec(top, sys.path) is not None or top in sys.builtin_module_names:
            return []  # an installed package: eventmod cannot read it, the import will find it
        return [Problem(where, 0, f"logger_module '{config.logger_module}' resolves to no file under root {config.root} "
                                  f"(looked for {config.logger_module.replace('.', '/')}.py and .../__init__.py) and is not an installed package: "
                                  "every block's import would raise ImportError; set `logger_module` in [tool.eventmod]")]
    loaded = load(rel)
    if isinstance(loaded, Problem):
        return [loaded]
    if config.getter not in bindings(loaded[1]):
        return [Problem(rel, 1, f"the getter '{config.getter}' is not defined in {rel} (logger_module '{config.logger_module}'): "
                                "every block would raise ImportError; set `getter` in [tool.eventmod] to the function that returns the logger")]
    return []


def unknown_member_problems(config: Config, plans, additions, load: Callable[[str], Loaded | Problem]) -> list[Problem]:
    """Every `log_event(<Enum>.<MEMBER>, ...)` in the planned files must name a member the enum
    has (or that this run adds): anything else raises AttributeError when the block runs."""
    from pathlib import Path

    from eventmod.codegen.enum_members import read_enum

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
                                "this log_event call raises AttributeError when it runs; add the member (an event spec with "
                                f"`event: {member}` adds it), fix the name, or check `enum_file`/`enum_class` in [tool.eventmod]")
            for path, member, line in references if member not in known]


def _other_members(state) -> set[str]:
    """Names the enum class body binds in any other way (computed values, `auto()`, aliases)."""
    import ast

    names: set[str] = set()
    for stmt in state.classdef.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
        names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names
