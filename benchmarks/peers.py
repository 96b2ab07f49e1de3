"""The peers eventmod is measured against, each a command over exactly the files it touches.

- the *minimum*: Python starts, reads the touched files and `ast.parse`s each (what any tool
  that understands the code pays);
- the *libcst floor*: Python starts, imports libcst, `parse_module` + `.code` of each file
  (what any libcst codemod pays before it does anything);
- a *cold run's lower bound*: Python starts, imports typer and PyYAML (the CLI and spec
  libraries the project chose), `ast.parse`s each touched file and, once, the code a dry-run
  inserts (which safe mode must parse to prove it): what a cold `eventmod dry-run` cannot avoid
  before it reads one spec or renders one block. It is a lower bound: inserted code that does
  not parse on its own (the halves of a wrap) is left out, not guessed;
- *ast-grep* (optional, the `ast-grep-cli` PyPI package): one generated rule per `after_log`
  event of the specs, whose fix appends the event's block after the logger call, run with
  `ast-grep scan` in report mode (it prints the fixes, writes nothing; no checks, no
  idempotency, no imports);
- a *LibCST codemod written the usual way* (`benchmarks/libcst_codemod.py`).
"""

from __future__ import annotations

import ast
import difflib
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

PY = sys.executable

MINIMUM_SCRIPT = r"""
import ast, sys
for path in open(sys.argv[1], encoding="utf-8").read().splitlines():
    with open(path, "rb") as f:
        ast.parse(f.read(), path)
"""

FLOOR_SCRIPT = r"""
import sys
import libcst
for path in open(sys.argv[1], encoding="utf-8").read().splitlines():
    with open(path, "rb") as f:
        data = f.read()
    libcst.parse_module(data).code
"""

COLD_BOUND_SCRIPT = r"""
import ast, sys
import typer, yaml
for path in open(sys.argv[1], encoding="utf-8").read().splitlines():
    with open(path, "rb") as f:
        ast.parse(f.read(), path)
"""

LEVELS = ("debug", "info", "warning", "error", "critical", "exception")


def listing(files: list[Path], dest: Path) -> Path:
    dest.write_text("\n".join(str(p) for p in files), encoding="utf-8")
    return dest


def minimum_argv(files: list[Path], work: Path) -> tuple[str, ...]:
    return (PY, "-c", MINIMUM_SCRIPT, str(listing(files, work / "minimum_files.txt")))


def floor_argv(files: list[Path], work: Path) -> tuple[str, ...]:
    return (PY, "-c", FLOOR_SCRIPT, str(listing(files, work / "floor_files.txt")))


def cold_bound_argv(files: list[Path], outputs: list[Path], work: Path) -> tuple[tuple[str, ...], int]:
    """The cold lower bound's command over the touched `files` and the same files as the
    dry-run writes them (`outputs`), and how many inserted lines it parses."""
    units = [unit for before, after in zip(files, outputs) for unit in inserted_units(before, after)]
    inserted = work / "cold_bound_inserted.py"
    inserted.write_text("".join(units), encoding="utf-8")
    lines = sum(unit.count("\n") - unit.startswith("if 1:\n") for unit in units)
    return (PY, "-c", COLD_BOUND_SCRIPT, str(listing([*files, inserted], work / "cold_bound_files.txt"))), lines


def inserted_units(before: Path, after: Path) -> list[str]:
    """Each run of lines `after` inserts into `before`, as a module that parses on its own (an
    indented run as the body of `if 1:`); runs that do not parse alone are left out."""
    old = before.read_text(encoding="utf-8").splitlines()
    new = after.read_text(encoding="utf-8").splitlines()
    units = []
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag not in ("insert", "replace"):
            continue
        run = new[j1:j2]
        while run and not run[0].strip():
            run = run[1:]
        if not run:
            continue
        text = "\n".join(run) + "\n"
        unit = "if 1:\n" + text if run[0][:1] in (" ", "\t") else text
        try:
            ast.parse(unit)
        except SyntaxError:
            continue
        units.append(unit)
    return units


