"""Commands about the tool itself: the resolved configuration and the spec JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

from eventmod.cli import common as c
from eventmod.cli import options as o


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(json.dumps(v) for v in value) + "]"
    return json.dumps(str(value))


def config(
    root: o.Root = None, specs: o.Specs = None, config: o.ConfigFile = None,
    emit: o.Emit = None, failsafe: o.Failsafe = None, quiet: o.Quiet = False, verbose: o.Verbose = False,
    fmt: Annotated[str, o.format_option("text", "json")] = "text",
) -> None:
    """Print the configuration and where each value came from.

    Each value comes from the default, the configuration file (file:line) or a flag. The file
    is --config PATH, else the nearest pyproject.toml with [tool.eventmod] at or above --root,
    else at or above the current directory.
    """
    from eventmod.config import resolve_config
    from eventmod.model.problems import display_path
    from eventmod.model.problems import InputError

    common = o.Common.of(locals())
    report = c.reporter(common, fmt)
    cwd = Path.cwd()
    try:
        resolved = resolve_config(cwd, config_file=common.config, root=common.root, specs=common.specs,
                                  emit=common.emit, failsafe=common.failsafe)
    except InputError as exc:
        report.fail(exc.problems)
    cfg = resolved.config
    rows: list[tuple[str, Any, str]] = []
    for key, value, origin in resolved.values():
        shown = display_path(value, cwd) if isinstance(value, Path) else value
        rows.append((key.toml, shown, origin.describe(cwd)))
    formatter = [("line-length", cfg.black.line_length if cfg.black else 88, resolved.line_origin.describe(cwd)),
                 ("skip-string-normalization", cfg.black.skip_string_normalization if cfg.black else False,
                  resolved.string_origin.describe(cwd))]
    source = display_path(resolved.source, cwd) if resolved.source else None
    if fmt == "json":
        report.json({
            "config_file": source,
            "keys": {name: {"value": list(v) if isinstance(v, tuple) else v, "origin": origin} for name, v, origin in rows},
            "formatter": {name: {"value": v, "origin": origin} for name, v, origin in formatter},
        })
        return
    lines = [f"# configuration file: {source or 'none (defaults)'}"]
    width = max(len(f"{name} = {_toml_value(v)}") for name, v, _ in rows + formatter)
    lines += [f"{name} = {_toml_value(v)}".ljust(width) + f"  # {origin}" for name, v, origin in rows]
    lines.append("# the target's formatter settings ([tool.black] wins over ruff's line-length)")
    lines += [f"{name} = {_toml_value(v)}".ljust(width) + f"  # {origin}" for name, v, origin in formatter]
    report.out("\n".join(lines))


def schema(
    out: Annotated[Optional[Path], o.output_option("Write the schema to PATH instead of stdout.")] = None,
    quiet: o.Quiet = False,
) -> None:
    """The JSON Schema of spec files, for editors.

    Editors that use yaml-language-server (VS Code, Neovim, ...) complete and check spec files
    with it.
    """
    from eventmod.spec.schema import json_schema

    report = c.reporter(o.Common(quiet=quiet))
    target = c.output_target(out, report, "--out")
    text = json.dumps(json_schema(), indent=2) + "\n"
    if target is None:
        report.raw(text)
        return
    c.write_output(target, text, report, "--out")
    report.note(f"wrote {report.show(str(target))}")
