"""LibCST codemod commands that run eventmod from inside LibCST's own runner.

List this package in a repository's `.libcst.codemod.yaml`:

    modules:
      - 'eventmod.codemods'

then run `python -m libcst.tool codemod inject_events.InjectEvents [--specs DIR] [--root DIR]
[selectors] PATH...` (or `revert_events.RevertEvents`). The commands plan through the public
core (`eventmod.api`) and hand LibCST eventmod's bytes; see `eventmod.codemods.command`.

This is the only part of eventmod that imports libcst; nothing else imports this package.
"""
