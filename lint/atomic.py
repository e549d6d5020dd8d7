"""Writing a file so that a reader sees the old content or the new, never a part of either."""

from __future__ import annotations

import contextlib
import functools
import os
import stat
import tempfile
from pathlib import Path


@functools.cache
def _umask() -> int:
    # Reading the mask means setting it: done once, before any file of the run is written.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomically(path: Path, data: bytes, *, private: bool = False) -> bool:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``.

    The new file keeps the permissions of the file it replaces, or gets those a new file
    gets (0666 less the umask); with ``private``, only the owner may read it (caches).
    Returns False, leaving ``path`` as it was and no temporary file behind, when the folder
    cannot be created or written: callers that only cache treat that as "not kept".
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as out:
            if not private:
                try:
                    mode = stat.S_IMODE(os.stat(path).st_mode)
                except FileNotFoundError:
                    mode = 0o666 & ~_umask()
                os.fchmod(out.fileno(), mode)
            out.write(data)
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        return False
    return True
