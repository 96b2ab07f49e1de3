"""Work shared across the events of a file, counted (never timed): what is computed once per
function or per distinct spec expression must give what the per-event computation gave."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import pytest

from eventmod.analysis import checks
from eventmod.pyast.walk import statements_breadth_first
from eventmod.spec.policy import Binding, name_uses, site_violation, uses_violation

STDLIB = Path(sysconfig.get_paths()["stdlib"])
SAMPLES = ["asyncio/base_events.py", "argparse.py", "json/decoder.py", "email/_header_value_parser.py",
           "concurrent/futures/process.py", "unittest/case.py", "tarfile.py", "pydoc.py"]


def _statements(nodes) -> list[ast.AST]:
    return [n for n in nodes if isinstance(n, (ast.stmt, ast.excepthandler, ast.match_case))]


@pytest.mark.parametrize("rel", SAMPLES)
def test_statements_breadth_first_keeps_ast_walks_order(rel):
    path = STDLIB / rel
    if not path.exists():
        pytest.skip(f"{rel} not in this Python's stdlib")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert _statements(statements_breadth_first(tree)) == _statements(ast.walk(tree))
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    assert functions
    for function in functions:
        assert _statements(statements_breadth_first(function)) == _statements(ast.walk(function))


def test_statements_breadth_first_enters_handlers_cases_and_nested_scopes():
    tree = ast.parse(
        "def f(x):\n"
        "    try:\n        a = g()\n    except E as e:\n        b = h()\n    else:\n        c = i()\n    finally:\n        d = j()\n"
        "    match x:\n        case 1:\n            m = k()\n        case _:\n            n = l()\n"
        "    def inner():\n        z = q()\n"
        "    lam = lambda: [w for w in y]\n"
    )
    assigned = [t.id for n in statements_breadth_first(tree) if isinstance(n, ast.Assign) for t in n.targets]
    walked = [t.id for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in n.targets]
    assert assigned == walked
    assert set(assigned) == {"a", "b", "c", "d", "m", "n", "z", "lam"}


def test_call_assignments_first_binding_wins_like_a_full_walk():
    source = "def f():\n    if c:\n        x = now()\n    x = later()\n    y = 1\n"
    function = ast.parse(source).body[0]
    found = checks.ModuleScope.of(ast.parse(source)).call_assignments(function)
    assert found["x"].value.func.id == "later"  # shallower first, as ast.walk finds it
    assert "y" not in found


def test_expression_facts_are_computed_once_per_distinct_text(monkeypatch):
    calls: list[str] = []
    original = checks.parse_source

    def counting(text, mode):
        calls.append(text)
        return original(text, mode)

    monkeypatch.setattr(checks, "parse_source", counting)
    checks.expression_facts.cache_clear()
    try:
        for _ in range(5):
            facts = checks.expression_facts("str(order.id) + json.dumps(x)", "eval")
            checks.expression_facts("a, b = f(x)", "exec")
        assert calls == ["str(order.id) + json.dumps(x)", "a, b = f(x)"]
        assert facts.used == ("str", "order", "json", "x")
        assert checks.expression_facts("a, b = f(x)", "exec").binds == frozenset({"a", "b"})
    finally:
        checks.expression_facts.cache_clear()


BINDINGS = {
    "os": Binding("module", "os", 1), "json": Binding("module", "json", 2), "datetime": Binding("module", "datetime", 3),
    "len": Binding("builtin"), "eval": Binding("builtin"), "open": Binding("builtin"),
    "helper": Binding("function", "", 4), "value": Binding("value", "", 5), "loads": Binding("import", "json.loads", 6),
    "run": Binding("import", "subprocess.run", 7), "rel": Binding("import", ".util", 8),
}
# (expression, what the site policy says with BINDINGS: None, or a piece of the refusal)
VERDICTS = [
    ("os.system('x')", "`os.system(...)` reaches through the module `os` (imported at line 1)"),
    ("os.path.join(a, b)", "`os.path.join(...)` reaches through the module `os`"),
    ("os.environ", "`os.environ` reaches through the module `os`"),
    ("(os).getcwd()", "`os.getcwd(...)` reaches through the module `os`"),
    ("json", "`json` reaches through the module `json` (imported at line 2)"),
    ("json.dumps(value)", None),
    ("datetime.datetime.now().isoformat()", None),
    ("{k: os.sep for k in value}", None),
    ("len(value)", None),
    ("[len(v) for v in value]", None),
    ("eval", "call to eval is not allowed"),
    ("open('f')", "call to open is not allowed"),
    ("helper(value)", "calling helper(), a function of the target file (line 4)"),
    ("value()", "calling value(), a value of the target code (line 5)"),
    ("value.attr()", None),
    ("loads(value)", "calling loads(), imported from json at line 6"),
    ("run(['ls'])", "calling run(), imported from subprocess at line 7"),
    ("rel(value)", "calling rel(), imported from . at line 8"),
    ("unknown(value)", None),  # the scope check reports it
    ("[os for os in value]", None),  # a comprehension's own name is no module
]


@pytest.mark.parametrize("text,expected", VERDICTS)
def test_name_uses_judged_per_site_give_the_policys_verdict(text, expected):
    uses = name_uses(ast.parse(text, mode="eval"))
    verdict = uses_violation(uses, BINDINGS.get)
    if expected is None:
        assert verdict is None
    else:
        assert verdict is not None and expected in verdict
    assert uses_violation(uses, {}.get) is None  # nothing bound: nothing for the policy to judge
    assert site_violation(ast.parse(text, mode="eval"), BINDINGS.get) == verdict


# -- what a run remembers between runs, keyed by content -------------------------------------------
def test_a_files_own_style_is_walked_for_once_and_then_read_from_the_style_cache(tmp_path, monkeypatch):
    from eventmod.codegen.black_cache import style_cache
    from eventmod.pyast.source import SourceFile
    from eventmod.transform import house

    monkeypatch.setenv("EVENTMOD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EVENTMOD_NO_CACHE", raising=False)
    walks = []
    original = house.file_habits

    def counting(source, tree):
        walks.append(source.path)
        return original(source, tree)

    monkeypatch.setattr(house, "file_habits", counting)
    texts = {"single.py": "x = {'a': 'b', 'c': 'd'}\ny = \"e\"\n\n#bare\n#comments\n",
             "double.py": "x = {\"a\": \"b\"}\ny = 'c'\nlog.info('m')\n"}
    try:
        for _ in range(2):  # the second round is a new run: the cache is read back from disk
            style_cache.cache_clear()
            for name, text in texts.items():
                source = SourceFile.decode(name, text.encode())
                tree = ast.parse(text)
                assert house.cached_file_habits(source, tree) == original(source, tree)
            style_cache().save()
        assert walks == ["single.py", "double.py"]
        single = house.cached_file_habits(SourceFile.decode("single.py", texts["single.py"].encode()), ast.parse(texts["single.py"]))
        assert (single.dominant_quote, single.data_single, single.comment) == ("'", 2, "#")
        changed = SourceFile.decode("single.py", b"x = \"a\"\n")  # another content: walked again
        assert house.cached_file_habits(changed, ast.parse("x = \"a\"\n")).dominant_quote == '"'
        assert walks[-1] == "single.py" and len(walks) == 3
        # a damaged entry (wrong types, unknown fields, not JSON) is walked again, never trusted
        for damaged in ('{"all_single": "9"}', '{"nonsense": 1}', "not json", '{"comment": 3}'):
            assert house._file_habits_from_json(damaged) is None
    finally:
        style_cache.cache_clear()


@pytest.mark.parametrize("distribution", ["black", "PyYAML", "typer", "hypothesis", "no-such-distribution-here"])
def test_installed_version_reads_what_importlib_metadata_reports(distribution):
    from importlib import metadata

    from eventmod.codegen.black_cache import installed_version

    try:
        expected = metadata.version(distribution)
    except metadata.PackageNotFoundError:
        expected = None
    assert installed_version(distribution) == expected


def test_the_pipeline_imports_neither_importlib_metadata_nor_a_process_pool(tmp_path):
    """The black cache's version comes off the dist-info; the pool is imported by large runs only."""
    import subprocess
    import sys

    code = ("import sys; import eventmod.api, eventmod.transform.apply, eventmod.transform.planner; "
            "from eventmod.codegen.black_cache import black_cache; cache = black_cache(); "
            "print(cache.path is not None, 'importlib.metadata' in sys.modules, 'concurrent.futures' in sys.modules)")
    env = {"EVENTMOD_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout.split()
    assert out == ["True", "False", "False"]


# -- one analysis per function, whatever its number of events -------------------------------------
SHARED_MODULE = '''import logging

logger = logging.getLogger(__name__)


async def first(symbol, qty):
    total = qty * 2
    logger.info("one")
    logger.info("two")
    logger.info("three")
    logger.info("four")
    return total


async def second(order):
    price = order.price
    logger.info("five")
    logger.info("six")
    return price
'''


def test_flow_scope_and_assignment_index_run_once_per_function(tmp_path, eventmod, monkeypatch):
    from tests.test_checks import event, project

    events = "".join(event(f"after_log: {needle}", "{symbol: symbol, total: total}" if fn == "first" else "{price: price}",
                           function=fn, eid=f"e{i}", name=f"EVENT_{i}")
                     for i, (fn, needle) in enumerate([("first", "one"), ("first", "two"), ("first", "three"), ("first", "four"),
                                                       ("second", "five"), ("second", "six")]))
    tmp = project(tmp_path, events, module=SHARED_MODULE)
    counts: dict[str, list[str]] = {"flow": [], "scope": [], "assignments": []}

    def counting(key, original):
        def wrapped(node, *args, **kwargs):
            counts[key].append(getattr(node, "name", "<module>"))
            return original(node, *args, **kwargs)
        return wrapped

    monkeypatch.setattr(checks, "function_flow", counting("flow", checks.function_flow))
    monkeypatch.setattr(checks, "scope_facts", counting("scope", checks.scope_facts))
    monkeypatch.setattr(checks, "statements_breadth_first", counting("assignments", checks.statements_breadth_first))
    result = eventmod("dry-run", "--root", str(tmp / "root"), "--specs", str(tmp / "specs"), "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "6 event(s) to insert" in result.output
    assert sorted(counts["flow"]) == ["first", "second"]
    assert sorted(n for n in counts["scope"] if n != "<module>") == ["first", "second"]
    assert sorted(counts["assignments"]) == ["first", "second"]


TEAM_BLOCK = '''from core.event_logger import EventType, get_event_logger


async def opened(symbol):
    event_logger = get_event_logger()
    if event_logger:
        await event_logger.log_event(
            EventType.BOT_STARTED,
            {{{quote}symbol{quote}: symbol}},
            severity={quote}INFO{quote},
        )
'''


def test_a_repeated_scan_reads_no_file_outside_the_selection(tmp_path, monkeypatch):
    """The bounded scan (the selection holds no block) remembers what it learned with the size
    and mtime of each file it looked at: the next run stats them and reads none; a changed,
    added or removed file makes it scan again."""
    from eventmod.codegen.black_cache import style_cache
    from eventmod.model.settings import Settings
    from eventmod.transform import house

    root = tmp_path / "root"
    (root / "app").mkdir(parents=True)
    (root / "app" / "mod.py").write_text("def target():\n    pass\n")
    (root / "app" / "team.py").write_text(TEAM_BLOCK.format(quote="'"))
    (root / "app" / "other.py").write_text("x = 1\n")
    monkeypatch.setenv("EVENTMOD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EVENTMOD_NO_CACHE", raising=False)
    reads: list[str] = []
    original = Path.read_bytes

    def recording(path):
        reads.append(path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path))
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", recording)
    settings = Settings(root=str(root))

    def learn():
        style_cache.cache_clear()  # each round is a new run: the cache is read back from disk
        reads.clear()
        learned = house.learn_house_style(settings, ["app/mod.py"])
        style_cache().save()
        return learned

    try:
        first = learn()
        assert first.files == ("app/team.py",) and first.habits.blocks == 1 and first.habits.single == 2
        assert "app/team.py" in reads and "app/other.py" in reads
        again = learn()
        assert again == first
        assert reads == ["app/mod.py"]  # the selection's own file only
        (root / "app" / "team.py").write_text(TEAM_BLOCK.format(quote='"') + "\n")  # changed (size)
        changed = learn()
        assert "app/team.py" in reads and (changed.habits.single, changed.habits.double) == (0, 2)
        (root / "app" / "new.py").write_text("y = 2\n")  # a new candidate: scanned again
        learn()
        assert "app/new.py" in reads
        learn()
        assert reads == ["app/mod.py"]
        (root / "app" / "other.py").unlink()  # a file gone: scanned again
        learn()
        assert "app/team.py" in reads
    finally:
        style_cache.cache_clear()


def test_the_statements_child_blocks_skips_own_no_block():
    """`child_blocks` returns at once for simple statements: none of them has a field that
    could hold a block, on this Python."""
    from eventmod.pyast import walk

    for kind in walk.SIMPLE_STATEMENTS:
        assert not {"body", "handlers", "cases", "orelse", "finalbody"} & set(kind._fields), kind


# -- fast scans give the answer of the loops they replace -----------------------------------------
from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402

_INDENT_ALPHABET = [" ", "  ", "    ", "\t", "#", "x", "\n", "\n", "\n", "\r\n", "\r", "\x0c", "\xa0", "\u2003", "é"]


@hsettings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_INDENT_ALPHABET), max_size=60))
def test_the_indent_unit_scan_equals_the_line_loop(pieces):
    from eventmod.pyast.source import detect_indent_unit, indent_unit_of, split_lines

    text = "".join(pieces)
    assert indent_unit_of(text) == detect_indent_unit(split_lines(text))


