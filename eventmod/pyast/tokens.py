"""The tokens of an expression or a rendered block without `tokenize`, for the common case.

`tokenize` reads text through a generator and a large regular expression (compiled on first
use); the renderer asks it for the tokens of every distinct spec expression and of every block
it lays out in a house style without trailing commas, nearly all of them runs of names,
numbers, plain strings and operators. `significant_tokens` (one line) and `block_tokens`
(lines) read exactly those themselves and answer None for anything else (a comment after code,
a backslash, an f-string, a triple-quoted or unusually prefixed string, a number in another
notation, a non-ASCII character, a tab in an indentation, unbalanced brackets, an inconsistent
dedent): the caller then asks `tokenize`. Where they answer, the answer is what `tokenize`
gives (property tests hold them equal).
"""

from __future__ import annotations

import io
import re
import string
import token
import tokenize
from tokenize import TokenInfo

# tokenize's own operator alternation: every exact token, longest spelling first within a prefix
_OPERATORS = "|".join(re.escape(op) for op in sorted(token.EXACT_TOKEN_TYPES, reverse=True))
_TOKEN = re.compile(
    r"[ \t]*(?:"
    r"(?P<string>(?:[rRuUbB]|[bB][rR]|[rR][bB])?(?:'[^'\\\n]*'|\"[^\"\\\n]*\"))"
    r"|(?P<number>(?:0(?:_?0)*|[1-9](?:_?[0-9])*)(?:\.(?:[0-9](?:_?[0-9])*)?)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    rf"|(?P<op>{_OPERATORS})"
    r")"
)
_KINDS = {"string": token.STRING, "number": token.NUMBER, "name": token.NAME, "op": token.OP}
# what may not follow a token of these kinds in the common case (another notation, a string
# prefix tokenize reads differently, a triple-quoted string)
_NOT_AFTER = {
    "number": frozenset(string.ascii_letters + string.digits + "_."),
    "name": frozenset("'\""),
    "string": frozenset("'\""),
}
_OPENING = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


def significant_tokens(text: str) -> list[TokenInfo] | None:
    """The NAME, NUMBER, STRING and OP tokens `tokenize` reads in `text` (one line), or None
    when `text` is outside the common case this reads itself."""
    if not text.isascii() or "\n" in text or "\r" in text or text[:1].isspace():
        return None
    found: list[TokenInfo] = []
    return found if _scan(text, 0, 1, text, found, 0) == 0 else None


# Python 3.12+ reads an f-string as parts (PEP 701); before, as one STRING token.
_FSTRING_START = getattr(token, "FSTRING_START", None)
_FSTRING_END = getattr(token, "FSTRING_END", None)
_LAYOUT = (token.NEWLINE, token.NL, token.ENDMARKER, token.INDENT, token.DEDENT)


def expression_tokens(text: str) -> list[TokenInfo] | None:
    """The tokens of the expression `text` but its line structure (NEWLINE, NL, INDENT,
    DEDENT, ENDMARKER), each f-string one STRING token (as tokenize reads it before Python
    3.12), or None when tokenize rejects the text: `significant_tokens` in the common case,
    else `tokenize`."""
    tokens = significant_tokens(text)
    if tokens is not None:
        return tokens
    try:
        found = [t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type not in _LAYOUT]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return found if _FSTRING_START is None else _joined_fstrings(found)


def _joined_fstrings(tokens: list[TokenInfo]) -> list[TokenInfo] | None:
    """`tokens` with each f-string's parts (FSTRING_START ... FSTRING_END, nested ones
    included) as one STRING token; None for an f-string over several lines."""
    out: list[TokenInfo] = []
    depth = 0
    start: TokenInfo | None = None
    for tok in tokens:
        if tok.type == _FSTRING_START:
            if depth == 0:
                start = tok
            depth += 1
        elif tok.type == _FSTRING_END:
            depth -= 1
            if depth == 0 and start is not None:
                if start.start[0] != tok.end[0]:
                    return None
                text = start.line[start.start[1]:tok.end[1]]
                out.append(TokenInfo(token.STRING, text, start.start, tok.end, start.line))
        elif depth == 0:
            out.append(tok)
    return out if depth == 0 else None


def enclosed_whole(kinds: list[str]) -> bool:
    """Whether the bracket that opens `kinds` (each token's text for brackets, anything else for
    the rest) is closed by the last one: the whole text is one bracketed atom (`(a + b)`, not
    `(a).b`, `(a) + (b)` or `a + (b)`)."""
    if not kinds or _OPENING.get(kinds[0], 0) <= 0:
        return False
    depth = 0
    for index, kind in enumerate(kinds):
        step = _OPENING.get(kind, 0)
        depth += step
        if step < 0 and depth == 0:
            return index == len(kinds) - 1
    return False


def block_tokens(lines: list[str]) -> list[TokenInfo] | None:
    """The NAME, NUMBER, STRING and OP tokens `tokenize` reads in `"\n".join(lines) + "\n"`,
    or None outside the common case: every line blank, a comment alone, or code as
    `significant_tokens` reads it (brackets may close on a later line than they open), indented
    with spaces, each dedent back to an indentation seen before (what tokenize checks)."""
    found: list[TokenInfo] = []
    depth = 0
    indents = [0]
    for row, line in enumerate(lines, start=1):
        if not line.isascii() or "\r" in line or "\n" in line:
            return None
        code = line.lstrip(" ")
        if not code or code.startswith("#"):
            continue  # a blank or comment line: tokenize reads nothing significant there
        if code[0] in "\t\f":
            return None  # tokenize measures tabs and form feeds its own way
        column = len(line) - len(code)
        if depth == 0:  # a logical line starts: its indentation counts
            if column > indents[-1]:
                indents.append(column)
            else:
                while column < indents[-1]:
                    indents.pop()
                if column != indents[-1]:
                    return None  # tokenize: "unindent does not match any outer indentation level"
        scanned = _scan(line, column, row, line + "\n", found, depth)
        if scanned is None:
            return None
        depth = scanned
    return found if depth == 0 else None


def _scan(text: str, position: int, row: int, line: str, found: list[TokenInfo], depth: int) -> int | None:
    """Read the tokens of `text` from `position` into `found` (on `row`, each token's `line`
    being `line`): the bracket depth after them, or None outside the common case."""
    end = len(text.rstrip(" \t"))
    while position < end:
        match = _TOKEN.match(text, position)
        if match is None:
            return None
        kind = match.lastgroup
        if kind is None:
            return None
        start, stop = match.span(kind)
        if stop < end and text[stop] in _NOT_AFTER.get(kind, ()):
            return None
        piece = text[start:stop]
        if kind == "op":
            depth += _OPENING.get(piece, 0)
            if depth < 0:
                return None
            if piece == "." and stop < end and text[stop].isdigit():
                return None  # `.5`: tokenize reads a number
            if piece == "<" and text.startswith(">", stop):
                return None  # tokenize reads `<>` as one operator
        found.append(TokenInfo(_KINDS[kind], piece, (row, start), (row, stop), line))
        position = stop
    return depth
