"""Configuration as data: `Config` (what [tool.eventmod] and the flags say) and `Settings`
(the plain, picklable subset a worker needs to plan one file). `eventmod.config` builds them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

EMIT_MODES = ("await", "background")
DEFAULT_GETTER = "get_event_logger"
DEFAULT_ENUM_CLASS = "EventType"
DEFAULT_LOGGER_MODULE = "core.event_logger"
DEFAULT_ENUM_FILE = "core/event_logger.py"
DEFAULT_VARIABLE = "event_logger"  # the name a block binds the logger to
LOG_METHOD = "log_event"


@dataclass(frozen=True)
class Config:
    root: Path
    specs: Path
    logger_module: str = DEFAULT_LOGGER_MODULE
    enum_file: str = DEFAULT_ENUM_FILE
    enum_class: str = DEFAULT_ENUM_CLASS
    getter: str = DEFAULT_GETTER
    emit: str = "await"
    json_safe: bool = False
    hot_paths: tuple[str, ...] = ()
    integer_kwargs: tuple[str, ...] = ("position_id",)
    json_safe_helper: str = ""  # "module:function" to import instead of emitting a local helper
    safe_mode: bool = True
    failsafe: bool = True  # wrap each block so no logging failure reaches the caller
    logger_names: tuple[str, ...] = ()  # receiver globs taken for loggers, added to the built-in ones
    source: Path | None = field(default=None, compare=False)  # the pyproject it came from

    def with_overrides(self, **overrides: Any) -> "Config":
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, **given)


@dataclass(frozen=True)
class BlackSettings:
    """The subset of a target project's [tool.black] that shapes generated code."""

    line_length: int = 88
    skip_string_normalization: bool = False


@dataclass(frozen=True)
class Settings:
    """What a worker needs from the configuration (plain, picklable)."""

    root: str
    logger_module: str = DEFAULT_LOGGER_MODULE
    enum_file: str = DEFAULT_ENUM_FILE
    enum_class: str = DEFAULT_ENUM_CLASS
    getter: str = DEFAULT_GETTER
    emit: str = "await"
    json_safe: bool = False
    black: BlackSettings = BlackSettings()
    safe_mode: bool = True
    hot_paths: tuple[str, ...] = ()
    integer_kwargs: tuple[str, ...] = ("position_id",)
    json_safe_helper: str = ""
    variable: str = DEFAULT_VARIABLE
    failsafe: bool = True
    logger_names: tuple[str, ...] = ()
    # In-memory file contents that stand in for the disk (path, bytes): planning phase N+1 on top
    # of phase N's output without writing it (patches per phase, --patch-dir).
    overlay: tuple[tuple[str, bytes], ...] = ()

    @classmethod
    def from_config(cls, config: Config, black: BlackSettings) -> "Settings":
        return cls(
            root=str(config.root), logger_module=config.logger_module, enum_file=Path(config.enum_file).as_posix(),
            enum_class=config.enum_class, getter=config.getter, emit=config.emit, json_safe=config.json_safe,
            black=black, safe_mode=config.safe_mode, hot_paths=config.hot_paths,
            integer_kwargs=config.integer_kwargs, json_safe_helper=config.json_safe_helper, failsafe=config.failsafe,
            logger_names=config.logger_names,
        )
