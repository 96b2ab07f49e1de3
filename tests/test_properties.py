"""Property tests: random async functions, random anchors, and the engine's core promises.

Hypothesis generates modules of async functions whose bodies nest if/for/async for/while/
try-except/with up to depth 4, with unique logger messages, assignments, awaits and returns,
and specs whose events anchor at those statements (after_log, after, before, at start/end,
in_except). The engine runs in process (`plan_run`) and the tests assert:

- the output compiles, and applying twice changes nothing (every event is then present);
- the only new lines are the rendered blocks (`render_block`) at the positions and indentation
  an independent oracle derives from the anchor's definition, plus the logger import;
- every original line is kept, unchanged and in order.
"""

from __future__ import annotations

import ast
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from eventmod.config import load_config
from eventmod.model.results import Status
from eventmod.transform.apply import plan_run
from eventmod.analysis.style import Style
from eventmod.codegen.render import Names, RenderOptions, render_block
from eventmod.spec.catalog import load_catalog

ENUM = '''from enum import Enum


class EventType(str, Enum):
    BOT_STARTED = "bot_started"


class EventLogger:
    async def log_event(self, event_type, event_data, **context):
        pass


def get_event_logger():
    return None
'''

HEADER = ["import logging", "", "logger = logging.getLogger(__name__)", ""]
IMPORT_LINE = "from core.event_logger import EventType, get_event_logger"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# -- code generation ---------------------------------------------------------------------------
class Uids:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> str:
        self.n += 1
        return f"{self.n:03d}"


SIMPLE = ("log", "assign", "await", "expr")
COMPOUND = ("if", "if_else", "for", "async_for", "while", "try", "with")


@st.composite
def block(draw, uids: Uids, depth: int, allow_return: bool = False) -> list:
    """A list of statement nodes: (kind, uid, *children)."""
    nodes = []
    for _ in range(draw(st.integers(1, 3))):
        kinds = SIMPLE + (COMPOUND if depth <= 4 else ())  # compound statements nest 4 deep
        kind = draw(st.sampled_from(kinds))
        uid = uids.next()
        if kind in SIMPLE:
            nodes.append((kind, uid))
        elif kind == "if_else":
            nodes.append((kind, uid, draw(block(uids, depth + 1, True)), draw(block(uids, depth + 1, True))))
        elif kind == "try":
            nodes.append((kind, uid, draw(block(uids, depth + 1)), draw(block(uids, depth + 1, True))))
        else:
            nodes.append((kind, uid, draw(block(uids, depth + 1, kind == "if"))))
    if allow_return and draw(st.booleans()):
        nodes.append(("return", uids.next()))
    return nodes


def render_nodes(nodes: list, indent: str, out: list[str]) -> None:
    inner = indent + "    "
    for node in nodes:
        kind, uid = node[0], node[1]
        simple = {
            "log": f'logger.info("step {uid} done")',
            "assign": f"x_{uid} = a + b",
            "await": f"await w_{uid}(a)",
            "expr": f"print(a, {int(uid)})",
            "return": f"return r_{uid}",
        }
        if kind in simple:
            out.append(indent + simple[kind])
        elif kind in ("if", "if_else"):
            out.append(f"{indent}if c_{uid}:")
            render_nodes(node[2], inner, out)
            if kind == "if_else":
                out.append(f"{indent}else:")
                render_nodes(node[3], inner, out)
        elif kind == "for":
            out.append(f"{indent}for i_{uid} in items:")
            render_nodes(node[2], inner, out)
        elif kind == "async_for":
            out.append(f"{indent}async for i_{uid} in items:")
            render_nodes(node[2], inner, out)
        elif kind == "while":
            out.append(f"{indent}while w_{uid}:")
            render_nodes(node[2], inner, out)
        elif kind == "with":
            out.append(f"{indent}with m_{uid}():")
            render_nodes(node[2], inner, out)
        elif kind == "try":
            out.append(f"{indent}try:")
            render_nodes(node[2], inner, out)
            out.append(f"{indent}except E{uid}Error:")
            render_nodes(node[3], inner, out)


