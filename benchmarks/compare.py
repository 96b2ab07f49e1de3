"""`python -m benchmarks.compare BASE [--repeat N]`: this checkout against another one.

BASE is a directory holding another version of the package (e.g. `git archive <rev> | tar -x
-C /tmp/base`). Both run `python -m eventmod dry-run --jobs 1` on the same projects (the
fixture catalog, a 200k-line synthetic repository with 800 events, one 2,000-line file with 1
and with 100 events), alternately, with bytecode caching on and a shared warm format cache;
the figure is the best child CPU time (user + sys) of N runs, which other load on a shared
machine disturbs less than wall time. Exit codes and the number of added lines must match.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import synthetic

REPO = Path(__file__).resolve().parent.parent


def _cpu_run(code: Path, project: Path, cache: Path) -> tuple[float, int, int]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(code), EVENTMOD_CACHE_DIR=str(cache), NO_COLOR="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-m", "eventmod", "dry-run", "--jobs", "1"], cwd=project, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, proc.returncode, proc.stdout.count(b"\n+")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        synthetic.generate(work / "scale", total_lines=200_000, files=200, target_files=80, events=800)
        single = synthetic.generate_single(work / "events", lines=2_000, events=(1, 100))
        projects = {"fixture catalog": REPO, "scale (200k lines, 800 events)": work / "scale",
                    "one file, 1 event": single[1], "one file, 100 events": single[100]}
        versions = {"base": args.base.resolve(), "this": REPO}
        cache = work / "cache"
        for name, project in projects.items():
            best: dict[str, tuple[float, int, int]] = {}
            for version, code in versions.items():
                _cpu_run(code, project, cache)  # warm: bytecode and format caches
            for _ in range(args.repeat):
                for version, code in versions.items():
                    run = _cpu_run(code, project, cache)
                    if version not in best or run[0] < best[version][0]:
                        best[version] = run
            base, this = best["base"], best["this"]
            same = "" if base[1:] == this[1:] else f"  DIFFERENT OUTPUT (exit {base[1]}/{this[1]}, +{base[2]}/+{this[2]} lines)"
            print(f"{name:32s} base {base[0]:.3f} s  this {this[0]:.3f} s  ratio {this[0] / base[0]:.3f}{same}")


if __name__ == "__main__":
    main()
