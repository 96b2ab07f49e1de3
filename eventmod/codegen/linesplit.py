"""black's split of one over-long line of a block, without black.

A block's payload items and keyword arguments (`"key": value,`, `name=value,`) are laid out
one a line; when one of them is too long, black splits it (a right-hand split at its last
bracket pair, a split at its highest-priority delimiters, parentheses around a conditional
expression). Calling black for that costs its import and a parse of the whole block, on every
run without a warm format cache. This module is black's own line-splitting algorithm (stable
style, `black.linegen.transform_line` and the functions it calls), ported to the one logical
line it needs to split: the same transforms in the same order, on leaves that carry what
black's syntax tree tells those transforms (bracket kinds, delimiter roles, the invisible
parentheses black puts around a conditional expression).

The port covers a subset of expressions: names, numbers, plain strings, attribute access,
calls, subscripts and slices, displays and comprehensions, unary, binary, comparison and
boolean operators and conditional expressions. Anything else (a lambda, `**`, `*args`, an
f-string, `await`, a walrus, a magic trailing comma, non-ASCII text) answers None, and black
lays the block out as before. Property tests hold every answer to black's own.
"""

from __future__ import annotations

import keyword
import token
from collections.abc import Iterator

from eventmod.pyast.tokens import enclosed_whole, expression_tokens

# The black release whose stable style this port is: black changes its stable style only in
# the first release of a year, so the port answers for every 26.x (`mirrors`); with any other
# black installed, the renderer asks black.
MIRRORED_BLACK_YEAR = "26"

COMPREHENSION_PRIORITY = 20
COMMA_PRIORITY = 18
TERNARY_PRIORITY = 16
LOGIC_PRIORITY = 14
STRING_PRIORITY = 12
COMPARATOR_PRIORITY = 10
MATH_PRIORITIES = {"|": 9, "^": 8, "&": 7, "<<": 6, ">>": 6, "+": 5, "-": 5, "*": 4, "/": 4, "//": 4, "%": 4, "@": 4}
DOT_PRIORITY = 1

_OPENING = {"(": ")", "[": "]", "{": "}"}
_CLOSING = {")": "(", "]": "[", "}": "{"}
_BRACKETS = {"(", ")", "[", "]", "{", "}"}
_COMPARATORS = {"<", ">", "==", "!=", "<=", ">="}
_BINARY = set(MATH_PRIORITIES)
_UNARY = {"-", "+", "~"}
_ATOM_KEYWORDS = {"None", "True", "False"}
_KINDS = {token.NAME: "NAME", token.NUMBER: "NUMBER", token.STRING: "STRING"}  # an operator's kind is its text


class _Unsupported(Exception):
    """The line is outside the subset this port covers: black decides."""


class _CannotTransform(Exception):
    """black's CannotTransform: this transform does not apply to the line."""


class _CannotSplit(_CannotTransform):
    """black's CannotSplit."""


class _Leaf:
    """A token of the line, with what black's tree says about it.

    `role`: for brackets, "atom" (a display or parenthesized expression), "trailer" (a call or
    subscript) or "test" (the invisible parentheses of a conditional expression); for other
    leaves, the syntax a delimiter priority depends on ("binary", "comp_for", "comp_if",
    "ternary", "comparison", "comp_op"). `ws` is the whitespace black puts before the leaf
    when it is not first on its line; `orphan` marks a comma black adds (a leaf without a
    parent in black's tree)."""

    __slots__ = ("type", "value", "prefix", "ws", "role", "bracket_depth", "opening_bracket", "orphan")

    def __init__(self, type_: str, value: str, ws: str = "", role: str = "", orphan: bool = False) -> None:
        self.type = type_
        self.value = value
        self.ws = ws
        self.prefix = ""
        self.role = role
        self.bracket_depth = 0
        self.opening_bracket: _Leaf | None = None
        self.orphan = orphan

    def __str__(self) -> str:
        return self.prefix + self.value


