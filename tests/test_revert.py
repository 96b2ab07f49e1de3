"""`eventmod revert`: apply then revert gives the original files back, byte for byte (except the
enum file: members are kept); hand-edited blocks are reported and left alone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import FIXTURE, SPECS, copy_tree, tree_hash
from tests.golden_tool import cases

ENUM_FILE = "core/event_logger.py"
GOLDEN = cases()


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def _without_enum(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if name != ENUM_FILE}


def _run(eventmod, command: str, root: Path, specs: Path, *args: str):
    result = eventmod(command, "--root", str(root), "--specs", str(specs), "--jobs", "1", "--allow-dirty", *args)
    assert result.exit_code == 0, result.output
    return result


# -- THE acceptance test -------------------------------------------------------------------------
def test_apply_then_revert_whole_catalog_restores_every_file(tmp_path, eventmod):
    root = copy_tree(FIXTURE, tmp_path / "bot")
    original = _files(root)
    applied = _run(eventmod, "apply", root, SPECS)
    assert "148 event(s) inserted" in applied.output
    after_apply = _files(root)
    assert sum(after_apply[n] != original[n] for n in original) >= 9
    result = _run(eventmod, "revert", root, SPECS)
    # main.py's two hand-written blocks (present before apply) are not eventmod's layout.
    assert "148 event(s) reverted, 0 not present, 2 left alone (edited)" in result.output
    assert f"left alone: {root / 'main.py'}:" in result.output
    reverted = _files(root)
    assert _without_enum(reverted) == _without_enum(original)
    assert reverted[ENUM_FILE] == after_apply[ENUM_FILE]  # enum members are kept
    assert reverted[ENUM_FILE] != original[ENUM_FILE]


@pytest.mark.parametrize("phase", ["1", "2", "3"])
def test_apply_then_revert_one_phase_is_identical(tmp_path, eventmod, phase):
    root = copy_tree(FIXTURE, tmp_path / "bot")
    original = _files(root)
    _run(eventmod, "apply", root, SPECS, "--phase", phase)
    assert _without_enum(_files(root)) != _without_enum(original)
    result = _run(eventmod, "revert", root, SPECS, "--phase", phase)
    assert "0 not present" in result.output
    assert _without_enum(_files(root)) == _without_enum(original)


def test_revert_one_phase_keeps_the_others(tmp_path, eventmod):
    root = copy_tree(FIXTURE, tmp_path / "bot")
    _run(eventmod, "apply", root, SPECS, "--phase", "1")
    phase1 = _files(root)
    _run(eventmod, "apply", root, SPECS, "--phase", "2")
    _run(eventmod, "revert", root, SPECS, "--phase", "2")
    assert _without_enum(_files(root)) == _without_enum(phase1)
    check = eventmod("check", "--root", str(root), "--specs", str(SPECS), "--jobs", "1", "--phase", "1")
    assert check.exit_code == 0, check.output


@pytest.mark.parametrize("case", GOLDEN, ids=[c.name for c in GOLDEN])
def test_golden_input_apply_revert_is_input(case, tmp_path, eventmod):
    root = copy_tree(case / "input", tmp_path / "root")
    _run(eventmod, "apply", root, case / "specs")
    assert _files(root) == _files(case / "expected")
    _run(eventmod, "revert", root, case / "specs")
    reverted, original = _without_enum(_files(root)), _without_enum(_files(case / "input"))
    if case.name == "imports":
        # The one ambiguous input: merge_single.py imports `get_event_logger` without using it,
        # so after apply's merge its import reads exactly like the line apply writes for a file
        # without one (`from core.event_logger import EventType, get_event_logger`, same place).
        # Both originals give apply's text back; revert takes it for apply's own line.
        name = "app/merge_single.py"
        unused = b"from core.event_logger import get_event_logger\n\n"
        assert reverted.pop(name) == original.pop(name).replace(unused, b"")
    assert reverted == original


# -- behaviour -----------------------------------------------------------------------------------
def test_revert_twice_changes_nothing(tmp_path, eventmod):
    root = copy_tree(FIXTURE, tmp_path / "bot")
    _run(eventmod, "apply", root, SPECS, "--phase", "1")
    _run(eventmod, "revert", root, SPECS, "--phase", "1")
    before = tree_hash(root)
    again = _run(eventmod, "revert", root, SPECS, "--phase", "1")
    assert again.output.strip().endswith("0 event(s) reverted, 95 not present, 0 left alone (edited)")
    assert tree_hash(root) == before


def test_not_applied_event_is_reported_not_present(tmp_path, eventmod):
    root = copy_tree(FIXTURE, tmp_path / "bot")
    before = tree_hash(root)
    result = _run(eventmod, "revert", root, SPECS, "--event", "ts_activated")
    assert "0 event(s) reverted, 1 not present, 0 left alone (edited)" in result.output
    assert tree_hash(root) == before


def test_hand_edited_block_is_reported_and_left_alone(tmp_path, eventmod):
    root = copy_tree(FIXTURE, tmp_path / "bot")
    original = _files(root)
    _run(eventmod, "apply", root, SPECS, "--component", "trailing_stop")
    path = root / "protection" / "trailing_stop.py"
    text = path.read_text()
    marker = '"stop_price": float(ts.current_stop_price),'
    assert text.count(marker) >= 1
    index = text.index(marker)
    line = text[:index].count("\n") + 1
    edited = text[:index] + '"stop_price": float(ts.current_stop_price) * 1,' + text[index + len(marker):]
    path.write_text(edited)
    result = _run(eventmod, "revert", root, SPECS, "--component", "trailing_stop")
    assert "17 event(s) reverted, 0 not present, 1 left alone (edited)" in result.output
    block_line = next(n for n in range(line, 0, -1) if edited.splitlines()[n - 1].strip() == "try:")  # the fail-safe block's first line
    assert f"left alone: {path}:{block_line}: event " in result.output
    assert "edited by hand since apply (or the spec changed): left alone" in result.output
    now = path.read_text()
    assert "float(ts.current_stop_price) * 1," in now
    # the kept block still needs its import (in the order the fixture's own imports use);
    # everything else is back to the original
    assert "from core.event_logger import get_event_logger, EventType" in now
    assert now.count("log_event(") == 1
    others = {n: d for n, d in _without_enum(_files(root)).items() if n != "protection/trailing_stop.py"}
    assert others == {n: d for n, d in _without_enum(original).items() if n != "protection/trailing_stop.py"}


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


ENUM = '''from enum import Enum


class EventType(Enum):
    BOT_STARTED = "bot_started"


class EventLogger:
    async def log_event(self, event_type, event_data, **context):
        pass


def get_event_logger():
    return None
'''

SPEC = '''component: svc
file: app/svc.py
phase: 1
days: [1]
priority: HIGH
events:
  - id: svc_done
    event: SVC_DONE
    in: run
    after_log: done
    payload: {n: n}
    severity: INFO
    comment: Log completion
  - id: svc_bg
    event: SVC_BG
    in: run
    before: return
    payload: {n: n}
    severity: INFO
    emit: background
    json_safe: true
'''


@pytest.mark.parametrize("imports, uses", [
    ("from core.event_logger import EventType\n", "EventType"),
    ("from core.event_logger import get_event_logger  # noqa: F401\n", "get_event_logger"),
    # apply adds a comma after the last item when it has none, so the original may have had one
    # or not: the file's other exploded brackets decide, none means none (tests/golden/imports).
    ("from core.event_logger import (\n    EventType,\n)\n", "\n        EventType,\n    "),
    ("from core.event_logger import (\n    EventType\n)\n", "EventType"),
    ("from core.event_logger import (EventType)\n", "EventType"),
    ("from core.event_logger import EventType as ET\n", "ET"),
    ("from core.event_logger import get_event_logger as gel, EventType\n", "gel, EventType"),
])
def test_preexisting_logger_import_gets_exactly_its_original_text_back(tmp_path, eventmod, imports, uses):
    root = tmp_path / "root"
    _write(root, ENUM_FILE, ENUM)
    source = ("import logging\n\n" + imports + "\nlogger = logging.getLogger(__name__)\n\n\n"
              f"async def run(n):\n    logger.info('done')\n    print({uses})\n    return n\n")
    _write(root, "app/svc.py", source)
    specs = tmp_path / "specs"
    _write(specs, "svc.yaml", SPEC)
    _run(eventmod, "apply", root, specs)
    applied = (root / "app/svc.py").read_text()
    assert "asyncio.create_task(" in applied and "_eventmod_json_safe" in applied
    assert applied != source
    result = _run(eventmod, "revert", root, specs)
    assert "2 event(s) reverted" in result.output
    assert (root / "app/svc.py").read_text() == source


def test_merged_names_are_removed_but_names_still_used_are_kept(tmp_path, eventmod):
    root = tmp_path / "root"
    _write(root, ENUM_FILE, ENUM)
    source = ("from core.event_logger import EventType\n\n\n"
              "async def run(n):\n    print(EventType.BOT_STARTED)\n    logger.info('done')\n    return n\n")
    _write(root, "app/svc.py", source)
    specs = tmp_path / "specs"
    _write(specs, "svc.yaml", SPEC)
    _run(eventmod, "apply", root, specs)
    assert "from core.event_logger import EventType, get_event_logger\n" in (root / "app/svc.py").read_text()
    _run(eventmod, "revert", root, specs, "--event", "svc_done")
    partly = (root / "app/svc.py").read_text()
    # svc_bg's block still uses the getter and the helper: both stay
    assert "from core.event_logger import EventType, get_event_logger\n" in partly
    assert "def _eventmod_json_safe" in partly and "import asyncio" in partly
    _run(eventmod, "revert", root, specs, "--event", "svc_bg")
    assert (root / "app/svc.py").read_text() == source


def test_on_error_wrap_is_unwrapped_including_multiline_strings(tmp_path, eventmod):
    root = tmp_path / "root"
    _write(root, ENUM_FILE, ENUM)
    source = ('import logging\n\nlogger = logging.getLogger(__name__)\n\n\n'
              'async def run(db):\n    await db.execute(\n        """\nSELECT 1\n  FROM t\n"""\n    )\n    return 1\n')
    _write(root, "app/svc.py", source)
    specs = tmp_path / "specs"
    _write(specs, "svc.yaml", '''component: svc
file: app/svc.py
phase: 1
days: [1]
priority: HIGH
events:
  - id: svc_failed
    event: SVC_FAILED
    in: run
    on_error: await db.execute(
    payload: {error: str(exc)}
    severity: ERROR
''')
    _run(eventmod, "apply", root, specs)
    applied = (root / "app/svc.py").read_text()
    assert "    try:\n        await db.execute(\n" in applied and "\nSELECT 1\n" in applied
    _run(eventmod, "revert", root, specs)
    assert (root / "app/svc.py").read_text() == source


def test_comment_is_kept_when_it_differs_from_the_spec(tmp_path, eventmod):
    root = tmp_path / "root"
    _write(root, ENUM_FILE, ENUM)
    source = "import logging\n\nlogger = logging.getLogger(__name__)\n\n\nasync def run(n):\n    logger.info('done')\n    return n\n"
    _write(root, "app/svc.py", source)
    specs = tmp_path / "specs"
    _write(specs, "svc.yaml", SPEC)
    _run(eventmod, "apply", root, specs, "--event", "svc_done")
    path = root / "app/svc.py"
    path.write_text(path.read_text().replace("# Log completion", "# we log completion here"))
    _run(eventmod, "revert", root, specs, "--event", "svc_done")
    assert path.read_text() == source.replace("    logger.info('done')\n", "    logger.info('done')\n    # we log completion here\n")


def test_revert_refuses_dirty_files_and_invalid_specs(tmp_path, eventmod):
    root = copy_tree(FIXTURE, tmp_path / "bot")
    bad = tmp_path / "specs"
    bad.mkdir()
    (bad / "x.yaml").write_text((SPECS / "trailing_stop.yaml").read_text().replace("in: SmartTrailingStopManager._activate_trailing_stop", "in: SmartTrailingStopManager._activate_trailng_stop"))
    _run(eventmod, "apply", root, SPECS, "--component", "trailing_stop")
    before = tree_hash(root)
    result = eventmod("revert", "--root", str(root), "--specs", str(bad), "--jobs", "1", "--allow-dirty")
    assert result.exit_code == 2
    assert "not found" in result.output and "nothing was written" in result.output
    assert tree_hash(root) == before


def test_revert_in_parallel_equals_in_process(tmp_path, eventmod):
    serial = copy_tree(FIXTURE, tmp_path / "a")
    parallel = copy_tree(FIXTURE, tmp_path / "b")
    for root in (serial, parallel):
        _run(eventmod, "apply", root, SPECS)
    _run(eventmod, "revert", serial, SPECS)
    result = eventmod("revert", "--root", str(parallel), "--specs", str(SPECS), "--jobs", "4", "--allow-dirty")
    assert result.exit_code == 0, result.output
    assert _files(serial) == _files(parallel)


def test_safe_mode_refuses_a_revert_that_would_remove_original_code(tmp_path, monkeypatch):
    """The reverse check is real: a removal that takes an original statement is refused."""
    from eventmod.transform import revert as revert_module
    from eventmod.config import load_config
    from eventmod.spec.catalog import load_catalog

    root = copy_tree(FIXTURE, tmp_path / "bot")
    config = load_config(tmp_path, root=root, specs=SPECS, emit=None)
    catalog, _ = load_catalog(config.specs, config.root)
    from eventmod.transform.apply import plan_run

    for f in plan_run(config, catalog).files:
        if f.changed:
            (root / f.path).write_bytes(f.new)
    real = revert_module.Edit

    def greedy(start, end, lines, kind, order=0, origins=()):
        if kind == "revert" and not lines and start > 0:
            start -= 1  # also take the line above the block: the anchor statement
        return real(start, end, lines, kind, order, origins)

    monkeypatch.setattr(revert_module, "Edit", greedy)
    plan = revert_module.plan_revert(config, catalog)
    assert any("safe mode" in p.message for p in plan.errors())
    assert not any(f.changed for f in plan.files if any("safe mode" in p.message for p in f.problems))


def test_block_applied_in_the_other_emit_mode_is_still_reverted(tmp_path, eventmod):
    """A block apply wrote with `--emit background` is eventmod's (apply would re-emit it, not
    add another): revert without the flag recognises it in that mode and drops `import asyncio`."""
    root = tmp_path / "root"
    _write(root, ENUM_FILE, ENUM)
    source = "import logging\n\nlogger = logging.getLogger(__name__)\n\n\nasync def run(n):\n    logger.info('done')\n    return n\n"
    _write(root, "app/svc.py", source)
    specs = tmp_path / "specs"
    _write(specs, "svc.yaml", SPEC)
    _run(eventmod, "apply", root, specs, "--event", "svc_done", "--emit", "background")
    assert "asyncio.create_task(" in (root / "app/svc.py").read_text()
    result = _run(eventmod, "revert", root, specs, "--event", "svc_done")
    assert "1 event(s) reverted" in result.output
    assert (root / "app/svc.py").read_text() == source


SPACED_MODULE = '''import logging

logger = logging.getLogger(__name__)


async def handle(items):
    total = 0

    for item in items:
        total += item

    if total:
        logger.info("handled %s", total)
    else:
        total = -1

    return total
'''

GLUED_MODULE = '''import logging

logger = logging.getLogger(__name__)


async def one(x):
    logger.info("one")
    return x


async def two(x):
    logger.info("two")
    return x


async def three(x):
    logger.info("three")
    return x
'''


def test_revert_removes_the_padding_apply_wrote_even_when_the_learned_style_changed(tmp_path, eventmod):
    """Apply pads the block of a file whose statements have blank lines around them and glues
    the blocks of a file that has none; once the blocks exist, the style learned from them (3
    glued, 2 padded) says "no blank lines". Revert still removes the padding apply wrote: a
    blank line between an `after:` anchor and its block (or a `before:` block and its statement) is
    apply's (found on aiocache)."""
    from tests.instrumented import LOGGER

    root = tmp_path / "root"
    (root / "core").mkdir(parents=True)
    (root / "app").mkdir()
    (root / "core" / "event_logger.py").write_text(LOGGER)
    (root / "app" / "spaced.py").write_text(SPACED_MODULE)
    (root / "app" / "glued.py").write_text(GLUED_MODULE)
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "spaced.yaml").write_text(
        "component: spaced\nfile: app/spaced.py\nevents:\n"
        "  - {id: handled, event: HANDLED, in: handle, after_log: handled, payload: {total: total}, severity: INFO}\n"
        "  - {id: returned, event: RETURNED, in: handle, before: return total, payload: {total: total}, severity: INFO}\n")
    (specs / "glued.yaml").write_text(
        "component: glued\nfile: app/glued.py\nevents:\n"
        + "".join(f"  - {{id: {n}, event: {n.upper()}, in: {n}, after_log: {n}, payload: {{x: x}}, severity: INFO}}\n"
                  for n in ("one", "two", "three")))
    flags = ("--root", str(root), "--specs", str(specs), "--allow-dirty")
    result = eventmod("apply", *flags)
    assert result.exit_code == 0, result.output
    spaced = (root / "app" / "spaced.py").read_text()
    assert 'logger.info("handled %s", total)\n\n' in spaced  # apply padded this file's blocks
    assert '\n\n    return total' in spaced.split("RETURNED")[-1]
    assert 'logger.info("one")\n    try:' in (root / "app" / "glued.py").read_text()  # and glued the other's
    style = eventmod("style", *flags[:4])
    assert "blank lines around blocks: no" in style.output, style.output  # what revert learns now
    result = eventmod("revert", *flags)
    assert result.exit_code == 0, result.output
    assert (root / "app" / "spaced.py").read_text() == SPACED_MODULE
    assert (root / "app" / "glued.py").read_text() == GLUED_MODULE


