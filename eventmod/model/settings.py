"""Configuration as data: `Config` (what [tool.eventmod] and the flags say) and `Settings`
(the plain, picklable subset a worker needs to plan one file). `eventmod.config` builds them."""

from __future__ import annotations

import keyword
import re
from dataclasses import field
from pathlib import Path

from eventmod.model.problems import did_you_mean
from eventmod.model.record import record

# How a block emits its event. `auto` (the default): `await` in an async function (a plain call
# when the logger's call is a plain def); in a sync function, the logger's sync call when it
# offers one, else scheduled on the running loop when there is one (skipped otherwise).
EMIT_MODES = ("auto", "await", "background", "sync")
CALL_KINDS = ("getter", "function")  # config `call`: through a getter's object, or a module-level function
STYLE_MODES = ("auto", "black")  # config `style`: learned house style, or black's layout as is
IMPORT_MODES = ("auto", "top", "local")  # where a block's logger import goes (config `import`)
FAILSAFE_LOG_LEVELS = ("debug", "info", "warning", "error")  # how a swallowed logging failure is reported
DEFAULT_GETTER = "get_event_logger"
DEFAULT_ENUM_CLASS = "EventType"
DEFAULT_LOGGER_MODULE = "core.event_logger"
DEFAULT_ENUM_FILE = "core/event_logger.py"
DEFAULT_VARIABLE = "event_logger"  # the name a block binds the logger to
LOG_METHOD = "log_event"
DEFAULT_SEVERITY_ARG = "severity"

# The events table eventmod reads at runtime (`observe`, `timeline`, `queries`): the audited bot's
# schema. `event_columns` in [tool.eventmod] renames any of these logical columns.
DEFAULT_EVENTS_TABLE = "monitoring.events"
EVENT_COLUMNS = (
    "id", "event_type", "event_data", "correlation_id", "position_id", "order_id", "symbol", "exchange",
    "severity", "error_message", "created_at",
)

SQL_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # table, schema and column names eventmod accepts


def events_table_problem(value: str) -> str | None:
    """Why `value` is not a `table` or `schema.table` name eventmod accepts, or None."""
    parts = value.split(".")
    if len(parts) > 2 or not all(SQL_IDENTIFIER.fullmatch(p) for p in parts):
        return f"must be 'table' or 'schema.table' made of letters, digits and underscores, got {value!r}"
    return None


def keyword_name_problem(value: str) -> str | None:
    """Why `value` is neither "" nor a keyword-argument name."""
    if value and (not value.isidentifier() or keyword.iskeyword(value)):
        return f"must be a keyword-argument name (an identifier) or \"\", got {value!r}"
    return None


def method_name_problem(value: str) -> str | None:
    if not value.isidentifier() or keyword.iskeyword(value):
        return f"must be a function or method name (an identifier), got {value!r}"
    return None


def event_columns_problem(value: tuple[tuple[str, str], ...]) -> str | None:
    """Why a (logical column, table column) mapping is unusable, or None."""
    for logical, name in value:
        if logical not in EVENT_COLUMNS:
            return f"unknown column '{logical}'{did_you_mean(logical, EVENT_COLUMNS)}; the columns are {', '.join(EVENT_COLUMNS)}"
        if not isinstance(name, str) or not SQL_IDENTIFIER.fullmatch(name):
            return f"{logical} must name a column (letters, digits and underscores), got {name!r}"
    return None