# -- the line and its bracket tracker (black.lines.Line, black.brackets.BracketTracker) ----------
class _Tracker:
    __slots__ = ("depth", "bracket_match", "delimiters", "previous", "for_depths", "invisible")

    def __init__(self) -> None:
        self.depth = 0
        self.bracket_match: dict[tuple[int, str], _Leaf] = {}
        self.delimiters: dict[_Leaf, int] = {}
        self.previous: _Leaf | None = None
        self.for_depths: list[int] = []
        self.invisible: list[_Leaf] = []

    def mark(self, leaf: _Leaf) -> None:
        if self.depth == 0 and leaf.type in _CLOSING and (self.depth, leaf.type) not in self.bracket_match:
            return
        if self.for_depths and self.for_depths[-1] == self.depth and leaf.type == "NAME" and leaf.value == "in":
            self.depth -= 1
            self.for_depths.pop()
        if leaf.type in _CLOSING:
            self.depth -= 1
            opening = self.bracket_match.pop((self.depth, leaf.type), None)
            if opening is None:
                raise _Unsupported("unmatched bracket")
            leaf.opening_bracket = opening
            if not leaf.value:
                self.invisible.append(leaf)
        leaf.bracket_depth = self.depth
        if self.depth == 0:
            delimiter = _split_before_priority(leaf, self.previous)
            if delimiter and self.previous is not None:
                self.delimiters[self.previous] = delimiter
            elif leaf.type == ",":
                self.delimiters[leaf] = COMMA_PRIORITY
        if leaf.type in _OPENING:
            closing_type = _OPENING[leaf.type]
            self.bracket_match[self.depth, closing_type] = leaf
            self.depth += 1
            if not leaf.value:
                self.invisible.append(leaf)
        self.previous = leaf
        if leaf.type == "NAME" and leaf.value == "for":
            self.depth += 1
            self.for_depths.append(self.depth)

    def max_priority(self, exclude: _Leaf | None = None) -> int:
        """Raises ValueError when there is no delimiter (as black's does)."""
        return max(v for k, v in self.delimiters.items() if k is not exclude)

    def count_with_priority(self, priority: int) -> int:
        return sum(1 for p in self.delimiters.values() if p == priority)


def _split_before_priority(leaf: _Leaf, previous: _Leaf | None) -> int:
    """black.brackets.is_split_before_delimiter, for the leaves this port reads."""
    kind = leaf.type
    if kind == ".":
        return DOT_PRIORITY if previous is None or previous.type in _CLOSING else 0
    if kind in _BINARY and leaf.role == "binary":
        return MATH_PRIORITIES[kind]
    if kind in _COMPARATORS:
        return COMPARATOR_PRIORITY
    if kind == "STRING" and previous is not None and previous.type == "STRING":
        return STRING_PRIORITY
    if kind != "NAME":
        return 0
    value = leaf.value
    if value == "for" and leaf.role == "comp_for":
        return COMPREHENSION_PRIORITY
    if value == "if" and leaf.role == "comp_if":
        return COMPREHENSION_PRIORITY
    if value in ("if", "else") and leaf.role == "ternary":
        return TERNARY_PRIORITY
    if value == "is":
        return COMPARATOR_PRIORITY
    if value == "in" and leaf.role == "comparison" and not (previous is not None and previous.type == "NAME" and previous.value == "not"):
        return COMPARATOR_PRIORITY
    if value == "not" and leaf.role == "comp_op" and not (previous is not None and previous.type == "NAME" and previous.value == "is"):
        return COMPARATOR_PRIORITY
    if value in ("and", "or"):
        return LOGIC_PRIORITY
    return 0


