"""Render one event's guarded block as source lines, laid out as black would lay it out.

The block is written directly in black's exploded, magic-trailing-comma layout, which black
leaves alone. Black itself is only called (memoised) for user expressions that are not already
in black's form and for blocks with a line over the line length: calling black once per event
would cost ~6 ms each, more than everything else eventmod does.
"""

from __future__ import annotations

import ast
import io
import keyword
import re
import tokenize
from dataclasses import replace
from functools import lru_cache

from eventmod.analysis.emission import EmitChoice, Emission, choose_emission
from eventmod.analysis.style import Style
from eventmod.model.record import record
from eventmod.model.settings import DEFAULT_ENUM_CLASS, DEFAULT_GETTER, DEFAULT_VARIABLE, CallShape, Settings
from eventmod.model.spec import EventSpec
from eventmod.pyast.source import SourceFile
from eventmod.pyast.tokens import block_tokens, enclosed_whole, expression_tokens
from eventmod.pyast.walk import walk_nodes

_KEYWORD_OPERATORS = {"and", "or", "not", "in", "is", "if", "else"}
_CONSTANTS = {"None", "True", "False"}
_BINARY = {"+", "-", "*", "/", "//", "%", "==", "!=", "<", ">", "<=", ">=", "|", "&", "^", "<<", ">>"}
_SIMPLE_NUMBER = re.compile(r"^[0-9][0-9_]*(\.[0-9_]*)?$")
_STRING_PREFIX = re.compile(r"^([a-zA-Z]*)(['\"])")
_SIMPLE_ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z_0-9]*) = (.+)$", re.S)
JSON_SAFE_HELPER = "_eventmod_json_safe"


@record
class Names:
    """How the block spells the things it uses in this file (aliases respected)."""

    variable: str = DEFAULT_VARIABLE
    getter: str = DEFAULT_GETTER
    # The local name of the logging function (call = "function"; an import alias when the file
    # binds the name to something else): "" for the getter shape.
    function: str = ""
    enum: str = DEFAULT_ENUM_CLASS
    asyncio: str = "asyncio"
    json_safe: str = JSON_SAFE_HELPER
    # The expression a fail-safe block reports a logging failure through: the file's own
    # module-level logger, or `logging.getLogger(__name__)` when the file has none.
    report: str = "logger"


# -- strings -----------------------------------------------------------------------------------
def quote_string(text: str, quote: str) -> str:
    """A Python string literal for `text` in the preferred quote (the other one if that avoids escapes)."""
    other = "'" if quote == '"' else '"'
    if quote in text and other not in text:
        quote = other
    body = text.replace("\\", "\\\\").replace(quote, "\\" + quote).replace("\n", "\\n").replace("\r", "\\r")
    return f"{quote}{body}{quote}"


def normalize_quotes(expr: str, quote: str) -> str:
    """Rewrite simple string literals of `expr` to the preferred quote, as black's string
    normalisation does; strings whose body holds a quote or a backslash are left as written."""
    if "'" not in expr and '"' not in expr:
        return expr
    tokens = expression_tokens(expr)
    if tokens is None:
        return expr
    other = "'" if quote == '"' else '"'
    pieces: list[tuple[int, int, str]] = []  # (start col, end col, replacement) on line 1
    for token in tokens:
        if token.type != tokenize.STRING or token.start[0] != 1 or token.end[0] != 1:
            continue
        match = _STRING_PREFIX.match(token.string)
        if not match:
            continue
        prefix, q = match.groups()
        body = token.string[len(prefix) + 1: -1]
        if q != other or token.string[len(prefix):].startswith(q * 3):
            continue
        if quote in body or "\\" in body:
            continue
        pieces.append((token.start[1], token.end[1], f"{prefix}{quote}{body}{quote}"))
    if not pieces:
        return expr
    out, last = [], 0
    for start, end, replacement in pieces:
        out.append(expr[last:start])
        out.append(replacement)
        last = end
    out.append(expr[last:])
    return "".join(out)


