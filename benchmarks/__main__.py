"""`python -m benchmarks [--only NAME] [--quick] [--rounds N] [--profile]`, from the repo root.

Every benchmark times whole processes (interpreter start included) next to the peers it is
compared with, in alternating rounds; the figure is the median CPU time (user + system of the
child and its workers, from `os.wait4`), with the median wall time beside it. Nothing here
passes or fails: each figure is printed next to its goal. Results: benchmarks/results/<name>.json
and benchmarks/results/summary.md (with --quick: benchmarks/results/quick/).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import pstats
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from benchmarks import peers, synthetic
from benchmarks.measure import Command, Figure, child_environment, instructions, loadavg, peak_memory, rounds
from benchmarks.observe_load import bench_observe

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
PY = sys.executable

# The goals of the issue "Ahead of ast-grep" (figures, not pass/fail).
GOALS = {
    "catalog_vs_floor": 0.3,  # eventmod dry-run (warm and cold) / libcst floor
    "catalog_vs_astgrep": 1.0,  # eventmod dry-run / ast-grep
    "scale_vs_minimum": 2.0,  # --jobs 1 / minimum at 500k lines
    "jobs_speedup": 1.8,  # wall --jobs 1 / --jobs 2
    "memory_mb": 150.0,  # parent + workers at 1M lines, 2 jobs
    "fixed_vs_peer": 2.0,  # each command's fixed cost / (python -c pass + the imports it needs)
    "checks_overhead": 0.10,  # house style + logger contract checks, share of a run
}


# Caches filled, but no plan remembered: every file is planned again (`transform.plan_cache`).
NO_PLAN_CACHE = ("EVENTMOD_NO_PLAN_CACHE", "1")


# -- helpers -------------------------------------------------------------------------------------
def eventmod_argv(*args: str) -> tuple[str, ...]:
    script = Path(PY).parent / "eventmod"
    return (str(script), *args) if script.exists() else (PY, "-m", "eventmod", *args)


def touched_files(cwd: Path, env: dict[str, str] | None = None) -> list[str]:
    """Paths (relative to root) of the files the dry-run changes, read from its diff headers."""
    proc = subprocess.run([*eventmod_argv("dry-run", "--jobs", "1", "--relative", "--color", "never")], cwd=cwd,
                          capture_output=True, text=True, check=True, env=child_environment(env))
    return [line[len("+++ b/"):] for line in proc.stdout.splitlines() if line.startswith("+++ b/")]


def profile(args: list[str], cwd: Path, out: Path, env: dict[str, str] | None = None, top: int = 20) -> list[dict]:
    """cProfile one in-process `--jobs 1` run: the functions with the largest own and cumulative
    time, as shares of the whole run."""
    subprocess.run([PY, "-m", "cProfile", "-o", str(out), "-m", "eventmod", *args], cwd=cwd, env=child_environment(env),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    stats = pstats.Stats(str(out))
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (file, line, func), (cc, nc, tt, ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({"function": f"{_short(file)}:{line}({func})", "own_s": round(tt, 3), "cum_s": round(ct, 3),
                     "own_share": round(tt / total, 3), "cum_share": round(ct / total, 3)})
    by_own = sorted(rows, key=lambda r: -r["own_s"])[:top]
    ours = [r for r in rows if "eventmod/" in r["function"]]
    by_cum = sorted(ours, key=lambda r: -r["cum_s"])[:top]
    return [{"total_s": round(total, 3)}, {"by_own_time": by_own}, {"by_cumulative_time": by_cum}]


def cumulative_share(stats_file: Path, functions: tuple[str, ...]) -> dict[str, float]:
    """The cumulative time of each named eventmod function, as a share of the whole run."""
    stats = pstats.Stats(str(stats_file))
    total = stats.total_tt  # type: ignore[attr-defined]
    shares = {name: 0.0 for name in functions}
    for (file, line, func), (cc, nc, tt, ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        if "eventmod" in file and func in shares:
            shares[func] += ct / total
    return {name: round(share, 4) for name, share in shares.items()}


def _short(file: str) -> str:
    for marker in ("site-packages/", "/lib/python3", str(REPO) + "/"):
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
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "eventmod"], cwd=REPO, capture_output=True, text=True).stdout.strip())
    astgrep = peers.astgrep_binary()
    astgrep_version = subprocess.run([astgrep, "--version"], capture_output=True, text=True).stdout.strip() if astgrep else "not installed"
    return {
        "python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
        "libcst": version("libcst"), "black": version("black"), "pyyaml": version("pyyaml"), "typer": version("typer"),
        "ast_grep": astgrep_version, "commit": commit + ("+dirty" if dirty else ""),
        "date": _dt.datetime.now().isoformat(timespec="seconds"),
    }


def show(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<58} {value:>22}   {note}")


def _cpu(f: Figure) -> str:
    return f"{f.cpu:.3f} s ({f.wall:.3f} wall)"


def _ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else float("inf")


def _config_toml(keys: dict) -> str:
    """eventmod configuration keys as TOML `key = value` lines (paths written as strings)."""
    return "".join(f"{k} = {json.dumps(str(v) if isinstance(v, Path) else v)}\n" for k, v in keys.items())


def _lines(root: Path, files: list[str]) -> int:
    return sum(len((root / f).read_bytes().splitlines()) for f in files)


# -- the catalog -----------------------------------------------------------------------------------
def bench_catalog(quick: bool, count: int | None, do_profile: bool, work: Path) -> dict:
    """The bundled catalog: eventmod dry-run warm and cold against the minimum, the libcst floor,
    ast-grep and a libcst codemod, all over the files the dry-run changes."""
    count = count or (3 if quick else 5)
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["eventmod"]
    root = (REPO / config["root"]).resolve()
    specs = (REPO / config["specs"]).resolve()
    cache = {"EVENTMOD_CACHE_DIR": str(work / "cache")}
    files = touched_files(REPO, cache)
    paths = [root / f for f in files]
    # the same configuration with the house style fixed (`style = "black"`): learning's cost
    fixed_style = work / "fixed-style.toml"
    fixed_style.write_text(_config_toml({**config, "root": root, "specs": specs, "style": "black"}), encoding="utf-8")
    # "warm": a repeated run, every cache filled (the plans too); "replanned": the caches filled
    # but every file planned again (what a run over changed files pays); "cold": no cache at all
    replanned = (*cache.items(), NO_PLAN_CACHE)
    commands = {
        "minimum": Command(peers.minimum_argv(paths, work), REPO),
        "floor": Command(peers.floor_argv(paths, work), REPO),
        "warm": Command(eventmod_argv("dry-run"), REPO, tuple(cache.items())),
        "replanned": Command(eventmod_argv("dry-run"), REPO, replanned),
        "cold": Command(eventmod_argv("dry-run"), REPO, (("EVENTMOD_NO_CACHE", "1"),)),
        # style learning's cost is in planning: both sides of the A/B plan every file
        "warm_fixed_style": Command(eventmod_argv("dry-run", "--config", str(fixed_style)), REPO, replanned),
    }
    applied = _applied_copy(config, root, specs, work, cache)
    commands["check_applied"] = Command(eventmod_argv("check", "--config", str(applied)), REPO, replanned)
    # what a cold run cannot avoid: Python, typer and yaml, and parsing the files and the inserted code
    bound_argv, bound_lines = peers.cold_bound_argv(paths, [applied.parent / "root" / f for f in files], work)
    commands["cold_bound"] = Command(bound_argv, REPO)
    astgrep = peers.astgrep_binary()
    rules = 0
    if astgrep:
        sg_config, rules = peers.astgrep_project(specs, work / "ast-grep")
        commands["ast_grep"] = Command(peers.astgrep_argv(astgrep, sg_config, root), work / "ast-grep")
    commands["codemod"] = Command(peers.codemod_argv(root, specs), REPO)
    figures = rounds(commands, count)
    floor, minimum = figures["floor"], figures["minimum"]
    result: dict = {
        "files": len(files), "lines": _lines(root, files), "rounds": count, "ast_grep_rules": rules, "cold_bound_lines": bound_lines,
        "events": len(peers.after_log_events(specs)),
        "figures": {name: f.as_json() for name, f in figures.items()},
        "ratios": {
            name: {"vs_floor": _ratio(figures[name].cpu, floor.cpu), "vs_minimum": _ratio(figures[name].cpu, minimum.cpu),
                   **({"vs_ast_grep": _ratio(figures[name].cpu, figures["ast_grep"].cpu)} if "ast_grep" in figures else {})}
            for name in figures
        },
    }
    result["style_learning_overhead"] = round(figures["replanned"].cpu / figures["warm_fixed_style"].cpu - 1, 3)
    if not quick:
        result["instructions"] = _instructions(commands, ("minimum", "floor", "ast_grep", "cold_bound", "warm", "replanned", "cold",
                                                          "warm_fixed_style", "check_applied"))
    print(f"catalog: {len(files)} files touched ({result['lines']} lines); CPU medians of {count} alternating rounds")
    for name, label in (("minimum", "minimum: python + read + ast.parse"), ("floor", "libcst floor: parse_module + .code"),
                        ("ast_grep", f"ast-grep scan, {rules} rules (after_log events)"),
                        ("codemod", "LibCST codemod (VisitorBasedCodemodCommand)"),
                        ("cold_bound", f"cold lower bound: python + typer + yaml + ast.parse (files, {bound_lines} inserted lines)"),
                        ("warm", "eventmod dry-run, warm (plans remembered)"),
                        ("replanned", "eventmod dry-run, warm, every file planned again"),
                        ("cold", "eventmod dry-run, cold (EVENTMOD_NO_CACHE=1)"),
                        ("warm_fixed_style", "eventmod dry-run, planned again, style = \"black\""),
                        ("check_applied", "eventmod check after apply (every block present, planned)")):
        if name not in figures:
            show(label, "skipped", "ast-grep is not installed (pip install ast-grep-cli)")
            continue
        r = result["ratios"][name]
        note = f"{r['vs_floor']:.2f}x floor, {r['vs_minimum']:.1f}x minimum" + (f", {r['vs_ast_grep']:.2f}x ast-grep" if "vs_ast_grep" in r else "")
        show(label, _cpu(figures[name]), note)
    _show_instructions(result.get("instructions"), {"warm": ("floor", "ast_grep"), "replanned": ("floor", "ast_grep", "warm_fixed_style"),
                                                    "cold_bound": ("floor", "ast_grep"), "cold": ("floor", "ast_grep", "cold_bound"),
                                                    "check_applied": ("floor",)})
    stats = work / "catalog.prof"
    subprocess.run([PY, "-m", "cProfile", "-o", str(stats), "-m", "eventmod", "dry-run", "--jobs", "1"], cwd=REPO,
                   env=child_environment(cache), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    result["checks_share"] = cumulative_share(stats, ("learn_house_style", "contract_problems", "runtime_problems",
                                                       "unknown_member_problems", "imported_by"))
    show("house style + logger contract checks (cProfile share)", f"{sum(result['checks_share'].values()):.1%}",
         f"style learning A/B: {result['style_learning_overhead']:+.1%}")
    if do_profile:
        result["profile"] = profile(["dry-run", "--jobs", "1"], REPO, work / "catalog-full.prof", cache)
    return result


def _applied_copy(config: dict, root: Path, specs: Path, work: Path, cache: dict[str, str]) -> Path:
    """A copy of the catalog's code with every event applied (what `check` reads in CI once the
    rollout is done), and the configuration file that points at it."""
    copy = work / "applied"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy / "root")
    shutil.copytree(specs, copy / "specs")
    settings = copy / "eventmod.toml"
    settings.write_text(_config_toml({**config, "root": copy / "root", "specs": copy / "specs"}), encoding="utf-8")
    subprocess.run([*eventmod_argv("apply", "--config", str(settings), "--jobs", "1")], cwd=REPO, env=child_environment(cache),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return settings


# -- scale -----------------------------------------------------------------------------------------
def bench_scale(quick: bool, count: int | None, do_profile: bool, work: Path) -> dict:
    """The 500k-line synthetic repository: --jobs 1 against the minimum, the --jobs 2 speed-up."""
    count = count or (3 if quick else 5)
    size = dict(total_lines=50_000, files=50, target_files=20, events=200) if quick else \
        dict(total_lines=500_000, files=500, target_files=200, events=2_000)
    started = time.perf_counter()
    gen = synthetic.generate(work / "scale", **size)
    generated_in = time.perf_counter() - started
    project = gen.dest
    cache = {"EVENTMOD_CACHE_DIR": str(work / "cache")}
    files = touched_files(project, cache)
    paths = [gen.root / f for f in files]
    # every file planned (the plan cache off): the goals are about planning's throughput
    planning = (*cache.items(), NO_PLAN_CACHE)
    commands = {
        "minimum": Command(peers.minimum_argv(paths, work), project),
        "floor": Command(peers.floor_argv(paths, work), project),
        "jobs1": Command(eventmod_argv("dry-run", "--jobs", "1"), project, planning),
        "jobs2": Command(eventmod_argv("dry-run", "--jobs", "2"), project, planning),
        "halves": Command(_halves_at_once(project), project, planning),
        "remembered": Command(eventmod_argv("dry-run", "--jobs", "1"), project, tuple(cache.items())),
    }
    figures = rounds(commands, count)
    memory = peak_memory(Command(eventmod_argv("dry-run", "--jobs", "2"), project, planning))
    result = {
        "files": gen.files, "lines": gen.lines, "target_files": len(gen.target_files), "events": gen.events,
        "enum_members_added": gen.enum_added, "files_touched": len(files), "touched_lines": _lines(gen.root, files),
        "rounds": count, "generate_s": round(generated_in, 2), "cpus": os.cpu_count(),
        "figures": {name: f.as_json() for name, f in figures.items()},
        "jobs1_vs_minimum": _ratio(figures["jobs1"].cpu, figures["minimum"].cpu),
        "jobs1_vs_floor": _ratio(figures["jobs1"].cpu, figures["floor"].cpu),
        "jobs_speedup": _ratio(figures["jobs1"].wall, figures["jobs2"].wall),
        "remembered_vs_minimum": _ratio(figures["remembered"].cpu, figures["minimum"].cpu),
        "ceiling_speedup": _ratio(figures["jobs1"].wall, figures["halves"].wall),
        "memory_jobs2": {"total_mb": memory.total_mb, "largest_mb": memory.largest_mb},
    }
    print(f"scale: {gen.files} files / {gen.lines:,} lines; {gen.events} events in {len(gen.target_files)} files, "
          f"{len(files)} files touched ({result['touched_lines']:,} lines); CPU medians of {count} alternating rounds")
    show("minimum: python + read + ast.parse", _cpu(figures["minimum"]))
    show("libcst floor: parse_module + .code", _cpu(figures["floor"]))
    show("eventmod dry-run --jobs 1", _cpu(figures["jobs1"]),
         f"{result['jobs1_vs_minimum']:.2f}x minimum (goal <= {GOALS['scale_vs_minimum']}x), {result['jobs1_vs_floor']:.2f}x floor")
    show("eventmod dry-run --jobs 2", _cpu(figures["jobs2"]),
         f"speed-up (wall) {result['jobs_speedup']:.2f}x (goal >= {GOALS['jobs_speedup']}x on {os.cpu_count()} CPUs)")
    show("ceiling: two --jobs 1 runs, half the specs each, at once", _cpu(figures["halves"]),
         f"speed-up (wall) {result['ceiling_speedup']:.2f}x: what this machine gives two processes")
    show("eventmod dry-run --jobs 1, plans remembered", _cpu(figures["remembered"]),
         f"{result['remembered_vs_minimum']:.2f}x minimum")
    show("peak memory --jobs 2: parent + workers; largest process", f"{memory.total_mb:.0f} MB; {memory.largest_mb:.0f} MB")
    if do_profile:
        result["profile"] = profile(["dry-run", "--jobs", "1"], project, work / "scale.prof", cache)
    return result


def _halves_at_once(project: Path) -> tuple[str, ...]:
    """The parallel ceiling of this machine for this work: the spec files split in two (every
    other file), and two `dry-run --jobs 1` processes, one a half, started at once. Each pays
    the whole start and plans the enum file, so this is work `--jobs 2` does not have to do;
    what it measures is how much faster two busy processes finish than one on these CPUs (a
    shared core, memory bandwidth and caches make it less than 2x)."""
    specs = sorted((project / "specs").glob("*.yaml"))
    runs = []
    for half, chosen in (("a", specs[0::2]), ("b", specs[1::2])):
        folder = project / f"specs-half-{half}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        for spec in chosen:
            shutil.copyfile(spec, folder / spec.name)
        runs.append(shlex.join(eventmod_argv("dry-run", "--jobs", "1", "--specs", str(folder))) + " >/dev/null")
    return ("sh", "-c", f"{runs[0]} & {runs[1]}; wait")


def bench_memory(quick: bool, count: int | None, do_profile: bool, work: Path) -> dict:
    """Peak memory of `dry-run --jobs 2` (parent + workers) at 250k and 1M lines: flat in size?"""
    sizes = {"50k": dict(total_lines=50_000, files=50, target_files=20, events=200),
             "200k": dict(total_lines=200_000, files=200, target_files=80, events=800)} if quick else \
        {"250k": dict(total_lines=250_000, files=250, target_files=100, events=1_000),
         "1M": dict(total_lines=1_000_000, files=1_000, target_files=400, events=4_000)}
    runs = 1 if quick else 3
    result: dict = {"runs": runs, "sizes": {}}
    print(f"memory: peak of dry-run --jobs 2 (largest of {runs} runs)")
    for label, size in sizes.items():
        gen = synthetic.generate(work / label, **size)
        cache = (("EVENTMOD_CACHE_DIR", str(work / "cache")), NO_PLAN_CACHE)  # every file planned
        command = Command(eventmod_argv("dry-run", "--jobs", "2"), gen.dest, cache)
        peak_memory(command)  # warm: bytecode, format cache
        measured = [peak_memory(command) for _ in range(runs)]
        total = max(m.total_mb for m in measured)
        largest = max(m.largest_mb for m in measured)
        result["sizes"][label] = {"lines": gen.lines, "target_files": len(gen.target_files), "events": gen.events,
                                  "total_mb": total, "largest_mb": largest}
        show(f"{gen.lines:,} lines ({len(gen.target_files)} target files): parent + workers; largest",
             f"{total:.0f} MB; {largest:.0f} MB", f"goal <= {GOALS['memory_mb']:.0f} MB total" if label in ("1M", "200k") else "")
        subprocess.run(["rm", "-rf", str(gen.dest)], check=False)
    return result


# -- fixed costs -----------------------------------------------------------------------------------
def _one_spec_project(work: Path) -> Path:
    """The catalog's main.yaml alone, against the fixture (`validate` on one spec)."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["eventmod"]
    project = work / "one-spec"
    (project / "specs").mkdir(parents=True)
    (project / "specs" / "main.yaml").write_bytes((REPO / config["specs"] / "main.yaml").read_bytes())
    keys = {**config, "root": (REPO / config["root"]).resolve(), "specs": "specs"}
    (project / "pyproject.toml").write_text("[tool.eventmod]\n" + _config_toml(keys), encoding="utf-8")
    return project


