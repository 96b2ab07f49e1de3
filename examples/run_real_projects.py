#!/usr/bin/env python3
"""Apply eventmod to real async projects from the package index and prove it changes nothing
for them: for each project in PROJECTS,

1. download its sdist (pinned version, checked against its sha256) and unpack it twice: a
   working tree and a pristine copy;
2. make a throwaway virtualenv with the project installed editable and its test dependencies
   (pinned), and run the project's own test suite: the "before" results (junit XML);
3. write the logger module `eventmod init --with-logger` writes into its package, point a
   [tool.eventmod] at the tree and at examples/<name>/event_specs, and run `eventmod validate`,
   `apply` and `check`;
4. run the test suite again, with AUDIT_EVENTS_URL set so the instrumented code really writes
   its events (to SQLite): the "after" results, and the events written;
5. `eventmod revert`, remove the logger module, and compare the tree with the pristine copy.

It passes when, for every project, the after results equal the before results test by test
(same passed/failed/skipped/error set), `check` is clean after apply, and the reverted tree is
byte-identical to the pristine one (build artefacts such as *.egg-info and __pycache__ aside).
Run it with the interpreter that has eventmod installed:

    .venv/bin/python examples/run_real_projects.py [--only NAME] [--work DIR] [--no-events]

It needs the package index (pip) and nothing else, and takes about 7 minutes on 2 CPUs (most
of it the two test suites, run twice). The figures are in README ("Real projects").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import time
import venv
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path

from eventmod.init.scaffold import logger_module_text

EXAMPLES = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Project:
    name: str
    version: str
    sha256: str
    package: str  # the import package the logger module goes into
    extras: str  # installed with the project, so every test module imports
    requirements: tuple[str, ...]  # test dependencies and runtime pins (pip freeze of a working run)
    pytest_args: tuple[str, ...]


PROJECTS = (
    Project(
        name="aiocache", version="0.12.3",
        sha256="f528b27bf4d436b497a1d0d1a8f59a542c153ab1e37c3621713cb376d44c4713",
        package="aiocache", extras="redis,memcached,msgpack",
        requirements=("aiomcache==0.8.0", "async-timeout==5.0.1", "marshmallow==3.19.0", "msgpack==1.0.4",
                      "packaging==26.4", "pytest==7.2.0", "pytest-asyncio==0.20.3", "pytest-mock==3.10.0",
                      "redis==4.4.2"),
        # the unit and acceptance suites without the servers they cannot reach (redis, memcached);
        # addopts cleared: the project's own asks for coverage plug-ins
        pytest_args=("-o", "addopts=", "-m", "not redis and not memcached", "tests/ut", "tests/acceptance"),
    ),
    Project(
        name="aiogram", version="3.31.0",
        sha256="f2c5064fe52d88898c86af62261c405440a014216e45dd99b2c6555a5602ce30",
        package="aiogram", extras="redis,mongo,proxy,i18n,signature",
        requirements=("aiofiles==25.1.0", "aiohappyeyeballs==2.7.1", "aiohttp==3.14.5", "aiohttp_socks==0.12.0",
                      "aiosignal==1.4.0", "annotated-types==0.8.0", "aresponses==3.0.0", "attrs==26.1.0",
                      "babel==2.19.0", "certifi==2026.10.19.post1", "cffi==2.1.1", "cryptography==50.0.2",
                      "dnspython==2.9.2", "frozenlist==1.8.0", "hiredis==3.5.0", "idna==3.20", "magic-filter==1.0.12",
                      "motor==3.7.1", "multidict==7.2.1", "packaging==26.4", "propcache==0.5.4", "pycparser==3.12",
                      "pycryptodomex==3.23.0", "pydantic==2.13.5", "pydantic_core==2.46.5", "Pygments==2.21.0",
                      "pymongo==4.17.0", "pytest==9.0.3", "pytest-aiohttp==1.1.0", "pytest-asyncio==1.5.0",
                      "pytest-mock==3.15.1", "python-socks==3.2.1", "pytz==2026.6", "redis==7.4.1",
                      "typing-inspection==0.4.5", "typing_extensions==4.16.0", "yarl==1.25.1"),
        pytest_args=("tests",),
    ),
)

# Files a test run or an editable install creates in the tree: not part of the comparison.
ARTEFACTS = ("__pycache__", ".pytest_cache", ".egg-info", ".coverage", "build")


@dataclass
class Result:
    name: str
    version: str
    tests_before: dict[str, int] = field(default_factory=dict)
    tests_after: dict[str, int] = field(default_factory=dict)
    changed_tests: list[str] = field(default_factory=list)
    events_specified: int = 0
    events_inserted: str = ""
    check_clean: bool = False
    events_written: int = 0
    event_types_written: int = 0
    revert_identical: bool = False
    revert_differences: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (not self.problems and not self.changed_tests and self.check_clean and self.revert_identical
                and self.tests_before == self.tests_after and sum(self.tests_before.values()) > 0)


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} (in {cwd}) exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def download(project: Project, cache: Path) -> Path:
    """The sdist, from the package index through pip, checked against the pinned hash."""
    cache.mkdir(parents=True, exist_ok=True)
    found = [p for p in cache.glob(f"{project.name}-{project.version}.tar.gz") if sha256(p) == project.sha256]
    if not found:
        run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--dest", str(cache),
             f"{project.name}=={project.version}"], cwd=cache)
        found = list(cache.glob(f"{project.name}-{project.version}.tar.gz"))
    if not found or sha256(found[0]) != project.sha256:
        raise RuntimeError(f"{project.name} {project.version}: the sdist's sha256 is not {project.sha256}")
    return found[0]


def unpack(sdist: Path, into: Path) -> Path:
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    with tarfile.open(sdist) as archive:
        if sys.version_info >= (3, 12):
            archive.extractall(into, filter="data")
        else:  # pragma: no cover - 3.10/3.11
            archive.extractall(into)
    [top] = list(into.iterdir())
    return top


def make_venv(project: Project, tree: Path, where: Path) -> Path:
    """A virtualenv with the project installed editable (its tree is what the tests import)."""
    python = where / "bin" / "python"
    marker = where / "eventmod-requirements.json"
    wanted = json.dumps([str(tree), project.extras, *project.requirements])
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        run([str(python), "-m", "pip", "install", "-q", "--no-deps", "-e", str(tree)], cwd=tree)
        return python
    if where.exists():
        shutil.rmtree(where)
    venv.create(where, with_pip=True)
    run([str(python), "-m", "pip", "install", "-q", "-e", f"{tree}[{project.extras}]", *project.requirements], cwd=tree)
    marker.write_text(wanted)
    return python


def pytest_results(python: Path, project: Project, tree: Path, junit: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """test id -> passed | failed | error | skipped, read from the run's junit XML."""
    if junit.exists():
        junit.unlink()
    proc = run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", *project.pytest_args],
               cwd=tree, env=env, check=False)
    if not junit.exists():
        raise RuntimeError(f"pytest wrote no results (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    outcomes: dict[str, str] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        key = f"{case.get('classname')}::{case.get('name')}"
        tags = {child.tag for child in case}
        outcome = "failed" if "failure" in tags else "error" if "error" in tags else "skipped" if "skipped" in tags else "passed"
        if key in outcomes and outcomes[key] != "passed":
            continue  # a setup error and a call failure of one test: the first one counts
        outcomes[key] = outcome
    return outcomes


def counts(outcomes: dict[str, str]) -> dict[str, int]:
    found = {"passed": 0, "failed": 0, "error": 0, "skipped": 0}
    for outcome in outcomes.values():
        found[outcome] += 1
    return found


def tree_differences(pristine: Path, tree: Path) -> list[str]:
    """Files whose bytes differ, that are missing, or that are new (build artefacts aside)."""
    def files(root: Path) -> dict[str, Path]:
        found = {}
        for path in root.rglob("*"):
            rel = path.relative_to(root).as_posix()
            if path.is_file() and not any(part.endswith(ARTEFACTS) for part in rel.split("/")):
                found[rel] = path
        return found

    old, new = files(pristine), files(tree)
    differences = [f"missing: {rel}" for rel in sorted(set(old) - set(new))]
    differences += [f"new: {rel}" for rel in sorted(set(new) - set(old))]
    differences += [f"changed: {rel}" for rel in sorted(set(old) & set(new)) if old[rel].read_bytes() != new[rel].read_bytes()]
    return differences


def eventmod(*args: str, config: Path, check: bool = True) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "eventmod", *args], cwd=config, check=check)