def codemod_argv(root: Path, specs: Path) -> tuple[str, ...]:
    return (PY, str(Path(__file__).with_name("libcst_codemod.py")), str(root), str(specs))


# -- the after_log events of a spec directory ---------------------------------------------------
@dataclass(frozen=True)
class AfterLog:
    id: str
    file: str  # relative to root
    qualname: str  # Class.method or function
    text: str  # the after_log message text
    level: str | None
    event: str
    payload: dict[str, str]
    severity: str


def after_log_events(specs: Path) -> list[AfterLog]:
    """Every `after_log` event of the spec files, with the defaults a spec file gives."""
    found = []
    for path in sorted(specs.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        defaults = spec.get("defaults") or {}
        for event in spec.get("events") or []:
            if "after_log" not in event:
                continue
            payload = {str(k): str(v) if not isinstance(v, bool) else str(v) for k, v in (event.get("payload") or {}).items()}
            found.append(AfterLog(event["id"], spec["file"], event["in"], str(event["after_log"]), event.get("level"),
                                  event["event"], payload, str(event.get("severity", defaults.get("severity", "INFO")))))
    return found


def message_regex(text: str) -> str:
    """The text as a regex over a string literal's source: each `{...}` or %-placeholder
    matches anything."""
    parts = re.split(r"\{[^{}]*\}|%[-#0 +]*\d*(?:\.\d+)?[sdifrx]", text)
    return ".*".join(re.escape(p) for p in parts)


def block_lines(event: AfterLog) -> list[str]:
    payload = ", ".join(f"{k!r}: {v}" for k, v in event.payload.items())
    return [
        "event_logger = get_event_logger()",
        "if event_logger:",
        f"    await event_logger.log_event(EventType.{event.event}, {{{payload}}}, severity={event.severity!r})",
    ]


def astgrep_rule(event: AfterLog) -> dict:
    """One ast-grep rule: the logger call with the event's message, inside its function (and
    class), fixed to itself followed by the block."""
    *classes, function = event.qualname.split(".")
    inside: dict = {"kind": "function_definition", "has": {"field": "name", "regex": f"^{re.escape(function)}$"}, "stopBy": "end"}
    for cls in reversed(classes):
        inside["inside"] = {"kind": "class_definition", "has": {"field": "name", "regex": f"^{re.escape(cls)}$"}, "stopBy": "end"}
    level = "warning" if event.level == "warn" else event.level
    return {
        "id": event.id,
        "language": "python",
        "severity": "hint",
        "message": f"log {event.event} after this call",
        # the cheapest test first: the call's text holds the message
        "rule": {
            "kind": "call",
            "regex": message_regex(event.text),
            "pattern": "$LOG.$LEVEL($$$ARGS)",
            "inside": {"kind": "expression_statement", "inside": inside},
        },
        "constraints": {"LEVEL": {"regex": f"^({level})$" if level else f"^({'|'.join(LEVELS)})$"}},
        "fix": "\n".join(["$LOG.$LEVEL($$$ARGS)", *block_lines(event)]),
    }


def astgrep_project(specs: Path, dest: Path) -> tuple[Path, int]:
    """An ast-grep project under `dest` (sgconfig.yml + one rule file per after_log event);
    returns the config path and the rule count."""
    rules = dest / "rules"
    rules.mkdir(parents=True, exist_ok=True)
    events = after_log_events(specs)
    for event in events:
        (rules / f"{event.id}.yml").write_text(yaml.safe_dump(astgrep_rule(event), sort_keys=False, width=10_000), encoding="utf-8")
    config = dest / "sgconfig.yml"
    config.write_text("ruleDirs:\n  - rules\n", encoding="utf-8")
    return config, len(events)


def astgrep_binary() -> str | None:
    """The ast-grep executable next to this Python (the PyPI package) or on PATH."""
    beside = Path(PY).parent / "ast-grep"
    if beside.exists():
        return str(beside)
    return shutil.which("ast-grep")


def astgrep_argv(binary: str, config: Path, root: Path) -> tuple[str, ...]:
    return (binary, "scan", "--config", str(config), "--color", "never", str(root))