@pytest.mark.parametrize("text, unit", [
    ("def f():\n  x = 1\n  if x:\n    y = 2\n", "  "),
    ("def f():\n\tx = 1\n", "\t"),
    ("# only\n#  comments\n", "    "),
    ("class A:\n    def f(self):\n        pass\n\n\n    # comment\n", "    "),
    ("def f():\r\n   x = 1\r\n", "   "),  # CRLF line ends take the scan too
    ("def f():\x0c\n  x = 1\n", "  "),  # a form feed: the line loop decides
])
def test_the_indent_unit_of_typical_files(text, unit):
    from eventmod.pyast.source import indent_unit_of

    assert indent_unit_of(text) == unit


# -- what spec files read as, remembered between runs ----------------------------------------------
_SPEC = """component: worker
file: app/worker.py
events:
  - id: job_done
    event: JOB_DONE
    in: run
    after_log: "job done"
    severity: INFO
    payload: {job_id: job_id}
"""


_WORKER = "import logging\nlogger = logging.getLogger(__name__)\n\n\nasync def run(job_id):\n    logger.info(\"job done\")\n    return job_id\n"


def _spec_project(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "root"
    (root / "app").mkdir(parents=True)
    (root / "app" / "worker.py").write_text(_WORKER, encoding="utf-8")
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "worker.yaml").write_text(_SPEC, encoding="utf-8")
    return root, specs