def run_project(project: Project, work: Path, events: bool) -> Result:
    result = Result(project.name, project.version)
    base = work / project.name
    clock = time.monotonic()
    sdist = download(project, work / "sdists")
    pristine = unpack(sdist, base / "pristine")
    tree = unpack(sdist, base / "tree")
    python = make_venv(project, tree, base / "venv")
    result.seconds["setup"] = round(time.monotonic() - clock, 1)

    clock = time.monotonic()
    before = pytest_results(python, project, tree, base / "before.xml")
    result.seconds["tests before"] = round(time.monotonic() - clock, 1)
    result.tests_before = counts(before)

    # instrument: the project's logger module, a [tool.eventmod] pointing at the tree, apply
    examples = EXAMPLES / project.name
    logger_module = tree / project.package / "audit_events.py"
    logger_module.write_bytes(logger_module_text().encode("utf-8"))
    config = base / "eventmod"
    config.mkdir(exist_ok=True)
    table = (examples / "eventmod.toml").read_text(encoding="utf-8")
    table = table.replace('root = "."', f"root = {json.dumps(str(tree))}")
    table = table.replace('specs = "event_specs"', f"specs = {json.dumps(str(examples / 'event_specs'))}")
    (config / "pyproject.toml").write_text(table, encoding="utf-8")
    clock = time.monotonic()
    validated = eventmod("validate", config=config).stdout.strip()
    result.events_specified = int(validated.split("ok: ")[1].split(" ")[0])
    result.events_inserted = eventmod("apply", "--allow-dirty", config=config).stdout.strip().splitlines()[-1]
    checked = eventmod("check", config=config, check=False)
    result.check_clean = checked.returncode == 0
    if not result.check_clean:
        result.problems.append(f"check after apply exited {checked.returncode}: {checked.stdout[-500:]}{checked.stderr[-500:]}")
    result.seconds["eventmod apply"] = round(time.monotonic() - clock, 1)

    clock = time.monotonic()
    database = base / "events.db"
    if database.exists():
        database.unlink()
    env = {"AUDIT_EVENTS_URL": f"sqlite:///{database}"} if events else None
    after = pytest_results(python, project, tree, base / "after.xml", env)
    result.seconds["tests after"] = round(time.monotonic() - clock, 1)
    result.tests_after = counts(after)
    result.changed_tests = sorted(f"{k}: {before.get(k, 'absent')} -> {after.get(k, 'absent')}"
                                  for k in set(before) | set(after) if before.get(k) != after.get(k))
    if events and database.exists():
        connection = sqlite3.connect(database)
        try:
            result.events_written, result.event_types_written = connection.execute(
                "SELECT COUNT(*), COUNT(DISTINCT event_type) FROM events").fetchone()
        finally:
            connection.close()

    clock = time.monotonic()
    eventmod("revert", "--allow-dirty", config=config)
    logger_module.unlink()
    result.revert_differences = tree_differences(pristine, tree)
    result.revert_identical = not result.revert_differences
    result.seconds["eventmod revert"] = round(time.monotonic() - clock, 1)
    return result


