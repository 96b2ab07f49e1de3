"""Test your specs in process, with (before, after) strings, the way LibCST's `CodemodTest` and
pyupgrade's tests do (README, "Testing your specs"):

    from eventmod.testing import assert_refused, assert_transform

    SPEC = {"event": "ORDER_PLACED", "in": "place", "after_log": "placed", "payload": {"id": "order_id"}}


    def test_order_placed():
        assert_transform(
            '''
            async def place(order_id):
                logger.info("placed")
            ''',
            '''
            import logging

            from core.event_logger import EventType, get_event_logger


            async def place(order_id):
                logger.info("placed")
                try:
                    event_logger = get_event_logger()
                    if event_logger:
                        await event_logger.log_event(
                            EventType.ORDER_PLACED,
                            {
                                "id": order_id,
                            },
                            severity="INFO",
                        )
                except Exception:
                    logging.getLogger(__name__).warning(
                        "Could not log event ORDER_PLACED", exc_info=True
                    )
            ''',
            SPEC,
        )


    def test_a_typo_is_refused():
        before = 'async def place(order_id):\n    logger.info("placed")\n'
        assert_refused(before, {**SPEC, "payload": {"id": "oder_id"}}, "did you mean 'order_id'")

Each call builds a small project in a temporary directory: the target module (`path`, default
`service.py`) from `before`, a logger module (`core/event_logger.py` with `EventType`,
`get_event_logger` and an `EventLogger.log_event`, the defaults eventmod expects) and the spec,
then plans it through the public core (`eventmod.api`) exactly as `eventmod dry-run` does, safe
mode included. Nothing is imported from the target, no subprocess is started, and black is
only imported when a block needs its layout.

`spec` is one event (a mapping, or YAML text for one) whose `id` defaults to `event_1` and
`severity` to `INFO`; a list of such events; or a whole component (a mapping with `events`),
whose `component`, `file` and `phase` are filled in when missing. `files` adds or replaces files
of the project (path -> text, e.g. your own `core/event_logger.py`), `config` is the
`[tool.eventmod]` table and `black` the `[tool.black]` table of the project's pyproject.toml
(blocks are fail-safe by default, as `apply` writes them; `config={"failsafe": False}` plans the
bare block; `black=False`: no `[tool.black]` table, a project that does not format with black,
whose blocks get the house style eventmod learns instead of black's layout).
Inputs are dedented with `textwrap.dedent` (and a leading newline dropped) unless
`dedent=False`.
"""

from __future__ import annotations

import difflib
import json
import os
import tempfile
import textwrap
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence, Union

import yaml

from eventmod.model.problems import InputError, Problem
from eventmod.model.record import record
from eventmod.model.results import EventOutcome, RunPlan, Status

if TYPE_CHECKING:
    from eventmod.reports.coverage import PlanRow

__all__ = [
    "DEFAULT_LOGGER_MODULE_TEXT",
    "DEFAULT_PATH",
    "LOGGER_FILE",
    "Result",
    "assert_refused",
    "assert_transform",
    "dedent",
    "transform",
]

DEFAULT_PATH = "service.py"  # at the root: no directory to create per test
LOGGER_FILE = "core/event_logger.py"  # eventmod's default enum_file / logger_module
SPEC_FILE = "eventmod_test_spec.yaml"  # at the root, which is the spec directory

DEFAULT_LOGGER_MODULE_TEXT = '''\
"""The event logger the tested module imports (eventmod.testing's default)."""

from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"


class EventLogger:
    async def log_event(self, event_type, event_data, correlation_id=None, position_id=None,
                        order_id=None, symbol=None, exchange=None, severity="INFO", error=None):
        pass


_event_logger = None


def get_event_logger():
    return _event_logger
'''

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SpecInput = Union[str, Mapping[str, Any], Sequence[Mapping[str, Any]]]


