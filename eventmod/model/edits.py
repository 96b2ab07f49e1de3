"""Edits as data, applied in one place: line-range replacements over the original text."""

from __future__ import annotations

from eventmod.model.record import record


@record
class Edit:
    """Replace original lines [start, end) (0-based) with `lines`; start == end inserts before
    line `start`. `lines` carry no line ends: the file's own newline is added when applied."""

    start: int
    end: int
    lines: tuple[str, ...]
    kind: str  # "event" | "wrap" | "import" | "enum" | "helper" | "result" | "expand" | "revert"
    order: int = 0  # keeps edits at the same position in spec order
    # For lines that carry original code (a wrapped statement, re-indented): the 0-based
    # original line each new line comes from, None for written lines. Empty: all written.
    origins: tuple[int | None, ...] = ()
    # For code an edit writes into a function: the 1-based line of that function's `def` in
    # the original (safe mode checks that the written statements sit in that function's body).
    scope: int = 0
    # kind "result": the name the rewritten anchor statement binds (`NAME = <call>`)
    result: str = ""

    @property
    def inserted(self) -> bool:
        return self.start == self.end


class EditConflict(Exception):
    pass


def apply_edits(lines: list[str], edits: list[Edit], newline: str) -> str:
    """New text: original lines outside every edit are copied verbatim (byte-identical)."""
    return apply_edits_with_origin(lines, edits, newline)[0]


def apply_edits_with_origin(lines: list[str], edits: list[Edit], newline: str) -> tuple[str, list[int | None]]:
    """New text plus, for each new line, the 0-based original line it is a verbatim copy of
    (None for lines an edit wrote). Safe mode uses the map to undo the edits on the AST."""
    text, origin, _ = apply_edits_with_spans(lines, edits, newline)
    return text, origin


@record
class Span:
    """Where an edit's lines landed in the new text: new lines [start, end) (0-based)."""

    edit: Edit
    start: int
    end: int


def apply_edits_with_spans(lines: list[str], edits: list[Edit], newline: str) -> tuple[str, list[int | None], list[Span]]:
    """`apply_edits_with_origin`, plus where each edit's lines are in the new text."""
    spans: list[Span] = []
    ordered = sorted(edits, key=lambda e: (e.start, e.end != e.start, e.order))
    out: list[str] = []
    origin: list[int | None] = []
    position = 0
    for edit in ordered:
        if edit.start < position:
            raise EditConflict(f"overlapping edits at line {edit.start + 1}")
        out.extend(lines[position: edit.start])
        origin.extend(range(position, edit.start))
        if out and not out[-1].endswith("\n"):
            out[-1] += newline  # inserting after a last line that had no line end
        spans.append(Span(edit, len(out), len(out) + len(edit.lines)))
        out.extend(line + newline for line in edit.lines)
        origin.extend(edit.origins or [None] * len(edit.lines))
        position = edit.end
    out.extend(lines[position:])
    origin.extend(range(position, len(lines)))
    return "".join(out), origin, spans