# -- black form of expressions -----------------------------------------------------------------
def simple_black_form(expr: str) -> str | None:
    """Black's layout of `expr` for a common subset of expressions (names, attributes, calls,
    subscripts and simple slices, literals, displays and comprehensions, arithmetic,
    comparisons, boolean operators), or None when `expr` falls outside that subset and black
    itself must decide."""
    tokens = expression_tokens(expr)
    if tokens is None:
        return None
    out: list[str] = []
    previous: tokenize.TokenInfo | None = None
    # the open brackets: their character, and for a subscript whether it is a simple slice
    # (names, numbers, strings, `:` and `,` only: black writes its colons without spaces)
    brackets: list[tuple[str, bool]] = []
    for i, token in enumerate(tokens):
        kind, text = token.type, token.string
        nxt = tokens[i + 1].string if i + 1 < len(tokens) else None
        space = _space_before(previous, token)
        if kind == tokenize.COMMENT:
            return None
        if kind == tokenize.NUMBER:
            if not _SIMPLE_NUMBER.match(text):
                return None
            piece = text
        elif kind == tokenize.STRING:
            prefix = _STRING_PREFIX.match(text)
            if not prefix or prefix.group(1) not in ("", "f", "r", "b", "rb", "br", "fr", "rf"):
                return None
            if text[len(prefix.group(1)):].startswith(("'''", '"""')):
                return None
            piece = text
        elif kind == tokenize.NAME:
            if text in ("lambda", "await", "yield", "async"):
                return None  # their colons and parentheses are black's business
            piece = text
        elif kind == tokenize.OP:
            if text in ("(", "[", "{"):
                if text == "(" and previous is not None and previous.string in ("[", "{") and space == "":
                    return None  # black drops parentheses around a display's sole item
                subscript = text == "[" and previous is not None and space == ""
                brackets.append((text, subscript and _simple_slice(tokens, i)))
                piece = text
            elif text in (")", "]", "}", ",", "."):
                if text == "." and previous is not None and previous.type == tokenize.NUMBER:
                    return None  # black parenthesizes a number before an attribute
                if text in (")", "]", "}"):
                    if not brackets:
                        return None
                    brackets.pop()
                piece = text
            elif text == ":":
                if not brackets or brackets[-1] == ("[", False) or brackets[-1][0] == "(":
                    return None  # a complex slice, an annotation, a lambda: black decides
                space = ""  # a dict's colon (`key: value`) or a simple slice's (`x[1:n]`)
                piece = text
            elif text in _BINARY:
                piece = text
            else:
                return None  # '=', '**', '~', '@', ':=', ... are black's business
            if text == "," and nxt in (")", "]", "}"):
                return None  # a magic trailing comma explodes the collection
        else:
            return None  # f-string parts (3.12+), ERRORTOKEN, ...
        if previous is not None and previous.string == ":" and brackets and brackets[-1] == ("[", True):
            space = ""  # nothing after a simple slice's colon
        out.append(space + piece)
        previous = token
    return "".join(out)


def _simple_slice(tokens: list[tokenize.TokenInfo], opening: int) -> bool:
    """Whether the subscript opening at tokens[opening] holds only names, numbers, strings,
    colons and commas (black spaces the colons of any other slice as operators)."""
    for token in tokens[opening + 1:]:
        if token.string == "]" and token.type == tokenize.OP:
            return True
        if token.type in (tokenize.NUMBER, tokenize.STRING):
            continue
        if token.type == tokenize.NAME and (not keyword.iskeyword(token.string) or token.string in _CONSTANTS):
            continue
        if token.type == tokenize.OP and token.string in (":", ","):
            continue
        return False
    return False


def _space_before(previous: tokenize.TokenInfo | None, token: tokenize.TokenInfo) -> str:
    if previous is None:
        return ""
    p, t = previous.string, token.string
    if t in (")", "]", "}", ",", ".") and token.type == tokenize.OP:
        return ""
    if p in ("(", "[", "{", ".") and previous.type == tokenize.OP:
        return ""
    if t in ("(", "[") and token.type == tokenize.OP:
        if previous.type == tokenize.NAME and not (keyword.iskeyword(p) and p not in _CONSTANTS):
            return ""  # call or subscript
        if previous.type == tokenize.STRING or p in (")", "]", "}"):
            return ""
        return " "
    return " "


_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


@lru_cache(maxsize=4096)
def format_expression(expr: str, quote: str, normalize_strings: bool) -> str:
    """`expr` as black writes it (single line), or the text black returns (possibly multi-line)."""
    text = normalize_quotes(expr, quote) if normalize_strings else expr
    if _DOTTED_NAME.fullmatch(text):
        return text  # `symbol`, `self.position.id`: black's form as written, no tokenizing
    if not _has_unary(text):
        simple = simple_black_form(text)
        if simple is not None and simple == text:
            return text
    return _black_expression(text)


