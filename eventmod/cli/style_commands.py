"""`eventmod style`: the house style eventmod learned, and where each part came from."""

from __future__ import annotations

from typing import Annotated

from eventmod.cli import common as c
from eventmod.cli import options as o


def style(
    phase: o.Phase = None, day: o.Day = None, component: o.Component = None, event: o.Event = None,
    root: o.Root = None, specs: o.Specs = None, config: o.ConfigFile = None, quiet: o.Quiet = False,
    verbose: o.Verbose = False, fmt: Annotated[str, o.format_option("text", "json")] = "text",
) -> None:
    """Show the house style learned and where from.

    With `style = "auto"` (the default) eventmod learns from the log_event blocks already in
    the project (the selection's files, else a bounded scan of root), else from each file:
    quotes of its data strings, trailing commas only when the project formats with black or its
    blocks have them, blank lines around blocks, the comment prefix, and the order of added
    import names (isort/ruff settings, else the project's own imports). `style = "black"` writes
    black's layout as it is.
    """
    from eventmod import api

    common = o.Common.of(locals())
    report = c.reporter(common, fmt)
    project, selection = c.prepare(common, report)
    result = api.explain_style(project, selection)
    habits = result.house.habits
    if fmt == "json":
        report.json({
            "style": result.mode,
            "black": {"uses_black": result.black.uses_black, "evidence": result.black.evidence, "line_length": result.black.line_length},
            "blocks": {"count": habits.blocks, "files": list(result.house.files), "scanned": result.house.scanned},
            "import_order": result.order,
            "files": [{"path": f.path, **({"error": f.problem.message} if f.problem else {
                "quote": f.style.quote, "message_quote": f.style.message_quote or f.style.quote,
                "trailing_commas": f.style.trailing_commas, "blank_lines": f.style.blank_lines, "comment": f.style.comment,
                "from": {"quote": f.decision.quote_from, "message_quote": f.decision.message_from,
                         "trailing_commas": f.decision.commas_from, "blank_lines": f.decision.blank_from,
                         "comment": f.decision.comment_from},
            })} for f in result.files],
        })
        return
    lines = [f"style: {result.mode}" + ("" if result.mode == "auto" else " (black's layout as it is: nothing is learned)")]
    lines.append(f"formats with black: {'yes' if result.black.uses_black else 'no'} ({result.black.evidence}); line length {result.black.line_length}")
    if habits.blocks:
        where = "the selection's files" if not result.house.scanned else f"a scan of {result.house.scanned} file(s) under root"
        lines.append(f"learned from: {habits.blocks} log_event block(s) in {', '.join(result.house.files)} ({where})")
    elif result.mode == "auto":
        lines.append(f"learned from: no log_event block in the selection's files nor in the {result.house.scanned} file(s) scanned "
                     "under root; each file teaches its own style")
    lines.append(f"added import names: {result.order}")
    for f in result.files:
        lines.append("")
        if f.problem is not None:
            lines.append(f"{f.path}: {f.problem.message}")
            continue
        s, d = f.style, f.decision
        lines.append(f"{f.path}:")
        if result.mode != "auto":
            lines.append(f"  quote {s.quote}, trailing commas, no blank lines added, comments '{s.comment}'")
            continue
        lines.append(f"  quote: {s.quote}  - {d.quote_from}")
        lines.append(f"  log message quote: {s.message_quote or s.quote}  - {d.message_from}")
        lines.append(f"  trailing commas: {'yes' if s.trailing_commas else 'no'}  - {d.commas_from}")
        lines.append(f"  blank lines around blocks: {'yes' if s.blank_lines else 'no'}  - {d.blank_from}")
        lines.append(f"  comment lines start with: {s.comment!r}  - {d.comment_from}")
    report.raw("\n".join(lines) + "\n")
