"""The bad-input corpus: every case in tests/bad_inputs/<NN_name>/ must fail cleanly.

Each case holds `specs/` (YAML), `expect.txt` (substrings the error output must contain, one per
line, each with its `file:line`) and, where it differs from `_base/root/`, its own `root/` files:
a case's root is `_base/root/` overlaid with the case's `root/`. `apply` runs on a copy of
the whole case and must exit 2, print every expected substring and leave every byte of the copy
(root and specs, file modes and symlinks included) as it was.

A case with a `pending.txt` documents a known engine bug: its expect.txt holds the message the
engine should print, and the case is a strict xfail until the bug is fixed (then delete the
file). The reason is the file's text.

To add a case: create the directory, run
`eventmod apply --root tests/bad_inputs/<case>/root --specs tests/bad_inputs/<case>/specs --jobs 1`
on a copy, and put exact substrings of the (good) message into expect.txt; paths in expect.txt
are written relative to the case (`specs/manager.yaml:12: ...`), which the output contains as a
suffix of the path it shows.
"""

from __future__ import annotations

from pathlib import Path

import shutil

import pytest

from tests.conftest import copy_tree, tree_hash

CASES_DIR = Path(__file__).resolve().parent / "bad_inputs"
BASE_ROOT = CASES_DIR / "_base" / "root"
CASES = sorted(p for p in CASES_DIR.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def _param(case: Path):
    marks = []
    pending = case / "pending.txt"
    if pending.exists():
        marks.append(pytest.mark.xfail(strict=True, reason=pending.read_text(encoding="utf-8").strip()))
    return pytest.param(case, id=case.name, marks=marks)


def expected_substrings(case: Path) -> list[str]:
    text = (case / "expect.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def test_corpus_is_complete():
    assert len(CASES) >= 45
    assert (BASE_ROOT / "core" / "event_logger.py").is_file()
    for case in CASES:
        assert list((case / "specs").iterdir()), case.name
        assert expected_substrings(case), f"{case.name}: expect.txt is empty"
        assert any(":" in s and any(ch.isdigit() for ch in s) for s in expected_substrings(case)), \
            f"{case.name}: expect.txt needs a file:line location"


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_input_fails_cleanly(case: Path, tmp_path: Path, eventmod):
    copy = copy_tree(case, tmp_path / "case")  # symlinks are kept as symlinks
    for base_file in BASE_ROOT.rglob("*"):  # the case's own files win over the base
        target = copy / "root" / base_file.relative_to(BASE_ROOT)
        if base_file.is_file() and not target.exists() and not target.is_symlink():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(base_file, target)
    before = tree_hash(copy)
    result = eventmod("apply", "--root", str(copy / "root"), "--specs", str(copy / "specs"), "--jobs", "1")
    output = result.output
    assert tree_hash(copy) == before, f"{case.name}: files changed on an error\n{output}"
    assert "Traceback" not in output, output
    assert "internal error" not in output, f"{case.name}: a spec or target mistake called an internal error\n{output}"
    missing = [s for s in expected_substrings(case) if s not in output]
    assert not missing, f"{case.name}: missing from the output: {missing}\n--- output ---\n{output}"
    assert result.exit_code == 2, f"{case.name}: exit code {result.exit_code}\n{output}"