@record
class Config:
    """What `[tool.eventmod]` and the flags say. Each field is a configuration key (declared
    once: `eventmod.config` reads the keys, their types and `metadata["choices"]` off these
    fields); `metadata={"key": None}` marks a field that is not a key, `metadata={"key": NAME}`
    names a key differently in TOML."""

    root: Path
    specs: Path
    logger_module: str = DEFAULT_LOGGER_MODULE
    enum_file: str = DEFAULT_ENUM_FILE
    enum_class: str = DEFAULT_ENUM_CLASS
    getter: str = DEFAULT_GETTER
    emit: str = field(default="auto", metadata={"choices": EMIT_MODES})
    # The call shape (see `CallShape`): `call = "getter"` (`x = getter(); if x: x.<method>(...)`) or
    # `"function"` (`<method>(...)` imported from logger_module); `sync = true` when that call is a
    # plain def; `sync_method` a plain-def companion of an async method (getter shape);
    # `payload_arg` "" (positional) or a keyword name; `severity_arg` a keyword name or "" (none).
    call: str = field(default="getter", metadata={"choices": CALL_KINDS})
    method: str = field(default=LOG_METHOD, metadata={"validate": method_name_problem})
    sync: bool = False
    sync_method: str = field(default="", metadata={"validate": keyword_name_problem})
    payload_arg: str = field(default="", metadata={"validate": keyword_name_problem})
    severity_arg: str = field(default=DEFAULT_SEVERITY_ARG, metadata={"validate": keyword_name_problem})
    json_safe: bool = False
    hot_paths: tuple[str, ...] = ()
    integer_kwargs: tuple[str, ...] = ("position_id",)
    json_safe_helper: str = ""  # "module:function" to import instead of emitting a local helper
    safe_mode: bool = True
    failsafe: bool = True  # wrap each block so no logging failure reaches the caller
    failsafe_log_level: str = field(default="warning", metadata={"choices": FAILSAFE_LOG_LEVELS})
    # config key `import`: top | local | auto (local where a top-level import would form a cycle)
    import_mode: str = field(default="auto", metadata={"key": "import", "choices": IMPORT_MODES})
    lock_timeout: float = field(default=120.0, metadata={"expected": "a number of seconds (0 or more)",
                                                         "accept": lambda v: v >= 0})
    # receiver globs taken for loggers, added to the built-in ones
    logger_names: tuple[str, ...] = field(default=(), metadata={
        "expected": 'a list of glob patterns (non-empty strings), e.g. ["self.audit", "*.log"]',
        "accept": lambda v: all(v)})
    database_url: str = ""  # sqlite:///path.db or postgresql://...; observe/timeline --db wins
    database_url_env: str = ""  # name of an environment variable that holds the URL (no secret in a file)
    events_table: str = field(default=DEFAULT_EVENTS_TABLE, metadata={"validate": events_table_problem})
    # (logical column, name in the table) overrides; in TOML a table: event_columns = { created_at = "logged_at" }
    event_columns: tuple[tuple[str, str], ...] = field(default=(), metadata={"table": True, "validate": event_columns_problem})
    # How blocks look: auto (learned from the project's blocks, else the file) or black's layout.
    style: str = field(default="auto", metadata={"choices": STYLE_MODES})
    source: Path | None = field(default=None, compare=False, metadata={"key": None})  # the file it came from
    # The target project's formatter settings ([tool.black] / ruff), resolved with the config.
    black: "BlackSettings | None" = field(default=None, compare=False, metadata={"key": None})
    # The target project's import sorting ([tool.isort] / ruff's isort settings), resolved with the config.
    isort: "ImportSort | None" = field(default=None, compare=False, metadata={"key": None})


@record
class CallShape:
    """How a block calls the logger, derived once from the configuration (`call`, `method`,
    `sync`, `sync_method`, `payload_arg`, `severity_arg`) and refined by the logger contract
    (`analysis.contract`), which reads the logger's code for a sync companion method.

    getter:   `v = get_event_logger()` / `if v:` / `await v.log_event(Enum.X, {...}, severity=...)`
    function: `await log_event(Enum.X, {...}, severity=...)`, `log_event` imported from the module
    """

    kind: str = "getter"  # one of CALL_KINDS
    method: str = LOG_METHOD  # the method (getter) or module-level function (function) blocks call
    is_async: bool = True  # `method` is an `async def` (awaited or scheduled); False: a plain def
    sync_method: str = ""  # a plain-def method of the same object for sync emission ("" none)
    payload_arg: str = ""  # "" the payload is the second positional argument; else its keyword
    severity_arg: str = DEFAULT_SEVERITY_ARG  # the severity keyword; "" the logger takes none

    @classmethod
    def from_config(cls, config: "Config") -> "CallShape":
        return cls(kind=config.call, method=config.method, is_async=not config.sync,
                   sync_method=config.sync_method if config.call == "getter" and not config.sync else "",
                   payload_arg=config.payload_arg, severity_arg=config.severity_arg)

    @property
    def function(self) -> bool:
        return self.kind == "function"

    @property
    def sync_call(self) -> str:
        """The name a sync emission calls: the method itself when it is a plain def, else the
        sync companion; "" when the logger offers no sync call."""
        return self.method if not self.is_async else self.sync_method

    @property
    def names(self) -> frozenset[str]:
        """Every name a block of this shape calls."""
        return frozenset(n for n in (self.method, self.sync_method) if n)

    def imported(self, getter: str) -> str:
        """The name imported from the logger module besides the enum: the getter, or the function."""
        return self.method if self.function else getter


@record
class BlackSettings:
    """The subset of a target project's [tool.black] that shapes generated code, and whether
    the project formats with black (or ruff's black-compatible formatter)."""

    line_length: int = 88
    skip_string_normalization: bool = False
    uses_black: bool = False
    evidence: str = ""  # why eventmod thinks so ("[tool.black] in pyproject.toml", ...), or why not


@record
class ImportSort:
    """How the project sorts the names of a `from` import (isort's and ruff's settings)."""

    configured: bool = False  # the project configures isort or ruff (else: learned, or isort's defaults)
    force_sort_within_sections: bool = False
    case_sensitive: bool = False
    order_by_type: bool = True
    source: str = ""  # where the settings came from


