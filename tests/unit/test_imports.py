"""Imports: where the logger import and `import asyncio` go, merges into existing imports, and
aliases reused. Each expected text is written out in full except the block (`<E>`)."""

from __future__ import annotations

import pytest

from tests.unit.bare import assert_transform, dedent
from tests.unit.blocks import expand

SPEC = {"event": "E", "in": "f", "payload": {}, "after_log": "go"}
BACKGROUND = {**SPEC, "emit": "background"}

NEW_IMPORT = [
    pytest.param(
        """
        import logging

        logger = logging.getLogger(__name__)


        async def f():
            logger.info("go")
        """,
        """
        import logging

        from core.event_logger import EventType, get_event_logger

        logger = logging.getLogger(__name__)


        async def f():
            logger.info("go")
            <E>
        """,
        id="after-stdlib-section",
    ),
    pytest.param(
        """
        import logging


        async def f():
            logger.info("go")
        """,
        """
        import logging

        from core.event_logger import EventType, get_event_logger


        async def f():
            logger.info("go")
            <E>
        """,
        id="after-stdlib-before-def",
    ),
    pytest.param(
        """
        import os
        import sys

        from app.models import Order
        from db.repository import Repository


        async def f():
            logger.info("go")
        """,
        """
        import os
        import sys

        from app.models import Order
        from core.event_logger import EventType, get_event_logger
        from db.repository import Repository


        async def f():
            logger.info("go")
            <E>
        """,
        id="first-party-isort-order-middle",
    ),
    pytest.param(
        """
        import os

        from app.models import Order
        from config import settings


        async def f():
            logger.info("go")
        """,
        """
        import os

        from app.models import Order
        from config import settings
        from core.event_logger import EventType, get_event_logger


        async def f():
            logger.info("go")
            <E>
        """,
        id="first-party-isort-order-last",
    ),
    pytest.param(
        """
        from zeta import z


        async def f():
            logger.info("go")
        """,
        """
        from core.event_logger import EventType, get_event_logger
        from zeta import z


        async def f():
            logger.info("go")
            <E>
        """,
        id="first-party-isort-order-first",
    ),
    pytest.param(
        """
        async def f():
            logger.info("go")
        """,
        """
        from core.event_logger import EventType, get_event_logger


        async def f():
            logger.info("go")
            <E>
        """,
        id="no-imports-at-all",
    ),
    pytest.param(
        '''
        """The order service."""


        async def f():
            logger.info("go")
        ''',
        '''
        """The order service."""

        from core.event_logger import EventType, get_event_logger


        async def f():
            logger.info("go")
            <E>
        ''',
        id="after-module-docstring",
    ),
    pytest.param(
        '''
        """The order service."""
        LIMIT = 3


        async def f():
            logger.info("go")
        ''',
        '''
        """The order service."""

        from core.event_logger import EventType, get_event_logger

        LIMIT = 3


        async def f():
            logger.info("go")
            <E>
        ''',
        id="after-module-docstring-then-constant",
    ),
    pytest.param(
        """
        from __future__ import annotations


        async def f():
            logger.info("go")
        """,
        """
        from __future__ import annotations

        from core.event_logger import EventType, get_event_logger


        async def f():
            logger.info("go")
            <E>
        """,
        id="future-only",
    ),
    pytest.param(
        """
        from __future__ import annotations

        import asyncio


        async def f():
            logger.info("go")
        """,
        """
        from __future__ import annotations

        import asyncio

        from core.event_logger import EventType, get_event_logger


        async def f():
            logger.info("go")
            <E>
        """,
        id="future-and-stdlib",
    ),
    pytest.param(
        """
        #!/usr/bin/env python
        # Copyright the team.

        async def f():
            logger.info("go")
        """,
        """
        #!/usr/bin/env python
        # Copyright the team.
        from core.event_logger import EventType, get_event_logger


        async def f():
            logger.info("go")
            <E>
        """,
        id="below-header-comments",
    ),
    pytest.param(
        """
        import logging

        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from core.event_logger import EventType


        async def f():
            logger.info("go")
        """,
        """
        import logging

        from typing import TYPE_CHECKING

        from core.event_logger import EventType, get_event_logger

        if TYPE_CHECKING:
            from core.event_logger import EventType


        async def f():
            logger.info("go")
            <E>
        """,
        id="type-checking-import-is-not-a-runtime-import",
    ),
]

