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
from dataclasses import dataclass
from functools import cached_property

from codemods.problems import Problem

_BOM = b"\xef\xbb\xbf"
_INDENT = re.compile(r"[ \t]*")


def split_lines(text: str) -> list[str]:
    """Split on '\\n' only, keeping line ends ('\\r\\n' stays whole); unlike str.splitlines,
    form feeds and other separators inside lines are not line breaks for Python either."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


@dataclass(frozen=True)
class SourceFile:
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
        return detect_indent_unit(self.lines)

    def parse(self) -> "ast.Module | Problem":
        try:
            return ast.parse(self.text, filename=self.path, type_comments=False)
        except SyntaxError as exc:
            return Problem(self.path, exc.lineno or 1, f"target does not parse: {exc.msg}; fix the syntax error first")
        except (ValueError, RecursionError) as exc:
            return Problem(self.path, 1, f"target does not parse: {exc}")

    # -- positions ----------------------------------------------------------------------------
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

