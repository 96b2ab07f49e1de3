"""`python -m benchmarks [--only NAME] [--quick] [--repeat N] [--profile]`, from the repo root.

Every benchmark measures subprocesses end to end (interpreter start included) and reports
figures next to the targets of the "Fast at any size" issue; nothing here passes or fails.
Results: benchmarks/results/<name>.json and benchmarks/results/summary.md (with --quick:
benchmarks/results/quick/).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import pstats
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from benchmarks import synthetic
from benchmarks.observe_load import bench_observe

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
PY = sys.executable
TIME_V = "/usr/bin/time"

# The parse+codegen floor: what any libcst-based codemod pays before doing anything.
FLOOR_SCRIPT = r"""
import sys
import libcst
for path in open(sys.argv[1], encoding="utf-8").read().splitlines():
    with open(path, "rb") as f:
        data = f.read()
    libcst.parse_module(data).code
"""

TARGETS = {
    "catalog_ratio": 1.3,
    "catalog_ratio_stretch": 0.5,
    "scale_ratio_jobs1": 1.5,
    "jobs_speedup": 1.7,
    "events_ratio": 1.2,
    "version_seconds": 0.25,
    "peak_rss_mb": 300.0,
}


# -- helpers -------------------------------------------------------------------------------------
def eventmod_cmd() -> list[str]:
    script = Path(PY).parent / "eventmod"
    return [str(script)] if script.exists() else [PY, "-m", "eventmod"]


def run(cmd: list[str], cwd: Path, *, check: bool = True, env: dict | None = None) -> float:
    """Wall time of one run; stdout is discarded (the diff can be megabytes)."""
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    elapsed = time.perf_counter() - started
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr.decode()[-3000:]}")
    return elapsed


def best_of(commands: dict[str, tuple[list[str], Path]], repeat: int) -> dict[str, float]:
    """Best wall time of each command; rounds are interleaved so drift hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, (cmd, cwd) in commands.items():
            times[name].append(run(cmd, cwd))
    return {name: min(values) for name, values in times.items()}


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
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


