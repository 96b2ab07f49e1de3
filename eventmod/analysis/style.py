"""House style: how blocks are written in one file.

`style = "black"` writes black's layout as it is (today's layout: the file's dominant quote,
magic trailing commas, no blank lines added). `style = "auto"` (the default) writes what the team
writes, learned in this order:

1. the `log_event` blocks already in the project (`HouseStyle`, learned once per run by
   `transform.house` from the files the selection touches, or a bounded scan of root when they
   have none): their quote, trailing commas, blank lines around the block, comment prefix and the
   order of the logger import's names;
2. else the file itself: the quote of its plain data strings (dict keys, keyword values,
   comparisons, subscripts; never f-strings, docstrings or log messages), blank lines when most
   of its compound statements have them, its comment prefix;
3. trailing commas only when the project formats with black (`BlackSettings.uses_black`) or its
   blocks have them; black's layout stays exact in a black project.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import replace
from typing import Callable

from eventmod.analysis.anchors import LoggerNames, log_call_of
from eventmod.analysis.presence import (
    CallMatcher,
    holds_only_blocks,
    is_continue_wrap,
    is_getter_call,
    log_event_calls,
    logged_event_names,
)
from eventmod.model.record import record
from eventmod.model.settings import BlackSettings, CallShape, Habits, HouseStyle
from eventmod.pyast.source import SourceFile
from eventmod.pyast.walk import child_blocks, first_line, walk_nodes


@record
class Style:
    """How eventmod writes code in one file (`file_style`): indentation, quotes, line length,
    newlines, trailing commas, blank lines around blocks and the comment prefix."""

    indent_unit: str = "    "
    quote: str = '"'
    line_length: int = 88
    normalize_strings: bool = True  # False under black's skip-string-normalization
    newline: str = "\n"
    trailing_commas: bool = True  # black's magic trailing commas in exploded calls and collections
    blank_lines: bool = False  # a blank line before and after each block (when the code around has none)
    comment: str = "# "  # what a `# comment` line starts with ("# ", "#", "# AUDIT: ")
    message_quote: str = ""  # the quote of log messages eventmod writes ("": `quote`)

    def comment_line(self, text: str) -> str:
        """One line of a spec's comment, written the way the team writes comments."""
        label = self.comment.lstrip("#").strip()
        if label and text.startswith(label):
            return f"# {text}".rstrip()
        return f"{self.comment}{text}".rstrip()


BLACK = "black"
AUTO = "auto"


def file_style(source: SourceFile, tree: ast.Module, black: BlackSettings, house: HouseStyle | None = None,
               mode: str = BLACK, learn: "Callable[[SourceFile, ast.Module], FileHabits] | None" = None) -> Style:
    """How blocks are written in this file (shared by apply, revert and check, so all render
    alike). `mode` "black": black's layout with the file's dominant quote; "auto": the house
    style (see the module docstring). `learn`: `file_habits`, or a caller's cache of it (asked
    at most once, and only when the blocks leave something to learn from the file itself)."""
    base = Style(
        indent_unit=source.indent_unit,
        line_length=black.line_length,
        normalize_strings=not black.skip_string_normalization,
        newline=source.newline,
    )
    own = _Once(source, tree, learn or file_habits)
    if mode != AUTO:
        return replace(base, quote=own().dominant_quote)
    learned = _decide(source, tree, black, house or HouseStyle(), own)
    quote = learned.quote or own().dominant_quote
    return Style(base.indent_unit, quote, base.line_length, base.normalize_strings, base.newline,
                 learned.trailing_commas, learned.blank_lines, learned.comment, learned.message_quote or quote)