class _Line:
    # No line of the subset has a magic trailing comma (`append` refuses one), so black's
    # checks of `line.magic_trailing_comma` are left out: it is always None here.
    __slots__ = ("depth", "leaves", "inside_brackets", "should_split_rhs", "tracker")

    def __init__(self, depth: int, inside_brackets: bool = False) -> None:
        self.depth = depth
        self.leaves: list[_Leaf] = []
        self.inside_brackets = inside_brackets
        self.should_split_rhs = False
        self.tracker = _Tracker()

    def append(self, leaf: _Leaf, preformatted: bool = False, track_bracket: bool = False) -> None:
        if not (leaf.type in _BRACKETS or leaf.value.strip()):
            return
        if self.leaves and not preformatted:
            leaf.prefix += leaf.ws
        if self.inside_brackets or not preformatted or track_bracket:
            self.tracker.mark(leaf)
            if leaf.type in _CLOSING and self.leaves and self.leaves[-1].type == ",":
                raise _Unsupported("a magic trailing comma")  # never produced from the subset
        self.leaves.append(leaf)

    def clone(self) -> _Line:
        line = _Line(self.depth, self.inside_brackets)
        line.should_split_rhs = self.should_split_rhs
        return line

    @property
    def is_chained_assignment(self) -> bool:
        return sum(1 for leaf in self.leaves if leaf.type == "=") > 1

    def __str__(self) -> str:
        if not self.leaves:
            return ""
        first = self.leaves[0]
        return first.prefix + "    " * self.depth + first.value + "".join(str(leaf) for leaf in self.leaves[1:])

    def lengths(self, reverse: bool = False) -> Iterator[tuple[int, _Leaf, int]]:
        indexed = list(enumerate(self.leaves))
        for index, leaf in reversed(indexed) if reverse else indexed:
            yield index, leaf, len(leaf.prefix) + len(leaf.value)