def importtime(argv: tuple[str, ...], cwd: Path) -> dict:
    proc = subprocess.run([PY, "-X", "importtime", *argv], cwd=cwd, capture_output=True, text=True, env=child_environment())
    modules = [m.group(1) for m in re.finditer(r"import time:\s+\d+ \|\s+\d+ \| *(\S+)", proc.stderr)]
    heavy = sorted({m.split(".")[0] for m in modules} & {"libcst", "black", "yaml", "pydantic", "rich", "typer"})
    return {"modules": len(modules), "imported": heavy}


# each command of `fixed` and the peer it is compared with (`python -c ...` with what it needs)
FIXED_PEER_OF = {"version": "python", "help": "python_typer", "validate": "python_typer_yaml"}


def bench_fixed(quick: bool, count: int | None, do_profile: bool, work: Path) -> dict:
    """Each command's fixed cost against `python -c pass` plus the imports the command needs."""
    count = count or (5 if quick else 11)
    project = _one_spec_project(work)
    cache = (("EVENTMOD_CACHE_DIR", str(work / "cache")),)
    # (command, its peer, what the peer imports)
    needs = {"version": ("python -c pass", ()), "help": ("python -c 'import typer'", ("typer",)),
             "validate": ("python -c 'import typer, yaml'", ("typer", "yaml"))}
    commands = {
        "python": Command((PY, "-c", "pass"), REPO),
        "python_typer": Command((PY, "-c", "import typer"), REPO),
        "python_typer_yaml": Command((PY, "-c", "import typer, yaml"), REPO),
        "version": Command(eventmod_argv("--version"), REPO),
        "help": Command(eventmod_argv("--help"), REPO),
        "validate": Command(eventmod_argv("validate", "--jobs", "1"), project, cache),
    }
    figures = rounds(commands, count)
    peer_of = FIXED_PEER_OF
    result: dict = {"rounds": count, "figures": {name: f.as_json() for name, f in figures.items()}, "ratios": {}, "needs": needs}
    print(f"fixed cost: CPU medians of {count} alternating rounds")
    show("python -c pass", _cpu(figures["python"]))
    show("python -c 'import typer'", _cpu(figures["python_typer"]))
    show("python -c 'import typer, yaml'", _cpu(figures["python_typer_yaml"]))
    for name, label in (("version", "eventmod --version"), ("help", "eventmod --help"), ("validate", "eventmod validate (one spec)")):
        ratio = _ratio(figures[name].cpu, figures[peer_of[name]].cpu)
        result["ratios"][name] = ratio
        show(label, _cpu(figures[name]), f"{ratio:.2f}x {needs[name][0]} (goal <= {GOALS['fixed_vs_peer']}x)")
    if not quick:
        result["instructions"] = _instructions(commands, tuple(commands))
    _show_instructions(result.get("instructions"), {name: (peer_of[name],) for name in peer_of})
    result["imports"] = {"version": importtime(("-m", "eventmod", "--version"), REPO), "help": importtime(("-m", "eventmod", "--help"), REPO)}
    show("--version / --help import", f"{', '.join(result['imports']['version']['imported']) or 'none'} / "
                                      f"{', '.join(result['imports']['help']['imported']) or 'none'}")
    return result


