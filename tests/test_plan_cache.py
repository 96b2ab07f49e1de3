"""The plan cache (`transform.plan_cache`): a file planned before from exactly the same inputs
is given back without being parsed, and what it gives back is exactly the plan a run without
any cache makes. Every input of a plan is in its key (the file's bytes, its events, the
settings, black's version, eventmod's code), the file system questions a plan asked are asked
again, failures are never kept, and a damaged cache only costs time.

The rest of the suite runs with the plan cache off (tests/conftest.py): these tests turn it on.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import eventmod.transform.apply as engine
from eventmod.api import load_project, plan
from eventmod.model.spec import Selection
from eventmod.reports.diff import run_diff
from eventmod.transform import plan_cache as plan_cache_module
from eventmod.transform import runner
from eventmod.transform.plan_cache import PLAN_CACHE_VERSION, VARIANTS, plan_cache
from tests.conftest import copy_tree
from tests.golden_tool import cases
from tests.instrumented import Project

REPO = Path(__file__).resolve().parent.parent
CASES = cases()


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    """The plan cache on, in a directory of its own (the other caches too)."""
    where = tmp_path / "cache"
    monkeypatch.setenv("EVENTMOD_CACHE_DIR", str(where))
    monkeypatch.delenv("EVENTMOD_NO_PLAN_CACHE", raising=False)
    monkeypatch.delenv("EVENTMOD_NO_CACHE", raising=False)
    plan_cache.cache_clear()
    yield where
    plan_cache.cache_clear()


class Planned:
    """Counts the files a run really plans (parses and analyses), by path."""

    def __init__(self, monkeypatch):
        self.paths: list[str] = []
        original = engine._plan_loaded

        def counted(job, settings, loaded):
            self.paths.append(job.path)
            return original(job, settings, loaded)

        monkeypatch.setattr(engine, "_plan_loaded", counted)

    def take(self) -> list[str]:
        taken, self.paths = self.paths, []
        return taken


def uncached(run, monkeypatch):
    """`run()` with the plan cache off (what the plan must equal)."""
    monkeypatch.setenv("EVENTMOD_NO_PLAN_CACHE", "1")
    plan_cache.cache_clear()
    try:
        return run()
    finally:
        monkeypatch.delenv("EVENTMOD_NO_PLAN_CACHE")
        plan_cache.cache_clear()


def new_process():
    """What a new run sees: the plan cache read again from disk."""
    plan_cache.cache_clear()


# -- a project of its own ---------------------------------------------------------------------------
MODULE = '''\
import logging
from . import helpers

logger = logging.getLogger(__name__)


async def place(symbol, qty):
    logger.info("placing %s", symbol)
    if qty <= 0:
        raise ValueError("bad qty")
    return symbol


def cancel(order_id):
    logger.warning("cancel %s", order_id)
    return order_id
'''

SPEC = '''\
component: mod
file: app/mod.py
events:
  - id: placed
    event: ORDER_PLACED
    in: place
    after_log: "placing"
    payload: {symbol: symbol, qty: qty, limit: helpers.LIMIT}
    severity: INFO
  - id: cancelled
    event: ORDER_CANCELLED
    in: cancel
    at: start
    payload: {order_id: order_id}
    severity: WARNING
'''


def project_plan(project: Project, **overrides):
    loaded = load_project(project.cwd, root=project.root, specs=project.specs, **overrides)
    return plan(loaded, Selection(), jobs=1)


@pytest.fixture
def project(tmp_path) -> Project:
    # `from . import helpers` names a module only once app/helpers.py exists: the scope check
    # asks the file system (see test_a_module_that_appears_under_root_is_seen)
    return Project(tmp_path, MODULE, SPEC)


def test_a_second_run_plans_nothing_and_gives_the_same_plan(project, cache_dir, monkeypatch):
    expected = uncached(lambda: project_plan(project), monkeypatch)
    planned = Planned(monkeypatch)
    first = project_plan(project)
    assert sorted(planned.take()) == ["app/mod.py", "core/event_logger.py"]
    new_process()
    second = project_plan(project)
    assert planned.take() == []
    assert first == second == expected
    assert any(f.changed for f in second.files) and not second.errors()
    assert run_diff(second) == run_diff(expected)
    assert len(list((cache_dir / PLAN_CACHE_VERSION).glob("*.pickle"))) == 2


def test_a_hit_parses_no_target_file(project, cache_dir, monkeypatch):
    project_plan(project)
    new_process()
    parsed = []
    original = engine.load_bytes
    monkeypatch.setattr(engine, "load_bytes", lambda rel, raw: parsed.append(rel) or original(rel, raw))
    project_plan(project)
    assert parsed == []


def _edit_file(project: Project) -> None:
    project.module_path.write_text(MODULE.replace('        raise ValueError("bad qty")\n',
                                                  '        raise ValueError("bad qty")  # refused\n'))


def _edit_spec(project: Project) -> None:
    (project.specs / "mod.yaml").write_text(SPEC.replace("{order_id: order_id}", "{order_id: order_id, again: order_id}"))


def _teach_another_style(project: Project) -> None:
    # another file of the project shows the house style (single quotes, trailing commas): the
    # settings change; the target file and its specs stay as they were
    (project.root / "app" / "other.py").write_text(textwrap.dedent('''\
        from core.event_logger import EventType, get_event_logger


        async def started():
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(
                    EventType.BOT_STARTED,
                    {'where': 'other',},
                    severity='INFO',
                )
        '''))


@pytest.mark.parametrize("change", [_edit_file, _edit_spec, _teach_another_style], ids=["the file", "a spec", "the house style"])
def test_a_changed_input_is_planned_again(project, cache_dir, monkeypatch, change):
    first = project_plan(project)
    change(project)
    new_process()
    planned = Planned(monkeypatch)
    again = project_plan(project)
    assert "app/mod.py" in planned.take()
    assert again == uncached(lambda: project_plan(project), monkeypatch)
    assert run_diff(again) != run_diff(first)


def test_a_logger_module_change_that_keeps_its_contract_keeps_the_plans(project, cache_dir, monkeypatch):
    """A plan depends on what the run learns from the logger module (the contract, in the
    settings), not on its bytes."""
    first = project_plan(project)
    path = project.root / "core" / "event_logger.py"
    path.write_text(path.read_text() + "\n\nEXTRA = 1\n")
    new_process()
    planned = Planned(monkeypatch)
    again = project_plan(project)
    assert planned.take() == ["core/event_logger.py"]  # the enum file is a target: its bytes changed
    assert again == uncached(lambda: project_plan(project), monkeypatch)
    assert run_diff(again).split("diff --git a/core")[0] == run_diff(first).split("diff --git a/core")[0]


def test_other_settings_are_other_plans_and_both_are_kept(project, cache_dir, monkeypatch):
    planned = Planned(monkeypatch)
    warning, debug = project_plan(project), project_plan(project, failsafe_log_level="debug")
    assert planned.take().count("app/mod.py") == 2
    assert run_diff(warning) != run_diff(debug)
    new_process()
    assert (project_plan(project), project_plan(project, failsafe_log_level="debug")) == (warning, debug)
    assert planned.take() == []  # the entry keeps both variants
    others = [{"failsafe_log_level": "info"}, {"failsafe_log_level": "error"}, {"failsafe": False},
              {"failsafe": False, "emit": "background"}]
    assert len(others) >= VARIANTS
    for overrides in others:
        project_plan(project, **overrides)
    planned.take()
    new_process()
    project_plan(project)  # the oldest variant was let go
    assert planned.take().count("app/mod.py") == 1


def test_another_black_or_another_eventmod_plans_again(project, cache_dir, monkeypatch):
    project_plan(project)
    planned = Planned(monkeypatch)
    new_process()
    monkeypatch.setattr(plan_cache_module, "installed_version", lambda name: "0.0.0" if name == "black" else None)
    project_plan(project)
    assert "app/mod.py" in planned.take()
    monkeypatch.undo()
    planned = Planned(monkeypatch)
    new_process()
    monkeypatch.setattr(plan_cache_module, "code_fingerprint", lambda: "another eventmod")
    project_plan(project)
    assert "app/mod.py" in planned.take()


def test_a_module_that_appears_under_root_is_seen(project, cache_dir, monkeypatch):
    """`helpers.LIMIT` reads a value of an imported name; once app/helpers.py exists it reads a
    module's attribute, which the payload policy refuses. The file and the specs did not
    change: only the answer the scope check got from the file system did."""
    first = project_plan(project)
    assert not first.errors()
    (project.root / "app" / "helpers.py").write_text("LIMIT = 3\n")
    new_process()
    planned = Planned(monkeypatch)
    again = project_plan(project)
    assert "app/mod.py" in planned.take()
    assert again == uncached(lambda: project_plan(project), monkeypatch)
    assert any("helpers" in str(p) for p in again.errors()), again.errors()


def test_what_the_key_leaves_out_no_plan_reads(project, monkeypatch):
    """The key leaves out how many files the house style's scan read: a plan made with
    another count is the same plan."""
    from dataclasses import replace

    from eventmod.config import settings_for
    from eventmod.transform.runner import jobs_by_file

    loaded = load_project(project.cwd, root=project.root, specs=project.specs)
    settings = settings_for(loaded.config)
    job = next(j for j in jobs_by_file(loaded.catalog, Selection()) if j.path == "app/mod.py")
    plans = {scanned: engine.plan_file(job, replace(settings, house=replace(settings.house, scanned=scanned)))
             for scanned in (0, 3, 400)}
    assert plans[0] == plans[3] == plans[400] and plans[0].changed


def test_an_overlay_plan_is_the_overlays_and_the_disks_is_the_disks(project, cache_dir, monkeypatch):
    """Planned over in-memory bytes (`overlay`), a file's plan is keyed by those bytes: the
    same bytes on disk later hit it, other bytes on disk do not."""
    loaded = load_project(project.cwd, root=project.root, specs=project.specs)
    other = MODULE.replace("    return order_id\n", "    return str(order_id)\n").encode()
    over = plan(loaded, Selection(), overlay={"app/mod.py": other})
    assert over == uncached(lambda: plan(loaded, Selection(), overlay={"app/mod.py": other}), monkeypatch)
    new_process()
    planned = Planned(monkeypatch)
    disk = plan(loaded, Selection())
    assert "app/mod.py" in planned.take() and disk != over
    project.module_path.write_bytes(other)
    new_process()
    assert plan(loaded, Selection()).files == over.files
    assert planned.take() == []


def test_a_new_file_that_changes_no_input_keeps_the_plans(project, cache_dir, monkeypatch):
    """A new module under root is read by the house style's scan (the targets hold no block)
    but teaches it nothing: no plan is made again."""
    project_plan(project)
    (project.root / "app" / "unrelated.py").write_text("def helper():\n    return 1\n")
    new_process()
    planned = Planned(monkeypatch)
    project_plan(project)
    assert planned.take() == []


def test_a_failure_is_never_remembered(project, cache_dir, monkeypatch):
    (project.specs / "mod.yaml").write_text(SPEC.replace("at: start", "after_log: no such message"))
    planned = Planned(monkeypatch)
    for _ in range(2):
        new_process()
        result = project_plan(project)
        assert result.errors()
        assert "app/mod.py" in planned.take()


def test_a_damaged_or_foreign_entry_is_planned_again(project, cache_dir, monkeypatch):
    expected = project_plan(project)
    entries = sorted((cache_dir / PLAN_CACHE_VERSION).glob("*.pickle"))
    assert entries
    for damage in (b"not a pickle", pickle.dumps(["a", "list"]), pickle.dumps({"key": "not a plan"}), b""):
        for entry in entries:
            entry.write_bytes(damage)
        new_process()
        planned = Planned(monkeypatch)
        assert project_plan(project) == expected
        assert "app/mod.py" in planned.take()
        monkeypatch.undo()


def test_a_cache_that_cannot_be_written_only_costs_time(project, tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setenv("EVENTMOD_CACHE_DIR", str(blocked))  # a file: nothing can be made below it
    monkeypatch.delenv("EVENTMOD_NO_PLAN_CACHE", raising=False)
    plan_cache.cache_clear()
    try:
        assert project_plan(project) == uncached(lambda: project_plan(project), monkeypatch)
    finally:
        plan_cache.cache_clear()


# -- real inputs: the goldens, the catalog, a pooled run ---------------------------------------------
@pytest.mark.parametrize("side", ["input", "expected"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_golden_case_is_given_back_exactly(case, side, cache_dir, tmp_path, eventmod, monkeypatch):
    """Each golden case's input (blocks to insert) and expected output (every block present),
    as `dry-run` and `check` print them: without the cache, planned into it, then from it."""
    root = copy_tree(case / side, tmp_path / "root")

    def run() -> tuple[str, ...]:
        outputs = []
        for command in ("dry-run", "check"):
            result = eventmod(command, "--root", str(root), "--specs", str(case / "specs"), "--jobs", "1")
            outputs.append(f"{result.exit_code}\n{result.output}")
        return tuple(outputs)

    expected = uncached(run, monkeypatch)
    planned = Planned(monkeypatch)
    assert run() == expected
    assert planned.take()
    new_process()
    assert run() == expected
    assert planned.take() == []


def test_the_catalog_is_given_back_exactly(cache_dir, monkeypatch):
    from eventmod.config import load_config
    from eventmod.spec.catalog import load_catalog

    config = load_config(REPO)
    catalog, _ = load_catalog(config.specs, config.root)
    expected = uncached(lambda: engine.plan_run(config, catalog, jobs=1), monkeypatch)
    engine.plan_run(config, catalog, jobs=1)
    new_process()
    planned = Planned(monkeypatch)
    again = engine.plan_run(config, catalog, jobs=1)
    assert planned.take() == []
    assert again == expected
    assert sum(f.changed for f in again.files) >= 8
    # a selection's plans are other variants (other house style, other enum members): they
    # push none of the whole run's out
    chosen = catalog.components[0]
    selection = Selection(components=(chosen.component,))
    alone = engine.plan_run(config, catalog, selection, jobs=1)
    assert alone == uncached(lambda: engine.plan_run(config, catalog, selection, jobs=1), monkeypatch)
    planned.take()
    new_process()
    engine.plan_run(config, catalog, jobs=1)
    assert planned.take() == []


def test_a_pooled_run_fills_the_plan_cache_for_the_next_run(cache_dir, tmp_path, monkeypatch):
    """Workers write the entries of the files they plan: the next pooled run (and an in-process
    one) plans nothing; a worker that planned would raise (forked workers see the patch)."""
    from benchmarks.synthetic import generate
    from eventmod.config import load_config
    from eventmod.spec.catalog import load_catalog

    root = tmp_path / "synthetic"
    root.mkdir()
    generate(root, total_lines=6_000, files=12, target_files=4, events=24, seed=5)
    monkeypatch.setattr(runner, "POOL_MIN_BYTES", 0)
    config = load_config(root)
    catalog, _ = load_catalog(config.specs, config.root)
    first = engine.plan_run(config, catalog, jobs=2)
    assert not first.errors() and sum(f.changed for f in first.files) >= 4

    def no_planning(job, settings, loaded):
        raise AssertionError(f"{job.path} was planned again")

    monkeypatch.setattr(engine, "_plan_loaded", no_planning)
    new_process()
    assert run_diff(engine.plan_run(config, catalog, jobs=2)) == run_diff(first)
    assert engine.plan_run(config, catalog, jobs=1) == first


def test_the_key_is_the_same_in_every_process(tmp_path):
    """A key is made of the reprs of records, tuples and strings: no set, no id, nothing that
    depends on the hash seed (a key that moved would make every run plan again)."""
    script = textwrap.dedent(f"""
        from pathlib import Path
        from eventmod.config import load_config, settings_for
        from eventmod.spec.catalog import load_catalog
        from eventmod.transform.plan_cache import PlanCache
        from eventmod.transform.runner import jobs_by_file
        from eventmod.model.spec import Selection
        config = load_config(Path({str(REPO)!r}))
        catalog, _ = load_catalog(config.specs, config.root)
        settings = settings_for(config)
        cache = PlanCache(None, "fingerprint")
        for job in jobs_by_file(catalog, Selection()):
            print(cache.key(job, settings, (config.root / job.path).read_bytes()))
    """)
    keys = set()
    for seed in ("1", "2", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "EVENTMOD_NO_CACHE": "1"}
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=REPO, check=True)
        keys.add(out.stdout)
    assert len(keys) == 1 and len(next(iter(keys)).split()) >= 8


_MODULES_PROBE = (
    "import sys\n"
    "from eventmod.cli.app import app\n"
    "try:\n    app(sys.argv[1:])\n"
    "except SystemExit:\n    pass\n"
    "sys.stderr.write('IMPORTED=%s\\n' % ','.join(sorted(m for m in ('yaml', 'black', 'libcst', 'eventmod.spec.loader', "
    "'eventmod.transform.planner', 'eventmod.analysis.checks', 'eventmod.codegen.render') if m in sys.modules)))\n"
)


def test_a_repeated_run_reads_no_yaml_and_writes_the_same_patch(tmp_path):
    """The catalog, run twice with a fresh cache: the second run takes its specs and its plans
    from the cache, so it imports no YAML reader and none of the planning (the planner, the
    checks, the renderer; nor black, nor libcst), and its patch is byte-identical to the first
    run's and to a run without any cache."""
    env = {key: value for key, value in os.environ.items() if key not in ("EVENTMOD_NO_PLAN_CACHE", "EVENTMOD_NO_CACHE")}
    env.update({"EVENTMOD_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"})

    def run(extra: dict[str, str]) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", _MODULES_PROBE, "dry-run", "--jobs", "1"], cwd=REPO,
                              env={**env, **extra}, capture_output=True, text=True)

    cold, first, second = run({"EVENTMOD_NO_CACHE": "1"}), run({}), run({})
    planning = "eventmod.analysis.checks,eventmod.codegen.render,eventmod.spec.loader,eventmod.transform.planner,yaml"
    assert f"IMPORTED={planning}\n" in first.stderr, first.stderr
    assert "IMPORTED=\n" in second.stderr, second.stderr
    assert cold.stdout == first.stdout == second.stdout and len(cold.stdout) > 100_000


