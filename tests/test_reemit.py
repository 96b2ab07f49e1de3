"""Re-emit: changing `emit` and running `apply` rewrites already-inserted blocks to the new mode."""

from __future__ import annotations

import difflib
from pathlib import Path

from tests.conftest import copy_tree

GOLDEN = Path(__file__).parent / "golden" / "anchors"


def _setup(tmp_path: Path) -> tuple[Path, Path]:
    root = copy_tree(GOLDEN / "expected", tmp_path / "root")  # already instrumented, all `await`
    specs = copy_tree(GOLDEN / "specs", tmp_path / "specs")
    return root, specs


def _set_emit(specs: Path, event_id: str, mode: str) -> None:
    path = specs / "service.yaml"
    text = path.read_text()
    marker = f"  - id: {event_id}\n"
    assert marker in text
    path.write_text(text.replace(marker, marker + f"    emit: {mode}\n"))


def test_check_reports_mode_mismatch_and_apply_rewrites_minimally(tmp_path, eventmod):
    root, specs = _setup(tmp_path)
    args = ("--root", str(root), "--specs", str(specs), "--jobs", "1")
    _set_emit(specs, "svc_order_placed", "background")
    check = eventmod("check", *args)
    assert check.exit_code == 1
    assert (f"{root / 'app' / 'service.py'}:19: svc_order_placed (ORDER_PLACED): re-emit: the block's shape differs from the spec"
            " (emit await -> background)") in check.output

    before = (root / "app" / "service.py").read_text()
    result = eventmod("apply", *args)
    assert result.exit_code == 0, result.output
    assert "1 switched to the spec's shape" in result.output
    after = (root / "app" / "service.py").read_text()
    changed = [l for l in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0) if l[:1] in "+-" and not l.startswith(("+++", "---"))]
    # the import, the call line and the re-indented call: nothing outside the ORDER_PLACED block
    assert "+import asyncio" in changed
    assert "+                asyncio.create_task(" in changed
    assert "-                await event_logger.log_event(" in changed
    assert all("CANCEL" not in l and "SYNC" not in l for l in changed)
    compile(after, "service.py", "exec")
    assert eventmod("check", *args).exit_code == 0
    again = eventmod("apply", *args)
    assert "0 event(s) inserted" in again.output and (root / "app" / "service.py").read_text() == after


def test_switching_back_restores_the_await_block_exactly(tmp_path, eventmod):
    root, specs = _setup(tmp_path)
    args = ("--root", str(root), "--specs", str(specs), "--jobs", "1")
    original = (root / "app" / "service.py").read_text()
    assert eventmod("apply", "--emit", "background", *args).exit_code == 0
    switched = (root / "app" / "service.py").read_text()
    assert switched.count("asyncio.create_task(") == 9
    assert eventmod("apply", "--emit", "await", *args).exit_code == 0
    back = (root / "app" / "service.py").read_text()
    assert back == original.replace('"""Order service: one function per anchor kind."""\n\n', '"""Order service: one function per anchor kind."""\n\nimport asyncio\n', 1)


def test_a_hand_edited_block_is_left_alone_with_a_warning(tmp_path, eventmod):
    root, specs = _setup(tmp_path)
    args = ("--root", str(root), "--specs", str(specs), "--jobs", "1")
    path = root / "app" / "service.py"
    text = path.read_text()
    assert text.count('"amount": float(amount)\n') == 1  # the golden project does not use black: no trailing commas
    path.write_text(text.replace('"amount": float(amount)\n', '"amount": float(amount),\n                    "note": "hand"\n'))
    _set_emit(specs, "svc_order_placed", "background")
    before = path.read_text()
    result = eventmod("apply", *args)
    assert result.exit_code == 0, result.output
    assert "is emitted with `await` but the spec says `background`; it differs from what eventmod writes (edited by hand?), so it was left alone" in result.output
    assert path.read_text() == before


def test_a_block_with_a_multi_line_comment_is_recognised(tmp_path, eventmod):
    root = copy_tree(GOLDEN / "input", tmp_path / "root")
    specs = copy_tree(GOLDEN / "specs", tmp_path / "specs")
    path = specs / "service.yaml"
    path.write_text(path.read_text().replace("    comment: Log the placed order\n", "    comment: |-\n      Log the placed order\n      (two comment lines)\n"))
    args = ("--root", str(root), "--specs", str(specs), "--jobs", "1")
    assert eventmod("apply", *args).exit_code == 0
    assert "        # Log the placed order\n        # (two comment lines)\n" in (root / "app" / "service.py").read_text()
    _set_emit(specs, "svc_order_placed", "background")
    result = eventmod("apply", *args)
    assert "1 switched to the spec's shape" in result.output, result.output
    text = (root / "app" / "service.py").read_text()
    assert text.count("# Log the placed order") == 1 and "asyncio.create_task(" in text
    revert = eventmod("revert", "--event", "svc_order_placed", *args)
    assert revert.exit_code == 0 and "1 event(s) reverted" in revert.output, revert.output
    assert "# Log the placed order" not in (root / "app" / "service.py").read_text()