@record
class FileHabits:
    """What one file's own code says of its style, learned in one walk (`file_habits`): the
    quotes of all its string literals, of its plain data strings and of its log messages (see
    `StringCounts`), its compound statements with and without blank lines around them
    (`blank_line_habit`), and its comment prefix (`comment_habit`). A pure function of the
    file's text, so a caller may keep it by content hash."""

    all_single: int = 0
    all_double: int = 0
    data_single: int = 0
    data_double: int = 0
    message_single: int = 0
    message_double: int = 0
    spaced: int = 0
    glued: int = 0
    comment: str = "# "

    @property
    def dominant_quote(self) -> str:
        """The quote most of the file's string literals use (black's double quote on a tie)."""
        return "'" if self.all_single > self.all_double else '"'


def file_habits(source: SourceFile, tree: ast.Module) -> FileHabits:
    strings = string_counts(source, tree)
    spaced, glued = blank_line_habit(source, tree)
    return FileHabits(strings.all["'"], strings.all['"'], strings.data["'"], strings.data['"'],
                      strings.messages["'"], strings.messages['"'], spaced, glued, comment_habit(source))


class _Once:
    """`learn(source, tree)`, computed at most once and only when asked for."""

    def __init__(self, source: SourceFile, tree: ast.Module, learn: "Callable[[SourceFile, ast.Module], FileHabits]"):
        self._args: tuple[SourceFile, ast.Module] | None = (source, tree)
        self._learn = learn
        self._value: FileHabits | None = None

    def __call__(self) -> FileHabits:
        if self._value is None:
            assert self._args is not None
            self._value = self._learn(*self._args)
            self._args = None
        return self._value

    def peek(self) -> FileHabits | None:
        """The value when it was already asked for, else None (nothing is learned)."""
        return self._value


@record
class Decision:
    """One file's learned style, and where each part came from (for `eventmod style`)."""

    quote: str | None
    quote_from: str
    trailing_commas: bool
    commas_from: str
    blank_lines: bool
    blank_from: str
    comment: str
    comment_from: str
    message_quote: str | None = None
    message_from: str = ""


def file_decisions(source: SourceFile, tree: ast.Module, black: BlackSettings, house: HouseStyle,
                   learn: "Callable[[SourceFile, ast.Module], FileHabits] | None" = None) -> Decision:
    """The file's learned style and where each part came from. `learn`: `file_habits`, or a
    caller's cache of it (see `file_style`)."""
    return _decide(source, tree, black, house, _Once(source, tree, learn or file_habits))


def _decide(source: SourceFile, tree: ast.Module, black: BlackSettings, house: HouseStyle, own: _Once) -> Decision:
    """`file_decisions`; `own` learns what the file's code says on demand: it is asked only when
    the blocks leave a part undecided."""
    habits = house.habits
    where = f"{habits.blocks} block(s) in {', '.join(house.files[:3])}{', ...' if len(house.files) > 3 else ''}"
    learned: FileHabits | None = None
    if habits.quote is not None:
        quote, quote_from = habits.quote, f"the blocks ({habits.single} single, {habits.double} double; {where})"
    else:
        learned = own()
        single, double = learned.data_single, learned.data_double
        if single != double:
            quote = "'" if single > double else '"'
            quote_from = f"the file's data strings ({single} single, {double} double)"
        else:
            quote, quote_from = None, "the file's strings (its data strings do not decide)"
    if black.uses_black:
        commas, commas_from = True, f"the project formats with black ({black.evidence})"
    elif habits.trailing_commas is not None:
        commas, commas_from = habits.trailing_commas, f"the blocks ({habits.commas} with, {habits.no_commas} without)"
    else:
        commas, commas_from = False, "the project does not format with black and has no blocks to learn from"
    if habits.blank_lines is not None:
        blank, blank_from = habits.blank_lines, f"the blocks ({habits.spaced} with blank lines around, {habits.glued} without)"
    else:  # from what was learned when it was (a cached answer), else read now: no walk for it
        known = own.peek()
        spaced, glued = (known.spaced, known.glued) if known is not None else blank_line_habit(source, tree)
        blank = spaced >= 2 and spaced * 5 >= (spaced + glued) * 3
        blank_from = f"the file's compound statements ({spaced} with blank lines around, {glued} without)"
    if habits.comment is not None:
        comment, comment_from = habits.comment, "the blocks' comments"
    else:
        known = own.peek()
        comment = known.comment if known is not None else comment_habit(source)
        comment_from = "the file's comments"
    if learned is not None:
        single, double = learned.message_single, learned.message_double
    else:  # the blocks decided the quote: the messages are read off the text, no walk
        messages = message_quotes(source.text)
        single, double = messages["'"], messages['"']
    message_quote: str | None
    if single != double:
        message_quote = "'" if single > double else '"'
        message_from = f"the file's log messages ({single} single, {double} double)"
    else:
        message_quote, message_from = None, "the data strings' quote (the file's log messages do not decide)"
    return Decision(quote, quote_from, commas, commas_from, blank, blank_from, comment, comment_from, message_quote, message_from)