MERGE = [
    pytest.param(
        """
        from core.event_logger import EventType


        async def f():
            logger.info("go")
        """,
        """
        from core.event_logger import EventType, get_event_logger


        async def f():
            logger.info("go")
            <E>
        """,
        id="single-line",
    ),
    pytest.param(
        """
        from core.event_logger import get_event_logger  # the getter


        async def f():
            logger.info("go")
        """,
        """
        from core.event_logger import EventType, get_event_logger  # the getter


        async def f():
            logger.info("go")
            <E>
        """,
        id="single-line-with-comment",
    ),
    pytest.param(
        """
        from core.event_logger import (
            EventLogger,
            EventType,
        )


        async def f():
            logger.info("go")
        """,
        """
        from core.event_logger import (
            EventLogger,
            EventType,
            get_event_logger,
        )


        async def f():
            logger.info("go")
            <E>
        """,
        id="parenthesised-trailing-comma",
    ),
    pytest.param(
        """
        from core.event_logger import (
            EventLogger,
            EventType
        )


        async def f():
            logger.info("go")
        """,
        """
        from core.event_logger import (
            EventLogger,
            EventType,
            get_event_logger,
        )


        async def f():
            logger.info("go")
            <E>
        """,
        id="parenthesised-no-trailing-comma",
    ),
    pytest.param(
        """
        from core.event_logger import (EventLogger)


        async def f():
            logger.info("go")
        """,
        """
        from core.event_logger import (EventLogger, EventType, get_event_logger)


        async def f():
            logger.info("go")
            <E>
        """,
        id="parenthesised-one-line",
    ),
    pytest.param(
        """
        from core.event_logger import EventLogger, \\
            EventType


        async def f():
            logger.info("go")
        """,
        """
        from core.event_logger import (
            EventLogger,
            EventType,
            get_event_logger,
        )


        async def f():
            logger.info("go")
            <E>
        """,
        id="backslash-continuation",
    ),
    pytest.param(
        """
        from core.event_logger import EventLogger, LOG_QUEUE_SIZE, DEFAULT_SEVERITY_LEVEL, EventType


        async def f():
            logger.info("go")
        """,
        """
        from core.event_logger import (
            EventLogger,
            LOG_QUEUE_SIZE,
            DEFAULT_SEVERITY_LEVEL,
            EventType,
            get_event_logger,
        )


        async def f():
            logger.info("go")
            <E>
        """,
        id="too-long-explodes",
    ),
    pytest.param(
        """
        from core.event_logger import EventType as ET


        async def f():
            logger.info("go")
        """,
        """
        from core.event_logger import EventType as ET, get_event_logger


        async def f():
            logger.info("go")
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    ET.E,
                    {},
                    severity="INFO",
                )
        """,
        id="enum-alias-reused",
    ),
    pytest.param(
        """
        from core.event_logger import get_event_logger as get_audit, EventType as ET


        async def f():
            logger.info("go")
        """,
        """
        from core.event_logger import get_event_logger as get_audit, EventType as ET


        async def f():
            logger.info("go")
            event_logger = get_audit()
            if event_logger:
                await event_logger.log_event(
                    ET.E,
                    {},
                    severity="INFO",
                )
        """,
        id="both-aliases-reused-nothing-imported",
    ),
    pytest.param(
        """
        from core.event_logger import *


        async def f():
            logger.info("go")
        """,
        """
        from core.event_logger import *


        async def f():
            logger.info("go")
            <E>
        """,
        id="star-import-provides-both",
    ),
]