@st.composite
def module(draw) -> list[str]:
    uids = Uids()
    lines = list(HEADER)
    for k in range(draw(st.integers(1, 3))):
        lines += ["", f"async def f_{k}(a, b, items):"]
        if draw(st.booleans()):
            lines.append(f'    """Function {k}."""')
        render_nodes(draw(block(uids, 1, True)), "    ", lines)
    return lines


# -- anchors: candidates and the oracle ------------------------------------------------------
@dataclass(frozen=True)
class Target:
    function: str
    kind: str
    text: str
    position: int  # 0-based index of the original line the block goes before
    indent: str
    dead: bool = False  # no path reaches the block (after a return, or after branches that all return)


def _indent(lines: list[str], lineno: int) -> str:
    line = lines[lineno - 1]
    return line[: len(line) - len(line.lstrip())]


def _statements(body: list[ast.stmt]):
    for stmt in body:
        yield stmt
        for field in ("body", "orelse"):
            yield from _statements(getattr(stmt, field, []) or [])
        for handler in getattr(stmt, "handlers", []) or []:
            yield from _statements(handler.body)


def _ends(stmt: ast.stmt) -> bool:
    """Whether control never continues after `stmt` in these modules: a return, an if/else
    whose branches both end so, a try whose body and handlers all end so (no loop here is
    infinite, and `with m_N():` may swallow an exception)."""
    if isinstance(stmt, (ast.Return, ast.Raise)):
        return True
    if isinstance(stmt, ast.If) and stmt.orelse:
        return _block_ends(stmt.body) and _block_ends(stmt.orelse)
    if isinstance(stmt, ast.Try):
        return _block_ends(stmt.body) and all(_block_ends(h.body) for h in stmt.handlers)
    return False


def _block_ends(body: list[ast.stmt]) -> bool:
    return any(_ends(s) for s in body)


def _dead_statements(body: list[ast.stmt], dead: set[int], reachable: bool = True) -> None:
    """Collect id() of every statement no path reaches."""
    for stmt in body:
        if not reachable:
            dead.add(id(stmt))
        for field in ("body", "orelse"):
            _dead_statements(getattr(stmt, field, []) or [], dead, reachable)
        for handler in getattr(stmt, "handlers", []) or []:
            _dead_statements(handler.body, dead, reachable)
        if _ends(stmt):
            reachable = False


def anchor_targets(lines: list[str]) -> list[Target]:
    """Every anchor this module offers, with where its block must go, derived from the README's
    definition of each anchor kind (not from the engine's code)."""
    tree = ast.parse("\n".join(lines) + "\n")
    targets = []
    for fn in tree.body:
        if not isinstance(fn, ast.AsyncFunctionDef):
            continue
        body = fn.body
        dead: set[int] = set()
        _dead_statements(body, dead)
        has_doc = isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
        first = body[1] if has_doc else body[0]
        targets.append(Target(fn.name, "at", "start", first.lineno - 1, _indent(lines, first.lineno)))
        last = body[-1]
        before_last = isinstance(last, (ast.Return, ast.Raise))
        end = last.lineno - 1 if before_last else last.end_lineno
        targets.append(Target(fn.name, "at", "end", end, _indent(lines, last.lineno),
                              id(last) in dead or (not before_last and _ends(last))))
        for stmt in _statements(body):
            head = lines[stmt.lineno - 1].strip()
            indent = _indent(lines, stmt.lineno)
            gone = id(stmt) in dead
            if has_doc and stmt is body[0]:
                continue
            if head == "try:":
                for handler in stmt.handlers:
                    targets.append(Target(fn.name, "in_except", handler.type.id, handler.body[0].lineno - 1, _indent(lines, handler.body[0].lineno), gone))
                continue
            if head.startswith('logger.info("'):
                targets.append(Target(fn.name, "after_log", head.split('"')[1], stmt.end_lineno, indent, gone))
            if not isinstance(stmt, (ast.Return, ast.Raise)):
                targets.append(Target(fn.name, "after", head, stmt.end_lineno, indent, gone or _ends(stmt)))
            targets.append(Target(fn.name, "before", head.rstrip(":"), stmt.lineno - 1, indent, gone))
    return targets