def bench_events_per_file(quick: bool, count: int | None, do_profile: bool, work: Path) -> dict:
    """One ~2,000-line module with 1 and with 100 events: the marginal cost of an event."""
    count = count or (3 if quick else 5)
    projects = synthetic.generate_single(work / "events", lines=2_000, events=(1, 100))
    cache = (("EVENTMOD_CACHE_DIR", str(work / "cache")), NO_PLAN_CACHE)  # what planning an event costs
    commands = {f"{n}": Command(eventmod_argv("dry-run", "--jobs", "1"), p, cache) for n, p in projects.items()}
    commands.update({f"cold_{n}": Command(eventmod_argv("dry-run", "--jobs", "1"), p, (("EVENTMOD_NO_CACHE", "1"),)) for n, p in projects.items()})
    figures = rounds(commands, count)
    result = {"rounds": count, "figures": {n: f.as_json() for n, f in figures.items()},
              "ratio": _ratio(figures["100"].cpu, figures["1"].cpu), "cold_ratio": _ratio(figures["cold_100"].cpu, figures["cold_1"].cpu),
              "per_event_ms": round((figures["100"].cpu - figures["1"].cpu) / 99 * 1000, 2)}
    print(f"events_per_file: one 2,000-line file, 1 vs 100 events; CPU medians of {count} rounds")
    show("1 event / 100 events, warm (planned)", f"{figures['1'].cpu:.3f} / {figures['100'].cpu:.3f} s", f"{result['ratio']:.2f}x, {result['per_event_ms']} ms per event")
    show("1 event / 100 events, cold", f"{figures['cold_1'].cpu:.3f} / {figures['cold_100'].cpu:.3f} s", f"{result['cold_ratio']:.2f}x")
    return result


