"""Turning plans into text: unified diffs (git-apply-able), colour, summaries and problem lists."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from codemods.engine import DRIFTED, INVALID, PENDING, PRESENT, REEMIT, FilePlan, RunPlan
from codemods.source import split_lines

_RED, _GREEN, _CYAN, _BOLD, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[1m", "\x1b[0m"


class _KnownOpcodes(difflib.SequenceMatcher):
    """A SequenceMatcher whose opcodes are given, not searched for: difflib's own grouping into
    hunks then applies unchanged."""

    def __init__(self, opcodes: list[tuple[str, int, int, int, int]]):
        super().__init__(None, [], [])
        self.opcodes = opcodes

    def get_opcodes(self):
        return self.opcodes


def opcodes_from_origin(old: list[str], new: list[str], origin: tuple[int | None, ...]) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes from the edit map: runs of copied lines are `equal`; what lies
    between two runs is an insert, a delete or a replace. A line the map traces to an old one
    but whose text differs (a statement re-indented by an on_error wrap) counts as changed."""
    old_count = len(old)
    ops: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    pending_i, pending_j = 0, 0

    def flush(i2: int, j2: int) -> None:
        if i2 > pending_i or j2 > pending_j:
            tag = "replace" if i2 > pending_i and j2 > pending_j else ("delete" if i2 > pending_i else "insert")
            ops.append((tag, pending_i, i2, pending_j, j2))

    for j, o in enumerate(origin):
        if o is None or o < i or new[j] != old[o]:
            continue
        flush(o, j)
        if ops and ops[-1][0] == "equal" and ops[-1][2] == o and ops[-1][4] == j:
            ops[-1] = ("equal", ops[-1][1], o + 1, ops[-1][3], j + 1)
        else:
            ops.append(("equal", o, o + 1, j, j + 1))
        i, pending_i, pending_j = o + 1, o + 1, j + 1
    flush(old_count, len(origin))
    return ops or [("equal", 0, 0, 0, 0)]


def _unified(old: list[str], new: list[str], fromfile: str, tofile: str, matcher: difflib.SequenceMatcher, n: int = 3):
    """difflib.unified_diff, with the matcher supplied (same output format)."""
    started = False
    for group in matcher.get_grouped_opcodes(n):
        if not started:
            started = True
            yield f"--- {fromfile}\n"
            yield f"+++ {tofile}\n"
        first, last = group[0], group[-1]
        file1 = difflib._format_range_unified(first[1], last[2])  # type: ignore[attr-defined]
        file2 = difflib._format_range_unified(first[3], last[4])  # type: ignore[attr-defined]
        yield f"@@ -{file1} +{file2} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for line in old[i1:i2]:
                    yield " " + line
                continue
            if tag in {"replace", "delete"}:
                for line in old[i1:i2]:
                    yield "-" + line
            if tag in {"replace", "insert"}:
                for line in new[j1:j2]:
                    yield "+" + line


def file_diff(plan: FilePlan) -> str:
    """Unified diff of one file with a/ b/ paths relative to root; '' when unchanged."""
    if not plan.changed or plan.old is None or plan.new is None:
        return ""
    old = split_lines(_decode(plan.old))
    new = split_lines(_decode(plan.new))
    if plan.origin and len(plan.origin) == len(new):
        matcher: difflib.SequenceMatcher = _KnownOpcodes(opcodes_from_origin(old, new, plan.origin))
    else:
        matcher = difflib.SequenceMatcher(None, old, new)
    out = [f"diff --git a/{plan.path} b/{plan.path}\n"]
    for line in _unified(old, new, f"a/{plan.path}", f"b/{plan.path}", matcher):
        if line.startswith(("---", "+++")):
            out.append(line.rstrip("\n") + "\n")
        elif not line.endswith("\n"):
            out.append(line + "\n\\ No newline at end of file\n")
        else:
            out.append(line)
    return "".join(out)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="surrogateescape")


def run_diff(plan: RunPlan) -> str:
    return "".join(file_diff(f) for f in plan.files)


def colorize(diff: str) -> str:
    out = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("diff --git", "---", "+++")):
            out.append(_BOLD + line.rstrip("\n") + _RESET + "\n")
        elif line.startswith("@@"):
            out.append(_CYAN + line.rstrip("\n") + _RESET + "\n")
        elif line.startswith("+"):
            out.append(_GREEN + line.rstrip("\n") + _RESET + "\n")
        elif line.startswith("-"):
            out.append(_RED + line.rstrip("\n") + _RESET + "\n")
        else:
            out.append(line)
    return "".join(out)


