"""`revert_events.RevertEvents`: what `eventmod revert` writes, one file at a time under LibCST."""

from __future__ import annotations

from collections import Counter

from eventmod import api
from eventmod.codemods.command import EventmodCommand, FileChange, Planned, counted, with_run_warnings
from eventmod.model.results import EDITED_MESSAGE, RevertStatus
from eventmod.model.spec import Selection


class RevertEvents(EventmodCommand):
    DESCRIPTION = "Remove the blocks eventmod inserted for the selected events (what `eventmod revert` writes)."
    KIND = "revert"

    def plan_changes(self, project: api.Project, selection: Selection) -> Planned:
        result = api.plan_revert(project, selection)
        files: list[FileChange] = []
        for plan in result.files:
            warnings = [p.format() for p in plan.problems if p.severity != "error"]
            warnings += [f"left alone: {plan.path}:{r.line}: event {r.event.id} ({r.event.event}): {EDITED_MESSAGE}"
                         for r in plan.results if r.status is RevertStatus.EDITED]
            warnings += [f"note: {note}" for note in plan.notes]
            unchanged = counted(Counter(r.status.value for r in plan.results), "revert")
            files.append(FileChange(plan.path, plan.old, plan.new, tuple(warnings), unchanged))
        run_warnings = [p for p in result.problems if p.severity != "error"]
        return Planned(with_run_warnings(files, run_warnings), tuple(result.errors()))
