"""The on-disk cache of whole results: what ``lint_file`` returned for a manifest, kept until
anything it depended on changes.

One small file per manifest (and configuration) under ``<cache dir>/results-v1/``, named by a
hash of the key, written atomically (a temporary file, then ``os.replace``), so that runs
sharing the folder only ever see whole entries. An entry holds:

- its key: the format, metalint's version, a fingerprint of metalint's own files (an edited
  checkout invalidates everything), a fingerprint of every setting of the configuration that can
  change a result, the path as shown, the manifest's real path and the image root's;
- the manifest's ``stat`` (mode, size, mtime, inode, ctime);
- when images are checked, what the lookups depended on (``ImageStage.dependencies``): the
  ``lstat`` of each image and folder component, the ``stat`` of a link's target and of each
  folder whose names were listed, each ``realpath`` taken;
- the diagnostics.

A warm run checks the key, ``stat``s the manifest and repeats every recorded observation; when
all give the same, it returns the diagnostics without opening the manifest or any image. Any
difference, an entry that cannot be read or that was written by another version, or any error
while checking, and the manifest is linted again. A result is not kept when a file or folder it
depended on was modified within ``RACY_NS`` of the run (a change within the same tick of the
file system's clock could leave size and mtime as they were: git's "racily clean" problem),
when the manifest changed while it was linted, when an image could not be read, or when it
would take more than ``MAX_BYTES``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

import metalint
from metalint.atomic import write_atomically
from metalint.config import Config
from metalint.diagnostics import Diagnostic, Fix, Related, Severity, Span, TextEdit
from metalint.images.cache import default_cache_dir
from metalint.images.lookup import Observation, signature

FOLDER = "results-v1"
FORMAT = 1
"""Raise it whenever an entry's layout or meaning changes."""
MAX_BYTES = 50 * 1024 * 1024
"""A result larger than this once serialized is not kept."""
MAX_DIAGNOSTICS = 50_000
"""Above this many diagnostics the result is not kept: the engine streams findings, and
holding a broken generator's million findings for the cache would cost hundreds of MB."""
RACY_NS = 2_000_000_000
"""Files modified this close to a run (or later) make its result unfit to keep: two seconds
covers the coarsest clocks of common file systems (FAT's)."""

_SEVERITIES = {s.value: s for s in Severity}
_code_fingerprint: str | None = None


class ResultCache:
    """The cache entry of one manifest linted under one configuration."""

    max_diagnostics = MAX_DIAGNOSTICS

    def __init__(self, path: Path, shown: str, explicit: bool, config: Config) -> None:
        self._path = path
        self._real = os.path.realpath(path)
        self._check_images = config.check_images
        self._root = (
            os.path.realpath(config.images_root or path.parent) if config.check_images else None
        )
        self._key = [
            FORMAT,
            metalint.__version__,
            _code(),
            config_fingerprint(config),
            shown,
            explicit,
            self._real,
            self._root,
        ]
        digest = hashlib.blake2b(orjson.dumps(self._key), digest_size=20).hexdigest()
        self.file = (config.cache_dir or default_cache_dir()) / FOLDER / f"{digest}.json"
        self._started = time.time_ns()

    def get(self, info: os.stat_result) -> list[Diagnostic] | None:
        """The kept diagnostics when the entry is there and everything it depended on is as it
        was; ``info`` is the manifest's ``stat``. None (lint again) otherwise."""
        try:
            with open(self.file, "rb") as stream:
                entry = orjson.loads(stream.read())
            if entry.__class__ is not dict or entry.get("key") != self._key:
                return None
            if entry["manifest"] != signature(info):
                return None
            if not _still(entry["depends"]):
                return None
            return [_diagnostic(item) for item in entry["diagnostics"]]
        except Exception:
            return None

    def put(
        self,
        info: os.stat_result,
        diagnostics: Sequence[Diagnostic],
        dependencies: list[Observation] | None,
        root: str | None,
    ) -> None:
        """Keep ``diagnostics``, the result of linting the manifest whose ``stat`` before
        linting was ``info``, when it is fit to keep; otherwise drop any older entry."""
        try:
            data = self._entry(info, diagnostics, dependencies, root)
        except Exception:
            data = None
        if data is None:
            with contextlib.suppress(OSError):
                os.unlink(self.file)
            return
        write_atomically(self.file, data, private=True)

    def _entry(
        self,
        info: os.stat_result,
        diagnostics: Sequence[Diagnostic],
        dependencies: list[Observation] | None,
        root: str | None,
    ) -> bytes | None:
        if len(diagnostics) > MAX_DIAGNOSTICS:
            return None
        if self._check_images and (dependencies is None or root != self._root):
            return None
        manifest = signature(info)
        if signature(os.stat(self._path)) != manifest:
            return None  # changed while it was linted
        newest = self._started - RACY_NS
        if info.st_mtime_ns >= newest:
            return None
        depends = dependencies or []
        for kind, _, value in depends:
            if kind != "r" and value is not None and value[2] >= newest:
                return None
        if not stat.S_ISREG(info.st_mode):
            return None
        data = orjson.dumps(
            {
                "key": self._key,
                "manifest": manifest,
                "depends": depends,
                "diagnostics": [_encode(d) for d in diagnostics],
            }
        )
        return data if len(data) <= MAX_BYTES else None


