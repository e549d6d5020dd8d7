"""Reading the content facts of files by path: the work a worker process does."""

from __future__ import annotations

import os
import stat

from metalint.images.decode import check_pixels
from metalint.images.header import Source
from metalint.images.model import Content
from metalint.images.readers import read_content

_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def read_file(path: str, deep: bool = False) -> Content | str:
    """The header facts of the regular file at ``path``, or why it could not be read; with
    ``deep``, its pixels decoded too (see ``check_pixels``, which also gives the second opinion
    on a file the header readers find damaged).

    The file is opened without following a final symbolic link and without blocking (a FIFO
    swapped in since the lookup cannot hang the run), and checked again to be a regular file.
    """
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "no longer a regular file"
        content = read_content(Source.of_fd(fd, info.st_size))
        return check_pixels(fd, info.st_size, content, deep=deep)
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    finally:
        os.close(fd)


def read_files(paths: list[str], deep: bool = False) -> list[Content | str]:
    """``read_file`` for each path, in order: one task for a worker process."""
    return [read_file(path, deep) for path in paths]