@pytest.mark.parametrize("before, after", NEW_IMPORT + MERGE)
def test_logger_import(before, after):
    assert_transform(before, expand(after, header=""), SPEC)


def test_merge_keeps_a_line_that_fits_the_projects_line_length():
    before = """
        from core.event_logger import EventLogger, LOG_QUEUE_SIZE, DEFAULT_SEVERITY_LEVEL, EventType


        async def f():
            logger.info("go")
        """
    after = """
        from core.event_logger import EventLogger, LOG_QUEUE_SIZE, DEFAULT_SEVERITY_LEVEL, EventType, get_event_logger


        async def f():
            logger.info("go")
            <E>
        """
    assert_transform(before, expand(after, header=""), SPEC, black={"line-length": 120})


ASYNCIO = [
    pytest.param(
        """
        import logging


        async def f():
            logger.info("go")
        """,
        """
        import asyncio
        import logging

        from core.event_logger import EventType, get_event_logger


        async def f():
            logger.info("go")
            <E:background>
        """,
        id="first-stdlib-import",
    ),
    pytest.param(
        """
        from __future__ import annotations

        import logging


        async def f():
            logger.info("go")
        """,
        """
        from __future__ import annotations

        import asyncio
        import logging

        from core.event_logger import EventType, get_event_logger


        async def f():
            logger.info("go")
            <E:background>
        """,
        id="after-future",
    ),
    pytest.param(
        """
        import asyncio

        from core.event_logger import EventType, get_event_logger


        async def f():
            logger.info("go")
        """,
        """
        import asyncio

        from core.event_logger import EventType, get_event_logger


        async def f():
            logger.info("go")
            <E:background>
        """,
        id="already-imported",
    ),
    pytest.param(
        """
        import asyncio as aio


        async def f():
            logger.info("go")
        """,
        """
        import asyncio as aio

        from core.event_logger import EventType, get_event_logger


        async def f():
            logger.info("go")
            event_logger = get_event_logger()
            if event_logger:
                aio.create_task(
                    event_logger.log_event(
                        EventType.E,
                        {},
                        severity="INFO",
                    )
                )
        """,
        id="alias-reused",
    ),
    pytest.param(
        """
        async def f():
            logger.info("go")
        """,
        """
        import asyncio

        from core.event_logger import EventType, get_event_logger


        async def f():
            logger.info("go")
            <E:background>
        """,
        id="no-imports-one-block",
    ),
    pytest.param(
        '''
        """Doc."""


        async def f():
            logger.info("go")
        ''',
        '''
        """Doc."""

        import asyncio

        from core.event_logger import EventType, get_event_logger


        async def f():
            logger.info("go")
            <E:background>
        ''',
        id="docstring-only-one-block",
    ),
]


@pytest.mark.parametrize("before, after", ASYNCIO)
def test_asyncio_import_for_background_blocks(before, after):
    assert_transform(before, expand(after, header=""), BACKGROUND)


def test_the_logger_module_itself_imports_nothing():
    before = '''
        from enum import Enum


        class EventType(str, Enum):
            BOT_STARTED = "bot_started"


        class EventLogger:
            async def log_event(self, event_type, data, severity="INFO"):
                pass


        def get_event_logger():
            return None


        async def f():
            logger.info("go")
        '''
    after = '''
        from enum import Enum


        class EventType(str, Enum):
            BOT_STARTED = "bot_started"
            E = "e"


        class EventLogger:
            async def log_event(self, event_type, data, severity="INFO"):
                pass


        def get_event_logger():
            return None


        async def f():
            logger.info("go")
            <E>
        '''
    assert_transform(before, expand(after, header=""), SPEC, path="core/event_logger.py")