class _Splitter:
    """One line's split at one line length: black's transforms, ported."""

    def __init__(self, line_length: int) -> None:
        self.line_length = line_length

    def short(self, line: _Line, line_length: int | None = None) -> bool:
        return len(str(line)) <= (self.line_length if line_length is None else line_length)

    # -- black.linegen.transform_line / run_transformer ----------------------------------------
    def transform_line(self, line: _Line, force_optional_parens: bool) -> list[_Line]:
        line_str = str(line)
        if not line.should_split_rhs and len(line_str) <= self.line_length:
            return [line]
        transforms = [self.delimiter_split, self.rhs] if line.inside_brackets else [self.rhs]
        for transform in transforms:
            try:
                return self.run_transformer(line, transform, force_optional_parens, line_str)
            except _CannotTransform:
                continue
        return [line]

    def run_transformer(self, line: _Line, transform, force_optional_parens: bool, line_str: str) -> list[_Line]:
        optional_parens = [bracket for bracket in line.tracker.invisible if bracket.bracket_depth == 0]
        result: list[_Line] = []
        for transformed in transform(line, force_optional_parens):
            if str(transformed) == line_str:
                raise _CannotTransform("unchanged result")
            result.extend(self.transform_line(transformed, force_optional_parens))
        if (force_optional_parens or transform != self.rhs or not line.tracker.invisible
                or any(bracket.value for bracket in optional_parens) or self.short(result[0])
                or any(leaf.orphan for leaf in line.leaves)):
            return result
        copy = line.clone()
        for old in line.leaves:
            copy.append(_Leaf(old.type, old.value, old.ws, old.role))
        second_opinion = self.run_transformer(copy, transform, True, line_str)
        if all(self.short(part) for part in second_opinion):
            result = second_opinion
        return result

    # -- black.linegen.delimiter_split -----------------------------------------------------------
    def delimiter_split(self, line: _Line, force_optional_parens: bool) -> Iterator[_Line]:
        if not line.leaves:
            raise _CannotSplit("line empty")
        last_leaf = line.leaves[-1]
        tracker = line.tracker
        try:
            priority = tracker.max_priority(exclude=last_leaf)
        except ValueError:
            raise _CannotSplit("no delimiters") from None
        if priority == DOT_PRIORITY and tracker.count_with_priority(priority) == 1:
            raise _CannotSplit("a single attribute")
        current = _Line(line.depth, line.inside_brackets)
        for leaf in line.leaves:
            current.append(leaf, preformatted=True)
            if tracker.delimiters.get(leaf) == priority:
                current.leaves[0].prefix = ""
                yield current
                current = _Line(line.depth, line.inside_brackets)
        if current.leaves:
            if priority == COMMA_PRIORITY and current.leaves[-1].type != ",":
                current.append(_Leaf(",", ",", orphan=True))
            current.leaves[0].prefix = ""
            yield current

    # -- black.linegen.right_hand_split_with_omits and what it calls -------------------------------
    def rhs(self, line: _Line, force_optional_parens: bool) -> Iterator[_Line]:
        first_lines: list[_Line] | None = None
        prefix_lengths: dict[_Leaf, int] = {}
        length = 4 * line.depth
        for leaf in line.leaves:
            prefix_lengths[leaf] = length
            length += len(leaf.prefix) + len(leaf.value)
        for omit in self.trailers_to_omit(line):
            if omit:
                target: _Leaf | None = None
                for leaf in reversed(line.leaves):
                    if leaf.type in _CLOSING and leaf not in omit:
                        target = leaf.opening_bracket
                        break
                if target is not None and target.value and prefix_lengths.get(target, 0) > self.line_length:
                    continue
            lines = list(self.right_hand_split(line, force_optional_parens, omit))
            if first_lines is None and not omit:
                first_lines = lines
            if self.short(lines[0]):
                yield from lines
                return
        if first_lines is not None:
            yield from first_lines
        else:
            yield from self.right_hand_split(line, force_optional_parens, set())

    def right_hand_split(self, line: _Line, force_optional_parens: bool, omit: set[_Leaf]) -> Iterator[_Line]:
        split = self.first_right_hand_split(line, omit)
        yield from self.maybe_split_omitting_optional_parens(split, line, force_optional_parens, omit)

    def first_right_hand_split(self, line: _Line, omit: set[_Leaf]) -> tuple[_Line, _Line, _Line, _Leaf, _Leaf]:
        tail_leaves: list[_Leaf] = []
        body_leaves: list[_Leaf] = []
        head_leaves: list[_Leaf] = []
        current = tail_leaves
        opening: _Leaf | None = None
        closing: _Leaf | None = None
        for leaf in reversed(line.leaves):
            if current is body_leaves and leaf is opening:
                current = head_leaves if body_leaves else tail_leaves
            current.append(leaf)
            if current is tail_leaves and leaf.type in _CLOSING and leaf not in omit:
                opening, closing = leaf.opening_bracket, leaf
                current = body_leaves
        if not (opening and closing and head_leaves):
            raise _CannotSplit("no brackets found")
        tail_leaves.reverse()
        body_leaves.reverse()
        head_leaves.reverse()
        head = self.build_line(head_leaves, line, opening, "head")
        body = self.build_line(body_leaves, line, opening, "body")
        tail = self.build_line(tail_leaves, line, opening, "tail")
        tail_len = len(str(tail).strip())
        if not body.leaves:
            if tail_len == 0:
                raise _CannotSplit("the same line")
            if tail_len < 3:
                raise _CannotSplit("an empty body")
        return head, body, tail, opening, closing

    def build_line(self, leaves: list[_Leaf], original: _Line, opening: _Leaf, component: str) -> _Line:
        result = _Line(original.depth)
        if component == "body":
            result.inside_brackets = True
            result.depth += 1
        tracked = _inside_matching_brackets(leaves) if component == "head" else set()
        for leaf in leaves:
            result.append(leaf, preformatted=True, track_bracket=leaf in tracked)
        if component == "body" and _should_split_line(result, opening):
            result.should_split_rhs = True
        return result

    def maybe_split_omitting_optional_parens(self, split, line: _Line, force_optional_parens: bool,
                                             omit: set[_Leaf]) -> Iterator[_Line]:
        head, body, tail, opening, closing = split
        if (not force_optional_parens and opening.type == "(" and not opening.value and closing.type == ")"
                and not closing.value and self.can_omit_invisible_parens(split)):
            omit = {closing, *omit}
            try:
                split_oop = self.first_right_hand_split(line, omit)
                if self.prefer_split_rhs_oop(split_oop, split):
                    yield from self.maybe_split_omitting_optional_parens(split_oop, line, force_optional_parens, omit)
                    return
            except _CannotSplit as error:
                if line.is_chained_assignment:
                    pass
                elif not _can_be_split(body) and not self.short(body):
                    raise _CannotSplit("the body is still too long and cannot be split") from error
        for bracket in (opening, closing):  # black's ensure_visible
            if bracket.type in ("(", ")"):
                bracket.value = bracket.type
        for part in (head, body, tail):
            if part.leaves:
                yield part

    def prefer_split_rhs_oop(self, split_oop, split) -> bool:
        head = split[0]
        head_oop = split_oop[0]
        if not (len(head.leaves) >= 2 and head.leaves[-2].type == "="):
            return True
        if not any(leaf.type in _BRACKETS for leaf in head.leaves[:-1]):
            return True
        if not self.short(head, self.line_length - 1):
            return True
        head_equals = sum(1 for leaf in head.leaves if leaf.type == "=")
        oop_equals = sum(1 for leaf in head_oop.leaves if leaf.type == "=")
        if head_equals > 1 and head_equals > oop_equals:
            return False
        closing_after_assign = False
        for leaf in reversed(head_oop.leaves):
            if leaf.type == "=":
                break
            if leaf.type in _CLOSING:
                closing_after_assign = True
                break
        return closing_after_assign or (oop_equals > 0 and self.short(head_oop))

    def can_omit_invisible_parens(self, split) -> bool:
        line = split[1]
        tracker = line.tracker
        if not tracker.delimiters:
            return True
        priority = tracker.max_priority()
        if tracker.count_with_priority(priority) > 1:
            return False
        if priority == DOT_PRIORITY:
            return True
        first, second = line.leaves[0], line.leaves[1]
        if first.type in _OPENING and second.type not in _CLOSING and self.can_omit_opening_paren(line, first):
            return True
        penultimate, last = line.leaves[-2], line.leaves[-1]
        if last.type == ")" or last.type == "}" or (last.type == "]" and last.role != "trailer"):
            if penultimate.type in _OPENING:
                return False
            if self.can_omit_closing_paren(line, last):
                return True
        return False

    def can_omit_opening_paren(self, line: _Line, first: _Leaf) -> bool:
        remainder = False
        length = 4 * line.depth
        index = -1
        for index, leaf, leaf_length in line.lengths():
            if leaf.type in _CLOSING and leaf.opening_bracket is first:
                remainder = True
            if remainder:
                length += leaf_length
                if length > self.line_length:
                    break
                if leaf.type in _OPENING:
                    remainder = False
        else:
            if len(line.leaves) == index + 1:
                return True
        return False

    def can_omit_closing_paren(self, line: _Line, last: _Leaf) -> bool:
        length = 4 * line.depth
        seen_other_brackets = False
        for _index, leaf, leaf_length in line.lengths():
            length += leaf_length
            if leaf is last.opening_bracket:
                if seen_other_brackets or length <= self.line_length:
                    return True
            elif leaf.type in _OPENING:
                seen_other_brackets = True
        return False

    def trailers_to_omit(self, line: _Line) -> Iterator[set[_Leaf]]:
        omit: set[_Leaf] = set()
        yield omit
        length = 4 * line.depth
        opening: _Leaf | None = None
        closing: _Leaf | None = None
        inner: set[_Leaf] = set()
        for index, leaf, leaf_length in line.lengths(reverse=True):
            length += leaf_length
            if length > self.line_length:
                break
            if opening:
                if leaf is opening:
                    opening = None
                elif leaf.type in _CLOSING:
                    if index > 0 and line.leaves[index - 1].type == ",":
                        raise _Unsupported("a trailing comma before a closing bracket")
                    inner.add(leaf)
            elif leaf.type in _CLOSING:
                previous = line.leaves[index - 1] if index > 0 else None
                if previous is not None and previous.type in _OPENING:
                    inner.add(leaf)
                    continue
                if closing:
                    omit.add(closing)
                    omit.update(inner)
                    inner.clear()
                    yield omit
                if previous is not None and previous.type == ",":
                    raise _Unsupported("a trailing comma before a closing bracket")
                if leaf.value:
                    opening, closing = leaf.opening_bracket, leaf


