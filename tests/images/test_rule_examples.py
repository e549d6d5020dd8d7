"""The examples of every image rule run: the images their prose describes are built on disk,
the manifest lines of ``## Example`` must raise the rule's code, those of ``## Use instead`` must
draw no finding at all."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from imagekit import (
    bomb_png,
    encode,
    jpeg_with_segment,
    png_text,
    png_with_chunk,
    raw_profile_exif,
    tiff_file,
    write,
)

from metalint.config import Config
from metalint.engine import lint_file
from metalint.registry import Rule, Scope
from metalint.rules import rules_of

_BLOCK = re.compile(r"```jsonl\n(.*?)\n```", re.DOTALL)
Setup = Callable[[Path], None]


def _file(name: str, data: bytes) -> Setup:
    def setup(root: Path) -> None:
        write(root, name, data)

    return setup


def _jpeg(name: str, size: tuple[int, int] = (320, 200), orientation: int | None = None) -> Setup:
    return _file(name, encode("JPEG", size, orientation))


def _nothing(root: Path) -> None:
    pass


def _big_jpeg(root: Path) -> None:
    """A sound JPEG of 6 MB: comment segments of 64 KB between its SOI and the rest."""
    data = encode("JPEG")
    comment = b"\xff\xfe\xff\xff" + bytes(0xFFFD)
    write(root, "big.jpg", data[:2] + comment * 96 + data[2:])


def _symlink_out(root: Path) -> None:
    (root / "link.jpg").symlink_to("/etc/passwd")
    write(root, "images/a.jpg", encode("JPEG"))


def _unreadable(root: Path) -> None:
    write(root, "a.jpg", encode("JPEG")).chmod(0)


SCENARIOS: dict[str, tuple[Setup, Setup]] = {
    "ML301": (_nothing, _jpeg("shoes/red.jpg")),
    "ML302": (_jpeg("shoes/red.jpg"), _jpeg("shoes/red.jpg")),
    "ML303": (_big_jpeg, _jpeg("big.jpg")),
    "ML304": (
        _file("photo.jpg", b"\0\0\0\x18ftypheic" + bytes(64)),
        _jpeg("photo.jpg"),
    ),
    "ML305": (
        _file("a.jpg", encode("PNG")),
        _file("a.png", encode("PNG")),
    ),
    "ML306": (_jpeg("thumb.jpg", (64, 64)), _jpeg("full.jpg")),
    "ML307": (_jpeg("phone.jpg", orientation=6), _jpeg("phone.jpg")),
    "ML308": (_jpeg("upright.jpg", orientation=1), _jpeg("upright.jpg")),
    "ML309": (
        _file("cut.png", encode("PNG")[:-40]),
        _file("cut.png", encode("PNG")),
    ),
    "ML310": (_jpeg("a.jpg", (800, 600)), _jpeg("a.jpg", (800, 600))),
    "ML311": (
        _file("tiny.png", bomb_png()),
        _file("real.png", encode("PNG")),
    ),
    "ML312": (_symlink_out, _symlink_out),
    "ML313": (
        lambda root: (root / "a.jpg").mkdir(),
        _jpeg("a.jpg/front.jpg"),
    ),
    "ML314": (_unreadable, _jpeg("a.jpg")),
    "ML315": (
        _file(
            "scan.png",
            png_with_chunk(png_text(b"zTXt", b"Raw profile type exif", raw_profile_exif(6))),
        ),
        _file("scan.png", encode("PNG")),
    ),
    "ML316": (
        _file("scan.tif", tiff_file(120, 110, big=True)),
        _file("scan.tif", tiff_file(120, 110)),
    ),
    "ML317": (_file("a.jpg", jpeg_with_segment(encode("JPEG"), b"stray")), _jpeg("a.jpg")),
}

RULES = list(rules_of(Scope.IMAGE))


def _codes(root: Path, section: str, cache: Path) -> set[str]:
    (block,) = _BLOCK.findall(section)
    (root / "increment.meta").write_text(block + "\n")
    return {d.code for d in lint_file(root / "increment.meta", Config(cache_dir=cache))}


def test_every_image_rule_has_a_scenario() -> None:
    assert sorted(SCENARIOS) == [r.code for r in RULES]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_example_raises_the_rule(rule: Rule, tmp_path: Path) -> None:
    if rule.code == "ML314" and os.geteuid() == 0:
        pytest.skip("root reads files whatever their mode")
    root = tmp_path / "bad"
    root.mkdir()
    SCENARIOS[rule.code][0](root)
    section = rule.section("Example")
    assert section is not None
    assert rule.code in _codes(root, section, tmp_path / "cache")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_use_instead_is_clean(rule: Rule, tmp_path: Path) -> None:
    root = tmp_path / "good"
    root.mkdir()
    SCENARIOS[rule.code][1](root)
    section = rule.section("Use instead")
    assert section is not None
    assert _codes(root, section, tmp_path / "cache") == set()
