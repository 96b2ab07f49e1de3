"""Multi-step workflows behind the flags: per-phase patches (`--patch-dir`), reviewing each
event (`apply -i`) and one commit per phase (`apply --commit`). Each returns data; the command
prints it. Prompting goes through the `Ask` callable the command passes in."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable, Optional

from eventmod import api
from eventmod.model.record import record
from eventmod.model.results import RunPlan, Status
from eventmod.model.spec import Selection
from eventmod.reports.diff import run_diff
from eventmod.reports.summary import Summary

Ask = Callable[[str], Optional[str]]  # prompt -> the answer line, None at end of input


# -- --patch-dir -----------------------------------------------------------------------------------
@record
class PatchFile:
    """One patch `--patch-dir` writes (a phase's, or one component's of a phase): its path, its diff
    text and the summary of the plan it shows."""

    path: Path
    text: str
    summary: Summary


def phase_patches(project: api.Project, selection: Selection, directory: Path, *, jobs: int = 1,
                  prefix: str = "") -> list[PatchFile]:
    """phase-N.patch for each selected phase, each on top of the previous ones (apply them in
    order), and phase-N-<component>.patch per component on top of the earlier phases (for
    review; components of a phase all touch the enum file, so apply the phase patch). Paths in
    the patches start with `prefix` (see `reports.diff.file_diff`)."""
    patches: list[PatchFile] = []
    for phase in api.plan_phases(project, selection, jobs=jobs, per_component=True):
        patches.append(PatchFile(directory / f"phase-{phase.phase}.patch", run_diff(phase.plan, prefix), Summary.of(phase.plan)))
        for name, component_plan in phase.components:
            patches.append(PatchFile(directory / f"phase-{phase.phase}-{name}.patch", run_diff(component_plan, prefix),
                                     Summary.of(component_plan)))
    return patches


# -- apply -i --------------------------------------------------------------------------------------
HELP = """y - apply this event
n - do not apply this event (it stays pending)
a - apply this event and all remaining ones
q - quit; do not apply this event or any remaining one (the events accepted so far are applied)
d - do not apply this event or any remaining one in this file
? - print help"""

ANSWERS = ("y", "n", "a", "q", "d")


@record
class Review:
    """The answers of an `apply -i` session: the accepted event ids, in plan order."""

    accepted: tuple[str, ...]
    candidates: int
    ended_by_eof: bool = False


def choose_events(project: api.Project, selection: Selection, run: RunPlan, ask: Ask, show: Callable[[str], None],
                  *, jobs: int = 1, prefix: str = "") -> Review:
    """Ask about each pending (or re-emit) event's hunk, like `git add -p`: y/n/a/q/d and `?`.
    An empty or unknown answer asks again (an unknown one after printing the help); the end of
    input quits, keeping the answers given. Each hunk comes from a plan of that one event (its
    file and the enum file only), made when the event is shown: the whole selection is planned
    once, before the review."""
    candidates = [(f.path, o.event.id, o.event.event) for f in run.files for o in f.outcomes
                  if o.status in (Status.PENDING, Status.REEMIT)]
    accepted: list[str] = []
    skip_file: str | None = None
    for index, (path, event_id, member) in enumerate(candidates):
        if path == skip_file:
            continue
        single = api.plan(project, replace(selection, events=(event_id,)), jobs=1)
        show(run_diff(single, prefix))
        while True:
            line = ask(f"({index + 1}/{len(candidates)}) Apply {event_id} ({member}) [y,n,a,q,d,?]? ")
            if line is None:
                return Review(tuple(accepted), len(candidates), ended_by_eof=True)
            answer = line.strip().lower()[:1]
            if answer in ANSWERS:
                break
            if answer:  # `?` or an unknown key: the help, then the question again
                show(HELP + "\n")
        if answer == "y":
            accepted.append(event_id)
        elif answer == "a":
            accepted.extend(e for p, e, _ in candidates[index:] if p != skip_file)
            break
        elif answer == "q":
            break
        elif answer == "d":
            skip_file = path
    return Review(tuple(accepted), len(candidates))


# -- apply --commit --------------------------------------------------------------------------------
@record
class PhaseCommit:
    """What `apply --commit` did for one phase: the commit subject, the result of writing its files,
    and whether the commit failed or had nothing to commit."""

    phase: int
    subject: str
    write: api.WriteResult = api.WriteResult()
    commit_error: str | None = None  # git's reason when the commit failed (the files are written)
    nothing_to_commit: bool = False  # the files written equal HEAD


def apply_with_commits(project: api.Project, selection: Selection, *, jobs: int = 1, allow_dirty: bool = False) -> list[PhaseCommit]:
    """Apply phase by phase, committing each phase's files with a conventional message. Stops at
    the first phase that cannot be written or committed."""
    from eventmod.io.git import commit

    done: list[PhaseCommit] = []
    for number in project.phases(selection):
        phase_plan = api.plan(project, replace(selection, phases=(number,)), jobs=jobs)
        summary = Summary.of(phase_plan)
        subject = f"feat(events): instrument phase {number} audit events ({summary.pending} events)"
        result = api.write_changes(project.config, list(phase_plan.files), allow_dirty=allow_dirty)
        if not result.ok:
            done.append(PhaseCommit(number, subject, result))
            return done
        if not result.written:
            continue
        components = sorted({o.event.component for o in phase_plan.outcomes() if o.status is not Status.PRESENT})
        body = (f"Components: {', '.join(components)}.\n{summary.line('inserted', project.config.enum_class)}.\n\n"
                "Generated by eventmod apply --commit.")
        outcome = commit(project.config.root, list(result.written), subject, body)
        if outcome.nothing_to_commit:
            done.append(PhaseCommit(number, subject, result, nothing_to_commit=True))
            continue
        if not outcome.committed:
            done.append(PhaseCommit(number, subject, result, outcome.error))
            return done
        done.append(PhaseCommit(number, subject, result))
    return done