def test_the_cache_keeps_the_most_recently_used_entries(project, cache_dir, monkeypatch):
    """Past `MAX_ENTRIES`, a process lets the least recently used entries go when it writes its
    first one (an entry used by a hit is recent again)."""
    import time

    monkeypatch.setattr(plan_cache_module, "MAX_ENTRIES", 3)
    plans = cache_dir / PLAN_CACHE_VERSION
    plans.mkdir(parents=True)
    old = time.time() - 3600
    for n in range(4):
        stale = plans / f"{n:064x}.pickle"
        stale.write_bytes(pickle.dumps({}))
        os.utime(stale, (old + n, old + n))
    project_plan(project)  # its first entry makes five: the two oldest go; then its second entry
    left = sorted(p.name for p in plans.glob("*.pickle"))
    assert len(left) == 4 and {f"{n:064x}.pickle" for n in (2, 3)} <= set(left), left
    assert not list(plans.glob(".*.tmp"))  # no temporary file is left behind
    new_process()
    planned = Planned(monkeypatch)
    project_plan(project)
    assert planned.take() == []  # the run's own two entries were kept


def test_a_project_in_a_temporary_directory_keeps_no_plan(cache_dir, tmp_path):
    """`eventmod.testing.transform` builds its project in a temporary directory no later run
    sees: its plans are not kept (they would only push real projects' plans out). With a
    `root` of the caller's, kept afterwards, they are."""
    from eventmod.testing import transform

    before = "async def place(symbol):\n    return symbol\n"
    spec = {"event": "ORDER_PLACED", "in": "place", "at": "start", "payload": {"symbol": "symbol"}}
    result = transform(before, spec, dedent=False)
    assert not result.errors and result.text != before
    assert not list((cache_dir / PLAN_CACHE_VERSION).glob("*.pickle"))
    kept = transform(before, spec, dedent=False, root=tmp_path / "kept")
    assert kept.text == result.text
    assert list((cache_dir / PLAN_CACHE_VERSION).glob("*.pickle"))


