"""Never break the caller: setup freshness, enum member names, scope soundness in both
directions, dead code, the expression allowlist and bad input. Each class has several cases;
where eventmod accepts, the instrumented code is executed next to the original and must
return/raise the same and log on the right path only."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from eventmod import api
from eventmod.model.results import Status
from tests.instrument import Recorder, errors, execute, new_text, plan_project, same_behaviour


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def refused(tmp_path: Path, module: str, events: list[dict], *needles: str, **kw) -> str:
    run = plan_project(tmp_path, src(module), events, **kw)
    found = errors(run)
    assert found, "expected a refusal"
    text = "\n".join(found)
    for needle in needles:
        assert needle in text, f"{needle!r} not in:\n{text}"
    assert all(":" in e and e.split(":")[1].strip().isdigit() for e in found), found  # located
    assert "internal error" not in text
    return text


def accepted(tmp_path: Path, module: str, events: list[dict], function: str, calls: list[tuple], **kw) -> Recorder:
    run = plan_project(tmp_path, src(module), events, **kw)
    assert not errors(run), errors(run)
    return same_behaviour(src(module), new_text(run), function, calls)


# == 2. setup binds only fresh names ===============================================================
SETUP_MODULE = '''
import logging

logger = logging.getLogger(__name__)
LIMIT = 3


def helper(v):
    return v


async def f(results, limit=2):
    total = 0
    for r in results:
        total += r
    logger.info("summed")
    def inner():
        return flag
    flag = True
    return total, inner(), LIMIT
'''


@pytest.mark.parametrize("statement,needle", [
    ("total = len(results)", "f already uses it (bound at line 12)"),  # the README's old example
    ("logger = None", "the module binds it (line 3)"),
    ("results = []", "f already uses it"),
    ("limit = 5", "f already uses it"),
    ("len = 3", "it is a builtin"),
    ("event_logger = 1", "the generated block itself uses that name"),
    ("flag = False", "f already uses it"),  # read by the nested function
    ("LIMIT = 4", "the module binds it"),
    ("get_event_logger = None", "the generated block itself uses that name"),
    ("count, total = 1, 2", "binds 'total'"),
])
def test_setup_may_only_bind_fresh_names(tmp_path, statement, needle):
    refused(tmp_path, SETUP_MODULE, [{"after_log": "summed", "setup": [statement], "payload": {"v": "1"}}],
            "setup may only bind fresh names", needle)


def test_setup_refused_in_an_enclosing_functions_scope(tmp_path):
    module = '''
    def outer(items):
        count = len(items)
        def f():
            return 1
        return f() + count
    '''
    refused(tmp_path, module, [{"in": "outer.f", "at": "start", "emit": "background", "setup": ["count = 0"]}],
            "variable of the enclosing function outer")


@pytest.mark.parametrize("statement,needle", [
    ("self.total = 1", "assigns to `self.total`, which changes a value"),
    ("results[0] = 1", "assigns to `results[0]`"),
    ("total += 1", "an augmented assignment changes an existing name"),
    ("print(results)", "a bare expression only has side effects"),
    ("n = results.pop()", "calling .pop() is not allowed"),
    ("n = getattr(results, 'x')", "getattr is not allowed"),
    ("n = (m := 1)", "assignment expression (:=) is not allowed"),
    ("import os", "a `import` statement"),
    ("n = 1; m = 2", "must be one statement"),
])
def test_setup_statements_are_simple_assignments_of_allowed_expressions(tmp_path, statement, needle):
    refused(tmp_path, SETUP_MODULE, [{"after_log": "summed", "setup": [statement]}], needle)


def test_setup_expressions_are_checked_like_payloads(tmp_path):
    refused(tmp_path, SETUP_MODULE, [{"after_log": "summed", "setup": ["n = len(missing)"]}],
            "setup[0] uses 'missing', which is not bound")
    refused(tmp_path / "b", SETUP_MODULE, [{"after_log": "summed", "setup": ["n = logging.sys.modules"]}],
            "reaches through the module `logging`")
    refused(tmp_path / "c", SETUP_MODULE, [{"after_log": "summed", "setup": ["n = helper(total)"]}],
            "calling helper(), a function of the target file")


def test_fresh_setup_runs_and_leaves_the_function_alone(tmp_path):
    recorder = accepted(tmp_path, SETUP_MODULE, [{
        "after_log": "summed", "setup": ["result_count = len(results)", "average = total / max(result_count, 1)"],
        "payload": {"count": "result_count", "average": "average"}}], "f", [([1, 2, 3],), ([],)])
    assert [e[1] for e in recorder.events] == [{"count": 3, "average": 2.0}, {"count": 0, "average": 0.0}]


def test_the_old_readme_example_really_broke_the_caller(tmp_path):
    """Why freshness matters: the statement eventmod now refuses changes what f returns."""
    module = src(SETUP_MODULE)
    spliced = module.replace('    logger.info("summed")\n', '    logger.info("summed")\n    total = len(results)\n')
    assert execute(module, "f", [([5, 5],)])[0][1][0] == 10
    assert execute(spliced, "f", [([5, 5],)])[0][1][0] == 2


# == 4. enum member names ==========================================================================
ENUM_MODULE = '''
import logging

logger = logging.getLogger(__name__)


async def f(x):
    logger.info("go")
    return x
'''


def enum_logger(body: str, head: str = "class EventType(str, Enum):") -> str:
    return f"from enum import Enum, auto\n\n\n{head}\n{textwrap.indent(src(body), '    ')}\n\nclass EventLogger:\n    async def log_event(self, event_type, event_data, **context):\n        pass\n\n\ndef get_event_logger():\n    return None\n"


@pytest.mark.parametrize("name,needle", [
    ("mro", "would shadow EnumType.mro"),
    ("name", "would shadow Enum.name"),
    ("value", "would shadow Enum.value"),
    ("upper", "would shadow str.upper"),
    ("count", "would shadow str.count"),
    ("__X__", "is a dunder name"),
    ("_X_", "is a _sunder_ name"),
    ("__X", "is a private name"),
    ("_X", "starts with an underscore"),
])
def test_enum_names_that_break_the_enum_are_refused(tmp_path, name, needle):
    refused(tmp_path, ENUM_MODULE, [{"event": name, "after_log": "go"}], needle, "event:")


def test_str_methods_are_only_refused_for_str_enums(tmp_path):
    logger = enum_logger('A = "a"', head="class EventType(Enum):")
    run = plan_project(tmp_path, src(ENUM_MODULE), [{"event": "upper", "after_log": "go", "emit": "background"}], logger=logger)
    assert not errors(run), errors(run)
    refused(tmp_path / "b", ENUM_MODULE, [{"event": "name", "after_log": "go"}], "would shadow Enum.name", logger=logger)


@pytest.mark.parametrize("body,name,needle", [
    ("A = auto()", "A", "already exists in core/event_logger.py:5 as a member whose value is not a string literal (`auto()`)"),
    ("A = 'a'.upper()", "A", "not a string literal"),
    ("A = 1", "A", "not a string literal (`1`)"),
    ("A = 'a'\ndef describe(self):\n    return self.value", "describe", "as a method"),
    ("A = 'a'\n@property\ndef label(self):\n    return self.value", "label", "as a property"),
    ("A = 'a'\nclass Nested:\n    pass", "Nested", "as a nested class"),
])
def test_names_the_enum_binds_otherwise_are_refused(tmp_path, body, name, needle):
    refused(tmp_path, ENUM_MODULE, [{"event": name, "after_log": "go"}], needle, logger=enum_logger(body))


def test_mixin_defined_in_the_enum_file_counts(tmp_path):
    logger = ("from enum import Enum\n\n\nclass Described:\n    def describe(self):\n        return 'x'\n\n\n"
              "class EventType(Described, str, Enum):\n    A = 'a'\n\n\nclass EventLogger:\n    async def log_event(self, event_type, event_data, **context):\n        pass\n\n\ndef get_event_logger():\n    return None\n")
    refused(tmp_path, ENUM_MODULE, [{"event": "describe", "after_log": "go"}], "would shadow Described.describe", logger=logger)


@pytest.mark.parametrize("name,needle", [
    ("ＰOSITION_OPENED", "write `event: POSITION_OPENED`"),
    ("ﬁLLED", "write `event: fiLLED`"),
    ("class", "is a Python keyword"),
    ("None", "is a Python keyword"),
])
def test_names_python_reads_differently_are_refused(tmp_path, name, needle):
    refused(tmp_path, ENUM_MODULE, [{"event": name, "after_log": "go"}], needle)


def test_two_names_normalising_to_one_member_are_refused(tmp_path):
    text = refused(tmp_path, ENUM_MODULE, [{"event": "BOT_STARTED", "after_log": "go"}, {"event": "ＢOT_STARTED", "after_log": "go", "id": "e2"}],
                   "NFKC")
    assert "BOT_STARTED" in text


def test_private_name_message_follows_the_target_python(tmp_path):
    old = refused(tmp_path, ENUM_MODULE, [{"event": "__X", "after_log": "go"}], "on Python 3.10",
                  pyproject='[project]\nname = "t"\nrequires-python = ">=3.10"\n')
    assert "DeprecationWarning" in old
    new = refused(tmp_path / "b", ENUM_MODULE, [{"event": "__X", "after_log": "go"}], "Python 3.12 mangles",
                  pyproject='[project]\nname = "t"\nrequires-python = ">=3.12"\n')
    assert "DeprecationWarning" not in new


def test_non_ascii_names_need_a_target_at_least_as_new_as_the_interpreter(tmp_path):
    refused(tmp_path, ENUM_MODULE, [{"event": "ÉVÉNEMENT", "after_log": "go"}], "is not ASCII",
            pyproject='[project]\nname = "t"\nrequires-python = ">=3.9"\n')
    run = plan_project(tmp_path / "b", src(ENUM_MODULE), [{"event": "ÉVÉNEMENT", "after_log": "go"}])
    assert not errors(run), errors(run)


def test_enum_file_encoding_must_hold_the_member(tmp_path):
    logger = ("# -*- coding: latin-1 -*-\n" + enum_logger('A = "a"')).encode("latin-1")
    run = plan_project(tmp_path, src(ENUM_MODULE), [{"event": "PRICE", "value": "price_€", "after_log": "go"}], logger=logger.decode("latin-1"))
    assert any("encoded as iso-8859-1" in e or "encoded as latin-1" in e for e in errors(run)), errors(run)


@pytest.mark.parametrize("head,body", [
    ('class EventType(str, Enum): A = "a"', ""),
    ('class EventType(str, Enum): A = "a"; B = "b"  # kept', ""),
    ('class EventType(\n    str, Enum\n): A = "a"', ""),
    ('class EventType(str, Enum): pass', ""),
])
def test_one_line_enum_gets_members_inside_the_class(tmp_path, head, body):
    logger = f"from enum import Enum\n\n\n{head}\n\n\nclass EventLogger:\n    async def log_event(self, event_type, event_data, **context):\n        pass\n\n\ndef get_event_logger():\n    return None\n"
    run = plan_project(tmp_path, src(ENUM_MODULE), [{"event": "NEW_ONE", "after_log": "go"}, {"event": "NEW_TWO", "after_log": "go", "id": "e2"}],
                       logger=logger)
    assert not errors(run), errors(run)
    text = new_text(run, "core/event_logger.py")
    namespace: dict = {}
    exec(text, namespace)
    members = namespace["EventType"].__members__
    assert {"NEW_ONE", "NEW_TWO"} <= set(members), text
    assert members["NEW_ONE"].value == "new_one"
    assert text.count("\ndef get_event_logger") == 1 and "    NEW_ONE = " in text
    if "# kept" in head:
        assert 'B = "b"  # kept' in text
    # the rest of the file is byte-identical
    assert text.endswith("\n\n\nclass EventLogger:\n    async def log_event(self, event_type, event_data, **context):\n        pass\n\n\ndef get_event_logger():\n    return None\n")


# == 5. scope soundness ================================================================================
SCOPE_HEADER = '''
import contextlib
import logging
import threading
from contextlib import suppress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from decimal import Decimal

logger = logging.getLogger(__name__)
LIMIT = 3
'''


@pytest.mark.parametrize("body,payload,needle", [
    # except ... as err: Python deletes err when the handler ends
    ('''
    def f(x):
        try:
            v = 1 / x
        except ZeroDivisionError as err:
            v = 0
        logger.info("after")
        return v
    ''', "str(err)", "an `except ... as` name after its handler"),
    ('''
    def f(x):
        err = "none"
        try:
            v = 1 / x
        except ZeroDivisionError as err:
            v = 0
        logger.info("after")
        return v
    ''', "err", "not bound"),
    # with contextlib.suppress(...): the body may stop anywhere
    ('''
    def f(x):
        with contextlib.suppress(ZeroDivisionError):
            v = 1 / x
        logger.info("after")
        return x
    ''', "v", "a `with` that may swallow an exception"),
    ('''
    def f(x):
        with suppress(ZeroDivisionError):
            v = 1 / x
        logger.info("after")
        return x
    ''', "v", "not bound"),
    ('''
    def f(x, lock):
        with lock:
            v = 1 / x
        logger.info("after")
        return x
    ''', "v", "not bound"),  # an unknown context manager may swallow too (conservative)
    # names imported only under TYPE_CHECKING
    ('''
    def f(x):
        logger.info("after")
        return x
    ''', "Decimal(x)", "only on some paths (under `if TYPE_CHECKING:`"),
    # del in a branch, a with, a try, a finally
    ('''
    def f(x):
        v = 1
        if x:
            del v
        logger.info("after")
        return x
    ''', "v", "not bound"),
    ('''
    def f(x):
        v = 1
        with open("/dev/null") as fh:
            del v
        logger.info("after")
        return x
    ''', "v", "not bound"),
    ('''
    def f(x):
        v = 1
        try:
            del v
        except KeyError:
            pass
        logger.info("after")
        return x
    ''', "v", "not bound"),
    ('''
    def f(x):
        v = 1
        try:
            x += 1
        finally:
            del v
        logger.info("after")
        return x
    ''', "v", "not bound"),
    # walrus in a short-circuit
    ('''
    def f(x):
        ok = x and (y := x * 2)
        logger.info("after")
        return ok
    ''', "y", "not bound"),
    ('''
    def f(x):
        ok = (y := x) if x else 0
        logger.info("after")
        return ok
    ''', "y", "not bound"),
    # a local assigned later shadows the module's LIMIT in the whole function
    ('''
    def f(x):
        logger.info("after")
        LIMIT = x
        return LIMIT
    ''', "LIMIT", "makes it local to the whole function"),
    # a closure variable bound after the nested def
    ('''
    def outer(x):
        def f():
            logger.info("after")
            return v
        v = x
        return f()
    ''', "v", "variable of the enclosing function outer"),
])
def test_names_that_may_be_unbound_are_refused(tmp_path, body, payload, needle):
    function = "outer.f" if "def outer" in body else "f"
    event = {"in": function, "after_log": "after", "payload": {"v": payload}, "emit": "background"}
    refused(tmp_path, SCOPE_HEADER + src(body), [event], needle)


def test_star_import_makes_unknown_names_errors(tmp_path):
    module = "from os.path import *\nimport logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef f(p):\n    logger.info(\"after\")\n    return p\n"
    refused(tmp_path, module, [{"after_log": "after", "payload": {"v": "join(p, 'x')"}, "emit": "background"}],
            "`from os.path import *` (line 1)", "cannot see which names a star import binds", "from os.path import join")


@pytest.mark.parametrize("body,payload,calls,expected", [
    # while True with break: names bound before the break are bound after the loop
    ('''
    async def f(x):
        while True:
            v = x + 1
            if v > 0:
                break
            x += 5
        logger.info("after")
        return v
    ''', "v", [(1,), (-7,)], [{"v": 2}, {"v": 4}]),
    # for ... else binding on both paths
    ('''
    async def f(items):
        for item in items:
            if item > 2:
                found = item
                break
        else:
            found = None
        logger.info("after")
        return found
    ''', "found", [([1, 5],), ([],)], [{"v": 5}, {"v": None}]),
    # walrus in an if test, used in its body
    ('''
    async def f(x):
        if (doubled := x * 2) > 2:
            logger.info("after")
        return x
    ''', "doubled", [(1,), (3,)], [{"v": 6}]),
    ('''
    async def f(x):
        if x and (half := x / 2) > 1:
            logger.info("after")
        return x
    ''', "half", [(0,), (4,)], [{"v": 2.0}]),
    # an exhaustive match
    ('''
    async def f(x):
        match x:
            case 0:
                kind = "zero"
            case int():
                kind = "int"
            case _:
                kind = "other"
        logger.info("after")
        return kind
    ''', "kind", [(0,), (3,), ("s",)], [{"v": "zero"}, {"v": "int"}, {"v": "other"}]),
    ('''
    async def f(x):
        match x:
            case [first, *rest]:
                kind = first
            case other:
                kind = other
        logger.info("after")
        return kind
    ''', "kind", [([1, 2],), (7,)], [{"v": 1}, {"v": 7}]),
    # try / except / else binding on every path
    ('''
    async def f(x):
        try:
            v = 1 / x
        except ZeroDivisionError:
            v = 0
        else:
            v = v * 2
        logger.info("after")
        return v
    ''', "v", [(0,), (2,)], [{"v": 0}, {"v": 1.0}]),
    # context managers known never to swallow
    ('''
    async def f(x):
        lock = threading.Lock()
        with lock:
            pass
        with threading.Lock():
            v = x
        with open("/dev/null") as fh:
            w = x
        logger.info("after")
        return v + w
    ''', "v", [(1,)], [{"v": 1}]),
])
def test_names_bound_on_every_path_are_accepted_and_logged(tmp_path, body, payload, calls, expected):
    module = SCOPE_HEADER + src(body)
    recorder = accepted(tmp_path, module, [{"after_log": "after", "payload": {"v": payload}}], "f", calls)
    assert [e[1] for e in recorder.events] == expected


def test_accepted_blocks_log_on_the_right_path(tmp_path):
    module = SCOPE_HEADER + src('''
    async def f(x):
        if (doubled := x * 2) > 2:
            logger.info("big")
        else:
            logger.info("small")
        while True:
            v = x
            break
        logger.info("after")
        return doubled + v
    ''')
    events = [{"after_log": "big", "payload": {"d": "doubled"}},
              {"after_log": "after", "payload": {"v": "v", "d": "doubled"}, "id": "e2", "event": "X_EVENT_2"}]
    run = plan_project(tmp_path, module, events)
    assert not errors(run), errors(run)
    recorder = same_behaviour(module, new_text(run), "f", [(1,), (3,)])
    assert recorder.events == [
        ("X_EVENT_2", {"v": 1, "d": 2}, {"severity": "INFO"}),
        ("X_EVENT_1", {"d": 6}, {"severity": "INFO"}),
        ("X_EVENT_2", {"v": 3, "d": 6}, {"severity": "INFO"}),
    ]


def test_keyword_only_and_star_args_of_an_enclosing_function(tmp_path):
    module = SCOPE_HEADER + src('''
    async def outer(a, *args, key, **options):
        async def f():
            logger.info("after")
            return len(args)
        return await f()


    async def main():
        return await outer(1, 2, 3, key="k", z=1)
    ''')
    run = plan_project(tmp_path, module, [{"in": "outer.f", "after_log": "after",
                                            "payload": {"key": "key", "n": "len(args)", "o": "sorted(options)", "a": "a"}}])
    assert not errors(run), errors(run)
    recorder = same_behaviour(module, new_text(run), "main", [()])
    assert recorder.events == [("X_EVENT_1", {"key": "k", "n": 2, "o": ["z"], "a": 1}, {"severity": "INFO"})]


# == 7. dead code =====================================================================================
@pytest.mark.parametrize("body,anchor,needle", [
    ('''
    def f(x):
        return x
        logger.info("never")
    ''', {"after_log": "never"}, "the `return` at line"),
    ('''
    def f(x):
        if x:
            return 1
        else:
            raise ValueError(x)
    ''', {"at": "end"}, "every path through it returns"),
    ('''
    def f(x):
        for i in x:
            continue
            logger.info("never")
    ''', {"after_log": "never"}, "the `continue` at line"),
    ('''
    def f(x):
        for i in x:
            break
            logger.info("never")
    ''', {"after_log": "never"}, "the `break` at line"),
    ('''
    def f(x):
        raise ValueError(x)
        logger.info("never")
    ''', {"after_log": "never"}, "the `raise` at line"),
    ('''
    def f(x):
        while True:
            x += 1
        logger.info("never")
    ''', {"after_log": "never"}, "never ends normally"),
    ('''
    def f(x):
        if TYPE_CHECKING:
            logger.info("never")
        return x
    ''', {"after_log": "never"}, "never true at run time"),
    ('''
    def f(x):
        try:
            return x
        finally:
            pass
        logger.info("never")
    ''', {"after_log": "never"}, "every path through it"),
    ('''
    def f(x):
        return x
    ''', {"after": "return x"}, "the `return` at line"),
])
def test_blocks_that_can_never_run_are_refused(tmp_path, body, anchor, needle):
    text = refused(tmp_path, SCOPE_HEADER + src(body), [{**anchor, "emit": "background"}], "no path reaches", needle)
    assert "anchor it before that statement" in text


def test_reachable_after_a_partial_return_is_accepted(tmp_path):
    module = SCOPE_HEADER + src('''
    async def f(x):
        if x:
            return 1
        logger.info("reached")
        return 0
    ''')
    accepted(tmp_path, module, [{"after_log": "reached"}], "f", [(0,), (1,)])


def test_a_present_block_in_dead_code_is_not_counted(tmp_path):
    module = SCOPE_HEADER + src('''
    async def f(x):
        return x
        logger.info("never")
        event_logger = get_event_logger()
        if event_logger:
            await event_logger.log_event(EventType.X_EVENT_1, {}, severity="INFO")
    ''')
    run = plan_project(tmp_path, module, [{"after_log": "never"}])
    outcome = list(run.outcomes())[0]
    assert outcome.status is Status.INVALID and "no path reaches" in outcome.problems[0].message


# == 8. the expression allowlist ========================================================================
POLICY_MODULE = '''
import asyncio
import logging
import os
import time
from datetime import datetime, timezone
from decimal import Decimal
from os import path

logger = logging.getLogger(__name__)


def helper(v):
    return v


async def f(x, items, gen, open=None, input=None):
    call = helper
    logger.info("here")
    return x
'''

REFUSED = [
    ("globals()", "globals is not allowed"),
    ("vars(x)", "vars is not allowed"),
    ("locals()", "locals is not allowed"),
    ("getattr(x, 'real')", "getattr is not allowed"),
    ("setattr(x, 'a', 1)", "setattr is not allowed"),
    ("delattr(x, 'a')", "delattr is not allowed"),
    ("__builtins__", "dunder name is not allowed"),
    ("eval('1')", "call to eval is not allowed"),
    ("exec('1')", "call to exec is not allowed"),
    ("compile('1', 'f', 'eval')", "call to compile is not allowed"),
    ("open('/etc/passwd')", "call to open is not allowed"),
    ("__import__('os')", "call to __import__ is not allowed"),
    ("breakpoint()", "breakpoint is not allowed"),
    ("input()", "input is not allowed"),
    ("exit()", "exit is not allowed"),
    ("quit()", "quit is not allowed"),
    ("help()", "help is not allowed"),
    ("os.system('true')", "`os.system(...)` reaches through the module `os`"),
    ("os.environ", "reaches through the module `os`"),
    ("logging.sys.modules['os']", "`logging.sys.modules` reaches through the module `logging`"),
    ("asyncio.get_event_loop()", "reaches through the module `asyncio`"),
    ("path.join('a', 'b')", "reaches through the module `path`"),
    ("gen.throw(ValueError)", "calling .throw() is not allowed"),
    ("gen.send(None)", "calling .send() is not allowed"),
    ("gen.close()", "calling .close() is not allowed"),
    ("lambda: 1", "lambda is not allowed"),
    ("(yield x)", "yield is not allowed"),
    ("await gen", "await is not allowed"),
    ("(y := x)", "assignment expression (:=) is not allowed"),
    ("[*items]", "starred expression is not allowed"),
    ("x.__class__.__name__", "write `type(x).__name__`"),
    ("x.__dict__", "dunder attribute is not allowed"),
    ("gen.gi_frame.f_globals", "is not allowed (it reaches into frames"),
    ("items.append(1)", "calling .append() is not allowed (it changes a value"),
    ("items.pop()", "calling .pop() is not allowed"),
    ("'{0.__class__}'.format(x)", ".format() is not allowed here"),
    ("items[0]()", "calling the result of `items[0]`"),
    ("helper(x)", "calling helper(), a function of the target file"),
    ("call(x)", "calling call(), a value of the target code"),
    ("print(x)", "print is not allowed"),
    ("dict(**x)", "`**` unpacking in a call is not allowed"),
    ("[i async for i in gen]", "`async for` is not allowed"),
]


@pytest.mark.parametrize("expr,needle", REFUSED)
def test_the_allowlist_refuses_with_what_is_allowed(tmp_path, expr, needle):
    text = refused(tmp_path, POLICY_MODULE, [{"after_log": "here", "payload": {"v": expr}}], needle)
    assert "a spec expression may read names, attributes, subscripts" in text  # says what is allowed


@pytest.mark.parametrize("key", ["when", "symbol"])
def test_the_allowlist_covers_when_and_kwargs(tmp_path, key):
    refused(tmp_path, POLICY_MODULE, [{"after_log": "here", key: "os.getcwd()"}], "reaches through the module `os`")


ALLOWED = [
    ("type(x).__name__", "int"),
    ("str(x)", "3"),
    ("round(float(x) / 7, 2)", 0.43),
    ("[i * 2 for i in items if i]", [2, 4]),
    ("{k: v for k, v in zip('ab', items)}", {"a": 1, "b": 2}),
    ("f'{x!r:>4}'", "   3"),
    ("items[1:]", [2]),
    ("'big' if x > 2 else 'small'", "big"),
    ("sorted(set(items), reverse=True)", [2, 1]),
    ("datetime(2024, 1, 1, tzinfo=timezone.utc).isoformat()", "2024-01-01T00:00:00+00:00"),
    ("float(Decimal(str(x)))", 3.0),
    ("isinstance(x, int) and x > 0", True),
    ("'{} {}'.format(x, 1)", "3 1"),
    ("open", None),  # a parameter called `open` is a value, not the builtin
    ("input", None),
    ("{**{'a': 1}, 'b': x}", {"a": 1, "b": 3}),
]


@pytest.mark.parametrize("expr,value", ALLOWED)
def test_the_allowlist_accepts_plain_values_and_they_run(tmp_path, expr, value):
    recorder = accepted(tmp_path, POLICY_MODULE, [{"after_log": "here", "payload": {"v": expr}}], "f", [(3, [1, 2], None)])
    assert recorder.events[0][1]["v"] == value


def test_allowed_module_calls_run(tmp_path):
    recorder = accepted(tmp_path, POLICY_MODULE, [{"after_log": "here", "payload": {"t": "time.monotonic() > 0", "u": "datetime.now(timezone.utc).year > 2000"}}],
                        "f", [(3, [], None)])
    assert recorder.events[0][1] == {"t": True, "u": True}


# == 13. bad input never crashes =========================================================================
def spec_yaml(payload_yaml: str, extra: str = "") -> str:
    return ("component: mod\nfile: mod.py\nphase: 1\n" + extra + "events:\n  - id: e1\n    event: X_EVENT_1\n    in: f\n"
            "    after_log: here\n    severity: INFO\n    payload:\n" + payload_yaml)


def run_spec(tmp_path: Path, text: str, module: str = POLICY_MODULE, module_bytes: bytes | None = None):
    root, specs = tmp_path / "root", tmp_path / "specs"
    (root / "core").mkdir(parents=True)
    specs.mkdir()
    (root / "core" / "event_logger.py").write_text("from enum import Enum\n\n\nclass EventType(str, Enum):\n    A = 'a'\n\n\nclass EventLogger:\n    async def log_event(self, event_type, event_data, **context):\n        pass\n\n\ndef get_event_logger():\n    return None\n")
    if module_bytes is not None:
        (root / "mod.py").write_bytes(module_bytes)
    else:
        (root / "mod.py").write_text(src(module))
    (specs / "mod.yaml").write_text(text, encoding="utf-8")
    started = time.monotonic()
    project = api.load_project(tmp_path, root=root, specs=specs)
    run = api.plan(project)
    return [p.format() for p in run.errors()], time.monotonic() - started


def test_alias_bomb_fails_fast_with_a_located_error(tmp_path):
    lines = ["      a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"]
    lines += [f"      a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10)]
    found, took = run_spec(tmp_path, spec_yaml("".join(lines) + "      v: *a9\n"))
    assert took < 10, took
    assert any("expands to more than 200,000 values" in f and "mod.yaml:16" in f for f in found), found
    assert all(len(f) < 2000 for f in found)


def test_recursive_alias_is_a_located_error(tmp_path):
    found, _ = run_spec(tmp_path, spec_yaml("      v: &loop [*loop]\n"))
    assert any("refers to the value that contains it" in f and "mod.yaml:11" in f for f in found), found


@pytest.mark.parametrize("depth,needle", [(40, "levels deep"), (900, "levels deep"), (5000, "nesting depth")])
def test_deep_nesting_is_a_located_error(tmp_path, depth, needle):
    found, took = run_spec(tmp_path, spec_yaml("      v: " + "[" * depth + "]" * depth + "\n"))
    assert any(needle in f for f in found) and took < 10, found


@pytest.mark.parametrize("tag", ["!!python/object:os.system x", "!!python/name:os.system x", "!custom x", "!!python/tuple [1]"])
def test_unknown_tags_are_located_errors(tmp_path, tag):
    found, _ = run_spec(tmp_path, spec_yaml(f"      v: {tag}\n"))
    assert any("unknown YAML tag" in f and "mod.yaml:11" in f for f in found), found


def test_a_bad_typed_scalar_is_a_located_error(tmp_path):
    found, _ = run_spec(tmp_path, spec_yaml("      v: !!int abc\n"))
    assert any("cannot read this value" in f and "mod.yaml:11" in f for f in found), found


@pytest.mark.parametrize("payload,ok", [("'caf\u00e9'", True), ("'price \u20ac'", False), ("'\u2603'", False)])
def test_target_encoding_must_hold_the_block(tmp_path, payload, ok):
    module = ("# -*- coding: latin-1 -*-\nimport logging\n\nlogger = logging.getLogger(__name__)\n\n\n"
              "async def f(x):\n    logger.info('here')\n    return x\n")
    import json
    found, _ = run_spec(tmp_path, spec_yaml(f"      v: {json.dumps(payload)}\n"), module_bytes=module.encode("latin-1"))
    if ok:
        assert not found, found
    else:
        assert any("cannot hold" in f and "iso-8859-1" in f and "mod.yaml:10" in f for f in found), found


def test_latin1_target_is_written_in_latin1(tmp_path):
    module = ("# -*- coding: latin-1 -*-\nimport logging\n\nlogger = logging.getLogger(__name__)\n\n\n"
              "async def f(x):\n    logger.info('caf\u00e9')\n    return x\n").encode("latin-1")
    run = plan_project(tmp_path, module, [{"after_log": "caf\u00e9", "payload": {"v": "'\u00e9t\u00e9'"}}])
    assert not errors(run), errors(run)
    new = next(f.new for f in run.files if f.path == "mod.py")
    assert "'\u00e9t\u00e9'".encode("latin-1") in new and new.decode("latin-1").count("\u00e9") == 3


@pytest.mark.parametrize("raw", [b"import logging\rlogger = logging.getLogger(__name__)\r\r\rasync def f(x):\r    logger.info('here')\r    return x\r",
                                 b"import logging\nlogger = logging.getLogger(__name__)\r\n\nasync def f(x):\r    logger.info('here')\n    return x\n"])
def test_cr_only_newlines_are_a_located_error(tmp_path, raw):
    found, _ = run_spec(tmp_path, spec_yaml("      v: x\n"), module_bytes=raw)
    assert any("bare CR" in f and "mod.py:" in f for f in found), found


def test_ten_thousand_payload_keys_fail_fast(tmp_path):
    found, took = run_spec(tmp_path, spec_yaml("".join(f"      k{i}: x\n" for i in range(10_000))))
    assert any("payload has 10,000 keys; an event carries at most 1,000" in f and "mod.yaml:10" in f for f in found), found
    assert took < 10


def test_a_megabyte_expression_fails_fast(tmp_path):
    found, took = run_spec(tmp_path, spec_yaml("      v: '" + "x + " * 250_000 + "x'\n"))
    assert any("1,000,001 characters long" in f and "mod.yaml:11" in f for f in found), found
    assert took < 10


def test_a_thousand_keys_work(tmp_path):
    run = plan_project(tmp_path, src(POLICY_MODULE), [{"after_log": "here", "payload": {f"k{i}": "x" for i in range(1000)}}])
    assert not errors(run)
    assert new_text(run).count("\"k999\": x") == 1  # the last key: no trailing comma outside black projects


def test_on_error_refuses_to_clobber_a_live_exc(tmp_path):
    module = src('''
    import logging

    logger = logging.getLogger(__name__)


    async def f(x):
        exc = "kept"
        try:
            await g(x)
        except Exception:
            pass
        return exc


    async def g(x):
        return 1 / x
    ''')
    run = plan_project(tmp_path, module, [{"on_error": "await g(x)"}])
    assert any("own `exc`" in e for e in errors(run)), errors(run)
    fine = module.replace('exc = "kept"', 'kept = "kept"').replace("return exc", "return kept")
    run = plan_project(tmp_path / "b", fine, [{"on_error": "await g(x)", "payload": {"error": "str(exc)"}}])
    assert not errors(run), errors(run)
    recorder = same_behaviour(fine, new_text(run), "f", [(0,), (1,)])
    assert recorder.events == [("X_EVENT_1", {"error": "division by zero"}, {"severity": "INFO"})]


@pytest.mark.parametrize("event,needle", [
    ({"payload": {"v": "x  # why"}}, "a comment (`# ...`) is not allowed in an expression"),
    ({"when": "x > 1 # big"}, "a comment (`# ...`) is not allowed"),
    ({"symbol": "str(x) # pair"}, "a comment (`# ...`) is not allowed"),
    ({"comment": "closing\x00now"}, "comment holds a control character"),
    ({"comment": "a\rb"}, "comment holds a control character"),
    ({"payload": {"k\x1b": "x"}}, "holds a control character"),
])
def test_text_that_would_break_the_generated_line_is_refused(tmp_path, event, needle):
    refused(tmp_path, POLICY_MODULE, [{"after_log": "here", **event}], needle)


def test_hash_inside_a_string_is_not_a_comment(tmp_path):
    recorder = accepted(tmp_path, POLICY_MODULE, [{"after_log": "here", "payload": {"v": "'#' + str(x)"}, "comment": "multi\nline"}],
                        "f", [(3, [], None)])
    assert recorder.events[0][1] == {"v": "#3"}


def test_global_and_nonlocal_names_assigned_before_the_site(tmp_path):
    module = SCOPE_HEADER + src('''
    async def f(x):
        global counter
        counter = x
        logger.info("after")
        return counter


    async def outer(x):
        total = 0
        async def inner():
            nonlocal total
            total = x
            logger.info("inner")
            return total
        return await inner()
    ''')
    events = [{"after_log": "after", "payload": {"c": "counter"}},
              {"in": "outer.inner", "after_log": "inner", "payload": {"t": "total"}, "id": "e2", "event": "X_EVENT_2"}]
    run = plan_project(tmp_path, module, events)
    assert not errors(run), errors(run)
    assert same_behaviour(module, new_text(run), "f", [(4,)]).events[0][1] == {"c": 4}
    assert same_behaviour(module, new_text(run), "outer", [(5,)]).events[0][1] == {"t": 5}
    refused(tmp_path / "b", SCOPE_HEADER + src('''
    async def f(x):
        global counter
        logger.info("after")
        counter = x
        return counter
    '''), [{"after_log": "after", "payload": {"c": "counter"}}], "uses 'counter'")


def test_the_one_line_enum_expansion_is_verified_by_safe_mode():
    """The expansion keeps each original statement's line as its origin, so safe mode compares
    the class statement by statement: a rewritten member value would be caught."""
    import ast as _ast
    from eventmod.codegen.enum_members import EnumMember, enum_edits, read_enum
    from eventmod.model.edits import Edit, apply_edits_with_origin
    from eventmod.pyast.source import SourceFile
    from eventmod.transform.verify import verify_only_insertions

    text = 'from enum import Enum\n\n\nclass EventType(str, Enum): A = "a"; B = "b"\n'
    source = SourceFile.decode("e.py", text.encode())
    tree = _ast.parse(text)
    state = read_enum(source, tree, "EventType")
    [edit] = enum_edits(source, state, [EnumMember("C", "c", None)], '"')
    new, origin = apply_edits_with_origin(source.lines, [edit], "\n")
    assert new.endswith('class EventType(str, Enum):\n    A = "a"\n    B = "b"\n    C = "c"\n')
    assert verify_only_insertions(text, new, origin, logger_module="x", added_names=()) is None
    tampered = Edit(edit.start, edit.end, tuple(line.replace('"b"', '"z"') for line in edit.lines), "enum", 0, edit.origins)
    bad, bad_origin = apply_edits_with_origin(source.lines, [tampered], "\n")
    assert verify_only_insertions(text, bad, bad_origin, logger_module="x", added_names=()) is not None


def test_huge_keys_are_bounded_in_messages_and_refused(tmp_path):
    found, took = run_spec(tmp_path, spec_yaml("      ? " + "k" * 300_000 + "\n      : x\n"))
    assert any("is 300,000 characters long; a key may have at most 200" in f for f in found), [f[:300] for f in found]
    assert all(len(f) < 1000 for f in found) and took < 10
    text = spec_yaml("      v: x\n").replace("    severity: INFO\n", "    severity: INFO\n    ? " + "z" * 200_000 + "\n    : 1\n")
    found, took = run_spec(tmp_path / "b", text)
    assert any("unknown key 'zzzz" in f for f in found) and all(len(f) < 1000 for f in found) and took < 10
