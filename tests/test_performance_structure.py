"""Structural performance properties (counted, never timed):

(a) files without a selected event are never read or parsed;
(b) each target file is parsed once per run, whatever its number of events;
(c) the dry-run diff is byte-identical for --jobs 1, 2 and 3;
(d) `--version` and `--help` import neither libcst nor black; no invocation imports pydantic (or
    rich); command modules are imported only for their command;
(e) each spec file is parsed (yaml.compose) once per run.

The figures themselves live in benchmarks/ (`python -m benchmarks`).
"""

from __future__ import annotations

import ast
import builtins
import collections
import io
import json
import os
import pathlib
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import eventmod.transform.apply as engine
from benchmarks.synthetic import generate, generate_single
from eventmod.config import load_config
from eventmod.reports.diff import run_diff
from eventmod.spec.catalog import load_catalog
from eventmod.model.spec import Selection

REPO = Path(__file__).resolve().parent.parent


def _setup(project: Path):
    config = load_config(project)
    catalog, problems = load_catalog(config.specs, config.root)
    assert not [p for p in problems if p.severity == "error"], problems
    return config, catalog


@pytest.fixture(scope="module")
def synthetic_root(tmp_path_factory) -> Path:
    """30 modules (~12k lines); 6 of them are targets with 8 events each; 24 are never touched."""
    dest = tmp_path_factory.mktemp("synthetic")
    generate(dest, total_lines=12_000, files=30, target_files=6, events=48, seed=3)
    return dest


class _Recorder:
    """Counts every way the engine could read or parse a file: engine.load_source and engine.read_raw, builtins/io open,
    Path.read_bytes/read_text/open, and ast.parse (by filename, and by whole-module text)."""

    def __init__(self, monkeypatch, root: Path):
        self.root = root.resolve()
        self.loads: collections.Counter[str] = collections.Counter()
        self.opened: collections.Counter[str] = collections.Counter()
        self.parsed: collections.Counter[str] = collections.Counter()
        self.parsed_text: collections.Counter[str] = collections.Counter()
        self.texts = {p.read_text(encoding="utf-8"): p.relative_to(self.root).as_posix() for p in self.root.rglob("*.py")}
        original_load, original_parse = engine.load_source, ast.parse
        original_open, original_io_open = builtins.open, io.open
        original_read_bytes, original_read_text, original_path_open = Path.read_bytes, Path.read_text, Path.open

        def load(root, rel, *args, **kwargs):
            self.loads[Path(rel).as_posix()] += 1
            return original_load(root, rel, *args, **kwargs)

        original_read_raw = engine.read_raw

        def read_raw(root, rel, *args, **kwargs):  # how a target file is read (then decoded and parsed)
            self.loads[Path(rel).as_posix()] += 1
            return original_read_raw(root, rel, *args, **kwargs)

        def parse(source, filename="<unknown>", *args, **kwargs):
            self.parsed[str(filename)] += 1
            if isinstance(source, str) and source in self.texts:
                self.parsed_text[self.texts[source]] += 1
            return original_parse(source, filename, *args, **kwargs)

        def note(path) -> None:
            try:
                resolved = Path(path).resolve()
            except TypeError:  # a file descriptor
                return
            if resolved.is_relative_to(self.root):
                self.opened[resolved.relative_to(self.root).as_posix()] += 1

        def opener(original):
            def wrapped(file, *args, **kwargs):
                note(file)
                return original(file, *args, **kwargs)
            return wrapped

        def read_bytes(path):
            note(path)
            return original_read_bytes(path)

        def read_text(path, *args, **kwargs):
            note(path)
            return original_read_text(path, *args, **kwargs)

        def path_open(path, *args, **kwargs):
            note(path)
            return original_path_open(path, *args, **kwargs)

        monkeypatch.setattr(engine, "load_source", load)
        monkeypatch.setattr(engine, "read_raw", read_raw)
        monkeypatch.setattr(ast, "parse", parse)
        monkeypatch.setattr(builtins, "open", opener(original_open))
        monkeypatch.setattr(io, "open", opener(original_io_open))
        monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
        monkeypatch.setattr(pathlib.Path, "read_text", read_text)
        monkeypatch.setattr(pathlib.Path, "open", path_open)

    def touched(self) -> set[str]:
        return set(self.loads) | set(self.opened) | set(self.parsed_text) | {
            f for f in self.parsed if not f.startswith("<")}