def _inside_matching_brackets(leaves: list[_Leaf]) -> set[_Leaf]:
    """black.brackets.get_leaves_inside_matching_brackets."""
    start = next((i for i, leaf in enumerate(leaves) if leaf.type in _OPENING), None)
    if start is None:
        return set()
    found: set[_Leaf] = set()
    stack: list[tuple[str, list[_Leaf]]] = []
    for leaf in leaves[start:]:
        if leaf.type in _OPENING:
            stack.append((_OPENING[leaf.type], [leaf]))
        elif leaf.type in _CLOSING:
            if stack and leaf.type == stack[-1][0]:
                _, level = stack.pop()
                level.append(leaf)
                found.update(level)
                continue
            break  # black stops at a closing bracket that matches nothing open
        elif stack:
            stack[-1][1].append(leaf)
    return found


def _should_split_line(line: _Line, opening: _Leaf) -> bool:
    """black.linegen.should_split_line: a body that black explodes one item a line."""
    if opening.value not in "[{(":
        return False
    trailing_comma = False
    exclude = None
    if line.leaves and line.leaves[-1].type == ",":
        trailing_comma = True
        exclude = line.leaves[-1]
    try:
        priority = line.tracker.max_priority(exclude=exclude)
    except ValueError:
        return False
    return priority == COMMA_PRIORITY and (trailing_comma or opening.role == "atom")


