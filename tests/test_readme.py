"""The README and the CHANGELOG against the code: the command table lists every command and only
flags each command takes, the configuration table lists every `[tool.eventmod]` key once, the
test command is the one `.ci/run` runs, the "Testing your specs" example passes, and the
CHANGELOG has one [Unreleased] with each Keep a Changelog section once, in order."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from eventmod.cli.app import COMMANDS, command_from
from eventmod.config import config_keys
from eventmod.spec.schema import EMIT_MODES
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
CHANGELOG = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The text under `heading` up to the next heading of the same or a higher level (lines in
    code blocks are not headings)."""
    level = len(heading.split(" ")[0])
    lines = text[text.index(heading + "\n") + len(heading) + 1:].split("\n")
    fenced = False
    for i, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"(#+) ", line)) and len(m.group(1)) <= level:
            return "\n".join(lines[:i])
    return "\n".join(lines)


def table_after(text: str, header: str) -> list[list[str]]:
    """The rows of the markdown table whose header line is `header`, as lists of cells."""
    lines = text[text.index(header + "\n"):].splitlines()
    rows = []
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
        rows.append([c.strip() for c in cells])
    return rows


def code_spans(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


COMMAND_TABLE = table_after(section(README, "## Commands"), "| command | what it does | its own flags | exit codes |")


def options_of(name: str) -> set[str]:
    command = command_from(name, COMMANDS[name])
    names = {"-h", "--help"}
    for param in command.params:
        if param.param_type_name == "option":
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


def test_the_command_table_lists_every_command_once():
    documented = [m.group(1) for row in COMMAND_TABLE if (m := re.match(r"`eventmod ([a-z][a-z-]*)", row[0]))]
    assert sorted(documented) == sorted(COMMANDS), "README's command table vs eventmod --help"
    assert len(documented) == len(set(documented))
    assert README.count("| command | what it does |") == 1


@pytest.mark.parametrize("row", [r for r in COMMAND_TABLE if re.match(r"`eventmod [a-z]", r[0])],
                         ids=lambda r: r[0].strip("`"))
def test_every_flag_the_command_table_names_exists(row):
    name = re.match(r"`eventmod ([a-z][a-z-]*)", row[0]).group(1)
    flags = {f for span in code_spans(row[2]) for f in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", span)}
    assert flags, row
    assert flags <= options_of(name), f"{name}: documented but not taken: {sorted(flags - options_of(name))}"


def test_the_shared_flags_exist_on_the_commands_the_readme_says():
    for name in ("validate", "dry-run", "apply", "check", "plan", "coverage", "report", "revert", "suggest"):
        assert {"--phase", "--day", "--component", "--event", "--root", "--specs", "--config", "--jobs",
                "--emit", "--failsafe", "--no-failsafe", "--quiet", "--verbose"} <= options_of(name), name
    assert "--emit" not in options_of("observe") and "--jobs" in options_of("observe")
    for name in ("queries", "style"):
        assert "--jobs" not in options_of(name) and "--emit" not in options_of(name) and "--phase" in options_of(name)
    assert "--phase" not in options_of("config") and "--emit" in options_of("config")
    assert "--phase" not in options_of("timeline") and "--root" in options_of("timeline")
    assert "`--emit " + "\\|".join(EMIT_MODES) + "`" in README


def test_the_configuration_table_lists_every_key_once_with_its_default():
    rows = table_after(section(README, "## Configuration"), "| key | default | meaning |")
    documented = [code_spans(r[0])[0] for r in rows]
    keys = config_keys()
    assert documented == [k.toml for k in keys], "README's key table, in the order `eventmod config` prints them"
    for row, key in zip(rows, keys):
        if isinstance(key.default, bool):
            assert row[1] == f"`{str(key.default).lower()}`", key.toml
        elif isinstance(key.default, str) and key.default:
            assert row[1].strip("`\"") == key.default, key.toml


def test_the_readme_config_example_is_what_eventmod_config_prints():
    shown = README.split("$ eventmod config --emit background\n", 1)[1].split("```", 1)[0]
    run = subprocess.run([sys.executable, "-m", "eventmod", "config", "--emit", "background"], cwd=REPO,
                         capture_output=True, text=True, check=True)
    assert run.stdout == shown


def test_the_test_command_is_the_one_ci_runs():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = ci.split("# The README's test command:\n", 1)[1].splitlines()[0]
    assert command.startswith(".venv/bin/python -m pytest")
    quick_start = section(README, "## Quick start")
    assert command.replace(".venv/bin/python", "python") + " " in quick_start


def test_the_testing_your_specs_example_passes(tmp_path):
    example = section(README, "## Testing your specs").split("```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "test_example.py").write_text(example, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout


def test_the_changelog_has_one_unreleased_with_each_section_once_in_order():
    assert CHANGELOG.count("## [Unreleased]") == 1
    unreleased = section(CHANGELOG, "## [Unreleased]")
    headings = re.findall(r"^### (.+)$", unreleased, re.M)
    order = ["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"]
    assert len(headings) == len(set(headings)), headings
    assert headings == sorted(headings, key=order.index), headings
    changed = section(unreleased, "### Changed")
    bullets = re.findall(r"^- (.*)$", changed, re.M)
    marked = [b.startswith("**Contract change:**") for b in bullets]
    assert any(marked) and marked == sorted(marked, reverse=True), "contract changes come first under Changed"


def test_no_bullet_is_repeated():
    for text in (CHANGELOG, README):
        bullets = [b for b in re.findall(r"^- (.{40,})$", text, re.M)]
        assert len(bullets) == len(set(bullets)), [b for b in bullets if bullets.count(b) > 1]


def eventmod(*args: str) -> str:
    run = subprocess.run([sys.executable, "-m", "eventmod", *args], cwd=REPO, capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stderr
    return run.stdout


HOUSE_STYLE = ("--root", "tests/golden/house_style/input", "--specs", "tests/golden/house_style/specs",
               "--component", "positions")


def test_the_worked_example_is_what_dry_run_prints():
    example = section(README, "## Worked example: a module the way a team instruments it")
    shown = example.split("```diff\n", 1)[1].split("```", 1)[0]
    assert "--relative` prints" in example
    assert eventmod("dry-run", *HOUSE_STYLE, "--relative").startswith(shown)  # the enum hunk is left out


def test_the_style_example_is_what_eventmod_style_prints():
    shown = README.split("$ eventmod style " + " ".join(HOUSE_STYLE) + "\n", 1)[1].split("```", 1)[0]
    assert eventmod("style", *HOUSE_STYLE) == shown


def test_the_plan_and_check_examples_are_what_the_commands_print():
    walkthrough = section(README, "## Rollout walkthrough")
    assert eventmod("plan") + "\n" in walkthrough.split("$ eventmod plan\n", 1)[1]
    commands = section(README, "## Commands")
    shown = commands.split("$ eventmod check --component zombie_manager\n", 1)[1].split("$ echo", 1)[0]
    run = subprocess.run([sys.executable, "-m", "eventmod", "check", "--component", "zombie_manager"], cwd=REPO,
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr + run.stdout == shown