# -- any sequence of runs ----------------------------------------------------------------------------
def _variants(base: str, *changes: tuple[str, str]) -> tuple[str, ...]:
    """`base`, then `base` with each (old, new) replacement made."""
    for old, _ in changes:
        assert old in base, old
    return (base, *(base.replace(old, new) for old, new in changes))


_FILES = _variants(
    MODULE,
    ('    logger.info("placing %s", symbol)\n', '    logger.info("placing %s", symbol)\n    qty = int(qty)\n'),
    ("def cancel(order_id):\n", "def cancel(order_id, reason=None):\n"),
    ("from . import helpers\n", "from . import helpers\nimport json\n"),
    ("\n\nasync def place", "\n\nLIMIT = 3\n\n\nasync def place"),
)
_SPECS = _variants(
    SPEC,
    ("{order_id: order_id}", "{order_id: order_id, kind: \"'cancel'\"}"),
    ("at: start", "at: end"),
    ("severity: WARNING", "severity: ERROR"),
    ('after_log: "placing"', "at: start"),
)
_CONFIGS = ({}, {"failsafe": False}, {"failsafe_log_level": "error"}, {"emit": "background"})


def test_any_sequence_of_runs_gives_what_a_run_without_the_cache_gives(project, cache_dir, monkeypatch):
    """Runs over a file, its spec and the settings each drawn from a few variants, in any
    order, with the plan cache on: every run's plan is the one a run without the cache makes,
    whether it was planned or taken from the cache (both happen)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    planned = Planned(monkeypatch)
    seen = {"hits": 0, "plans": 0}

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(st.sampled_from(range(len(_FILES))), st.sampled_from(range(len(_SPECS))),
                              st.sampled_from(range(len(_CONFIGS)))), min_size=2, max_size=5))
    def runs(sequence):
        for file, spec, config in sequence:
            project.module_path.write_text(_FILES[file])
            (project.specs / "mod.yaml").write_text(_SPECS[spec])
            new_process()
            got = project_plan(project, **_CONFIGS[config])
            if "app/mod.py" in planned.take():
                seen["plans"] += 1
            else:
                seen["hits"] += 1
            assert got == uncached(lambda: project_plan(project, **_CONFIGS[config]), monkeypatch)
            planned.take()  # the uncached run's own planning

    runs()
    assert seen["hits"] and seen["plans"], seen


def test_an_entry_that_cannot_be_put_in_place_leaves_no_temporary_file(project, cache_dir, monkeypatch):
    real_replace = os.replace

    def failing(src, dst, **kwargs):
        if Path(dst).is_relative_to(cache_dir):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", failing)
    assert project_plan(project) == uncached(lambda: project_plan(project), monkeypatch)
    monkeypatch.setattr(os, "replace", real_replace)
    plans = cache_dir / PLAN_CACHE_VERSION
    assert plans.is_dir() and not list(plans.iterdir())  # neither an entry nor a temporary file