# A function whose compound statements have blank lines around them: it teaches the file's
# style (blank lines around blocks), so apply pads the blocks of the modules below.
SPACED_FUNCTION = """

def spaced(items):
    total = 0

    for item in items:
        total += item

    if total:
        total -= 1

    return total
"""


def _padded_project(tmp_path: Path, name: str, module: str, events: str) -> tuple[Path, Path]:
    """A root with the logger module and app/<name>.py (`module`), and a spec of `events` (YAML
    flow mappings, one a line) for it."""
    from tests.instrumented import LOGGER

    root = tmp_path / "root"
    (root / "core").mkdir(parents=True)
    (root / "app").mkdir()
    (root / "core" / "event_logger.py").write_text(LOGGER)
    (root / "app" / f"{name}.py").write_text(module)
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / f"{name}.yaml").write_text(f"component: {name}\nfile: app/{name}.py\nevents:\n" + events)
    return root, specs


# A `try` of the code's own whose handler holds an event's block (nested in an `if`) and re-raises
# is not an `on_error` wrap of eventmod's: the padding apply put between the block and its anchor
# is apply's, and revert takes it away (found on aio-pika, whose revert kept it).
RERAISING_MODULE = '''import logging

logger = logging.getLogger(__name__)


async def close(self, timeout):
    try:
        await self.wait()
    except TimeoutError:
        if timeout is not None:
            delay = timeout
            logger.info(
                "closing with timeout %d seconds",
                delay,
            )

        task = self.close_task()

        if task is not None:
            await task

        raise

''' + SPACED_FUNCTION


