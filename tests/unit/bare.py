"""The fast tests check where blocks go, what they log and how imports merge, on the bare block
shape: these wrappers of `eventmod.testing` plan with `failsafe = false` unless a test sets it.
The fail-safe shape has its own tests (tests/test_failsafe.py, tests/unit/test_render.py)."""

from __future__ import annotations

from typing import Any

from eventmod import testing
from eventmod.testing import LOGGER_FILE, Result, dedent  # noqa: F401  (re-exported for the tests)

BARE = {"failsafe": False}


def _options(options: dict[str, Any]) -> dict[str, Any]:
    return {**options, "config": {**BARE, **(options.get("config") or {})}}


def transform(before: str, spec: Any, **options: Any) -> Result:
    return testing.transform(before, spec, **_options(options))


def assert_transform(before: str, after: str, spec: Any, **options: Any) -> Result:
    return testing.assert_transform(before, after, spec, **_options(options))


def assert_refused(before: str, spec: Any, message_part: str, **options: Any) -> Result:
    return testing.assert_refused(before, spec, message_part, **_options(options))
