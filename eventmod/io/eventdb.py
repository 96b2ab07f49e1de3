"""Read-only access to the events database (`observe`, `timeline`, the `queries` tests).

    url = parse_url("sqlite:///events.db", origin="--db")
    with open_database(url) as db:            # InputError (located, never a traceback) when
        rows = db.fetch(sql, params)          # the URL, the file or the server is unusable

SQLite files are opened through a `file:...?mode=ro` URI, so SQLite itself refuses every write.
PostgreSQL runs every statement inside one `READ ONLY` (repeatable read) transaction that is
rolled back on close; asyncpg is imported only here, lazily (the `eventmod[postgres]` extra).
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import quote, urlsplit, urlunsplit

from eventmod.model.problems import InputError, Problem
from eventmod.model.record import record

SQLITE, POSTGRESQL = "sqlite", "postgresql"
DIALECTS = (POSTGRESQL, SQLITE)
URL_FORMS = "sqlite:///relative/path.db, sqlite:////absolute/path.db or postgresql://user@host:5432/dbname"
CONNECT_TIMEOUT = 10.0


@record
class DatabaseURL:
    """A parsed events-database URL (`parse_url`): the dialect, what to connect to, and the form
    messages show (password masked)."""

    dialect: str  # SQLITE | POSTGRESQL
    target: str  # the SQLite file (absolute) or the PostgreSQL DSN
    display: str  # what messages show: the password masked

    def problem(self, message: str) -> InputError:
        return InputError([Problem(self.display, 0, message)])


def parse_url(text: str, *, origin: str, base: Path | None = None) -> DatabaseURL:
    """`sqlite:///rel.db` (relative to `base`), `sqlite:////abs.db`, `postgresql://...` (also
    `postgres://`, `postgresql+asyncpg://`). `origin` names where the URL came from."""
    text = text.strip()
    scheme, sep, rest = text.partition(":")
    scheme = scheme.lower()
    if not sep or not scheme:
        raise InputError([Problem(origin, 0, f"not a database URL: '{text}'; use {URL_FORMS}")])
    if scheme == "sqlite":
        if not rest.startswith("///") or len(rest) == 3:
            raise InputError([Problem(origin, 0, f"a SQLite URL is sqlite:///path (three slashes, then the path), got '{text}'")])
        path = Path(rest[3:])
        if not path.is_absolute():
            path = (base or Path.cwd()) / path
        return DatabaseURL(SQLITE, str(path.resolve()), f"sqlite:///{path}")
    if scheme in ("postgresql", "postgres") or scheme.startswith("postgresql+"):
        dsn = "postgresql:" + rest
        parts = urlsplit(dsn)
        if not parts.netloc and not parts.path.strip("/") and not parts.query:
            raise InputError([Problem(origin, 0, f"a PostgreSQL URL names a server or a database: postgresql://user@host:5432/dbname, got '{text}'")])
        return DatabaseURL(POSTGRESQL, dsn, mask_password(dsn))
    raise InputError([Problem(origin, 0, f"unsupported database URL scheme '{scheme}'; use {URL_FORMS}")])


def mask_password(dsn: str) -> str:
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class EventDB:
    """One read-only session. `fetch` returns plain tuples; errors become located InputErrors."""

    dialect: str
    url: DatabaseURL

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        raise NotImplementedError

    def columns(self, schema: str | None, table: str) -> list[str]:
        """The column names of the table, in order; [] when it does not exist."""
        raise NotImplementedError

    def tables(self, schema: str | None) -> list[str]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> "EventDB":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_database(url: DatabaseURL) -> EventDB:
    if url.dialect == SQLITE:
        return SQLiteEventDB(url)
    return PostgresEventDB(url)


# -- SQLite ----------------------------------------------------------------------------------------
class SQLiteEventDB(EventDB):
    dialect = SQLITE

    def __init__(self, url: DatabaseURL) -> None:
        self.url = url
        path = Path(url.target)
        if not path.is_file():
            what = "is a directory" if path.is_dir() else "does not exist"
            raise url.problem(f"the SQLite file {what}")
        try:
            self._conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise url.problem(f"cannot open the SQLite file read-only: {exc}") from exc
        try:
            self._conn.execute("PRAGMA schema_version").fetchone()
            self._conn.execute("SELECT json_valid('{}')").fetchone()
        except sqlite3.Error as exc:
            self._conn.close()
            hint = " (this SQLite lacks the JSON functions)" if "json_valid" in str(exc) else ""
            raise url.problem(f"cannot read it as a SQLite database: {exc}{hint}") from exc

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        try:
            return [tuple(row) for row in self._conn.execute(sql, tuple(params))]
        except sqlite3.Error as exc:
            raise self.url.problem(f"query failed: {exc}") from exc

    def columns(self, schema: str | None, table: str) -> list[str]:
        return [row[1] for row in self.fetch(f"PRAGMA table_info({quote_identifier(table)})")]

    def tables(self, schema: str | None) -> list[str]:
        return [row[0] for row in self.fetch("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name")]

    def close(self) -> None:
        self._conn.close()


# -- PostgreSQL ------------------------------------------------------------------------------------
class PostgresEventDB(EventDB):
    """asyncpg on a private event loop, so callers stay synchronous; one READ ONLY transaction
    (repeatable read: every query of a report sees the same snapshot), rolled back on close."""

    dialect = POSTGRESQL

    def __init__(self, url: DatabaseURL) -> None:
        self.url = url
        try:
            import asyncpg
        except ImportError as exc:
            raise url.problem("reading PostgreSQL needs asyncpg: pip install 'eventmod[postgres]'") from exc
        self._asyncpg = asyncpg
        self._loop = asyncio.new_event_loop()
        self._conn = None
        try:
            self._conn = self._run(asyncpg.connect(
                url.target, timeout=CONNECT_TIMEOUT,
                server_settings={"application_name": "eventmod", "TimeZone": "UTC"},
            ))
            self._transaction = self._conn.transaction(isolation="repeatable_read", readonly=True)
            self._run(self._transaction.start())
        except Exception as exc:  # refused, timed out, bad password, unknown database, bad DSN
            self.close()
            raise url.problem(f"cannot connect: {_reason(exc)}") from exc

    def _run(self, coroutine):
        return self._loop.run_until_complete(coroutine)

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        try:
            return [tuple(record) for record in self._run(self._conn.fetch(sql, *params))]
        except (self._asyncpg.PostgresError, self._asyncpg.InterfaceError, OSError) as exc:
            raise self.url.problem(f"query failed: {_reason(exc)}") from exc

    def columns(self, schema: str | None, table: str) -> list[str]:
        rows = self.fetch(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = coalesce($1, current_schema()) AND table_name = $2 ORDER BY ordinal_position",
            (schema, table),
        )
        return [row[0] for row in rows]

    def tables(self, schema: str | None) -> list[str]:
        rows = self.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = coalesce($1, current_schema()) "
            "ORDER BY table_name",
            (schema,),
        )
        return [row[0] for row in rows]

    def close(self) -> None:
        try:
            if self._conn is not None:
                try:
                    self._run(self._conn.close(timeout=CONNECT_TIMEOUT))  # ends the transaction: rolled back
                except Exception:
                    self._conn.terminate()
                self._conn = None
        finally:
            if not self._loop.is_closed():
                self._loop.close()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return f"no answer within {CONNECT_TIMEOUT:g} s"
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if isinstance(exc, OSError) else text


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
