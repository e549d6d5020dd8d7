"""Finding the file a PicName names, safely: exact case, inside the root, regular files only.

Only ``lstat``, ``stat`` and directory listings happen here; no image is opened.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from metalint.images.model import ImageFacts, Lookup

_WINDOWS_ABSOLUTE = re.compile(r"[A-Za-z]:[\\/]|\\\\")
_LISTINGS_KEPT = 16
_SEP = os.sep

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


@dataclass(frozen=True, slots=True)
class FileKey:
    """Identifies the content of a file for the cache: it changes when the file does."""

    path: str
    size: int
    mtime_ns: int
    ctime_ns: int
    """Changes on every write, even one that restores the size and the mtime."""
    inode: int


Observation = tuple[str, str, Any]
"""What a lookup depended on: ``("l", path, sig)`` an ``lstat``, ``("s", path, sig)`` a
``stat`` (of a symbolic link's target, or of a folder before its listing was read), with
``sig`` from ``signature`` or None for a missing file; ``("r", path, real)`` a ``realpath``."""


def signature(info: os.stat_result) -> list[int]:
    """What changes when a file (or a folder's list of names) does."""
    return [info.st_mode, info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns]


class Locator:
    """Looks PicNames up under one root, remembering what it learnt about each folder.

    With ``record``, it also keeps every observation its answers depended on (see
    ``observations``), so that a later run can tell whether they still hold.
    """

    def __init__(self, root: str, *, record: bool = False) -> None:
        self.root = os.path.realpath(root)
        self._insensitive: dict[str, bool] = {}
        self._real_dirs: dict[str, str] = {}
        self._folders: dict[tuple[str, str], str | None] = {}
        self._listings: OrderedDict[str, dict[str, list[str]]] = OrderedDict()
        self._seen: dict[tuple[str, str], Any] | None = {} if record else None
        self.unsure = False
        """An answer came from an error that may not last (permissions, I/O): not to be kept."""

    def observations(self) -> list[Observation]:
        """What the answers so far depended on, in the order it was first observed."""
        return [(kind, path, value) for (kind, path), value in (self._seen or {}).items()]

    def _note(self, kind: str, path: str, value: Any) -> None:
        seen = self._seen
        if seen is None:
            return
        key = (kind, path)
        if key in seen and seen[key] != value:
            self.unsure = True  # it changed during the run
        seen[key] = value

    def _lstat(self, path: str) -> os.stat_result:
        return self._stat_noted("l", path, os.lstat)

    def _stat(self, path: str) -> os.stat_result:
        return self._stat_noted("s", path, os.stat)

    def _stat_noted(self, kind: str, path: str, call: Any) -> os.stat_result:
        if self._seen is None:
            info: os.stat_result = call(path)
            return info
        try:
            info = call(path)
        except (FileNotFoundError, NotADirectoryError):
            self._note(kind, path, None)
            raise
        except OSError:
            self.unsure = True
            raise
        self._note(kind, path, signature(info))
        return info

    def _realpath(self, path: str) -> str:
        real = os.path.realpath(path)
        self._note("r", path, real)
        return real

    def locate(self, pic_name: str) -> tuple[ImageFacts, FileKey | None]:
        """What the lookup found, and the key of the file to read when there is one."""
        if not pic_name or "\x00" in pic_name:
            return ImageFacts(Lookup.SKIPPED), None
        if pic_name.startswith("/") or _WINDOWS_ABSOLUTE.match(pic_name):
            return ImageFacts(Lookup.OUTSIDE_ROOT, "is an absolute path"), None
        parts = pic_name.split("/")
        if ".." in parts:
            return ImageFacts(Lookup.OUTSIDE_ROOT, "contains a '..' segment"), None
        try:
            found = self._exact_parts(parts)
            if found is None:
                return ImageFacts(Lookup.MISSING), None
            real_parts, info = found
            real_name = None if real_parts == parts else "/".join(real_parts)
            facts, key = self._resolve(real_parts, info, real_name)
            if facts.lookup is Lookup.UNREADABLE:
                self.unsure = True
            return facts, key
        except OSError as exc:
            self.unsure = True
            return ImageFacts(Lookup.UNREADABLE, _describe(exc)), None
        except ValueError:
            # A name the file system cannot encode (a lone surrogate): no file can have it.
            return ImageFacts(Lookup.MISSING, "not a valid file name on this system"), None

    def _resolve(
        self, parts: list[str], info: os.stat_result, real_name: str | None
    ) -> tuple[ImageFacts, FileKey | None]:
        folder = _SEP.join([self.root, *parts[:-1]])
        path = folder + _SEP + parts[-1]
        try:
            if stat.S_ISLNK(info.st_mode):
                real = self._realpath(path)
            else:
                real = self._real_dir(folder) + _SEP + parts[-1]
            if not _inside(real, self.root):
                detail = "resolves through a symbolic link to a path outside the image root"
                return ImageFacts(Lookup.OUTSIDE_ROOT, detail, real_name), None
            if stat.S_ISLNK(info.st_mode):
                info = self._stat(real)
        except (FileNotFoundError, NotADirectoryError):
            return ImageFacts(Lookup.MISSING, "a broken symbolic link", real_name), None
        except OSError as exc:
            return ImageFacts(Lookup.UNREADABLE, _describe(exc), real_name), None
        if not stat.S_ISREG(info.st_mode):
            kind = next((text for test, text in _KINDS if test(info.st_mode)), "a special file")
            return ImageFacts(Lookup.NOT_REGULAR, kind, real_name), None
        lookup = Lookup.FOUND if real_name is None else Lookup.CASE_MISMATCH
        facts = ImageFacts(lookup, real_name=real_name, size=info.st_size)
        return facts, FileKey(real, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)

    def _real_dir(self, directory: str) -> str:
        real = self._real_dirs.get(directory)
        if real is None:
            real = self._real_dirs[directory] = self._realpath(directory)
        return real

    def _exact_parts(self, parts: list[str]) -> tuple[list[str], os.stat_result] | None:
        """The path's components as named on disk with the ``lstat`` of the last, or None
        when no file matches in any case.

        A component that exists under its own name is exact unless its folder ignores case; then
        (and when it does not exist) the folder's listing decides. Folders are looked up once.
        """
        found: list[str] = []
        folder = self.root
        for part in parts[:-1]:
            key = (folder, part)
            if key in self._folders:
                real = self._folders[key]
            else:
                real = self._folders[key] = self._exact_part(folder, part)[0]
            if real is None:
                return None
            found.append(real)
            folder = folder + _SEP + real
        last, info = self._exact_part(folder, parts[-1])
        if last is None:
            return None
        if info is None:
            try:
                info = self._lstat(folder + _SEP + last)
            except (FileNotFoundError, NotADirectoryError):
                return None
        found.append(last)
        return found, info

    def _exact_part(self, folder: str, part: str) -> tuple[str | None, os.stat_result | None]:
        """The name on disk of ``part`` in ``folder``, with its ``lstat`` when it was exact."""
        if part in ("", "."):
            return part, None
        try:
            info = self._lstat(folder + _SEP + part)
        except (FileNotFoundError, NotADirectoryError):
            return self._other_case(folder, part), None
        if not self._ignores_case(folder, part, info):
            return part, info
        names = self._listing(folder).get(part.casefold(), [])
        if part in names:
            return part, info
        return (names[0] if names else part), None

    def _ignores_case(self, folder: str, part: str, info: os.stat_result) -> bool:
        known = self._insensitive.get(folder)
        if known is not None:
            return known
        swapped = part.swapcase()
        if swapped == part:
            return False
        try:
            other = self._lstat(folder + _SEP + swapped)
        except OSError:
            self._insensitive[folder] = False
            return False
        insensitive = os.path.samestat(info, other)
        self._insensitive[folder] = insensitive
        return insensitive

    def _other_case(self, folder: str, part: str) -> str | None:
        try:
            names = self._listing(folder).get(part.casefold(), [])
        except (FileNotFoundError, NotADirectoryError):
            return None
        return names[0] if names else None

    def _listing(self, folder: str) -> dict[str, list[str]]:
        listing = self._listings.get(folder)
        if listing is not None:
            self._listings.move_to_end(folder)
            return listing
        if self._seen is not None:
            # Adding, removing or renaming a name changes the folder's mtime: noted first, so
            # that a change made while the names are read shows as one later.
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                self._stat(folder)
        listing = {}
        for name in sorted(os.listdir(folder)):
            listing.setdefault(name.casefold(), []).append(name)
        self._listings[folder] = listing
        if len(self._listings) > _LISTINGS_KEPT:
            self._listings.popitem(last=False)
        return listing


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _describe(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