def _fresh_cache(tmp_path: Path, monkeypatch, fingerprint: str = "code-1"):
    from eventmod.io import spec_cache

    monkeypatch.delenv("EVENTMOD_NO_CACHE", raising=False)
    return spec_cache.SpecCache(tmp_path / "cache" / "specs", fingerprint)


def test_a_spec_read_once_is_not_read_again_while_its_bytes_and_eventmod_stay_the_same(tmp_path, monkeypatch):
    import yaml

    from eventmod.spec.catalog import load_catalog

    root, specs = _spec_project(tmp_path)
    first = _fresh_cache(tmp_path, monkeypatch)
    catalog, problems = load_catalog(specs, root, first)
    assert not problems and len(catalog.events()) == 1
    first.save()
    uncached, _ = load_catalog(specs, root)

    def no_yaml(*args, **kwargs):
        raise AssertionError("the spec was read again")

    with monkeypatch.context() as patched:
        patched.setattr(yaml, "compose", no_yaml)
        again, problems = load_catalog(specs, root, _fresh_cache(tmp_path, monkeypatch))  # a new run, from disk
    assert not problems and again == catalog == uncached

    # other bytes, or another eventmod: read again, and the answer is the new one
    (specs / "worker.yaml").write_text(_SPEC.replace("JOB_DONE", "JOB_FINISHED"), encoding="utf-8")
    changed, _ = load_catalog(specs, root, _fresh_cache(tmp_path, monkeypatch))
    assert changed.events()[0].event == "JOB_FINISHED"
    with monkeypatch.context() as patched:
        patched.setattr(yaml, "compose", no_yaml)
        with pytest.raises(AssertionError, match="read again"):
            load_catalog(specs, root, _fresh_cache(tmp_path, monkeypatch, fingerprint="code-2"))