def test_revert_removes_the_padding_inside_a_handler_of_the_codes_own(tmp_path, eventmod):
    root, specs = _padded_project(tmp_path, "closing", RERAISING_MODULE, (
        "  - {id: closing, event: CLOSING, in: close, after_log: closing with timeout, payload: {delay: delay}, severity: INFO}\n"))
    _run(eventmod, "apply", root, specs)
    applied = (root / "app" / "closing.py").read_text()
    assert "            )\n\n            try:\n" in applied  # apply padded the block (the file's habit)
    assert "\n\n        task = self.close_task()" in applied
    _run(eventmod, "revert", root, specs)
    assert (root / "app" / "closing.py").read_text() == RERAISING_MODULE


WRAPPED_MODULE = '''import logging

logger = logging.getLogger(__name__)


async def run(self, value):
    await self.send(value)

    return value

''' + SPACED_FUNCTION


def test_reverting_a_block_after_a_wrap_that_stays_gives_the_wrap_alone(tmp_path, eventmod):
    """An `after:` block that follows another event's `on_error` wrap (the block goes after the
    whole `try`), reverted alone: the file is what applying the wrap's event alone writes."""
    from eventmod.analysis.presence import holds_only_blocks, is_error_wrap

    root, specs = _padded_project(tmp_path, "wrapped", WRAPPED_MODULE, (
        "  - {id: failed, event: SEND_FAILED, in: run, on_error: await self.send(value), payload: {value: value}, severity: ERROR}\n"
        "  - {id: sent, event: SENT, in: run, after: await self.send(value), payload: {value: value}, severity: INFO}\n"))
    _run(eventmod, "apply", root, specs, "--event", "failed")
    wrap_only = (root / "app" / "wrapped.py").read_text()
    _run(eventmod, "apply", root, specs)
    both = (root / "app" / "wrapped.py").read_text()
    assert "EventType.SENT" in both and "EventType.SEND_FAILED" in both
    # eventmod's own wrap holds only the block before its `raise`
    wrap = ast.parse(both).body[-2].body[0]
    assert is_error_wrap(wrap) and holds_only_blocks(wrap)
    _run(eventmod, "revert", root, specs, "--event", "sent")
    assert (root / "app" / "wrapped.py").read_text() == wrap_only


