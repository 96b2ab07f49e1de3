"""Learning the house style once per run: how the project's existing `log_event` blocks are
written (`analysis.style.block_habits`), added up over files.

**Which files are read.** First the files the selection touches (the run reads them anyway;
a file without the text `log_event` is skipped without parsing). Only when none of them holds a
block, a bounded scan of root: `*.py` files in sorted order, skipping hidden, virtualenv,
build and cache directories, at most `SCAN_FILES` files and `SCAN_BYTES` bytes read, stopping
once `SCAN_BLOCKS` blocks were seen. What one file teaches is cached by its content hash (with
black's answers, see `codegen.black_cache`), so a repeated run parses no file for its style; what
the scan learned is cached with the size and mtime of each file it looked at, so a repeated run
reads no file outside the selection (it stats them).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Callable

from eventmod.analysis.anchors import LoggerNames
from eventmod.analysis.style import AUTO, FileHabits, block_habits, file_habits, log_spacing
from eventmod.codegen.black_cache import key_of, style_cache
from eventmod.model.problems import Problem
from eventmod.model.settings import Habits, HouseStyle, Settings
from eventmod.pyast.source import Loaded, SourceFile, load_bytes

HABITS_VERSION = 2  # bump when `block_habits` counts differently: cached answers are keyed by it
FILE_HABITS_VERSION = 1  # bump when `file_habits` counts differently
LOG_SPACING_VERSION = 1  # bump when `log_spacing` counts differently
SCAN_FILES = 400
SCAN_BYTES = 4_000_000
SCAN_BLOCKS = 20
SKIP_DIRS = frozenset({"node_modules", "__pycache__", "build", "dist", "site-packages", "venv", "env", "htmlcov"})


def learn_house_style(settings: Settings, targets: list[str], load: Callable[[str], Loaded | Problem] | None = None) -> HouseStyle:
    """The house style of the project at `settings.root`, from `targets` (paths relative to
    root) and, when they hold no block, a bounded scan (see the module docstring). `load`
    parses a target (the run's own loader, so the job reuses the parse)."""
    if settings.style != AUTO:
        return HouseStyle()
    root = Path(settings.root)
    overlay = dict(settings.overlay)
    total, files = Habits(), []
    for rel in targets:
        raw = overlay.get(rel)
        if raw is None:
            try:
                raw = (root / rel).read_bytes()
            except OSError:
                continue
        habits = _habits_of(rel, raw, settings, load)
        if habits.blocks:
            total, files = total + habits, [*files, rel]
    if total.blocks:
        return HouseStyle(total, tuple(files))
    cache = style_cache()
    key = key_of("scan", HABITS_VERSION, str(root.resolve()), settings.logger_module, settings.getter, settings.enum_class,
                 repr(settings.call), "\x00".join(sorted(targets)))
    remembered = _remembered_scan(cache.get(key), root, set(targets))
    if remembered is not None:
        return remembered
    scanned = 0
    read = 0
    seen: list[list] = []  # [rel, size, mtime_ns] of each file the scan looked at, in order
    exhausted = True
    for rel in _scan(root, set(targets)):
        if scanned >= SCAN_FILES or read >= SCAN_BYTES or total.blocks >= SCAN_BLOCKS:
            exhausted = False
            break
        seen.append([rel, *_stamp(root / rel)])
        try:
            raw = (root / rel).read_bytes()
        except OSError:
            continue
        scanned += 1
        read += len(raw)
        habits = _habits_of(rel, raw, settings, load)
        if habits.blocks:
            total, files = total + habits, [*files, rel]
    cache.put(key, json.dumps({"seen": seen, "exhausted": exhausted, "habits": _to_json(total), "files": files, "scanned": scanned}))
    return HouseStyle(total, tuple(files), scanned)


def _stamp(path: Path) -> tuple[int, int]:
    """(size, mtime in ns) of a file, (-1, -1) when it cannot be read: what tells a scanned
    file changed without reading it (black's own cache trusts the same pair)."""
    try:
        stat = path.stat()
    except OSError:
        return -1, -1
    return stat.st_size, stat.st_mtime_ns


def _remembered_scan(hit: str | None, root: Path, skip: set[str]) -> HouseStyle | None:
    """What the last bounded scan learned, when it would look at the same files now: the same
    candidates in the same order, each with the same size and mtime (checked by stat, never
    read), and no new candidate after them if it had looked at all of them. Else None."""
    if hit is None:
        return None
    try:
        data = json.loads(hit)
        seen = [(str(rel), int(size), int(mtime)) for rel, size, mtime in data["seen"]]
        candidates = _scan(root, skip)
        for rel, size, mtime in seen:
            if next(candidates, None) != rel or _stamp(root / rel) != (size, mtime):
                return None
        if data["exhausted"] and next(candidates, None) is not None:
            return None
        return HouseStyle(_from_json(data["habits"]), tuple(str(f) for f in data["files"]), int(data["scanned"]))
    except (ValueError, TypeError, KeyError):
        return None


def _scan(root: Path, skip: set[str]):
    """`*.py` files under root, relative POSIX paths, in sorted order (directories too)."""
    for directory, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS and not d.endswith(".egg-info"))
        base = Path(directory)
        for name in sorted(names):
            if name.endswith(".py"):
                rel = (base / name).relative_to(root).as_posix()
                if rel not in skip:
                    yield rel


