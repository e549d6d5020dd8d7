"""What metalint keeps in its cache folder, and ``metalint clean``, which removes it.

The folder may be one the user named (``--cache-dir``, the ``cache-dir`` setting), so only what
metalint writes there is removed: the image facts, the lint results (of every format version,
older ones included) and the temporary files of writes a kill interrupted. Nothing else in the
folder is touched.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import NamedTuple

CACHE_PATTERNS = ("images-v*.json", "results-v*", ".images-v*.json-*.tmp")


class Removed(NamedTuple):
    files: int
    bytes: int


def remove_caches(directory: Path) -> Removed:
    """Remove metalint's caches from ``directory``, and the folder itself once it is empty."""
    files = size = 0
    for pattern in CACHE_PATTERNS:
        for entry in directory.glob(pattern):
            if entry.is_dir() and not entry.is_symlink():
                for file in entry.rglob("*"):
                    if file.is_file():
                        files += 1
                        size += file.lstat().st_size
                shutil.rmtree(entry)
            else:
                files += 1
                size += entry.lstat().st_size
                entry.unlink()
    # Left when it is not empty (the user's own files), or not there at all.
    with contextlib.suppress(OSError):
        directory.rmdir()
    return Removed(files, size)