def test_a_try_of_the_codes_own_is_not_a_wrap_of_blocks():
    from eventmod.analysis.presence import holds_only_blocks, is_error_wrap

    block = ("            event_logger = get_event_logger()\n"
             "            if event_logger:\n"
             "                await event_logger.log_event(EventType.X, {})\n")
    nested = ("try:\n    await f()\nexcept TimeoutError:\n    if slow:\n        log.info('slow')\n"
              + block.replace("            ", "        ") + "    raise\n")
    extra = "try:\n    await f()\nexcept Exception as exc:\n" + block.replace("            ", "    ") + "    cleanup()\n    raise\n"
    own = "try:\n    await f()\nexcept Exception as exc:\n    logger.error('failed')\n" + block.replace("            ", "    ") + "    raise\n"
    for text, expected in ((nested, False), (extra, False), (own, True)):
        stmt = ast.parse(text).body[0]
        assert is_error_wrap(stmt)
        assert holds_only_blocks(stmt) is expected, text


# Code whose logger calls are followed by a blank line (as asyncssh writes them): the blank line
# below a block that follows a logger call is the code's own, and revert keeps it; a file of the
# same run whose logger call had none gets none back only where the run's habit says so.
SPACED_LOGS = '''import logging

logger = logging.getLogger(__name__)


async def connect(self, host):
    logger.info("connecting to %s", host)

    session = await self.open(host)

    logger.info("connected to %s", host)

    self.session = session
    logger.debug("session %s", session)

    return session


async def close(self):
    logger.info("closing")

    await self.session.close()

    logger.info(
        "closed %s",
        self,
    )

    self.session = None

''' + SPACED_FUNCTION


