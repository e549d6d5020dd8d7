"""The VS Code extension (``editors/vscode``): its settings are the ones the server reads, and
vsce packs it, client library included, into a ``.vsix``."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from metalint.lsp.settings import Settings, parse_settings
from metalint.manifest import MANIFEST_NAME

from .lspkit import missing_tool

EXTENSION = Path(__file__).resolve().parents[2] / "editors" / "vscode"
VSCE = EXTENSION / "node_modules" / ".bin" / "vsce"
CLIENT_ONLY = {"path"}
"""Settings the extension reads itself (the command it starts); the server never sees them."""


def manifest() -> dict[str, Any]:
    found: dict[str, Any] = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    return found


def settings() -> dict[str, Any]:
    properties = manifest()["contributes"]["configuration"]["properties"]
    return {key.removeprefix("metalint."): spec for key, spec in properties.items()}


def test_the_language_is_the_manifest_name() -> None:
    (language,) = manifest()["contributes"]["languages"]
    assert language["id"] == "metalint"
    assert language["filenames"] == [MANIFEST_NAME]


def test_every_setting_is_one_the_server_reads() -> None:
    for key in settings().keys() - CLIENT_ONLY:
        # A value no setting takes: the server says which setting it left out.
        problems = parse_settings({key: {"not": "a setting"}}, None).problems
        assert any(f"metalint.{key}" in p for p in problems), key


def test_the_defaults_are_the_servers() -> None:
    defaults = {key: spec["default"] for key, spec in settings().items() if key not in CLIENT_ONLY}
    parsed = parse_settings(defaults, None)
    assert parsed.problems == ()
    assert parsed == parse_settings({}, None)
    assert (parsed.images, parsed.debounce_ms, parsed.max_diagnostics) == (
        Settings().images,
        Settings().debounce_ms,
        Settings().max_diagnostics,
    )


def test_the_issue_settings_are_all_there() -> None:
    assert {"service", "imagesRoot", "select", "ignore", "images"} <= settings().keys()


def require_vsce() -> None:
    if not VSCE.exists():
        missing_tool("vsce is not installed: run `make test` (needs npm)")


@pytest.mark.slow
def test_vsce_packs_the_extension_with_its_client_library(tmp_path: Path) -> None:
    require_vsce()
    checked = subprocess.run(
        ["node", "--check", "extension.js"], cwd=EXTENSION, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    vsix = tmp_path / "metalint.vsix"
    done = subprocess.run(
        [str(VSCE), "package", "--skip-license", "--out", str(vsix)],
        cwd=EXTENSION,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with zipfile.ZipFile(vsix) as packed:
        names = set(packed.namelist())
        packed_manifest = json.loads(packed.read("extension/package.json"))
        library = json.loads(
            packed.read("extension/node_modules/vscode-languageclient/package.json")
        )
        vsix_manifest = packed.read("extension.vsixmanifest").decode()
    assert {"extension/extension.js", "extension/language-configuration.json"} <= names
    assert packed_manifest["contributes"] == manifest()["contributes"]
    assert library["version"] == manifest()["dependencies"]["vscode-languageclient"]
    assert not any(name.startswith("extension/node_modules/@vscode/vsce/") for name in names)
    assert 'Id="metalint"' in vsix_manifest