AUDIT = {
    "myproject/observability/audit_logger.py": """
        from enum import Enum


        class AuditEventType(Enum):
            STARTED = "started"


        class AuditLogger:
            async def log_event(self, event_type, data, severity="INFO"):
                pass


        def get_audit_logger():
            return None
        """,
}
AUDIT_CONFIG = {"logger_module": "myproject.observability.audit_logger", "enum_file": "myproject/observability/audit_logger.py",
                "enum_class": "AuditEventType", "getter": "get_audit_logger"}


LONG_MODULE = [
    pytest.param(
        """
        async def f():
            logger.info("go")
        """,
        """
        from myproject.observability.audit_logger import (
            AuditEventType,
            get_audit_logger,
        )


        async def f():
            logger.info("go")
            <BLOCK>
        """,
        id="no-imports",
    ),
    pytest.param(
        """
        import os


        async def f():
            logger.info("go")
        """,
        """
        import os

        from myproject.observability.audit_logger import (
            AuditEventType,
            get_audit_logger,
        )


        async def f():
            logger.info("go")
            <BLOCK>
        """,
        id="after-stdlib",
    ),
    pytest.param(
        """
        import os

        from zeta import z


        async def f():
            logger.info("go")
        """,
        """
        import os

        from myproject.observability.audit_logger import (
            AuditEventType,
            get_audit_logger,
        )
        from zeta import z


        async def f():
            logger.info("go")
            <BLOCK>
        """,
        id="among-first-party",
    ),
]
AUDIT_BLOCK = """\
    event_logger = get_audit_logger()
    if event_logger:
        await event_logger.log_event(
            AuditEventType.E,
            {},
            severity="INFO",
        )
"""


@pytest.mark.parametrize("before, after", LONG_MODULE)
def test_a_new_import_longer_than_the_line_length_is_exploded(before, after):
    expected = dedent(after).replace("    <BLOCK>\n", AUDIT_BLOCK)
    result = assert_transform(before, expected, SPEC, files=AUDIT, config=AUDIT_CONFIG, black={"line-length": 79})
    assert max(len(line) for line in result.text.splitlines()) <= 79


# A name bound only to the same object (a TYPE_CHECKING import of it) is imported under its
# own name; a name bound to anything else at module level gets an alias (it is never rebound).
SAME_OR_OTHER = [
    pytest.param(
        """
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from core.event_logger import EventType, get_event_logger
        """,
        "from core.event_logger import EventType, get_event_logger", ("get_event_logger", "EventType"), id="type-checking-both",
    ),
    pytest.param(
        """
        try:
            from core.event_logger import EventType
        except ImportError:
            EventType = None
        """,
        "from core.event_logger import EventType as EventType_, get_event_logger", ("get_event_logger", "EventType_"),
        id="conditional-fallback-binding",
    ),
    pytest.param(
        """
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from other.events import EventType
        """,
        "from core.event_logger import EventType as EventType_, get_event_logger", ("get_event_logger", "EventType_"),
        id="type-checking-import-of-another-module",
    ),
]


@pytest.mark.parametrize("header, added, names", SAME_OR_OTHER)
def test_a_name_bound_to_the_same_import_is_imported_under_it(tmp_path, header, added, names):
    from eventmod.api import load_project, plan, plan_revert, write_changes
    from eventmod.testing import transform

    before = dedent(header) + '\n\nasync def f():\n    logger.info("go")\n'
    result = transform(before, SPEC, root=tmp_path, dedent=False, config={"failsafe": False})
    assert not result.errors, result.messages()
    assert f"{added}\n" in result.text.splitlines(keepends=True), result.text
    getter, enum = names
    assert f"event_logger = {getter}()" in result.text and f"{enum}.E," in result.text
    project = load_project(tmp_path, config_file=tmp_path / "pyproject.toml")
    assert write_changes(project.config, list(plan(project).files), allow_dirty=True).ok
    assert write_changes(project.config, list(plan_revert(project).files), allow_dirty=True).ok
    assert (tmp_path / "service.py").read_text() == before
