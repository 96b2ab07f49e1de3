"""Fixtures for the runtime tests: the repository root and a PostgreSQL DSN when available."""
from __future__ import annotations

import os
import shlex
import subprocess
import uuid
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def skip_visibly(reason: str):
    """pytest -q hides skip reasons by default; a warning shows up in the summary."""
    warnings.warn(reason, UserWarning, stacklevel=2)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def pg_server_dsn():
    """DSN of a PostgreSQL server: EVENTMOD_TEST_PG_DSN, else a throwaway local server started
    with .ci/postgres.sh (never apt-installs from the test suite), else skip with the reason."""
    dsn = os.environ.get("EVENTMOD_TEST_PG_DSN")
    if dsn:
        yield dsn
        return
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        skip_visibly("PostgreSQL runtime test skipped: asyncpg is not installed")
    script = REPO / ".ci" / "postgres.sh"
    env = dict(os.environ, EVENTMOD_PG_NO_INSTALL="1")
    try:
        proc = subprocess.run(
            ["bash", str(script)], capture_output=True, text=True, timeout=120, env=env
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        skip_visibly(f"PostgreSQL runtime test skipped: could not run {script.name}: {exc}")
    exports = {}
    for line in proc.stdout.splitlines():
        if line.startswith("export "):
            key, _, value = line[len("export "):].partition("=")
            exports[key] = shlex.split(value)[0] if value else ""
    if "EVENTMOD_TEST_PG_DSN" not in exports:
        reason = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "no DSN printed"
        skip_visibly(f"PostgreSQL runtime test skipped: set EVENTMOD_TEST_PG_DSN or install PostgreSQL ({reason})")
    try:
        yield exports["EVENTMOD_TEST_PG_DSN"]
    finally:
        data = exports.get("EVENTMOD_TEST_PG_DATA")
        if data:
            subprocess.run(["bash", str(script), "stop", data], capture_output=True, timeout=60)


async def _admin(dsn: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def fresh_pg_database(server_dsn: str):
    """Create a uniquely named database on the server; return (dsn, drop callback)."""
    import asyncio
    from urllib.parse import urlsplit, urlunsplit

    name = f"eventmod_rt_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(server_dsn, f'CREATE DATABASE "{name}"'))
    parts = urlsplit(server_dsn)
    dsn = urlunsplit(parts._replace(path=f"/{name}"))

    def drop() -> None:
        asyncio.run(_admin(server_dsn, f'DROP DATABASE IF EXISTS "{name}"'))

    return dsn, drop


@pytest.fixture
def pg_dsn(pg_server_dsn):
    """A fresh, empty database per test (dropped afterwards)."""
    try:
        dsn, drop = fresh_pg_database(pg_server_dsn)
    except Exception as exc:  # server given but unusable: say so visibly
        if os.environ.get("EVENTMOD_TEST_PG_DSN"):
            pytest.fail(f"EVENTMOD_TEST_PG_DSN is set but unusable ({pg_server_dsn}): {exc}")
        skip_visibly(f"PostgreSQL runtime test skipped: cannot create a test database on {pg_server_dsn}: {exc}")
    try:
        yield dsn
    finally:
        try:
            drop()
        except Exception:
            pass
