"""`inject_events.InjectEvents`: what `eventmod apply` writes, one file at a time under LibCST."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from eventmod import api
from eventmod.codemods.command import EventmodCommand, FileChange, Planned, counted, reproduces, with_run_warnings
from eventmod.model.results import Status
from eventmod.model.spec import Selection


class InjectEvents(EventmodCommand):
    DESCRIPTION = "Insert the selected audit events from eventmod's YAML specs (what `eventmod apply` writes)."
    KIND = "inject"

    def plan_changes(self, project: api.Project, selection: Selection) -> Planned:
        run = api.plan(project, selection)
        enum_file = Path(project.config.enum_file).as_posix()
        enum_plan = next((f for f in run.files if f.path == enum_file), None)
        added = frozenset(enum_plan.enum_added) if enum_plan is not None and enum_plan.changed else frozenset()
        files: list[FileChange] = []
        for plan in run.files:
            problems = (*plan.problems, *(p for o in plan.outcomes for p in o.problems))
            warnings = tuple(p.format() for p in problems if p.severity != "error")
            pending = {o.event.event for o in plan.outcomes if o.status is Status.PENDING}
            needs = () if plan.path == enum_file else tuple(sorted(pending & added))
            unchanged = counted(Counter(o.status.value for o in plan.outcomes), "insert")
            files.append(FileChange(plan.path, plan.old, plan.new, warnings, unchanged, needs))
        reproducible = enum_plan is None or not added or (reproduces(enum_plan.old) and reproduces(enum_plan.new))
        run_warnings = [p for p in run.problems if p.severity != "error"]
        before, after = (enum_plan.old, enum_plan.new) if enum_plan is not None and added else (None, None)
        return Planned(with_run_warnings(files, run_warnings), tuple(run.errors()), reproducible, before, after)
