"""Bugs fixed since the `codemods` package (commit ea64cc4), each with cases that fail there.

1. Parameters of an enclosing function other than plain positional ones (keyword-only, *args,
   **kwargs, positional-only) were not counted as bound in a nested function.
2. Setup statements were laid out at 88 columns whatever the project's [tool.black] line-length.
3. After switching `emit`, re-emit events fell out of `coverage` (0%) and out of `plan` rows.
And layout bugs found while writing the fast tests: the JSON-safe helper went above the import
eventmod added; `import asyncio` and the logger import in a file without imports were two
separately padded blocks (three blank lines between them), and `import asyncio` was glued to a
first-party import section; a new import longer than the line length stayed on one line; revert
left blank lines at the top of a file that had no imports.
"""

from __future__ import annotations

import ast

import pytest

from eventmod.api import load_project, plan, plan_revert, write_changes
from eventmod.model.results import Status
from eventmod.reports.summary import Summary
from tests.unit.bare import LOGGER_FILE, assert_transform, dedent, transform

# -- 1. enclosing parameters -------------------------------------------------------------------
NESTED = [
    pytest.param("def outer(a, *, kw):", {"kw": "kw", "a": "a"}, id="keyword-only"),
    pytest.param("def outer(*items):", {"count": "len(items)"}, id="star-args"),
    pytest.param("def outer(**options):", {"options": "options"}, id="double-star-kwargs"),
    pytest.param("def outer(first, /, second):", {"first": "first"}, id="positional-only"),
    pytest.param("async def outer(*, symbol: str = 'BTC', **extra):", {"symbol": "symbol", "n": "len(extra)"}, id="async-outer-annotated"),
]


@pytest.mark.parametrize("header, payload", NESTED)
def test_enclosing_function_parameters_of_every_kind_are_bound(header, payload):
    before = f"""
        {header}
            async def inner():
                logger.info("go")
            return inner
        """
    items = "".join(f'{" " * 20}"{key}": {value},\n' for key, value in payload.items())
    after = dedent(f"""
        from core.event_logger import EventType, get_event_logger


        {header}
            async def inner():
                logger.info("go")
                event_logger = get_event_logger()
                if event_logger:
                    await event_logger.log_event(
                        EventType.E,
                        {{
        ITEMS
                        }},
                        severity="INFO",
                    )
            return inner
        """).replace("ITEMS\n", items)
    assert_transform(before, after, {"event": "E", "in": "outer.inner", "after_log": "go", "payload": payload})


def test_parameters_of_every_enclosing_level_are_bound():
    before = """
        def outer(*, kw):
            def middle(*args):
                async def inner():
                    logger.info("go")
                return inner
            return middle
        """
    result = transform(before, {"event": "E", "in": "outer.middle.inner", "after_log": "go", "payload": {"kw": "kw", "n": "len(args)"}})
    assert result.status() is Status.PENDING, result.messages()


def test_an_unbound_name_in_a_nested_function_is_still_refused():
    before = """
        def outer(a, *, kw):
            async def inner():
                logger.info("go")
            return inner
        """
    result = transform(before, {"event": "E", "in": "outer.inner", "after_log": "go", "payload": {"k": "kwd"}})
    assert result.status() is Status.INVALID
    assert "uses 'kwd', which is not bound" in result.messages() and "did you mean 'kw'" in result.messages()


# -- 2. setup statements at the project's line length --------------------------------------------
SETUP = [
    pytest.param("total: int = sum([len(positions), len(orders), len(pending_orders), len(cancelled_orders), len(fills)])",
                 "positions, orders, pending_orders, cancelled_orders, fills", id="annotated-list-sum"),
    pytest.param("fills, fees = divmod(len(orders) * 1000 + len(symbol) * 100 + len(cancelled_orders), max(1, len(positions)))",
                 "orders, symbol, cancelled_orders, positions", id="unpacking-call"),
]


@pytest.mark.parametrize("statement, parameters", SETUP)
def test_setup_statement_stays_on_one_line_at_line_length_120(statement, parameters):
    import black

    before = f"""
        async def f({parameters}):
            logger.info("go")
        """
    event = {"event": "E", "in": "f", "after_log": "go", "setup": [statement], "payload": {"n": "1"}}
    result = transform(before, event, black={"line-length": 120})
    assert not result.errors, result.messages()
    assert f"        {statement}" in result.text.splitlines()  # 100+ characters, one line
    assert black.format_str(result.text, mode=black.Mode(line_length=120)) == result.text


@pytest.mark.parametrize("statement, parameters", SETUP)
def test_setup_statement_is_split_as_black_splits_it_at_88(statement, parameters):
    import black

    before = f"""
        async def f({parameters}):
            logger.info("go")
        """
    event = {"event": "E", "in": "f", "after_log": "go", "setup": [statement], "payload": {"n": "1"}}
    result = transform(before, event)
    assert f"        {statement}" not in result.text.splitlines()
    assert black.format_str(result.text, mode=black.Mode()) == result.text