PAYLOADS = ("a", "b", "str(a)", "a + b", "'literal'", 3, None, "[a, b]", "{'k': a}")


@st.composite
def case(draw):
    lines = draw(module())
    targets = [t for t in anchor_targets(lines) if not t.dead]  # dead anchors: test_dead_anchors_are_refused
    by_kind: dict[str, list[Target]] = {}
    for target in targets:
        by_kind.setdefault(target.kind, []).append(target)
    # Pick the anchor kind first, so rare kinds (in_except, after_log) are drawn as often as the rest.
    pick = st.sampled_from(sorted(by_kind)).flatmap(lambda kind: st.sampled_from(by_kind[kind]))
    chosen = draw(st.lists(pick, min_size=1, max_size=6))
    events = []
    for n, target in enumerate(chosen):
        keys = draw(st.lists(st.sampled_from(("symbol", "amount", "side", "reason")), unique=True, max_size=3))
        event = {
            "id": f"ev_{n}",
            "event": f"EV_{n}",
            "in": target.function,
            target.kind: target.text,
            "payload": {k: draw(st.sampled_from(PAYLOADS)) for k in keys} or None,
            "severity": draw(st.sampled_from(("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))),
        }
        if event["payload"] is None:
            del event["payload"]
        if draw(st.booleans()):
            event["comment"] = f"Log event {n}"
        if draw(st.integers(0, 3)) == 0:
            event["symbol"] = "a"
        events.append(event)
    return lines, chosen, events


# -- the run -----------------------------------------------------------------------------------
def write_project(base: Path, lines: list[str], events: list[dict]) -> tuple[Path, Path]:
    root, specs = base / "root", base / "specs"
    (root / "core").mkdir(parents=True)
    (root / "app").mkdir()
    specs.mkdir()
    (root / "core" / "event_logger.py").write_text(ENUM)
    (root / "app" / "mod.py").write_text("\n".join(lines) + "\n")
    # a project that formats with black: the blocks must be black's layout exactly
    (root / "pyproject.toml").write_text("[tool.black]\n")
    spec = {"component": "mod", "file": "app/mod.py", "phase": 1, "days": [1], "priority": "HIGH", "events": events}
    (specs / "mod.yaml").write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))
    return root, specs


def run(base: Path, root: Path, specs: Path):
    config = load_config(base, root=root, specs=specs)
    catalog, problems = load_catalog(specs, root)
    assert not problems, problems
    plan = plan_run(config, catalog, jobs=1)
    assert not plan.errors(), [p.format() for p in plan.errors()]
    return catalog, plan


def apply(root: Path, plan) -> None:
    for f in plan.files:
        if f.changed:
            (root / f.path).write_bytes(f.new)


def split_insertions(old: list[str], new: list[str]) -> dict[int, list[str]]:
    """Map: original line index -> lines inserted before it. Fails if `old` is not a subsequence
    of `new` in order (an original line changed, moved or disappeared). Greedy matching decides
    whether `old` is a subsequence exactly; where the insertions land is only approximate (an
    inserted `try:` can match an original one), which `expect_insertions` checks instead."""
    inserted: dict[int, list[str]] = {}
    j = 0
    for line in new:
        if j < len(old) and line == old[j]:
            j += 1
        else:
            inserted.setdefault(j, []).append(line)
    assert j == len(old), f"original line {j + 1} ({old[j]!r}) is missing or changed in the output"
    return inserted


def expect_insertions(old: list[str], new: list[str], expected: dict[int, list[str]], header_end: int) -> list[str]:
    """Assert that `new` is `old` with exactly the `expected` blocks inserted before the given
    original lines (and nothing else, except lines added among the first `header_end` original
    lines: the imports, which are returned). Blocks are matched at their positions, so an
    inserted line that reads like an original one (`try:`) cannot be mistaken for it."""
    i = 0
    header: list[str] = []
    for j in range(len(old) + 1):
        if j in expected:
            block = expected[j]
            assert new[i: i + len(block)] == block, f"before original line {j + 1}: {new[i: i + len(block)]} != {block}"
            i += len(block)
        if j == len(old):
            break
        if j < header_end:
            while i < len(new) and new[i] != old[j]:
                header.append(new[i])
                i += 1
        assert i < len(new) and new[i] == old[j], f"original line {j + 1} ({old[j]!r}) is missing or changed in the output"
        i += 1
    assert i == len(new), f"unexpected lines at the end: {new[i:]}"
    return header


@SETTINGS
@given(case())
def test_apply_inserts_exactly_the_rendered_blocks(example):
    lines, targets, events = example
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root, specs = write_project(base, lines, events)
        catalog, plan = run(base, root, specs)
        apply(root, plan)
        new_text = (root / "app" / "mod.py").read_text()
        compile(new_text, "app/mod.py", "exec")
        compile((root / "core" / "event_logger.py").read_text(), "core/event_logger.py", "exec")

        # Only insertions, and each is exactly the expected rendered blocks.
        style = Style(indent_unit="    ", quote='"', line_length=88, normalize_strings=True, newline="\n")
        blocks: dict[int, list[tuple[int, list[str]]]] = {}
        for spec_event, target in zip(catalog.events(), targets):
            block = render_block(spec_event, RenderOptions(emit="await", failsafe=True), Names(), style, target.indent)
            blocks.setdefault(target.position, []).append((len(target.indent), block))
        # Blocks that go before the same original line: the deeper ones first (they end an inner
        # block, e.g. after the last statement of a loop body), then spec order. A shallower
        # block first would swallow the deeper one into its own `if event_logger:`.
        expected = {
            position: [line for _, block in sorted(found, key=lambda b: -b[0]) for line in block]
            for position, found in blocks.items()
        }
        header_inserts = expect_insertions(lines, new_text.splitlines(), expected, len(HEADER))
        assert [l for l in header_inserts if l.strip()] == [IMPORT_LINE]

        # Applying again changes nothing: every event is now present.
        _, again = run(base, root, specs)
        assert not any(f.changed for f in again.files)
        assert all(o.status is Status.PRESENT for o in again.outcomes()), [(o.event.id, o.status) for o in again.outcomes()]


@SETTINGS
@given(case(), st.sampled_from(["background", "await"]))
def test_emit_modes_compile_and_are_idempotent(example, emit):
    """The same with a per-event emit mode (background adds `import asyncio`)."""
    lines, _targets, events = example
    events = [{**e, "emit": emit} for e in events]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root, specs = write_project(base, lines, events)
        _, plan = run(base, root, specs)
        apply(root, plan)
        new_text = (root / "app" / "mod.py").read_text()
        compile(new_text, "app/mod.py", "exec")
        split_insertions(lines, new_text.splitlines())
        assert ("asyncio.create_task(" in new_text) == (emit == "background")
        _, again = run(base, root, specs)
        assert not any(f.changed for f in again.files)


@st.composite
def dead_case(draw):
    """A module with at least one anchor no path reaches (after a return, after an if/else or
    try whose paths all return), and one event on it."""
    lines = draw(module())
    dead = [t for t in anchor_targets(lines) if t.dead]
    assume(dead)
    target = draw(st.sampled_from(dead))
    event = {"id": "ev_0", "event": "EV_0", "in": target.function, target.kind: target.text, "severity": "INFO"}
    return lines, target, event


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(dead_case())
def test_dead_anchors_are_refused(example):
    """A block no path reaches is refused with the reason, and nothing is planned for it."""
    lines, target, event = example
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root, specs = write_project(base, lines, [event])
        config = load_config(base, root=root, specs=specs)
        catalog, problems = load_catalog(specs, root)
        assert not problems
        plan = plan_run(config, catalog, jobs=1)
        messages = [p.message for p in plan.errors()]
        assert any("no path reaches" in m or "never lets control reach it" in m for m in messages), (target, messages)
        assert all(o.status is Status.INVALID for o in plan.outcomes())


def test_blocks_sharing_a_line_nest_where_their_anchors_are():
    """Regression (found by the properties above): `at: end` after a loop and `after_log` on the
    loop body's last statement insert before the same line. Spec order put the outer block first,
    which swallowed the loop's block into its `if event_logger:` (logged once, outside the loop,
    and a second apply inserted it again)."""
    lines = [*HEADER, "", "async def f_0(a, b, items):", "    x_001 = a + b", "    for i_003 in items:",
             '        logger.info("step 004 done")']
    events = [
        {"id": "ev_0", "event": "EV_0", "in": "f_0", "at": "end", "severity": "DEBUG"},
        {"id": "ev_1", "event": "EV_1", "in": "f_0", "after_log": "step 004 done", "severity": "DEBUG"},
    ]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root, specs = write_project(base, lines, events)
        _, plan = run(base, root, specs)
        apply(root, plan)
        tree = ast.parse((root / "app" / "mod.py").read_text())
        loop = next(n for n in ast.walk(tree) if isinstance(n, ast.For))
        assert "EV_1" in ast.unparse(loop) and "EV_0" not in ast.unparse(loop)
        _, again = run(base, root, specs)
        assert not any(f.changed for f in again.files)


def test_before_a_decorated_def_goes_above_its_decorators():
    """Regression (found by tests/test_stdlib_corpus.py): `at: start` / `before:` on a decorated
    nested def inserted the block between the decorator and `def` (ast's lineno of a decorated
    def is the `def` line), which does not parse."""
    lines = [*HEADER, "", "async def f_0(a, b, items):", "    @decorate(a)", "    @other", "    def inner():",
             "        return a", "    return inner"]
    events = [
        {"id": "ev_0", "event": "EV_0", "in": "f_0", "at": "start", "severity": "INFO"},
        {"id": "ev_1", "event": "EV_1", "in": "f_0", "before": "return inner", "severity": "INFO"},
        {"id": "ev_2", "event": "EV_2", "in": "f_0", "before": "def inner", "severity": "INFO"},
    ]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root, specs = write_project(base, lines, events)
        _, plan = run(base, root, specs)
        apply(root, plan)
        new_lines = (root / "app" / "mod.py").read_text().splitlines()
        compile("\n".join(new_lines), "app/mod.py", "exec")
        assert new_lines[new_lines.index("    @decorate(a)") + 1] == "    @other"
        assert new_lines[new_lines.index("    @other") + 1] == "    def inner():"
        _, again = run(base, root, specs)
        assert not any(f.changed for f in again.files)


# -- the spec reader's constructor: a string scalar is its value, anything else yaml's -------------
_YAML_SCALARS = st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False),
                          st.sampled_from(["12", "yes", "null", "~", "2020-01-01", "0x1f", "1_000", ".inf", "!!str 5", "a: b"]))
_YAML_VALUES = st.recursive(_YAML_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                                   st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                            max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(_YAML_VALUES, st.booleans())
def test_the_spec_readers_constructor_reads_what_yamls_safe_constructor_reads(value, tagged):
    """`_Constructor` answers a `!!str` scalar with its value without yaml's dispatch; every
    node still constructs to what yaml's SafeLoader constructs (value and type), tagged or
    implicit, quoted or plain."""
    import yaml

    from eventmod.spec.loader import _COMPOSER, _Constructor

    text = yaml.safe_dump({"v": value, "w": "!!str 7" if tagged else "plain"}, default_flow_style=False)
    if tagged:
        text += "x: !!str 12\ny: !!int '12'\n"
    document = yaml.compose(text, Loader=_COMPOSER)
    ours = _Constructor("").construct_object(document, deep=True)
    theirs = yaml.SafeLoader("").construct_object(document, deep=True)
    assert ours == theirs
    assert repr(ours) == repr(theirs)  # the same types (1 is not True, '12' is not 12)