@dataclass(frozen=True)
class Summary:
    pending: int
    present: int
    invalid: int
    drifted: int
    files_touched: int
    enum_added: int
    reemit: int = 0

    @classmethod
    def of(cls, plan: RunPlan) -> "Summary":
        outcomes = plan.outcomes()
        count = lambda status: sum(1 for o in outcomes if o.status == status)  # noqa: E731
        return cls(
            pending=count(PENDING), present=count(PRESENT), invalid=count(INVALID), drifted=count(DRIFTED),
            files_touched=sum(1 for f in plan.files if f.changed),
            enum_added=sum(len(f.enum_added) for f in plan.files), reemit=count(REEMIT),
        )

    def line(self, verb: str = "to insert") -> str:
        parts = [f"{self.pending} event(s) {verb}", f"{self.present} present"]
        if self.reemit:
            parts.append(f"{self.reemit} switched to the spec's emit mode")
        if self.invalid or self.drifted:
            parts.append(f"{self.invalid + self.drifted} invalid")
        parts.append(f"{self.files_touched} file(s) touched")
        if self.enum_added:
            parts.append(f"{self.enum_added} EventType member(s) added")
        return ", ".join(parts)


def event_lines(plan: RunPlan, statuses: tuple[str, ...]) -> list[str]:
    """One line per event with one of `statuses`: `file:line  id  EVENT  status`."""
    rows = []
    for f in plan.files:
        for o in f.outcomes:
            if o.status in statuses:
                where = f"{f.path}:{o.lines[0]}" if o.lines else f.path
                rows.append(f"{where}: {o.event.id} ({o.event.event}) {o.status}")
    return rows


# -- tables ------------------------------------------------------------------------------------
def format_table(headers: list[str], rows: list[list[str]], fmt: str, footer: list[str] | None = None) -> str:
    """A plain aligned table ("table") or a GitHub markdown table ("markdown")."""
    body = rows + ([footer] if footer else [])
    if fmt == "markdown":
        lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        if footer:
            lines.append("| " + " | ".join(f"**{c}**" if c else "" for c in footer) + " |")
        return "\n".join(lines) + "\n"
    widths = [max(len(str(r[i])) for r in [headers, *body]) for i in range(len(headers))]
    numeric = [all(_is_number(r[i]) for r in body) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric)).rstrip()

    out = [line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows]
    if footer:
        out += [line(["-" * w for w in widths]), line(footer)]
    return "\n".join(out) + "\n"


def _is_number(cell: str) -> bool:
    return cell.replace(".", "", 1).replace("%", "").replace("-", "", 1).isdigit() or cell == ""


def coverage_text(coverage, fmt: str) -> str:
    import json

    if fmt == "json":
        return json.dumps({
            "components": [
                {"component": r.component, "file": r.file, "priority": r.priority, "specified": r.specified,
                 "instrumented": r.instrumented, "log_event_calls": r.log_calls, "has_spec": r.has_spec,
                 "coverage_percent": round(r.percent, 1)}
                for r in coverage.rows
            ],
            "total": {"specified": coverage.specified, "instrumented": coverage.instrumented,
                      "coverage_percent": round(coverage.percent, 1), "target_percent": coverage.target,
                      "meets_target": coverage.percent >= coverage.target},
        }, indent=2) + "\n"
    headers = ["component", "file", "priority", "events", "instrumented", "coverage"]
    rows = [[r.component + ("" if r.has_spec else " (no spec)"), r.file, r.priority, str(r.specified),
             str(r.instrumented), f"{r.percent:.0f}%"] for r in coverage.rows]
    footer = ["total", "", f"target {coverage.target:.0f}%", str(coverage.specified), str(coverage.instrumented),
              f"{coverage.percent:.1f}%"]
    return format_table(headers, rows, fmt, footer)


def plan_text(rows, fmt: str) -> str:
    import json

    if fmt == "json":
        return json.dumps([
            {"phase": r.phase, "days": list(r.days), "component": r.component, "priority": r.priority,
             "events": r.events, "present": r.present, "pending": r.pending, "invalid": r.invalid}
            for r in rows
        ], indent=2) + "\n"
    headers = ["phase", "days", "component", "priority", "events", "present", "pending", "invalid"]
    body = [[str(r.phase), _days(r.days), r.component, r.priority, str(r.events), str(r.present), str(r.pending),
             str(r.invalid)] for r in rows]
    footer = ["", "", "total", "", *(str(sum(getattr(r, k) for r in rows)) for k in ("events", "present", "pending", "invalid"))]
    return format_table(headers, body, fmt, footer)


def _days(days: tuple[int, ...]) -> str:
    if not days:
        return "-"
    if len(days) > 1 and list(days) == list(range(days[0], days[-1] + 1)):
        return f"{days[0]}-{days[-1]}"
    return ",".join(map(str, days))


