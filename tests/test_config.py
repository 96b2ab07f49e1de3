"""Configuration like ruff: which file wins, errors located at their line, `eventmod config`
showing every key and where its value came from, and the target's line length (black > ruff)."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest

from eventmod.config import config_keys, key_lines, load_config, resolve_config
from eventmod.model.problems import InputError
from eventmod.model.settings import Config
from tests.conftest import copy_tree
from tests.test_cli_contract import GOLDEN, invoke


def _tree(tmp_path: Path) -> Path:
    """tmp/repo/{pyproject.toml, code/, specs/} and tmp/elsewhere/ (an unrelated cwd)."""
    repo = tmp_path / "repo"
    copy_tree(GOLDEN / "anchors" / "input", repo / "code")
    copy_tree(GOLDEN / "anchors" / "specs", repo / "specs")
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.eventmod]\nroot = "code"\nspecs = "specs"\nemit = "background"\n')
    (tmp_path / "elsewhere").mkdir()
    return repo


def _config(cwd: Path, *args: str) -> dict:
    run = invoke(cwd, "config", "--format", "json", *args)
    assert run.code == 0, run
    return json.loads(run.out)


def test_discovered_upward_from_the_current_directory(tmp_path):
    repo = _tree(tmp_path)
    data = _config(repo / "code" / "app")  # paths outside the current directory are printed absolute
    assert data["config_file"] == str(repo / "pyproject.toml")
    assert data["keys"]["root"] == {"value": str(repo / "code"), "origin": f"{repo / 'pyproject.toml'}:5"}
    assert data["keys"]["emit"] == {"value": "background", "origin": f"{repo / 'pyproject.toml'}:7"}
    inside = _config(repo)
    assert inside["config_file"] == "pyproject.toml" and inside["keys"]["root"] == {"value": "code", "origin": "pyproject.toml:5"}
    assert data["keys"]["getter"] == {"value": "get_event_logger", "origin": "default"}


def test_the_roots_configuration_wins_over_the_current_directorys(tmp_path):
    repo = _tree(tmp_path)
    (tmp_path / "elsewhere" / "pyproject.toml").write_text('[tool.eventmod]\nemit = "await"\nenum_class = "Other"\n')
    here = _config(tmp_path / "elsewhere")
    assert here["config_file"] == "pyproject.toml" and here["keys"]["enum_class"]["value"] == "Other"
    there = _config(tmp_path / "elsewhere", "--root", str(repo / "code"))
    assert there["config_file"] == str(repo / "pyproject.toml")
    assert there["keys"]["emit"]["value"] == "background" and there["keys"]["enum_class"]["value"] == "EventType"
    assert there["keys"]["root"]["origin"] == "--root"
    # a root with no configuration above it: the current directory's is used
    bare = tmp_path / "bare"
    copy_tree(GOLDEN / "anchors" / "input", bare)
    fallback = _config(tmp_path / "elsewhere", "--root", str(bare))
    assert fallback["config_file"] == "pyproject.toml" and fallback["keys"]["enum_class"]["value"] == "Other"


def test_a_pyproject_without_the_table_is_passed_over(tmp_path):
    repo = _tree(tmp_path)
    (repo / "code" / "pyproject.toml").write_text('[project]\nname = "inner"\n\n[tool.black]\nline-length = 100\n')
    data = _config(repo / "code")
    assert data["config_file"] == str(repo / "pyproject.toml")
    assert data["formatter"]["line-length"] == {"value": 100, "origin": "pyproject.toml:5 [tool.black]"}


def test_config_flag_overrides_discovery(tmp_path):
    repo = _tree(tmp_path)
    own = tmp_path / "elsewhere" / "eventmod.toml"
    own.write_text('root = "../repo/code"\nspecs = "../repo/specs"\nenum_class = "Mine"\n')
    data = _config(repo, "--config", str(own))
    assert data["config_file"] == str(own)
    assert data["keys"]["enum_class"] == {"value": "Mine", "origin": f"{own}:3"}
    assert data["keys"]["emit"] == {"value": "auto", "origin": "default"}  # repo's pyproject is not read
    assert data["keys"]["root"]["value"] == "code"
    missing = invoke(repo, "config", "--config", "nope.toml")
    assert missing.code == 2 and "nope.toml: --config: no such file" in missing.err
    as_pyproject = _config(tmp_path / "elsewhere", "--config", str(repo / "pyproject.toml"))
    assert as_pyproject["keys"]["emit"]["value"] == "background"


def test_flags_win_and_say_so(tmp_path):
    repo = _tree(tmp_path)
    data = _config(repo, "--emit", "await", "--no-failsafe", "--specs", "specs")
    assert data["keys"]["emit"] == {"value": "await", "origin": "--emit"}
    assert data["keys"]["failsafe"] == {"value": False, "origin": "--failsafe"}
    assert data["keys"]["specs"] == {"value": "specs", "origin": "--specs"}


def test_text_output_lists_every_key_with_its_origin(tmp_path):
    repo = _tree(tmp_path)
    run = invoke(repo, "config")
    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[0] == "# configuration file: pyproject.toml"
    keyed = {line.split(" = ")[0]: line for line in lines if " = " in line and not line.startswith("#")}
    assert set(keyed) == {k.toml for k in config_keys()} | {"line-length", "skip-string-normalization"}
    assert keyed["emit"].startswith('emit = "background"') and keyed["emit"].endswith("# pyproject.toml:7")
    assert keyed["hot_paths"].startswith("hot_paths = []") and keyed["hot_paths"].endswith("# default")
    assert "nothing was written" not in run.all


def test_keys_are_the_config_dataclass_fields():
    """A field added to Config is a key (checked, listed by `eventmod config`) with no other change."""
    declared = [f.name for f in fields(Config) if f.metadata.get("key", f.name) is not None]
    assert [k.name for k in config_keys()] == declared
    assert "failsafe" in declared and "source" not in declared and "black" not in declared
    emit = next(k for k in config_keys() if k.name == "emit")
    assert emit.choices == ("auto", "await", "background", "sync")
    call = next(k for k in config_keys() if k.name == "call")
    assert call.choices == ("getter", "function") and call.default == "getter"


@pytest.mark.parametrize("text,message", [
    ('[tool.eventmod]\nemit = "later"\n', "pyproject.toml:2: [tool.eventmod] emit must be one of auto, await, background, sync, got 'later'"),
    ('[tool.eventmod]\ncall = "method"\n', "pyproject.toml:2: [tool.eventmod] call must be one of getter, function, got 'method'"),
    ('[tool.eventmod]\n\nmethod = "log event"\n', "pyproject.toml:3: [tool.eventmod] method: must be a function or method name (an identifier), got 'log event'"),
    ('[tool.eventmod]\npayload_arg = "1data"\n', "pyproject.toml:2: [tool.eventmod] payload_arg: must be a keyword-argument name (an identifier) or \"\", got '1data'"),
    ('[tool.eventmod]\nseverity_arg = "class"\n', "pyproject.toml:2: [tool.eventmod] severity_arg: must be a keyword-argument name (an identifier) or \"\", got 'class'"),
    ('[tool.eventmod]\nsync = "yes"\n', "pyproject.toml:2: [tool.eventmod] sync: expected true or false, got 'yes'"),
    ('[tool.eventmod]\n\nhot_paths = "A.*"\n', "pyproject.toml:3: [tool.eventmod] hot_paths: expected a list of strings, got 'A.*'"),
    ('[tool.eventmod]\njson_safe = 1\n', "pyproject.toml:2: [tool.eventmod] json_safe: expected true or false, got 1"),
    ('[tool.eventmod]\nenum_class = 3\n', "pyproject.toml:2: [tool.eventmod] enum_class: expected a string, got 3"),
    ('[tool.eventmod]\nroot = ["a"]\n', "pyproject.toml:2: root: expected a path string, got ['a']"),
    ('[tool.eventmod]\n# comment\nloger_module = "x"\n', "pyproject.toml:3: [tool.eventmod]: unknown key 'loger_module' (did you mean 'logger_module' or 'logger_names'?)"),
    ('[tool.eventmod]\nemit = "await"\nemit = "x"\n', "pyproject.toml:3: invalid TOML: Cannot overwrite a value"),
    ('[tool.eventmod\nroot = "."\n', "pyproject.toml:1: invalid TOML: "),
])
def test_config_errors_are_located_at_their_line(tmp_path, text, message):
    (tmp_path / "pyproject.toml").write_text(text)
    run = invoke(tmp_path, "validate")
    assert run.code == 2, run
    assert message in run.err, run.err


def test_an_invalid_pyproject_above_root_stops_discovery_like_ruff(tmp_path):
    repo = _tree(tmp_path)
    (repo / "code" / "pyproject.toml").write_text("[tool.black\n")
    run = invoke(tmp_path / "elsewhere", "check", "--root", str(repo / "code"), "--specs", str(repo / "specs"))
    assert run.code == 2 and f"{repo / 'code' / 'pyproject.toml'}:1: invalid TOML: " in run.err


def test_key_lines_reads_the_table_only():
    text = '[tool.black]\nroot = 1\n\n[tool.eventmod]  # ours\n"emit" = "await"\nroot = "x"\n[tool.eventmod.sub]\nroot = 2\n'
    assert key_lines(text, "tool.eventmod") == {"emit": 5, "root": 6}
    assert key_lines(text, "tool.black") == {"root": 2}


def test_load_config_keeps_its_signature(tmp_path):
    repo = _tree(tmp_path)
    config = load_config(tmp_path, root=repo / "code", specs=repo / "specs", emit=None)
    assert config.emit == "background" and config.root == (repo / "code").resolve()
    with pytest.raises(InputError):
        resolve_config(tmp_path, emit="later")


# -- the target's line length: [tool.black] wins over ruff ----------------------------------------------
LONG = '[tool.eventmod]\nroot = "."\nspecs = "../specs"\n'


@pytest.mark.parametrize("files,length,origin", [
    ({}, 88, "default"),
    ({"pyproject.toml": LONG + "\n[tool.ruff]\nline-length = 60\n"}, 60, "pyproject.toml:6 [tool.ruff]"),
    ({"pyproject.toml": LONG + "\n[tool.black]\nline-length = 100\n"}, 100, "pyproject.toml:6 [tool.black]"),
    ({"pyproject.toml": LONG + "\n[tool.ruff]\nline-length = 60\n\n[tool.black]\nline-length = 100\n"}, 100,
     "pyproject.toml:9 [tool.black]"),
    ({"pyproject.toml": LONG, "ruff.toml": "line-length = 72\n"}, 72, "ruff.toml:1"),
    ({"pyproject.toml": LONG + "\n[tool.ruff]\nline-length = 60\n", ".ruff.toml": "\nline-length = 70\n"}, 70, ".ruff.toml:2"),
    ({"pyproject.toml": LONG + "\n[tool.black]\ntarget-version = ['py311']\n\n[tool.ruff]\nline-length = 66\n"}, 66,
     "pyproject.toml:9 [tool.ruff]"),
])
def test_line_length_from_black_or_ruff(tmp_path, files, length, origin):
    root = copy_tree(GOLDEN / "anchors" / "input", tmp_path / "root")
    copy_tree(GOLDEN / "anchors" / "specs", tmp_path / "specs")
    for name, text in files.items():
        (root / name).write_text(text)
    data = _config(root, "--root", ".", "--specs", "../specs")
    assert data["formatter"]["line-length"] == {"value": length, "origin": origin}


def test_ruffs_line_length_shapes_the_generated_blocks(tmp_path):
    def patch(line_length: int | None) -> str:
        root = copy_tree(GOLDEN / "anchors" / "input", tmp_path / f"root{line_length}")
        if line_length:
            (root / "ruff.toml").write_text(f"line-length = {line_length}\n")
        run = invoke(root, "dry-run", "--root", ".", "--specs", str(GOLDEN / "anchors" / "specs"), "--jobs", "1")
        assert run.code == 0, run
        return run.out

    default, narrow, wide = patch(None), patch(30), patch(200)
    added = {name: [line for line in text.splitlines() if line.startswith("+")] for name, text in
             (("default", default), ("narrow", narrow), ("wide", wide))}
    assert len(added["narrow"]) > len(added["default"]) >= len(added["wide"])


def test_invalid_line_length_is_an_error(tmp_path):
    root = copy_tree(GOLDEN / "anchors" / "input", tmp_path / "root")
    (root / "ruff.toml").write_text("line-length = 0\n")
    run = invoke(tmp_path, "validate", "--root", "root", "--specs", str(GOLDEN / "anchors" / "specs"))
    assert run.code == 2 and "ruff.toml:1: line-length: expected a positive whole number, got 0" in run.err
