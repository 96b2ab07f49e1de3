"""The direct renderer writes black's layout: proven against black itself on generated blocks."""

from __future__ import annotations

import black
from hypothesis import given, settings
from hypothesis import strategies as st

from eventmod.analysis.style import Style
from eventmod.codegen.render import Names, RenderOptions, format_expression, render_block, simple_black_form
from eventmod.model.settings import CallShape
from eventmod.model.spec import Anchor, EventSpec

NAMES = st.sampled_from(["symbol", "ts", "position", "self", "order", "result", "exc", "qty"])
ATTRS = st.sampled_from(["id", "symbol", "current_stop_price", "exchange_name", "side"])
KEYS = st.sampled_from(["'id'", '"symbol"', "0", "1"])


def _atoms():
    name = NAMES
    attribute = st.tuples(NAMES, ATTRS).map(lambda t: f"{t[0]}.{t[1]}")
    subscript = st.tuples(NAMES, KEYS).map(lambda t: f"{t[0]}[{t[1]}]")
    number = st.integers(min_value=0, max_value=10_000).map(str)
    string = st.sampled_from(["'reason'", '"price_reached"', "'it''s'", "f'{symbol}-x'", "'a\"b'"])
    return st.one_of(name, attribute, subscript, number, string)


def _expressions():
    def extend(inner):
        call = st.tuples(st.sampled_from(["float", "len", "str", "int", "round", "max"]), st.lists(inner, min_size=1, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})")
        binary = st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "==", "!=", "<", ">=", "and", "or", "in"]), inner).map(
            lambda t: f"{t[0]} {t[1]} {t[2]}")
        method = st.tuples(inner, st.sampled_from(["get", "upper", "isoformat"])).map(lambda t: f"({t[0]}).{t[1]}()")
        spaced = st.tuples(inner, inner).map(lambda t: f"max( {t[0]},{t[1]} )")  # not black's form
        return st.one_of(call, binary, method, spaced)

    return st.recursive(_atoms(), extend, max_leaves=6)


def _black(text: str, line_length: int = 88, normalize_strings: bool = True) -> str:
    return black.format_str(text, mode=black.Mode(line_length=line_length, string_normalization=normalize_strings))


@settings(max_examples=200, deadline=None)
@given(_expressions())
def test_simple_form_never_claims_an_expression_black_would_change(expr):
    """When the fast path says "already black's form", black agrees; otherwise black decides.
    (Quotes are normalised separately, before the fast path, hence no string normalisation.)"""
    if simple_black_form(expr) == expr:
        assert _black(f"f({expr})\n", 10_000, normalize_strings=False) == f"f({expr})\n"
    formatted = format_expression(expr, '"', True)
    assert _black(f"f({formatted})\n", 10_000) == f"f({formatted})\n"


@settings(max_examples=120, deadline=None)
@given(
    payload=st.lists(st.tuples(st.from_regex(r"[a-z_]{1,12}", fullmatch=True), _expressions()), min_size=0, max_size=5, unique_by=lambda kv: kv[0]),
    emit=st.sampled_from(["await", "background", "sync"]),
    call=st.builds(CallShape, kind=st.sampled_from(["getter", "function"]), method=st.sampled_from(["log_event", "emit"]),
                   is_async=st.booleans(), sync_method=st.sampled_from(["", "log_event_nowait"]),
                   payload_arg=st.sampled_from(["", "data"]), severity_arg=st.sampled_from(["severity", "level", ""])),
    depth=st.integers(min_value=1, max_value=5),
    line_length=st.sampled_from([60, 88, 120]),
    when=st.one_of(st.none(), _expressions()),
    failsafe=st.booleans(),
    level=st.sampled_from(["warning", "debug"]),
    loop_guard=st.booleans(),
    local_import=st.sampled_from(["", "from core.event_logger import EventType, get_event_logger",
                                  "from core.event_logger import get_event_logger as get_event_logger_, EventType as EventType_"]),
    report=st.sampled_from(["logger", "log", "logging.getLogger(__name__)", "logging_.getLogger(__name__)"]),
    setup=st.lists(st.sampled_from(["total = len(results)", "label = symbol.upper()", "n=1"]), max_size=2),
)
def test_rendered_blocks_are_exactly_what_black_writes(payload, emit, call, depth, line_length, when, failsafe, level, loop_guard,
                                                        local_import, report, setup):
    """Every shape (fail-safe or not, its report line, the running-loop guard of a sync
    function, a function-local import, setup statements, every call shape: getter or
    function, method name, sync call, payload by keyword, severity keyword or none) is laid out
    exactly as black would."""
    if emit == "sync" and not call.sync_call:
        emit = "await"  # no sync call: placement refuses `emit: sync` before anything renders
    event = EventSpec(
        id="e", event="SOME_EVENT", value="some_event", function="f", anchor=Anchor("at", "start"),
        payload=tuple(payload), kwargs=(("symbol", "symbol"),), severity="INFO", component="c",
        spec_file="s.yaml", line=1, comment="A comment", when=when, setup=tuple(setup),
    )
    style = Style(line_length=line_length)
    indent = "    " * depth
    options = RenderOptions(emit=emit, failsafe=failsafe, failsafe_level=level, loop_guard=loop_guard and emit == "background",
                            local_import=local_import, call=call)
    block = render_block(event, options, Names(report=report, function="log_event_" if call.function else ""), style, indent)
    scaffold = ["async def f():"] + [f"{'    ' * d}if x:" for d in range(1, depth)]
    source = "\n".join(scaffold + block) + "\n"
    assert _black(source, line_length) == source
    compile(source, "block.py", "exec")