def test_a_remembered_spec_whose_target_is_gone_reports_it_and_a_spec_with_problems_is_never_kept(tmp_path, monkeypatch):
    from eventmod.spec.catalog import load_catalog

    root, specs = _spec_project(tmp_path)
    cache = _fresh_cache(tmp_path, monkeypatch)
    load_catalog(specs, root, cache)
    cache.save()
    (root / "app" / "worker.py").unlink()
    catalog, problems = load_catalog(specs, root, _fresh_cache(tmp_path, monkeypatch))
    assert not catalog.components and any("not found under root" in p.message for p in problems)

    (root / "app" / "worker.py").write_text(_WORKER, encoding="utf-8")
    (specs / "worker.yaml").write_text(_SPEC.replace("payload: {job_id: job_id}", "payload: {job_id: job_id}\n    nonsense: 1"),
                                       encoding="utf-8")
    bad = _fresh_cache(tmp_path, monkeypatch)
    _, problems = load_catalog(specs, root, bad)
    assert problems
    assert bad.get((specs / "worker.yaml").read_bytes(), str(specs / "worker.yaml")) is None
    assert not bad._new  # nothing new to save


def test_a_damaged_spec_cache_file_is_read_as_empty(tmp_path, monkeypatch):
    from eventmod.spec.catalog import load_catalog

    root, specs = _spec_project(tmp_path)
    cache = _fresh_cache(tmp_path, monkeypatch)
    load_catalog(specs, root, cache)
    cache.save()
    [entry] = list((tmp_path / "cache" / "specs").glob("*.pickle"))
    for damaged in (b"", b"not a pickle", b"\x80\x04K\x01."):  # the last: a pickled int, not a spec
        entry.write_bytes(damaged)
        catalog, problems = load_catalog(specs, root, _fresh_cache(tmp_path, monkeypatch))
        assert not problems and len(catalog.events()) == 1