def _observe(quick: bool, count: int | None, do_profile: bool, work: Path) -> dict:
    return bench_observe(quick, count, do_profile, work)


BENCHMARKS = {
    "catalog": bench_catalog,
    "scale": bench_scale,
    "memory": bench_memory,
    "fixed": bench_fixed,
    "events_per_file": bench_events_per_file,
    "observe": _observe,
}


# -- summary -------------------------------------------------------------------------------------
def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


# Results files carry the layout they were written in.
FORMAT = 2

HEADER = [_row("measure", "CPU s (wall s)", "peer", "ratio", "goal", "met"), _row(*["---"] * 6)]


def summary_markdown(results: dict[str, dict], earlier: dict[str, dict] | None = None) -> str:
    """The table of this run's `results`; then, in a second table, the previous results of the
    benchmarks not run this time (`earlier`, each with the commit and date it was measured at)."""
    rows = [*HEADER, *_rows(results)]
    env = next(iter(results.values())).get("environment", {}) if results else {}
    when = {(r.get("environment", {}).get("date", "?")[:16], r.get("environment", {}).get("commit", "?")) for r in results.values()}
    measured = f"{env.get('date', '?')} at {env.get('commit', '?')}" if len(when) <= 1 else \
        "; ".join(f"{name} {r.get('environment', {}).get('date', '?')} at {r.get('environment', {}).get('commit', '?')}"
                  for name, r in results.items())
    note = (f"\nMeasured {measured} on Python {env.get('python', '?')}, {env.get('cpus', '?')} CPUs "
            f"(libcst {env.get('libcst', '?')}, typer {env.get('typer', '?')}, {env.get('ast_grep', 'ast-grep ?')}). CPU = user + system "
            "seconds of the whole process and its workers (`os.wait4`), median of alternating rounds; wall in parentheses; "
            "interpreter start included. Peers run over exactly the files the dry-run changes.\n")
    text = "\n".join(rows) + "\n" + note
    shown, stale = [], []
    for name, r in (earlier or {}).items():
        try:
            rows_of = _rows({name: r})
        except (KeyError, TypeError):  # written by an older harness
            stale.append(name)
            continue
        env_of = r.get("environment", {})
        shown.append(f"{name}, measured {env_of.get('date', '?')} at {env_of.get('commit', '?')}:\n\n" + "\n".join([*HEADER, *rows_of]) + "\n")
    if shown:
        text += "\nNot run this time, the previous results:\n\n" + "\n".join(shown)
    if stale:
        text += f"\nNot shown (results of an older harness; re-run them with `--only`): {', '.join(sorted(stale))}.\n"
    return text


