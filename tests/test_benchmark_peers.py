"""The benchmark peers' own logic (benchmarks/peers.py): the cold lower bound parses exactly the
code a dry-run inserts, as modules that parse alone, and leaves out what cannot be parsed alone
(so the bound never counts work a cold run does not do). Not timed: timing lives in benchmarks/."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from benchmarks.peers import cold_bound_argv, inserted_units

BEFORE = '''import os


async def f(x):
    y = x + 1
    return y


class C:
    A = "a"
'''

AFTER = '''import os

from core.log import get_logger


async def f(x):
    y = x + 1
    logger = get_logger()
    if logger:
        await logger.log("f", {"y": y})
    return y


class C:
    A = "a"
    B = "b"
'''


def _write(tmp_path: Path, before: str, after: str) -> tuple[Path, Path]:
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    old, new = tmp_path / "old" / "m.py", tmp_path / "new" / "m.py"
    old.write_text(before, encoding="utf-8")
    new.write_text(after, encoding="utf-8")
    return old, new


def test_each_inserted_run_is_a_module_of_its_own(tmp_path):
    old, new = _write(tmp_path, BEFORE, AFTER)
    units = inserted_units(old, new)
    assert units == [
        "from core.log import get_logger\n",
        'if 1:\n    logger = get_logger()\n    if logger:\n        await logger.log("f", {"y": y})\n',
        'if 1:\n    B = "b"\n',
    ]
    for unit in units:
        ast.parse(unit)


def test_runs_that_do_not_parse_alone_are_left_out(tmp_path):
    # an `else:` clause added to a statement: not a statement of its own
    before = "if a:\n    x()\ny()\n"
    after = "if a:\n    x()\nelse:\n    z()\ny()\n"
    old, new = _write(tmp_path, before, after)
    assert inserted_units(old, new) == []


def test_a_rewritten_statement_is_parsed_with_what_was_inserted_around_it(tmp_path):
    # a wrap: the statement re-indented inside `try:`, as safe mode parses it
    before = "def f():\n    g()\n"
    after = "def f():\n    try:\n        g()\n    except Exception:\n        pass\n"
    old, new = _write(tmp_path, before, after)
    assert inserted_units(old, new) == ["if 1:\n    try:\n        g()\n    except Exception:\n        pass\n"]


def test_unchanged_files_insert_nothing(tmp_path):
    old, new = _write(tmp_path, BEFORE, BEFORE)
    assert inserted_units(old, new) == []


def test_the_bound_command_parses_the_files_and_the_inserted_code(tmp_path):
    old, new = _write(tmp_path, BEFORE, AFTER)
    argv, lines = cold_bound_argv([old], [new], tmp_path)
    assert lines == 5  # the import, the 3-line block, the member
    listed = Path(argv[-1]).read_text(encoding="utf-8").splitlines()
    assert listed == [str(old), str(tmp_path / "cold_bound_inserted.py")]
    proc = subprocess.run(argv, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    # a file that does not parse makes the command fail: it really parses what it lists
    (tmp_path / "cold_bound_inserted.py").write_text("if 1:\n", encoding="utf-8")
    assert subprocess.run(argv, capture_output=True).returncode != 0
    assert argv[0] == sys.executable