def _has_unary(text: str) -> bool:
    # Unary +/- need context the simple form does not track; black decides those.
    return bool(re.search(r"(^|[(\[{,=<>!]|\b(and|or|not|in|is|if|else|return))\s*[-+]", text))


def black_format(text: str, line_length: int) -> str | None:
    """black.format_str(text) without string normalisation, or None if black rejects it.
    Answers are kept in the persistent format cache, so black is imported only on a miss."""
    from eventmod.codegen.black_cache import black_cache, key_of

    cache = black_cache()
    key = key_of("format_str", line_length, text)
    hit = cache.get(key)
    if hit is not None:
        return hit or None
    import black

    try:
        formatted = black.format_str(text, mode=black.Mode(line_length=line_length, string_normalization=False))
    except Exception:  # black cannot parse something ast accepted: the caller keeps the text
        formatted = ""
    cache.put(key, formatted)
    return formatted or None


@lru_cache(maxsize=4096)
def _black_expression(text: str) -> str:
    formatted = black_format(f"__eventmod__({text})\n", 10_000)
    if formatted is None:
        return text
    formatted = formatted.strip()
    if formatted.startswith("__eventmod__(") and formatted.endswith(")"):
        return formatted[len("__eventmod__("): -1]
    return text


@lru_cache(maxsize=1024)
def format_statement(statement: str, quote: str, normalize_strings: bool, line_length: int = 88) -> str:
    """`statement` as black writes it at `line_length` (the block is laid out again by black at
    its real depth when a line is still too long there)."""
    text = normalize_quotes(statement, quote) if normalize_strings else statement
    match = _SIMPLE_ASSIGN.match(text.strip())
    if match and not _parenthesized(match.group(2)):
        return f"{match.group(1)} = {format_expression(match.group(2), quote, normalize_strings)}"
    formatted = black_format(text + "\n", line_length)
    return formatted.strip() if formatted is not None else text.strip()


def _parenthesized(expr: str) -> bool:
    """Whether `expr` is one pair of parentheses around the rest (black drops or keeps them
    on the right of an assignment by rules of its own: it decides)."""
    text = expr.strip()
    if not (text.startswith("(") and text.endswith(")")):
        return False
    tokens = expression_tokens(text)
    return tokens is None or enclosed_whole([t.string if t.type == tokenize.OP else "" for t in tokens])


# -- the block ---------------------------------------------------------------------------------
@record
class RenderOptions:
    """Everything that decides a block's shape (besides the names it spells): apply renders
    with the options the spec asks for, re-emit and revert with the options a block was
    written with (read back from the code by `analysis.presence.block_shape`)."""

    emit: str  # "await" | "background" | "sync" (the emission, resolved: never "auto")
    json_safe: bool = False
    coerce: tuple[str, ...] = ()
    # Fail-safe: the whole block runs in `try:` / `except Exception:` and a failure is reported
    # through `Names.report` at `failsafe_level`, never raised into the caller.
    failsafe: bool = False
    failsafe_level: str = "warning"
    # Background emission from a sync function: schedule only when an event loop is running
    # (otherwise a debug line says the event was not logged).
    loop_guard: bool = False
    # A function-local import as the block's first statement (import cycles): the statement.
    local_import: str = ""
    # How the block calls the logger: receiver (getter) or function, method, payload and
    # severity arguments, whether the call is a plain def.
    call: CallShape = CallShape()

    def differences(self, other: "RenderOptions") -> list[str]:
        """How `other` (the wanted shape) differs from these options, in words (for `check`)."""
        found = []
        if self.emit != other.emit:
            found.append(f"emit {self.emit} -> {other.emit}")
        if self.failsafe != other.failsafe:
            found.append(f"fail-safe {'on' if self.failsafe else 'off'} -> {'on' if other.failsafe else 'off'}")
        elif self.failsafe and self.failsafe_level != other.failsafe_level:
            found.append(f"fail-safe log level {self.failsafe_level} -> {other.failsafe_level}")
        if self.loop_guard != other.loop_guard:
            found.append(f"running-loop guard {'on' if self.loop_guard else 'off'} -> {'on' if other.loop_guard else 'off'}")
        if bool(self.local_import) != bool(other.local_import):
            found.append(f"import {'local' if self.local_import else 'top'} -> {'local' if other.local_import else 'top'}")
        return found