# -- 3. re-emit counts as instrumented ---------------------------------------------------------------
BEFORE = """
    async def place(order):
        logger.info("placed")
        return order


    async def cancel(order):
        logger.info("cancelled")
    """
PLACED = {"id": "placed", "event": "ORDER_PLACED", "in": "place", "after_log": "placed", "payload": {"id": "order.id"}}
CANCELLED = {"id": "cancelled", "event": "ORDER_CANCELLED", "in": "cancel", "after_log": "cancelled", "payload": {}}


def _applied(events: list[dict]):
    first = transform(BEFORE, events)
    return first.text, {LOGGER_FILE: first.files[LOGGER_FILE]}


def test_after_switching_emit_coverage_and_plan_still_count_the_event():
    text, files = _applied([PLACED])
    switched = transform(text, [{**PLACED, "emit": "background"}], files=files, dedent=False)
    assert switched.status("placed") is Status.REEMIT
    assert switched.coverage_percent == 100.0
    [row] = switched.plan_rows
    assert (row.events, row.present, row.pending, row.invalid) == (1, 1, 0, 0)
    assert "1 switched to the spec's shape" in Summary.of(switched.plan).line()
    assert "asyncio.create_task(" in switched.text

    # once the switch is written, the event is present in its new mode and nothing changes
    again = transform(switched.text, [{**PLACED, "emit": "background"}], files=files, dedent=False)
    assert again.status("placed") is Status.PRESENT and not again.changed
    assert again.coverage_percent == 100.0


def test_plan_rows_add_up_with_re_emit_pending_and_invalid_events():
    text, files = _applied([PLACED])
    broken = {"id": "broken", "event": "BROKEN", "in": "place", "after_log": "no such message", "payload": {}}
    run = transform(text, [{**PLACED, "emit": "background"}, CANCELLED, broken], files=files, dedent=False)
    assert [run.status(i) for i in ("placed", "cancelled", "broken")] == [Status.REEMIT, Status.PENDING, Status.DRIFTED]
    [row] = run.plan_rows
    assert (row.events, row.present, row.pending, row.invalid) == (3, 1, 1, 1)
    assert row.present + row.pending + row.invalid == row.events
    assert run.coverage_percent == pytest.approx(100 / 3)


def test_switching_back_to_await_counts_too():
    text, files = _applied([{**PLACED, "emit": "background"}])
    back = transform(text, [PLACED], files=files, dedent=False)
    assert back.status("placed") is Status.REEMIT and back.coverage_percent == 100.0
    assert back.plan_rows[0].present == 1


# -- the JSON-safe helper goes below the imports this run adds ----------------------------------
JSON_SAFE_FILES = [
    pytest.param("import logging\n\nlogger = logging.getLogger(__name__)\n\n\nasync def f(price):\n    logger.info('go')\n", id="stdlib-then-constant"),
    pytest.param('"""Doc."""\n\n\nasync def f(price):\n    logger.info("go")\n', id="docstring-only"),
    pytest.param("async def f(price):\n    logger.info('go')\n", id="no-imports"),
    pytest.param("import logging\n\n# The logger\nlogger = logging.getLogger(__name__)\n\n\nasync def f(price):\n    logger.info('go')\n", id="comment-before-constant"),
    pytest.param("import logging\n\nfrom core.event_logger import EventType\nfrom db import repo\n\n\nasync def f(price):\n    logger.info('go')\n", id="merged-import"),
]


