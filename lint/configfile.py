"""Finding, reading and validating configuration files, and merging them with command-line flags.

Settings live in ``metalint.toml`` (top-level keys) or under ``[tool.metalint]`` in
``pyproject.toml``. The file closest to a manifest wins: the search walks up from the manifest's
folder, and within one folder ``metalint.toml`` is preferred. Everything is checked here, once, so
the engine and the front ends only ever see a valid :class:`~metalint.config.Config`.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from metalint.config import Config, PerFileIgnore
from metalint.diagnostics import Severity
from metalint.rules import all_rules, closest_rule, get_rule, match_selector
from metalint.service import Service

CONFIG_FILE_NAMES = ("metalint.toml", "pyproject.toml")
"""Looked for in this order in each folder; the first that configures metalint wins."""

_LIST_KEYS = ("select", "ignore", "extend-select")
_KNOWN_KEYS = frozenset(
    {
        *_LIST_KEYS,
        "severity",
        "per-file-ignores",
        "service",
        "images-root",
        "jobs",
        "cache-dir",
        "exclude",
        "deep-images",
    }
)


class ConfigError(Exception):
    """A configuration file or flag that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class Selection:
    """One layer of rule selectors: a configuration file or the command line."""

    select: tuple[str, ...] | None = None
    """Replaces the selection below this layer when given; None keeps it."""
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileSettings:
    """The validated contents of one configuration file."""

    path: Path
    selection: Selection = Selection()
    severities: Mapping[str, Severity] = field(default_factory=dict)
    per_file_ignores: tuple[PerFileIgnore, ...] = ()
    service: Service | None = None
    images_root: Path | None = None
    jobs: int | None = None
    cache_dir: Path | None = None
    exclude: tuple[str, ...] = ()
    deep_images: bool | None = None

    @property
    def base_dir(self) -> Path:
        return self.path.parent


@dataclass(frozen=True)
class Overrides:
    """What the command line says; None (or empty) leaves the configuration file's value."""

    selection: Selection = Selection()
    service: Service | None = None
    check_images: bool | None = None
    images_root: Path | None = None
    jobs: int | None = None
    use_cache: bool | None = None
    cache_dir: Path | None = None
    deep_images: bool | None = None


# -- reading files ---------------------------------------------------------------------------


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc


def _metalint_table(path: Path, data: dict[str, Any]) -> dict[str, Any] | None:
    """The metalint settings of a parsed file, or None for a pyproject.toml without them."""
    if path.name != "pyproject.toml":
        return data
    tool = data.get("tool")
    if not isinstance(tool, dict) or "metalint" not in tool:
        return None
    table = tool["metalint"]
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.metalint] must be a table")
    return table


def find_config_file(folder: Path) -> Path | None:
    """The configuration file that governs manifests in ``folder``: the closest one above."""
    for candidate_dir in (folder, *folder.parents):
        for name in CONFIG_FILE_NAMES:
            candidate = candidate_dir / name
            if not candidate.is_file():
                continue
            if name == "metalint.toml":
                return candidate
            if _metalint_table(candidate, _read_toml(candidate)) is not None:
                return candidate
    return None


def load_settings(path: Path) -> FileSettings:
    """Read and validate one configuration file (as given with ``--config``, or found)."""
    path = path.resolve()
    if not path.is_file():
        raise ConfigError(f"{path}: configuration file not found")
    table = _metalint_table(path, _read_toml(path))
    if table is None:
        raise ConfigError(f"{path}: no [tool.metalint] table")
    return _parse_settings(path, table)


# -- validating values -----------------------------------------------------------------------


def _where(path: Path, key: str) -> str:
    prefix = "tool.metalint." if path.name == "pyproject.toml" else ""
    return f"{path}: {prefix}{key}"