# -- (a) unrelated files are never read or parsed -----------------------------------------------
def test_files_without_selected_events_are_never_read_or_parsed(synthetic_root, monkeypatch):
    config, catalog = _setup(synthetic_root)
    everything = {p.relative_to(config.root).as_posix() for p in config.root.rglob("*.py")}
    targets = {c.file for c in catalog.components}
    enum_file = Path(config.enum_file).as_posix()
    assert len(everything - targets - {enum_file}) >= 20

    # Besides the targets, a run reads the logger module and what it imports under root (here
    # only its package's `__init__.py`): that is how it finds import cycles.
    logger_files = {enum_file, "core/__init__.py"}
    recorder = _Recorder(monkeypatch, config.root)
    plan = engine.plan_run(config, catalog, jobs=1)
    monkeypatch.undo()
    assert not plan.errors(), plan.errors()
    # (a parse of an empty `__init__.py` text cannot be told from another empty `__init__.py`'s)
    same_text = {p for p in everything if (config.root / p).read_text() == (config.root / "core/__init__.py").read_text()}
    read = set(recorder.loads) | set(recorder.opened) | (set(recorder.parsed_text) - same_text)
    # The house style: no target holds a log_event block, so a bounded scan reads other files'
    # bytes (at most SCAN_FILES) and parses none that lacks the text `log_event`.
    from eventmod.transform.house import SCAN_FILES

    scanned = read - targets - logger_files
    assert len(scanned) <= SCAN_FILES
    parsed = (set(recorder.loads) | (set(recorder.parsed_text) - same_text)) - targets - logger_files
    assert all("log_event" in (config.root / p).read_text() for p in parsed), sorted(parsed)
    assert targets <= recorder.touched()

    # With a selection, the other components' target files are not read either.
    chosen = catalog.components[0]
    recorder = _Recorder(monkeypatch, config.root)
    plan = engine.plan_run(config, catalog, Selection(components=(chosen.component,)), jobs=1)
    monkeypatch.undo()
    assert not plan.errors(), plan.errors()
    assert set(recorder.loads) <= {chosen.file} | logger_files, sorted(recorder.loads)
    assert [f.path for f in plan.files if f.outcomes] == [chosen.file]


# -- (b) one parse per target file, whatever its number of events --------------------------------
def _parse_counts(project: Path, monkeypatch) -> tuple[_Recorder, str, str]:
    config, catalog = _setup(project)
    recorder = _Recorder(monkeypatch, config.root)
    plan = engine.plan_run(config, catalog, jobs=1)
    monkeypatch.undo()
    assert not plan.errors(), plan.errors()
    assert any(f.changed for f in plan.files)
    return recorder, catalog.components[0].file, Path(config.enum_file).as_posix()


def test_each_target_file_is_parsed_once_per_run(synthetic_root, monkeypatch):
    recorder, _, enum_file = _parse_counts(synthetic_root, monkeypatch)
    config, catalog = _setup(synthetic_root)
    for component in catalog.components:
        assert len(component.events) == 8
        assert recorder.parsed[component.file] == 1, (component.file, recorder.parsed)
        assert recorder.loads[component.file] == 1, (component.file, recorder.loads)


def test_the_enum_file_is_parsed_once_per_run(synthetic_root, monkeypatch):
    """The enum planning, the log_event signature check and the enum file's own unit of work
    share one parse (in process; a worker process parses it once more)."""
    recorder, _, enum_file = _parse_counts(synthetic_root, monkeypatch)
    assert recorder.parsed[enum_file] == 1, recorder.parsed


