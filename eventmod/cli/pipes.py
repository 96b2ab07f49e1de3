"""A closed stdout is not an error (imported at start-up: no typer, nothing heavy)."""

from __future__ import annotations

import os
from typing import Any


class PipeSafeStdout:
    """sys.stdout that survives the reader going away (`eventmod dry-run | head`): after the
    first broken pipe, output goes to /dev/null and the command finishes normally."""

    def __init__(self, stream: Any):
        self._stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._drop()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._drop()

    def _drop(self) -> None:
        self.broken = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):  # pragma: no cover - no file descriptor behind the stream
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
