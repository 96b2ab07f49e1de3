"""The package's structure, read from the source: the modules are parsed, never imported.

- no module imports a private name (`_x`) of another eventmod module, or reads `module._x`;
- layers point one way (`LAYERS`, lowest first): a module imports its own package or a lower
  layer, never a higher one nor a sibling of its own layer, at module level or inside a function;
- libcst is imported only by the LibCST codemod commands (`eventmod/codemods`);
- no module-level mutable state: no `global` statement, no module-level list/dict/set that the
  module changes (item assignment, `.append`, `.update`, `.add`, ...);
- `eventmod --version` imports none of libcst, black, yaml, typer.

Every checker also runs on small synthetic trees that break its rule, so a checker that stopped
seeing violations fails here instead of passing in silence.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from eventmod.pyast.walk import dotted_name

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "eventmod"

# Lowest first. The top-level package (`eventmod/__init__.py`, the version) is below everything.
LAYERS: tuple[frozenset[str], ...] = tuple(frozenset(layer) for layer in (
    {"model"},
    {"pyast"},
    {"config", "spec"},
    {"analysis"},
    {"codegen"},
    {"transform"},
    {"reports", "suggest", "io"},
    {"api"},
    {"runtime", "testing", "init", "codemods"},
    {"cli"},
    {"__main__"},
))
LIBCST_PACKAGES = ("eventmod.codemods",)
HEAVY_AT_START = ("libcst", "black", "yaml", "typer")
MUTATING_METHODS = frozenset({
    "append", "extend", "insert", "remove", "pop", "popitem", "clear", "sort", "reverse", "update", "add",
    "discard", "setdefault", "appendleft", "extendleft", "difference_update", "intersection_update",
    "symmetric_difference_update", "__setitem__", "__delitem__",
})
MUTABLE_FACTORIES = frozenset({"list", "dict", "set", "defaultdict", "OrderedDict", "Counter", "deque", "bytearray"})
# The module-level state the package keeps on purpose: (module, name) -> why. Each must still be
# found, so an entry cannot outlive its reason.
KEPT_STATE = {
    ("eventmod.codemods.command", "_PLANS"): "the plan memo: LibCST creates one command per file (see its docstring)",
}
# Modules that are text eventmod writes into the user's project, not code eventmod runs.
TEMPLATES = frozenset({"eventmod.init.logger_template"})


@dataclass(frozen=True)
class Module:
    name: str  # dotted: eventmod.analysis.contract
    path: Path
    tree: ast.Module

    @property
    def package(self) -> str:
        """The package relative imports start from."""
        return self.name if self.path.name == "__init__.py" else self.name.rpartition(".")[0]


@dataclass(frozen=True)
class Violation:
    module: str
    line: int
    what: str
    name: str = ""  # the global a state violation is about

    def __str__(self) -> str:
        return f"{self.module}:{self.line}: {self.what}"


def read_package(root: Path) -> dict[str, Module]:
    """Every module below `root` (a package directory), parsed, by dotted name."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = Module(name, path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return modules


def _from_target(module: Module, node: ast.ImportFrom) -> str:
    """The module a `from ... import` statement reads, relative imports resolved."""
    if not node.level:
        return node.module or ""
    parts = module.package.split(".")
    return ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))


