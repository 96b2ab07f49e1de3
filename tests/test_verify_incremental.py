"""Incremental safe-mode verification catches exactly what the whole-file check catches.

Every call safe mode makes while planning the golden cases and the bundled catalog is recorded
(original, output, origin map and the rest); then each output is corrupted in the ways a buggy
transformation could corrupt it (dropped, duplicated, swapped, reindented and blanked lines,
changed tokens; with the origin map kept, or changed along with the text as the edit engine
would report it) by a seeded generator, and:

- whenever the incremental proof accepts an output, the whole-file check accepts it too (it
  never lets through a corruption the full check catches);
- `verify_only_insertions` gives the same answer incrementally and whole-file for every case;
- the incremental proof does accept the real outputs (it is what runs, not a fallback), and
  decides without the full parse for the corruptions it can see locally.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from eventmod import api
from eventmod.transform import planner as engine
from eventmod.transform import verify
from eventmod.transform.verify import proven_incrementally, verify_only_insertions

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"


@dataclass
class Call:
    old: str
    new: str
    origin: list
    kwargs: dict = field(default_factory=dict)

    def full(self, new: str | None = None, origin: list | None = None) -> str | None:
        return _safe(verify_only_insertions, self.old, self.new if new is None else new, self.origin if origin is None else origin,
                     incremental=False, **self.kwargs)

    def incremental(self, new: str | None = None, origin: list | None = None) -> str | None:
        return _safe(verify_only_insertions, self.old, self.new if new is None else new, self.origin if origin is None else origin,
                     incremental=True, **self.kwargs)

    def proven(self, new: str | None = None, origin: list | None = None) -> bool:
        import ast

        kwargs = {k: v for k, v in self.kwargs.items() if k != "old_tree"}
        return proven_incrementally(self.old, self.new if new is None else new, self.origin if origin is None else origin,
                                    ast.parse(self.old), logger_module=kwargs["logger_module"], added_names=kwargs["added_names"],
                                    replaced=kwargs.get("replaced", frozenset()), scopes=kwargs.get("scopes") or {},
                                    results=kwargs.get("results") or {})


def _safe(function, *args, **kwargs) -> str | None:
    try:
        return function(*args, **kwargs)
    except (IndexError, ValueError) as exc:  # a corrupted origin map the full check trips over: caught
        return f"raised {type(exc).__name__}"


def _record(monkeypatch, project) -> list[Call]:
    calls: list[Call] = []
    real = verify.verify_only_insertions

    def recording(old, new, origin, **kwargs):
        kwargs.pop("old_tree", None)  # the engine's parse; each check below parses afresh
        calls.append(Call(old, new, list(origin), dict(kwargs)))
        return real(old, new, origin, **kwargs)

    monkeypatch.setattr(engine, "verify_only_insertions", recording)
    run = api.plan(project, jobs=1)
    assert not run.errors(), [p.format() for p in run.errors()]
    return calls


@pytest.fixture(scope="module")
def recorded() -> list[Call]:
    from eventmod.codegen.black_cache import style_cache

    mp = pytest.MonkeyPatch()
    mp.setenv("EVENTMOD_NO_CACHE", "1")  # every proof made now (none remembered from an earlier run)
    style_cache.cache_clear()
    try:
        calls: list[Call] = []
        for case in sorted(p for p in GOLDEN.iterdir() if (p / "input").is_dir()):
            calls += _record(mp, api.load_project(case, root=case / "input", specs=case / "specs"))
        calls += _record(mp, api.load_project(REPO))
        return calls
    finally:
        mp.undo()
        style_cache.cache_clear()


# -- the corruptions ---------------------------------------------------------------------------------
_TOKEN = re.compile(r"[A-Za-z_]\w*|\d+|==|!=|<=|>=|[-+*/%<>=.,:()\[\]{}]")


def _lines(text: str) -> tuple[list[str], bool]:
    lines = text.split("\n")
    ends = text.endswith("\n")
    return (lines[:-1] if ends else lines), ends


def _join(lines: list[str], ends: bool) -> str:
    return "\n".join(lines) + ("\n" if ends else "")


def _change_token(line: str, rng: random.Random) -> str | None:
    tokens = list(_TOKEN.finditer(line))
    if not tokens:
        return None
    m = rng.choice(tokens)
    word = m.group(0)
    options = {"await": "", "return": "yield", "if": "while", "None": "True", "True": "False", "and": "or", "is": "is not",
               "==": "!=", "<": ">", "+": "-", "(": "((", ")": "", ",": "", ".": ",", ":": ";", "=": "=="}
    if word in options:
        replacement = options[word]
    elif word.isdigit():
        replacement = str(int(word) + 1)
    elif word[0].isalpha() or word[0] == "_":
        replacement = rng.choice([word + "x", word[:-1] or "y", "self", "event_logger", "None"])
    else:
        replacement = rng.choice(["+", "-", "*", ""])
    return line[:m.start()] + replacement + line[m.end():]


def mutate(call: Call, rng: random.Random) -> tuple[str, str, list]:
    """(kind, corrupted output, origin map) for one random corruption of `call.new`."""
    lines, ends = _lines(call.new)
    origin = list(call.origin)
    n = rng.randrange(len(lines))
    kind = rng.choice(["drop", "drop_mapped", "duplicate", "duplicate_written", "duplicate_mapped", "swap", "reindent",
                       "dedent", "blank", "token", "token", "copy_line"])
    if kind == "drop":
        del lines[n]
    elif kind == "drop_mapped":  # the engine lost a line and its map says so
        del lines[n]
        del origin[n]
    elif kind == "duplicate":
        lines.insert(n, lines[n])
    elif kind == "duplicate_written":
        lines.insert(n, lines[n])
        origin.insert(n, None)
    elif kind == "duplicate_mapped":
        lines.insert(n, lines[n])
        origin.insert(n, origin[n])
    elif kind == "swap" and n + 1 < len(lines):
        lines[n], lines[n + 1] = lines[n + 1], lines[n]
    elif kind == "reindent":
        lines[n] = rng.choice(["    ", " ", "\t"]) + lines[n]
    elif kind == "dedent":
        stripped = lines[n].lstrip()
        lines[n] = lines[n][: max(0, len(lines[n]) - len(stripped) - rng.choice([1, 4, 8]))] + stripped
    elif kind == "blank":
        lines[n] = ""
    elif kind == "token":
        changed = _change_token(lines[n], rng)
        if changed is not None:
            lines[n] = changed
    elif kind == "copy_line":
        lines[n] = lines[rng.randrange(len(lines))]
    return kind, _join(lines, ends), origin


# -- the properties ----------------------------------------------------------------------------------
def test_the_recording_covers_the_goldens_and_the_catalog(recorded):
    assert len(recorded) >= 20
    assert sum(call.new.count("\n") for call in recorded) > 3_000


def test_real_outputs_are_accepted_by_the_incremental_proof_without_a_full_parse(recorded):
    """What runs is the incremental proof: it accepts every real output (else each file would
    pay for both checks)."""
    refused = [call.kwargs.get("added_names") for call in recorded if not call.proven()]
    assert not refused, f"{len(refused)} of {len(recorded)} real outputs fell back to the whole-file check"
    assert all(call.full() is None for call in recorded)


def test_incremental_and_full_checks_catch_the_same_corruptions(recorded):
    rng = random.Random(20261130)
    caught: dict[str, int] = {}
    decided_locally = 0
    total = 0
    for call in recorded:
        for _ in range(8):
            kind, new, origin = mutate(call, rng)
            full = call.full(new, origin)
            proven = call.proven(new, origin)
            # never accept what the whole-file check refuses
            assert not (proven and full is not None), (kind, full, _diff(call.new, new))
            # and the engine's entry point answers exactly as the whole-file check does
            assert call.incremental(new, origin) == full, kind
            total += 1
            if full is not None:
                caught[kind] = caught.get(kind, 0) + 1
            elif proven:
                decided_locally += 1
    # the corruptions are real: the full check catches every kind of them
    assert {"drop", "drop_mapped", "duplicate", "duplicate_mapped", "swap", "reindent", "dedent", "token", "copy_line"} <= set(caught), caught
    assert sum(caught.values()) > total // 2, (caught, total)
    # harmless corruptions (a blanked blank line, a reindented comment...) are still proven locally
    assert decided_locally > 0


@pytest.mark.parametrize("seed", range(2))
def test_corruptions_inside_the_edited_statements(recorded, seed):
    """Corruptions aimed at the lines next to an edit (what the units re-parse), where the local
    check, not the verbatim comparison, has to find them."""
    rng = random.Random(seed)
    for call in recorded:
        written = [n for n, o in enumerate(call.origin) if o is None]
        if not written:
            continue
        lines, ends = _lines(call.new)
        for _ in range(6):
            n = max(0, min(len(lines) - 1, rng.choice(written) + rng.choice([-2, -1, 0, 0, 1, 2])))
            mutated = list(lines)
            choice = rng.randrange(3)
            if choice == 0:
                changed = _change_token(mutated[n], rng)
                if changed is None:
                    continue
                mutated[n] = changed
            elif choice == 1:
                mutated[n] = "    " + mutated[n]
            else:
                stripped = mutated[n].lstrip()
                mutated[n] = mutated[n][: max(0, len(mutated[n]) - len(stripped) - 4)] + stripped
            new = _join(mutated, ends)
            full = call.full(new)
            assert not (call.proven(new) and full is not None), (full, _diff(call.new, new))
            assert call.incremental(new) == full


def _diff(a: str, b: str) -> str:
    import difflib

    return "".join(list(difflib.unified_diff(a.splitlines(True), b.splitlines(True), n=1))[:20])
