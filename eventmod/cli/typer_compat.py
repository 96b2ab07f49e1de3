"""What eventmod changes in typer's behaviour, in one place (typer is pinned in pyproject.toml to
the range this is tested with; `tests/test_cli_contract.py` guards every point):

- **No pydantic.** The typer this project pins converts every non-flag parameter through a
  pydantic `TypeAdapter`, built lazily per parameter by `get_runtime_param()`: importing pydantic
  costs ~40 ms on every invocation. eventmod's parameters are plain (str, int, float, bool, Path
  and lists of them, with `min`/`max`), so `plain_parameters` pre-fills that lazy slot with a
  converter of its own that behaves the same for these types (same values, click-style error
  messages, exit 2). Older typers (click-based, no such slot) are left as they are.
- **Choices** are validated by a callback (`choice(...)`), shown in help as the metavar
  (`[text|json|github]`), so the value stays a plain `str`.
- **Arguments** show their metavar only (typer appends `<list[str]>`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence, get_args, get_origin

import typer
from typer.core import TyperCommand

_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off", ""}


class PlainConversion:
    """The runtime conversion of one parameter: the value click parsed -> the annotated type."""

    def __init__(self, annotation: Any, minimum: float | None = None, maximum: float | None = None):
        self.annotation = annotation
        self.minimum = minimum
        self.maximum = maximum

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        multiple = getattr(param, "multiple", False) or getattr(param, "nargs", 1) == -1
        if value is None:
            return () if multiple else None
        if multiple:
            if isinstance(value, str):
                raise typer.BadParameter("Value must be an iterable.", ctx=ctx, param=param)
            item = get_args(self.annotation)[0] if get_origin(self.annotation) is list else self.annotation
            return [self._one(v, item, param, ctx) for v in value]
        return self._one(value, self.annotation, param, ctx)

    def _one(self, value: Any, kind: Any, param: Any, ctx: Any) -> Any:
        if kind is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE or text in _FALSE:
                return text in _TRUE
            raise typer.BadParameter(f"{value!r} is not a valid boolean.", ctx=ctx, param=param)
        if kind in (int, float):
            if isinstance(value, bool):
                raise typer.BadParameter(f"{value!r} is not a valid {_kind_name(kind)}.", ctx=ctx, param=param)
            try:
                number = kind(value)
            except (TypeError, ValueError):
                raise typer.BadParameter(f"{value!r} is not a valid {_kind_name(kind)}.", ctx=ctx, param=param) from None
            if (self.minimum is not None and number < self.minimum) or (self.maximum is not None and number > self.maximum):
                raise typer.BadParameter(f"{number} is not in the range {_range(self.minimum, self.maximum)}.", ctx=ctx, param=param)
            return number
        if isinstance(kind, type) and issubclass(kind, Path):
            return value if isinstance(value, kind) else kind(value)
        if kind is str:
            return value if isinstance(value, str) else str(value)
        raise TypeError(f"eventmod's CLI parameters are str, int, float, bool or Path, not {kind!r}")


def _kind_name(kind: type) -> str:
    return "integer" if kind is int else "float"


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low}<=x<={high}"
    return f"x>={low}" if low is not None else f"x<={high}"


def plain_parameters(params: Sequence[Any]) -> None:
    """Give each typer parameter the plain conversion (see the module docstring)."""
    for param in params:
        if not hasattr(param, "get_runtime_param") or not hasattr(param, "type_descriptor"):
            continue  # not a typer parameter of the pydantic era (click's --help, older typers)
        info = param.type_descriptor.parameter_info
        param._runtime_param = PlainConversion(param.type_descriptor.annotation, info.min, info.max)
        if getattr(param, "param_type_name", "") == "argument" and param.metavar:
            param.display_type_rich = _no_type  # the metavar says it


def _no_type(ctx: Any = None) -> None:
    return None


class PlainParameters:
    """Mixin for typer's command and group classes: every parameter gets the plain conversion,
    including the `--help` option that click creates on demand."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        plain_parameters(self.params)  # type: ignore[attr-defined]

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            plain_parameters([option])
        return option


class PlainCommand(PlainParameters, TyperCommand):
    """A typer command without pydantic (see the module docstring)."""


def choice(*names: str, aliases: dict[str, str] | None = None) -> Callable[[Any, Any, Any], Any]:
    """A callback that accepts one of `names` (or a hidden alias, mapped to its name)."""
    accepted = {**{n: n for n in names}, **(aliases or {})}

    def check(ctx: Any, param: Any, value: Any) -> Any:
        if value is None:
            return None
        if value not in accepted:
            import difflib

            close = difflib.get_close_matches(str(value), names, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(names)}{hint}.", ctx=ctx, param=param)
        return accepted[value]

    return check


def choices_metavar(*names: str) -> str:
    return "[" + "|".join(names) + "]"