def _can_be_split(line: _Line) -> bool:
    """black.lines.can_be_split (its `next` is never advanced there either)."""
    leaves = line.leaves
    if len(leaves) < 2:
        return False
    if leaves[0].type == "STRING" and leaves[1].type == ".":
        calls = dots = 0
        last = leaves[-1]
        for leaf in leaves[-2::-1]:
            if leaf.type in _OPENING:
                if last.type not in _CLOSING:
                    return False
                calls += 1
            elif leaf.type == ".":
                dots += 1
            elif leaf.type == "NAME":
                if not (last.type == "." or last.type in _OPENING):
                    return False
            elif leaf.type not in _CLOSING:
                return False
            if dots > 1 and calls > 1:
                return False
    return True


# -- the line's leaves, from its tokens -----------------------------------------------------------
class _Parser:
    """Reads an item line (`"key": value,`, `name=value,` or `value,`) into leaves, giving each
    the role black's tree gives it; raises _Unsupported outside the subset."""

    def __init__(self, text: str) -> None:
        tokens = expression_tokens(text)
        if tokens is None:
            raise _Unsupported("tokens")
        self.tokens: list[tuple[str, str, str]] = []
        end = 0
        for tok in tokens:
            start = tok.start[1]
            kind = _KINDS.get(tok.type, tok.string)
            self.tokens.append((kind, tok.string, text[end:start]))
            end = tok.end[1]
        if end != len(text):
            raise _Unsupported("trailing text")
        self.index = 0
        self.out: list[_Leaf] = []

    def peek(self, ahead: int = 0) -> str:
        index = self.index + ahead
        if index >= len(self.tokens):
            return ""
        return self.tokens[index][1]

    def kind(self) -> str:
        return self.tokens[self.index][0] if self.index < len(self.tokens) else ""

    def at_keyword(self) -> bool:
        """Whether the next tokens are `name=` (a keyword argument, or an assignment's target)."""
        return self.kind() == "NAME" and self.peek(1) == "=" and not keyword.iskeyword(self.peek())

    def take(self, role: str = "") -> _Leaf:
        if self.index >= len(self.tokens):
            raise _Unsupported("end of line")
        kind, value, ws = self.tokens[self.index]
        self.index += 1
        leaf = _Leaf(kind, value, ws, role)
        self.out.append(leaf)
        return leaf

    def expect(self, value: str, role: str = "") -> _Leaf:
        if self.peek() != value:
            raise _Unsupported(f"expected {value!r}")
        return self.take(role)

    def item_line(self) -> list[_Leaf]:
        if self.at_keyword():
            self.take()
            self.take()
            self.test()
        else:
            self.test()
            if self.peek() == ":":
                self.take()
                self.test()
        self.expect(",")
        if self.index != len(self.tokens):
            raise _Unsupported("more than one item")
        return self.out

    def statement_line(self) -> list[_Leaf]:
        """`name = value` or `if condition:`: black puts invisible parentheses around the value
        or the condition (`normalize_invisible_parens`), which a split may make visible."""
        if self.peek() == "if":
            self.take()
            self.wrapped_test()
            self.expect(":")
        elif self.at_keyword():
            self.take()
            self.take()
            self.wrapped_test()
        else:
            raise _Unsupported("statement")
        if self.index != len(self.tokens):
            raise _Unsupported("more than one statement")
        return self.out

    def wrapped_test(self) -> None:
        start, ternary = self.test()
        if self.out[start].type == "(" and enclosed_whole([leaf.type for leaf in self.out[start:]]):
            raise _Unsupported("parentheses black would make invisible")
        if ternary:  # the statement's pair: black's visit_test adds no second one
            self.out[start].role = self.out[-1].role = "atom"
            return
        first = self.out[start]
        self.out.insert(start, _Leaf("(", "", first.ws, "atom"))
        first.ws = ""
        self.out.append(_Leaf(")", "", "", "atom"))

    # expressions (the grammar's names)
    def test(self) -> tuple[int, bool]:
        """A test; answers where it starts and whether it is a conditional expression (which
        then has invisible parentheses around it, see `unwrap`)."""
        if self.peek() == "lambda":
            raise _Unsupported("lambda")
        start = len(self.out)
        self.or_test()
        if self.peek() != "if":
            return start, False
        self.take("ternary")
        self.or_test()
        self.expect("else", "ternary")
        self.test()
        first = self.out[start]
        self.out.insert(start, _Leaf("(", "", first.ws, "test"))
        first.ws = ""
        self.out.append(_Leaf(")", "", "", "test"))
        return start, True

    def unwrap(self, start: int) -> None:
        """black adds no parentheses around a conditional expression that is the only content
        of a pair of parentheses (`f(a if b else c)`, `(a if b else c)`)."""
        lpar = self.out.pop(start)
        self.out[start].ws = lpar.ws
        self.out.pop()

    def or_test(self) -> None:
        self.and_test()
        while self.peek() == "or":
            self.take()
            self.and_test()

    def and_test(self) -> None:
        self.not_test()
        while self.peek() == "and":
            self.take()
            self.not_test()

    def not_test(self) -> None:
        if self.peek() == "not":
            self.take()
            self.not_test()
        else:
            self.comparison()

    def comparison(self) -> None:
        self.expr()
        while True:
            value = self.peek()
            if value in _COMPARATORS:
                self.take()
            elif value == "in":
                self.take("comparison")
            elif value == "not" and self.peek(1) == "in":
                self.take("comp_op")
                self.take("comparison")
            elif value == "is":
                self.take()
                if self.peek() == "not":
                    self.take("comp_op")
            else:
                return
            self.expr()

    def expr(self) -> None:
        self.factor()
        while self.peek() in _BINARY:
            self.take("binary")
            self.factor()

    def factor(self) -> None:
        if self.peek() in _UNARY:
            self.take()
            self.factor()
        else:
            self.power()

    def power(self) -> None:
        self.atom()
        while True:
            value = self.peek()
            if value == "(":
                self.take("trailer")
                self.arguments()
                self.expect(")", "trailer")
            elif value == "[":
                self.take("trailer")
                self.subscripts()
                self.expect("]", "trailer")
            elif value == ".":
                self.take()
                if self.kind() != "NAME" or keyword.iskeyword(self.peek()):
                    raise _Unsupported("attribute")
                self.take()
            else:
                break
        if self.peek() == "**":
            raise _Unsupported("power")

    def atom(self) -> None:
        kind, value = self.kind(), self.peek()
        if kind == "NAME":
            if keyword.iskeyword(value) and value not in _ATOM_KEYWORDS:
                raise _Unsupported(f"keyword {value}")
            self.take()
        elif kind == "NUMBER":
            self.take()
        elif kind == "STRING":
            while self.kind() == "STRING":
                self.take()
        elif value in ("(", "["):
            self.take("atom")
            close = _OPENING[value]
            if self.peek() != close:
                self.elements(close, paren=value == "(")
            self.expect(close, "atom")
        elif value == "{":
            self.take("atom")
            if self.peek() != "}":
                self.dict_or_set()
            self.expect("}", "atom")
        else:
            raise _Unsupported(f"token {value!r}")

    def elements(self, close: str, paren: bool) -> None:
        """The inside of `(...)` or `[...]`: one test, a comprehension, or a list of tests."""
        start, ternary = self.element()
        if self.peek() == "for":
            self.comp_for()
            return
        if self.peek() == close:
            if ternary and paren:
                self.unwrap(start)
            return
        self.more_elements(close)

    def element(self) -> tuple[int, bool]:
        if self.peek() in ("*", "**"):
            raise _Unsupported("unpacking")
        return self.test()

    def more_elements(self, close: str) -> None:
        while self.peek() == ",":
            self.take()
            if self.peek() == close:
                raise _Unsupported("a magic trailing comma")
            self.element()

    def dict_or_set(self) -> None:
        self.element()
        if self.peek() == ":":
            self.take()
            self.test()
            if self.peek() == "for":
                self.comp_for()
                return
            while self.peek() == ",":
                self.take()
                if self.peek() == "}":
                    raise _Unsupported("a magic trailing comma")
                self.element()
                self.expect(":")
                self.test()
            return
        if self.peek() == "for":
            self.comp_for()
            return
        self.more_elements("}")

    def comp_for(self) -> None:
        self.expect("for", "comp_for")
        self.expr()
        while self.peek() == ",":
            self.take()
            self.expr()
        self.expect("in")
        self.or_test()
        while True:
            if self.peek() == "for":
                self.comp_for()
                return
            if self.peek() != "if":
                return
            self.take("comp_if")
            self.or_test()

    def arguments(self) -> None:
        if self.peek() == ")":
            return
        first = True
        while True:
            if self.peek() in ("*", "**"):
                raise _Unsupported("unpacking")
            if self.at_keyword():
                self.take()
                self.take()
                self.test()
            else:
                start, ternary = self.test()
                if self.peek() == "for":
                    if not first:
                        raise _Unsupported("a generator after other arguments")
                    self.comp_for()
                    return
                if ternary and first and self.peek() == ")":
                    self.unwrap(start)
                    return
            first = False
            if self.peek() != ",":
                return
            self.take()
            if self.peek() == ")":
                raise _Unsupported("a magic trailing comma")

    def subscripts(self) -> None:
        while True:
            if self.peek() != ":":
                self.test()
            if self.peek() == ":":
                self.take()
                if self.peek() not in (":", ",", "]"):
                    self.test()
                if self.peek() == ":":
                    self.take()
                    if self.peek() not in (",", "]"):
                        self.test()
            if self.peek() != ",":
                return
            self.take()
            if self.peek() == "]":
                raise _Unsupported("a magic trailing comma")


