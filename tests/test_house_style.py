"""House style: what eventmod learns from the project's blocks and files, how it writes blocks
with it, and how it reads blocks back in any style (re-emit, revert, check --strict-style)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import black
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventmod.analysis.style import block_habits, blank_line_habit, comment_habit, data_quotes, file_style
from eventmod.codegen.imports import NameOrder
from eventmod.codegen.render import strip_trailing_commas
from eventmod.config import black_usage, import_sort_for
from eventmod.model.settings import BlackSettings, Habits, HouseStyle, ImportSort
from eventmod.pyast.source import SourceFile
from eventmod.testing import transform
from tests.instrumented import Project, cleanup_modules


@pytest.fixture(autouse=True)
def _clean():
    yield
    cleanup_modules()


def _source(text: str, path: str = "m.py") -> tuple[SourceFile, ast.Module]:
    source = SourceFile.decode(path, textwrap.dedent(text).encode())
    assert isinstance(source, SourceFile)
    return source, source.parse()  # type: ignore[return-value]


# -- the style layer -----------------------------------------------------------------------------
@pytest.mark.parametrize("before, after", [
    ("f(\n    a,\n    b,\n)", "f(\n    a,\n    b\n)"),
    ("x = [\n    1,\n    2,\n]", "x = [\n    1,\n    2\n]"),
    ("x = {\n    'a': 1,\n}", "x = {\n    'a': 1\n}"),
    ("x = (\n    1,\n)", "x = (\n    1,\n)"),  # a one-element tuple keeps its comma
    ("x = d[\n    a,\n]", "x = d[\n    a,\n]"),  # a subscript by a tuple keeps it too
    ("f(a, b,)", "f(a, b,)"),  # only a comma before a bracket on a line of its own
    ("f(\n    g(\n        a,\n    ),\n)", "f(\n    g(\n        a\n    )\n)"),
])
def test_magic_trailing_commas_go_but_never_a_comma_that_carries_meaning(before, after):
    assert "\n".join(strip_trailing_commas(before.split("\n"))) == after


_ATOMS = st.sampled_from(["a", "1", "'s'", "f(x)", "d[k]", "None"])
_VALUES = st.recursive(_ATOMS, lambda inner: st.one_of(
    st.lists(inner, min_size=1, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
    st.lists(inner, min_size=1, max_size=3).map(lambda items: "(" + ", ".join(items) + ",)"),
    st.lists(inner, min_size=1, max_size=3).map(lambda items: "g(" + ", ".join(items) + ")"),
    st.lists(st.tuples(_ATOMS, inner), min_size=1, max_size=2).map(lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"),
    inner.map(lambda v: f"d[{v},]"),
), max_leaves=8)


@settings(max_examples=150, deadline=None)
@given(_VALUES)
def test_stripping_commas_never_changes_what_the_code_means(value):
    """Black explodes the expression with magic trailing commas; without them it is the same
    expression (same AST)."""
    text = black.format_str(f"result = {value}\n", mode=black.Mode(line_length=12)).rstrip("\n")
    stripped = "\n".join(strip_trailing_commas(text.split("\n")))
    assert ast.dump(ast.parse(stripped)) == ast.dump(ast.parse(text))


# -- learning from a file --------------------------------------------------------------------------
def test_data_strings_decide_the_quote_not_messages_f_strings_or_docstrings():
    source, tree = _source('''
        """A module docstring."""
        import logging

        logger = logging.getLogger(__name__)


        def f(order, status):
            """Docstring."""
            logger.info(f"order {order['id']} is {status}")
            logger.warning("a message that is not data")
            raise ValueError("not data either")
            if status == 'open':
                return {'id': order['id'], 'state': 'open'}
            return call(mode='fast')
        ''')
    counts = data_quotes(source, tree)
    assert counts["'"] == 6 and counts['"'] == 0  # keys, subscripts (an f-string's too), comparisons, keywords
    style = file_style(source, tree, BlackSettings(), HouseStyle(), "auto")
    assert (style.quote, style.message_quote, style.trailing_commas) == ("'", '"', False)
    black_layout = file_style(source, tree, BlackSettings(), HouseStyle(), "black")
    assert black_layout.trailing_commas and not black_layout.blank_lines  # `style = "black"`: black's layout as it is


def test_blank_lines_are_the_files_habit_when_most_compound_statements_have_them():
    spaced, _ = _source('''
        def f(items):
            total = 0

            for item in items:
                total += item

            if total:
                print(total)

            return total
        ''')
    glued, _ = _source('''
        def f(items):
            total = 0
            for item in items:
                total += item
            if total:
                print(total)
            return total
        ''')
    assert blank_line_habit(spaced, spaced.parse()) == (2, 0)  # type: ignore[arg-type]
    assert blank_line_habit(glued, glued.parse()) == (0, 2)  # type: ignore[arg-type]
    assert file_style(spaced, spaced.parse(), BlackSettings(), HouseStyle(), "auto").blank_lines  # type: ignore[arg-type]
    assert not file_style(glued, glued.parse(), BlackSettings(), HouseStyle(), "auto").blank_lines  # type: ignore[arg-type]


def test_the_comment_prefix_and_a_teams_label_are_learned():
    assert comment_habit(_source("#compact\n#comments\nx = 1\n# one spaced\n")[0]) == "#"
    source, tree = _source('''
        async def f(symbol):
            # AUDIT: first
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.A, {'s': symbol}, severity='INFO')
            # AUDIT: second
            event_logger = get_event_logger()
            if event_logger:
                await event_logger.log_event(EventType.B, {'s': symbol}, severity='INFO')
        ''')
    habits = block_habits(source, tree, "get_event_logger", "EventType", "core.event_logger")
    assert habits.blocks == 2 and habits.comment == "# AUDIT: " and habits.quote == "'"
    style = file_style(source, tree, BlackSettings(), HouseStyle(habits, ("m.py",)), "auto")
    assert style.comment_line("position closed") == "# AUDIT: position closed"
    assert style.comment_line("AUDIT: already labelled") == "# AUDIT: already labelled"


def test_a_black_project_gets_blacks_layout_whatever_the_blocks_say():
    """Black's magic trailing commas in a black project; quotes and blank lines (which black
    keeps as they are) still come from the blocks."""
    habits = Habits(blocks=3, single=9, no_commas=3, spaced=3)
    source, tree = _source("x = {'a': 1}\n")
    style = file_style(source, tree, BlackSettings(uses_black=True, evidence="[tool.black]"), HouseStyle(habits, ("a.py",)), "auto")
    assert (style.quote, style.trailing_commas, style.blank_lines) == ("'", True, True)
    plain = file_style(source, tree, BlackSettings(uses_black=True), HouseStyle(), "auto")
    assert (plain.quote, plain.trailing_commas, plain.blank_lines) == ("'", True, False)  # the file's data strings


# -- the project's formatter and import sorting ------------------------------------------------
@pytest.mark.parametrize("files, uses", [
    ({"pyproject.toml": "[tool.black]\nline-length = 100\n"}, True),
    ({"pyproject.toml": "[tool.ruff.format]\nquote-style = 'double'\n"}, True),
    ({".pre-commit-config.yaml": "repos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n    hooks:\n      - id: black\n"}, True),
    ({".pre-commit-config.yaml": "repos:\n  - repo: local\n    hooks:\n      - id: ruff-format\n"}, True),
    ({"pyproject.toml": "[project]\nname = 'x'\n[project.optional-dependencies]\ndev = ['pytest', 'black>=24']\n"}, True),
    ({"pyproject.toml": "[dependency-groups]\nlint = ['black']\n"}, True),
    ({"pyproject.toml": "[tool.poetry.group.dev.dependencies]\nblack = '^24'\n"}, True),
    ({"requirements-dev.txt": "pytest\nblack==24.1.0\n"}, True),
    ({"pyproject.toml": "[project]\nname = 'x'\ndependencies = ['black']\n"}, False),  # a runtime dependency
    ({"pyproject.toml": "[project.optional-dependencies]\ndev = ['blacken-docs']\n"}, False),
    ({"setup.cfg": "[metadata]\nname = x\n"}, False),
])
def test_black_usage_is_read_from_the_project(tmp_path, files, uses):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "src").mkdir()
    found, evidence = black_usage(tmp_path / "src")
    assert found is uses, evidence


@pytest.mark.parametrize("files, expected", [
    ({"pyproject.toml": "[tool.isort]\nprofile = 'black'\nforce_sort_within_sections = true\n"},
     ImportSort(True, True, False, True)),
    ({"pyproject.toml": "[tool.ruff.lint.isort]\ncase-sensitive = true\norder-by-type = false\n"},
     ImportSort(True, False, True, False)),
    ({"pyproject.toml": "[tool.ruff.lint]\nselect = ['E', 'I']\n"}, ImportSort(True)),
    ({"pyproject.toml": "[tool.ruff.lint]\nselect = ['E']\n"}, ImportSort(False)),
    ({".isort.cfg": "[settings]\ncase_sensitive = true\n"}, ImportSort(True, False, True, True)),
    ({"setup.cfg": "[isort]\norder_by_type = false\n"}, ImportSort(True, False, False, False)),
    ({"ruff.toml": "[lint.isort]\nforce-sort-within-sections = true\n"}, ImportSort(True, True, False, True)),
])
def test_import_sorting_settings_are_read_from_isort_or_ruff(tmp_path, files, expected):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    found = import_sort_for(tmp_path)
    assert (found.configured, found.force_sort_within_sections, found.case_sensitive, found.order_by_type) == \
        (expected.configured, expected.force_sort_within_sections, expected.case_sensitive, expected.order_by_type)


@pytest.mark.parametrize("sort, names, expected", [
    (ImportSort(), ["get_event_logger", "EventType"], ["EventType", "get_event_logger"]),
    (ImportSort(), ["get_audit", "AuditEvent", "AUDIT_LEVEL"], ["AUDIT_LEVEL", "AuditEvent", "get_audit"]),
    (ImportSort(order_by_type=False), ["get_audit", "AuditEvent", "b"], ["AuditEvent", "b", "get_audit"]),
    (ImportSort(order_by_type=False, case_sensitive=True), ["get_audit", "AuditEvent", "b"], ["AuditEvent", "b", "get_audit"]),
    (ImportSort(), ["event10", "event9", "Event"], ["Event", "event9", "event10"]),  # natural order
    (ImportSort(), ["get_event_logger as gel", "EventType as ET"], ["EventType as ET", "get_event_logger as gel"]),
])
def test_added_names_follow_isort_and_ruff(sort, names, expected):
    assert sorted(names, key=NameOrder(sort).key) == expected


def test_a_teams_own_order_is_kept_only_without_a_configured_sorter():
    assert NameOrder.for_project(ImportSort(), True, "get_event_logger", "EventType").arrange(
        ["get_event_logger", "EventType"], "get_event_logger") == ["get_event_logger", "EventType"]
    assert not NameOrder.for_project(ImportSort(configured=True), True, "get_event_logger", "EventType").learned
    assert not NameOrder.for_project(ImportSort(), False, "get_event_logger", "EventType").learned  # agrees with isort


@pytest.mark.parametrize("existing, merged", [
    ("from core.event_logger import EventLogger, set_event_logger\n",
     "from core.event_logger import EventLogger, EventType, get_event_logger, set_event_logger\n"),
    ("from core.event_logger import (EventLogger, set_event_logger)\n",
     "from core.event_logger import (\n    EventLogger,\n    EventType,\n    get_event_logger,\n    set_event_logger,\n)\n"),
    ("from core.event_logger import (Logger, set_logger)\n",
     "from core.event_logger import (EventType, Logger, get_event_logger, set_logger)\n"),
    # (one name per line, and short enough that the names fit on one line too: an import that
    # only the added names push over the line length reads the same exploded whether it was
    # written on one line or not, and revert takes it for one line)
    ("from core.event_logger import (\n    Logger,\n    set_logger,\n)\n",
     "from core.event_logger import (\n    EventType,\n    Logger,\n    get_event_logger,\n    set_logger,\n)\n"),
    # not sorted: the names go at the end, the user's order stays
    ("from core.event_logger import set_event_logger, EventLogger\n",
     "from core.event_logger import set_event_logger, EventLogger, EventType, get_event_logger\n"),
])
def test_names_merged_into_a_sorted_import_go_where_isort_puts_them_and_revert_takes_them_out(tmp_path, existing, merged):
    module = existing + "\n\nasync def f():\n    logger.info('go')\n"
    spec = "component: mod\nfile: app/mod.py\nphase: 1\nevents:\n  - {id: e, event: GO, in: f, after_log: go, severity: INFO}\n"
    project = Project(tmp_path, module, spec, pyproject="[tool.eventmod]\nfailsafe = false\n")
    project.apply()
    assert project.text().startswith(merged), project.text()
    assert project.cli("revert", "--allow-dirty").exit_code == 0
    assert project.text() == module


# -- a non-black project, end to end ------------------------------------------------------------
TEAM_FILE = '''
    import logging

    logger = logging.getLogger(__name__)


    async def sync(positions, name):
        logger.info(f"Fetched {len(positions)} positions from {name}")
        if positions and positions[0]['side'] == 'long':
            logger.debug('long')
        return {'count': len(positions)}
    '''


def test_a_non_black_file_gets_its_data_quote_and_no_trailing_commas():
    result = transform(TEAM_FILE, {"event": "FETCHED", "in": "sync", "after_log": "Fetched",
                                   "payload": {"exchange": "name", "count": "len(positions)"}, "exchange": "name"},
                       black=False, config={"failsafe": False})
    assert not result.errors, result.messages()
    assert '''    event_logger = get_event_logger()
    if event_logger:
        await event_logger.log_event(
            EventType.FETCHED,
            {
                'exchange': name,
                'count': len(positions)
            },
            exchange=name,
            severity='INFO'
        )
''' in result.text


def test_style_black_in_the_config_writes_blacks_layout_anywhere():
    result = transform(TEAM_FILE, {"event": "FETCHED", "in": "sync", "after_log": "Fetched", "payload": {"n": "1"}},
                       black=False, config={"failsafe": False, "style": "black"})
    assert "                \"n\": 1,\n" in result.text or "                'n': 1,\n" in result.text
    assert "severity=" in result.text and result.text.count(",\n        )") == 1


def test_style_is_never_a_reason_to_rewrite_a_block_but_strict_check_reports_it(tmp_path):
    module = textwrap.dedent(TEAM_FILE).lstrip("\n")
    spec = ("component: mod\nfile: app/mod.py\nphase: 1\nevents:\n"
            "  - {id: e, event: FETCHED, in: sync, after_log: Fetched, payload: {n: name}, severity: INFO}\n"
            "  - {id: f, event: LONG, in: sync, after_log: long, payload: {m: name}, severity: INFO}\n"
            "  - {id: g, event: SYNCED, in: sync, before: return, payload: {k: name}, severity: INFO}\n")
    project = Project(tmp_path, module, spec)
    project.apply()
    written = project.text()
    assert "'n': name" in written and "severity='INFO'" in written
    start = written.index("EventType.FETCHED")
    end = written.index("except Exception", start)
    block = written[start:end].replace("'n': name", '"n": name,').replace("severity='INFO'", 'severity="INFO",')
    edited = written[:start] + block + written[end:]
    assert edited.count('"n": name,') == 1 and edited.count('severity="INFO",') == 1
    project.module_path.write_text(edited)
    assert project.cli("check").exit_code == 0
    strict = project.cli("check", "--strict-style")
    assert strict.exit_code == 1 and "written in another house style (quote \" -> '; trailing commas on -> off)" in strict.output
    assert "0 event(s) inserted, 3 present" in project.apply().output and project.text() == edited
    assert project.cli("revert", "--allow-dirty").exit_code == 0 and project.text() == module  # still recognised


def test_the_style_command_says_what_was_learned_and_from_where(tmp_path):
    module = textwrap.dedent(TEAM_FILE).lstrip("\n")
    spec = "component: mod\nfile: app/mod.py\nphase: 1\nevents:\n  - {id: e, event: FETCHED, in: sync, after_log: Fetched, payload: {n: name}, severity: INFO}\n"
    project = Project(tmp_path, module, spec)

    def style():
        from typer.testing import CliRunner

        from eventmod.cli.app import app

        return CliRunner().invoke(app, ["style", "--root", str(project.root), "--specs", str(project.specs)], catch_exceptions=False)

    before = style()
    assert before.exit_code == 0, before.output
    assert "formats with black: no" in before.output and "learned from: no log_event block" in before.output
    assert "quote: '  - the file's data strings (3 single, 0 double)" in before.output
    assert "trailing commas: no" in before.output
    project.apply()
    after = style()
    assert "learned from: 1 log_event block(s) in app/mod.py (the selection's files)" in after.output
    assert "quote: '  - the blocks" in after.output


def test_learned_styles_are_cached_by_content(tmp_path, monkeypatch):
    from eventmod.transform import house

    module = textwrap.dedent(TEAM_FILE).lstrip("\n")
    spec = "component: mod\nfile: app/mod.py\nphase: 1\nevents:\n  - {id: e, event: FETCHED, in: sync, after_log: Fetched, payload: {n: name}, severity: INFO}\n"
    monkeypatch.setenv("EVENTMOD_CACHE_DIR", str(tmp_path / "cache"))
    house.style_cache.cache_clear()
    project = Project(tmp_path, module, spec)
    project.apply()
    calls = []
    real = house.block_habits
    monkeypatch.setattr(house, "block_habits", lambda *a: calls.append(a) or real(*a))
    project.cli("check")
    project.cli("check")
    assert len(calls) <= 1  # the first run after apply learns the new file once; the next one reads the cache
    house.style_cache.cache_clear()


def test_the_bounded_scan_reads_other_files_only_when_the_selection_has_no_block(tmp_path):
    module = textwrap.dedent(TEAM_FILE).lstrip("\n")
    team = '''from core.event_logger import EventType, get_event_logger


async def opened(symbol):
    event_logger = get_event_logger()
    if event_logger:
        await event_logger.log_event(
            EventType.BOT_STARTED,
            {
                "symbol": symbol,
            },
            severity="INFO",
        )
'''
    spec = "component: mod\nfile: app/mod.py\nphase: 1\nevents:\n  - {id: e, event: FETCHED, in: sync, after_log: Fetched, payload: {n: name}, severity: INFO}\n"
    project = Project(tmp_path, module, spec, files={"app/team.py": team})
    from typer.testing import CliRunner

    from eventmod.cli.app import app

    shown = CliRunner().invoke(app, ["style", "--root", str(project.root), "--specs", str(project.specs)], catch_exceptions=False)
    assert "1 log_event block(s) in app/team.py (a scan of" in shown.output, shown.output
    project.apply()
    text = project.text()
    assert '"n": name,' in text and 'severity="INFO",' in text  # the team's block is the template
