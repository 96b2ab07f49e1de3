"""Help text and typer: readable help for every command, the typer range pyproject pins, and
the pydantic-free parameter conversion giving the values typer's own gives."""

from __future__ import annotations

import re
import textwrap
from importlib import import_module
from importlib.metadata import version
from pathlib import Path

import pytest
import typer

from eventmod.cli.app import COMMANDS, SUMMARIES, command_from
from tests.conftest import REPO
from tests.test_cli_contract import invoke


def _help(*args: str) -> str:
    run = invoke(REPO, *args, "--help")
    assert run.code == 0, run
    return run.out


@pytest.mark.parametrize("command", list(COMMANDS))
def test_help_renders_readably(command):
    text = _help(command)
    assert text.startswith(f"Usage: eventmod {command} [OPTIONS]")
    assert "<list[" not in text and not re.search(r"<(int|str|float|path|bool)[^>]*>", text)  # metavars, not types
    assert "╭" not in text and "│" not in text  # plain text, no rich boxes
    assert all(len(line) <= 80 for line in text.splitlines()), text
    if command not in ("schema",):
        assert "[tool.eventmod]" in text  # literal text, not swallowed as markup
    # Commands that read specs take the project flags; those that select events, the selectors;
    # those that read the code, --jobs (timeline reads no code and shows every event of an incident;
    # queries reads no code; style reads the few files it learns from in process).
    project_flags = ("--root PATH", "--specs PATH", "--config PATH")
    selectors = ("--phase PHASE", "--day DAY", "--component NAME", "--event ID")
    wanted = {"schema": (), "config": project_flags, "timeline": project_flags, "queries": project_flags + selectors,
              "init": ("--root PATH", "--specs PATH"), "style": project_flags + selectors}  # init writes the configuration: no --config
    for metavar in wanted.get(command, project_flags + selectors + ("-j, --jobs N",)):
        assert metavar in text, (command, metavar)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_help_description_is_the_docstring_rewrapped_and_never_cut(command):
    module, function = COMMANDS[command].split(":")
    doc = textwrap.dedent(getattr(import_module(module), function).__doc__ or "")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", doc.strip()) if p.strip()]
    text = _help(command)
    description = text.split("\n\n", 1)[1].split("\nOptions:", 1)[0] if "\nArguments:" not in text else \
        text.split("\n\n", 1)[1].split("\nArguments:", 1)[0]
    shown = [" ".join(p.split()) for p in re.split(r"\n\s*\n", description.strip()) if p.strip()]
    assert shown == paragraphs
    summary = _help().split("Commands:", 1)[1]
    row = next(line for line in summary.splitlines() if line.strip().startswith(command + " "))
    assert not row.rstrip().endswith("...") and row.split(command, 1)[1].strip() == paragraphs[0], row


@pytest.mark.parametrize("command", list(COMMANDS))
def test_each_summary_is_the_first_paragraph_of_its_docstring(command):
    """`eventmod --help` lists `SUMMARIES` (no command module imported): they must say what
    the docstrings say."""
    module, function = COMMANDS[command].split(":")
    doc = textwrap.dedent(getattr(import_module(module), function).__doc__ or "")
    assert SUMMARIES[command] == " ".join(re.split(r"\n\s*\n", doc.strip())[0].split())
    assert list(SUMMARIES) == list(COMMANDS)


def test_root_help_lists_every_command_and_the_exit_codes():
    text = _help()
    assert "Exit codes: 0 ok, 1 findings, 2 usage or input error (nothing written), 3 internal error." in " ".join(text.split())
    listed = [line.split()[0] for line in text.split("Commands:", 1)[1].splitlines() if line.strip()]
    assert listed == list(COMMANDS)


def test_pyproject_pins_the_typer_range_this_is_tested_with():
    pin = re.search(r'"typer>=([\d.]+),<([\d.]+)"', (REPO / "pyproject.toml").read_text())
    assert pin, "pin typer to a range in pyproject.toml"
    low, high = (tuple(int(x) for x in v.split(".")) for v in pin.groups())
    installed = tuple(int(x) for x in version("typer").split(".")[:3])
    assert low <= installed < high


# -- the plain conversion gives typer's values --------------------------------------------------------
CASES = [[], ["--phase", "1", "--phase", "2"], ["--day", "3"], ["--jobs", "2"], ["--root", "x", "--specs", "y"],
         ["--failsafe"], ["--no-failsafe"], ["-q"], ["-v"], ["--emit", "background"], ["--component", "a", "--event", "b"],
         ["--format", "json"], ["--format", "table"], ["--fail-under", "90"], ["--fail-under", "12.5"], ["--target", "80"],
         ["a.py", "b/"], ["--out", "-"], ["--min-level", "debug"], ["--patch", "p.diff"], ["--exit-code", "--relative"],
         ["--config", "c.toml"], ["-j", "3"], ["--color", "never"]]
BAD = [["--jobs", "0"], ["--phase", "9"], ["--day", "0"], ["--jobs", "x"], ["--fail-under", "x"], ["--fail-under", "101"]]


def _typer_own(name: str, target: str):
    module, function = target.split(":")
    single = typer.Typer(add_completion=False, rich_markup_mode=None)
    single.command(name)(getattr(import_module(module), function))
    return typer.main.get_command(single)


def _parse(command, name: str, args: list[str]):
    try:
        return "ok", command.make_context(name, list(args)).params
    except typer.BadParameter as exc:
        return "bad", exc.param_hint or exc.param.name if exc.param else None
    except Exception as exc:  # a usage error of another kind (no such option): same for both
        return "error", type(exc).__name__


@pytest.mark.parametrize("name", list(COMMANDS))
def test_plain_conversion_gives_the_values_typer_gives(name):
    ours, theirs = command_from(name, COMMANDS[name]), _typer_own(name, COMMANDS[name])
    for args in CASES + BAD:
        assert _parse(ours, name, args) == _parse(theirs, name, args), (name, args)
    assert any(_parse(ours, name, args)[0] == "ok" for args in CASES)


def test_plain_conversion_rejects_what_it_does_not_know():
    from eventmod.cli.typer_compat import PlainConversion

    with pytest.raises(TypeError):
        PlainConversion(complex).coerce("1", param=type("P", (), {"multiple": False, "nargs": 1})(), ctx=None)
    assert PlainConversion(Path).coerce("x", param=type("P", (), {"multiple": False, "nargs": 1})(), ctx=None) == Path("x")