_MESSAGE_CALL = re.compile(r"""\.(?:debug|info|warning|warn|error|exception|critical|fatal)\(\s*[rRbBuUfF]{0,2}('{3}|"{3}|'|")""")


def message_quotes(text: str) -> Counter[str]:
    """Quotes of the log messages in `text` (the first argument of `.info(`, `.error(`, ...
    when it is a string literal), read off the text without a walk."""
    counts: Counter[str] = Counter()
    for match in _MESSAGE_CALL.finditer(text):
        if len(match.group(1)) == 1:
            counts[match.group(1)] += 1
    return counts


def _quote_of(source: SourceFile, node: ast.AST) -> str | None:
    line = source.lines[node.lineno - 1]  # type: ignore[attr-defined]
    col = source.char_col(node.lineno, node.col_offset)  # type: ignore[attr-defined]
    rest = line[col: col + 4].lstrip("rRbBuUfF")
    if rest[:1] in ("'", '"') and not rest.startswith(("'''", '"""')):
        return rest[0]
    return None


def _is_text(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and hasattr(node, "lineno")


_MESSAGE_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal"})


@record
class StringCounts:
    """Quotes of a file's string literals, counted in one walk: all of them; its plain data
    strings (dict keys, keyword argument values, comparison operands and subscript keys; never
    f-strings, docstrings or messages); its log messages (the first argument of `.info(...)`,
    `.error(...)`, ...)."""

    all: Counter[str]
    data: Counter[str]
    messages: Counter[str]


def string_counts(source: SourceFile, tree: ast.Module) -> StringCounts:
    every: Counter[str] = Counter()
    data: Counter[str] = Counter()
    messages: Counter[str] = Counter()
    for node in walk_nodes(tree):
        if isinstance(node, (ast.Constant, ast.JoinedStr)):
            if isinstance(node, ast.Constant) and not isinstance(node.value, (str, bytes)):
                continue
            quote = _quote_of(source, node) if hasattr(node, "lineno") else None
            if quote:
                every[quote] += 1
            continue
        found: list[ast.AST | None] = []
        if isinstance(node, ast.Dict):
            found = list(node.keys)
        elif isinstance(node, ast.keyword):
            found = [node.value]
        elif isinstance(node, ast.Compare):
            found = [node.left, *node.comparators]
        elif isinstance(node, ast.Subscript):
            found = [node.slice]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _MESSAGE_METHODS and node.args:
            first = node.args[0]
            if isinstance(first, ast.JoinedStr) or _is_text(first):
                quote = _quote_of(source, first)
                if quote:
                    messages[quote] += 1
            continue
        for item in found:
            if _is_text(item):
                quote = _quote_of(source, item)  # type: ignore[arg-type]
                if quote:
                    data[quote] += 1
    return StringCounts(every, data, messages)


def data_quotes(source: SourceFile, tree: ast.Module) -> Counter[str]:
    return string_counts(source, tree).data


_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith)


