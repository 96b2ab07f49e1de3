"""Emission: how a block emits its event at one site, from the mode asked for (`emit`), whether
the instrumented function is async, and what the logger offers (the call shape).

| emit        | async function                         | sync function                                        |
| ----------- | -------------------------------------- | ---------------------------------------------------- |
| auto        | `await` (a plain call if the logger's  | the logger's sync call when it offers one, else      |
|             | call is a plain def)                   | scheduled on the running loop, skipped without one   |
| await       | `await`                                | refused (`await` is illegal there)                   |
| background  | `asyncio.create_task(...)`             | scheduled only when a loop is running                |
| sync        | the logger's sync call                 | the logger's sync call                               |

A refusal is a reason in words (the caller locates it); a sync-emission refusal never talks
about `await`.
"""

from __future__ import annotations


from eventmod.model.record import record
from eventmod.model.settings import CallShape
from eventmod.model.text_enum import TextEnum


class Emission(TextEnum):
    AWAIT = "await"
    BACKGROUND = "background"
    SYNC = "sync"


@record
class EmitChoice:
    """The emission a site's block uses, and whether it first checks for a running event loop."""

    emission: Emission
    loop_guard: bool = False  # background from a sync function: schedule only on a running loop


@record
class EmitRefusal:
    """Why the emission asked for cannot be used at one site, in words (the caller locates it)."""

    reason: str


def no_sync_call_hint(call: CallShape) -> str:
    if call.function:
        return "set `sync = true` in [tool.eventmod] if the logging function is a plain def"
    return (f"set `sync = true` in [tool.eventmod] if `{call.method}` is a plain def, or `sync_method` to a plain-def "
            "method of the logger")


def choose_emission(requested: str, async_function: bool, call: CallShape, where: str) -> EmitChoice | EmitRefusal:
    """The emission for one site (`where`: the function and its place, for messages)."""
    if requested == "auto":
        if async_function:
            return EmitChoice(Emission.AWAIT if call.is_async else Emission.SYNC)
        if call.sync_call:
            return EmitChoice(Emission.SYNC)
        return EmitChoice(Emission.BACKGROUND, loop_guard=True)
    if requested == "sync":
        if not call.sync_call:
            return EmitRefusal(f"`emit: sync` calls the logger's plain-def call, but `{call.method}` is `async def` and the logger "
                               f"offers no sync call; {no_sync_call_hint(call)}, or use `emit: auto` or `emit: background`")
        return EmitChoice(Emission.SYNC)
    if not call.is_async:
        return EmitRefusal(f"`emit: {requested}` needs an async logging call, but `{call.method}` is a plain def (`sync = true`): "
                           "use `emit: sync` or `emit: auto` (blocks call it directly)")
    if requested == "await":
        if not async_function:
            alternative = "`emit: auto` (the logger's sync call here)" if call.sync_call else \
                "`emit: auto` or `emit: background` (scheduled when an event loop is running, skipped otherwise)"
            return EmitRefusal(f"{where} is not async, so `await` is illegal there; use {alternative}, or instrument an async caller")
        return EmitChoice(Emission.AWAIT)
    return EmitChoice(Emission.BACKGROUND, loop_guard=not async_function)
