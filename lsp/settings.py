"""The editor's settings (section ``metalint``) and the configuration files, merged the way the
command line merges its flags with them: the closest ``metalint.toml`` or ``[tool.metalint]``
governs a manifest, and the editor's settings come on top, as flags would.

A setting the server cannot use is left out with a message saying why, rather than refusing
all of them: a typo in one setting must not turn the linter off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from metalint.config import Config
from metalint.configfile import (
    ConfigError,
    ConfigResolver,
    Overrides,
    Selection,
    build_config,
    check_selection,
    parse_service,
)
from metalint.lsp.convert import DEFAULT_DOCS_URL

SECTION = "metalint"

DEFAULT_DEBOUNCE_MS = 100
"""How long the server waits after an edit before it publishes: long enough to take in a burst
of keystrokes, short enough that findings follow typing."""

DEFAULT_MAX_DIAGNOSTICS = 10_000
"""How many diagnostics one document shows at most; the last one says how many more there
are. Sending ten thousand takes a few tens of milliseconds; a generator gone wrong on every
line of a million-line file would make hundreds of megabytes of them."""


@dataclass(frozen=True)
class Settings:
    """What the editor asked for, validated."""

    overrides: Overrides = field(default_factory=Overrides)
    images: bool = True
    debounce_ms: int = DEFAULT_DEBOUNCE_MS
    max_diagnostics: int = DEFAULT_MAX_DIAGNOSTICS
    """0 means no limit."""
    docs_url: str = DEFAULT_DOCS_URL
    problems: tuple[str, ...] = field(default=(), compare=False)
    """Why settings were left out."""


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return tuple(s.strip() for s in value.split(",") if s.strip())
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(s.strip() for s in value if s.strip())
    return None


def _count(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def parse_settings(raw: Any, root: Path | None) -> Settings:
    """Editor settings from ``workspace/configuration`` or ``didChangeConfiguration``;
    ``imagesRoot`` is relative to the workspace's ``root``."""
    if not isinstance(raw, Mapping):
        return Settings()
    problems: list[str] = []

    def bad(key: str, expected: str) -> None:
        problems.append(f"metalint.{key}: expected {expected}, got {raw[key]!r}; left out")

    lists: dict[str, tuple[str, ...]] = {}
    for key in ("select", "ignore", "extendSelect"):
        if key in raw and raw[key] is not None:
            got = _strings(raw[key])
            if got is None:
                bad(key, "a list of rule selectors")
            else:
                lists[key] = got
    selection = Selection(
        lists.get("select"), lists.get("extendSelect", ()), lists.get("ignore", ())
    )
    try:
        check_selection(selection, "settings")
    except ConfigError as exc:
        problems.append(f"{exc}; the rule selection is left out")
        selection = Selection()
    overrides = Overrides(selection=selection)
    settings = Settings()
    if raw.get("service") is not None:
        try:
            service = parse_service(raw["service"], "metalint.service")
            overrides = replace(overrides, service=service)
        except ConfigError as exc:
            problems.append(f"{exc}; left out")
    if raw.get("imagesRoot"):
        if isinstance(raw["imagesRoot"], str):
            folder = Path(raw["imagesRoot"]).expanduser()
            if not folder.is_absolute() and root is not None:
                folder = root / folder
            overrides = replace(overrides, images_root=folder.resolve())
        else:
            bad("imagesRoot", "a folder path")
    if "images" in raw and raw["images"] is not None:
        if isinstance(raw["images"], bool):
            settings = replace(settings, images=raw["images"])
        else:
            bad("images", "true or false")
    if raw.get("debounce") is not None:
        debounce = _count(raw["debounce"], 0, 5000)
        if debounce is None:
            bad("debounce", "milliseconds from 0 to 5000")
        else:
            settings = replace(settings, debounce_ms=debounce)
    if raw.get("maxDiagnostics") is not None:
        cap = _count(raw["maxDiagnostics"], 0, 10_000_000)
        if cap is None:
            bad("maxDiagnostics", "a count (0 for no limit)")
        else:
            settings = replace(settings, max_diagnostics=cap)
    if raw.get("ruleDocsUrl") is not None:
        if isinstance(raw["ruleDocsUrl"], str) and raw["ruleDocsUrl"]:
            settings = replace(settings, docs_url=raw["ruleDocsUrl"])
        else:
            bad("ruleDocsUrl", "a URL, with {code} where the rule's code goes")
    # Images are checked by the server in the background, never by the Document: the engine
    # config keeps them off, and ``Settings.images`` says whether the background runs.
    overrides = replace(overrides, check_images=False)
    return replace(settings, overrides=overrides, problems=tuple(problems))


class Configurations:
    """The Config of each manifest, from its folder's configuration file and the settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._resolver = ConfigResolver(settings.overrides)

    def for_manifest(self, path: Path) -> tuple[Config, str | None]:
        """The manifest's Config, and why its configuration file was left out, if it was."""
        try:
            return self._resolver.for_folder(path.parent), None
        except ConfigError as exc:
            return build_config(None, self.settings.overrides), str(exc)