def _instructions(commands: dict[str, Command], names: tuple[str, ...]) -> dict[str, int] | None:
    """Each named command's instruction count (callgrind), or None without valgrind."""
    found = {}
    for name in names:
        if name in commands:
            count = instructions(commands[name])
            if count is None:
                return None
            found[name] = count
    return found


def _show_instructions(counts: dict[str, int] | None, peers_of: dict[str, tuple[str, ...]]) -> None:
    if not counts:
        show("instructions (callgrind)", "skipped", "valgrind is not installed, or --quick")
        return
    for name, peers in peers_of.items():
        if name in counts:
            ratios = ", ".join(f"{counts[name] / counts[p]:.2f}x {p}" for p in peers if p in counts)
            show(f"{name}, instructions (callgrind)", f"{counts[name] / 1e9:.3f}e9", ratios)


def _billions(count: int) -> str:
    return f"{count / 1e9:.3f}e9 instr."


_COLD_BOUND_LABEL = ("catalog: a cold run's lower bound (Python, `import typer, yaml`, `ast.parse` of the touched files and "
                     "of the {lines} inserted lines safe mode parses)")

# the catalog's dry-runs in the summary: (name, label, whether the goals are about it)
_CATALOG_RUNS = (
    ("warm", "warm (every cache filled: the plans remembered)", True),
    ("replanned", "warm, every file planned again (`EVENTMOD_NO_PLAN_CACHE=1`)", False),
    ("cold", "cold (`EVENTMOD_NO_CACHE=1`)", True),
)


