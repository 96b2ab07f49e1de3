"""Turning plans into text: unified diffs (git-apply-able), colour, summaries and problem lists."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from codemods.engine import DRIFTED, INVALID, PENDING, PRESENT, FilePlan, RunPlan
from codemods.source import split_lines

_RED, _GREEN, _CYAN, _BOLD, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[1m", "\x1b[0m"


def file_diff(plan: FilePlan) -> str:
    """Unified diff of one file with a/ b/ paths relative to root; '' when unchanged."""
    if not plan.changed or plan.old is None or plan.new is None:
        return ""
    old = split_lines(_decode(plan.old))
    new = split_lines(_decode(plan.new))
    out = [f"diff --git a/{plan.path} b/{plan.path}\n"]
    for line in difflib.unified_diff(old, new, f"a/{plan.path}", f"b/{plan.path}", n=3):
        if line.startswith(("---", "+++")):
            out.append(line.rstrip("\n") + "\n")
        elif not line.endswith("\n"):
            out.append(line + "\n\\ No newline at end of file\n")
        else:
            out.append(line)
    return "".join(out)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="surrogateescape")


def run_diff(plan: RunPlan) -> str:
    return "".join(file_diff(f) for f in plan.files)


def colorize(diff: str) -> str:
    out = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("diff --git", "---", "+++")):
            out.append(_BOLD + line.rstrip("\n") + _RESET + "\n")
        elif line.startswith("@@"):
            out.append(_CYAN + line.rstrip("\n") + _RESET + "\n")
        elif line.startswith("+"):
            out.append(_GREEN + line.rstrip("\n") + _RESET + "\n")
        elif line.startswith("-"):
            out.append(_RED + line.rstrip("\n") + _RESET + "\n")
        else:
            out.append(line)
    return "".join(out)


@dataclass(frozen=True)
class Summary:
    pending: int
    present: int
    invalid: int
    drifted: int
    files_touched: int
    enum_added: int

    @classmethod
    def of(cls, plan: RunPlan) -> "Summary":
        outcomes = plan.outcomes()
        count = lambda status: sum(1 for o in outcomes if o.status == status)  # noqa: E731
        return cls(
            pending=count(PENDING), present=count(PRESENT), invalid=count(INVALID), drifted=count(DRIFTED),
            files_touched=sum(1 for f in plan.files if f.changed),
            enum_added=sum(len(f.enum_added) for f in plan.files),
        )

    def line(self, verb: str = "to insert") -> str:
        parts = [f"{self.pending} event(s) {verb}", f"{self.present} present"]
        if self.invalid or self.drifted:
            parts.append(f"{self.invalid + self.drifted} invalid")
        parts.append(f"{self.files_touched} file(s) touched")
        if self.enum_added:
            parts.append(f"{self.enum_added} EventType member(s) added")
        return ", ".join(parts)


def event_lines(plan: RunPlan, statuses: tuple[str, ...]) -> list[str]:
    """One line per event with one of `statuses`: `file:line  id  EVENT  status`."""
    rows = []
    for f in plan.files:
        for o in f.outcomes:
            if o.status in statuses:
                where = f"{f.path}:{o.lines[0]}" if o.lines else f.path
                rows.append(f"{where}: {o.event.id} ({o.event.event}) {o.status}")
    return rows
