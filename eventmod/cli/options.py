"""The one flag vocabulary: every command declares its parameters with these annotations, so a
flag means the same thing, is spelled the same and is validated the same everywhere.

    def validate(phase: o.Phase = None, ..., fmt: o.format_option("text", "json", "github") = "text"):
        common = o.Common.of(locals())

`Common` gathers the flags every spec-reading command shares; `common.project()` and
`common.selection()` turn them into the loaded project (eventmod.cli.common does the work).
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any, List, Optional

import typer


from eventmod.cli.typer_compat import choice, choices_metavar
from eventmod.model.record import record
from eventmod.model.settings import EMIT_MODES

SELECT = "Selection"
PROJECT = "Project"
OUTPUT = "Output"

# -- selectors ---------------------------------------------------------------------------------
Phase = Annotated[Optional[List[int]], typer.Option(
    "--phase", metavar="PHASE", min=1, max=4, show_default=False,
    help="Select the events of rollout phase PHASE (repeatable).")]
Day = Annotated[Optional[List[int]], typer.Option(
    "--day", metavar="DAY", min=1, max=12, show_default=False,
    help="Select the events planned on day DAY (repeatable).")]
Component = Annotated[Optional[List[str]], typer.Option(
    "--component", metavar="NAME", show_default=False, help="Select a component by name (repeatable).")]
Event = Annotated[Optional[List[str]], typer.Option(
    "--event", metavar="ID", show_default=False, help="Select one event by id (repeatable).")]

# -- the project ---------------------------------------------------------------------------------
Root = Annotated[Optional[Path], typer.Option(
    "--root", metavar="PATH", show_default=False,
    help="The code to instrument (default: [tool.eventmod] root).")]
Specs = Annotated[Optional[Path], typer.Option(
    "--specs", metavar="PATH", show_default=False,
    help="The spec directory (default: [tool.eventmod] specs).")]
ConfigFile = Annotated[Optional[Path], typer.Option(
    "--config", metavar="PATH", show_default=False,
    help="Read the configuration from PATH (a pyproject.toml, or a TOML file of eventmod keys) instead of discovering it.")]
Jobs = Annotated[Optional[int], typer.Option(
    "--jobs", "-j", metavar="N", min=1, show_default=False,
    help="Worker processes (default: the CPU count; 1 plans in process).")]
Emit = Annotated[Optional[str], typer.Option(
    "--emit", metavar=choices_metavar(*EMIT_MODES), callback=choice(*EMIT_MODES), show_default=False,
    help="Emit mode of events that set none (default: [tool.eventmod] emit).")]
Failsafe = Annotated[Optional[bool], typer.Option(
    "--failsafe/--no-failsafe", show_default=False,
    help="Wrap blocks so that no logging failure reaches the caller (default: [tool.eventmod] failsafe).")]
Quiet = Annotated[bool, typer.Option(
    "--quiet", "-q", show_default=False, help="Print results and errors only: no summaries, notes or warnings.")]
Verbose = Annotated[bool, typer.Option(
    "--verbose", "-v", show_default=False, help="Also print the configuration file used and one line per event.")]

# -- output ----------------------------------------------------------------------------------------
Color = Annotated[str, typer.Option(
    "--color", metavar=choices_metavar("auto", "always", "never"), callback=choice("auto", "always", "never"),
    help="Colour the diff: auto (a terminal, unless NO_COLOR is set), always or never.")]


def format_option(*names: str, help: str = "Output format.") -> Any:
    """`--format` with these choices (`table` is a hidden alias of `text`, its old name)."""
    aliases = {"table": "text"} if "text" in names else None
    return typer.Option("--format", metavar=choices_metavar(*names), callback=choice(*names, aliases=aliases), help=help)


def output_option(help: str) -> Any:
    return typer.Option("--out", metavar="PATH", show_default=False, help=help + " `-` means stdout.")


@record
class Common:
    """The flags shared by every command that reads specs."""

    phase: tuple[int, ...] = ()
    day: tuple[int, ...] = ()
    component: tuple[str, ...] = ()
    event: tuple[str, ...] = ()
    root: Path | None = None
    specs: Path | None = None
    config: Path | None = None
    jobs: int | None = None
    emit: str | None = None
    failsafe: bool | None = None
    quiet: bool = False
    verbose: bool = False

    @classmethod
    def of(cls, params: dict[str, Any]) -> "Common":
        """From a command's parameters (its `locals()`); parameters it does not take stay unset."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in params and params[f.name] is not None:
                value = params[f.name]
                values[f.name] = tuple(value) if isinstance(value, (list, tuple)) else value
        return cls(**values)
