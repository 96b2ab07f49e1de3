"""`python -m libcst.tool codemod inject_events.InjectEvents ...`: see eventmod.codemods."""

from eventmod.codemods.inject_events import InjectEvents

__all__ = ["InjectEvents"]