def mirrors(black_version: str | None) -> bool:
    """Whether this port lays lines out as `black_version` does (its stable style)."""
    return black_version is not None and black_version.split(".", 1)[0] == MIRRORED_BLACK_YEAR


def split_item(text: str, depth: int, line_length: int) -> list[tuple[int, str]] | None:
    """black's layout of the item line `text` (`"key": value,`, `name=value,` or `value,`, as
    black writes it on one line) at `depth` (black's indentation levels of four spaces) inside
    an exploded bracket: (depth, text) for each line, or None when the line is outside the
    subset (black decides)."""
    return _split(text, depth, line_length, item=True)


def split_statement(text: str, depth: int, line_length: int) -> list[tuple[int, str]] | None:
    """black's layout of the statement `text` (`name = value` or `if condition:`, as black
    writes it on one line) at `depth`, as `split_item` answers."""
    return _split(text, depth, line_length, item=False)


def _split(text: str, depth: int, line_length: int, item: bool) -> list[tuple[int, str]] | None:
    if not text.isascii():
        return None  # black measures wide characters by their display width
    try:
        parser = _Parser(text)
        leaves = parser.item_line() if item else parser.statement_line()
        root = _Line(depth, inside_brackets=item)
        for leaf in leaves:
            root.append(leaf)
        lines = _Splitter(line_length).transform_line(root, False)
    except _Unsupported:
        return None
    if any(line.leaves[0].prefix for line in lines):
        return None  # black would write that whitespace before the indentation
    return [(line.depth, str(line)[4 * line.depth:]) for line in lines]
