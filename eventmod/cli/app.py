"""The `eventmod` command line: a typer app whose commands are loaded lazily.

**Adding a command.** Write the command as a plain function with typer annotations in a module
of `eventmod.cli` (its docstring is its help; the first paragraph is the summary `eventmod --help`
lists) and register it with one line in `COMMANDS` and one in `SUMMARIES` (that paragraph):

    "observe": "eventmod.cli.runtime_commands:observe",             # COMMANDS
    "observe": "Which specified events reached the events table.",  # SUMMARIES

The module is imported only when its command runs (or shows its own help), so it must do no
work at import: import heavy modules inside the function. Take the shared flags from
`eventmod.cli.options` (selectors, `--root`, `--specs`, `--config`, `--jobs`, `--emit`,
`--failsafe`, `-q`, `-v`, `--format`, `--color`, `--out`) so one flag means one thing
everywhere, and print through `eventmod.cli.output.Reporter`, which owns the exit codes:

    0 ok; 1 findings; 2 usage or input error (nothing written); 3 internal error

(see `eventmod.cli.output`). An exception that escapes a command is an internal error: exit 3
with a "please report" line; `eventmod --debug ...` (or EVENTMOD_DEBUG=1) prints the traceback.
Usage errors (unknown flag, bad value) exit 2 with click's short message.

Start-up costs only what the command needs: `eventmod --version` imports neither typer nor
any other module of eventmod's; `eventmod --help` imports typer (`eventmod.cli.typer_app`)
and lists the commands from `SUMMARIES` without importing their modules (a test keeps each
summary equal to the first paragraph of its command's docstring); pydantic is never imported
(see `eventmod.cli.typer_compat`).
"""

from __future__ import annotations

import gc
import sys
from typing import Any

from eventmod import __version__

# name -> "module:function", in the order `eventmod --help` lists them.
COMMANDS: dict[str, str] = {
    "validate": "eventmod.cli.check_commands:validate",
    "dry-run": "eventmod.cli.write_commands:dry_run",
    "apply": "eventmod.cli.write_commands:apply",
    "check": "eventmod.cli.check_commands:check",
    "plan": "eventmod.cli.check_commands:plan",
    "coverage": "eventmod.cli.check_commands:coverage",
    "report": "eventmod.cli.check_commands:report",
    "revert": "eventmod.cli.write_commands:revert",
    "observe": "eventmod.cli.runtime_commands:observe",
    "timeline": "eventmod.cli.runtime_commands:timeline",
    "queries": "eventmod.cli.runtime_commands:queries",
    "suggest": "eventmod.cli.suggest_commands:suggest",
    "init": "eventmod.init.cli:init",
    "config": "eventmod.cli.config_commands:config",
    "schema": "eventmod.cli.config_commands:schema",
    "style": "eventmod.cli.style_commands:style",
}

# name -> the first paragraph of the command's docstring (what `eventmod --help` lists).
SUMMARIES: dict[str, str] = {
    "validate": "Check the specs against the code and report every problem.",
    "dry-run": "Show the patch `apply` would make (writes no code).",
    "apply": "Insert the selected events into the code.",
    "check": "Exit 1 when a selected event is pending, drifted or re-emit.",
    "plan": "The rollout plan: per phase, day and component, the events.",
    "coverage": "The audit table, measured from the code.",
    "report": "A pull-request description of the selection.",
    "revert": "Remove the blocks eventmod inserted for the selected events.",
    "observe": "Which specified events reached the events table.",
    "timeline": "The events that share one id, oldest first.",
    "queries": "The analysis SQL for the events table.",
    "suggest": "Draft spec entries for logger calls that no log_event follows.",
    "init": "Start using eventmod in a project.",
    "config": "Print the configuration and where each value came from.",
    "schema": "The JSON Schema of spec files, for editors.",
    "style": "Show the house style learned and where from.",
}

DEBUG_KEY = "eventmod.debug"


def main() -> None:
    """The console script: a closed stdout is not an error (see eventmod.cli.output).
    `eventmod --version` alone is answered here, before typer is imported (typer's own eager
    `--version` option prints the same line for every other spelling)."""
    from eventmod.cli.pipes import PipeSafeStdout

    # A command allocates most of its objects while it imports its modules and reads its specs,
    # and keeps nearly all of them: the collector's default (a young collection every 700 net
    # allocations, tracing the older generations now and then) traces them again and again for
    # little garbage. A young collection every 50,000 allocations costs a one-spec `validate`
    # 2% fewer instructions; planning pauses the collector per file anyway (`collector_paused`).
    gc.set_threshold(50_000, 100, 100)
    if not isinstance(sys.stdout, PipeSafeStdout):
        sys.stdout = PipeSafeStdout(sys.stdout)  # type: ignore[assignment]
    if sys.argv[1:] == ["--version"]:
        sys.stdout.write(f"eventmod {__version__}\n")
        sys.stdout.flush()
        return
    from eventmod.cli.typer_app import app

    app(prog_name="eventmod")


def __getattr__(name: str) -> Any:
    """`app`, `command_from` and `LazyGroup` live in `eventmod.cli.typer_app` (imported on
    first use: importing this module costs no typer)."""
    if name in ("app", "command_from", "LazyGroup"):
        from eventmod.cli import typer_app

        return getattr(typer_app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":  # pragma: no cover
    main()