def test_parses_of_a_file_do_not_grow_with_its_events(tmp_path, monkeypatch):
    projects = generate_single(tmp_path, lines=1_200, events=(1, 40))
    few, target, enum_file = _parse_counts(projects[1], monkeypatch)
    many, _, _ = _parse_counts(projects[40], monkeypatch)
    assert few.parsed[target] == many.parsed[target] == 1
    assert few.loads[target] == many.loads[target] == 1
    assert few.parsed[enum_file] == many.parsed[enum_file]
    # Whole-module parses under any filename (e.g. safe mode's re-parse) are per file, not per event.
    assert few.parsed_text[target] == many.parsed_text[target], (few.parsed_text, many.parsed_text)


# -- (c) output independent of the worker count --------------------------------------------------
@pytest.mark.parametrize("where", ["fixture", "synthetic"])
def test_dry_run_output_is_identical_for_any_jobs(where, synthetic_root):
    config, catalog = _setup(REPO if where == "fixture" else synthetic_root)
    diffs = {jobs: run_diff(engine.plan_run(config, catalog, jobs=jobs)).encode("utf-8") for jobs in (1, 2, 3)}
    assert diffs[1].count(b"\ndiff --git ") >= 5
    assert diffs[1] == diffs[2] == diffs[3]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_streamed_run_keeps_no_file_texts_and_writes_the_same_patch(jobs, synthetic_root, monkeypatch):
    """A dry-run takes each file's diff as the file is planned and lets go of its texts: what
    the run keeps holds no file's old or new bytes, and the patch is byte for byte the one the
    whole plan gives, in the same file order (with a process pool too)."""
    from eventmod.reports.diff import file_diff
    from eventmod.transform import runner

    monkeypatch.setattr(runner, "POOL_MIN_BYTES", 0)

    config, catalog = _setup(synthetic_root)
    seen: list[str] = []
    pieces: list[str] = []

    def sink(plan):
        seen.append(plan.path)
        pieces.append(file_diff(plan))
        return plan.release()

    streamed = engine.plan_run(config, catalog, jobs=jobs, sink=sink)
    whole = engine.plan_run(config, catalog, jobs=1)
    assert seen == [f.path for f in whole.files] == sorted(seen)
    assert "".join(pieces) == run_diff(whole) and run_diff(whole).count("\ndiff --git ") >= 5
    assert all(f.old is None and f.new is None and not f.origin for f in streamed.files)
    assert [f.changed for f in streamed.files] == [f.changed for f in whole.files]
    assert [f.outcomes for f in streamed.files] == [f.outcomes for f in whole.files]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_holds_the_catalogs_own_events_not_a_workers_copies(jobs, synthetic_root, monkeypatch):
    """Plans made in worker processes come back holding unpickled copies of their events; the
    run keeps the catalog's own objects instead (else a large catalog is held twice)."""
    from eventmod.transform import runner

    monkeypatch.setattr(runner, "POOL_MIN_BYTES", 0)
    config, catalog = _setup(synthetic_root)
    own = {id(e) for component in catalog.components for e in component.events}
    run = engine.plan_run(config, catalog, jobs=jobs, sink=lambda plan: plan.release())
    outcomes = run.outcomes()
    assert len(outcomes) >= 20
    assert all(id(o.event) in own for o in outcomes)