def render_options(event: EventSpec, settings: Settings, *, sync_function: bool = False, local_import: str = "",
                   wrapped: bool = False) -> RenderOptions:
    """The per-event render options apply uses (shared with revert). `wrapped`: the block is
    the handler of an `on_error` wrap, which is always fail-safe (a failing block must never
    replace the exception being handled)."""
    choice = choose_emission(event.emit or settings.emit, not sync_function, settings.call, event.function)
    if not isinstance(choice, EmitChoice):  # refused by placement before anything is rendered
        choice = EmitChoice(Emission.AWAIT)
    failsafe = event.failsafe if event.failsafe is not None else settings.failsafe
    return RenderOptions(emit=choice.emission.value, json_safe=json_safe_for(event, settings), coerce=event.coerce,
                         failsafe=bool(failsafe) or wrapped, failsafe_level=settings.failsafe_log_level,
                         loop_guard=choice.loop_guard, local_import=local_import, call=settings.call)


def json_safe_for(event: EventSpec, settings: Settings) -> bool:
    return bool(event.json_safe if event.json_safe is not None else settings.json_safe)


def failure_message(event: EventSpec) -> str:
    """What a fail-safe block reports when logging the event failed."""
    return f"Could not log event {event.event}"


def no_loop_message(event: EventSpec) -> str:
    """What a loop-guarded block reports when no event loop runs (the event is skipped)."""
    return f"No running event loop: event {event.event} not logged"


def render_block(event: EventSpec, options: RenderOptions, names: Names, style: Style, indent: str) -> list[str]:
    """The block's lines (no line ends), each prefixed with `indent`."""
    lines = _layout(event, options, names, style)
    if _too_long(lines, indent, style) or any("\n" in line for line in lines):
        depth = _depth(indent, style)
        lines = split_long_calls(lines, depth, style) or _black_layout("\n".join(lines), depth, style)
    return [indent + line if line else line for line in house_layout(lines, style)]


def render_wrap(event: EventSpec, options: RenderOptions, names: Names, style: Style, indent: str, body: list[str]) -> list[str]:
    """An `on_error` wrap around `body` (the wrapped statements' lines, already indented one
    step deeper): `try:`, the body, `except Exception as <as>:`, the block (its `message` line
    first) and `raise`, unless the spec says `then: continue`."""
    unit = style.indent_unit
    handler = render_block(event, options, names, style, indent + unit)
    tail = [] if event.on_error.continues else [f"{indent}{unit}raise"]
    return [f"{indent}try:", *body, wrap_handler_line(event, indent), *handler, *tail]


def wrap_handler_line(event: EventSpec, indent: str) -> str:
    return f"{indent}except Exception as {event.on_error.name}:"


def render_captures(captures: tuple[tuple[str, str], ...], guarded: bool, style: Style, indent: str) -> list[str]:
    """`name = expression` for each captured value. `guarded` (fail-safe blocks): an expression
    that could raise (anything but a name or a literal) is evaluated in `try:`, and every name
    is set to None when it fails, so a capture never raises into the caller."""
    u, q = style.indent_unit, style.quote
    statements = [format_statement(f"{name} = {expr}", q, style.normalize_strings, style.line_length) for name, expr in captures]
    lines = [line for statement in statements for line in statement.split("\n")]
    if guarded and needs_guard(captures):
        reset = " = ".join(name for name, _ in captures) + " = None"
        lines = ["try:", *(u + line for line in lines), "except Exception:", u + reset]
    return [indent + line if line else line for line in house_layout(lines, style)]


def needs_guard(captures: tuple[tuple[str, str], ...]) -> bool:
    """Whether evaluating a capture can raise: anything but plain names and literals can."""
    for _, expr in captures:
        try:
            node = ast.parse(expr, mode="eval").body
        except SyntaxError:
            return True
        if not isinstance(node, (ast.Name, ast.Constant)):
            return True
    return False


def recognition_styles(style: Style) -> list[Style]:
    """`style` first, then the same style with the other quote, trailing commas and comment
    prefix: a block written under another house style (or by `style = "black"`) is still
    eventmod's, so re-emit, revert and check recognise it in any of them."""
    other = "'" if style.quote == '"' else '"'
    found = [style]
    for quote in (style.quote, other):
        for commas in (style.trailing_commas, not style.trailing_commas):
            for comment in dict.fromkeys((style.comment, "# ")):
                for message in dict.fromkeys((style.message_quote or style.quote, "'", '"')):
                    variant = replace(style, quote=quote, trailing_commas=commas, comment=comment, message_quote=message)
                    if variant not in found:
                        found.append(variant)
    return found


