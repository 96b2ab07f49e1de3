"""black's split of one over-long line, ported (`codegen.linesplit`), and the wider fast path of
`simple_black_form`: proven equal to black itself on generated expressions (every operator
kind, displays, comprehensions, slices, conditional expressions, call chains), at every depth
and line length, in an item of an exploded call, a payload dict, a setup assignment and a
guard's `if`; and at the level of whole blocks, where black must not be called at all."""

from __future__ import annotations

import ast
from unittest import mock

import black
import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

import eventmod.codegen.render as render
from eventmod.analysis.style import Style
from eventmod.codegen.linesplit import split_item, split_statement
from eventmod.codegen.render import Names, RenderOptions, render_block, simple_black_form
from eventmod.model.settings import CallShape
from eventmod.model.spec import Anchor, EventSpec

NAMES = st.sampled_from(["a", "x", "self", "position", "order", "config", "items", "n", "value_with_a_rather_long_name"])
OUTSIDE = ["lambda: 1", "a ** 2", "f(*args)", "f(**kw)", "(a := 1)", "(1,)", "{**a}", "await x", "'é'"]


def _expressions(outside: bool = True):
    atoms = st.one_of(NAMES, st.integers(min_value=0, max_value=99_999).map(str),
                      st.sampled_from(['"s"', '"a longer string value"', "None", "True", "'q'", "1.5", 'f"{a}-{n!r:>10}"',
                                       "f'wave_{x}'"]))

    def extend(inner):
        shapes = [
            st.tuples(inner, NAMES).map(lambda t: f"{t[0]}.{t[1]}"),
            st.tuples(NAMES, st.lists(inner, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
            st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
            st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} if {t[1]} else {t[2]}"),
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "//", "%", "|", "&", "^", "<<", "@"]), inner).map(" ".join),
            st.tuples(inner, st.sampled_from(["==", "!=", "<", ">=", "is", "is not", "in", "not in"]), inner).map(" ".join),
            st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(" ".join),
            inner.map(lambda e: f"not {e}"),
            inner.map(lambda e: f"-{e}"),
            inner.map(lambda e: f"~{e}"),
            inner.map(lambda e: f"({e})"),
            st.tuples(inner, inner).map(lambda t: f"({t[0]}, {t[1]})"),
            st.lists(inner, max_size=4).map(lambda xs: f"[{', '.join(xs)}]"),
            st.lists(inner, min_size=1, max_size=3).map(lambda xs: "{" + ", ".join(xs) + "}"),
            st.lists(st.tuples(inner, inner), max_size=3).map(lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"),
            st.tuples(inner, NAMES, inner, st.one_of(st.none(), inner)).map(
                lambda t: f"[{t[0]} for {t[1]} in {t[2]}" + (f" if {t[3]}" if t[3] else "") + "]"),
            st.tuples(NAMES, inner, NAMES, inner).map(lambda t: "{" + f"{t[0]}: {t[1]} for {t[2]} in {t[3]}" + "}"),
            st.tuples(NAMES, inner, NAMES, NAMES, inner).map(lambda t: f"{t[0]}({t[1]} for {t[2]}, {t[3]} in {t[4]})"),
            st.tuples(inner, st.sampled_from(["", "1", "n", "a.b", "x + 1"]), st.sampled_from(["", "2", "m", "f(x)"])).map(
                lambda t: f"{t[0]}[{t[1]}:{t[2]}]"),
            st.tuples(inner, st.sampled_from(["", "1"]), st.sampled_from(["2", "n"])).map(lambda t: f"{t[0]}[{t[1]}::{t[2]}]"),
            st.tuples(NAMES, inner, NAMES, inner).map(lambda t: f"{t[0]}({t[1]}).{t[2]}({t[3]})"),
            st.tuples(NAMES, NAMES, inner).map(lambda t: f"{t[0]}({t[1]}={t[2]})"),
            st.tuples(inner, inner).map(lambda t: f'"abc" "def" if {t[0]} else {t[1]}'),
            st.tuples(inner, inner, inner, inner).map(lambda t: f"{t[0]} if {t[1]} else {t[2]} if {t[3]} else None"),
            inner.map(lambda e: f"f()({e})()"),
        ]
        if outside:
            shapes.append(st.sampled_from(OUTSIDE))
        return st.one_of(*shapes)

    return st.recursive(atoms, extend, max_leaves=14)


