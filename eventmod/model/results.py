"""Typed results of a run: each event's status and outcome, each file's plan, the whole run.

Reporting modules read these; they never import the engine that produced them.
"""

from __future__ import annotations

from dataclasses import replace

from eventmod.model.problems import Problem
from eventmod.model.record import record
from eventmod.model.spec import EventSpec
from eventmod.model.text_enum import TextEnum


class Status(TextEnum):
    """Where one event stands against the code."""

    PENDING = "pending"  # the anchor resolves and no block logs the event there yet
    PRESENT = "present"  # a block logs the event at its anchor
    REEMIT = "re-emit"  # present, but rendered in another mode than the spec now asks for
    INVALID = "invalid"  # the spec cannot be applied as written (a check failed)
    DRIFTED = "drifted"  # the function or the anchor no longer resolves

    @property
    def instrumented(self) -> bool:
        """The event is logged in the code (whatever the emit mode)."""
        return self in (Status.PRESENT, Status.REEMIT)

    @property
    def failed(self) -> bool:
        return self in (Status.INVALID, Status.DRIFTED)


@record
class EventOutcome:
    """Where one event stands after planning: its status, the lines of its block, and why (its
    problems, the re-emit reason, a house-style difference)."""

    event: EventSpec
    status: Status
    lines: tuple[int, ...] = ()  # where the block goes (or is), original line numbers
    problems: tuple[Problem, ...] = ()
    reason: str = ""  # REEMIT: how the block's shape differs from the spec ("fail-safe off -> on")
    # PRESENT, planned with `strict_style`: how the block's house style differs from the learned
    # one ("quote ' -> \"; trailing commas on -> off"); style never rewrites a block
    style: str = ""


@record
class FilePlan:
    """One file's planned change: its bytes before and after (None: unchanged), the outcome of each
    event that targets it, and the enum members it adds when it is the enum file."""

    path: str
    old: bytes | None
    new: bytes | None  # None: unchanged
    outcomes: tuple[EventOutcome, ...] = ()
    problems: tuple[Problem, ...] = ()
    enum_added: tuple[str, ...] = ()
    # For each new line, the 0-based old line it copies (None: written by an edit); lets the
    # diff be read off the edits instead of searched for.
    origin: tuple[int | None, ...] = ()
    # (member, line) of every `log_event(<Enum>.<MEMBER>, ...)` call in the file: checked
    # against the enum once the whole run is planned (a missing member fails at run time).
    references: tuple[tuple[str, int], ...] = ()
    # The texts were let go of by a run that streams its output (`release`); the file changed.
    released: bool = False
    # The file's unified diff, taken where the file was planned (`digested`), or None.
    diff: str | None = None

    @property
    def changed(self) -> bool:
        return self.released or (self.new is not None and self.new != self.old)

    def release(self) -> "FilePlan":
        """This plan without its texts and edit map (outcomes, problems and whether the file
        changed are kept): what a dry-run holds once the file's diff is written."""
        return replace(self, old=None, new=None, origin=(), released=self.changed)

    def digested(self, diff: str) -> "FilePlan":
        """This plan released (see `release`), holding its diff instead of its texts."""
        return replace(self.release(), diff=diff)

    def sharing(self, events: tuple[EventSpec, ...]) -> "FilePlan":
        """This plan with each outcome's event replaced by the equal one of `events` (the
        caller's own objects). A plan made in a worker process holds unpickled copies of its
        events; a run keeping every file's outcomes would otherwise hold the catalog twice."""
        own = {e.id: e for e in events}
        shared = []
        for outcome in self.outcomes:
            mine = own.get(outcome.event.id)
            shared.append(outcome if mine is None or mine is outcome.event or mine != outcome.event
                          else replace(outcome, event=mine))
        return replace(self, outcomes=tuple(shared))


@record
class RunPlan:
    """A whole run's plan: one `FilePlan` per file, plus the problems of no one file."""

    files: tuple[FilePlan, ...]
    problems: tuple[Problem, ...] = ()

    def outcomes(self) -> list[EventOutcome]:
        return [o for f in self.files for o in f.outcomes]

    def status_of(self) -> dict[str, Status]:
        """event id -> status."""
        return {o.event.id: o.status for o in self.outcomes()}

    def all_problems(self) -> list[Problem]:
        found = list(self.problems)
        for f in self.files:
            found.extend(f.problems)
            for o in f.outcomes:
                found.extend(o.problems)
        return found

    def errors(self) -> list[Problem]:
        return [p for p in self.all_problems() if p.severity == "error"]

    def with_problems(self, problems: tuple[Problem, ...]) -> "RunPlan":
        """The same plan with `problems` (spec problems found before planning) in front."""
        return RunPlan(self.files, (*problems, *self.problems))


# -- revert ------------------------------------------------------------------------------------
class RevertStatus(TextEnum):
    REVERTED = "reverted"
    ABSENT = "not present"
    EDITED = "edited"



EDITED_MESSAGE = "edited by hand since apply (or the spec changed): left alone"


@record
class SiteResult:
    """What revert does with one event's block at one site (reverted, not present, or left alone as
    edited), and its line."""

    event: EventSpec
    status: RevertStatus
    line: int  # 1-based line in the current file: the block (or the anchor when absent)


@record
class RevertFile:
    """One file's revert plan: its bytes before and after (None: unchanged), the result at each
    site, its problems and notes."""

    path: str
    old: bytes | None
    new: bytes | None  # None: unchanged
    results: tuple[SiteResult, ...] = ()
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()  # informational (printed on stderr)

    @property
    def changed(self) -> bool:
        return self.new is not None and self.new != self.old


@record
class RevertPlan:
    """A whole revert's plan: one `RevertFile` per file, plus the problems of no one file."""

    files: tuple[RevertFile, ...]
    problems: tuple[Problem, ...] = ()

    def all_problems(self) -> list[Problem]:
        return [*self.problems, *(p for f in self.files for p in f.problems)]

    def errors(self) -> list[Problem]:
        return [p for p in self.all_problems() if p.severity == "error"]

    def event_status(self) -> dict[str, RevertStatus]:
        """Per event id: EDITED if any of its sites was left alone, else REVERTED if any was
        removed, else ABSENT."""
        rank = {RevertStatus.ABSENT: 0, RevertStatus.REVERTED: 1, RevertStatus.EDITED: 2}
        status: dict[str, RevertStatus] = {}
        for f in self.files:
            for r in f.results:
                old = status.get(r.event.id, RevertStatus.ABSENT)
                status[r.event.id] = max(old, r.status, key=rank.__getitem__)
        return status

    def edited(self) -> list[str]:
        found = sorted(((f.path, r.line, r.event) for f in self.files for r in f.results
                        if r.status is RevertStatus.EDITED), key=lambda t: t[:2])
        return [f"{path}:{line}: event {event.id} ({event.event}): {EDITED_MESSAGE}" for path, line, event in found]

    def summary(self) -> str:
        counts = {s: 0 for s in RevertStatus}
        for status in self.event_status().values():
            counts[status] += 1
        return (f"{counts[RevertStatus.REVERTED]} event(s) reverted, {counts[RevertStatus.ABSENT]} not present, "
                f"{counts[RevertStatus.EDITED]} left alone (edited)")