def test_revert_keeps_the_blank_line_the_codes_logger_calls_have(tmp_path, eventmod):
    root, specs = _padded_project(tmp_path, "spaced_logs", SPACED_LOGS, (
        "  - {id: connecting, event: CONNECTING, in: connect, after_log: connecting to, payload: {host: host}, severity: INFO}\n"
        "  - {id: connected, event: CONNECTED, in: connect, after_log: connected to, payload: {host: host}, severity: INFO}\n"
        "  - {id: closed, event: CLOSED, in: close, after_log: closed, payload: {}, severity: INFO}\n"))
    _run(eventmod, "apply", root, specs)
    applied = (root / "app" / "spaced_logs.py").read_text()
    assert applied.count("log_event(") == 3
    assert '    logger.info("connecting to %s", host)\n\n    try:' in applied  # padded: the file's habit
    _run(eventmod, "revert", root, specs)
    assert (root / "app" / "spaced_logs.py").read_text() == SPACED_LOGS


def test_log_spacing_counts_the_codes_own_logger_calls_only():
    from eventmod.analysis.anchors import LoggerNames
    from eventmod.analysis.presence import CallMatcher
    from eventmod.analysis.style import log_spacing
    from eventmod.model.settings import CallShape

    text = (
        "def f(x):\n"
        "    logger.info('a')\n"          # glued to a simple statement: counted, no blank
        "    y = x\n"
        "    logger.info('b')\n"          # blank line, then a simple statement: counted, blank
        "\n"
        "    z = y\n"
        "    logger.info('c')\n"          # followed by a compound statement: not counted
        "\n"
        "    if z:\n"
        "        print(z)\n"
        "    logger.info('d')\n"          # followed by an eventmod block: not counted
        "\n"
        "    event_logger = get_event_logger()\n"
        "    if event_logger:\n"
        "        event_logger.log_event(EventType.X, {})\n"
        "    print('e')\n"                # not a logger call: not counted
        "\n"
        "    return z\n"
    )
    tree = ast.parse(text)
    matcher = CallMatcher.of(CallShape(), frozenset({"get_event_logger"}))
    assert log_spacing(tree, text.splitlines(), matcher, LoggerNames.of(tree)) == (1, 2)


