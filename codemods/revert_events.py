"""`python -m libcst.tool codemod revert_events.RevertEvents ...`: see eventmod.codemods."""

from eventmod.codemods.revert_events import RevertEvents

__all__ = ["RevertEvents"]
