"""The command-line contract: exit codes, usage errors, output paths, a closed stdout, bad
configuration; every command, no traceback anywhere.

Exit codes: 0 ok; 1 findings; 2 usage or input error (nothing written); 3 internal error.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO, copy_tree, tree_hash

GOLDEN = Path(__file__).parent / "golden"
COMMANDS = ["validate", "dry-run", "apply", "check", "plan", "coverage", "report", "revert", "suggest", "config", "schema"]
READS_SPECS = [c for c in COMMANDS if c != "schema"]
WITH_SELECTORS = [c for c in READS_SPECS if c != "config"]


class Run:
    """One in-process run: exit code, stdout, stderr."""

    def __init__(self, result):
        self.code = result.exit_code
        self.out = result.stdout
        self.err = result.stderr
        self.all = result.output

    def __repr__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


def invoke(cwd: Path, *args: str, input: str | None = None, env: dict | None = None, traceback: bool = False) -> Run:
    from eventmod.cli.app import app

    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, list(args), input=input, env={"NO_COLOR": "1", **(env or {})}, catch_exceptions=False)
    finally:
        os.chdir(old)
    run = Run(result)
    assert traceback or "Traceback" not in run.all, run
    return run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """tmp/root (code), tmp/specs, tmp/cwd (the current directory, no pyproject)."""
    copy_tree(GOLDEN / "anchors" / "input", tmp_path / "root")
    copy_tree(GOLDEN / "anchors" / "specs", tmp_path / "specs")
    (tmp_path / "cwd").mkdir()
    return tmp_path


def flags(project: Path, command: str) -> list[str]:
    if command == "schema":
        return []
    common = ["--root", str(project / "root"), "--specs", str(project / "specs")]
    return common if command == "config" else [*common, "--jobs", "1"]


# -- the matrix: every command x each way to get it wrong --------------------------------------------
BAD_CHOICE = {
    "validate": (["--format", "bogus"], "Invalid value for '--format': 'bogus' is not one of text, json, github."),
    "dry-run": (["--color", "bogus"], "Invalid value for '--color': 'bogus' is not one of auto, always, never."),
    "apply": (["--emit", "bogus"], "Invalid value for '--emit': 'bogus' is not one of auto, await, background, sync."),
    "check": (["--format", "sarif"], "Invalid value for '--format': 'sarif' is not one of text, json, github."),
    "plan": (["--format", "bogus"], "Invalid value for '--format': 'bogus' is not one of text, markdown, json."),
    "coverage": (["--format", "pdf"], "Invalid value for '--format': 'pdf' is not one of text, markdown, json, html."),
    "report": (["--format", "table"], "Invalid value for '--format': 'table' is not one of markdown, json."),
    "revert": (["--emit", "backgrund"], "'backgrund' is not one of auto, await, background, sync (did you mean 'background'?)."),
    "suggest": (["--min-level", "loud"], "Invalid value for '--min-level': 'loud' is not one of debug, info, warning, error, critical."),
    "config": (["--format", "yaml"], "Invalid value for '--format': 'yaml' is not one of text, json."),
}


@pytest.mark.parametrize("command", sorted(BAD_CHOICE))
def test_bad_choice_value_is_a_usage_error(project, command):
    args, message = BAD_CHOICE[command]
    before = tree_hash(project)
    run = invoke(project / "cwd", command, *flags(project, command), *args)
    assert run.code == 2, run
    assert message in run.err and f"Usage: eventmod {command}" in run.err, run
    assert tree_hash(project) == before


def test_schema_is_the_only_command_without_a_choice_option():
    from eventmod.cli.app import COMMANDS as REGISTRY, command_from

    for name in COMMANDS:
        metavars = [p.metavar or "" for p in command_from(name, REGISTRY[name]).params]
        assert any(m.startswith("[") and "|" in m for m in metavars) == (name != "schema"), name


@pytest.mark.parametrize("command", WITH_SELECTORS)
@pytest.mark.parametrize("args,message", [
    (["--jobs", "0"], "Invalid value for '--jobs' / '-j': 0 is not in the range x>=1."),
    (["--jobs", "-1"], "Invalid value for '--jobs' / '-j': -1 is not in the range x>=1."),
    (["-j", "two"], "'two' is not a valid integer."),
    (["--day", "99"], "Invalid value for '--day': 99 is not in the range 1<=x<=12."),
    (["--phase", "9"], "Invalid value for '--phase': 9 is not in the range 1<=x<=4."),
    (["-q", "-v"], "-q/--quiet and -v/--verbose cannot be used together."),
])
def test_out_of_range_values_are_usage_errors(project, command, args, message):
    run = invoke(project / "cwd", command, *flags(project, command), *args)
    assert run.code == 2 and message in run.err, run


@pytest.mark.parametrize("command", COMMANDS)
def test_unknown_flag_is_a_usage_error(project, command):
    run = invoke(project / "cwd", command, "--bogus")
    assert run.code == 2, run
    assert "No such option: --bogus" in run.err and f"Try 'eventmod {command} -h' for help." in run.err


def test_unknown_command_and_no_command(project):
    run = invoke(project / "cwd", "aplly")
    assert run.code == 2 and "No such command 'aplly'." in run.err
    run = invoke(project / "cwd")
    assert run.code == 2 and "Commands:" in run.all  # the help, as a usage error


OUTPUT_PATHS = [
    ("dry-run", ["--patch", "{missing}/x.patch"], "--patch {missing}/x.patch: the directory {missing} does not exist"),
    ("dry-run", ["--patch-dir", "{file}"], "--patch-dir {file}: is a file, not a directory"),
    ("dry-run", ["--patch", "{cwd}"], "--patch {cwd}: is a directory; give a file name (or - for stdout)"),
    ("schema", ["--out", "{missing}/s.json"], "--out {missing}/s.json: the directory {missing} does not exist"),
    ("suggest", ["--out", "{missing}/s.yaml"], "--out {missing}/s.yaml: the directory {missing} does not exist"),
]


@pytest.mark.parametrize("command,args,message", OUTPUT_PATHS)
def test_missing_output_directory_is_an_input_error_and_nothing_is_written(project, command, args, message):
    names = {"missing": str(project / "missing"), "file": str(project / "specs" / "service.yaml"), "cwd": str(project / "cwd")}
    before = tree_hash(project)
    run = invoke(project / "cwd", command, *flags(project, command), *[a.format(**names) for a in args])
    assert run.code == 2, run
    assert f"error: {message.format(**names)}" in run.err, run
    assert tree_hash(project) == before and not (project / "missing").exists()


def test_commands_without_an_output_path_print_to_stdout():
    """Only dry-run, schema and suggest write output files; `-` is stdout for each."""
    from eventmod.cli.app import COMMANDS as REGISTRY, command_from

    with_paths = {name for name in COMMANDS
                  if {"--patch", "--out"} & {o for p in command_from(name, REGISTRY[name]).params for o in p.opts}}
    assert with_paths == {"dry-run", "schema", "suggest"}


def test_dash_means_stdout_for_every_output_path(project):
    cwd = project / "cwd"
    patch = invoke(cwd, "dry-run", *flags(project, "dry-run"), "--patch", "-")
    assert patch.code == 0 and patch.out.startswith("diff --git a/app/service.py") and not (cwd / "-").exists()
    schema = invoke(cwd, "schema", "--out", "-")
    assert schema.code == 0 and schema.out.lstrip().startswith("{") and not (cwd / "-").exists()
    suggest = invoke(cwd, "suggest", *flags(project, "suggest"), "--out", "-", "--include-specified")
    assert suggest.code == 0 and "component: app_service" in suggest.out and not (cwd / "-").exists()


def test_patch_and_patch_dir_together_is_a_usage_error(project):
    run = invoke(project / "cwd", "dry-run", *flags(project, "dry-run"), "--patch", "x.patch", "--patch-dir", "d")
    assert run.code == 2 and "--patch and --patch-dir cannot be used together" in run.err
    assert not (project / "cwd" / "x.patch").exists() and not (project / "cwd" / "d").exists()


# -- invalid configuration ---------------------------------------------------------------------------
BROKEN_TOML = '[project]\nname = "x"\n\n[tool.eventmod]\nroot = "unclosed\n'


@pytest.mark.parametrize("command", COMMANDS)
def test_invalid_config_stops_every_command_that_reads_it(project, command):
    (project / "cwd" / "pyproject.toml").write_text(BROKEN_TOML)
    before = tree_hash(project)
    run = invoke(project / "cwd", command, *flags(project, command))
    assert tree_hash(project) == before
    if command == "schema":  # reads no configuration
        assert run.code == 0, run
        return
    assert run.code == 2, run
    assert "pyproject.toml:5: invalid TOML: " in run.err and "Traceback" not in run.err, run


@pytest.mark.parametrize("command", READS_SPECS)
def test_unknown_or_mistyped_config_keys_are_located_errors(project, command):
    (project / "cwd" / "pyproject.toml").write_text('[tool.eventmod]\nspecs = "../specs"\nemitt = "await"\nsafe_mode = "yes"\n')
    run = invoke(project / "cwd", command, "--root", str(project / "root"))
    assert run.code == 2, run
    assert "pyproject.toml:3: [tool.eventmod]: unknown key 'emitt' (did you mean 'emit'?)" in run.err
    assert "pyproject.toml:4: [tool.eventmod] safe_mode: expected true or false, got 'yes'" in run.err


# -- a closed stdout ---------------------------------------------------------------------------------
CLOSED_STDOUT_CODES = {"check": 1}  # pending events: the gate still fails when nobody reads stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_closed_stdout_exits_quietly_with_the_commands_own_code(project, command):
    """`eventmod COMMAND | head -1` where head is gone before eventmod writes: a real pipe whose
    reading end is closed, in a real process."""
    extra = {"suggest": ["--include-specified"], "revert": []}.get(command, [])
    if command == "revert":
        assert invoke(project / "cwd", "apply", *flags(project, "apply")).code == 0
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run([sys.executable, "-m", "eventmod", command, *flags(project, command), *extra],
                              stdout=write, stderr=subprocess.PIPE, text=True, cwd=project / "cwd", timeout=120,
                              env={**os.environ, "NO_COLOR": "1"})
    finally:
        os.close(write)
    assert proc.returncode == CLOSED_STDOUT_CODES.get(command, 0), proc.stderr
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr and "Exception ignored" not in proc.stderr


def test_closed_stdout_for_help_version_and_usage_errors(project):
    for args, code in ((["--help"], 0), (["--version"], 0), (["dry-run", "-h"], 0), (["validate", "--bogus"], 2)):
        read, write = os.pipe()
        os.close(read)
        proc = subprocess.run([sys.executable, "-m", "eventmod", *args], stdout=write, stderr=subprocess.PIPE, text=True,
                              cwd=project / "cwd", timeout=60)
        os.close(write)
        assert proc.returncode == code and "Traceback" not in proc.stderr, (args, proc.stderr)


def test_pipe_safe_stdout_drops_output_after_the_reader_left():
    from eventmod.cli.output import PipeSafeStdout

    class Gone:
        def __init__(self):
            self.fd = os.open(os.devnull, os.O_WRONLY)
            self.writes = 0

        def write(self, text):
            self.writes += 1
            raise BrokenPipeError

        def flush(self):
            raise BrokenPipeError

        def fileno(self):
            return self.fd

    gone = Gone()
    stream = PipeSafeStdout(gone)
    assert stream.write("a" * 10) == 10 and stream.broken
    stream.write("more")
    stream.flush()
    assert gone.writes == 1  # nothing is tried again
    os.close(gone.fd)


# -- exit codes of each command -------------------------------------------------------------------------
def test_internal_error_exits_3_with_a_please_report_line(project, monkeypatch):
    import eventmod.api

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(eventmod.api, "plan", broken)
    before = tree_hash(project)
    for command in ("validate", "dry-run", "apply", "plan", "coverage", "report"):
        run = invoke(project / "cwd", command, *flags(project, command))
        assert run.code == 3, run
        assert "eventmod: internal error: ZeroDivisionError: division by zero" in run.err
        assert "please report it with the output of `eventmod --debug`" in run.err
    assert tree_hash(project) == before
    debug = invoke(project / "cwd", "--debug", "validate", *flags(project, "validate"), traceback=True)
    assert debug.code == 3 and "please report it with this traceback" in debug.err


def test_safe_mode_catching_a_wrong_transformation_is_an_internal_error(project, monkeypatch):
    """Safe mode refuses a transformation that changed more than it inserted: an eventmod bug,
    so exit 3 (nothing written), not 2."""
    import eventmod.transform.planner as engine
    from eventmod.codegen.black_cache import style_cache

    monkeypatch.setattr(engine, "verify_only_insertions", lambda *a, **k: "line 3 differs")
    monkeypatch.setenv("EVENTMOD_NO_CACHE", "1")  # no proof an earlier test made for these bytes
    style_cache.cache_clear()
    before = tree_hash(project)
    try:
        run = invoke(project / "cwd", "apply", *flags(project, "apply"))
    finally:
        style_cache.cache_clear()
    assert run.code == 3, run
    assert "internal error: safe mode found that the transformation changed more than it inserted (line 3 differs)" in run.err
    assert "nothing was written" in run.err and tree_hash(project) == before


def test_debug_prints_the_traceback_of_an_internal_error(project):
    probe = ("import sys, eventmod.api\n"
             "def broken(*a, **k):\n    raise ZeroDivisionError('boom')\n"
             "eventmod.api.plan = broken\n"
             "from eventmod.cli.app import main\n"
             "sys.argv = ['eventmod', *sys.argv[1:]]\nmain()\n")
    args = ["validate", *flags(project, "validate")]
    quiet = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=project / "cwd")
    assert quiet.returncode == 3 and "Traceback" not in quiet.stderr and "internal error: ZeroDivisionError: boom" in quiet.stderr
    loud = subprocess.run([sys.executable, "-c", probe, "--debug", *args], capture_output=True, text=True, cwd=project / "cwd")
    assert loud.returncode == 3 and "Traceback (most recent call last)" in loud.stderr and "ZeroDivisionError: boom" in loud.stderr
    env = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=project / "cwd",
                         env={**os.environ, "EVENTMOD_DEBUG": "1"})
    assert env.returncode == 3 and "Traceback (most recent call last)" in env.stderr


def test_exit_codes_zero_and_one(project):
    cwd = project / "cwd"
    assert invoke(cwd, "validate", *flags(project, "validate")).code == 0
    assert invoke(cwd, "check", *flags(project, "check")).code == 1  # pending
    assert invoke(cwd, "dry-run", *flags(project, "dry-run")).code == 0
    assert invoke(cwd, "dry-run", *flags(project, "dry-run"), "--exit-code").code == 1  # would change files
    assert invoke(cwd, "coverage", *flags(project, "coverage"), "--fail-under", "50").code == 1
    assert invoke(cwd, "apply", *flags(project, "apply")).code == 0
    assert invoke(cwd, "check", *flags(project, "check")).code == 0
    assert invoke(cwd, "dry-run", *flags(project, "dry-run"), "--exit-code").code == 0  # nothing left to do
    assert invoke(cwd, "coverage", *flags(project, "coverage"), "--fail-under", "100").code == 0
    for command in ("plan", "report", "config", "schema", "suggest"):
        assert invoke(cwd, command, *flags(project, command)).code == 0, command
    assert invoke(cwd, "revert", *flags(project, "revert")).code == 0


BROKEN_INPUTS = {
    "spec directory missing": lambda p: __import__("shutil").rmtree(p / "specs"),
    "enum file missing": lambda p: (p / "root" / "core" / "event_logger.py").unlink(),
    "spec problem": lambda p: (p / "specs" / "service.yaml").write_text(
        (p / "specs" / "service.yaml").read_text().replace("severity: INFO", "severity: LOUD", 1)),
    "root missing": lambda p: __import__("shutil").rmtree(p / "root"),
}


# revert never reads the enum file (removing blocks needs no enum): tested on its own below
GATES = [(command, broken) for command in ["validate", "check", "plan", "coverage", "report", "dry-run", "apply", "revert"]
         for broken in sorted(BROKEN_INPUTS) if (command, broken) != ("revert", "enum file missing")]


@pytest.mark.parametrize("command,broken", GATES)
def test_broken_input_is_never_a_passing_gate(project, command, broken):
    BROKEN_INPUTS[broken](project)
    before = tree_hash(project)
    extra = ["--fail-under", "90"] if command == "coverage" else []
    run = invoke(project / "cwd", command, *flags(project, command), *extra)
    assert run.code == 2, run
    assert tree_hash(project) == before
    assert "problem(s)" in run.err
    if command in ("apply", "revert"):
        assert "nothing was written" in run.err
    else:  # read-only commands never talk about writing
        assert "nothing was written" not in run.all
    if command == "coverage":
        assert "100.0%" not in run.out and "meets_target" not in run.out


def test_revert_needs_no_enum_file_and_check_reports_drift_as_a_finding(project):
    enum = project / "root" / "core" / "event_logger.py"
    text = enum.read_text()
    enum.unlink()
    run = invoke(project / "cwd", "revert", *flags(project, "revert"))
    assert run.code == 0 and "0 event(s) reverted, 9 not present" in run.out
    enum.write_text(text)
    spec = project / "specs" / "service.yaml"
    spec.write_text(spec.read_text().replace("in: OrderService.place", "in: OrderService.plaice"))
    drift = invoke(project / "cwd", "check", *flags(project, "check"))
    assert drift.code == 1 and ": drifted: function 'OrderService.plaice' not found" in drift.err  # a failing gate


def test_coverage_json_on_broken_input_says_so(project):
    import json

    (project / "root" / "core" / "event_logger.py").unlink()
    run = invoke(project / "cwd", "coverage", *flags(project, "coverage"), "--format", "json", "--fail-under", "90")
    assert run.code == 2
    data = json.loads(run.out)
    assert data["ok"] is False and "meets_target" not in run.out
    assert any(p["path"].endswith("core/event_logger.py") for p in data["problems"])


def test_plan_prints_the_table_and_the_problems_and_exits_2(project):
    BROKEN_INPUTS["spec problem"](project)
    run = invoke(project / "cwd", "plan", *flags(project, "plan"))
    assert run.code == 2
    assert "service" in run.out and "invalid" in run.out.splitlines()[0]
    assert "event svc_order_placed: bad severity 'LOUD'" in run.err


# -- check agrees with apply: --emit and --failsafe --------------------------------------------------------
def test_check_takes_the_same_emit_override_as_apply(project):
    cwd = project / "cwd"
    assert invoke(cwd, "apply", *flags(project, "apply"), "--emit", "background").code == 0
    mismatch = invoke(cwd, "check", *flags(project, "check"))
    assert mismatch.code == 1 and ": re-emit: the block's shape differs from the spec (emit background -> await)" in mismatch.err
    agreed = invoke(cwd, "check", *flags(project, "check"), "--emit", "background")
    assert agreed.code == 0, agreed


def test_failsafe_flags_reach_the_configuration(project):
    cwd = project / "cwd"
    on = invoke(cwd, "config", *flags(project, "config"))
    assert "failsafe = true" in on.out and "# default" in on.out.split("failsafe = true", 1)[1].splitlines()[0]
    off = invoke(cwd, "config", *flags(project, "config"), "--no-failsafe")
    line = next(line for line in off.out.splitlines() if line.startswith("failsafe"))
    assert line.startswith("failsafe = false") and line.endswith("# --failsafe")
    for command in WITH_SELECTORS:
        assert invoke(cwd, command, *flags(project, command), "--failsafe", "--help").code == 0


# -- output formats ----------------------------------------------------------------------------------
def test_check_and_validate_speak_github_annotations(project):
    cwd = project / "cwd"
    check = invoke(cwd, "check", *flags(project, "check"), "--format", "github")
    assert check.code == 1
    service = project / "root" / "app" / "service.py"
    annotations = check.out.splitlines()
    assert f"::error file={service},line=17::svc_order_placed (ORDER_PLACED): pending" in annotations
    assert all(a.startswith("::error file=") for a in annotations) and len(annotations) == 9
    spec = project / "specs" / "service.yaml"
    spec.write_text(spec.read_text().replace("in: OrderService.place", "in: OrderService.plaice"))
    validate = invoke(cwd, "validate", *flags(project, "validate"), "--format", "github")
    assert validate.code == 2
    [error] = [line for line in validate.out.splitlines() if line.startswith("::error")]
    assert error.startswith(f"::error file={spec},line=") and "::event svc_order_placed: function 'OrderService.plaice' not found" in error
    assert all(line.startswith(("::error ", "::warning ")) for line in validate.out.splitlines())


def test_github_annotation_escapes_newlines_and_separators():
    from eventmod.cli.output import github_annotation

    assert github_annotation("error", "a,b:c.py", 3, "50% done\nnext") == "::error file=a%2Cb%3Ac.py,line=3::50%25 done%0Anext"
    assert github_annotation("warning", "--component", 0, "x") == "::warning::x"


def test_format_table_is_still_accepted_as_text(project):
    cwd = project / "cwd"
    for command in ("plan", "coverage"):
        old = invoke(cwd, command, *flags(project, command), "--format", "table")
        new = invoke(cwd, command, *flags(project, command), "--format", "text")
        assert old.code == new.code == 0 and old.out == new.out


def test_quiet_and_verbose(project):
    cwd = project / "cwd"
    quiet = invoke(cwd, "check", *flags(project, "check"), "-q")
    assert quiet.code == 1 and quiet.out == "" and quiet.err.count(": pending") == 9
    quiet_run = invoke(cwd, "dry-run", *flags(project, "dry-run"), "-q")
    assert quiet_run.err == "" and quiet_run.out.startswith("diff --git")
    loud = invoke(cwd, "apply", *flags(project, "apply"), "-v")
    assert loud.code == 0
    assert "configuration: defaults (no [tool.eventmod] found)" in loud.err
    assert f"{project / 'root' / 'app' / 'service.py'}:17: svc_order_placed (ORDER_PLACED): inserted" in loud.err


def test_messages_name_the_configured_enum_class(project):
    enum = project / "root" / "core" / "event_logger.py"
    enum.write_text(enum.read_text().replace("class EventType", "class AuditEvent"))
    for path in (project / "root").rglob("*.py"):
        path.write_text(path.read_text().replace("EventType", "AuditEvent"))
    (project / "cwd" / "pyproject.toml").write_text('[tool.eventmod]\nenum_class = "AuditEvent"\n')
    run = invoke(project / "cwd", "dry-run", *flags(project, "dry-run"))
    assert run.code == 0, run
    assert "AuditEvent member(s) added" in run.err and "EventType" not in run.err
    report = invoke(project / "cwd", "report", *flags(project, "report"))
    assert "### AuditEvent members added" in report.out and "| id | AuditEvent |" in report.out
    assert "EventType" not in report.out


# -- paths -----------------------------------------------------------------------------------------
def test_paths_are_printed_relative_to_the_current_directory(project):
    run = invoke(project, "check", "--root", "root", "--specs", "specs", "--jobs", "1")
    assert run.code == 1
    lines = run.err.splitlines()
    assert lines[0] == "root/app/service.py:17: svc_order_placed (ORDER_PLACED): pending"
    assert [int(line.split(":")[1]) for line in lines] == sorted(int(line.split(":")[1]) for line in lines)
    spec = project / "specs" / "service.yaml"
    spec.write_text(spec.read_text().replace("in: OrderService.place", "in: OrderService.plaice"))
    bad = invoke(project / "root", "validate", "--root", ".", "--specs", "../specs", "--jobs", "1")
    assert bad.code == 2 and "\n../specs/service.yaml:" not in bad.err  # outside the cwd: absolute
    assert f"{spec}:" in bad.err
    inside = invoke(project, "validate", "--root", "root", "--specs", "specs", "--jobs", "1")
    assert "specs/service.yaml:" in inside.err and str(project) not in inside.err


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True).stdout


def test_dry_run_patch_applies_from_the_repository_top_level(project):
    repo = project
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "t@example.com")
    _git(repo, "config", "user.name", "t")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "initial")
    patch = invoke(project / "cwd", "dry-run", *flags(project, "dry-run")).out
    assert patch.startswith("diff --git a/root/app/service.py b/root/app/service.py")
    (project / "p.patch").write_text(patch)
    _git(repo, "apply", "--check", "p.patch")  # from the top level
    subprocess.run(["git", "apply", "--check", str(project / "p.patch")], cwd=project / "root" / "app", check=True)
    relative = invoke(project / "cwd", "dry-run", *flags(project, "dry-run"), "--relative").out
    assert relative.startswith("diff --git a/app/service.py b/app/service.py")
    # root-relative paths: apply inside root with --directory from the top level (or `patch -p1` in root)
    subprocess.run(["git", "apply", "--directory=root", "-"], input=relative, text=True, cwd=project, check=True)
    assert invoke(project / "cwd", "check", *flags(project, "check")).code == 0


# -- apply --commit --------------------------------------------------------------------------------
def _git_project(project: Path) -> Path:
    root = project / "root"
    _git(root, "init", "-q")
    _git(root, "config", "user.email", "t@example.com")
    _git(root, "config", "user.name", "t")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "initial")
    return root


def test_commit_when_the_result_equals_head_says_so_and_exits_0(project):
    root = _git_project(project)
    cwd = project / "cwd"
    assert invoke(cwd, "apply", *flags(project, "apply"), "--commit").code == 0
    head = _git(root, "rev-parse", "HEAD")
    # the working tree goes back to the un-instrumented files; HEAD keeps the instrumented ones
    _git(root, "checkout", "HEAD~1", "--", ".")
    _git(root, "reset", "-q")
    run = invoke(cwd, "apply", *flags(project, "apply"), "--commit", "--allow-dirty")
    assert run.code == 0, run
    assert "phase 1: the files written equal HEAD; nothing to commit" in run.out
    assert "git commit failed" not in run.all and _git(root, "rev-parse", "HEAD") == head
    assert _git(root, "status", "--porcelain") == ""


def test_commit_refused_after_writing_is_exit_1_and_says_the_files_are_written(project):
    root = _git_project(project)
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'lint failed: fix it' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = (root / "app" / "service.py").read_text()
    run = invoke(project / "cwd", "apply", *flags(project, "apply"), "--commit")
    assert run.code == 1, run
    assert "error: phase 1: the files were written (" in run.err and "but git refused the commit: lint failed: fix it" in run.err
    assert "nothing was written" not in run.all
    assert (root / "app" / "service.py").read_text() != before


def test_commit_with_nothing_to_insert_makes_no_commit(project):
    root = _git_project(project)
    cwd = project / "cwd"
    assert invoke(cwd, "apply", *flags(project, "apply"), "--commit").code == 0
    head = _git(root, "rev-parse", "HEAD")
    again = invoke(cwd, "apply", *flags(project, "apply"), "--commit")
    assert again.code == 0 and "nothing to insert; no commit made" in again.out
    assert _git(root, "rev-parse", "HEAD") == head


# -- progress bar --------------------------------------------------------------------------------------
class Tty:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass

    def isatty(self):
        return True


@pytest.mark.parametrize("ci,shown", [(None, True), ("false", True), ("0", True), ("", True), ("true", False), ("1", False)])
def test_progress_bar_erases_its_line_and_only_a_truthy_ci_disables_it(monkeypatch, ci, shown):
    from eventmod.cli.output import ProgressBar

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    if ci is not None:
        monkeypatch.setenv("CI", ci)
    tty = Tty()
    bar = ProgressBar(stream=tty)
    bar.start(20)
    for _ in range(20):
        bar.advance()
    bar.close()
    if not shown:
        assert tty.text == ""
        return
    assert "100% 20/20" in tty.text
    assert tty.text.endswith("\r\x1b[K")  # the 100% line is erased, not left on screen
    assert "\n" not in tty.text


def test_progress_bar_stays_off_for_small_runs_and_pipes(monkeypatch):
    from eventmod.cli.output import ProgressBar

    monkeypatch.delenv("CI", raising=False)
    tty = Tty()
    bar = ProgressBar(stream=tty)
    bar.start(3)
    bar.advance()
    bar.close()
    assert tty.text == ""


# -- repository smoke: the CLI runs from a fresh clone with no flags --------------------------------------
def test_version_help_and_config_from_the_repository():
    proc = subprocess.run([sys.executable, "-m", "eventmod", "config", "--format", "json"], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    import json

    data = json.loads(proc.stdout)
    assert data["config_file"] == "pyproject.toml"
    assert data["keys"]["root"] == {"value": "fixtures/tradingbot", "origin": data["keys"]["root"]["origin"]}
    assert data["keys"]["root"]["origin"].startswith("pyproject.toml:")
    assert data["keys"]["failsafe"] == {"value": True, "origin": "default"}
