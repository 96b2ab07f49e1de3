"""One-line bodies: an anchor that is the body of a one-line compound statement or def
(`if x: logger.info(...)`, `except E: logger.error(...)`, `async def f(x): logger.info(...)`).

A block can only go into such a body once the body is on its own line: apply expands the line
into a header and an indented body (a real edit, shown in the diff and checked by safe mode),
or, when that cannot be done safely, the event is refused with the reason. The block is never
written outside the anchor's body.
"""

from __future__ import annotations

import ast

from eventmod.analysis.anchors import Site
from eventmod.model.record import record
from eventmod.pyast.source import SourceFile


@record
class OneLiner:
    """A one-line body that can be expanded: line `line` (1-based) is `header` followed by the
    body statement `body` (with its trailing comment, if any); the expanded body is indented
    one unit deeper than `indent`, the indentation of the clause that owns it."""

    line: int
    header: str
    body: str
    indent: str


def _clause_line(site: Site) -> int:
    """The line of the clause that owns the site's block (`if`, `else`, `except`, `def`, `case`)."""
    parent = site.parent
    if isinstance(parent, ast.match_case):
        return parent.pattern.lineno
    if isinstance(parent, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try)) or type(parent).__name__ == "TryStar":
        # `else:`/`finally:` clauses sit at the statement's own indentation: the statement's line
        # gives it even when the clause is on a later line.
        return parent.lineno  # type: ignore[union-attr]
    return getattr(parent, "lineno", site.stmt.lineno)


def one_liner(source: SourceFile, site: Site) -> OneLiner | str | None:
    """None when the site's statement starts its own line (nothing to expand); a `OneLiner`
    when it is the body of a one-line compound statement that can be expanded; otherwise the
    reason it cannot (a located message's tail)."""
    stmt = site.stmt
    if source.starts_its_line(stmt):
        return None
    first = next(s for s in site.block if s.end_lineno is not None and s.end_lineno >= stmt.lineno)
    if first.lineno != stmt.lineno:
        return (f"{source.path}:{stmt.lineno}: the statement shares its line with the end of the statement before it (`;`); "
                "put it on its own line first")
    if source.starts_its_line(first):
        return None  # `a(); stmt` inside a block of its own lines: the line is the block's
    # The line begins with the header of the statement that owns the block: a one-line body.
    stmt = first
    where = f"{source.path}:{stmt.lineno}"
    if len(site.block) > 1 and site.block[1].lineno == stmt.end_lineno:
        return (f"{where}: the anchor is in a one-line body of several `;`-separated statements, which eventmod does not split; "
                "put each statement on its own line first")
    if stmt.end_lineno != stmt.lineno:
        return (f"{where}: the anchor is in a one-line body that continues over several lines; put the body on its own line "
                "below the header first")
    if not source.ends_its_line(stmt):
        return f"{where}: another statement follows the anchor's one-line body on the same line (`;`); put it on its own line first"
    text = source.lines[stmt.lineno - 1].rstrip("\r\n")
    start = source.char_col(stmt.lineno, stmt.col_offset)
    header = text[:start].rstrip()
    if not header.endswith(":"):
        return f"{where}: the statement shares its line with the code before it; put it on its own line first"
    body = text[start:].rstrip()
    return OneLiner(stmt.lineno, header, body, source.indentation_of(_clause_line(site)))
