"""`eventmod.testing` itself: the README example runs, failures read well, and the helper fits
other projects (their own logger module, config and black settings)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from eventmod.model.results import Status
from eventmod.testing import assert_refused, assert_transform, dedent, transform

README = Path(__file__).resolve().parents[2] / "README.md"
EVENT = {"event": "E", "in": "f", "after_log": "go", "payload": {"x": "x"}}
BEFORE = """
    async def f(x):
        logger.info("go")
    """


def test_the_readme_example_passes():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Testing your specs"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    assert len(tests) == 2
    for test in tests:
        test()


def test_a_wrong_expectation_fails_with_a_unified_diff():
    with pytest.raises(AssertionError) as caught:
        assert_transform(BEFORE, BEFORE, EVENT)
    message = str(caught.value)
    assert "--- expected" in message and "+++ actual" in message
    assert "+from core.event_logger import EventType, get_event_logger" in message
    assert "+    try:\n+        event_logger = get_event_logger()" in message  # fail-safe, as apply writes it


def test_a_difference_in_line_ends_only_is_shown_as_reprs():
    before = dedent(BEFORE)
    after = transform(before, EVENT).text
    with pytest.raises(AssertionError, match=r"expected '.*\\r\\n"):
        assert_transform(before, after.replace("\n", "\r\n"), EVENT, dedent=False)


def test_a_refusal_where_success_was_expected_shows_the_problems():
    with pytest.raises(AssertionError, match=r"refused:\nspec.yaml:\d+: event event_1: anchor after_log: 'gone' not found"):
        assert_transform(BEFORE, BEFORE, {**EVENT, "after_log": "gone"})


def test_assert_refused_fails_when_the_spec_is_accepted_or_refused_for_another_reason():
    with pytest.raises(AssertionError, match="but the spec was accepted"):
        assert_refused(BEFORE, EVENT, "anything")
    with pytest.raises(AssertionError, match="no error contains 'finally'"):
        assert_refused(BEFORE, {**EVENT, "after_log": "gone"}, "finally")


def test_spec_as_yaml_text_list_and_whole_component():
    yaml_text = """
        event: E
        in: f
        after_log: go
        payload: {x: x}
        """
    as_text = transform(BEFORE, yaml_text)
    as_dict = transform(BEFORE, EVENT)
    assert as_text.text == as_dict.text and as_text.status() is Status.PENDING
    two = transform(BEFORE, [EVENT, {**EVENT, "event": "F", "severity": "ERROR"}])
    assert {o.event.id: o.event.severity for o in two.outcomes} == {"event_1": "INFO", "event_2": "ERROR"}
    component = {"component": "orders", "priority": "HIGH", "days": [3],
                 "events": [{"id": "orders_e", "severity": "WARNING", **EVENT}]}
    whole = transform(BEFORE, component)
    assert whole.status("orders_e") is Status.PENDING and whole.plan_rows[0].component == "orders"
    assert 'severity="WARNING"' in whole.text


def test_spec_mistakes_are_reported_as_eventmod_reports_them():
    result = assert_refused(BEFORE, "event: E\nin: f\nafter_log: [unclosed\n", "YAML syntax error")
    assert result.errors[0].line >= 1
    assert_refused(BEFORE, {**EVENT, "anchor": "go"}, "unknown key 'anchor'")
    assert_refused(BEFORE, {**EVENT, "severity": "LOUD"}, "bad severity 'LOUD'")


def test_config_and_black_tables():
    background = transform(BEFORE, EVENT, config={"emit": "background"})
    assert "asyncio.create_task(" in background.text
    import black as black_module

    event = {**EVENT, "when": "x is not None and x.status == 'open'"}
    narrow, wide = transform(BEFORE, event, black={"line-length": 40}), transform(BEFORE, event)
    # laid out at 40 columns exactly as black lays it out (the fail-safe block's deepest
    # `await event_logger.log_event(` is 41 columns: black cannot split it either)
    assert narrow.text != wide.text
    assert narrow.text == black_module.format_str(wide.text, mode=black_module.Mode(line_length=40))
    bare = transform(BEFORE, event, black={"line-length": 40}, config={"failsafe": False})
    assert max(len(line) for line in bare.text.splitlines()) <= 40
    with pytest.raises(AssertionError, match="unknown key 'emitt'"):
        transform(BEFORE, EVENT, config={"emitt": "await"})


def test_another_projects_logger_module():
    audit = '''
        from enum import Enum


        class AuditEvent(Enum):
            STARTED = "started"


        class Audit:
            async def log_event(self, event_type, data, *, severity="INFO", account_id=None):
                pass


        def get_audit():
            return None
        '''
    config = {"logger_module": "app.audit", "enum_file": "app/audit.py", "enum_class": "AuditEvent", "getter": "get_audit"}
    before = """
        from app.models import Account


        async def f(x):
            logger.info("go")
        """
    after = """
        import logging

        from app.audit import AuditEvent, get_audit
        from app.models import Account


        async def f(x):
            logger.info("go")
            try:
                event_logger = get_audit()
                if event_logger:
                    await event_logger.log_event(
                        AuditEvent.E,
                        {
                            "x": x,
                        },
                        severity="INFO",
                    )
            except Exception:
                logging.getLogger(__name__).warning("Could not log event E", exc_info=True)
        """
    result = assert_transform(before, after, EVENT, files={"app/audit.py": audit}, config=config, path="app/accounts.py")
    assert '    E = "e"\n' in result.files["app/audit.py"]
    assert_refused(before, {**EVENT, "symbol": "x"}, "does not accept `symbol=`", files={"app/audit.py": audit}, config=config,
                   path="app/accounts.py")


def test_root_keeps_the_project_on_disk(tmp_path):
    result = transform(BEFORE, EVENT, root=tmp_path)
    assert (tmp_path / "service.py").read_text() == result.before  # planned, not written
    assert (tmp_path / "core" / "event_logger.py").is_file()
    assert (tmp_path / "pyproject.toml").is_file()


def test_inputs_are_taken_verbatim_without_dedent():
    before = "async def f(x):\r\n\tlogger.info('go')\r\n"
    result = transform(before, EVENT, dedent=False)
    assert result.before == before
    assert "\r\n\ttry:\r\n\t\tevent_logger = get_event_logger()\r\n" in result.text
    assert "\n" not in result.text.replace("\r\n", "")  # every line ends as the input's do


def test_a_plain_transform_imports_neither_black_nor_libcst():
    code = (
        "import sys\n"
        "from eventmod.testing import transform\n"
        "r = transform('async def f(x):\\n    logger.info(\"go\")\\n', {'event': 'E', 'in': 'f', 'after_log': 'go', 'payload': {'x': 'x'}})\n"
        "assert r.changed and not r.problems, r.messages()\n"
        "print(sorted(m for m in ('black', 'libcst') if m in sys.modules))\n"
    )
    env = {**os.environ, "EVENTMOD_NO_CACHE": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]"
