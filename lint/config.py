"""The typed configuration every front end receives; built and validated in one place."""

from __future__ import annotations

import contextlib
import fnmatch
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath

from metalint.diagnostics import Severity
from metalint.service import PROFILES, Service, ServiceProfile

NO_CACHE_ENV = "METALINT_NO_CACHE"


def caches_disabled_by_environment() -> bool:
    """``METALINT_NO_CACHE`` set to anything but empty, ``0``, ``false`` or ``no`` turns every
    cache off, whatever the configuration says."""
    return os.environ.get(NO_CACHE_ENV, "").strip().lower() not in ("", "0", "false", "no")


@dataclass(frozen=True, slots=True)
class PerFileIgnore:
    pattern: str
    """A glob matched against the path relative to the configuration's folder (or the path as
    given, or its file name)."""
    codes: frozenset[str]


@dataclass(frozen=True)
class Config:
    service: Service = Service.PRODUCT
    disabled: frozenset[str] = frozenset()
    """Codes of rules that do not run."""
    severities: Mapping[str, Severity] = field(default_factory=dict)
    """Severities that replace a rule's default, by code."""
    per_file_ignores: tuple[PerFileIgnore, ...] = ()
    check_images: bool = True
    deep_images: bool = False
    """Decode every image's pixels with Pillow, beside reading its header."""
    images_root: Path | None = None
    jobs: int | None = None
    """Worker processes for image checks and for scanning a large manifest; None means one
    per core."""
    use_cache: bool = field(default_factory=lambda: not caches_disabled_by_environment())
    """Whether caches are used; the environment (``METALINT_NO_CACHE``) is read here, when
    the configuration is made, and nowhere else."""
    cache_dir: Path | None = None
    base_dir: Path | None = None
    """The folder of the configuration file, against which per-file patterns are matched."""
    exclude: tuple[str, ...] = ()
    """Globs of manifests and images not to lint, even when named on the command line (as
    pre-commit names them): matched against the path relative to ``base_dir``, each folder
    of it, and the file's name."""

    @property
    def profile(self) -> ServiceProfile:
        return PROFILES[self.service]

    def enabled(self, code: str) -> bool:
        return code not in self.disabled

    def severity(self, code: str, default: Severity) -> Severity:
        return self.severities.get(code, default)

    def excludes(self, path: Path) -> bool:
        if not self.exclude:
            return False
        candidates = {path.name}
        if self.base_dir is not None:
            with contextlib.suppress(ValueError):
                relative = PurePath(path.resolve().relative_to(self.base_dir.resolve()))
                candidates.add(relative.as_posix())
                candidates.update(p.as_posix() for p in relative.parents if p.parts)
                candidates.update(relative.parts)
        return any(fnmatch.fnmatchcase(c, pattern) for c in candidates for pattern in self.exclude)

    def for_path(self, path: str) -> Config:
        """This configuration with the per-file ignores that match ``path`` applied."""
        if not self.per_file_ignores:
            return self
        candidates = {path, PurePath(path).name}
        if self.base_dir is not None:
            with contextlib.suppress(ValueError):
                candidates.add(Path(path).resolve().relative_to(self.base_dir.resolve()).as_posix())
        ignored = frozenset().union(
            *(
                entry.codes
                for entry in self.per_file_ignores
                if any(fnmatch.fnmatchcase(c, entry.pattern) for c in candidates)
            )
        )
        return replace(self, disabled=self.disabled | ignored) if ignored else self


DEFAULT_CONFIG = Config()
