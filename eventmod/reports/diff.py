"""Unified diffs (git-apply-able) read off the edit map, and their colour."""

from __future__ import annotations

import difflib
from typing import Iterator

from eventmod.model.results import FilePlan, RunPlan
from eventmod.pyast.source import split_lines

_RED, _GREEN, _CYAN, _BOLD, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[1m", "\x1b[0m"


class _KnownOpcodes(difflib.SequenceMatcher):
    """A SequenceMatcher whose opcodes are given, not searched for: difflib's own grouping into
    hunks then applies unchanged."""

    def __init__(self, opcodes: list[tuple[str, int, int, int, int]]):
        super().__init__(None, [], [])
        self.opcodes = opcodes

    def get_opcodes(self):
        return self.opcodes


def opcodes_from_origin(old: list[str], new: list[str], origin: tuple[int | None, ...]) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes from the edit map: runs of copied lines are `equal`; what lies
    between two runs is an insert, a delete or a replace. A line the map traces to an old one
    but whose text differs (a statement re-indented by an on_error wrap) counts as changed."""
    old_count = len(old)
    ops: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    pending_i, pending_j = 0, 0

    def flush(i2: int, j2: int) -> None:
        if i2 > pending_i or j2 > pending_j:
            tag = "replace" if i2 > pending_i and j2 > pending_j else ("delete" if i2 > pending_i else "insert")
            ops.append((tag, pending_i, i2, pending_j, j2))

    for j, o in enumerate(origin):
        if o is None or o < i or new[j] != old[o]:
            continue
        flush(o, j)
        if ops and ops[-1][0] == "equal" and ops[-1][2] == o and ops[-1][4] == j:
            ops[-1] = ("equal", ops[-1][1], o + 1, ops[-1][3], j + 1)
        else:
            ops.append(("equal", o, o + 1, j, j + 1))
        i, pending_i, pending_j = o + 1, o + 1, j + 1
    flush(old_count, len(origin))
    return ops or [("equal", 0, 0, 0, 0)]


def _hunk_range(start: int, stop: int) -> str:
    """A unified diff hunk's range `start,length` (1-based; `start` is the line before an empty
    range), as GNU diff and difflib write it."""
    beginning, length = start + 1, stop - start
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1
    return f"{beginning},{length}"


def _unified(old: list[str], new: list[str], fromfile: str, tofile: str, matcher: difflib.SequenceMatcher, n: int = 3):
    """difflib.unified_diff, with the matcher supplied (same output format)."""
    started = False
    for group in matcher.get_grouped_opcodes(n):
        if not started:
            started = True
            yield f"--- {fromfile}\n"
            yield f"+++ {tofile}\n"
        first, last = group[0], group[-1]
        file1 = _hunk_range(first[1], last[2])
        file2 = _hunk_range(first[3], last[4])
        yield f"@@ -{file1} +{file2} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for line in old[i1:i2]:
                    yield " " + line
                continue
            if tag in {"replace", "delete"}:
                for line in old[i1:i2]:
                    yield "-" + line
            if tag in {"replace", "insert"}:
                for line in new[j1:j2]:
                    yield "+" + line


def file_diff(plan: FilePlan, prefix: str = "") -> str:
    """Unified diff of one file with a/ b/ paths relative to root (after `prefix`, e.g. root's
    path in its git work tree, so the patch applies from the top level); '' when unchanged."""
    if not plan.changed or plan.old is None or plan.new is None:
        return ""
    old = split_lines(_decode(plan.old))
    new = split_lines(_decode(plan.new))
    if plan.origin and len(plan.origin) == len(new):
        matcher: difflib.SequenceMatcher = _KnownOpcodes(opcodes_from_origin(old, new, plan.origin))
    else:
        matcher = difflib.SequenceMatcher(None, old, new)
    path = prefix + plan.path
    out = [f"diff --git a/{path} b/{path}\n"]
    for line in _unified(old, new, f"a/{path}", f"b/{path}", matcher):
        if line.startswith(("---", "+++")):
            out.append(line.rstrip("\n") + "\n")
        elif not line.endswith("\n"):
            out.append(line + "\n\\ No newline at end of file\n")
        else:
            out.append(line)
    return "".join(out)


def digest(plan: FilePlan, prefix: str = "") -> FilePlan:
    """The plan holding its diff (`file_diff`) instead of its texts: what a dry-run needs of a
    file, taken where the file is planned (a worker process sends back the diff alone)."""
    return plan.digested(file_diff(plan, prefix))


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="surrogateescape")


def run_diff(plan: RunPlan, prefix: str = "") -> str:
    return "".join(file_diff(f, prefix) for f in plan.files)


def colorize(diff: str) -> str:
    out = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("diff --git", "---", "+++")):
            out.append(_BOLD + line.rstrip("\n") + _RESET + "\n")
        elif line.startswith("@@"):
            out.append(_CYAN + line.rstrip("\n") + _RESET + "\n")
        elif line.startswith("+"):
            out.append(_GREEN + line.rstrip("\n") + _RESET + "\n")
        elif line.startswith("-"):
            out.append(_RED + line.rstrip("\n") + _RESET + "\n")
        else:
            out.append(line)
    return "".join(out)


class PatchSpool:
    """A patch taken file by file: in memory up to `limit` characters, then in a temporary
    file (the patch grows with the run; the run's memory should not). Read back once."""

    def __init__(self, limit: int):
        self.limit = limit
        self.pieces: list[str] = []
        self.size = 0
        self.file = None

    def write(self, text: str) -> None:
        if self.file is not None:
            self.file.write(text)
            return
        self.pieces.append(text)
        self.size += len(text)
        if self.size > self.limit:
            import tempfile  # only a large patch pays its import

            # surrogatepass: whatever the diff holds comes back unchanged
            self.file = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="surrogatepass", newline="")
            self.file.writelines(self.pieces)
            self.pieces = []

    def chunks(self, size: int) -> Iterator[str]:
        """The patch, in order, in pieces of at most `size` characters once spooled."""
        if self.file is None:
            yield from self.pieces
            return
        self.file.seek(0)
        while chunk := self.file.read(size):
            yield chunk

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
