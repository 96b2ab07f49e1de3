"""This repository's LibCST codemod commands (listed in `.libcst.codemod.yaml`).

Thin re-exports of the commands the installed package ships in `eventmod.codemods`; from the
repository root:

    python -m libcst.tool codemod inject_events.InjectEvents --specs event_specs fixtures/tradingbot
    python -m libcst.tool codemod revert_events.RevertEvents --specs event_specs fixtures/tradingbot

Not installed: pyproject's package discovery includes only `eventmod*`.
"""
