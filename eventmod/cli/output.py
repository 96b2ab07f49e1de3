"""What the commands print, and how they end: exit codes, paths, problems, colour, progress.

Exit codes (the same for every command):
    0  ok
    1  findings: `check` found pending, drifted or re-emit events; `coverage` is under
       `--fail-under`; `dry-run --exit-code` would change files; `apply --commit` wrote the
       files but git refused the commit
    2  usage or input error: a bad flag or value, a spec or configuration problem, code that
       cannot be instrumented safely (nothing was written)
    3  internal error: a bug in eventmod (a "please report" line; `eventmod --debug` prints the
       traceback)
A closed stdout (`eventmod validate | head -1`) is not an error: the rest of the output is
dropped and the command ends with the code it would have had.

Paths are printed relative to the current directory when they lie under it (absolute
otherwise), so `path:line:` is clickable in a terminal or an editor.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any, Iterable, NoReturn, Sequence

import typer

from eventmod.cli.pipes import PipeSafeStdout as PipeSafeStdout  # re-exported; start-up imports it from there
from eventmod.model.problems import Problem, display_path
from eventmod.model.record import record


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    INVALID = 2
    INTERNAL = 3


def truthy(value: str | None) -> bool:
    """An environment variable set to a true value ("1", "true", "yes", "on")."""
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def use_color(mode: str, stream: Any = None) -> bool:
    """--color auto|always|never; auto colours a terminal unless NO_COLOR is set."""
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


# -- paths -----------------------------------------------------------------------------------------
def relative_to_cwd(path: Path, cwd: Path | None = None) -> str:
    """`path` relative to the current directory when under it, else absolute."""
    return display_path(path, cwd)


@record
class Paths:
    """Turns the paths of problems and results into paths relative to the current directory.
    Code paths come root-relative from the engine (`code` lists them); spec paths come as given."""

    root: Path | None = None
    code: frozenset[str] = frozenset()
    cwd: Path = field(default_factory=Path.cwd)

    def code_path(self, rel: str) -> str:
        return relative_to_cwd(self.root / rel, self.cwd) if self.root is not None else rel

    def show(self, path: str) -> str:
        if not path or path.startswith("-") or path.startswith("<"):
            return path  # a flag (--component) or a pseudo-file
        if path in self.code and self.root is not None:
            return self.code_path(path)
        candidate = Path(path)
        if candidate.is_absolute() or candidate.exists():
            return relative_to_cwd(candidate, self.cwd)
        return path


# -- problems --------------------------------------------------------------------------------------
def problem_json(problem: Problem, paths: Paths) -> dict:
    return {"path": paths.show(problem.path), "line": problem.line, "event": problem.event_id,
            "severity": problem.severity, "message": problem.message}


def format_problem(problem: Problem, paths: Paths) -> str:
    shown = Problem(paths.show(problem.path), problem.line, problem.message, problem.event_id, problem.severity)
    return shown.format()


def github_escape(text: str, *, property: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property else text


def github_annotation(level: str, path: str, line: int, message: str) -> str:
    """A GitHub Actions workflow command: `::error file=...,line=...::message`."""
    props = []
    if path and not path.startswith(("-", "<")):
        props.append(f"file={github_escape(path, property=True)}")
        if line:
            props.append(f"line={line}")
    head = f"::{level} " + ",".join(props) if props else f"::{level}"
    return f"{head}::{github_escape(message)}"


def problem_annotation(problem: Problem, paths: Paths) -> str:
    who = f"event {problem.event_id}: " if problem.event_id else ""
    level = "error" if problem.severity == "error" else "warning"
    return github_annotation(level, paths.show(problem.path), problem.line, who + problem.message)


def sort_problems(problems: Iterable[Problem], paths: Paths) -> list[Problem]:
    """Errors first (they are what stops the run), then warnings; each by file, line, message."""
    return sorted(problems, key=lambda p: (p.severity != "error", paths.show(p.path), p.line, p.message))


# -- the reporter ----------------------------------------------------------------------------------
@dataclass
class Reporter:
    """Prints for one command. `writes`: the command writes files (so an error says that nothing
    was written); `quiet`/`verbose`: -q/-v."""

    fmt: str = "text"
    quiet: bool = False
    verbose: bool = False
    writes: bool = False
    paths: Paths = field(default_factory=Paths)

    def out(self, text: str) -> None:
        """Results, on stdout (a line end is added when missing)."""
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
        sys.stdout.flush()

    def raw(self, text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    def err(self, text: str) -> None:
        """Errors and findings, on stderr, even with -q."""
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def note(self, text: str) -> None:
        """Summaries, notes and warnings on stderr; -q silences them."""
        if not self.quiet:
            self.err(text)

    def detail(self, text: str) -> None:
        """Only with -v."""
        if self.verbose:
            self.err(text)

    def json(self, data: Any) -> None:
        self.out(json.dumps(data, indent=2))

    def show(self, path: str) -> str:
        return self.paths.show(path)

    def warnings(self, problems: Sequence[Problem]) -> None:
        """Print problems that do not stop the command (text formats only)."""
        if self.fmt == "github":
            for problem in sort_problems(problems, self.paths):
                self.out(problem_annotation(problem, self.paths))
        elif self.fmt == "text":
            for problem in sort_problems(problems, self.paths):
                (self.err if problem.severity == "error" else self.note)(format_problem(problem, self.paths))

    def fail(self, problems: Sequence[Problem], code: ExitCode = ExitCode.INVALID) -> NoReturn:
        """Print every problem and exit (2 by default): the input cannot be used as it is. A
        problem the engine reports as its own `internal error` (safe mode caught a wrong
        transformation) makes it exit 3: that is a bug in eventmod, not in the input."""
        errors = [p for p in problems if p.severity == "error"]
        if any(p.message.startswith("internal error") for p in errors):
            code = ExitCode.INTERNAL
        if self.fmt == "json":
            self.json({"ok": False, "problems": [problem_json(p, self.paths) for p in sort_problems(problems, self.paths)]})
        elif self.fmt == "github":
            for problem in sort_problems(problems, self.paths):
                self.out(problem_annotation(problem, self.paths))
        else:
            for problem in sort_problems(problems, self.paths):
                self.err(format_problem(problem, self.paths))
        if self.fmt != "json":  # JSON on stdout stays the whole output
            count = len(errors) or len(problems)
            self.err(f"{count} problem(s); nothing was written." if self.writes else f"{count} problem(s).")
        raise typer.Exit(int(code))

    def error(self, message: str, code: ExitCode = ExitCode.INVALID) -> NoReturn:
        """One error line ("error: ..."), then exit."""
        self.err(f"error: {message}")
        raise typer.Exit(int(code))


# -- progress --------------------------------------------------------------------------------------
class ProgressBar:
    """A one-line progress bar on stderr for runs over more than a handful of files, only on a
    terminal and not in CI (a truthy `CI`); the line is erased when the run is done."""

    MIN_FILES = 8

    def __init__(self, label: str = "planning", *, enabled: bool = True, stream: Any = None):
        self.label = label
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.total = 0
        self.done = 0
        self.drawn = False
        self._last = -1

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        isatty = getattr(self.stream, "isatty", lambda: False)()
        self.enabled = (self.enabled and total > self.MIN_FILES and isatty and not truthy(os.environ.get("CI"))
                        and os.environ.get("TERM") != "dumb")
        self._draw()

    def advance(self) -> None:
        self.done += 1
        self._draw()

    def _draw(self) -> None:
        if not self.enabled or not self.total:
            return
        percent = 100 * self.done // self.total
        if percent == self._last:
            return
        self._last = percent
        width = max(10, min(40, shutil.get_terminal_size((80, 20)).columns - len(self.label) - 20))
        filled = width * self.done // self.total
        self.stream.write(f"\r{self.label} [{'#' * filled}{'-' * (width - filled)}] {percent:3d}% {self.done}/{self.total}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")  # erase the line: the 100% line does not stay on screen
            self.stream.flush()
            self.drawn = False