def test_the_cli_patch_is_the_plans_patch_for_any_jobs(synthetic_root):
    config, catalog = _setup(synthetic_root)
    expected = run_diff(engine.plan_run(config, catalog, jobs=1), "")
    for jobs in ("1", "2"):
        proc = subprocess.run([sys.executable, "-m", "eventmod", "dry-run", "--relative", "--color", "never", "--jobs", jobs],
                              cwd=synthetic_root, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == expected, jobs


def test_a_patch_larger_than_the_spool_is_printed_and_written_whole(synthetic_root, monkeypatch, eventmod, tmp_path):
    """The dry-run spools its patch (to a temporary file past PATCH_SPOOL_CHARS) and reads it
    back in chunks: with a tiny spool and odd-sized chunks, stdout and --patch are still the
    plan's patch, byte for byte."""
    from eventmod.cli import write_commands

    monkeypatch.setattr(write_commands, "PATCH_SPOOL_CHARS", 100)
    monkeypatch.setattr(write_commands, "PATCH_CHUNK_CHARS", 7)
    config, catalog = _setup(synthetic_root)
    expected = run_diff(engine.plan_run(config, catalog, jobs=1), "")
    assert len(expected) > 100 * 100
    where = ("--root", str(synthetic_root / "repo"), "--specs", str(synthetic_root / "specs"), "--relative", "--jobs", "1")
    printed = eventmod("dry-run", *where, "--color", "never")
    assert printed.exit_code == 0 and printed.stdout == expected
    written = eventmod("dry-run", *where, "--patch", str(tmp_path / "out.patch"))
    assert written.exit_code == 0 and (tmp_path / "out.patch").read_bytes() == expected.encode("utf-8")


@pytest.mark.parametrize("limit", [0, 5, 1 << 20])
def test_the_patch_spool_gives_back_exactly_what_it_took(limit):
    """In memory or spooled to a file, the pieces come back in order and unchanged: CRLF, lone
    CR, non-ASCII and lone surrogates (a file decoded with surrogateescape) included."""
    from eventmod.reports.diff import PatchSpool

    pieces = ["diff --git a/x b/x\r\n", "+é\r", "+\udcff\n", "", "+" + "z" * 40 + "\n", "+last"]
    spool = PatchSpool(limit)
    for piece in pieces:
        spool.write(piece)
    assert (spool.file is None) == (limit > 100)
    assert "".join(spool.chunks(3)) == "".join(pieces)
    spool.close()


# -- (d) --version and --help stay light; no pydantic anywhere; lazy command modules ------------------
_WRAPPER = """
import json, sys
sys.argv = ["eventmod", *sys.argv[1:]]
from eventmod.cli.app import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\nMODULES=" + json.dumps(sorted(sys.modules)) + "\\n")
"""
_COMMAND_MODULES = {"eventmod.cli.check_commands", "eventmod.cli.write_commands", "eventmod.cli.suggest_commands",
                    "eventmod.cli.config_commands"}


def _modules(*args: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, *args], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stderr.rsplit("MODULES=", 1)[1]))


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_import_neither_libcst_nor_black(flag):
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, flag], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "eventmod" in proc.stdout
    modules = json.loads(proc.stderr.rsplit("MODULES=", 1)[1])
    heavy = sorted(m for m in modules if m.split(".")[0] in ("libcst", "black", "blib2to3", "pydantic", "rich"))
    assert not heavy, heavy
    assert "eventmod.cli.app" in modules


@pytest.mark.parametrize("args", [
    ["--version"], ["--help"], ["validate", "--help"], ["dry-run", "-h"], ["validate", "-j", "1"], ["check", "-j", "1", "-q"],
    ["schema"], ["config"], ["plan", "-j", "1"], ["suggest", "--component", "main", "-q"], ["dry-run", "--phase", "3", "-q"],
])
def test_no_invocation_imports_pydantic_or_rich(args):
    modules = _modules(*args)
    assert not sorted(m for m in modules if m.split(".")[0] in ("pydantic", "pydantic_core", "rich")), args


def test_version_imports_no_typer_and_help_no_command_module():
    """`eventmod --version` is answered before typer is imported; `eventmod --help` lists the
    commands from their summaries without importing a command module (or the pipeline)."""
    version = _modules("--version")
    assert not {m for m in version if m.split(".")[0] in ("typer", "click", "yaml")}, sorted(version)
    assert not {m for m in version if m.startswith("eventmod.") and m not in ("eventmod.cli", "eventmod.cli.app", "eventmod.cli.pipes")}
    help_modules = _modules("--help")
    assert "typer" in help_modules
    assert not help_modules & _COMMAND_MODULES
    assert not {m for m in help_modules if m.startswith(("eventmod.api", "eventmod.transform", "eventmod.spec", "eventmod.model"))}


