"""The logger contract: what the target's logger accepts, read from its source (never imported)."""

from __future__ import annotations

from typing import Callable

from eventmod.analysis.checks import log_event_parameters, signature_problems
from eventmod.model.problems import Problem
from eventmod.model.settings import Config
from eventmod.model.spec import EventSpec
from eventmod.pyast.source import Loaded


def contract_problems(config: Config, events: list[EventSpec], load: Callable[[str], Loaded | Problem],
                      overlay: tuple[tuple[str, bytes], ...] = ()) -> list[Problem]:
    """kwargs the target's own `log_event` does not accept (read from `logger_module`)."""
    rel = config.logger_module.replace(".", "/")
    for candidate in (f"{rel}.py", f"{rel}/__init__.py"):
        if (config.root / candidate).is_file() or candidate in dict(overlay):
            loaded = load(candidate)
            if isinstance(loaded, Problem):
                return [loaded]
            found = log_event_parameters(loaded[1])
            if found is None:
                return [Problem(candidate, 0, "no `log_event` definition found; eventmod cannot check the kwargs the specs pass", severity="warning")]
            accepted, has_var_kwargs = found
            return [] if has_var_kwargs else signature_problems(events, accepted, candidate)
    return []
