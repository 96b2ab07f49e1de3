"""Shorthand for expected texts in the fast tests: a line `<NAME>` stands for eventmod's block
for EventType.NAME (await, empty payload, severity INFO) at that line's indentation, and
`<NAME:background>` for the same block emitted with `asyncio.create_task`. Everything else in
an expected text is written out."""

from __future__ import annotations

import re

from eventmod.testing import dedent

IMPORT = "from core.event_logger import EventType, get_event_logger\n\n\n"
_MARKER = re.compile(r"^(?P<indent>[ \t]*)<(?P<event>[A-Z_0-9]+)(?::(?P<emit>background))?>$", re.M)


def block(event: str, indent: str = "    ", emit: str = "await", quote: str = '"', unit: str = "    ") -> str:
    call = ["event_logger.log_event(", f"{unit}EventType.{event},", f"{unit}{{}},",
            f"{unit}severity={quote}INFO{quote},", ")"]
    if emit == "background":
        body = ["asyncio.create_task(", *(unit + line for line in call), ")"]
    else:
        body = ["await " + call[0], *call[1:]]
    lines = ["event_logger = get_event_logger()", "if event_logger:", *(unit + line for line in body)]
    return "".join(f"{indent}{line}\n" for line in lines)


def expand(text: str, header: str = IMPORT) -> str:
    """`text` (dedented) with every `<NAME>` line replaced by its block, after `header`."""
    return header + _MARKER.sub(lambda m: block(m["event"], m["indent"], m["emit"] or "await").rstrip("\n"), dedent(text))
