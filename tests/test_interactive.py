"""`apply -i` behaves like `git add -p`: y/n/a/q/d and ?, an empty answer asks again, the end of
input quits and keeps the answers given."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import copy_tree, tree_hash
from tests.test_cli_contract import GOLDEN, invoke


def _project(tmp_path: Path, *, two_files: bool = False) -> Path:
    copy_tree(GOLDEN / "anchors" / "input", tmp_path / "root")
    copy_tree(GOLDEN / "anchors" / "specs", tmp_path / "specs")
    (tmp_path / "cwd").mkdir()
    return tmp_path


def _args(project: Path) -> list[str]:
    return ["apply", "-i", "--root", str(project / "root"), "--specs", str(project / "specs"), "--jobs", "1"]


def _pending(project: Path) -> list[str]:
    run = invoke(project / "cwd", "check", "--root", str(project / "root"), "--specs", str(project / "specs"), "-q")
    return [line.split(": ")[1].split(" ")[0] for line in run.err.splitlines() if line.endswith(": pending")]


def _candidates(project: Path) -> list[tuple[str, str]]:
    """(file, id) of each pending event, in the order apply -i asks."""
    from eventmod import api

    p = api.load_project(project, root=project / "root", specs=project / "specs")
    return [(f.path, o.event.id) for f in api.plan(p).files for o in f.outcomes if o.status.value == "pending"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return _project(tmp_path)


def test_the_fixture_has_nine_pending_events_in_one_file(project):
    candidates = _candidates(project)
    assert len(candidates) == 9 and {f for f, _ in candidates} == {"app/service.py"}


def test_y_n_then_a_applies_the_rest_without_asking(project):
    order = [e for _, e in _candidates(project)]
    run = invoke(project / "cwd", *_args(project), input="y\nn\na\n")
    assert run.code == 0, run
    assert f"(1/9) Apply {order[0]} (" in run.out and "(3/9)" in run.out and "(4/9)" not in run.out
    assert _pending(project) == [order[1]]


def test_eof_quits_and_keeps_the_answers_given(project):
    order = [e for _, e in _candidates(project)]
    run = invoke(project / "cwd", *_args(project), input="y\ny\nn\n")  # then the input ends
    assert run.code == 0, run
    assert "(4/9)" in run.out and "(5/9)" not in run.out
    assert "2 event(s) inserted" in run.out
    assert set(_pending(project)) == set(order[2:])


def test_empty_answer_asks_again_like_git(project):
    order = [e for _, e in _candidates(project)]
    run = invoke(project / "cwd", *_args(project), input="\n\ny\nq\n")
    assert run.code == 0, run
    assert run.out.count(f"(1/9) Apply {order[0]}") == 3  # asked, re-asked twice, then answered
    assert set(_pending(project)) == set(order[1:])


def test_question_mark_and_unknown_keys_print_the_help_and_ask_again(project):
    run = invoke(project / "cwd", *_args(project), input="?\nx\nq\n")
    assert run.code == 0, run
    assert run.out.count("d - do not apply this event or any remaining one in this file") == 2
    assert run.out.count("(1/9) Apply") == 3
    assert "nothing selected; nothing was written." in run.out


def test_q_first_writes_nothing(project):
    before = tree_hash(project)
    run = invoke(project / "cwd", *_args(project), input="q\n")
    assert run.code == 0 and "nothing selected; nothing was written." in run.out
    assert tree_hash(project) == before


def test_eof_before_any_answer_writes_nothing(project):
    before = tree_hash(project)
    run = invoke(project / "cwd", *_args(project), input="")
    assert run.code == 0 and "nothing selected; nothing was written." in run.out
    assert tree_hash(project) == before


def test_d_skips_the_rest_of_the_file(tmp_path):
    """Two target files: `d` on the first file's first event skips its others, and the review
    goes on with the second file."""
    project = _project(tmp_path)
    other = project / "root" / "app" / "other.py"
    other.write_text("import logging\n\nlogger = logging.getLogger(__name__)\n\n\nasync def ping(symbol):\n"
                     "    logger.info('Ping sent')\n    logger.info('Pong received')\n")
    (project / "specs" / "other.yaml").write_text(
        "component: other\nfile: app/other.py\nphase: 1\ndays: [1]\npriority: LOW\nevents:\n"
        "  - id: o_ping\n    event: PING_SENT\n    in: ping\n    after_log: Ping sent\n    severity: INFO\n"
        "  - id: o_pong\n    event: PONG_RECEIVED\n    in: ping\n    after_log: Pong received\n    severity: INFO\n")
    candidates = _candidates(project)
    files = [f for f, _ in candidates]
    assert files == sorted(files) and files[0] == "app/other.py" and files.count("app/other.py") == 2
    # d on the first (app/other.py) event: o_pong is not asked; then y for the next (app/service.py) and q
    run = invoke(project / "cwd", *_args(project), input="d\ny\nq\n")
    assert run.code == 0, run
    assert "(2/11)" not in run.out and "(3/11)" in run.out and "(4/11)" in run.out and "(5/11)" not in run.out
    pending = set(_pending(project))
    assert {"o_ping", "o_pong"} <= pending and candidates[2][1] not in pending


def test_each_hunk_shows_only_its_own_event(project):
    run = invoke(project / "cwd", *_args(project), input="n\nn\nq\n")
    first, second = run.out.split("(1/9)")[0], run.out.split("(1/9)")[1].split("(2/9)")[0]
    assert first.count("EventType.") == 1 and second.count("EventType.") == 1
    assert first.startswith("diff --git a/")
