"""The typer app behind `eventmod` (see `eventmod.cli.app`, which imports this module only
when a command runs or help is shown: `eventmod --version` never imports typer)."""

from __future__ import annotations

import os
import sys
import traceback
from importlib import import_module
from typing import Any

import typer
from typer.core import TyperGroup

from eventmod import __version__
from eventmod.cli.app import COMMANDS, DEBUG_KEY, SUMMARIES
from eventmod.cli.typer_compat import PlainCommand, PlainParameters


def command_from(name: str, target: str) -> Any:
    """The click command typer builds for the function `target` ("module:function")."""
    module, function = target.split(":")
    single = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False,
                         context_settings={"help_option_names": ["-h", "--help"]})
    single.command(name, cls=PlainCommand)(getattr(import_module(module), function))
    return typer.main.get_command(single)


class LazyGroup(PlainParameters, TyperGroup):
    """The `eventmod` group: commands come from `COMMANDS`, imported on first use; exceptions
    that escape a command become exit 3 (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded: dict[str, Any] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The command list of `eventmod --help`, from `SUMMARIES`: no command module is
        imported to list them (click's own layout and short-help rules)."""
        from typer._click.utils import make_default_short_help

        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [(name, make_default_short_help(SUMMARIES[name], limit)) for name in COMMANDS]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        if cmd_name not in self._loaded:
            self._loaded[cmd_name] = command_from(cmd_name, COMMANDS[cmd_name])
        return self._loaded[cmd_name]

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException, KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # an eventmod bug: say so, and how to report it
            from eventmod.cli.output import truthy

            debug = ctx.meta.get(DEBUG_KEY) or truthy(os.environ.get("EVENTMOD_DEBUG"))
            if debug:
                traceback.print_exc(file=sys.stderr)
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            how = "with this traceback" if debug else "with the output of `eventmod --debug` and the same arguments"
            sys.stderr.write(f"eventmod: internal error: {reason}\n")
            sys.stderr.write(f"This is a bug in eventmod {__version__}, not in your specs or code: please report it {how}.\n")
            raise typer.Exit(3) from None


app = typer.Typer(
    name="eventmod",
    cls=LazyGroup,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help: `[tool.eventmod]` is text, not markup; no rich import
    pretty_exceptions_enable=False,
    help="Instrument an async codebase with structured audit events from YAML specs.\n\n"
         "Exit codes: 0 ok, 1 findings, 2 usage or input error (nothing written), 3 internal error.",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"eventmod {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Print the traceback of an internal error (also: EVENTMOD_DEBUG=1)."),
) -> None:
    """The options before the command."""
    ctx.meta[DEBUG_KEY] = debug