def blank_line_habit(source: SourceFile, tree: ast.Module) -> tuple[int, int]:
    """(with, without): the compound statements inside function bodies that are neither first
    nor last of their block, by whether a blank line is on both sides of them."""
    spaced = glued = 0
    for block in statement_lists(tree):
        for index in range(1, len(block) - 1):
            stmt = block[index]
            if not isinstance(stmt, _COMPOUND) or isinstance(block[index - 1], (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if _line_before(source, stmt.lineno) == "blank" and _line_after(source, stmt) == "blank":
                spaced += 1
            else:
                glued += 1
    return spaced, glued


_COMMENT_PREFIX = re.compile(r"#+[ \t]*")


def comment_habit(source: SourceFile) -> str:
    """What the file's own-line comments start with: `# ` unless most of them have no space."""
    spaced = bare = 0
    for line in source.lines[:2000]:
        text = line.strip()
        if not text.startswith("#") or text.startswith(("#!", "# -*-", "#:")) or len(text) < 3:
            continue
        if text[1] in " \t":
            spaced += 1
        elif text[1] != "#":
            bare += 1
    return "#" if bare > spaced else "# "


def statement_lists(node: ast.AST):
    """Every statement list of the module, nested scopes included."""
    stack = [node]
    while stack:
        current = stack.pop()
        for _, _, block in child_blocks(current):
            yield block
            stack.extend(block)


def instrumentation_lines(tree: ast.Module, matcher: CallMatcher) -> set[int]:
    """0-based lines of every instrumentation statement of the module: eventmod's blocks and
    wraps (a `try` of the code's own whose handler holds a block is not one; its block is)."""
    found: set[int] = set()
    for block in statement_lists(tree):
        for stmt in block:
            if logged_event_names(stmt, matcher) is not None or holds_only_blocks(stmt, matcher) or is_continue_wrap(stmt, matcher):
                found.update(range(stmt.lineno - 1, stmt.end_lineno or stmt.lineno))
    return found


# Statements that hold a block: blank lines around them are a habit of their own.
COMPOUND_STATEMENTS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith, ast.FunctionDef,
                       ast.AsyncFunctionDef, ast.ClassDef, ast.Match)


def log_spacing(tree: ast.Module, lines: list[str], matcher: CallMatcher, loggers: LoggerNames) -> tuple[int, int]:
    """(how many, of how many) of the code's own logger-call statements followed in their block
    by a simple statement have a blank line between the two. Instrumentation on either side is
    not the code's (its padding is apply's), nor is a compound statement (blank lines around
    those are a habit of their own)."""
    instrumentation = instrumentation_lines(tree, matcher)
    blank = pairs = 0
    for block in statement_lists(tree):
        for above, below in zip(block, block[1:]):
            if isinstance(below, COMPOUND_STATEMENTS) or not isinstance(above, ast.Expr):
                continue
            end, start = (above.end_lineno or above.lineno) - 1, first_line(below) - 1
            if above.lineno - 1 in instrumentation or start in instrumentation or log_call_of(above, loggers) is None:
                continue
            pairs += 1
            blank += any(not lines[i].strip() for i in range(end + 1, start))
    return blank, pairs


def _line_before(source: SourceFile, lineno: int) -> str:
    """'blank', 'boundary' (a block header or the top of the file) or 'code' for the line above
    `lineno`, skipping the comment lines right above it."""
    indent = len(source.indentation_of(lineno).expandtabs(8))
    index = lineno - 2
    while index >= 0 and source.lines[index].lstrip().startswith("#"):
        index -= 1
    if index < 0:
        return "boundary"
    line = source.lines[index]
    if not line.strip():
        return "blank"
    if len(source.indentation_of(index + 1).expandtabs(8)) < indent:
        return "boundary"
    return "code"


def _line_after(source: SourceFile, stmt: ast.stmt) -> str:
    end = stmt.end_lineno or stmt.lineno
    if end >= len(source.lines):
        return "boundary"
    line = source.lines[end]
    if not line.strip():
        return "blank"
    if len(source.indentation_of(end + 1).expandtabs(8)) < len(source.indentation_of(stmt.lineno).expandtabs(8)):
        return "boundary"
    return "code"


_LABEL = re.compile(r"(#+[ \t]*)([A-Za-z][\w-]*:[ \t]+)?")


def block_habits(source: SourceFile, tree: ast.Module, getter: str, enum: str, module: str,
                 call: CallShape = CallShape()) -> Habits:
    """How the file's existing log_event blocks (of the configured call shape) are written (see
    `Habits`)."""
    matcher = CallMatcher.of(call, frozenset({getter}))
    if not any(marker in source.text for marker in matcher.markers()):
        return Habits()
    getters = matcher.getters
    imported = call.imported(getter)
    blocks = single = double = commas = no_commas = spaced = glued = 0
    comments: Counter[str] = Counter()
    for block, index, stmt in _outer_blocks(tree, matcher):
        blocks += 1
        first = stmt
        if index and isinstance(block[index - 1], ast.Assign) and is_getter_call(block[index - 1].value, getters):  # type: ignore[attr-defined]
            first = block[index - 1]
        for logged in log_event_calls(stmt, matcher):
            quotes = _call_quotes(source, logged.call)
            single += quotes["'"]
            double += quotes['"']
            trailing = _trailing_comma(source, logged.call)
            if trailing is not None:
                commas, no_commas = commas + trailing, no_commas + (not trailing)
        before, after = _line_before(source, first.lineno), _line_after(source, stmt)
        if "code" not in (before, after) and "blank" in (before, after):
            spaced += 1
        elif "code" in (before, after):
            glued += 1
        above = first.lineno - 2
        if above >= 0 and source.lines[above].lstrip().startswith("#") \
                and source.indentation_of(above + 1) == source.indentation_of(first.lineno):
            match = _LABEL.match(source.lines[above].strip())
            if match:
                comments["".join(g or "" for g in match.groups())] += 1
    getter_first = enum_first = 0
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == module:
            names = [a.name for a in stmt.names]
            if imported in names and enum in names:
                if names.index(imported) < names.index(enum):
                    getter_first += 1
                else:
                    enum_first += 1
    return Habits(blocks, single, double, commas, no_commas, spaced, glued, tuple(sorted(comments.items())), getter_first, enum_first)


def _outer_blocks(tree: ast.Module, matcher: CallMatcher):
    """(statement list, index, statement) of each outermost statement that logs an event (a
    guard, a fail-safe `try`, a bare call): the blocks, not the statements inside them."""
    stack: list[ast.AST] = [tree]
    while stack:
        current = stack.pop()
        for _, _, block in child_blocks(current):
            for index, stmt in enumerate(block):
                logged = logged_event_names(stmt, matcher)
                if logged and not isinstance(stmt, ast.Assign):
                    yield block, index, stmt
                else:
                    stack.append(stmt)


def _call_quotes(source: SourceFile, call: ast.Call) -> Counter[str]:
    """Quotes of the data strings of one log_event call: payload keys and keyword values."""
    counts: Counter[str] = Counter()
    items: list[ast.AST | None] = [k.value for k in call.keywords]
    for arg in call.args:
        if isinstance(arg, ast.Dict):
            items.extend(arg.keys)
    for item in items:
        if _is_text(item):
            quote = _quote_of(source, item)  # type: ignore[arg-type]
            if quote:
                counts[quote] += 1
    return counts


def _trailing_comma(source: SourceFile, call: ast.Call) -> bool | None:
    """Whether an exploded call (its `)` on a line of its own) has a comma after its last
    argument; None when the call is not exploded."""
    parts: list[ast.AST] = [*call.args, *call.keywords]
    if not parts or call.end_lineno is None or call.end_lineno == call.lineno:
        return None
    last = max(parts, key=lambda n: (n.end_lineno or 0, n.end_col_offset or 0))  # type: ignore[attr-defined]
    end_line, end_col = last.end_lineno, last.end_col_offset  # type: ignore[attr-defined]
    if end_line is None or end_line >= call.end_lineno:
        return None
    tail = source.lines[end_line - 1][source.char_col(end_line, end_col):].strip()
    return tail.startswith(",")
