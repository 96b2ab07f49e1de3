"""How the benchmarks measure: child processes timed from outside, rounds alternated.

Every figure is a whole process (interpreter start included). Its CPU time is the operating
system's own accounting of the finished child, `os.wait4`'s user + system seconds, which
include the workers it waited for; wall time is read around it. Commands that are compared run
in turn (A B C A B C ...), so drift in the machine's speed hits them alike, and each figure is
the median of the rounds (one lucky or unlucky run does not move it).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Command:
    """One command to time: argv, working directory, extra environment."""

    argv: tuple[str, ...]
    cwd: Path
    env: tuple[tuple[str, str], ...] = ()
    ok_codes: tuple[int, ...] = (0,)

    def environment(self) -> dict[str, str]:
        return child_environment(dict(self.env))


def child_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every measured child: bytecode caching on (a user's normal setup:
    PYTHONDONTWRITEBYTECODE would make each run compile eventmod's modules again), no colour."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "EVENTMOD_NO_CACHE", "PYTHONPROFILEIMPORTTIME")}
    env["NO_COLOR"] = "1"
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class Run:
    cpu: float  # user + system seconds of the child and the children it waited for
    wall: float
    maxrss_mb: float  # the largest single process (the child or one of its waited-for children)


def run_once(command: Command) -> Run:
    """Start `command`, discard its output, and read its rusage from `os.wait4`."""
    started = time.perf_counter()
    proc = subprocess.Popen(command.argv, cwd=command.cwd, env=command.environment(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    # stderr is small (a summary line); read it in a thread so a chatty child never blocks.
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(proc.stderr.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    reader.join()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in command.ok_codes:
        raise RuntimeError(f"{' '.join(command.argv)} exited {proc.returncode}:\n{b''.join(chunks).decode(errors='replace')[-3000:]}")
    return Run(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024)


@dataclass
class Figure:
    """The runs of one command and their medians."""

    runs: list[Run] = field(default_factory=list)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu_spread(self) -> tuple[float, float]:
        return min(r.cpu for r in self.runs), max(r.cpu for r in self.runs)

    def as_json(self) -> dict:
        low, high = self.cpu_spread
        return {"cpu_s": round(self.cpu, 4), "wall_s": round(self.wall, 4), "cpu_min_s": round(low, 4),
                "cpu_max_s": round(high, 4), "rounds": len(self.runs),
                "maxrss_mb": round(max(r.maxrss_mb for r in self.runs), 1)}


def rounds(commands: dict[str, Command], count: int, warmup: int = 1) -> dict[str, Figure]:
    """Each command `warmup` times (not counted: bytecode and format caches), then `count`
    alternating rounds."""
    for _ in range(warmup):
        for command in commands.values():
            run_once(command)
    figures = {name: Figure() for name in commands}
    for _ in range(count):
        for name, command in commands.items():
            figures[name].runs.append(run_once(command))
    return figures


# -- instructions -----------------------------------------------------------------------------------
def instructions(command: Command) -> int | None:
    """The instructions `command` executes, its child processes included, counted by valgrind's
    callgrind: unlike seconds, the same on a busy machine as on an idle one, so a ratio of two
    counts does not move between runs. Run once first (bytecode and caches as the timed rounds
    see them). None when valgrind is not installed."""
    import re
    import shutil
    import tempfile

    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    run_once(command)
    with tempfile.TemporaryDirectory() as out:
        proc = subprocess.run([valgrind, "--tool=callgrind", "--trace-children=yes", f"--callgrind-out-file={out}/callgrind.%p",
                               *command.argv], cwd=command.cwd, env=command.environment(), stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
    counts = [int(n) for n in re.findall(r"Collected : (\d+)", proc.stderr)]
    if proc.returncode not in command.ok_codes or not counts:
        raise RuntimeError(f"callgrind: {' '.join(command.argv)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return sum(counts)


# -- memory ---------------------------------------------------------------------------------------
def _rss_kb(pid: int, field: str = "VmRSS:") -> int:
    """A process's resident size (or, with "VmHWM:", its high-water mark since it exec'd)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return found


@dataclass(frozen=True)
class Memory:
    total_mb: float  # peak of the parent + workers together, sampled from /proc every 10 ms
    # The largest single process: its VmHWM, sampled. Not wait4's ru_maxrss, which counts the
    # benchmark's own forked process before it exec'd (the size of the benchmark, ~130 MB once it
    # generated a 1M-line repo).
    largest_mb: float
    cpu: float
    wall: float


def peak_memory(command: Command) -> Memory:
    """Peak resident memory of one run: the whole process tree summed (sampled) and the
    largest single process (exact, from the kernel)."""
    started = time.perf_counter()
    proc = subprocess.Popen(command.argv, cwd=command.cwd, env=command.environment(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = largest = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, largest
        while not stop.is_set():
            pids, queue = [], [proc.pid]
            while queue:
                pid = queue.pop()
                pids.append(pid)
                queue += _children(pid)
            peak = max(peak, sum(_rss_kb(p) for p in pids))
            largest = max(largest, *(_rss_kb(p, "VmHWM:") for p in pids))
            stop.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in command.ok_codes:
        raise RuntimeError(f"{' '.join(command.argv)} exited {proc.returncode}")
    return Memory(round(peak / 1024, 1), round(largest / 1024, 1), usage.ru_utime + usage.ru_stime, wall)


def loadavg() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # pragma: no cover - not on this platform
        return None