def config_fingerprint(config: Config) -> str:
    """A digest of every setting that can change a result (not ``jobs``, ``use_cache`` or
    ``cache_dir``): equal for configurations that lint alike, as far as the settings go."""
    document = [
        config.service.value,
        sorted(config.disabled),
        sorted((code, str(severity)) for code, severity in config.severities.items()),
        [[entry.pattern, sorted(entry.codes)] for entry in config.per_file_ignores],
        config.check_images,
        config.deep_images,
        None if config.images_root is None else os.path.realpath(config.images_root),
        None if config.base_dir is None else os.path.realpath(config.base_dir),
    ]
    return hashlib.blake2b(orjson.dumps(document), digest_size=16).hexdigest()


def _code() -> str:
    """A digest of metalint's own files (name, size, mtime), the interpreter's and orjson's
    versions: a checkout whose code was edited under an unchanged version number must not
    reuse results of the old code. Computed once a process."""
    global _code_fingerprint
    if _code_fingerprint is None:
        import metalint.schema

        parts: list[Any] = [sys.version, orjson.__version__]
        for package in (metalint, metalint.schema):
            folder = os.path.dirname(os.path.realpath(package.__file__ or ""))
            for base, dirs, files in os.walk(folder):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                for name in sorted(files):
                    if name.endswith((".py", ".json")):
                        info = os.stat(os.path.join(base, name))
                        parts.append([base, name, info.st_size, info.st_mtime_ns])
        _code_fingerprint = hashlib.blake2b(orjson.dumps(parts), digest_size=16).hexdigest()
    return _code_fingerprint


def _still(depends: list[list[Any]]) -> bool:
    """Whether every recorded observation gives the same again."""
    lstat, stat_, realpath = os.lstat, os.stat, os.path.realpath
    for kind, path, value in depends:
        if kind == "r":
            if realpath(path) != value:
                return False
            continue
        try:
            info = lstat(path) if kind == "l" else stat_(path)
        except (FileNotFoundError, NotADirectoryError):
            if value is not None:
                return False
            continue
        if value is None or kind not in ("l", "s"):
            return False
        if (
            info.st_mtime_ns != value[2]
            or info.st_size != value[1]
            or info.st_ino != value[3]
            or info.st_ctime_ns != value[4]
            or info.st_mode != value[0]
        ):
            return False
    return True


# -- diagnostics as JSON ------------------------------------------------------------------------


def _span(span: Span) -> list[int]:
    return [span.line, span.column, span.end_line, span.end_column]


def _encode(d: Diagnostic) -> list[Any]:
    fix = None
    if d.fix is not None:
        edits = [[*_span(e.span), e.new_text] for e in d.fix.edits]
        fix = [d.fix.description, edits, d.fix.safe]
    related = [[r.path, *_span(r.span), r.message] for r in d.related]
    span = _span(d.span)
    return [d.code, d.name, d.severity.value, d.message, d.path, *span, d.key, fix, related]


def _diagnostic(item: list[Any]) -> Diagnostic:
    code, name, severity, message, path, line, column, end_line, end_column, key, fix, related = (
        item
    )
    if not (
        code.__class__ is str
        and name.__class__ is str
        and message.__class__ is str
        and path.__class__ is str
        and (key is None or key.__class__ is str)
    ):
        raise ValueError("not a diagnostic")
    return Diagnostic(
        code,
        name,
        _SEVERITIES[severity],
        message,
        path,
        _int_span(line, column, end_line, end_column),
        key,
        None if fix is None else _fix(fix),
        tuple(_related(r) for r in related) if related else (),
    )


def _int_span(*numbers: Any) -> Span:
    if any(n.__class__ is not int for n in numbers):
        raise ValueError("not a span")
    return Span(*numbers)


def _fix(fix: list[Any]) -> Fix:
    description, edits, safe = fix
    if description.__class__ is not str or safe.__class__ is not bool:
        raise ValueError("not a fix")
    decoded = []
    for line, column, end_line, end_column, text in edits:
        if text.__class__ is not str:
            raise ValueError("not an edit")
        decoded.append(TextEdit(_int_span(line, column, end_line, end_column), text))
    return Fix(description, tuple(decoded), safe)


def _related(item: list[Any]) -> Related:
    path, line, column, end_line, end_column, message = item
    if path.__class__ is not str or message.__class__ is not str:
        raise ValueError("not a related place")
    return Related(path, _int_span(line, column, end_line, end_column), message)


def encode(diagnostics: Sequence[Diagnostic]) -> bytes:
    """The diagnostics as the cache keeps them (for tests: ``decode`` gives them back)."""
    return orjson.dumps([_encode(d) for d in diagnostics])


def decode(data: bytes) -> list[Diagnostic]:
    return [_diagnostic(item) for item in orjson.loads(data)]
