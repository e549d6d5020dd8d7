"""The size limit and every service type's resolution range, just inside and just outside."""

from __future__ import annotations

from pathlib import Path

import pytest
from imagekit import codes, encode, run_stage, write

from metalint.config import Config
from metalint.images.model import MAX_BYTES
from metalint.service import PROFILES, Service


def _sides(service: Service) -> list[tuple[int, bool]]:
    """Side lengths on both sides of each bound, with whether the service accepts them."""
    profile = PROFILES[service]
    top = profile.max_side - 1 if profile.max_exclusive else profile.max_side
    return [
        (profile.min_side - 1, False),
        (profile.min_side, True),
        (top, True),
        (top + 1, False),
    ]


CASES = [
    pytest.param(service, axis, side, ok, id=f"{service}-{axis}-{side}")
    for service in Service
    for axis in ("width", "height")
    for side, ok in _sides(service)
]


@pytest.mark.parametrize(("service", "axis", "side", "ok"), CASES)
def test_resolution_bounds(root: Path, service: Service, axis: str, side: int, ok: bool) -> None:
    other = PROFILES[service].min_side
    size = (side, other) if axis == "width" else (other, side)
    write(root, "a.png", encode("PNG", size))
    findings = run_stage(root, ["a.png"], Config(service=service, use_cache=False))
    assert codes(findings) == (set() if ok else {"ML306"})
    if not ok:
        assert f"{size[0]}x{size[1]}" in findings[0].message
        assert str(service) in findings[0].message


def _png_of_size(total: int) -> bytes:
    """A valid PNG padded after its IEND chunk to exactly ``total`` bytes."""
    data = encode("PNG", (200, 200))
    return data + bytes(total - len(data))


@pytest.mark.parametrize(("size", "too_large"), [(MAX_BYTES, False), (MAX_BYTES + 1, True)])
def test_size_limit(root: Path, size: int, too_large: bool) -> None:
    write(root, "a.png", _png_of_size(size))
    findings = run_stage(root, ["a.png"])
    assert codes(findings) == ({"ML303"} if too_large else set())
    if too_large:
        assert "4,194,305 bytes" in findings[0].message
