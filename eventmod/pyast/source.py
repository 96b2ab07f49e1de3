"""A target file as text: encoding, BOM, newline style, indent unit and quote style kept intact.

eventmod never regenerates a file from a syntax tree: it splices rendered lines into the
original text, so everything outside the inserted regions stays byte-identical by design.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import Counter
from functools import cached_property
from pathlib import Path

from eventmod.model.problems import Problem
from eventmod.model.record import record

_BOM = b"\xef\xbb\xbf"
_INDENT = re.compile(r"[ \t]*")
_BARE_CR = re.compile(r"\r(?!\n)")
# what a string that spans lines needs: triple quotes, a backslash before a line end, or (3.12)
# an f-string whose replacement field spans lines
_MAY_SPAN_LINES = re.compile(r"""'''|\"\"\"|\\|[fF][rR]?['"]|[rR][fF]['"]""")


def split_lines(text: str) -> list[str]:
    """Split on '\\n' only, keeping line ends ('\\r\\n' stays whole); unlike str.splitlines,
    form feeds and other separators inside lines are not line breaks for Python either."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def bare_cr_offset(text: str) -> int | None:
    """Offset of the first CR not followed by LF (a line break for Python, not for eventmod's
    line splitting), or None."""
    if "\r" not in text:
        return None
    found = _BARE_CR.search(text)
    return found.start() if found else None


@record
class SourceFile:
    """A target file's bytes and their decoded text, with the encoding and BOM needed to write it
    back byte for byte."""

    path: str  # as shown to the user (relative to root)
    raw: bytes
    text: str
    encoding: str
    bom: bool

    @classmethod
    def decode(cls, path: str, raw: bytes) -> "SourceFile | Problem":
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        except SyntaxError as exc:
            return Problem(path, 1, f"cannot determine the file's encoding: {exc}")
        bom = raw.startswith(_BOM)
        body = raw[len(_BOM):] if bom else raw
        codec = "utf-8" if encoding == "utf-8-sig" else encoding
        try:
            text = body.decode(codec)
        except (UnicodeDecodeError, LookupError) as exc:
            line = body[: getattr(exc, "start", 0)].count(b"\n") + 1
            return Problem(path, line, f"not valid {codec} text ({exc}); fix the file's encoding or its coding declaration")
        bare = bare_cr_offset(text)
        if bare is not None:
            line = len(re.findall(r"\r\n|\r|\n", text[:bare])) + 1  # as Python counts lines
            return Problem(path, line, "the file ends a line with a bare CR (classic Mac OS newline): Python reads it as a "
                                       "line break, but eventmod keeps files byte-identical only with LF or CRLF line ends "
                                       "and would misplace code; convert the file to LF (or CRLF) first")
        return cls(path=path, raw=raw, text=text, encoding=codec, bom=bom)

    def encode(self, text: str) -> bytes:
        return (_BOM if self.bom else b"") + text.encode(self.encoding)

    @cached_property
    def lines(self) -> list[str]:
        return split_lines(self.text)

    @cached_property
    def newline(self) -> str:
        first = self.text.find("\n")
        return "\r\n" if first > 0 and self.text[first - 1] == "\r" else "\n"

    @cached_property
    def indent_unit(self) -> str:
        return indent_unit_of(self.text)

    def parse(self) -> "ast.Module | Problem":
        try:
            return ast.parse(self.text, filename=self.path, type_comments=False)
        except SyntaxError as exc:
            return Problem(self.path, exc.lineno or 1, f"target does not parse: {exc.msg}; fix the syntax error first")
        except (ValueError, RecursionError) as exc:
            return Problem(self.path, 1, f"target does not parse: {exc}")

    # -- positions ----------------------------------------------------------------------------
    def text_of(self, node: ast.AST) -> str:
        """The source lines `node` spans (whole lines: from its first line to its last)."""
        return "".join(self.lines[node.lineno - 1: node.end_lineno])  # type: ignore[attr-defined]

    def char_col(self, lineno: int, byte_col: int) -> int:
        """ast columns are UTF-8 byte offsets; convert to a str index into the line."""
        line = self.lines[lineno - 1]
        if line.isascii():
            return byte_col
        return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

    def indentation_of(self, lineno: int) -> str:
        match = _INDENT.match(self.lines[lineno - 1])
        return match.group(0) if match else ""

    def starts_its_line(self, node: ast.stmt) -> bool:
        col = self.char_col(node.lineno, node.col_offset)
        return not self.lines[node.lineno - 1][:col].strip()

    def ends_its_line(self, node: ast.stmt) -> bool:
        assert node.end_lineno is not None and node.end_col_offset is not None
        line = self.lines[node.end_lineno - 1]
        rest = line[self.char_col(node.end_lineno, node.end_col_offset):].strip()
        return not rest or rest.startswith("#")

    def segment(self, node: ast.AST) -> str:
        start, end = node.lineno, node.end_lineno  # type: ignore[attr-defined]
        first = self.char_col(start, node.col_offset)  # type: ignore[attr-defined]
        last = self.char_col(end, node.end_col_offset)  # type: ignore[attr-defined]
        if start == end:
            return self.lines[start - 1][first:last]
        body = [self.lines[start - 1][first:], *self.lines[start:end - 1], self.lines[end - 1][:last]]
        return "".join(body)


    # -- text helpers shared by the edits ---------------------------------------------------------
    def code_lines(self, first: int, last: int) -> list[str]:
        """Lines first..last (1-based, inclusive) without their line ends."""
        return [line.rstrip("\r\n") for line in self.lines[first - 1: last]]

    def string_interior_lines(self, first: int, last: int) -> set[int]:
        """Lines (1-based) of first..last that begin inside a multi-line string: re-indenting
        them would change the string's value."""
        text = "".join(self.lines[first - 1: last])
        interior: set[int] = set()
        if not _MAY_SPAN_LINES.search(text):
            return interior  # no triple quote, backslash or f-string: no string spans a line
        open_fstring: int | None = None
        try:
            for token in tokenize.generate_tokens(io.StringIO(text).readline):
                kind = tokenize.tok_name.get(token.type, "")
                if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                    interior.update(range(first + token.start[0], first + token.end[0]))
                elif kind == "FSTRING_START":
                    open_fstring = token.start[0]
                elif kind == "FSTRING_END" and open_fstring is not None:
                    if token.end[0] > open_fstring:
                        interior.update(range(first + open_fstring, first + token.end[0]))
                    open_fstring = None
        except (tokenize.TokenError, IndentationError, SyntaxError):
            pass
        return interior

    def with_text(self, text: str) -> "SourceFile":
        """The same file (path, encoding, BOM) holding other text."""
        return SourceFile(self.path, self.encode(text), text, self.encoding, self.bom)


def detect_indent_unit(lines: list[str]) -> str:
    """The file's indent step: a tab, or the most common increase in leading spaces."""
    steps: Counter[str] = Counter()
    previous = 0
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if indent.startswith("\t"):
            return "\t"
        width = len(indent)
        if width > previous:
            steps[" " * (width - previous)] += 1
        previous = width
    if not steps:
        return "    "
    return steps.most_common(1)[0][0]


# whitespace other than space, tab and line ends: what the fast scan below cannot read as
# `detect_indent_unit` does (str.strip removes it, the scan does not)
_ODD_ASCII_SPACE = "\x0b\x0c\x1c\x1d\x1e\x1f"
_ODD_SPACE = re.compile("[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_CODE_INDENT = re.compile(r"\n([ \t]*)[^ \t\r\n#]")


def indent_unit_of(text: str) -> str:
    """`detect_indent_unit(split_lines(text))`, read with one regex scan of the text instead of
    a Python loop over its lines (the same answer: a property test compares the two)."""
    if any(c in text for c in _ODD_ASCII_SPACE) or ("\r" in text and bare_cr_offset(text) is not None) \
            or (not text.isascii() and _ODD_SPACE.search(text)):
        return detect_indent_unit(split_lines(text))
    indents = _CODE_INDENT.findall("\n" + text)
    steps: Counter[int] = Counter()
    previous = 0
    for indent in indents:
        if indent[:1] == "\t":
            return "\t"
        width = len(indent)
        if width > previous:
            steps[width - previous] += 1
        previous = width
    if not steps:
        return "    "
    return " " * steps.most_common(1)[0][0]


Loaded = tuple[SourceFile, ast.Module]


def load_source(root: str | Path, rel: str, overlay: tuple[tuple[str, bytes], ...] = ()) -> Loaded | Problem:
    """Read, decode and parse one file under root; `overlay` (path, bytes) stands in for the disk."""
    raw = read_raw(root, rel, overlay)
    return raw if isinstance(raw, Problem) else load_bytes(rel, raw)


def read_raw(root: str | Path, rel: str, overlay: tuple[tuple[str, bytes], ...] = ()) -> bytes | Problem:
    """One file's bytes under root; `overlay` (path, bytes) stands in for the disk."""
    raw = dict(overlay).get(rel) if overlay else None
    if raw is None:
        try:
            raw = (Path(root) / rel).read_bytes()
        except OSError as exc:
            return Problem(rel, 0, f"cannot read: {exc.strerror}")
    return raw


def load_bytes(rel: str, raw: bytes) -> Loaded | Problem:
    """Decode and parse one file's bytes (`rel`: the name it is shown under)."""
    source = SourceFile.decode(rel, raw)
    if isinstance(source, Problem):
        return source
    tree = source.parse()
    if isinstance(tree, Problem):
        return tree
    return source, tree
