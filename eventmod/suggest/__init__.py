"""`eventmod suggest`: draft spec entries from the logger calls of a file."""

from eventmod.suggest.drafts import MIN_LEVELS, Outcome, draft, run, suggest

__all__ = ["MIN_LEVELS", "Outcome", "draft", "run", "suggest"]