def house_layout(lines: list[str], style: Style) -> list[str]:
    """The style layer over black's layout: without trailing commas in the house style, the
    magic trailing commas black's layout puts before a closing bracket on its own line go (never
    the comma of a one-element tuple or of a subscript: that would change the value)."""
    if style.trailing_commas or not any(line.rstrip().endswith(",") for line in lines):
        return lines
    return strip_trailing_commas(lines)


_OPENERS = {")": "(", "]": "[", "}": "{"}


def strip_trailing_commas(lines: list[str]) -> list[str]:
    tokens = block_tokens(lines)
    if tokens is None:
        text = "\n".join(lines) + "\n"
        try:
            tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
                      if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)]
        except (tokenize.TokenError, SyntaxError, IndentationError):
            return lines
    removals: list[tuple[int, int]] = []
    stack: list[tuple[str, bool]] = []  # (opening bracket, a comma there may go)
    previous: tokenize.TokenInfo | None = None
    for index, token in enumerate(tokens):
        if token.type == tokenize.OP and token.string in "([{":
            follows_value = previous is not None and (
                (previous.type == tokenize.NAME and not keyword_like(previous.string))
                or (previous.type == tokenize.OP and previous.string in ")]}") or previous.type == tokenize.STRING)
            if token.string == "(":
                removable = follows_value  # a call's arguments; a bare `(` is a tuple or a group
            elif token.string == "[":
                removable = not follows_value  # a list display; after a value it is a subscript
            else:
                removable = True  # a dict or set display
            stack.append((token.string, removable))
        elif token.type == tokenize.OP and token.string in ")]}":
            if stack:
                stack.pop()
        elif token.type == tokenize.OP and token.string == "," and stack and stack[-1][1]:
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following is not None and following.type == tokenize.OP and following.string in ")]}" \
                    and following.start[0] > token.start[0]:
                removals.append(token.start)
        previous = token
    if not removals:
        return lines
    out = list(lines)
    for row, col in sorted(removals, reverse=True):
        line = out[row - 1]
        out[row - 1] = (line[:col] + line[col + 1:]).rstrip()
    return out


def keyword_like(word: str) -> bool:
    return word in _KEYWORD_OPERATORS or word in ("return", "yield", "await", "lambda", "assert", "del", "for", "while",
                                                    "with", "elif", "print", "from", "import", "raise", "case", "match")


def _layout(event: EventSpec, options: RenderOptions, names: Names, style: Style) -> list[str]:
    u, q = style.indent_unit, style.quote
    mq = style.message_quote or q  # log messages (the report lines, an on_error message) in the file's message quote

    def expr(source: str) -> str:
        return format_expression(source, q, style.normalize_strings)

    lines: list[str] = []
    if event.comment:
        lines.extend(style.comment_line(part) for part in event.comment.splitlines())
    core: list[str] = []
    if event.anchor.kind == "on_error" and event.on_error.message:
        core.append(f"{names.report}.error({message_literal(event.on_error.message, mq)})")
    if options.local_import:
        core += [options.local_import, ""]  # black keeps one blank line after imports
    body = [format_statement(s, q, style.normalize_strings, style.line_length) for s in event.setup]
    body += _emission_lines(event, options, names, style, _call_lines(event, options, names, style, expr))
    if options.call.function:
        # No getter, no guard variable: the function is always there; `when` is the only guard.
        if event.when:
            core.append(f"if {expr(event.when)}:")
            core.extend(u + line for line in body)
        else:
            core.extend(body)
    else:
        core.append(f"{names.variable} = {names.getter}()")
        condition = names.variable if not event.when else f"{names.variable} and ({expr(event.when)})"
        core.append(f"if {condition}:")
        core.extend(u + line for line in body)
    if options.failsafe:
        report = f"{names.report}.{options.failsafe_level}({quote_string(failure_message(event), mq)}, exc_info=True)"
        lines += ["try:", *(u + line if line else line for line in core), "except Exception:", u + report]
    else:
        lines += core
    return lines


