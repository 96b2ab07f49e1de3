"""House style: how blocks are written in one file (indent unit, quotes, line length, newline)."""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass

from eventmod.model.settings import BlackSettings
from eventmod.pyast.source import SourceFile


@dataclass(frozen=True)
class Style:
    indent_unit: str = "    "
    quote: str = '"'
    line_length: int = 88
    normalize_strings: bool = True  # False under black's skip-string-normalization
    newline: str = "\n"


def file_style(source: SourceFile, tree: ast.Module, black: BlackSettings) -> Style:
    """How blocks are written in this file (shared by apply and revert, so both render alike;
    the quote is the whole file's, so every phase and every command agrees on it)."""
    return Style(
        indent_unit=source.indent_unit,
        quote=dominant_quote(source, tree),
        line_length=black.line_length,
        normalize_strings=not black.skip_string_normalization,
        newline=source.newline,
    )


def dominant_quote(source: SourceFile, tree: ast.Module) -> str:
    """The quote character most of the file's string literals use (black's default on a tie)."""
    counts = _quote_counts(source, ast.walk(tree))
    if counts["'"] > counts['"']:
        return "'"
    return '"'


def _quote_counts(source: SourceFile, nodes) -> Counter[str]:
    counts: Counter[str] = Counter()
    for node in nodes:
        if isinstance(node, (ast.Constant, ast.JoinedStr)) and hasattr(node, "lineno"):
            if isinstance(node, ast.Constant) and not isinstance(node.value, (str, bytes)):
                continue
            line = source.lines[node.lineno - 1]
            col = source.char_col(node.lineno, node.col_offset)
            rest = line[col: col + 4].lstrip("rRbBuUfF")
            if rest[:1] in ("'", '"') and not rest.startswith(("'''", '"""')):
                counts[rest[0]] += 1
    return counts

