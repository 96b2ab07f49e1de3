"""Blocks whose only over-long lines are message calls (the fail-safe report, the running-loop
guard's debug line) are laid out without black: proven equal to black's layout on generated
blocks (event names of every length, receivers, depths, line lengths, indent units), and black
is not called for them."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eventmod.codegen.render as render
from eventmod.analysis.style import Style
from eventmod.codegen.render import Names, RenderOptions, render_block, split_long_calls
from eventmod.model.settings import CallShape
from eventmod.model.spec import Anchor, EventSpec


def _event(name: str, payload=(("symbol", "symbol"),), on_error_message: str = "") -> EventSpec:
    return EventSpec(id="e", event=name, value=name.lower(), function="f", anchor=Anchor("at", "start"),
                     payload=tuple(payload), kwargs=(("symbol", "symbol"),), severity="INFO", component="c",
                     spec_file="s.yaml", line=1)


def _black_path(event, options, names, style, indent):
    with mock.patch.object(render, "split_long_calls", lambda *args: None):
        return render_block(event, options, names, style, indent)


@settings(max_examples=150, deadline=None)
@given(
    name=st.from_regex(r"[A-Z][A-Z_]{2,70}", fullmatch=True),
    depth=st.integers(min_value=1, max_value=6),
    line_length=st.sampled_from([50, 60, 79, 88, 100, 120]),
    unit=st.sampled_from(["    ", "  ", "\t"]),
    report=st.sampled_from(["logger", "log", "self._logger", "logging.getLogger(__name__)", "a_very_long_module_logger_name"]),
    level=st.sampled_from(["warning", "debug", "exception"]),
    emit=st.sampled_from(["await", "background"]),
    loop_guard=st.booleans(),
    quote=st.sampled_from(['"', "'"]),
)
def test_direct_split_equals_blacks_layout(name, depth, line_length, unit, report, level, emit, loop_guard, quote):
    event = _event(name)
    style = Style(indent_unit=unit, line_length=line_length, quote=quote)
    options = RenderOptions(emit=emit, failsafe=True, failsafe_level=level, loop_guard=loop_guard and emit == "background",
                            call=CallShape())
    names = Names(report=report)
    indent = unit * depth
    assert render_block(event, options, names, style, indent) == _black_path(event, options, names, style, indent)


@pytest.mark.parametrize("name,line_length,depth", [
    ("PHANTOM_POSITIONS_CLOSED", 88, 4),  # arguments fit on one line below the head
    ("POSITION_REQUEST_CREATION_ERROR_LONG", 88, 4),  # one argument a line
    ("X", 60, 1),
])
def test_report_lines_that_do_not_fit_are_split_without_black(name, line_length, depth, monkeypatch):
    calls = []
    monkeypatch.setattr(render, "black_format", lambda *args: calls.append(args))
    style = Style(line_length=line_length)
    options = RenderOptions(emit="await", failsafe=True)
    block = render_block(_event(name), options, Names(), style, "    " * depth)
    assert calls == []
    report = block[block.index("    " * depth + "except Exception:") + 1:]
    assert report[0].endswith(".warning(") and report[-1].strip() == ")"
    assert all(len(line) <= line_length for line in report if "Could not log" not in line)


def test_other_long_lines_are_left_to_black():
    style = Style(line_length=60)
    lines = ["x = 1", "    " + "total += " + "value_" * 12]
    assert split_long_calls(lines, 2, style) is None  # neither an item, a setup assignment nor the guard
    assert split_long_calls(["logger.warning('short', exc_info=True)"], 1, style) is None  # nothing to split
    assert split_long_calls(["f(" + "a" * 80 + ")"], 1, style) is None  # not a message call
    message = "logger.warning('" + "m" * 70 + "', exc_info=True)"
    assert split_long_calls([message], 1, Style(line_length=60)) is None  # the message alone overflows: black decides


@settings(max_examples=150, deadline=None)
@given(st.lists(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,15}", fullmatch=True), min_size=1, max_size=5).map(".".join))
def test_dotted_names_are_blacks_form_as_written(text):
    import black
    import keyword

    if any(keyword.iskeyword(part) for part in text.split(".")):
        return  # not an expression: the loader refuses it before anything renders
    assert render.format_expression(text, '"', True) == text
    formatted = black.format_str(f"f({text})\n", mode=black.Mode(line_length=10_000))
    assert formatted == f"f({text})\n"


@settings(max_examples=120, deadline=None)
@given(
    message=st.from_regex(r"[A-Za-z ,:'\"]{1,90}(\{exc\})?[a-z ]{0,20}", fullmatch=True),
    depth=st.integers(min_value=1, max_value=6),
    line_length=st.sampled_from([50, 60, 79, 88, 120]),
    unit=st.sampled_from(["    ", "  ", "\t"]),
    report=st.sampled_from(["logger", "self.log", "logging.getLogger(__name__)"]),
    failsafe=st.booleans(),
)
def test_on_error_message_lines_split_like_black(message, depth, line_length, unit, report, failsafe):
    """An on_error `message` line (`<logger>.error(f"...")`, quotes and commas inside) that does
    not fit is laid out as black lays it out."""
    from eventmod.model.spec import OnError

    event = EventSpec(id="e", event="SOME_EVENT", value="some_event", function="f", anchor=Anchor("on_error", "x()"),
                      payload=(("symbol", "symbol"),), kwargs=(), severity="ERROR", component="c", spec_file="s.yaml",
                      line=1, on_error=OnError(message=message))
    style = Style(indent_unit=unit, line_length=line_length)
    options = RenderOptions(emit="await", failsafe=failsafe, call=CallShape())
    names = Names(report=report)
    indent = unit * depth
    assert render_block(event, options, names, style, indent) == _black_path(event, options, names, style, indent)
