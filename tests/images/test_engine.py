"""End to end through the engine: image findings become diagnostics on the right value."""

from __future__ import annotations

import json
from pathlib import Path

from imagekit import encode, write

from metalint.config import Config
from metalint.diagnostics import Severity
from metalint.engine import lint_file
from metalint.service import Service


def _manifest(root: Path, *lines: dict[str, str]) -> Path:
    path = root / "increment.meta"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def _add(pic: str, **extra: str) -> dict[str, str]:
    return {"OperationType": "ADD", "ProductId": "1000", "PicName": pic, **extra}


def test_image_diagnostics_point_at_their_values(root: Path, tmp_path: Path) -> None:
    write(root, "a.jpg", encode("JPEG", (320, 200), orientation=6))
    write(root, "b.png", encode("JPEG", (320, 200)))
    path = _manifest(
        root,
        _add("a.jpg", Region="0,400,0,100"),
        _add("b.png"),
        _add("missing.jpg"),
        {"OperationType": "DELETE", "ProductId": "1000", "PicName": "gone.jpg"},
    )
    diagnostics = lint_file(path, Config(cache_dir=tmp_path / "cache"))
    images = [d for d in diagnostics if d.code.startswith("ML3")]
    found = {(d.span.line, d.code, d.name, d.severity) for d in images}
    assert found == {
        (1, "ML307", "exif-rotation", Severity.ERROR),
        (1, "ML310", "region-outside-image", Severity.ERROR),
        (2, "ML305", "extension-mismatch", Severity.WARNING),
        (3, "ML301", "image-not-found", Severity.ERROR),
    }
    lines = path.read_text().splitlines()
    for diagnostic in images:
        text = lines[diagnostic.span.line - 1]
        covered = text[diagnostic.span.column - 1 : diagnostic.span.end_column - 1]
        expected = "0,400,0,100" if diagnostic.code == "ML310" else text.split('"PicName": ')[1]
        assert covered.strip('"') in expected, (diagnostic.code, covered)


def test_disabled_and_image_checks_off(root: Path, tmp_path: Path) -> None:
    path = _manifest(root, _add("missing.jpg"))
    assert not [
        d
        for d in lint_file(path, Config(check_images=False, cache_dir=tmp_path))
        if d.code.startswith("ML3")
    ]
    disabled = Config(disabled=frozenset({"ML301"}), cache_dir=tmp_path)
    assert not [d for d in lint_file(path, disabled) if d.code.startswith("ML3")]


def test_service_type_changes_the_range(root: Path, tmp_path: Path) -> None:
    write(root, "a.png", encode("PNG", (300, 300)))
    path = _manifest(root, _add("a.png"))
    assert not [d for d in lint_file(path, Config(cache_dir=tmp_path)) if d.code == "ML306"]
    cloth = Config(service=Service.CLOTH, cache_dir=tmp_path)
    assert [d.code for d in lint_file(path, cloth) if d.code == "ML306"] == ["ML306"]