def peak_rss(cmd: list[str], cwd: Path) -> dict[str, float]:
    """Peak memory of one run, in MB: `max_process` is the largest single process (GNU time -v's
    "Maximum resident set size", or getrusage(RUSAGE_CHILDREN) where time is missing);
    `tree_sum` is the peak of parent + workers together, sampled from /proc every 20 ms."""
    use_time = Path(TIME_V).exists()
    full = [TIME_V, "-v", *cmd] if use_time else cmd
    proc = subprocess.Popen(full, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_tree = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not stop.is_set():
            pids, queue = [], [proc.pid]
            while queue:
                pid = queue.pop()
                pids.append(pid)
                queue += _children(pid)
            if use_time:
                pids = pids[1:]  # not /usr/bin/time itself
            peak_tree = max(peak_tree, sum(_rss_kb(p) for p in pids))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{stderr.decode()[-3000:]}")
    if use_time:
        match = re.search(rb"Maximum resident set size \(kbytes\): (\d+)", stderr)
        max_process_kb = int(match.group(1)) if match else 0
        how = "/usr/bin/time -v"
    else:  # pragma: no cover - no GNU time
        import resource

        max_process_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # max over all children so far
        how = "getrusage(RUSAGE_CHILDREN)"
    return {"max_process_mb": round(max_process_kb / 1024, 1), "tree_sum_mb": round(peak_tree / 1024, 1), "how": how}


def floor_cmd(files: list[Path], workdir: Path) -> list[str]:
    listing = workdir / "floor_files.txt"
    listing.write_text("\n".join(str(p) for p in files), encoding="utf-8")
    return [PY, "-c", FLOOR_SCRIPT, str(listing)]


def touched_files(cwd: Path, extra: list[str] = ()) -> list[str]:
    """Paths (relative to root) of the files the dry-run changes, read from its diff headers."""
    proc = subprocess.run([*eventmod_cmd(), "dry-run", "--jobs", "1", "--color", "never", *extra], cwd=cwd,
                          capture_output=True, text=True, check=True)
    return [line[len("+++ b/"):] for line in proc.stdout.splitlines() if line.startswith("+++ b/")]


def profile(cmd_args: list[str], cwd: Path, out: Path, top: int = 15) -> list[dict]:
    """cProfile one in-process `--jobs 1` run; the functions with the largest cumulative and own
    time, as shares of the whole run."""
    subprocess.run([PY, "-m", "cProfile", "-o", str(out), "-m", "eventmod", *cmd_args], cwd=cwd,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    stats = pstats.Stats(str(out))
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (file, line, func), (cc, nc, tt, ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({"function": f"{_short(file)}:{line}({func})", "own_s": round(tt, 3), "cum_s": round(ct, 3),
                     "own_share": round(tt / total, 3), "cum_share": round(ct / total, 3)})
    by_own = sorted(rows, key=lambda r: -r["own_s"])[:top]
    interesting = [r for r in rows if "codemods/" in r["function"] or "yaml/" in r["function"] or "black" in r["function"]
                   or "ast.py" in r["function"] or "import" in r["function"]]
    by_cum = sorted(interesting, key=lambda r: -r["cum_s"])[:top]
    return [{"total_s": round(total, 3)}, {"by_own_time": by_own}, {"by_cumulative_time": by_cum}]


def _short(file: str) -> str:
    for marker in ("site-packages/", "/lib/python3", "/work/main/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def environment() -> dict:
    def version(module: str) -> str:
        try:
            from importlib.metadata import version as v

            return v(module)
        except Exception:
            return "?"

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "codemods"], cwd=REPO, capture_output=True, text=True).stdout.strip())
    return {
        "python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
        "libcst": version("libcst"), "black": version("black"), "pyyaml": version("pyyaml"),
        "commit": commit + ("+dirty" if dirty else ""), "date": _dt.datetime.now().isoformat(timespec="seconds"),
    }


def _loadavg() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # pragma: no cover - not on this platform
        return None


def show(label: str, value: str, target: str = "") -> None:
    print(f"  {label:<52} {value:>14}   {target}")


def _s(seconds: float) -> str:
    return f"{seconds:.3f} s"


# -- benchmarks ----------------------------------------------------------------------------------
def bench_floor_vs_eventmod(quick: bool, repeat: int | None, do_profile: bool, work: Path) -> dict:
    """The bundled fixture catalog: floor vs `eventmod dry-run`, run from the repo root."""
    repeat = repeat or (3 if quick else 5)
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["eventmod"]
    root = (REPO / config["root"]).resolve()
    files = touched_files(REPO)
    lines = sum(len((root / f).read_bytes().splitlines()) for f in files)
    best = best_of({
        "floor": (floor_cmd([root / f for f in files], work), REPO),
        "jobs1": ([*eventmod_cmd(), "dry-run", "--jobs", "1"], REPO),
        "default": ([*eventmod_cmd(), "dry-run"], REPO),
        # cold: without the persistent format cache, as on a first run or a fresh CI machine
        "cold": (["env", "EVENTMOD_NO_CACHE=1", *eventmod_cmd(), "dry-run", "--jobs", "1"], REPO),
    }, repeat)
    figures = {
        "files": len(files), "lines": lines, "repeat": repeat,
        "floor_s": round(best["floor"], 4), "dry_run_jobs1_s": round(best["jobs1"], 4),
        "dry_run_default_s": round(best["default"], 4), "default_jobs": os.cpu_count(),
        "dry_run_cold_s": round(best["cold"], 4),
        "ratio_jobs1": round(best["jobs1"] / best["floor"], 3), "ratio_default": round(best["default"] / best["floor"], 3),
        "ratio_cold": round(best["cold"] / best["floor"], 3),
    }
    print(f"floor_vs_eventmod: fixture catalog, {len(files)} files touched ({lines} lines), best of {repeat}")
    show("floor: python + import libcst + parse + codegen", _s(best["floor"]))
    show("eventmod dry-run --jobs 1", _s(best["jobs1"]))
    show(f"eventmod dry-run (default, {os.cpu_count()} jobs)", _s(best["default"]))
    show("ratio --jobs 1 / floor", f"{figures['ratio_jobs1']:.2f}x", f"target <= {TARGETS['catalog_ratio']}x (stretch <= {TARGETS['catalog_ratio_stretch']}x)")
    show("ratio default / floor", f"{figures['ratio_default']:.2f}x", f"target <= {TARGETS['catalog_ratio']}x (stretch <= {TARGETS['catalog_ratio_stretch']}x)")
    show("eventmod dry-run --jobs 1, cold (EVENTMOD_NO_CACHE=1)", _s(best["cold"]), f"ratio {figures['ratio_cold']:.2f}x")
    result = {"figures": figures, "targets": {"ratio": TARGETS["catalog_ratio"], "stretch": TARGETS["catalog_ratio_stretch"]}}
    if do_profile:
        result["profile"] = profile(["dry-run", "--jobs", "1"], REPO, work / "catalog.prof")
    return result


def bench_scale(quick: bool, repeat: int | None, do_profile: bool, work: Path) -> dict:
    repeat = repeat or 3
    size = dict(total_lines=50_000, files=50, target_files=20, events=200) if quick else \
        dict(total_lines=500_000, files=500, target_files=200, events=2_000)
    started = time.perf_counter()
    gen = synthetic.generate(work / "scale", **size)
    generated_in = time.perf_counter() - started
    project = gen.dest
    targets = [gen.root / f for f in gen.target_files]
    target_lines = sum(len(p.read_bytes().splitlines()) for p in targets)
    touched = touched_files(project)
    em = eventmod_cmd()
    best = best_of({
        "floor": (floor_cmd(targets, work), project),
        "jobs1": ([*em, "dry-run", "--jobs", "1"], project),
        "jobs2": ([*em, "dry-run", "--jobs", "2"], project),
    }, repeat)
    rss1 = peak_rss([*em, "dry-run", "--jobs", "1"], project)
    rss2 = peak_rss([*em, "dry-run", "--jobs", "2"], project)
    figures = {
        "files": gen.files, "lines": gen.lines, "target_files": len(targets), "target_lines": target_lines,
        "events": gen.events, "enum_members_added": gen.enum_added, "files_touched": len(touched),
        "repeat": repeat, "generate_s": round(generated_in, 2),
        "floor_s": round(best["floor"], 3), "dry_run_jobs1_s": round(best["jobs1"], 3), "dry_run_jobs2_s": round(best["jobs2"], 3),
        "ratio_jobs1": round(best["jobs1"] / best["floor"], 3), "ratio_jobs2": round(best["jobs2"] / best["floor"], 3),
        "jobs_speedup": round(best["jobs1"] / best["jobs2"], 3),
        "peak_rss_jobs1_mb": rss1["max_process_mb"], "peak_rss_jobs2_mb": rss2["max_process_mb"],
        "peak_rss_jobs1_tree_mb": rss1["tree_sum_mb"], "peak_rss_jobs2_tree_mb": rss2["tree_sum_mb"],
        "rss_method": rss1["how"], "cpus": os.cpu_count(),
    }
    print(f"scale: {gen.files} files / {gen.lines} lines; {gen.events} events in {len(targets)} files "
          f"({target_lines} lines), {gen.enum_added} enum members added, {len(touched)} files touched; best of {repeat}")
    show("floor over the target files (libcst parse + codegen)", _s(best["floor"]))
    show("eventmod dry-run --jobs 1", _s(best["jobs1"]), f"ratio {figures['ratio_jobs1']:.2f}x, target <= {TARGETS['scale_ratio_jobs1']}x")
    show("eventmod dry-run --jobs 2", _s(best["jobs2"]), f"ratio {figures['ratio_jobs2']:.2f}x")
    show("speed-up --jobs 2 vs --jobs 1", f"{figures['jobs_speedup']:.2f}x", f"target >= {TARGETS['jobs_speedup']}x ({os.cpu_count()} CPUs)")
    show("peak RSS --jobs 1 (largest process)", f"{rss1['max_process_mb']:.0f} MB", f"target <= {TARGETS['peak_rss_mb']:.0f} MB")
    show("peak RSS --jobs 2 (largest process)", f"{rss2['max_process_mb']:.0f} MB", f"target <= {TARGETS['peak_rss_mb']:.0f} MB")
    show("peak RSS --jobs 2 (parent + workers, sampled)", f"{rss2['tree_sum_mb']:.0f} MB")
    result = {"figures": figures, "targets": {"ratio_jobs1": TARGETS["scale_ratio_jobs1"], "jobs_speedup": TARGETS["jobs_speedup"],
                                              "peak_rss_mb": TARGETS["peak_rss_mb"]}}
    if do_profile:
        result["profile"] = profile(["dry-run", "--jobs", "1"], project, work / "scale.prof")
    return result


def bench_events_per_file(quick: bool, repeat: int | None, do_profile: bool, work: Path) -> dict:
    repeat = repeat or (3 if quick else 5)
    projects = synthetic.generate_single(work / "events", lines=2_000, events=(1, 100))
    target = projects[1].parent / "repo" / "services" / "order_service.py"
    lines = len(target.read_bytes().splitlines())
    em = eventmod_cmd()
    best = best_of({n: ([*em, "dry-run", "--jobs", "1"], p) for n, p in projects.items()}, repeat)
    cold = best_of({n: (["env", "EVENTMOD_NO_CACHE=1", *em, "dry-run", "--jobs", "1"], p) for n, p in projects.items()}, repeat)
    figures = {"file_lines": lines, "repeat": repeat, "events_1_s": round(best[1], 4), "events_100_s": round(best[100], 4),
               "ratio": round(best[100] / best[1], 3), "per_event_ms": round((best[100] - best[1]) / 99 * 1000, 2),
               "cold_events_1_s": round(cold[1], 4), "cold_events_100_s": round(cold[100], 4),
               "cold_ratio": round(cold[100] / cold[1], 3)}
    print(f"events_per_file: one {lines}-line file, 1 vs 100 events, dry-run --jobs 1, best of {repeat}")
    show("1 event", _s(best[1]))
    show("100 events", _s(best[100]))
    show("ratio 100 / 1", f"{figures['ratio']:.2f}x", f"target <= {TARGETS['events_ratio']}x")
    show("marginal cost per event", f"{figures['per_event_ms']:.2f} ms")
    show("cold (EVENTMOD_NO_CACHE=1): ratio 100 / 1", f"{figures['cold_ratio']:.2f}x", f"{_s(cold[1])} vs {_s(cold[100])}")
    result = {"figures": figures, "targets": {"ratio": TARGETS["events_ratio"]}}
    if do_profile:
        result["profile"] = profile(["dry-run", "--jobs", "1"], projects[100], work / "events.prof")
    return result


def importtime(args: list[str]) -> dict:
    proc = subprocess.run([PY, "-X", "importtime", "-m", "eventmod", *args], cwd=REPO, capture_output=True, text=True)
    total_us, modules, top = 0, [], []
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if not match:
            continue
        own, cumulative, indent, name = int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
        modules.append(name)
        if len(indent) == 1:  # a top-level import (its cumulative time includes its children)
            total_us += cumulative
            top.append((cumulative, name))
    heavy = sorted({m.split(".")[0] for m in modules} & {"libcst", "black", "yaml", "pydantic"})
    return {"top_level_total_ms": round(total_us / 1000, 1), "modules": len(modules), "heavy_imported": heavy,
            "largest": [{"module": n, "ms": round(c / 1000, 1)} for c, n in sorted(top, reverse=True)[:5]]}


def bench_startup(quick: bool, repeat: int | None, do_profile: bool, work: Path) -> dict:
    repeat = repeat or (5 if quick else 10)
    em = eventmod_cmd()
    best = best_of({"version": ([*em, "--version"], REPO), "help": ([*em, "--help"], REPO), "python": ([PY, "-c", "pass"], REPO)}, repeat)
    version_it, help_it = importtime(["--version"]), importtime(["--help"])
    figures = {
        "repeat": repeat, "eventmod_version_s": round(best["version"], 4), "eventmod_help_s": round(best["help"], 4),
        "python_pass_s": round(best["python"], 4), "version_overhead_s": round(best["version"] - best["python"], 4),
        "importtime_version_ms": version_it["top_level_total_ms"], "importtime_help_ms": help_it["top_level_total_ms"],
        "heavy_imported_by_version": version_it["heavy_imported"], "heavy_imported_by_help": help_it["heavy_imported"],
        "largest_imports_version": version_it["largest"],
    }
    print(f"startup: best of {repeat}")
    show("eventmod --version", _s(best["version"]), f"target <= {TARGETS['version_seconds']} s")
    show("eventmod --help", _s(best["help"]))
    show("python -c pass", _s(best["python"]))
    show("-X importtime -m codemods --version, top-level total", f"{version_it['top_level_total_ms']:.1f} ms")
    show("libcst/black/yaml imported by --version / --help", f"{version_it['heavy_imported'] or 'none'} / {help_it['heavy_imported'] or 'none'}")
    return {"figures": figures, "targets": {"version_seconds": TARGETS["version_seconds"]}}


BENCHMARKS = {
    "floor_vs_eventmod": bench_floor_vs_eventmod,
    "scale": bench_scale,
    "events_per_file": bench_events_per_file,
    "startup": bench_startup,
    "observe": bench_observe,
}


# -- summary -------------------------------------------------------------------------------------
def _row(measure: str, figure: str, target: str, met: bool | None) -> str:
    mark = "" if met is None else ("yes" if met else "**no**")
    return f"| {measure} | {figure} | {target} | {mark} |"


def summary_markdown(results: dict[str, dict]) -> str:
    rows = ["| measure | figure | target | met |", "| --- | --- | --- | --- |"]
    if "floor_vs_eventmod" in results:
        f = results["floor_vs_eventmod"]["figures"]
        rows.append(_row(f"fixture catalog ({f['files']} files, {f['lines']} lines): floor (python + libcst parse + codegen)", _s(f["floor_s"]), "", None))
        rows.append(_row("fixture catalog: `eventmod dry-run --jobs 1`", f"{_s(f['dry_run_jobs1_s'])} ({f['ratio_jobs1']:.2f}x floor)", "<= 1.3x (stretch <= 0.5x)", f["ratio_jobs1"] <= TARGETS["catalog_ratio"]))
        rows.append(_row(f"fixture catalog: `eventmod dry-run` (default, {f['default_jobs']} jobs)", f"{_s(f['dry_run_default_s'])} ({f['ratio_default']:.2f}x floor)", "<= 1.3x (stretch <= 0.5x)", f["ratio_default"] <= TARGETS["catalog_ratio"]))
        if "dry_run_cold_s" in f:
            rows.append(_row("fixture catalog: `dry-run --jobs 1`, cold (no format cache: first run)", f"{_s(f['dry_run_cold_s'])} ({f['ratio_cold']:.2f}x floor)", "<= 1.3x", f["ratio_cold"] <= TARGETS["catalog_ratio"]))
    if "scale" in results:
        f = results["scale"]["figures"]
        rows.append(_row(f"scale ({f['lines']:,} lines in {f['files']} files; {f['events']:,} events in {f['target_files']} files, {f['target_lines']:,} lines): floor", _s(f["floor_s"]), "", None))
        rows.append(_row("scale: `dry-run --jobs 1`", f"{_s(f['dry_run_jobs1_s'])} ({f['ratio_jobs1']:.2f}x floor)", "<= 1.5x floor", f["ratio_jobs1"] <= TARGETS["scale_ratio_jobs1"]))
        rows.append(_row("scale: `dry-run --jobs 2`", f"{_s(f['dry_run_jobs2_s'])} ({f['ratio_jobs2']:.2f}x floor)", "", None))
        rows.append(_row(f"scale: speed-up --jobs 2 vs 1 ({f['cpus']} CPUs)", f"{f['jobs_speedup']:.2f}x", ">= 1.7x", f["jobs_speedup"] >= TARGETS["jobs_speedup"]))
        rows.append(_row("scale: peak RSS --jobs 1", f"{f['peak_rss_jobs1_mb']:.0f} MB", "<= 300 MB", f["peak_rss_jobs1_mb"] <= TARGETS["peak_rss_mb"]))
        rows.append(_row("scale: peak RSS --jobs 2 (largest process; parent + workers)", f"{f['peak_rss_jobs2_mb']:.0f} MB; {f['peak_rss_jobs2_tree_mb']:.0f} MB", "<= 300 MB", f["peak_rss_jobs2_mb"] <= TARGETS["peak_rss_mb"]))
    if "events_per_file" in results:
        f = results["events_per_file"]["figures"]
        rows.append(_row(f"one {f['file_lines']:,}-line file: 1 event vs 100 events", f"{_s(f['events_1_s'])} vs {_s(f['events_100_s'])} ({f['ratio']:.2f}x)", "<= 1.2x", f["ratio"] <= TARGETS["events_ratio"]))
        if "cold_ratio" in f:
            rows.append(_row("same, cold (no format cache)", f"{_s(f['cold_events_1_s'])} vs {_s(f['cold_events_100_s'])} ({f['cold_ratio']:.2f}x)", "<= 1.2x", f["cold_ratio"] <= TARGETS["events_ratio"]))
    if "startup" in results:
        f = results["startup"]["figures"]
        rows.append(_row("`eventmod --version` (`python -c pass`)", f"{_s(f['eventmod_version_s'])} ({_s(f['python_pass_s'])})", "<= 0.25 s", f["eventmod_version_s"] <= TARGETS["version_seconds"]))
        heavy = ", ".join(f["heavy_imported_by_version"]) or "none"
        rows.append(_row("`python -X importtime -m codemods --version`: top-level imports", f"{f['importtime_version_ms']:.0f} ms; libcst/black/yaml: {heavy}", "no libcst, no black", not f["heavy_imported_by_version"]))
    if "observe" in results:
        for backend, f in results["observe"]["figures"].items():
            if "skipped" in f:
                rows.append(_row(f"`eventmod observe`, {backend}", f"skipped: {f['skipped']}", "", None))
                continue
            rows.append(_row(f"`eventmod observe` over {f['rows']:,} rows, {backend}",
                             f"{_s(f['observe_s'])} wall, {_s(f['observe_cpu_s'])} CPU (load average {f['loadavg_1min']:.1f})",
                             "seconds", f["observe_s"] <= 10.0))
            rows.append(_row(f"`eventmod timeline --position-id` over {f['rows']:,} rows, {backend}: no index / indexes",
                             f"{_s(f['timeline_position_no_index_s'])} / {_s(f['timeline_position_indexed_s'])} wall", "", None))
    env = next(iter(results.values())).get("environment", {})
    note = (f"\nMeasured {env.get('date', '?')} at {env.get('commit', '?')} on Python {env.get('python', '?')}, "
            f"{env.get('cpus', '?')} CPUs, libcst {env.get('libcst', '?')}; wall times are the best of N subprocess runs, "
            "interpreter start included. Floor = a subprocess that starts Python, imports libcst and runs "
            "`parse_module` + `.code` on exactly the files eventmod changes (scale: the target files).\n")
    return "\n".join(rows) + "\n" + note


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS), help="run only this benchmark (repeatable)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats, for a smoke run")
    parser.add_argument("--repeat", type=int, help="override the number of runs per measurement (best of N)")
    parser.add_argument("--profile", action="store_true", help="also cProfile one --jobs 1 dry-run per benchmark")
    args = parser.parse_args(argv)
    out_dir = RESULTS / "quick" if args.quick else RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    env = environment()
    print(f"eventmod benchmarks ({'quick' if args.quick else 'full'}): Python {env['python']}, {env['cpus']} CPUs, "
          f"libcst {env['libcst']}, commit {env['commit']}; eventmod = {' '.join(eventmod_cmd())}\n")
    for name in args.only or list(BENCHMARKS):
        with tempfile.TemporaryDirectory(prefix=f"eventmod-bench-{name}-") as tmp:
            started, load_before = time.perf_counter(), _loadavg()
            result = BENCHMARKS[name](args.quick, args.repeat, args.profile, Path(tmp))
            # The load average shows whether other work shared the CPUs during the run.
            result = {"name": name, "quick": args.quick, "environment": env, **result,
                      "benchmark_wall_s": round(time.perf_counter() - started, 1),
                      "loadavg_1min_before_after": [load_before, _loadavg()]}
            print(f"  (load average before/after: {load_before} / {_loadavg()})")
        partial = out_dir / f"{name}.json.tmp"
        partial.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        os.replace(partial, out_dir / f"{name}.json")
        print()
    results = {}
    for name in BENCHMARKS:
        path = out_dir / f"{name}.json"
        if path.exists():
            results[name] = json.loads(path.read_text(encoding="utf-8"))
    summary = summary_markdown(results)
    (out_dir / "summary.md").write_text(summary, encoding="utf-8")
    print(summary)
    print(f"results: {out_dir.relative_to(REPO)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