def test_the_log_spacing_of_a_file_is_learned_once_by_content(tmp_path, monkeypatch):
    """`learn_log_spacing` counts the run's files together, and a file it counted before (same
    bytes) is not parsed again; changed bytes are."""
    from eventmod.model.settings import Settings
    from eventmod.transform import house

    monkeypatch.setenv("EVENTMOD_CACHE_DIR", str(tmp_path / "cache"))
    house.style_cache.cache_clear()
    root = tmp_path / "root"
    root.mkdir()
    spaced = "def f(x):\n    logger.info('a')\n\n    y = x\n    logger.info('b')\n\n    return y\n"
    glued = "def g(x):\n    logger.info('a')\n    y = x\n    logger.info('b')\n    y += 1\n    logger.info('c')\n    return y\n"
    (root / "spaced.py").write_text(spaced)
    (root / "glued.py").write_text(glued)
    settings = Settings(root=str(root))
    assert house.learn_log_spacing(settings, ["spaced.py"]) is True
    assert house.learn_log_spacing(settings, ["glued.py"]) is False
    assert house.learn_log_spacing(settings, ["spaced.py", "glued.py"]) is False  # 2 of 5 together
    parsed = []
    real = house.load_bytes
    monkeypatch.setattr(house, "load_bytes", lambda *a: parsed.append(a[0]) or real(*a))
    assert house.learn_log_spacing(settings, ["spaced.py", "glued.py"]) is False
    assert parsed == []  # both remembered by content
    (root / "glued.py").write_text(glued.replace("    y += 1\n", "\n    y += 1\n\n").replace("    return y", "\n    return y"))
    assert house.learn_log_spacing(settings, ["spaced.py", "glued.py"]) is True  # 4 of 5
    assert parsed == ["glued.py"]
    house.style_cache.cache_clear()