@record
class Result:
    """What planning the project produced. `text` is the target module afterwards (equal to
    `before` when nothing changes); `files` holds every changed file (target, enum file, ...)."""

    before: str
    text: str
    path: str
    files: dict[str, str]
    plan: RunPlan
    coverage_percent: float = 0.0  # `eventmod coverage` of the planned project, from the code
    plan_rows: tuple[PlanRow, ...] = field(default=())  # `eventmod plan` rows
    spec_shown: str = ""  # how problems name the spec file (a path into the temporary directory)

    @property
    def changed(self) -> bool:
        return self.text != self.before

    @property
    def outcomes(self) -> tuple[EventOutcome, ...]:
        return tuple(self.plan.outcomes())

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(self.plan.all_problems())

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(self.plan.errors())

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity != "error")

    def status(self, event_id: str | None = None) -> Status:
        """The status of `event_id` (of the only event when None)."""
        statuses = self.plan.status_of()
        if event_id is None:
            if len(statuses) != 1:
                raise AssertionError(f"status(): name one of the events {sorted(statuses)}")
            return next(iter(statuses.values()))
        return statuses[event_id]

    def format(self, problem: Problem) -> str:
        """`problem` as the command line prints it, the spec file called `spec.yaml`."""
        text = problem.format()
        return text.replace(self.spec_shown, "spec.yaml", 1) if self.spec_shown else text

    def messages(self) -> str:
        """Every problem, one per line, as the command line prints them."""
        return "\n".join(self.format(p) for p in self.problems)

    def diff(self) -> str:
        return _diff(self.before, self.text, "before", "after")


def dedent(text: str) -> str:
    """`textwrap.dedent`, without the newline that follows an opening triple quote."""
    text = textwrap.dedent(text)
    return text[1:] if text.startswith("\n") else text


def transform(before: str, spec: SpecInput, *, files: Mapping[str, str] | None = None,
              config: Mapping[str, Any] | None = None, black: "Mapping[str, Any] | bool | None" = None,
              path: str = DEFAULT_PATH, dedent: bool = True, root: Path | None = None) -> Result:
    """Plan `spec` against a project whose `path` holds `before`; see the module docstring.
    `root`: build the project there (an empty or new directory, kept afterwards) instead of in
    a temporary directory."""
    before_text = _dedent(before) if dedent else before
    if root is not None:
        return _transform_in(Path(root), before_text, spec, files, config, black, path, dedent, True)
    with tempfile.TemporaryDirectory(prefix="eventmod-test-") as tmp:
        return _transform_in(Path(tmp), before_text, spec, files, config, black, path, dedent, False)


def assert_transform(before: str, after: str, spec: SpecInput, **options: Any) -> Result:
    """`before` becomes exactly `after` (no errors); on failure, the unified diff from the
    expected text to the produced one, and every problem."""
    result = transform(before, spec, **options)
    expected = _dedent(after) if options.get("dedent", True) else after
    if result.errors:
        raise AssertionError(f"expected the transformation to succeed, but it was refused:\n{result.messages()}")
    if result.text != expected:
        shown = _diff(expected, result.text, "expected", "actual")
        if [line.rstrip() for line in expected.splitlines()] == [line.rstrip() for line in result.text.splitlines()]:
            shown = f"only line ends or trailing whitespace differ:\nexpected {expected!r}\nactual   {result.text!r}"
        notes = f"\nproblems:\n{result.messages()}" if result.problems else ""
        raise AssertionError(f"the transformation differs from the expected text:\n{shown}{notes}")
    return result


def assert_refused(before: str, spec: SpecInput, message_part: str, **options: Any) -> Result:
    """Planning reports an error whose message contains `message_part` (and `apply` would
    write nothing)."""
    result = transform(before, spec, **options)
    if not result.errors:
        notes = f"\nproblems:\n{result.messages()}" if result.problems else ""
        raise AssertionError(f"expected an error containing {message_part!r}, but the spec was accepted; "
                             f"the change:\n{result.diff() or '(none)'}{notes}")
    if not any(message_part in result.format(p) for p in result.errors):
        raise AssertionError(f"no error contains {message_part!r}; the errors:\n"
                             + "\n".join(result.format(p) for p in result.errors))
    return result