def _call_lines(event: EventSpec, options: RenderOptions, names: Names, style: Style, expr) -> list[str]:
    """The logging call, exploded one argument a line: the callee (a method on the guard
    variable, or the function), the enum member, the payload (positional, or by its keyword),
    the spec's kwargs, and the severity (by its keyword, or not at all)."""
    u, q = style.indent_unit, style.quote
    shape = options.call
    method = shape.sync_call if options.emit == Emission.SYNC.value else shape.method
    head = f"{names.function or method}(" if shape.function else f"{names.variable}.{method}("
    call = [head, f"{u}{names.enum}.{event.event},"]
    keyword = f"{shape.payload_arg}=" if shape.payload_arg else ""
    if event.payload:
        call.append(f"{u}{keyword}{{")
        for key, value in event.payload:
            rendered = expr(value)
            if options.json_safe:
                rendered = f"{names.json_safe}({rendered})"
            call.append(f"{u}{u}{quote_string(key, q)}: {rendered},")
        call.append(f"{u}}},")
    else:
        call.append(f"{u}{keyword}{{}},")
    for key, value in event.kwargs:
        rendered = expr(value)
        if key in options.coerce:
            rendered = f"int({rendered})"
        call.append(f"{u}{key}={rendered},")
    if shape.severity_arg:
        call.append(f"{u}{shape.severity_arg}={quote_string(event.severity, q)},")
    call.append(")")
    return call


def _emission_lines(event: EventSpec, options: RenderOptions, names: Names, style: Style, call: list[str]) -> list[str]:
    """The call as the emission wants it: awaited, called (sync), or scheduled with
    create_task (from a sync function only while an event loop runs)."""
    u, q = style.indent_unit, style.quote
    if options.emit == Emission.BACKGROUND.value:
        schedule = [f"{names.asyncio}.create_task(", *(u + line for line in call), ")"]
        if not options.loop_guard:
            return schedule
        mq = style.message_quote or q  # log messages in the file's message quote
        return [
            "try:", f"{u}{names.asyncio}.get_running_loop()",
            "except RuntimeError:", f"{u}{names.report}.debug({quote_string(no_loop_message(event), mq)})",
            "else:", *(u + line for line in schedule),
        ]
    if options.emit == Emission.SYNC.value:
        return call
    return ["await " + call[0], *call[1:]]


def message_literal(message: str, quote: str) -> str:
    """An on_error `message` as a string literal: an f-string when it has `{...}` fields."""
    literal = quote_string(message, quote)
    try:
        tree = ast.parse("f" + literal, mode="eval")
    except SyntaxError:
        return "f" + literal
    has_fields = any(isinstance(node, ast.FormattedValue) for node in walk_nodes(tree))
    return "f" + literal if has_fields else quote_string(message.replace("{{", "{").replace("}}", "}"), quote)


def split_comment(rendered: list[str]) -> tuple[list[str], list[str]]:
    """A rendered block's leading `# comment` lines and the code after them."""
    count = 0
    while count < len(rendered) and rendered[count].lstrip().startswith("#"):
        count += 1
    return rendered[:count], rendered[count:]


def rendered_block_start(source: SourceFile, first: int, last: int, rendered: list[str]) -> int | None:
    """Whether lines first..last are exactly the code of a rendered block (what eventmod wrote,
    not edited since): the block's first line, counting its `# comment` lines when they are
    there too, or None. The one matcher re-emit and revert share."""
    comment, code = split_comment(rendered)
    if source.code_lines(first, last) != code:
        return None
    count = len(comment)
    if comment and first - count >= 1 and source.code_lines(first - count, first - 1) == comment:
        return first - count
    return first


def _width(text: str) -> int:
    return len(text.expandtabs(4))


def _too_long(lines: list[str], indent: str, style: Style) -> bool:
    # black never wraps comments, so a long `# comment` line needs no layout from black
    return any(_width(indent + line) > style.line_length for line in lines if not line.lstrip().startswith("#"))


def _depth(indent: str, style: Style) -> int:
    unit = _width(style.indent_unit) or 4
    return _width(indent) // unit


# A statement that is one call of a string literal and `keyword=name` flags, on a dotted (or
# `getLogger(__name__)`-like) receiver: the report lines of fail-safe and loop-guarded blocks.
_MESSAGE_CALL_LINE = re.compile(
    r"""(?P<head>[A-Za-z_][\w.]*(?:\([\w.]*\))?(?:\.[A-Za-z_]\w*)*)\("""
    r"""(?P<args>(?P<first>[rRbBuUfF]{0,2}(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"))"""
    r"""(?P<rest>(?:, [A-Za-z_]\w*=[A-Za-z_][\w.]*)*))\)""")


