"""Naming: the variable a block binds the logger to, free of the function's own names."""

from __future__ import annotations

import ast

from eventmod.model.settings import DEFAULT_VARIABLE
from eventmod.pyast.source import SourceFile
from eventmod.pyast.walk import FunctionNode, parameters, walk_nodes


def bound_names(function: FunctionNode) -> set[str]:
    """Names the function binds or reads locally (used to pick a free variable name)."""
    names = parameters(function)
    for node in walk_nodes(function):
        if isinstance(node, ast.Name):
            names.add(node.id)
    return names


def logger_variable(function: FunctionNode, getter_names: set[str], preferred: str = DEFAULT_VARIABLE,
                    source: SourceFile | None = None) -> str:
    """`event_logger`, unless the function uses that name for something else."""
    if source is not None and preferred not in source.text_of(function):
        return preferred  # the name does not occur in the function's text: nothing to walk
    if not _conflicts(function, preferred, getter_names):
        return preferred
    taken = bound_names(function)
    n = 2
    while f"{preferred}_{n}" in taken:
        n += 1
    return f"{preferred}_{n}"


def _conflicts(function: FunctionNode, name: str, getter_names: set[str]) -> bool:
    if name in parameters(function):
        return True
    assigned_by_getter = False
    loaded = False
    for node in walk_nodes(function):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            value = node.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in getter_names:
                assigned_by_getter = True
            else:
                return True
        elif isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
            loaded = True
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.AugAssign, ast.AnnAssign, ast.NamedExpr)):
            targets = []
            if isinstance(node, (ast.For, ast.AsyncFor)):
                targets = [node.target]
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr)):
                targets = [node.target]
            for target in targets:
                if any(isinstance(n, ast.Name) and n.id == name for n in walk_nodes(target)):
                    return True
        elif isinstance(node, ast.ExceptHandler) and node.name == name:
            return True
        elif isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return True
    # Read but never bound here: it is a global/closure the function relies on; binding it
    # locally would make those reads fail with UnboundLocalError.
    return loaded and not assigned_by_getter