def test_command_modules_are_imported_only_for_their_command():
    assert not _modules("--version") & _COMMAND_MODULES
    assert _modules("schema") & _COMMAND_MODULES == {"eventmod.cli.config_commands"}
    validate = _modules("validate", "--help")
    assert validate & _COMMAND_MODULES == {"eventmod.cli.check_commands"}
    assert not {m for m in validate if m.startswith(("eventmod.transform", "eventmod.spec", "yaml"))}, "no work at import"



# what `validate` (one spec or the catalog) must not import: the writers, the reports and drafts of
# other commands, the formatter and libcst, worker pools, and stdlib modules asked only on rare paths
_NOT_FOR_VALIDATE = {
    "black", "blib2to3", "libcst", "pydantic", "rich", "multiprocessing", "concurrent.futures.process", "sysconfig",
    "importlib.metadata", "sqlite3", "asyncio", "tempfile", "socket", "logging", "argparse",
    "eventmod.transform.revert", "eventmod.io.writer", "eventmod.io.git", "eventmod.io.lock", "eventmod.io.eventdb",
    "eventmod.reports.diff", "eventmod.reports.coverage", "eventmod.reports.pr", "eventmod.reports.html",
    "eventmod.reports.observe", "eventmod.suggest.drafts", "eventmod.cli.write_commands", "eventmod.cli.workflows",
    "eventmod.codemods", "eventmod.init",
}
_VALIDATE_IMPORTS = _WRAPPER  # the command's modules, printed after it ran