@pytest.mark.parametrize("emit", ["await", "background"])
@pytest.mark.parametrize("before", JSON_SAFE_FILES)
def test_json_safe_helper_follows_every_import_and_keeps_black_layout(before, emit):
    import black

    result = transform(before, {"event": "E", "in": "f", "after_log": "go", "json_safe": True, "payload": {"p": "price"}, "emit": emit},
                       dedent=False)
    assert not result.errors, result.messages()
    tree = ast.parse(result.text)
    kinds = [type(s).__name__ for s in tree.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    helper = next(i for i, s in enumerate(tree.body) if isinstance(s, ast.FunctionDef) and s.name == "_eventmod_json_safe")
    assert all(not isinstance(s, (ast.Import, ast.ImportFrom)) for s in tree.body[helper:]), kinds
    assert black.format_str(result.text, mode=black.Mode(string_normalization=False)) == result.text


def test_asyncio_import_before_a_first_party_section_is_kept_apart():
    before = """
        from core.event_logger import EventType, get_event_logger


        async def f():
            logger.info("go")
        """
    result = transform(before, {"event": "E", "in": "f", "after_log": "go", "payload": {}, "emit": "background"})
    assert result.text.startswith("import asyncio\n\nfrom core.event_logger import EventType, get_event_logger\n\n\nasync def f():\n")


# The stdlib imports a fail-safe block needs (`logging`, and `asyncio` for a background block)
# go in front of the file's imports: one block, a blank line apart from a non-stdlib section
# (the merge of the fail-safe work had lost that blank line), and revert takes them away again.
SECTIONS = [
    pytest.param("from app.models import Account\n\n\nasync def f(price):\n    logger.info('go')\n", {},
                 "import logging\n\nfrom app.models import Account\nfrom core.event_logger import EventType, get_event_logger\n\n\n",
                 id="logging-first-party"),
    # (the file uses its EventType import: an unused `from core.event_logger import EventType`
    # with the getter merged in reads exactly like the line apply writes, and revert takes it
    # for apply's)
    pytest.param("from core.event_logger import EventType\n\n\ndef f(price):\n    logger.info('go')\n    return EventType\n", {"emit": "background"},
                 "import asyncio\nimport logging\n\nfrom core.event_logger import EventType, get_event_logger\n\n\n",
                 id="asyncio-and-logging-merged-logger-import"),
    pytest.param("import httpx\n\n\nasync def f(price):\n    logger.info('go')\n", {},
                 "import logging\n\nimport httpx\nfrom core.event_logger import EventType, get_event_logger\n\n\n", id="third-party"),
    pytest.param("from __future__ import annotations\n\nfrom app import x\n\n\nasync def f(price):\n    logger.info('go')\n", {},
                 "from __future__ import annotations\n\nimport logging\n\nfrom app import x\nfrom core.event_logger import EventType, get_event_logger\n\n\n",
                 id="future-then-first-party"),
    pytest.param("import os\nfrom app.models import Account\n\n\nasync def f(price):\n    logger.info('go')\n", {},
                 "import logging\nimport os\nfrom app.models import Account\nfrom core.event_logger import EventType, get_event_logger\n\n\n",
                 id="stdlib-first"),
]


@pytest.mark.parametrize("before, extra, head", SECTIONS)
def test_stdlib_imports_of_fail_safe_blocks_keep_the_sections_apart(tmp_path, before, extra, head):
    from eventmod import testing

    event = {"event": "E", "in": "f", "after_log": "go", "payload": {"p": "price"}, **extra}
    planned = testing.transform(before, event, root=tmp_path, dedent=False)  # fail-safe: the default
    assert not planned.errors, planned.messages()
    assert "except Exception:" in planned.text or "except RuntimeError:" in planned.text
    assert planned.text.startswith(head), planned.text
    project = load_project(tmp_path, config_file=tmp_path / "pyproject.toml")
    assert write_changes(project.config, list(plan(project).files), allow_dirty=True).ok
    assert write_changes(project.config, list(plan_revert(project).files), allow_dirty=True).ok
    assert (tmp_path / "service.py").read_text() == before


# -- revert gives back a file that had no imports ------------------------------------------------
# the logger module has the getter (a block whose getter the module lacks is refused: ImportError)
AUDIT = {"files": {"obs/audit_logger.py": "from enum import Enum\n\n\nclass AuditEventType(Enum):\n    A = 'a'\n\n\n"
                                          "class AuditLogger:\n    async def log_event(self, event_type, data, *, severity='INFO'):\n        pass\n\n\n"
                                          "def get_audit_logger():\n    return None\n"},
         "config": {"logger_module": "obs.audit_logger", "enum_file": "obs/audit_logger.py", "enum_class": "AuditEventType",
                    "getter": "get_audit_logger"},
         "black": {"line-length": 60}}
REVERT = [
    pytest.param("async def f(price):\n    logger.info('go')\n", {}, {}, id="no-imports-await"),
    pytest.param("async def f(price):\n    logger.info('go')\n", {"emit": "background"}, {}, id="no-imports-background"),
    pytest.param("async def f(price):\n    logger.info('go')\n", {"json_safe": True, "emit": "background"}, {}, id="no-imports-json-safe"),
    pytest.param('"""Doc."""\n\n\nasync def f(price):\n    logger.info("go")\n', {"emit": "background"}, {}, id="docstring"),
    pytest.param("import logging\n\nlogger = logging.getLogger(__name__)\n\n\nasync def f(price):\n    logger.info('go')\n",
                 {"json_safe": True}, {}, id="stdlib-json-safe"),
    pytest.param("import os\n\n\nasync def f(price):\n    logger.info('go')\n", {}, AUDIT, id="exploded-new-import"),
    pytest.param("async def f(price):\n    logger.info('go')\n", {"emit": "background"}, AUDIT, id="exploded-new-import-no-imports"),
]


@pytest.mark.parametrize("before, extra, project", REVERT)
def test_revert_restores_the_original_bytes(tmp_path, before, extra, project):
    event = {"event": "E", "in": "f", "after_log": "go", "payload": {"p": "price"}, **extra}
    planned = transform(before, event, root=tmp_path, dedent=False, **project)
    assert not planned.errors, planned.messages()
    project = load_project(tmp_path, config_file=tmp_path / "pyproject.toml")
    assert write_changes(project.config, list(plan(project).files), allow_dirty=True).ok
    assert (tmp_path / "service.py").read_text() == planned.text != before
    reverted = plan_revert(project)
    assert not reverted.errors(), reverted.errors()
    assert write_changes(project.config, list(reverted.files), allow_dirty=True).ok
    assert (tmp_path / "service.py").read_text() == before
