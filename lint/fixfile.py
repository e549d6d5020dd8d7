"""Fixing a manifest: every fix applied, again and again until the lint offers no more.

Each round lints the data and applies the fixes that do not overlap (``fixes.apply_fixes``);
a fix that overlaps one taken is offered again in the next round. Only the lines a fix edits
change; every other byte stays where it was. Images are not looked at: no image finding
carries a fix.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from metalint.atomic import write_atomically
from metalint.config import Config
from metalint.diagnostics import Diagnostic
from metalint.engine import lint_bytes
from metalint.fixes import apply_fixes

MAX_ROUNDS = 20
"""A bound on the rounds, should fixes ever undo one another (a test holds that they don't)."""


class Fixed(NamedTuple):
    original: bytes
    data: bytes
    applied: int
    """How many fixes were applied over all rounds."""


def fix_data(data: bytes, path: str, config: Config, *, unsafe: bool = False) -> Fixed:
    """``data`` with every safe fix applied (and the unsafe ones too with ``unsafe``)."""
    config = replace(config, check_images=False, use_cache=False)
    original, applied = data, 0
    for _ in range(MAX_ROUNDS):
        # Streamed: a broken generator's manifest offers a fix on each of a million lines.
        wanted = (d for d in lint_bytes(data, path, config) if _wanted(d, unsafe))
        fixed, count = apply_fixes(data, wanted)
        if count == 0 or fixed == data:
            break
        data, applied = fixed, applied + count
    return Fixed(original, data, applied)


def _wanted(diagnostic: Diagnostic, unsafe: bool) -> bool:
    fix = diagnostic.fix
    return fix is not None and (fix.safe or unsafe)


class FileChanged(Exception):
    """The manifest changed on disk while it was being fixed (or migrated): it is left as the
    other writer left it."""


def fix_file(path: Path, config: Config, *, unsafe: bool = False, write: bool = True) -> Fixed:
    """Fix the manifest at ``path``; with ``write``, replace it atomically (its permissions
    kept) unless it changed on disk meanwhile (``FileChanged``)."""
    before = os.stat(path)
    data = path.read_bytes()
    fixed = fix_data(data, str(path), config, unsafe=unsafe)
    if write and fixed.data != fixed.original:
        replace_unless_changed(path, before, fixed.data)
    return fixed


def replace_unless_changed(path: Path, before: os.stat_result, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, its permissions kept, unless the file is no
    longer the one ``before`` describes (``FileChanged``); OSError when it cannot be written."""
    if file_identity(os.stat(path)) != file_identity(before):
        raise FileChanged(str(path))
    if not write_atomically(path, data):
        raise OSError(f"cannot write {path}")


def file_identity(info: os.stat_result) -> tuple[int, ...]:
    return (info.st_ino, info.st_size, info.st_mtime_ns, stat.S_IMODE(info.st_mode))


def unified_diff(path: str, before: bytes, after: bytes) -> bytes:
    """The change as a unified diff that ``git apply`` and ``patch -p1`` take (``a/`` and
    ``b/`` in front of ``path``, relative to where they run). Lines are compared as bytes, so
    a manifest that is not UTF-8 keeps its bytes; a last line without a newline is marked as
    both tools expect."""
    import difflib

    old, new = _lines(before), _lines(after)
    name = path.encode("utf-8", "surrogateescape")
    lines = difflib.diff_bytes(
        difflib.unified_diff, old, new, fromfile=b"a/" + name, tofile=b"b/" + name
    )
    out = bytearray()
    for line in lines:
        out += line
        if not line.endswith(b"\n"):
            out += b"\n\\ No newline at end of file\n"
    return bytes(out)


_LINE = re.compile(rb"[^\n]*\n|[^\n]+\Z")


def _lines(data: bytes) -> list[bytes]:
    """The lines as the engine and git split them: on ``\n`` alone (a lone ``\r`` is text)."""
    return _LINE.findall(data)