@pytest.mark.parametrize("one_spec", [True, False])
def test_validate_imports_only_what_it_needs(one_spec, tmp_path):
    """A warm `validate` imports none of `_NOT_FOR_VALIDATE`: not the formatter, libcst, a worker
    pool, nor the writers, reports and drafts of the other commands."""
    cwd = REPO
    if one_spec:
        cwd = tmp_path
        (tmp_path / "specs").mkdir()
        (tmp_path / "specs" / "main.yaml").write_bytes((REPO / "event_specs" / "main.yaml").read_bytes())
        (tmp_path / "pyproject.toml").write_text(
            f"[tool.eventmod]\nroot = {json.dumps(str(REPO / 'fixtures' / 'tradingbot'))}\nspecs = \"specs\"\n", encoding="utf-8")
    env = {**os.environ, "EVENTMOD_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("EVENTMOD_NO_CACHE", None)
    for _ in range(2):  # the first run fills the format cache (a cold run lays blocks out with black)
        proc = subprocess.run([sys.executable, "-c", _VALIDATE_IMPORTS, "validate", "-j", "1"], cwd=cwd, capture_output=True,
                              text=True, timeout=120, env=env)
        assert proc.returncode == 0, proc.stderr
    assert "ok:" in proc.stdout
    modules = set(json.loads(proc.stderr.rsplit("MODULES=", 1)[1].split("\n", 1)[0]))
    assert "eventmod.transform.apply" in modules  # the real pipeline ran
    assert sorted(m for m in modules if m in _NOT_FOR_VALIDATE or m.startswith(tuple(f"{n}." for n in _NOT_FOR_VALIDATE))) == []


@pytest.mark.parametrize("args", [["validate", "-j", "1"], ["dry-run", "-j", "1", "-q"], ["check", "-j", "1", "-q"]])
def test_an_in_process_run_imports_no_process_pool(args):
    """multiprocessing (and the socket, pickle and tempfile it pulls in) is imported only when
    a run really starts workers."""
    modules = _modules(*args)
    assert not {m for m in modules if m.split(".")[0] == "multiprocessing" or m == "concurrent.futures.process"}, args


# -- (e) each spec file composed once ------------------------------------------------------------
@pytest.mark.parametrize("command", ["dry-run", "check", "validate"])
def test_spec_files_are_parsed_once_per_run(command, synthetic_root, monkeypatch, eventmod):
    """Without the spec cache (`io.spec_cache`; with it, a repeated run parses none), each spec
    file is parsed exactly once per run."""
    from eventmod.io import spec_cache

    monkeypatch.setenv("EVENTMOD_NO_CACHE", "1")
    spec_cache.spec_cache.cache_clear()
    specs = sorted((synthetic_root / "specs").glob("*.yaml"))
    texts = {p.read_text(encoding="utf-8"): p.name for p in specs}
    composed: collections.Counter[str] = collections.Counter()
    calls = collections.Counter()
    for name in ("compose", "compose_all", "load", "load_all", "safe_load", "safe_load_all", "full_load"):
        original = getattr(yaml, name)

        def counting(stream, *args, _original=original, _name=name, **kwargs):
            calls[_name] += 1
            text = stream if isinstance(stream, str) else None
            composed[texts.get(text, "<other>")] += 1
            return _original(stream, *args, **kwargs)

        monkeypatch.setattr(yaml, name, counting)
    try:
        result = eventmod(command, "--root", str(synthetic_root / "repo"), "--specs", str(synthetic_root / "specs"), "--jobs", "1")
    finally:
        monkeypatch.undo()
        spec_cache.spec_cache.cache_clear()
    assert result.exit_code in (0, 1), result.output
    assert sum(calls.values()) == len(specs), calls
    assert composed == collections.Counter({p.name: 1 for p in specs}), composed


_BLACK_PROBE = (
    "import sys\n"
    "from eventmod.cli.app import app\n"
    "try:\n    app(sys.argv[1:])\n"
    "except SystemExit:\n    pass\n"
    "sys.stderr.write('BLACK_IMPORTED=%s\\n' % ('black' in sys.modules))\n"
)


def _probe_runs(cwd, env, args, count=2):
    import subprocess
    import sys

    return [subprocess.run([sys.executable, "-c", _BLACK_PROBE, *args], cwd=cwd, env=env, capture_output=True, text=True)
            for _ in range(count)]


def test_the_catalog_needs_no_black_cold_or_warm(tmp_path):
    """Every block of the catalog is laid out without black (the direct layout, black's own line
    split ported): neither a run without any cache nor a warm one imports it, and both write
    the same patch."""
    import os

    from tests.conftest import REPO

    env = {**os.environ, "EVENTMOD_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    cold = _probe_runs(REPO, {**env, "EVENTMOD_NO_CACHE": "1"}, ["dry-run", "--jobs", "1"], count=1)
    warm = _probe_runs(REPO, env, ["dry-run", "--jobs", "1"])
    for run in (*cold, *warm):
        assert "BLACK_IMPORTED=False" in run.stderr, run.stderr
    assert cold[0].stdout == warm[0].stdout == warm[1].stdout
    assert len(cold[0].stdout) > 100_000


def test_format_cache_skips_black_on_a_repeated_run_and_changes_no_byte(tmp_path):
    """A block only black can lay out (here an over-long line with `**`, outside the ported split):
    the persistent format cache means the second dry-run neither imports nor calls black, and
    its patch is byte-identical to a run without the cache."""
    import os

    root, specs = tmp_path / "root", tmp_path / "specs"
    (root / "core").mkdir(parents=True)
    specs.mkdir()
    (root / "core" / "event_logger.py").write_text(
        "from enum import Enum\n\n\nclass EventType(str, Enum):\n    A = 'a'\n\n\n"
        "class EventLogger:\n    async def log_event(self, event_type, event_data, **context):\n        pass\n\n\n"
        "def get_event_logger() -> EventLogger | None:\n    return None\n")
    (root / "mod.py").write_text("import logging\n\nlogger = logging.getLogger(__name__)\n\n\n"
                                 "async def f(order_identifier, customer_reference):\n    logger.info('here')\n    return 1\n")
    (specs / "mod.yaml").write_text(
        "component: mod\nfile: mod.py\nphase: 1\nevents:\n  - id: e1\n    event: ORDER_NOTED\n    in: f\n"
        "    after_log: here\n    severity: INFO\n    payload:\n"
        "      note: order_identifier ** 2 + customer_reference ** 2 + order_identifier * customer_reference ** 3\n",
        encoding="utf-8")
    args = ["dry-run", "--root", str(root), "--specs", str(specs), "--jobs", "1"]
    env = {**os.environ, "EVENTMOD_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    runs = _probe_runs(tmp_path, env, args)
    uncached = _probe_runs(tmp_path, {**env, "EVENTMOD_NO_CACHE": "1"}, args, count=1)[0]
    assert "BLACK_IMPORTED=True" in runs[0].stderr, runs[0].stderr + runs[0].stdout
    assert "BLACK_IMPORTED=False" in runs[1].stderr
    assert runs[0].stdout == runs[1].stdout == uncached.stdout
    assert "customer_reference**3" in runs[0].stdout  # black's power hugging


def test_a_pooled_run_fills_the_caches_so_the_next_pooled_run_learns_nothing_again(synthetic_root, tmp_path, monkeypatch):
    """Worker processes save no cache themselves: each hands what it learned (a file's own
    style, black's answers) back with its result and the command's process saves it. So the
    second `--jobs 2` run walks no file for its style (the walk raises if it is asked for),
    and writes the same patch."""
    from eventmod.codegen import black_cache
    from eventmod.transform import house, runner

    monkeypatch.setattr(runner, "POOL_MIN_BYTES", 0)
    monkeypatch.setenv("EVENTMOD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EVENTMOD_NO_CACHE", raising=False)
    config, catalog = _setup(synthetic_root)
    black_cache.style_cache.cache_clear()
    black_cache.black_cache.cache_clear()
    try:
        first = run_diff(engine.plan_run(config, catalog, jobs=2))
        black_cache.style_cache().save()
        black_cache.black_cache().save()
        saved = {key: value for bucket in (tmp_path / "cache" / "style-v2").glob("*.json")
                 for key, value in json.loads(bucket.read_text(encoding="utf-8")).items()}
        files = {f.path for f in engine.plan_run(config, catalog, jobs=1).files}
        assert len(files) >= 5 and len(saved) >= len(files)

        black_cache.style_cache.cache_clear()  # a new run: the cache is read back from disk
        black_cache.black_cache.cache_clear()

        def no_walk(source, tree):
            raise AssertionError(f"{source.path} was walked for its style again")

        monkeypatch.setattr(house, "file_habits", no_walk)  # workers are forked: they see it too
        assert run_diff(engine.plan_run(config, catalog, jobs=2)) == first
    finally:
        black_cache.style_cache.cache_clear()
        black_cache.black_cache.cache_clear()


@pytest.mark.parametrize("where", ["fixture", "synthetic"])
def test_planning_leaves_no_reference_cycle_that_holds_a_syntax_tree(where, synthetic_root):
    """The runner pauses the cyclic collector while it plans a file (`runner.collector_paused`):
    that is sound only if reference counting frees each file's tree, i.e. no reference cycle
    (a recursive closure, a parent pointer) holds a node. A run planned with the collector off
    leaves no syntax-tree node for it to find."""
    import gc

    config, catalog = _setup(REPO if where == "fixture" else synthetic_root)
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        run = engine.plan_run(config, catalog, jobs=1)
        assert sum(f.changed for f in run.files) >= 5
        del run
        gc.collect()
        trees = collections.Counter(type(o).__name__ for o in gc.garbage if isinstance(o, ast.AST))
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert not trees, f"syntax-tree nodes left in reference cycles: {trees.most_common(5)}"


def test_a_command_start_makes_few_young_collections(tmp_path):
    """The console entry point raises the collector's young threshold: a command keeps nearly
    every object it makes while it imports and reads its specs, and the default threshold
    (700) would trace them dozens of times for little garbage."""
    repo = Path(__file__).resolve().parent.parent
    code = ("import gc, sys\n"
            "starts = []\n"
            "gc.callbacks.append(lambda phase, info: phase == 'start' and starts.append(info['generation']))\n"
            "sys.argv = ['eventmod', 'validate', '-q']\n"
            "from eventmod.cli.app import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(len(starts), gc.get_threshold()[0])\n")
    env = {**os.environ, "EVENTMOD_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, env=env, check=True).stdout
    collections_made, threshold = map(int, out.split())
    assert threshold == 50_000
    assert collections_made <= 10, out  # the default threshold makes about ninety here
