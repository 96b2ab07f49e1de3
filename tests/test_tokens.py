"""`significant_tokens` is `tokenize` wherever it answers (and it answers for the common case)."""

from __future__ import annotations

import io
import token
import tokenize

from hypothesis import example, given, settings
from hypothesis import strategies as st

from eventmod.pyast.tokens import expression_tokens, significant_tokens

SIGNIFICANT = (token.NAME, token.NUMBER, token.STRING, token.OP)
PIECES = ["a", "x1", "_y", "if", "else", "not", "r", "b", "u", "f", "rb", "BR", "Rb", "fr", "ur",
          "0", "1", "00", "07", "1_0", "1__0", "1.", "1.5", ".5", "1e5", "0x1", "1j",
          "'s'", '"d"', "''", '""', "'''", "'a\\'b'", "'#'", "'\\n'",
          "(", ")", "[", "]", "{", "}", ",", ".", "...", ":", ":=", "=", "==", "!=", "!", "->", "**", "//=",
          "<>", "<<=", "+", "-", "~", "@", "%", "|", "&", "^", "$", "?", "`", "#", "\\", " ", "  ", "\t", "\f", "é"]


def tokenize_answer(text: str):
    """What the caller would get from tokenize: the significant tokens, or None when tokenize
    raises or reads anything beyond them and the line's end."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    if any(t.type not in SIGNIFICANT + (token.NEWLINE, token.NL, token.ENDMARKER) for t in tokens):
        return None
    return [t for t in tokens if t.type in SIGNIFICANT]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8).map("".join) | st.text(alphabet="ab1_.'\"()[]{}, :=+-*#\\\t!0xejrf", max_size=10))
@example("self.positions[symbol].get('side', \"x\") or None")
@example("len(result.get('failed', [])) * 2 >= total")
@example("a if b else c")
@example("f(a")
@example("f(a))")
@example("x[1:2]")
@example("")
@example("<>")
@example("a <> b")
def test_significant_tokens_are_tokenizes_wherever_they_answer(text):
    fast = significant_tokens(text)
    if fast is not None:
        assert fast == tokenize_answer(text)


def test_the_common_case_is_answered():
    """The expressions specs hold: names, attributes, calls, subscripts, plain strings,
    numbers, comparisons, conditionals."""
    for text in ("symbol", "self.position.id", "float(order['price'])", "len(self.positions) > 0",
                 'result.get("failed", []) or None', "a if b is not None else 1_000.5", "x[1:2]", "(a, b)",
                 "rb'raw'", "u'text'", "{'k': v, **rest}", "not done and count <= 3"):
        assert significant_tokens(text) == tokenize_answer(text) is not None, text


LINES = ["x = 1", "s = '''a", "b'''", 's = """', '"""', "t = 'a\\", "b'", "f(a,", "  b)", "y = f'{x}'", "z = f'{", "x}'",
         "if x:", "    pass", "# '''", "w = 'q'  # \\", "u = rb'\\\\'", "v = \"\"\"one line\"\"\""]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(LINES), min_size=1, max_size=6))
def test_the_lines_inside_a_multi_line_string_are_found_without_tokenize_only_when_none_can_be(lines):
    """`string_interior_lines` skips tokenize when the text cannot hold a string that spans
    lines; its answer is the one tokenize gives."""
    import re

    from eventmod.pyast import source as module

    text = "\n".join(lines) + "\n"
    source = module.SourceFile.decode("m.py", text.encode())
    fast = source.string_interior_lines(1, len(lines))
    original = module._MAY_SPAN_LINES
    try:
        module._MAY_SPAN_LINES = re.compile("")  # every text: tokenize decides
        assert fast == source.string_interior_lines(1, len(lines))
    finally:
        module._MAY_SPAN_LINES = original


BLOCK_LINES = ["# a comment", "", "    ", "try:", "    x = f(", "        a,", "        b,", "    )", "except Exception:",
               "    log.warning('m', exc_info=True)", "  bad = 1", "if x:", "\tpass", "    y = {", "        'k': [1, 2],",
               "    }", "z = (1,", ")", "    # indented comment", "w = 'a'  # trailing", "v = '''", "'''", "q = x \\",
               "    + 1", "u = [", "]", "]", "        deep = 2"]


def tokenize_block(lines: list[str]):
    text = "\n".join(lines) + "\n"
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return [t for t in tokens if t.type in SIGNIFICANT]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(BLOCK_LINES), max_size=8))
def test_block_tokens_are_tokenizes_wherever_they_answer(lines):
    """Wherever `block_tokens` answers, tokenize reads the same tokens without an error; and
    `strip_trailing_commas` gives the same lines through either."""
    from eventmod.codegen import render
    from eventmod.pyast import tokens as module

    fast = module.block_tokens(lines)
    if fast is not None:
        assert fast == tokenize_block(lines)
    stripped = render.strip_trailing_commas(lines)
    original = module.block_tokens
    try:
        render.block_tokens = lambda lines: None  # tokenize decides
        assert render.strip_trailing_commas(lines) == stripped
    finally:
        render.block_tokens = original


def test_rendered_blocks_are_read_without_tokenize():
    """The blocks eventmod renders (comment lines, try/except, exploded calls and dicts) are the
    common case."""
    from eventmod.pyast.tokens import block_tokens

    block = ["# Log the thing", "try:", "    event_logger = get_event_logger()", "    if event_logger:",
             "        await event_logger.log_event(", "            EventType.DONE,", "            {", "                'a': f(x)[0],",
             "                'b': None,", "            },", "            severity='INFO',", "        )", "except Exception:",
             "    logger.warning('Could not log event DONE', exc_info=True)"]
    assert block_tokens(block) == tokenize_block(block) is not None


FSTRING_PIECES = ["f'{a}'", 'f"{a!r:>10}"', "f'{{x}}'", "f'{a[\"k\"]}'", "rf'{a}'", "f'{f\"{b}\"}'", "'s'", "a", " ", "(", ")", ",", "+"]


def _joined(tokens):
    """tokenize's tokens with each f-string's parts joined into one STRING (Python 3.12+ reads
    them as FSTRING_START ... FSTRING_END); the same tokens before 3.12."""
    start = getattr(token, "FSTRING_START", None)
    out, depth, first = [], 0, None
    for t in tokens:
        if start is not None and t.type == start:
            depth, first = depth + 1, first if depth else t
        elif start is not None and t.type == token.FSTRING_END:
            depth -= 1
            if not depth:
                out.append(tokenize.TokenInfo(token.STRING, first.line[first.start[1]:t.end[1]], first.start, t.end, first.line))
        elif not depth and t.type not in (token.NEWLINE, token.NL, token.ENDMARKER, token.INDENT, token.DEDENT):
            out.append(t)
    return out


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(FSTRING_PIECES + PIECES[:30]), max_size=6).map("".join))
@example("f'wave_{wave_id}'")
@example("'''s'f\"{a!r:>10}\"'''s'")
def test_expression_tokens_read_each_fstring_as_one_string(text):
    """`expression_tokens` is tokenize's answer with each f-string one STRING token, on every
    Python: what the layout and the line split read (on 3.12+ tokenize splits f-strings)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        assert expression_tokens(text) is None or significant_tokens(text) is not None
        return
    answer = expression_tokens(text)
    if answer is not None:
        assert answer == _joined(tokens)
    assert all(t.type != getattr(token, "FSTRING_START", -1) for t in answer or [])


def test_an_fstring_is_one_string_token():
    assert [t.string for t in expression_tokens("f'wave_{wave_id}' + f\"{a!r}\"")] == ["f'wave_{wave_id}'", "+", 'f"{a!r}"']


def test_enclosed_whole_is_one_bracketed_atom():
    from eventmod.pyast.tokens import enclosed_whole

    def kinds(text):
        return [t.string for t in expression_tokens(text)]

    assert enclosed_whole(kinds("(a + b)"))
    assert enclosed_whole(kinds("[f(x), (y)]"))
    assert not enclosed_whole(kinds("(a).b"))
    assert not enclosed_whole(kinds("(a) + (b)"))
    assert not enclosed_whole(kinds("a + (b)"))
    assert not enclosed_whole(["(", "a"])  # never closed
