"""Safe mode (`verify_only_insertions`) on hand-built (old, new, origin) triples.

`new` is a list of lines: an int `n` copies old line n (1-based) verbatim, a str is a line an
edit wrote (origin None), and `(n, text)` claims to copy old line n but holds `text` (a wrapped
statement re-indented, or a change the map does not admit).
"""

from __future__ import annotations

import pytest

from eventmod.testing import dedent
from eventmod.transform.verify import verify_only_insertions

Line = int | str | tuple[int, str]


def check(old: str, new: list[Line], replaced: tuple[int, ...] = ()) -> str | None:
    old = dedent(old)
    old_lines = old.split("\n")
    texts, origin = [], []
    for line in new:
        if isinstance(line, int):
            texts.append(old_lines[line - 1])
            origin.append(line - 1)
        elif isinstance(line, tuple):
            texts.append(line[1])
            origin.append(line[0] - 1)
        else:
            texts.append(line)
            origin.append(None)
    new_text = "\n".join(texts) + "\n"
    return verify_only_insertions(old, new_text, origin, logger_module="core.event_logger",
                                  added_names=("get_event_logger", "EventType"), replaced=frozenset(replaced))


FUNCTION = """
    import logging


    async def f(x):
        y = x + 1
        return y
    """
BLOCK = ["    event_logger = get_event_logger()", "    if event_logger:",
         "        await event_logger.log_event(EventType.E, {}, severity='INFO')"]
IMPORT = ["from core.event_logger import EventType, get_event_logger"]

ACCEPTED = [
    pytest.param(FUNCTION, [1, 2, 3, 4, 5, 6, 7], (), id="unchanged"),
    pytest.param(FUNCTION, [1, 2, 3, 4, 5, *BLOCK, 6, 7], (), id="block-inserted"),
    pytest.param(FUNCTION, [1, "", *IMPORT, 2, 3, 4, 5, *BLOCK, 6, 7], (), id="import-and-block"),
    pytest.param(FUNCTION, [*IMPORT, 1, 2, 3, 4, 5, 6, 7], (), id="import-at-top"),
    pytest.param(
        """
        async def f(x):
            if x:
                for i in x:
                    pass
            try:
                pass
            except KeyError as e:
                raise
        """,
        [1, 2, 3, 4, "            " + BLOCK[0].strip(), 5, 6, 7, "        print(e)", 8, 9],
        (), id="inside-for-and-handler",
    ),
    pytest.param(
        """
        async def f(command):
            match command:
                case {"a": a}:
                    return a
        """,
        [1, 2, 3, "            print(a)", 4, 5], (), id="inside-match-case",
    ),
    pytest.param(
        """
        async def f(x):
            result = await x.send(
                1,
            )
            return result
        """,
        [1, "    try:", (2, "        result = await x.send("), (3, "            1,"), (4, "        )"),
         "    except Exception as exc:", "        print(exc)", "        raise", 5, 6],
        (), id="on-error-wrap-reindents",
    ),
    pytest.param(
        """
        from core.event_logger import EventType


        async def f(x):
            return x
        """,
        ["from core.event_logger import EventType, get_event_logger", 2, 3, 4, 5, 6],
        (1,), id="merged-import",
    ),
    pytest.param(
        """
        from core.event_logger import EventType


        async def f(x):
            return x
        """,
        [(1, "from core.event_logger import EventType, get_event_logger"), 2, 3, 4, 5, 6],
        (), id="merged-import-names-are-the-added-ones",
    ),
    pytest.param(
        """
        from core.event_logger import EventLogger, EventType


        async def f(x):
            return x
        """,
        ["from core.event_logger import (", "    EventLogger,", "    EventType,", "    get_event_logger,", ")", 2, 3, 4, 5, 6],
        (1,), id="merged-import-exploded",
    ),
    pytest.param(
        """
        from enum import Enum


        class EventType(str, Enum):
            A = "a"
        """,
        [1, 2, 3, 4, 5, "", "    # New group", '    B = "b"', 6],
        (), id="enum-member",
    ),
    pytest.param(
        """
        async def f(x):
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.E, {})
            return x
        """,
        [1, 2, 3, "        asyncio.create_task(event_logger.log_event(EventType.E, {}))", 5, 6],
        (4,), id="re-emit-rewrites-its-own-block",
    ),
]


@pytest.mark.parametrize("old, new, replaced", ACCEPTED)
def test_accepts_pure_insertions(old, new, replaced):
    assert check(old, new, replaced) is None


REJECTED = [
    pytest.param(FUNCTION, [1, 2, 3, 4, 5, *BLOCK, 7], (), "", id="dropped-line"),
    pytest.param(FUNCTION, [1, 2, 3, 4, 5, 5, 6, 7], (), "", id="duplicated-line"),
    pytest.param(FUNCTION, [1, 2, 3, 4, 6, 5, 7], (), "", id="reordered-lines"),
    pytest.param(FUNCTION, [1, 2, 3, 4, 5, "    if event_logger:", (6, "        return y"), 7], (), "", id="statement-reindented-into-a-new-block"),
    pytest.param(
        """
        async def f(x):
            if x:
                y = 1
                z = 2
        """,
        [1, 2, 3, (4, "    z = 2"), 5], (), "", id="statement-dedented-out-of-its-block",
    ),
    pytest.param(FUNCTION, [1, 2, 3, 4, 5, (6, "    return x"), 7], (), "", id="changed-line-claimed-as-copy"),
    pytest.param(FUNCTION, [1, 2, 3, 4, 5, "    return x", 7], (), "", id="changed-line-claimed-as-written"),
    pytest.param(FUNCTION, [1, 2, 3, 4, "    y = x + 1 +", 6, 7], (), "does not parse", id="output-does-not-parse"),
    pytest.param(
        """
        from os import path


        async def f(x):
            return x
        """,
        [(1, "from os import path, sep"), 2, 3, 4, 5, 6], (), "", id="name-merged-into-another-module",
    ),
    pytest.param(
        """
        from core.event_logger import EventType


        async def f(x):
            return x
        """,
        [(1, "from core.event_logger import EventType, EventLogger"), 2, 3, 4, 5, 6], (), "",
        id="logger-import-gains-a-name-eventmod-never-adds",
    ),
    pytest.param(
        """
        async def f(x):
            await x.send(
                1,
            )
        """,
        [1, 2, 3, "        2,", 4, 5], (), "", id="argument-spliced-into-a-call",
    ),
    pytest.param(
        """
        async def f(x):
            y = await x.send()
            return y
        """,
        [1, "    try:", (2, "        y = await x.send()"), "    except Exception as exc:", "        raise",
         "    finally:", "        y = None", 3, 4], (), "", id="wrap-with-a-finally",
    ),
    pytest.param(
        """
        from core.event_logger import EventType


        async def f(x):
            return x
        """,
        ["from core.event_logger import EventType, get_event_logger", 2, 3, 4, "    return None", 6],
        (1,), "", id="replaced-import-but-another-line-changed",
    ),
    pytest.param(
        """
        async def f(x):
            if x:
                return 1
            return 2
        """,
        [1, 2, "    pass", 4, 5], (), "", id="body-swapped-for-written-code",
    ),
]


@pytest.mark.parametrize("old, new, replaced, part", REJECTED)
def test_rejects_anything_but_insertions(old, new, replaced, part):
    mismatch = check(old, new, replaced)
    assert mismatch is not None
    assert part in mismatch
