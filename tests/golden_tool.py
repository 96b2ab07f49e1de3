"""Golden cases: tests/golden/<case>/{input,specs,expected}.

`python -m tests.golden_tool` regenerates every expected/ tree from the current engine; review
the resulting git diff like any code change before committing it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"
REPO = Path(__file__).resolve().parent.parent
CATALOG_PATCH = Path(__file__).parent / "snapshots" / "catalog.patch"


def cases() -> list[Path]:
    return sorted(p for p in GOLDEN.iterdir() if (p / "input").is_dir())


def run_apply(case: Path, root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "eventmod", "apply", "--root", str(root), "--specs", str(case / "specs"), "--jobs", "1", "--allow-dirty"],
        capture_output=True, text=True, cwd=root.parent, env={**os.environ, "NO_COLOR": "1"},
    )


def regenerate(case: Path) -> None:
    expected = case / "expected"
    shutil.rmtree(expected, ignore_errors=True)
    shutil.copytree(case / "input", expected)
    result = run_apply(case, expected)
    if result.returncode != 0:
        raise SystemExit(f"{case.name}: apply failed\n{result.stderr}")


def catalog_patch() -> str:
    """The full catalog's dry-run patch against the bundled fixture (no flags but `--relative`:
    paths relative to root, whether or not the checkout is a git work tree)."""
    result = subprocess.run([sys.executable, "-m", "eventmod", "dry-run", "--color", "never", "--relative"], capture_output=True,
                            text=True, cwd=REPO, env={**os.environ, "NO_COLOR": "1"})
    if result.returncode != 0:
        raise SystemExit(f"catalog dry-run failed\n{result.stderr}")
    return result.stdout


if __name__ == "__main__":
    for case in cases():
        regenerate(case)
        print("regenerated", case.name)
    CATALOG_PATCH.parent.mkdir(exist_ok=True)
    CATALOG_PATCH.write_text(catalog_patch(), encoding="utf-8", newline="")
    print("regenerated", CATALOG_PATCH.relative_to(REPO))