def test_the_spec_cache_keeps_the_most_recently_used_entries(tmp_path, monkeypatch):
    import os

    from eventmod.io import spec_cache
    from eventmod.spec.catalog import load_catalog

    monkeypatch.setattr(spec_cache, "MAX_ENTRIES", 3)
    cache = _fresh_cache(tmp_path, monkeypatch)
    root, specs = _spec_project(tmp_path)
    catalog, _ = load_catalog(specs, root, cache)
    component = catalog.components[0]
    shown = component.spec_file
    for n in range(3):
        cache.put(f"spec {n}".encode(), shown, component)
    cache.save()  # the project's own spec and three more: the least recently written one goes
    directory = tmp_path / "cache" / "specs"
    assert len(list(directory.glob("*.pickle"))) == 3

    def entry(n: int) -> Path:
        return directory / f"{cache._key(f'spec {n}'.encode(), shown)}.pickle"

    for age, n in enumerate((0, 1, 2), start=1):  # spec 0 the oldest
        os.utime(entry(n), ns=(age, age))
    assert cache.get(b"spec 0", shown) == component  # read: now the most recently used
    cache.put(b"spec 3", shown, component)
    cache.save()
    assert entry(0).exists() and not entry(1).exists() and entry(2).exists() and entry(3).exists()


def test_no_spec_cache_under_eventmod_no_cache(tmp_path, monkeypatch):
    from eventmod.io import spec_cache

    monkeypatch.setenv("EVENTMOD_NO_CACHE", "1")
    spec_cache.spec_cache.cache_clear()
    try:
        assert spec_cache.spec_cache().path is None
    finally:
        spec_cache.spec_cache.cache_clear()