# An item of an exploded call or payload dict, as the layout writes it: `name=value,`,
# `"key": value,` (the key a plain string) or `value,`.
_ITEM_LINE = re.compile(r"""(?:[A-Za-z_]\w*=(?!=)|'[^'\\\n]*': |"[^"\\\n]*": )?.+,""")
# A statement of the block black may split: a setup assignment or the guard's `if`.
_STATEMENT_LINE = re.compile(r"[A-Za-z_]\w* = .+|if .+:")


def split_long_calls(lines: list[str], depth: int, style: Style) -> list[str] | None:
    """black's layout of a block (at `depth` inside a function) whose over-long lines are
    message calls (`logger.warning("...", exc_info=True)`), items of the exploded logging call
    and its payload, setup assignments or the guard's `if`, laid out without black. A message
    call gets black's right-hand split (`head(` / the arguments / `)`), the arguments one a
    line with a trailing comma when they do not fit on one; the others get black's own split
    of the line (`linesplit`). None for anything else (black decides). Widths are black's: it
    sees the block indented with four spaces a level (`_black_layout`)."""
    from eventmod.codegen.linesplit import split_item, split_statement

    ported = _port_mirrors_black()
    unit = style.indent_unit
    out: list[str] = []
    changed = False
    for line in lines:
        if "\n" in line:
            return None
        levels, rest = 0, line
        while unit and rest.startswith(unit):
            levels, rest = levels + 1, rest[len(unit):]
        if not rest.isascii():
            return None  # black measures wide characters by their display width
        if rest[:1].isspace():
            return None
        width = 4 * (depth + levels)
        if rest.startswith("#") or width + len(rest) <= style.line_length:
            out.append(line)
            continue
        match = _MESSAGE_CALL_LINE.fullmatch(rest)
        if match is None:
            split = None
            if ported and _STATEMENT_LINE.fullmatch(rest):
                split = split_statement(rest, depth + levels, style.line_length)
            elif ported and _ITEM_LINE.fullmatch(rest):
                split = split_item(rest, depth + levels, style.line_length)
            if split is None:
                return None
            out += [unit * (part_depth - depth) + text for part_depth, text in split]
            changed = True
            continue
        if width + len(match["head"]) + 1 > style.line_length:
            return None
        prefix, inner = unit * levels, unit * (levels + 1)
        arguments = [match["first"], *(part for part in match["rest"].split(", ") if part)]
        if width + 4 + len(match["args"]) <= style.line_length:
            body = [inner + match["args"]]
        elif len(arguments) > 1 and all(width + 4 + len(a) + 1 <= style.line_length for a in arguments):
            body = [inner + a + "," for a in arguments]
        else:
            return None
        out += [prefix + match["head"] + "(", *body, prefix + ")"]
        changed = True
    return out if changed else None


@lru_cache(maxsize=1)
def _port_mirrors_black() -> bool:
    """Whether the installed black's stable style is the one `linesplit` ports (else black
    lays out every over-long item and statement, as before the port)."""
    from eventmod.codegen.black_cache import installed_version
    from eventmod.codegen.linesplit import mirrors

    return mirrors(installed_version("black"))


@lru_cache(maxsize=512)
def _black_layout(block: str, depth: int, style: Style) -> list[str]:
    """Let black lay out a block that does not fit the simple layout, at the right depth."""
    scaffold = ["async def __eventmod__():"] + [f"{'    ' * (d + 1)}if __eventmod__:" for d in range(depth - 1)]
    inner = "    " * depth
    source_lines = [line.replace(style.indent_unit, "    ") if style.indent_unit != "    " else line for line in block.split("\n")]
    text = "\n".join(scaffold + [inner + line if line else line for line in source_lines]) + "\n"
    formatted = black_format(text, style.line_length)
    if formatted is None:
        return block.split("\n")
    out = formatted.rstrip("\n").split("\n")[depth:]
    result = []
    for line in out:
        stripped = line[len(inner):] if line.startswith(inner) else line.lstrip()
        if style.indent_unit != "    ":
            lead = len(stripped) - len(stripped.lstrip(" "))
            stripped = style.indent_unit * (lead // 4) + stripped.lstrip(" ")
        result.append(stripped)
    return result
