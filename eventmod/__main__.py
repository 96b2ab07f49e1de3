"""`eventmod` and `python -m eventmod`: `eventmod --version` answers without importing the
command line (typer) or any of the engine; every other invocation runs `eventmod.cli.app`."""

import os
import sys

from eventmod import __version__


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        try:
            sys.stdout.write(f"eventmod {__version__}\n")
            sys.stdout.flush()
        except BrokenPipeError:  # the reader went away (`eventmod --version | true`): not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        return
    from eventmod.cli.app import main as run

    run()


if __name__ == "__main__":
    main()