def _habits_of(rel: str, raw: bytes, settings: Settings, load: Callable[[str], Loaded | Problem] | None) -> Habits:
    if not any(name.encode() in raw for name in settings.call.names):
        return Habits()
    cache = style_cache()
    key = key_of("habits", HABITS_VERSION, settings.logger_module, settings.getter, settings.enum_class, repr(settings.call),
                 hashlib.sha256(raw).hexdigest())
    hit = cache.get(key)
    if hit is not None:
        try:
            return _from_json(hit)
        except (ValueError, TypeError, KeyError):
            pass
    loaded = load(rel) if load is not None else _parse(rel, raw)
    if isinstance(loaded, Problem) or loaded is None:
        return Habits()
    source, tree = loaded
    habits = block_habits(source, tree, settings.getter, settings.enum_class, settings.logger_module, settings.call)
    cache.put(key, _to_json(habits))
    return habits


def _parse(rel: str, raw: bytes) -> Loaded | None:
    source = SourceFile.decode(rel, raw)
    if isinstance(source, Problem):
        return None
    tree = source.parse()
    return None if isinstance(tree, Problem) else (source, tree)


def _to_json(habits: Habits) -> str:
    data = dict(habits.__dict__)
    data["comments"] = [list(item) for item in habits.comments]
    return json.dumps(data, sort_keys=True)


def _from_json(text: str) -> Habits:
    data = json.loads(text)
    data["comments"] = tuple((str(prefix), int(count)) for prefix, count in data["comments"])
    return Habits(**data)


def learn_log_spacing(settings: Settings, targets: list[str]) -> bool:
    """Whether, over the `targets` (paths relative to root), the code's own logger calls are
    followed by a blank line more often than not (`analysis.style.log_spacing`). Projects
    differ widely here (in the instrumented files of three async libraries: 25%, 33% and 70%
    of the time), and one file alone says little, so the files of a run are counted together.
    What a file says is cached by its content hash with what decides its instrumentation (the
    logger module, the getter, the call shape, the logger names)."""
    from eventmod.codegen.imports import file_matcher  # only a revert learns this: a dry-run does not import it

    cache = style_cache()
    blank = pairs = 0
    for rel in targets:
        try:
            raw = (Path(settings.root) / rel).read_bytes()
        except OSError:
            continue
        key = key_of("log-spacing", LOG_SPACING_VERSION, sys.version_info[:2], settings.logger_module, settings.getter,
                     repr(settings.call), settings.logger_names, hashlib.sha256(raw).hexdigest())
        counted = _counts(cache.get(key))
        if counted is None:
            loaded = load_bytes(rel, raw)  # the bytes just read and hashed: not read again
            if isinstance(loaded, Problem):
                continue
            source, tree = loaded
            matcher = file_matcher(tree, settings.logger_module, settings.getter, settings.call)
            counted = log_spacing(tree, source.lines, matcher, LoggerNames.of(tree, settings.logger_names))
            cache.put(key, json.dumps(list(counted)))
        blank, pairs = blank + counted[0], pairs + counted[1]
    return 2 * blank > pairs


def _counts(hit: str | None) -> tuple[int, int] | None:
    """A cached (blank, pairs) of `learn_log_spacing`, or None (a damaged entry costs a parse)."""
    if hit is None:
        return None
    try:
        blank, pairs = json.loads(hit)
    except (ValueError, TypeError):
        return None
    return (blank, pairs) if type(blank) is int and type(pairs) is int and 0 <= blank <= pairs else None


def cached_file_habits(source: SourceFile, tree: ast.Module) -> FileHabits:
    """`analysis.style.file_habits` (a walk of the whole file), remembered by the file's content
    hash in the style cache: a repeated run walks no file for its own style (its quotes, blank
    lines and comments). Keyed by the Python version too (where ast places the strings inside
    f-strings differs)."""
    cache = style_cache()
    key = key_of("file", FILE_HABITS_VERSION, sys.version_info[:2], source.encoding, hashlib.sha256(source.raw).hexdigest())
    hit = cache.get(key)
    if hit is not None:
        remembered = _file_habits_from_json(hit)
        if remembered is not None:
            return remembered
    habits = file_habits(source, tree)
    cache.put(key, json.dumps(habits.__dict__, sort_keys=True))
    return habits


def _file_habits_from_json(text: str) -> FileHabits | None:
    """A cached `FileHabits`, or None when the entry is not one (a damaged cache only costs a walk)."""
    try:
        data = json.loads(text)
        habits = FileHabits(**data)
    except (ValueError, TypeError):
        return None
    fields = habits.__dict__
    if not isinstance(fields["comment"], str) or not all(type(v) is int for k, v in fields.items() if k != "comment"):
        return None
    return habits