def imports_of(module: Module, modules: dict[str, Module]) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line, imported module, names imported from it) for every import statement, anywhere in the
    module. `from pkg import sub` where `sub` is a module of the tree counts as importing `pkg.sub`."""
    found = []
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _from_target(module, node)
            names = []
            for alias in node.names:
                if f"{target}.{alias.name}" in modules:
                    found.append((node.lineno, f"{target}.{alias.name}", ()))
                else:
                    names.append(alias.name)
            if names or not node.names:
                found.append((node.lineno, target, tuple(names)))
    return found


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _top(name: str) -> str:
    return name.split(".")[0]


def private_use(modules: dict[str, Module]) -> list[Violation]:
    """`from <other eventmod module> import _x`, and `<other eventmod module>._x`."""
    root = _top(next(iter(modules)))
    found = []
    for module in modules.values():
        bound: dict[str, str] = {}  # local name -> eventmod module it names
        for line, target, names in imports_of(module, modules):
            if _top(target) != root:
                continue
            if target != module.name:
                found += [Violation(module.name, line, f"imports the private name {n} from {target}") for n in names if _private(n)]
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _top(alias.name) == root:
                        bound[alias.asname or root] = alias.name if alias.asname else root
            elif isinstance(node, ast.ImportFrom):
                base = _from_target(module, node)
                for alias in node.names:
                    if f"{base}.{alias.name}" in modules:
                        bound[alias.asname or alias.name] = f"{base}.{alias.name}"
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Attribute) and _private(node.attr):
                dotted = dotted_name(node.value)
                if dotted is None or dotted.split(".")[0] not in bound:
                    continue
                head, _, rest = dotted.partition(".")
                target = bound[head] + ("." + rest if rest else "")
                if target in modules and target != module.name:
                    found.append(Violation(module.name, node.lineno, f"reads the private name {target}.{node.attr}"))
    return found


def layer_of(name: str) -> int | None:
    """The index in LAYERS of a dotted module name; -1 for the top-level package; None when its
    package has no layer."""
    parts = name.split(".")
    if len(parts) == 1:
        return -1
    return next((i for i, layer in enumerate(LAYERS) if parts[1] in layer), None)


def layer_violations(modules: dict[str, Module]) -> list[Violation]:
    root = _top(next(iter(modules)))
    found = []
    for module in modules.values():
        own = layer_of(module.name)
        if own is None:
            found.append(Violation(module.name, 1, "its package is in no layer: add it to LAYERS"))
            continue
        own_package = module.name.split(".")[1] if "." in module.name else None
        for line, target, _ in imports_of(module, modules):
            if _top(target) != root or target == root:
                continue
            other = layer_of(target)
            if other is None or target.split(".")[1] == own_package:  # a package without a layer is reported once, above
                continue
            if other >= own:
                how = "a higher layer" if other > own else "a sibling of its own layer"
                found.append(Violation(module.name, line, f"imports {target}, {how}"))
    return found


def libcst_importers(modules: dict[str, Module], allowed: tuple[str, ...] = LIBCST_PACKAGES) -> list[Violation]:
    found = []
    for module in modules.values():
        if any(module.name == a or module.name.startswith(a + ".") for a in allowed):
            continue
        found += [Violation(module.name, line, f"imports {target}") for line, target, _ in imports_of(module, modules)
                  if _top(target) == "libcst"]
    return found


def _is_mutable_value(value: ast.expr | None) -> bool:
    if isinstance(value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)):
        return True
    if isinstance(value, ast.Call):
        func = dotted_name(value.func) or ""
        return func.rsplit(".", 1)[-1] in MUTABLE_FACTORIES
    return False


def mutable_globals(modules: dict[str, Module]) -> list[Violation]:
    """`global` statements, and module-level lists/dicts/sets the module changes."""
    found = []
    for module in modules.values():
        if module.name in TEMPLATES:
            continue
        mutable: dict[str, int] = {}
        for stmt in module.tree.body:
            if isinstance(stmt, ast.Assign) and _is_mutable_value(stmt.value):
                mutable.update((t.id, stmt.lineno) for t in stmt.targets if isinstance(t, ast.Name))
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and _is_mutable_value(stmt.value):
                mutable[stmt.target.id] = stmt.lineno
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Global):
                found += [Violation(module.name, node.lineno, f"`global {name}`: module-level state", name) for name in node.names]
            changed = None
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                for target in targets:
                    for inner in ast.walk(target):
                        if isinstance(inner, ast.Subscript) and isinstance(inner.value, ast.Name):
                            changed = inner.value.id
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATING_METHODS:
                receiver = node.func.value
                while isinstance(receiver, ast.Subscript):  # CACHE[key].append(...) changes CACHE's contents
                    receiver = receiver.value
                if isinstance(receiver, ast.Name):
                    changed = receiver.id
            if changed in mutable and not _shadowed(module.tree, node, changed):
                found.append(Violation(module.name, node.lineno, f"changes the module-level {changed} "
                                                                 f"(line {mutable[changed]}): global mutable state", changed))
    return found


def _shadowed(tree: ast.Module, node: ast.AST, name: str) -> bool:
    """Whether `name` at `node` is a local of an enclosing function (a parameter or assigned there
    without `global`), not the module-level name."""
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if not any(inner is node for inner in ast.walk(function)):
            continue
        args = function.args
        if name in {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a}:
            return True
        body = function.body if isinstance(function.body, list) else [function.body]
        for stmt in body:
            for inner in ast.walk(stmt):
                if isinstance(inner, ast.Name) and inner.id == name and isinstance(inner.ctx, ast.Store):
                    return True
    return False


def imported_at_start(argv: list[str], env: dict[str, str] | None = None) -> list[str]:
    """The modules a command imports, from `-X importtime` (PYTHONPROFILEIMPORTTIME) on stderr."""
    proc = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1", **(env or {})})
    assert proc.returncode == 0, proc.stderr[-2000:]
    return modules_in_importtime(proc.stderr)


def modules_in_importtime(stderr: str) -> list[str]:
    rows = [line[len("import time:"):].split("|") for line in stderr.splitlines() if line.startswith("import time:")]
    return [row[-1].strip() for row in rows if len(row) == 3 and row[0].strip().isdigit()]


def heavy(imported: list[str], names: tuple[str, ...] = HEAVY_AT_START) -> list[str]:
    return sorted({m for m in imported if _top(m) in names})


# -- the real package -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def package() -> dict[str, Module]:
    modules = read_package(PACKAGE)
    assert "eventmod.analysis.contract" in modules and "eventmod.cli.app" in modules
    return modules


def test_no_module_uses_a_private_name_of_another(package):
    assert [str(v) for v in private_use(package)] == []


def test_layers_point_one_way(package):
    assert [str(v) for v in layer_violations(package)] == []


def test_every_package_has_a_layer(package):
    packages = {name.split(".")[1] for name in package if "." in name}
    assert packages <= set().union(*LAYERS), packages - set().union(*LAYERS)


def test_only_the_codemod_commands_import_libcst(package):
    assert [str(v) for v in libcst_importers(package)] == []
    # the scanner sees the commands' own import of libcst (it is not blind on the real tree)
    assert libcst_importers(package, allowed=("eventmod.cli",)), "no module imports libcst?"


def test_no_module_level_mutable_state(package):
    found = mutable_globals(package)
    assert [str(v) for v in found if (v.module, v.name) not in KEPT_STATE] == []
    assert {(v.module, v.name) for v in found} >= set(KEPT_STATE), "an entry of KEPT_STATE is no longer needed"


@pytest.mark.parametrize("how", ["module", "script"])
def test_version_imports_neither_libcst_black_yaml_nor_typer(how):
    if how == "module":
        argv = [sys.executable, "-m", "eventmod", "--version"]
    else:
        script = shutil.which("eventmod", path=str(Path(sys.executable).parent))
        assert script is not None, "the eventmod console script is not installed next to this interpreter"
        argv = [script, "--version"]
    imported = imported_at_start(argv)
    assert "eventmod" in imported, imported  # the profile is there: the check below can see imports
    assert heavy(imported) == []


# -- each checker sees what it is for ---------------------------------------------------------------
def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, Module]:
    for name, text in files.items():
        path = tmp_path / "eventmod" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for directory in [tmp_path / "eventmod", *(p for p in (tmp_path / "eventmod").rglob("*") if p.is_dir())]:
        (directory / "__init__.py").touch()
    return read_package(tmp_path / "eventmod")


@pytest.mark.parametrize("files, expected", [
    ({"model/a.py": "from eventmod.pyast.walk import _walk\n", "pyast/walk.py": "def _walk(): pass\n"},
     ["eventmod.model.a:1: imports the private name _walk from eventmod.pyast.walk"]),
    ({"analysis/a.py": "from ..pyast import walk\nwalk._helper()\n", "pyast/walk.py": ""},
     ["eventmod.analysis.a:2: reads the private name eventmod.pyast.walk._helper"]),
    ({"analysis/a.py": "import eventmod.pyast.walk as w\ndef f():\n    return w._CACHE\n", "pyast/walk.py": ""},
     ["eventmod.analysis.a:3: reads the private name eventmod.pyast.walk._CACHE"]),
    ({"analysis/a.py": "def f():\n    import eventmod.pyast.walk\n    return eventmod.pyast.walk._x\n", "pyast/walk.py": ""},
     ["eventmod.analysis.a:3: reads the private name eventmod.pyast.walk._x"]),
    ({"analysis/a.py": "from .b import _shared\n", "analysis/b.py": "_shared = 1\n"},
     ["eventmod.analysis.a:1: imports the private name _shared from eventmod.analysis.b"]),
    # not violations: the module's own private names, dunders, private names of other packages
    ({"analysis/a.py": "import os\nfrom eventmod import __version__\n_x = os._exit\nclass C:\n    _y = 1\nC._y\n"}, []),
])
def test_private_use_is_flagged(tmp_path, files, expected):
    assert [str(v) for v in private_use(_tree(tmp_path, files))] == expected


@pytest.mark.parametrize("files, expected", [
    ({"analysis/contract.py": "def f():\n    from eventmod.codegen.enum_members import read_enum\n", "codegen/enum_members.py": ""},
     ["eventmod.analysis.contract:2: imports eventmod.codegen.enum_members, a higher layer"]),
    ({"model/a.py": "from eventmod import api\n", "api.py": ""}, ["eventmod.model.a:1: imports eventmod.api, a higher layer"]),
    ({"spec/a.py": "import eventmod.config\n", "config.py": ""}, ["eventmod.spec.a:1: imports eventmod.config, a sibling of its own layer"]),
    ({"reports/a.py": "from ..suggest.drafts import draft\n", "suggest/drafts.py": ""},
     ["eventmod.reports.a:1: imports eventmod.suggest.drafts, a sibling of its own layer"]),
    ({"newpkg/a.py": ""}, ["eventmod.newpkg.a:1: its package is in no layer: add it to LAYERS",
                           "eventmod.newpkg:1: its package is in no layer: add it to LAYERS"]),
    # not violations: downward, within a package, the top-level package, outside eventmod
    ({"codegen/a.py": "from eventmod.analysis import b\nfrom . import c\nfrom eventmod import __version__\nimport ast\n",
      "codegen/c.py": "", "analysis/b.py": "from .c import x\n", "analysis/c.py": ""}, []),
])
def test_upward_and_sideways_imports_are_flagged(tmp_path, files, expected):
    assert sorted(str(v) for v in layer_violations(_tree(tmp_path, files))) == expected


def test_libcst_outside_the_commands_is_flagged(tmp_path):
    modules = _tree(tmp_path, {"codemods/command.py": "import libcst\n", "codegen/render.py": "def f():\n    import libcst.codemod\n",
                               "api.py": "from libcst import parse_module\n", "io/a.py": "from .libcst import x\n", "io/libcst.py": ""})
    assert [str(v) for v in libcst_importers(modules)] == [
        "eventmod.api:1: imports libcst", "eventmod.codegen.render:2: imports libcst.codemod"]


@pytest.mark.parametrize("source, flagged", [
    ("CACHE = {}\ndef get(k):\n    CACHE[k] = 1\n", ["eventmod.m:3: changes the module-level CACHE (line 1): global mutable state"]),
    ("SEEN = []\ndef see(x):\n    SEEN.append(x)\n", ["eventmod.m:3: changes the module-level SEEN (line 1): global mutable state"]),
    ("NAMES: set[str] = set()\nNAMES.add('a')\n", ["eventmod.m:2: changes the module-level NAMES (line 1): global mutable state"]),
    ("from collections import defaultdict\nBY = defaultdict(list)\ndef f(k):\n    BY[k].append(1)\n",
     ["eventmod.m:4: changes the module-level BY (line 2): global mutable state"]),
    ("from collections import defaultdict\nBY = defaultdict(list)\ndef f(k):\n    BY[k] += [1]\n",
     ["eventmod.m:4: changes the module-level BY (line 2): global mutable state"]),
    ("D = {'a': 1}\ndef f():\n    D.update(b=2)\n", ["eventmod.m:3: changes the module-level D (line 1): global mutable state"]),
    ("count = 0\ndef bump():\n    global count\n    count += 1\n", ["eventmod.m:3: `global count`: module-level state"]),
    ("a = b = None\ndef reset():\n    global a, b\n", ["eventmod.m:3: `global a`: module-level state", "eventmod.m:3: `global b`: module-level state"]),
    # not violations: read-only tables, a local of the same name, a parameter of the same name
    ("TABLE = {'a': 1}\nKEYS = [k for k in TABLE]\ndef f():\n    return TABLE['a']\n", []),
    ("ITEMS = []\ndef f():\n    ITEMS = []\n    ITEMS.append(1)\n    return ITEMS\n", []),
    ("ITEMS = []\ndef f(ITEMS):\n    ITEMS.append(1)\n", []),
])
def test_module_level_mutable_state_is_flagged(tmp_path, source, flagged):
    assert [str(v) for v in mutable_globals(_tree(tmp_path, {"m.py": source}))] == flagged


def test_heavy_imports_at_start_are_seen():
    imported = imported_at_start([sys.executable, "-c", "import yaml, typer"])
    assert {"typer", "yaml"} <= set(heavy(imported)), heavy(imported)
    assert heavy(modules_in_importtime("import time: self [us] | cumulative | imported package\n"
                                       "import time:       120 |        120 |   libcst._nodes\n"
                                       "import time:        80 |         80 | black\n"
                                       "import time:        10 |         10 | blackhole\n")) == ["black", "libcst._nodes"]