def test_the_code_fingerprint_changes_when_a_module_of_eventmod_changes(tmp_path, monkeypatch):
    import shutil

    from eventmod.codegen import black_cache

    package = Path(black_cache.__file__).resolve().parent.parent
    copy = tmp_path / "eventmod"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(black_cache, "__file__", str(copy / "codegen" / "black_cache.py"))
    black_cache.code_fingerprint.cache_clear()
    try:
        before = black_cache.code_fingerprint()
        black_cache.code_fingerprint.cache_clear()
        assert black_cache.code_fingerprint() == before
        target = copy / "transform" / "verify.py"
        target.write_text(target.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
        black_cache.code_fingerprint.cache_clear()
        assert black_cache.code_fingerprint() != before
    finally:
        black_cache.code_fingerprint.cache_clear()


# -- safe mode's proof, remembered for exactly the same input and output ---------------------------
def _fixture_plan(emit: str | None = None):
    from eventmod.config import load_config
    from eventmod.reports.diff import run_diff
    from eventmod.spec.catalog import load_catalog
    from eventmod.transform.apply import plan_run

    repo = Path(__file__).resolve().parent.parent
    config = load_config(repo, **({"emit": emit} if emit else {}))
    catalog, _ = load_catalog(config.specs, config.root)
    run = plan_run(config, catalog)
    return run, run_diff(run)


def test_safe_modes_proof_is_remembered_only_for_the_same_input_and_output_and_never_a_failure(tmp_path, monkeypatch):
    from eventmod.codegen.black_cache import style_cache
    from eventmod.transform import planner

    monkeypatch.setenv("EVENTMOD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EVENTMOD_NO_CACHE", raising=False)
    real = planner.verify_only_insertions
    calls: list[str] = []

    def counting(old_text, new_text, *args, **kwargs):
        calls.append(new_text)
        return real(old_text, new_text, *args, **kwargs)

    style_cache.cache_clear()
    try:
        monkeypatch.setattr(planner, "verify_only_insertions", counting)
        first, patch = _fixture_plan()
        proved = len(calls)
        assert proved >= 5 and not first.errors()
        style_cache().save()
        style_cache.cache_clear()  # a new run, the cache read back from disk
        again, same = _fixture_plan()
        assert len(calls) == proved and same == patch  # nothing proved again, the same patch
        _fixture_plan(emit="background")  # another output: proved again
        assert len(calls) > proved

        # a failed proof is reported, and not remembered: the next run checks again and fails again
        style_cache.cache_clear()
        monkeypatch.setenv("EVENTMOD_CACHE_DIR", str(tmp_path / "other-cache"))
        monkeypatch.setattr(planner, "verify_only_insertions", lambda *a, **k: "a line changed")
        for _ in range(2):
            failed, _ = _fixture_plan()
            assert any("safe mode found" in p.message for p in failed.errors())
            style_cache().save()
            style_cache.cache_clear()
    finally:
        style_cache.cache_clear()


def test_without_caches_safe_mode_proves_every_file_and_makes_no_key(monkeypatch):
    """Under EVENTMOD_NO_CACHE nothing can be remembered, so the proof's key (eventmod's code
    fingerprint, hashes of both texts) is not even made; every file is still proved, and the
    patch is the one a run with caches writes."""
    from eventmod.codegen.black_cache import style_cache
    from eventmod.transform import planner

    _, with_caches = _fixture_plan()
    monkeypatch.setenv("EVENTMOD_NO_CACHE", "1")
    real = planner.verify_only_insertions
    calls: list[str] = []

    def counting(old_text, new_text, *args, **kwargs):
        calls.append(new_text)
        return real(old_text, new_text, *args, **kwargs)

    def no_key(*parts):
        raise AssertionError("a cache key was made without caches")

    style_cache.cache_clear()
    try:
        monkeypatch.setattr(planner, "verify_only_insertions", counting)
        monkeypatch.setattr(planner, "key_of", no_key)
        run, patch = _fixture_plan()
        assert not run.errors() and patch == with_caches
        assert len(calls) >= 5
    finally:
        style_cache.cache_clear()


def test_loading_a_configuration_parses_each_pyproject_text_once(tmp_path, monkeypatch):
    """eventmod's table, black's, isort's and ruff's all come from the same pyproject.toml: it is
    read for each, parsed once; a caller changing what it got does not change what the next gets."""
    import tomllib

    from eventmod import config as config_module

    (tmp_path / "pyproject.toml").write_text(
        '[tool.eventmod]\nroot = "."\nspecs = "specs"\n\n[tool.black]\nline-length = 88\n\n[tool.isort]\nprofile = "black"\n',
        encoding="utf-8")
    config_module._parsed_toml.cache_clear()
    parsed: list[str] = []
    real = tomllib.loads
    monkeypatch.setattr(config_module.tomllib, "loads", lambda text: parsed.append(text) or real(text))
    config_module.load_config(tmp_path)
    assert len(parsed) == 1
    first = config_module.read_toml(tmp_path / "pyproject.toml")
    first["tool"]["black"]["line-length"] = 1
    assert config_module.read_toml(tmp_path / "pyproject.toml")["tool"]["black"]["line-length"] == 88
    assert len(parsed) == 1


def test_a_functions_bindings_are_read_once_however_many_present_blocks_it_holds(tmp_path, eventmod, monkeypatch):
    """`check` after `apply`: every block is present, and what makes a present block fail (its
    getter or enum name bound nowhere) reads the names its function binds, once a function."""
    from eventmod.transform import planner as apply_module
    from tests.test_checks import event, project

    events = "".join(event(f"after_log: {needle}", "{symbol: symbol}" if fn == "first" else "{price: price}",
                           function=fn, eid=f"e{i}", name=f"EVENT_{i}")
                     for i, (fn, needle) in enumerate([("first", "one"), ("first", "two"), ("first", "three"), ("first", "four"),
                                                       ("second", "five"), ("second", "six")]))
    tmp = project(tmp_path, events, module=SHARED_MODULE)
    where = ("--root", str(tmp / "root"), "--specs", str(tmp / "specs"), "--jobs", "1")
    assert eventmod("apply", "--allow-dirty", *where).exit_code == 0
    read: list[str] = []
    original = apply_module.bindings

    def counting(scope, *args, **kwargs):
        read.append(getattr(scope, "name", type(scope).__name__))
        return original(scope, *args, **kwargs)

    monkeypatch.setattr(apply_module, "bindings", counting)
    result = eventmod("check", *where)
    assert result.exit_code == 0, result.output
    assert "6 present" in result.output
    assert sorted(n for n in read if n in ("first", "second")) == ["first", "second"]


def test_the_statement_path_of_bindings_finds_what_the_full_walk_finds():
    """`bindings(scope, text)` reads a scope without `:=` statement by statement instead of
    walking every node: the same names, for every function and class of the fixture and of
    scopes that bind in every way a statement can."""
    from eventmod.pyast.bindings import _bindings_walk, bindings

    sources = [p.read_text(encoding="utf-8") for p in sorted((Path(__file__).resolve().parents[1] / "fixtures").rglob("*.py"))]
    sources.append(
        "def f(a, /, b=1, *c, d, **e):\n"
        "    x = y = 1\n    (p, [q, *r]) = s\n    t += 1\n    u: int = 2\n    v: int\n"
        "    for i, j in k:\n        pass\n    else:\n        w = 1\n"
        "    with m() as (n, o), z() as zz:\n        del zz\n"
        "    try:\n        pass\n    except E as err:\n        pass\n"
        "    import a.b, c as cc\n    from m import g as gg, h\n"
        "    def inner(q=1): lost = 1\n    class K: lost2 = 1\n"
        "    match s:\n        case {'k': kk, **rest}: pass\n        case [aa, *bb]: pass\n        case C(x=cc2) as whole: pass\n"
        "    while True:\n        if s:\n            deep = 1\n        break\n"
        "    [comp for comp in s]\n    global gl\n    nonlocal_like = lambda lam: lam\n"
    )
    checked = 0
    for text in sources:
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                own = "".join(text.splitlines(keepends=True)[node.lineno - 1: node.end_lineno])
                if ":=" in own:
                    continue
                assert set(bindings(node, own)) == set(_bindings_walk(node)), node.name
                checked += 1
    assert checked > 50


@pytest.mark.parametrize("markers", [("log_event",), ("info", "warning"), ("get",), ("nothing_has_this",)])
def test_the_marked_walk_finds_every_call_the_full_walk_finds_in_the_same_order(markers):
    """`walk_marked` skips the statements whose lines hold no marker: every call of a marked
    name that `ast.walk` finds, it finds too, in `ast.walk`'s order."""
    from eventmod.pyast.walk import walk_marked

    def named(node):
        func = getattr(node, "func", None)
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        return isinstance(node, ast.Call) and any(m in name for m in markers)

    files = sorted((Path(__file__).resolve().parents[1] / "fixtures").rglob("*.py"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        lines = text.splitlines(keepends=True)
        everything = list(ast.walk(tree))
        marked = list(walk_marked(tree, lines, markers))
        assert [n for n in marked if named(n)] == [n for n in everything if named(n)], path
        located = [n for n in everything if isinstance(n, (ast.stmt, ast.expr))]  # contexts and operators are shared objects
        position = {id(n): i for i, n in enumerate(located)}
        order = [position[id(n)] for n in marked if isinstance(n, (ast.stmt, ast.expr))]
        assert order == sorted(order)  # a subsequence of ast.walk's order


def _walk_corpus() -> list[Path]:
    """The fixtures and a spread of the standard library (every kind of node Python has:
    match statements, type comments, f-strings, decorators, async comprehensions...)."""
    import sysconfig

    stdlib = Path(sysconfig.get_paths()["stdlib"])
    spread = sorted(p for p in stdlib.glob("*.py"))[::7] + sorted((stdlib / "asyncio").glob("*.py"))
    return sorted((Path(__file__).resolve().parents[1] / "fixtures").rglob("*.py")) + spread


def test_walk_nodes_and_child_nodes_are_ast_walk_and_iter_child_nodes():
    """`walk_nodes` yields the very nodes `ast.walk` yields, in the same order, and
    `child_nodes` returns what `ast.iter_child_nodes` yields, for every node of real code
    (including trees with type comments and nodes built by hand with fields missing)."""
    from eventmod.pyast.walk import child_nodes, walk_nodes

    checked = 0
    for path in _walk_corpus():
        text = path.read_text(encoding="utf-8")
        for tree in (ast.parse(text), ast.parse(text, type_comments=True)):
            everything = list(ast.walk(tree))
            assert [id(n) for n in walk_nodes(tree)] == [id(n) for n in everything], path
            for node in everything:
                assert [id(c) for c in child_nodes(node)] == [id(c) for c in ast.iter_child_nodes(node)]
            checked += len(everything)
    built = ast.Call(func=ast.Name(id="f"), args=[ast.Constant(1), "not a node"])  # no `keywords`, no ctx
    assert list(walk_nodes(built)) == list(ast.walk(built)) and child_nodes(built) == list(ast.iter_child_nodes(built))
    assert checked > 100_000


def test_no_module_walks_a_tree_with_asts_generators():
    """Every walk of the package goes through `walk_nodes`/`child_nodes` (a new `ast.walk`
    would pay the nested generators again)."""
    package = Path(__file__).resolve().parents[1] / "eventmod"
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "ast" \
                    and node.attr in ("walk", "iter_child_nodes"):
                found.append(f"{path.relative_to(package.parent)}:{node.lineno} ast.{node.attr}")
    assert found == []


# -- the format and style caches: one bucket file per key prefix ----------------------------------
def _format_cache(tmp_path: Path, legacy: Path | None = None):
    from eventmod.codegen.black_cache import FormatCache

    return FormatCache(tmp_path / "cache" / "black-test", legacy=legacy)


def _key(n: int) -> str:
    from eventmod.codegen.black_cache import key_of

    return key_of("entry", n)


def test_a_format_cache_lookup_reads_only_its_keys_bucket(tmp_path, monkeypatch):
    """A run pays for the keys it looks up, not for everything the cache holds: a lookup reads
    the one bucket file its key falls in, once a run."""
    cache = _format_cache(tmp_path)
    for n in range(3000):  # (nearly) every one of the 256 buckets holds some
        cache.put(_key(n), f"value {n}")
    cache.save()
    directory = tmp_path / "cache" / "black-test"
    assert len(list(directory.glob("*.json"))) == len({_key(n)[:2] for n in range(3000)}) > 250
    reads: list[str] = []
    original = Path.read_text

    def recording(path, *args, **kwargs):
        reads.append(path.name)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", recording)
    again = _format_cache(tmp_path)  # a new run
    assert again.get(_key(7)) == "value 7" and again.get(_key(7)) == "value 7"
    assert again.get(_key(8)) == "value 8"
    assert again.get(_key(100_000)) is None
    assert reads == list(dict.fromkeys(f"{_key(n)[:2]}.json" for n in (7, 8, 100_000)))


def test_a_format_cache_save_keeps_what_another_run_saved_meanwhile(tmp_path):
    first, second = _format_cache(tmp_path), _format_cache(tmp_path)
    assert first.get(_key(1)) is None and second.get(_key(1)) is None  # both read the (empty) bucket
    first.put(_key(1), "one")
    second.put(_key(1), "one")
    second.put(_key(2), "two")
    first.save()
    second.save()
    third = _format_cache(tmp_path)
    assert (third.get(_key(1)), third.get(_key(2))) == ("one", "two")


def test_a_format_cache_bucket_keeps_its_newest_entries(tmp_path, monkeypatch):
    from eventmod.codegen import black_cache

    monkeypatch.setattr(black_cache, "MAX_ENTRIES", 3 * black_cache.BUCKETS)  # three a bucket
    same = [n for n in range(5000) if _key(n)[:2] == "ab"][:5]
    cache = _format_cache(tmp_path)
    for n in same:
        cache.put(_key(n), str(n))
    cache.save()
    again = _format_cache(tmp_path)
    assert [again.get(_key(n)) for n in same] == [None, None, *map(str, same[2:])]


def test_a_damaged_or_foreign_bucket_reads_as_empty_and_a_legacy_file_goes_at_the_first_save(tmp_path):
    legacy = tmp_path / "cache" / "black-test.json"
    legacy.parent.mkdir(parents=True)
    legacy.write_text('{"%s": "stale"}' % _key(1), encoding="utf-8")
    cache = _format_cache(tmp_path, legacy)
    assert cache.get(_key(1)) is None  # the single-file cache of earlier versions is never read
    cache.put(_key(1), "one")
    cache.save()
    assert not legacy.exists()
    bucket = tmp_path / "cache" / "black-test" / f"{_key(1)[:2]}.json"
    for damaged in ("", "not json", "[1, 2]", '{"%s": 3}' % _key(1)):
        bucket.write_text(damaged, encoding="utf-8")
        assert _format_cache(tmp_path).get(_key(1)) is None
    odd = _format_cache(tmp_path)
    odd.put("not-a-digest/..", "kept")  # any key: its bucket name is always a plain file name
    odd.save()
    assert _format_cache(tmp_path).get("not-a-digest/..") == "kept"
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["black-test"]
