"""A LibCST codemod for the `after_log` events, written the usual way: a
`VisitorBasedCodemodCommand` that appends each event's block after its logger call and asks
`AddImportsVisitor` for the getter and the enum; run on each target file with
`libcst.codemod.transform_module`, the unified diff printed (a dry run: nothing is written).

    python benchmarks/libcst_codemod.py ROOT SPECS

It is a benchmark peer (`python -m benchmarks`), not a tool: no checks, no idempotency, no
house style; it reads the specs with PyYAML and matches messages with a regex.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

import libcst as cst
import yaml
from libcst.codemod import CodemodContext, TransformSuccess, VisitorBasedCodemodCommand, diff_code, transform_module
from libcst.codemod.visitors import AddImportsVisitor

LEVELS = {"debug", "info", "warning", "error", "critical", "exception"}


def message_regex(text: str) -> re.Pattern[str]:
    parts = re.split(r"\{[^{}]*\}|%[-#0 +]*\d*(?:\.\d+)?[sdifrx]", text)
    return re.compile(".*".join(re.escape(p) for p in parts), re.S)


class AfterLogEvents(VisitorBasedCodemodCommand):
    DESCRIPTION = "Append an event_logger block after the logger call each after_log event names."

    def __init__(self, context: CodemodContext, events: list[dict], logger_module: str) -> None:
        super().__init__(context)
        self.by_function: dict[str, list[dict]] = defaultdict(list)
        for event in events:
            self.by_function[event["in"]].append(event)
        self.logger_module = logger_module
        self.scope: list[str] = []

    # -- where we are ---------------------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scope.append(node.name.value)

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.scope.pop()
        return updated

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scope.append(node.name.value)

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        self.scope.pop()
        return updated

    # -- the edit ---------------------------------------------------------------------------------
    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        events = self.by_function.get(".".join(self.scope))
        if not events:
            return updated
        body: list[cst.BaseStatement] = []
        changed = False
        for stmt in updated.body:
            body.append(stmt)
            message = self._log_message(stmt)
            if message is None:
                continue
            level, text = message
            for event in events:
                wanted = event.get("level")
                if wanted and ("warning" if wanted == "warn" else wanted) != level:
                    continue
                if message_regex(str(event["after_log"])).search(text):
                    body.extend(self._block(event))
                    changed = True
        if not changed:
            return updated
        AddImportsVisitor.add_needed_import(self.context, self.logger_module, "get_event_logger")
        AddImportsVisitor.add_needed_import(self.context, self.logger_module, "EventType")
        return updated.with_changes(body=body)

    def _log_message(self, stmt: cst.BaseStatement) -> tuple[str, str] | None:
        if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1 or not isinstance(stmt.body[0], cst.Expr):
            return None
        call = stmt.body[0].value
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute) or call.func.attr.value not in LEVELS:
            return None
        if not call.args:
            return None
        text = self.module.code_for_node(call.args[0].value)
        return call.func.attr.value, text

    def _block(self, event: dict) -> list[cst.BaseStatement]:
        payload = ", ".join(f"{k!r}: {v}" for k, v in (event.get("payload") or {}).items())
        severity = event.get("severity", "INFO")
        return [
            cst.parse_statement("event_logger = get_event_logger()\n"),
            cst.parse_statement(
                "if event_logger:\n"
                f"    await event_logger.log_event(EventType.{event['event']}, {{{payload}}}, severity={severity!r})\n"
            ),
        ]


def main(argv: list[str]) -> int:
    root, specs = Path(argv[0]), Path(argv[1])
    logger_module = argv[2] if len(argv) > 2 else "core.event_logger"
    by_file: dict[str, list[dict]] = defaultdict(list)
    for path in sorted(specs.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        defaults = spec.get("defaults") or {}
        for event in spec.get("events") or []:
            if "after_log" in event:
                by_file[spec["file"]].append({"severity": defaults.get("severity", "INFO"), **event})
    out = sys.stdout
    for rel, events in sorted(by_file.items()):
        code = (root / rel).read_text(encoding="utf-8")
        context = CodemodContext(filename=str(root / rel), full_module_name=rel[:-3].replace("/", "."))
        result = transform_module(AfterLogEvents(context, events, logger_module), code)
        if isinstance(result, TransformSuccess):
            out.write(diff_code(code, result.code, context=3, filename=rel))
        else:
            sys.stderr.write(f"{rel}: {getattr(result, 'error', result)}\n")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