def _one_line(expr: str) -> str | None:
    """`expr` as black writes it on one line (what the layout puts in an item), or None."""
    try:
        formatted = black.format_str(f"__eventmod__({expr})\n", mode=black.Mode(line_length=10_000, string_normalization=False))
    except Exception:
        return None
    formatted = formatted.strip()
    return None if "\n" in formatted else formatted[len("__eventmod__("):-1]


def _levels(lines: list[str]) -> list[tuple[int, str]]:
    return [((len(line) - len(line.lstrip(" "))) // 4, line.lstrip(" ")) for line in lines]


def black_item(item: str, depth: int, line_length: int, in_dict: bool) -> list[tuple[int, str]]:
    """black's layout of `item` at `depth`, inside an exploded call (and a payload dict)."""
    levels = depth - 2 if in_dict else depth - 1
    scaffold = ["async def f():"] + ["    " * (d + 1) + "if x:" for d in range(levels - 1)]
    inner = "    " * levels
    opener = [inner + "g(", inner + "    {"] if in_dict else [inner + "g("]
    closer = [inner + "    },", inner + ")"] if in_dict else [inner + ")"]
    source = "\n".join([*scaffold, *opener, "    " * depth + item, *closer]) + "\n"
    out = black.format_str(source, mode=black.Mode(line_length=line_length, string_normalization=False)).rstrip("\n").split("\n")
    return _levels(out[len(scaffold) + len(opener):len(out) - len(closer)])


def black_statement(statement: str, depth: int, line_length: int) -> list[tuple[int, str]]:
    scaffold = ["async def f():"] + ["    " * (d + 1) + "if x:" for d in range(depth - 1)]
    tail = ["    " * (depth + 1) + "pass"] if statement.startswith("if ") else []
    source = "\n".join([*scaffold, "    " * depth + statement, *tail]) + "\n"
    out = black.format_str(source, mode=black.Mode(line_length=line_length, string_normalization=False)).rstrip("\n").split("\n")
    return _levels(out[len(scaffold):len(out) - len(tail)])


WIDTHS = st.sampled_from([20, 30, 40, 50, 60, 79, 88, 100, 120])


@settings(max_examples=400, deadline=None)
@given(expr=_expressions(), key=st.sampled_from(['"symbol": ', "'k': ", '"a_rather_long_payload_key": ', "kw=", "exchange_name=", ""]),
       depth=st.integers(min_value=2, max_value=7), line_length=WIDTHS)
def test_an_item_is_split_as_black_splits_it(expr, key, depth, line_length):
    line = _one_line(expr)
    assume(line is not None)
    item = f"{key}{line},"
    depth += key.endswith(": ")  # a payload item is a level inside its dict, in a call, in a function
    mine = split_item(item, depth, line_length)
    event("black decides" if mine is None else "split" if len(mine) > 1 else "one line")
    if mine is not None:
        assert mine == black_item(item, depth, line_length, in_dict=key.endswith(": "))


@settings(max_examples=300, deadline=None)
@given(expr=_expressions(), shape=st.sampled_from(["name = {}", "a_longer_target_name = {}", "if {}:", "if event_logger and ({}):"]),
       depth=st.integers(min_value=1, max_value=6), line_length=WIDTHS)
def test_a_statement_is_split_as_black_splits_it(expr, shape, depth, line_length):
    line = _one_line(expr)
    assume(line is not None)
    statement = shape.format(line)
    mine = split_statement(statement, depth, line_length)
    event("black decides" if mine is None else "split" if len(mine) > 1 else "one line")
    if mine is not None:
        assert mine == black_statement(statement, depth, line_length)


# Shapes a payload, a setup statement or a condition takes in real code: each is split without
# black, exactly as black splits it.
ITEMS = [
    '"stop_loss_price": float(position.stop_loss_price) if position.stop_loss_price is not None else None,',
    '"exchanges": list(set(p.exchange for p in self.positions.values())),',
    '"previous_status": self.processed_waves[expected_wave_timestamp]["status"],',
    '"failures": [{"number": f["number"], "symbol": f["symbol"], "error_type": f["error_type"], "message": f["message"]} for f in failed],',
    '"pending_tasks": sum(1 for task in self._tasks if not task.done()),',
    '"uptime_seconds": time.monotonic() - self.started_at if self.started_at else 0.0,',
    'request_id=request.headers.get("x-request-id") or request.headers.get("x-correlation-id") or generate_id(),',
    '"cart_total": sum(item.unit_price * item.quantity for item in cart.items if not item.removed),',
    '"user": {"id": user.id, "email": user.email, "roles": sorted(role.name for role in user.roles)},',
    '"elapsed_ms": round((time.perf_counter() - started) * 1000, 3) if started is not None else None,',
    '"summary": client.session.query(Order).filter(Order.status == status).order_by(Order.created).first(),',
    '"label": "a long implicit " "concatenation of two string literals that does not fit on one line",',
    '"retries": [attempt.number for attempt in job.attempts[:10] if attempt.failed and attempt.number > 1],',
    '"allowed": request.client_address_from_the_forwarded_headers in settings.allowed_client_addresses,',
    '"blocked": request.client_address_from_the_forwarded_headers not in settings.allowed_client_addresses,',
    'correlation_id=f"wave_{expected_wave_timestamp}_{attempt_number}" if attempt_number else f"wave_{wave_id}",',
]
STATEMENTS = [
    "duration_seconds = (datetime.now(timezone.utc) - started_at).total_seconds()",
    'activation_rate = self.stats["total_activated"] / max(self.stats["total_created"], 1)',
    "if event_logger and (rounding_error_pct > self.config.rounding_tolerance_percent):",
    "if event_logger and (response.status_code >= 500 or response.elapsed.total_seconds() > timeout):",
    "payload_size = len(json.dumps(message.body, default=str, separators=(',', ':')).encode())",
    "result_value = client.fetch(resource_identifier, timeout=configured_timeout).payload_body_text",
    "if event_logger and (request.client_address_from_the_forwarded_headers in settings.allowed_addresses):",
]


@pytest.mark.parametrize("depth", [3, 5, 7])
@pytest.mark.parametrize("item", ITEMS)
def test_common_items_are_split_without_black(item, depth):
    mine = split_item(item, depth, 88)
    assert mine is not None
    assert mine == black_item(item, depth, 88, in_dict=item.startswith('"'))


@pytest.mark.parametrize("depth", [1, 3, 5])
@pytest.mark.parametrize("statement", STATEMENTS)
def test_common_statements_are_split_without_black(statement, depth):
    mine = split_statement(statement, depth, 79)
    assert mine is not None
    assert mine == black_statement(statement, depth, 79)


@pytest.mark.parametrize("value", OUTSIDE + ["f(a,)", "[a, b,]"])
def test_outside_the_subset_black_decides(value):
    assert split_item(f'"k": {value},', 3, 20) is None
    assert split_statement(f"name = {value}", 3, 20) is None


def test_parentheses_black_would_drop_from_a_statement_are_left_to_black():
    assert split_statement("name = (a_rather_long_name + another_rather_long_name)", 3, 20) is None
    assert split_item('"k": (a_rather_long_name + another_rather_long_name),', 3, 20) is not None  # kept there


@pytest.mark.parametrize("line", ["x += 1", "return x", "for a in b:", '"k": v', "a, b"])
def test_other_lines_are_not_read_as_items_or_statements(line):
    assert split_statement(line, 1, 10) is None
    assert split_item(line, 1, 10) is None


@settings(max_examples=300, deadline=None)
@given(_expressions())
def test_the_fast_form_never_claims_an_expression_black_would_change(expr):
    """Displays, comprehensions and simple slices are in `simple_black_form`'s subset: where it
    answers the text as written, black writes the same."""
    try:
        ast.parse(expr, mode="eval")
    except SyntaxError:
        return  # the spec loader refuses it before anything renders
    if simple_black_form(expr) == expr:
        assert _one_line(expr) == expr


@pytest.mark.parametrize("expr", [
    '[{"symbol": z.symbol, "reason": z.reason} for z in zombies[:10]]', "issues[:5]", "{k: v for k, v in items}",
    "rows[1:n, 2]", "[x for (a, b) in pairs if a in (1, 2)]", 'data["from":]',
])
def test_displays_comprehensions_and_simple_slices_need_no_black(expr):
    assert simple_black_form(expr) == expr
    assert _one_line(expr) == expr


# -- whole blocks: black is not called, and the layout is black's --------------------------------
def _event(payload, setup=(), when=""):
    return EventSpec(id="e", event="SOMETHING_HAPPENED", value="something_happened", function="f", anchor=Anchor("at", "start"),
                     payload=tuple(payload), kwargs=(("symbol", "symbol"),), severity="INFO", component="c",
                     spec_file="s.yaml", line=1, setup=tuple(setup), when=when)


def _black_path(event, options, names, style, indent):
    with mock.patch.object(render, "split_long_calls", lambda *args: None):
        return render_block(event, options, names, style, indent)


@settings(max_examples=150, deadline=None)
@given(payload=st.lists(_expressions(outside=False), min_size=1, max_size=3),
       setup=st.lists(_expressions(outside=False), max_size=1), when=st.one_of(st.just(""), _expressions(outside=False)),
       depth=st.integers(min_value=1, max_value=5), line_length=st.sampled_from([60, 79, 88, 120]),
       unit=st.sampled_from(["    ", "  ", "\t"]), failsafe=st.booleans(), keyword=st.sampled_from(["", "data"]))
def test_blocks_are_laid_out_as_black_lays_them_out(payload, setup, when, depth, line_length, unit, failsafe, keyword):
    values = [_one_line(expr) for expr in [*payload, *setup, *([when] if when else [])]]
    assume(all(value is not None for value in values))
    event = _event([(f"key_{i}", value) for i, value in enumerate(values[:len(payload)])],
                   setup=[f"derived_{i} = {value}" for i, value in enumerate(values[len(payload):len(payload) + len(setup)])],
                   when=values[-1] if when else "")
    style = Style(indent_unit=unit, line_length=line_length)
    options = RenderOptions(emit="await", failsafe=failsafe, call=CallShape(payload_arg=keyword))
    indent = unit * depth
    assert render_block(event, options, Names(), style, indent) == _black_path(event, options, Names(), style, indent)


def test_the_catalogs_long_blocks_need_no_black(monkeypatch):
    calls = []
    monkeypatch.setattr(render, "black_format", lambda *args: calls.append(args))
    event = _event([("stop_loss_price", "float(position.stop_loss_price) if position.stop_loss_price is not None else None"),
                    ("zombies", '[{"symbol": z.symbol, "order_id": z.order_id, "reason": z.reason} for z in zombies[:10]]'),
                    ("exchanges", "list(set(p.exchange for p in self.positions.values()))")],
                   setup=['activation_rate = self.stats["total_activated"] / max(self.stats["total_created"], 1)'],
                   when="rounding_error_pct > self.config.rounding_tolerance_percent")
    block = render_block(event, RenderOptions(emit="await", failsafe=True), Names(), Style(), "    " * 4)
    assert calls == []
    assert max(len(line) for line in block) <= 88
    monkeypatch.undo()
    assert block == _black_path(event, RenderOptions(emit="await", failsafe=True), Names(), Style(), "    " * 4)


def test_with_another_black_release_black_lays_out_the_lines(monkeypatch):
    """The port is black 26's stable style: with another black installed, an over-long item is
    black's to lay out (split_long_calls answers None), as before the port."""
    from eventmod.codegen import black_cache, linesplit

    item = '"stop_loss_price": float(position.stop_loss_price) if position.stop_loss_price is not None else None,'
    lines = ["await event_logger.log_event(", "    EventType.X,", "    {", "        " + item, "    },", ")"]
    assert linesplit.mirrors(black.__version__)
    assert render.split_long_calls(lines, 2, Style()) is not None
    for version in ("25.12.0", "27.1.0", None):
        monkeypatch.setattr(black_cache, "installed_version", lambda name, _v=version: _v)
        render._port_mirrors_black.cache_clear()
        assert render.split_long_calls(lines, 2, Style()) is None
    monkeypatch.undo()
    render._port_mirrors_black.cache_clear()


# -- real expressions: the standard library as a corpus ------------------------------------------
def _stdlib_expressions(seed: int, files: int, count: int) -> list[str]:
    """Single-line expressions (calls, subscripts, operators, displays, comprehensions, ...)
    of a seeded sample of the running interpreter's standard library."""
    import os
    import random
    import sysconfig

    stdlib = sysconfig.get_paths()["stdlib"]
    paths = []
    for directory, dirs, names in os.walk(stdlib):
        dirs[:] = sorted(d for d in dirs if d not in ("test", "tests", "idle_test", "site-packages", "__pycache__"))
        paths += [os.path.join(directory, name) for name in sorted(names) if name.endswith(".py")]
    chooser = random.Random(seed)
    chooser.shuffle(paths)
    found: list[str] = []
    for path in paths[:files]:
        try:
            source = open(path, encoding="utf-8").read()
            tree = ast.parse(source)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        lines = source.split("\n")
        for node in ast.walk(tree):
            if (isinstance(node, ast.expr) and not isinstance(node, (ast.Name, ast.Constant, ast.Starred))
                    and getattr(node, "end_lineno", None) == node.lineno):
                text = lines[node.lineno - 1].encode("utf-8")[node.col_offset:node.end_col_offset].decode("utf-8", "replace")
                if 25 <= len(text) <= 160:
                    found.append(text)
    chooser.shuffle(found)
    return found[:count]


@pytest.mark.slow
def test_real_expressions_are_split_as_black_splits_them():
    """400 expressions of the standard library, each in a payload item, a keyword argument and a
    setup assignment, at seeded depths and line lengths: wherever the port answers, its answer
    is black's (and it answers for nearly all of them)."""
    import random

    chooser = random.Random(20261130)
    answered = compared = 0
    for expr in _stdlib_expressions(20261130, 200, 400):
        line = _one_line(expr)
        if line is None:
            continue
        for context in ("item", "keyword", "statement"):
            depth, width = chooser.randint(2, 6), chooser.choice([30, 40, 60, 79, 88, 100])
            compared += 1
            if context == "statement":
                text = f"target_name = {line}"
                mine = split_statement(text, depth, width)
                if mine is not None:
                    answered += 1
                    assert mine == black_statement(text, depth, width), text
                continue
            text, depth = (f'"some_key": {line},', depth + 1) if context == "item" else (f"argument={line},", depth)
            mine = split_item(text, depth, width)
            if mine is not None:
                answered += 1
                assert mine == black_item(text, depth, width, in_dict=context == "item"), text
    assert compared > 1000 and answered > 0.85 * compared, (answered, compared)