def _rows(results: dict[str, dict]) -> list[str]:
    rows: list[str] = []
    if "catalog" in results:
        r = results["catalog"]
        f, ratios = r["figures"], r["ratios"]

        def c(name: str) -> str:
            return f"{f[name]['cpu_s']:.3f} ({f[name]['wall_s']:.3f})"

        rows.append(_row(f"catalog ({r['files']} files, {r['lines']:,} lines): minimum (Python + read + `ast.parse`)", c("minimum"), "", "", "", ""))
        rows.append(_row("catalog: libcst floor (`parse_module` + `.code`)", c("floor"), "minimum", f"{ratios['floor']['vs_minimum']:.1f}x", "", ""))
        if "ast_grep" in f:
            rows.append(_row(f"catalog: ast-grep scan, {r['ast_grep_rules']} rules (the `after_log` events)", c("ast_grep"), "libcst floor",
                             f"{ratios['ast_grep']['vs_floor']:.2f}x", "", ""))
        else:
            rows.append(_row("catalog: ast-grep", "not installed", "", "", "", ""))
        rows.append(_row("catalog: LibCST codemod (`VisitorBasedCodemodCommand` + `AddImportsVisitor`)", c("codemod"), "libcst floor",
                         f"{ratios['codemod']['vs_floor']:.1f}x", "", ""))
        if "cold_bound" in f:
            rows.append(_row(_COLD_BOUND_LABEL.format(lines=r.get("cold_bound_lines", "?")), c("cold_bound"), "libcst floor",
                             f"{ratios['cold_bound']['vs_floor']:.2f}x", "", ""))
            if "vs_ast_grep" in ratios["cold_bound"]:
                rows.append(_row(_COLD_BOUND_LABEL.format(lines=r.get("cold_bound_lines", "?")), "", "ast-grep",
                                 f"{ratios['cold_bound']['vs_ast_grep']:.2f}x", "", ""))
        for name, label, goal in _CATALOG_RUNS:
            if name not in f:
                continue  # a run of an older harness
            rows.append(_row(f"catalog: `eventmod dry-run`, {label}", c(name), "libcst floor", f"{ratios[name]['vs_floor']:.2f}x",
                             f"<= {GOALS['catalog_vs_floor']}x" if goal else "", _met(ratios[name]["vs_floor"] <= GOALS["catalog_vs_floor"]) if goal else ""))
            if "vs_ast_grep" in ratios[name]:
                rows.append(_row(f"catalog: `eventmod dry-run`, {label}", "", "ast-grep", f"{ratios[name]['vs_ast_grep']:.2f}x",
                                 "<= 1x" if goal else "", _met(ratios[name]["vs_ast_grep"] <= GOALS["catalog_vs_astgrep"]) if goal else ""))
        if "check_applied" in f:
            rows.append(_row("catalog: `eventmod check` after `apply` (every block present; every file planned)", c("check_applied"),
                             "libcst floor", f"{ratios['check_applied']['vs_floor']:.2f}x", "", ""))
        counts = r.get("instructions")
        if counts:
            rows.append(_row("catalog, in instructions (callgrind): minimum; libcst floor" + ("; ast-grep" if "ast_grep" in counts else ""),
                             "; ".join(_billions(counts[n]) for n in ("minimum", "floor", "ast_grep") if n in counts), "", "", "", ""))
            if "cold_bound" in counts:
                rows.append(_row(_COLD_BOUND_LABEL.format(lines=r.get("cold_bound_lines", "?")) + ", in instructions",
                                 _billions(counts["cold_bound"]), "libcst floor", f"{counts['cold_bound'] / counts['floor']:.2f}x", "", ""))
                if "cold" in counts and counts["cold"] > counts["cold_bound"]:
                    # the goal's budget beyond the bound, against what a cold run spends beyond it
                    left = GOALS["catalog_vs_floor"] * counts["floor"] - counts["cold_bound"]
                    rows.append(_row(f"catalog: what {GOALS['catalog_vs_floor']}x the libcst floor leaves a cold run beyond that bound "
                                     "(its specs, engine, analysis, rendering and patch), in instructions", _billions(round(left)),
                                     "a cold run beyond the bound", f"{left / (counts['cold'] - counts['cold_bound']):.2f}x", "", ""))
            planned = counts.get("replanned", counts["warm"])  # an older harness's warm run planned every file
            for name, label, goal in _CATALOG_RUNS:
                if name not in counts:
                    continue  # a run of an older harness
                count = counts[name]
                rows.append(_row(f"catalog: `eventmod dry-run`, {label}, in instructions", _billions(count), "libcst floor",
                                 f"{count / counts['floor']:.2f}x", f"<= {GOALS['catalog_vs_floor']}x" if goal else "",
                                 _met(count / counts["floor"] <= GOALS["catalog_vs_floor"]) if goal else ""))
                if "ast_grep" in counts:
                    rows.append(_row(f"catalog: `eventmod dry-run`, {label}, in instructions", "", "ast-grep",
                                     f"{count / counts['ast_grep']:.2f}x", "<= 1x" if goal else "",
                                     _met(count / counts["ast_grep"] <= GOALS["catalog_vs_astgrep"]) if goal else ""))
            if "check_applied" in counts:
                rows.append(_row("catalog: `eventmod check` after `apply`, in instructions", _billions(counts["check_applied"]), "libcst floor",
                                 f"{counts['check_applied'] / counts['floor']:.2f}x", "", ""))
            if "warm_fixed_style" in counts:
                learning = planned / counts["warm_fixed_style"] - 1
                rows.append(_row("catalog: `style = \"auto\"` against `style = \"black\"`, in instructions", _billions(counts["warm_fixed_style"]),
                                 "style = \"black\"", f"{learning:+.1%}", "<= 10%", _met(learning <= GOALS["checks_overhead"])))
        share = sum(r["checks_share"].values())
        overhead = r["style_learning_overhead"]
        rows.append(_row("catalog: house style + logger contract checks, their functions' share (cProfile)", f"{share:.1%} of the run",
                         "the whole run", f"{share:.1%}", "<= 10%", _met(share <= GOALS["checks_overhead"])))
        rows.append(_row("catalog: `style = \"auto\"` against `style = \"black\"` (A/B: another layout too)", c("warm_fixed_style"),
                         "style = \"black\"", f"{overhead:+.1%}", "<= 10%", _met(overhead <= GOALS["checks_overhead"])))
    if "scale" in results:
        r = results["scale"]
        f = r["figures"]
        rows.append(_row(f"scale ({r['lines']:,} lines; {r['events']:,} events, {r['files_touched']} files / {r['touched_lines']:,} lines touched): minimum",
                         f"{f['minimum']['cpu_s']:.2f} ({f['minimum']['wall_s']:.2f})", "", "", "", ""))
        rows.append(_row("scale: libcst floor", f"{f['floor']['cpu_s']:.2f} ({f['floor']['wall_s']:.2f})", "", "", "", ""))
        rows.append(_row("scale: `dry-run --jobs 1` (every file planned)", f"{f['jobs1']['cpu_s']:.2f} ({f['jobs1']['wall_s']:.2f})", "minimum",
                         f"{r['jobs1_vs_minimum']:.2f}x", f"<= {GOALS['scale_vs_minimum']}x", _met(r["jobs1_vs_minimum"] <= GOALS["scale_vs_minimum"])))
        rows.append(_row(f"scale: `dry-run --jobs 2` ({r['cpus']} CPUs; every file planned)", f"{f['jobs2']['cpu_s']:.2f} ({f['jobs2']['wall_s']:.2f})", "--jobs 1 (wall)",
                         f"{r['jobs_speedup']:.2f}x faster", f">= {GOALS['jobs_speedup']}x", _met(r["jobs_speedup"] >= GOALS["jobs_speedup"])))
        if "ceiling_speedup" in r:
            rows.append(_row("scale: ceiling, two `--jobs 1` runs over half the specs each, at once", f"{f['halves']['cpu_s']:.2f} ({f['halves']['wall_s']:.2f})",
                             "--jobs 1 (wall)", f"{r['ceiling_speedup']:.2f}x faster", "", ""))
        if "remembered" in f:
            rows.append(_row("scale: `dry-run --jobs 1`, plans remembered", f"{f['remembered']['cpu_s']:.2f} ({f['remembered']['wall_s']:.2f})",
                             "minimum", f"{r['remembered_vs_minimum']:.2f}x", "", ""))
    if "memory" in results:
        for label, m in results["memory"]["sizes"].items():
            big = label in ("1M", "200k")
            rows.append(_row(f"peak memory, `dry-run --jobs 2`, {m['lines']:,} lines: parent + workers (largest process)",
                             f"{m['total_mb']:.0f} MB ({m['largest_mb']:.0f} MB)", "", "", f"<= {GOALS['memory_mb']:.0f} MB" if big else "",
                             _met(m["total_mb"] <= GOALS["memory_mb"]) if big else ""))
    if "fixed" in results:
        r = results["fixed"]
        f = r["figures"]
        for name, label in (("version", "`eventmod --version`"), ("help", "`eventmod --help`"), ("validate", "`eventmod validate`, one spec")):
            peer = r["needs"][name][0]
            rows.append(_row(f"fixed cost: {label}", f"{f[name]['cpu_s']:.3f} ({f[name]['wall_s']:.3f})", f"`{peer}`",
                             f"{r['ratios'][name]:.2f}x", f"<= {GOALS['fixed_vs_peer']}x", _met(r["ratios"][name] <= GOALS["fixed_vs_peer"])))
        rows.append(_row("fixed cost: `python -c pass`; `import typer`; `import typer, yaml`",
                         f"{f['python']['cpu_s']:.3f}; {f['python_typer']['cpu_s']:.3f}; {f['python_typer_yaml']['cpu_s']:.3f}", "", "", "", ""))
        counts = r.get("instructions")
        if counts:
            peer_of = FIXED_PEER_OF
            for name, label in (("version", "`eventmod --version`"), ("help", "`eventmod --help`"), ("validate", "`eventmod validate`, one spec")):
                ratio = counts[name] / counts[peer_of[name]]
                rows.append(_row(f"fixed cost: {label}, in instructions (callgrind)", _billions(counts[name]),
                                 f"`{r['needs'][name][0]}` ({_billions(counts[peer_of[name]])})", f"{ratio:.2f}x",
                                 f"<= {GOALS['fixed_vs_peer']}x", _met(ratio <= GOALS["fixed_vs_peer"])))
    if "events_per_file" in results:
        r = results["events_per_file"]
        f = r["figures"]
        rows.append(_row("one 2,000-line file: 1 event vs 100 events (caches warm, planned)", f"{f['1']['cpu_s']:.3f} vs {f['100']['cpu_s']:.3f}",
                         "1 event", f"{r['ratio']:.2f}x", "", ""))
    if "observe" in results:
        for backend, f in results["observe"]["figures"].items():
            if "skipped" in f:
                rows.append(_row(f"`eventmod observe`, {backend}", f"skipped: {f['skipped']}", "", "", "", ""))
                continue
            rows.append(_row(f"`eventmod observe` over {f['rows']:,} rows, {backend}", f"{f['observe_cpu_s']:.2f} ({f['observe_s']:.2f})",
                             "", "", "seconds", _met(f["observe_s"] <= 10.0)))
    return rows