def report(results: list[Result]) -> str:
    lines = ["| project | tests before (passed/failed/error/skipped) | after | changed | events specified | applied | "
             "`check` | events written (types) | revert byte-identical |", "| --- " * 9 + "|"]
    for r in results:
        b, a = r.tests_before, r.tests_after
        lines.append(
            f"| {r.name} {r.version} | {b.get('passed', 0)}/{b.get('failed', 0)}/{b.get('error', 0)}/{b.get('skipped', 0)} "
            f"| {a.get('passed', 0)}/{a.get('failed', 0)}/{a.get('error', 0)}/{a.get('skipped', 0)} | {len(r.changed_tests)} "
            f"| {r.events_specified} | {r.events_inserted} | {'clean' if r.check_clean else 'NOT clean'} "
            f"| {r.events_written} ({r.event_types_written}) | {'yes' if r.revert_identical else 'NO'} |")
    for r in results:
        lines.append(f"\n{r.name}: " + ", ".join(f"{k} {v} s" for k, v in r.seconds.items()))
        for change in r.changed_tests[:20]:
            lines.append(f"  changed: {change}")
        for difference in r.revert_differences[:20]:
            lines.append(f"  revert: {difference}")
        for problem in r.problems:
            lines.append(f"  problem: {problem}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=[p.name for p in PROJECTS], help="run one project (repeatable)")
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "eventmod-real-projects",
                        help="working directory (sdists, trees, virtualenvs; reused between runs)")
    parser.add_argument("--no-events", action="store_true", help="run the after suite without AUDIT_EVENTS_URL")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args(argv)
    selected = [p for p in PROJECTS if not args.only or p.name in args.only]
    results = []
    started = time.monotonic()
    for project in selected:
        print(f"== {project.name} {project.version}", flush=True)
        try:
            results.append(run_project(project, args.work.resolve(), events=not args.no_events))
        except Exception as exc:  # report the project as failed and go on with the next
            failed = Result(project.name, project.version)
            failed.problems.append(str(exc))
            results.append(failed)
    text = report(results)
    print(text)
    print(f"\ntotal {time.monotonic() - started:.0f} s; " + ("all checks passed" if all(r.ok for r in results) else "FAILED"))
    if args.json:
        args.json.write_text(json.dumps([{**asdict(r), "ok": r.ok} for r in results], indent=2))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