# -- pull-request description ------------------------------------------------------------------
CHECKS_RUN = (
    ("scope", "every payload/kwarg/when/setup name is bound at its insertion point on every path"),
    ("expression policy", "no lambda, :=, yield, await, starred, dunder access, eval/exec/compile/open/__import__"),
    ("signature", "only kwargs the target's log_event accepts"),
    ("async legality", "await only in async functions; nothing inserted into finally blocks"),
    ("hot paths", "no awaited event inside a loop of a hot-path function"),
    ("enum integrity", "no EventType name or value conflicts"),
    ("safe mode", "each changed file equals the original plus the inserted statements (AST check)"),
)


def pr_report(selection, catalog, plan: RunPlan, before, fmt: str) -> str:
    """The PR description for a selection: what it adds, where, with which payloads."""
    import json

    from codemods.engine import PENDING, REEMIT

    outcomes = [o for o in plan.outcomes() if o.status in (PENDING, REEMIT, PRESENT)]
    adding = {o.event.id for o in outcomes if o.status == PENDING}
    per_component = {}
    for o in outcomes:
        per_component.setdefault(o.event.component, []).append(o)
    after_rows = []
    for row in before.rows:
        gained = sum(1 for o in per_component.get(row.component, []) if o.event.id in adding) if row.has_spec else 0
        after_rows.append((row, row.instrumented + gained))
    after_total = sum(a for _, a in after_rows)
    enum_added = [name for f in plan.files for name in f.enum_added]
    warnings = [p for p in plan.all_problems() if p.severity == "warning"]
    phases = sorted({catalog.component_of(o.event).phase for o in outcomes})
    days = sorted({d for o in outcomes for d in catalog.component_of(o.event).days})
    if fmt == "json":
        return json.dumps({
            "phases": phases, "days": days,
            "events": [{"id": o.event.id, "component": o.event.component, "event": o.event.event, "severity": o.event.severity,
                        "anchor": o.event.anchor.describe(), "file": catalog.component_of(o.event).file, "lines": list(o.lines),
                        "payload": [k for k, _ in o.event.payload], "status": o.status} for o in outcomes],
            "enum_added": enum_added,
            "coverage": {"before": round(before.percent, 1), "after": round(100.0 * after_total / before.specified, 1) if before.specified else 100.0},
            "warnings": [p.format() for p in warnings],
        }, indent=2) + "\n"
    out = []
    scope = f"phase {', '.join(map(str, phases))}" if phases else "selection"
    out.append(f"## Audit events: {scope}" + (f" (days {_days(tuple(days))})" if days else ""))
    out.append("")
    out.append(f"Instruments **{len(adding)} event(s)** in **{sum(1 for f in plan.files if f.changed)} file(s)**"
               f" ({len(outcomes) - len(adding)} already present), generated by `eventmod apply` from `event_specs/`.")
    out.append("")
    out.append("### Coverage (measured from the code)")
    out.append("")
    out.append("| component | priority | before | after |")
    out.append("| --- | --- | --- | --- |")
    for row, after in after_rows:
        if row.has_spec and row.component in per_component or after != row.instrumented:
            out.append(f"| {row.component} | {row.priority} | {row.instrumented}/{row.specified} | {after}/{row.specified} |")
    total_after = 100.0 * after_total / before.specified if before.specified else 100.0
    out.append(f"| **total** | | **{before.instrumented}/{before.specified} ({before.percent:.1f}%)** | **{after_total}/{before.specified} ({total_after:.1f}%)** |")
    out.append("")
    for component, items in sorted(per_component.items()):
        spec = next(c for c in catalog.components if c.component == component)
        out.append(f"### {component} (`{spec.file}`, {spec.priority}, days {_days(spec.days)})")
        out.append("")
        out.append("| id | EventType | severity | anchor | at | payload | emit |")
        out.append("| --- | --- | --- | --- | --- | --- | --- |")
        for o in items:
            where = ", ".join(f"`{spec.file}:{line}`" for line in o.lines)
            payload = ", ".join(k for k, _ in o.event.payload) or "-"
            status = "" if o.event.id in adding else " (present)"
            anchor = o.event.anchor.describe().replace("|", "\\|")
            out.append(f"| `{o.event.id}`{status} | `{o.event.event}` | {o.event.severity} | {anchor} | {where} | {payload} | {o.event.emit or 'default'} |")
        out.append("")
    if enum_added:
        out.append(f"### EventType members added ({len(enum_added)})")
        out.append("")
        out.append(", ".join(f"`{name}`" for name in enum_added))
        out.append("")
    out.append("### Checks passed")
    out.append("")
    for name, what in CHECKS_RUN:
        out.append(f"- [x] **{name}**: {what}")
    if warnings:
        out.append("")
        out.append(f"Warnings ({len(warnings)}):")
        out.append("")
        out.extend(f"- {p.format()}" for p in warnings)
    return "\n".join(out) + "\n"