def _string_list(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{_where(path, key)}: expected a list of strings, got {value!r}")
    return tuple(value)


def _check_selectors(selectors: Iterable[str], where: str) -> None:
    for selector in selectors:
        if not match_selector(selector):
            close = closest_rule(selector)
            hint = f"; did you mean {close!r}?" if close else ""
            raise ConfigError(
                f"{where}: unknown rule selector {selector!r} "
                f"(expected a code such as ML101, a code prefix such as ML1, a rule name, or ALL"
                f"{hint})"
            )


def _codes(selectors: Iterable[str]) -> frozenset[str]:
    return frozenset(rule.code for selector in selectors for rule in match_selector(selector))


def _parse_severities(path: Path, value: Any) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ConfigError(f"{_where(path, 'severity')}: expected a table of rule = severity")
    severities: dict[str, Severity] = {}
    for selector, level in value.items():
        rule = get_rule(selector)
        if rule is None:
            close = closest_rule(selector)
            hint = f" (did you mean {close!r}?)" if close else ""
            raise ConfigError(f"{_where(path, 'severity')}: unknown rule {selector!r}{hint}")
        if level not in {s.value for s in Severity}:
            raise ConfigError(
                f'{_where(path, "severity")}.{selector}: expected "error", "warning" or '
                f'"info", got {level!r}'
            )
        severities[rule.code] = Severity(level)
    return severities


def _parse_per_file_ignores(path: Path, value: Any) -> tuple[PerFileIgnore, ...]:
    key = "per-file-ignores"
    if not isinstance(value, dict):
        raise ConfigError(f"{_where(path, key)}: expected a table of glob = [selectors]")
    entries = []
    for pattern, selectors in value.items():
        where = f'{_where(path, key)}."{pattern}"'
        if not isinstance(selectors, list) or not all(isinstance(s, str) for s in selectors):
            raise ConfigError(f"{where}: expected a list of strings, got {selectors!r}")
        _check_selectors(selectors, where)
        entries.append(PerFileIgnore(pattern, _codes(selectors)))
    return tuple(entries)


def _parse_path(path: Path, key: str, value: Any) -> Path:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{_where(path, key)}: expected a folder path, got {value!r}")
    return (path.parent / value).resolve()


def parse_service(value: Any, where: str) -> Service:
    choices = ", ".join(s.value for s in Service)
    if not isinstance(value, str) or value not in {s.value for s in Service}:
        raise ConfigError(f"{where}: expected one of {choices}, got {value!r}")
    return Service(value)


def parse_jobs(value: Any, where: str) -> int:
    # bool is an int subclass: `jobs = true` must not pass as one worker.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{where}: expected a positive integer, got {value!r}")
    return value


def _parse_settings(path: Path, table: dict[str, Any]) -> FileSettings:
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        close = difflib.get_close_matches(unknown[0], _KNOWN_KEYS, n=1)
        known = ", ".join(sorted(_KNOWN_KEYS))
        hint = f"did you mean {close[0]!r}?" if close else f"known: {known}"
        raise ConfigError(f"{_where(path, unknown[0])}: unknown setting ({hint})")
    lists = {key: _string_list(path, key, table[key]) for key in _LIST_KEYS if key in table}
    for key, selectors in lists.items():
        _check_selectors(selectors, _where(path, key))
    settings = FileSettings(
        path,
        Selection(lists.get("select"), lists.get("extend-select", ()), lists.get("ignore", ())),
    )
    if "severity" in table:
        settings = replace(settings, severities=_parse_severities(path, table["severity"]))
    if "per-file-ignores" in table:
        ignores = _parse_per_file_ignores(path, table["per-file-ignores"])
        settings = replace(settings, per_file_ignores=ignores)
    if "service" in table:
        settings = replace(
            settings, service=parse_service(table["service"], _where(path, "service"))
        )
    if "images-root" in table:
        root = _parse_path(path, "images-root", table["images-root"])
        if not root.is_dir():
            # Otherwise every image would be reported missing, and the root never named.
            raise ConfigError(f"{_where(path, 'images-root')}: {root} is not a folder")
        settings = replace(settings, images_root=root)
    if "jobs" in table:
        settings = replace(settings, jobs=parse_jobs(table["jobs"], _where(path, "jobs")))
    if "exclude" in table:
        settings = replace(settings, exclude=tuple(_string_list(path, "exclude", table["exclude"])))
    if "deep-images" in table:
        value = table["deep-images"]
        if not isinstance(value, bool):
            raise ConfigError(
                f"{_where(path, 'deep-images')}: expected true or false, got {value!r}"
            )
        settings = replace(settings, deep_images=value)
    if "cache-dir" in table:
        settings = replace(settings, cache_dir=_parse_path(path, "cache-dir", table["cache-dir"]))
    return settings


# -- rule selection --------------------------------------------------------------------------


def _specificity(selector: str) -> int:
    """How narrowly a selector picks rules: ALL < ML < ML1 < ML10 < a code or a name."""
    wanted = selector.strip().upper()
    if wanted == "ALL":
        return 0
    if get_rule(selector) is not None:
        return 5
    return len(wanted)


def selected_codes(layers: Sequence[Selection]) -> frozenset[str]:
    """The codes that run, after every layer (configuration file first, then the command line).

    The base is the last ``select`` given (all rules when none is), which also drops the
    ``extend-select`` of earlier layers but keeps their ``ignore``. Then every selector is applied
    from the broadest to the most specific, so ``select = ["ML1"]`` with ``ignore = ["ML101"]``
    turns ML101 off and ``ignore = ["ML1"]`` with ``extend-select = ["ML101"]`` keeps it on. At
    equal specificity the later layer wins, and within a layer ``ignore`` beats a select.
    """
    base_layer = max(
        (i for i, layer in enumerate(layers) if layer.select is not None), default=None
    )
    steps: list[tuple[int, int, int, str, bool]] = []
    if base_layer is None:
        steps.append((0, 0, 0, "ALL", True))
    for i, layer in enumerate(layers):
        if i == base_layer and layer.select is not None:
            steps += [(_specificity(s), i, 0, s, True) for s in layer.select]
        if base_layer is None or i >= base_layer:
            steps += [(_specificity(s), i, 0, s, True) for s in layer.extend_select]
        steps += [(_specificity(s), i, 1, s, False) for s in layer.ignore]
    chosen: set[str] = set()
    for _, _, _, selector, on in sorted(steps, key=lambda step: step[:3]):
        codes = _codes([selector])
        if on:
            chosen |= codes
        else:
            chosen -= codes
    return frozenset(chosen)


# -- building the Config ---------------------------------------------------------------------


def build_config(settings: FileSettings | None, overrides: Overrides) -> Config:
    """The Config for one manifest: its file's settings with the command line on top."""
    layers = [settings.selection] if settings is not None else []
    enabled = selected_codes([*layers, overrides.selection])
    every_code = frozenset(rule.code for rule in all_rules())
    file_service = settings.service if settings is not None else None
    config = Config(
        service=overrides.service or file_service or Service.PRODUCT,
        disabled=every_code - enabled,
        severities=dict(settings.severities) if settings is not None else {},
        per_file_ignores=settings.per_file_ignores if settings is not None else (),
        check_images=overrides.check_images if overrides.check_images is not None else True,
        images_root=overrides.images_root or (settings.images_root if settings else None),
        jobs=overrides.jobs or (settings.jobs if settings else None),
        cache_dir=overrides.cache_dir or (settings.cache_dir if settings is not None else None),
        base_dir=settings.base_dir if settings is not None else None,
        exclude=settings.exclude if settings is not None else (),
    )
    deep = overrides.deep_images
    if deep is None and settings is not None:
        deep = settings.deep_images
    config = replace(config, deep_images=bool(deep))
    # Left unset, whether caches are used is the environment's say (see Config.use_cache).
    return config if overrides.use_cache is None else replace(config, use_cache=overrides.use_cache)


def check_selection(selection: Selection, where: str = "command line") -> None:
    """Refuse unknown selectors given on the command line, as for a configuration file."""
    for name, selectors in (
        ("--select", selection.select or ()),
        ("--extend-select", selection.extend_select),
        ("--ignore", selection.ignore),
    ):
        _check_selectors(selectors, f"{where}: {name}")


class ConfigResolver:
    """``config_for(manifest)``: finds, reads and merges configuration, once per folder.

    With ``config_file`` every manifest uses that file; with ``isolated`` no file is read at all.
    """

    def __init__(
        self,
        overrides: Overrides = Overrides(),
        *,
        config_file: Path | None = None,
        isolated: bool = False,
    ) -> None:
        check_selection(overrides.selection)
        self._overrides = overrides
        self._isolated = isolated
        self._fixed: FileSettings | None = None
        if config_file is not None and not isolated:
            self._fixed = load_settings(config_file)
        self._by_folder: dict[Path, Config] = {}
        self._settings: dict[Path, FileSettings] = {}
        self.seen: list[Path] = []
        """Every manifest a configuration was asked for, in order: the files checked."""

    def __call__(self, manifest: Path) -> Config:
        config = self.for_folder(manifest.parent)
        if not config.excludes(manifest):
            self.seen.append(manifest)
        return config

    def for_folder(self, folder: Path) -> Config:
        folder = folder.resolve()
        cached = self._by_folder.get(folder)
        if cached is None:
            cached = self._by_folder[folder] = self._build(folder)
        return cached

    def file_for(self, folder: Path) -> Path | None:
        """The configuration file that applies in ``folder``, None when none does."""
        if self._isolated:
            return None
        if self._fixed is not None:
            return self._fixed.path
        return find_config_file(folder.resolve())

    def _build(self, folder: Path) -> Config:
        if self._isolated:
            return build_config(None, self._overrides)
        if self._fixed is not None:
            return build_config(self._fixed, self._overrides)
        found = find_config_file(folder)
        if found is None:
            return build_config(None, self._overrides)
        settings = self._settings.get(found)
        if settings is None:
            settings = self._settings[found] = load_settings(found)
        return build_config(settings, self._overrides)