# -- building the project ----------------------------------------------------------------------
def _dedent(text: str) -> str:
    return dedent(text)  # for the functions whose `dedent` flag hides the function


def _transform_in(root: Path, before: str, spec: SpecInput, files: Mapping[str, str] | None,
                  config: Mapping[str, Any] | None, black: "Mapping[str, Any] | bool | None", path: str,
                  dedent_inputs: bool, keep: bool) -> Result:
    from eventmod.api import load_project, plan
    from eventmod.model.settings import CallShape
    from eventmod.reports.coverage import measure_coverage, rollout_plan

    contents: dict[str, str] = {}
    overlay: dict[str, bytes] = {}
    if path != LOGGER_FILE and LOGGER_FILE not in (files or {}):
        if keep:
            contents[LOGGER_FILE] = DEFAULT_LOGGER_MODULE_TEXT
        else:  # stands in for the disk: one directory less to create and remove per test
            overlay[LOGGER_FILE] = DEFAULT_LOGGER_MODULE_TEXT.encode("utf-8")
    for rel, text in (files or {}).items():
        contents[rel] = _dedent(text) if dedent_inputs else text
    contents[path] = before
    contents[SPEC_FILE] = _spec_yaml(spec, path, dedent_inputs)
    contents["pyproject.toml"] = _pyproject(config or {}, black if black is False else (black or {}))
    for rel, text in contents.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))  # bytes: CRLF and tabs stay as written
    try:
        project = load_project(root, config_file=root / "pyproject.toml")
    except InputError as exc:
        raise AssertionError("the project's configuration is unusable:\n" + "\n".join(p.format() for p in exc.problems)) from None
    run = plan(project, jobs=1, overlay=overlay, remember=keep)  # a temporary project's plans serve no later run
    changed = {f.path: f.new.decode("utf-8-sig") for f in run.files if f.changed and f.new is not None}
    coverage = measure_coverage(project.config.root, project.catalog, run, call=CallShape.from_config(project.config))
    return Result(before=before, text=changed.get(path, before), path=path, files=changed, plan=run,
                  coverage_percent=coverage.percent, plan_rows=tuple(rollout_plan(project.catalog, run)),
                  spec_shown=_shown(root / SPEC_FILE))


def _spec_yaml(spec: SpecInput, path: str, dedent_inputs: bool) -> str:
    if isinstance(spec, str):
        text = _dedent(spec) if dedent_inputs else spec
        try:
            loaded = yaml.load(text, Loader=_LOADER)
        except yaml.YAMLError:
            return text  # eventmod's loader reports it, located
        if not isinstance(loaded, (dict, list)):
            return text
        spec = loaded
    if isinstance(spec, Mapping) and "events" in spec:
        component = {"component": "test", "file": path, "phase": 1, **spec}
    else:
        events = [spec] if isinstance(spec, Mapping) else list(spec)
        filled = []
        for number, event in enumerate(events, 1):
            if isinstance(event, Mapping):
                event = {"id": f"event_{number}", **event}
                event.setdefault("severity", "INFO")
            filled.append(event)
        component = {"component": "test", "file": path, "phase": 1, "events": filled}
    return yaml.dump(component, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=10_000)


def _pyproject(config: Mapping[str, Any], black: "Mapping[str, Any] | bool") -> str:
    """A pyproject.toml whose [tool.eventmod] points at the scratch project and whose
    [tool.black] table stops the upward search for the project's black settings."""
    table = {"root": ".", "specs": ".", **config}
    lines = ["[tool.eventmod]", *(f"{key} = {_toml(value)}" for key, value in table.items())]
    if black is not False:
        lines += ["", "[tool.black]", *(f"{key} = {_toml(value)}" for key, value in black.items())]  # type: ignore[union-attr]
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"eventmod.testing: cannot write {value!r} into pyproject.toml")


def _shown(path: Path) -> str:
    """How the spec loader names `path` (relative to the working directory when it can)."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)


def _diff(old: str, new: str, old_name: str, new_name: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), old_name, new_name))