MARKERS = ("<!-- latest-run: start (python -m benchmarks --readme) -->", "<!-- latest-run: end -->")


def put_latest_run(readme: Path, summary: str) -> bool:
    """Replace what lies between the latest-run markers of `readme` with `summary`; False when
    the file has no markers."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.find(MARKERS[0]), text.find(MARKERS[1])
    if start < 0 or end < start:
        return False
    readme.write_text(text[:start + len(MARKERS[0])] + "\n" + summary.strip() + "\n" + text[end:], encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS), help="run only this benchmark (repeatable)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer rounds, for a smoke run")
    parser.add_argument("--rounds", type=int, help="alternating rounds per measurement (default 5; the median is reported)")
    parser.add_argument("--profile", action="store_true", help="also cProfile one --jobs 1 dry-run per benchmark")
    parser.add_argument("--summary-only", action="store_true",
                        help="run nothing: rebuild the summary (and with --readme the READMEs) from the results on disk")
    parser.add_argument("--readme", action="store_true",
                        help="also put the summary into benchmarks/README.md and README.md (between their latest-run markers)")
    args = parser.parse_args(argv)
    out_dir = RESULTS / "quick" if args.quick else RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    env = environment()
    print(f"eventmod benchmarks ({'quick' if args.quick else 'full'}): Python {env['python']}, {env['cpus']} CPUs, "
          f"libcst {env['libcst']}, {env['ast_grep']}, commit {env['commit']}; eventmod = {' '.join(eventmod_argv())}\n")
    for name in [] if args.summary_only else args.only or list(BENCHMARKS):
        with tempfile.TemporaryDirectory(prefix=f"eventmod-bench-{name}-") as tmp:
            started, load_before = time.perf_counter(), loadavg()
            result = BENCHMARKS[name](args.quick, args.rounds, args.profile, Path(tmp))
            # The load average shows whether other work shared the CPUs during the run.
            result = {"name": name, "format": FORMAT, "quick": args.quick, "environment": env, **result,
                      "benchmark_wall_s": round(time.perf_counter() - started, 1),
                      "loadavg_1min_before_after": [load_before, loadavg()]}
            print(f"  (load average before/after: {load_before} / {loadavg()})")
        partial = out_dir / f"{name}.json.tmp"
        partial.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        os.replace(partial, out_dir / f"{name}.json")
        print()
    ran = args.only or list(BENCHMARKS)
    results, earlier = {}, {}
    for name in BENCHMARKS:
        path = out_dir / f"{name}.json"
        if path.exists():
            result = json.loads(path.read_text(encoding="utf-8"))
            current = name in ran and (not args.summary_only or result.get("format") == FORMAT)
            (results if current else earlier)[name] = result
    summary = summary_markdown(results, earlier)
    (out_dir / "summary.md").write_text(summary, encoding="utf-8")
    print(summary)
    if args.readme and not args.quick:
        for readme in (Path(__file__).parent / "README.md", REPO / "README.md"):
            if put_latest_run(readme, summary):
                print(f"updated {readme.relative_to(REPO)}")
    print(f"results: {out_dir.relative_to(REPO)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