@record
class Habits:
    """Counts of how existing code is written, from log_event blocks (or one file's code):
    votes, not decisions, so several files add up."""

    blocks: int = 0
    single: int = 0  # string literals in single quotes
    double: int = 0
    commas: int = 0  # exploded calls whose last argument has a trailing comma
    no_commas: int = 0
    spaced: int = 0  # blocks (or compound statements) with a blank line before and after
    glued: int = 0
    comments: tuple[tuple[str, int], ...] = ()  # comment prefix ("# ", "#", "# AUDIT: ") -> count
    getter_first: int = 0  # `from <logger> import <getter>, <Enum>` order in existing imports
    enum_first: int = 0

    def __add__(self, other: "Habits") -> "Habits":
        comments = dict(self.comments)
        for prefix, count in other.comments:
            comments[prefix] = comments.get(prefix, 0) + count
        return Habits(
            self.blocks + other.blocks, self.single + other.single, self.double + other.double,
            self.commas + other.commas, self.no_commas + other.no_commas, self.spaced + other.spaced,
            self.glued + other.glued, tuple(sorted(comments.items())), self.getter_first + other.getter_first,
            self.enum_first + other.enum_first,
        )

    @property
    def quote(self) -> str | None:
        if self.single == self.double:
            return None if not self.single else '"'
        return "'" if self.single > self.double else '"'

    @property
    def trailing_commas(self) -> bool | None:
        return None if not (self.commas or self.no_commas) else self.commas >= self.no_commas

    @property
    def blank_lines(self) -> bool | None:
        return None if not (self.spaced or self.glued) else self.spaced > self.glued

    @property
    def comment(self) -> str | None:
        if not self.comments:
            return None
        return max(self.comments, key=lambda item: (item[1], item[0] == "# "))[0]

    @property
    def getter_before_enum(self) -> bool | None:
        return None if not (self.getter_first or self.enum_first) else self.getter_first > self.enum_first


@record
class HouseStyle:
    """What the project's existing log_event blocks say about how the team writes them: the
    template for every file (a file with no say of its own learns from itself)."""

    habits: Habits = Habits()
    files: tuple[str, ...] = ()  # the files the blocks are in
    scanned: int = 0  # files the bounded scan read (0: the selection's own files had blocks)
    # Whether the code's own logger calls are followed by a blank line more often than not, in
    # the files a revert reads (`transform.house.learn_log_spacing`): a blank line below a block
    # that follows one may be the code's, or apply's padding.
    blank_after_log: bool = False


@record
class Settings:
    """What a worker needs from the configuration (plain, picklable)."""

    root: str
    logger_module: str = DEFAULT_LOGGER_MODULE
    enum_file: str = DEFAULT_ENUM_FILE
    enum_class: str = DEFAULT_ENUM_CLASS
    getter: str = DEFAULT_GETTER
    emit: str = "auto"
    json_safe: bool = False
    black: BlackSettings = BlackSettings()
    call: CallShape = CallShape()
    safe_mode: bool = True
    hot_paths: tuple[str, ...] = ()
    integer_kwargs: tuple[str, ...] = ("position_id",)
    json_safe_helper: str = ""
    variable: str = DEFAULT_VARIABLE
    failsafe: bool = True
    logger_names: tuple[str, ...] = ()
    failsafe_log_level: str = "warning"
    import_mode: str = "auto"
    # Modules (dotted, under root) that importing the logger module imports, transitively: a
    # target among them would form an import cycle with a top-level logger import.
    logger_imports: tuple[str, ...] = ()
    # In-memory file contents that stand in for the disk (path, bytes): planning phase N+1 on top
    # of phase N's output without writing it (patches per phase, --patch-dir).
    overlay: tuple[tuple[str, bytes], ...] = ()
    style: str = "auto"
    isort: ImportSort = ImportSort()
    house: HouseStyle = HouseStyle()  # learned once per run (transform.house)
    strict_style: bool = False  # note blocks whose style differs from the learned one (check --strict-style)
    # take plans from and keep them in the plan cache (transform.plan_cache); off for a project
    # that lives in a temporary directory (eventmod.testing), whose plans no later run can use
    remember_plans: bool = True

    @classmethod
    def from_config(cls, config: Config, black: BlackSettings) -> "Settings":
        return cls(
            root=str(config.root), logger_module=config.logger_module, enum_file=Path(config.enum_file).as_posix(),
            enum_class=config.enum_class, getter=config.getter, emit=config.emit, json_safe=config.json_safe,
            black=black, safe_mode=config.safe_mode, hot_paths=config.hot_paths,
            integer_kwargs=config.integer_kwargs, json_safe_helper=config.json_safe_helper, failsafe=config.failsafe,
            logger_names=config.logger_names, failsafe_log_level=config.failsafe_log_level,
            import_mode=config.import_mode, style=config.style, isort=config.isort or ImportSort(),
            call=CallShape.from_config(config),
        )

    @property
    def logger_import(self) -> str:
        """The name blocks import from the logger module besides the enum (getter or function)."""
        return self.call.imported(self.getter)
