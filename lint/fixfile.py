"""Fixing a manifest: every fix applied, again and again until the lint offers no more.

Each round lints the manifest and copies it with the fixes that do not overlap applied
(``fixes.apply_fixes_streaming``); a fix that overlaps one taken is offered again in the next
round. Only the lines a fix edits change; every other byte stays where it was. A manifest on
disk is fixed through temporary files beside it, so that a broken generator's manifest with a
fix on each of millions of lines costs no more memory than linting it. Images are not looked
at: no image finding carries a fix.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from metalint.atomic import write_atomically
from metalint.config import Config
from metalint.diagnostics import Diagnostic
from metalint.engine import iter_lint_bytes, iter_lint_stream
from metalint.fixes import apply_fixes, apply_fixes_streaming

MAX_ROUNDS = 20
"""A bound on the rounds, should fixes ever undo one another (a test holds that they don't)."""


class Fixed(NamedTuple):
    original: bytes
    data: bytes
    applied: int
    """How many fixes were applied over all rounds."""


def fix_data(data: bytes, path: str, config: Config, *, unsafe: bool = False) -> Fixed:
    """``data``, the manifest at ``path``, with every safe fix applied (and the unsafe ones
    too with ``unsafe``)."""
    config = _for_fixing(config)
    original, applied = data, 0
    for _ in range(MAX_ROUNDS):
        fixed, count = apply_fixes(data, _wanted(iter_lint_bytes(data, path, config), unsafe))
        if fixed == data:
            break
        data, applied = fixed, applied + count
    return Fixed(original, data, applied)


def fix_file(path: Path, config: Config, *, unsafe: bool = False) -> int:
    """Fix the manifest at ``path`` in place, as ``fix_data`` would, and replace it
    atomically (its permissions kept) unless it changed on disk meanwhile (``FileChanged``);
    how many fixes were applied. OSError when it cannot be read, or its folder written."""
    before = os.stat(path)
    config = _for_fixing(config)
    source, applied = path, 0
    made: list[Path] = []
    try:
        for _ in range(MAX_ROUNDS):
            with open(source, "rb") as read, open(source, "rb") as copy:
                found = iter_lint_stream(read, str(path), config, disk_path=str(source))
                wanted = _wanted(found, unsafe)
                first = next(wanted, None)
                if first is None:  # nothing to fix: no file to write, nor a folder to write in
                    break
                fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
                made.append(Path(name))
                with os.fdopen(fd, "wb") as out:
                    fixes = itertools.chain((first,), wanted)
                    count, changed = apply_fixes_streaming(copy, fixes, out)
            if not changed:
                break
            source, applied = made[-1], applied + count
        if source != path:
            if file_identity(os.stat(path)) != file_identity(before):
                raise FileChanged(str(path))
            os.chmod(source, stat.S_IMODE(before.st_mode))
            os.replace(source, path)
    finally:
        for temp in made:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
    return applied


def _for_fixing(config: Config) -> Config:
    return replace(config, check_images=False, use_cache=False)


def _wanted(diagnostics: Iterable[Diagnostic], unsafe: bool) -> Iterator[Diagnostic]:
    for diagnostic in diagnostics:
        fix = diagnostic.fix
        if fix is not None and (fix.safe or unsafe):
            yield diagnostic


class FileChanged(Exception):
    """The manifest changed on disk while it was being fixed (or migrated): it is left as the
    other writer left it."""


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
