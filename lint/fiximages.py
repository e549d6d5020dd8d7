"""``fix-images``: the images that manifests reference, made acceptable to the service.

Each distinct image is fixed once, however many lines use it: rotation information removed
(the pixels turned as EXIF Orientation 2 to 8 says, or a tag of value 0 or 1 taken out
without re-encoding), a side over the service's maximum scaled down with the Region of every
line that uses the image, a file over 4 MB re-encoded to fit. Files are replaced atomically
with their permissions; an image or a manifest that needs nothing is not written at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from metalint.atomic import write_atomically
from metalint.config import Config
from metalint.fixfile import file_identity
from metalint.images.exifedit import CannotEdit, remove_orientation
from metalint.images.header import Source
from metalint.images.lookup import Locator
from metalint.images.model import MAX_BYTES, Content, Lookup
from metalint.images.readers import read_content
from metalint.images.reencode import CannotEncode, reencode, shrink
from metalint.jsontext import scan_members
from metalint.region import parse_region
from metalint.service import ServiceProfile

Region = tuple[int, int, int, int]
_TURNS = range(2, 9)
_SWAPS_SIDES = range(5, 9)
"""Orientations that turn the image by a quarter: width and height trade places."""
_EDITABLE = frozenset({"JPEG", "PNG", "WEBP", "TIFF"})


@dataclass(frozen=True, slots=True)
class Change:
    path: str
    what: str


@dataclass(slots=True)
class ImagesFixed:
    """What a run did (or, in a dry run, would do)."""

    changes: list[Change] = field(default_factory=list)
    notes: list[Change] = field(default_factory=list)
    problems: list[Change] = field(default_factory=list)
    """What could not be fixed, and why."""


@dataclass(frozen=True, slots=True)
class _Use:
    manifest: Path
    line: int
    region: Region | None


@dataclass(slots=True)
class _Image:
    shown: str
    profile: ServiceProfile
    uses: list[_Use] = field(default_factory=list)


@dataclass(slots=True)
class _Manifest:
    data: bytes
    identity: tuple[int, ...]
    regions: dict[int, tuple[Region, Region]] = field(default_factory=dict)
    """Line → (Region as written, as scaled)."""


def fix_images(manifests: Iterable[tuple[Path, Config]], *, write: bool) -> ImagesFixed:
    """Fix the images of ``manifests`` (each with its configuration); with ``write`` False,
    only say what would change."""
    result = ImagesFixed()
    read: dict[Path, _Manifest] = {}
    images: dict[str, _Image] = {}
    for manifest, config in manifests:
        info = os.stat(manifest)
        data = manifest.read_bytes()
        read[manifest] = _Manifest(data, file_identity(info))
        _collect(manifest, data, config, images)
    for real_path, image in images.items():
        scaled = _fix_image(real_path, image, result, write=write)
        if scaled is None:
            continue
        for use in image.uses:
            if use.region is not None:
                new = scale_region(use.region, *scaled)
                read[use.manifest].regions[use.line] = (use.region, new)
    for manifest, state in read.items():
        if state.regions:
            _edit_manifest(manifest, state, result, write=write)
    return result


def _collect(manifest: Path, data: bytes, config: Config, images: dict[str, _Image]) -> None:
    locator = Locator(str(config.images_root or manifest.parent))
    for lineno, line in enumerate(data.split(b"\n"), start=1):
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue  # the linter reports the line; nothing here can be fixed from it
        if not isinstance(obj, dict) or obj.get("OperationType") != "ADD":
            continue
        pic_name = obj.get("PicName")
        if not isinstance(pic_name, str):
            continue
        facts, key = locator.locate(pic_name)
        if key is None or facts.lookup is not Lookup.FOUND:
            continue
        region = obj.get("Region")
        box = parse_region(region) if isinstance(region, str) else None
        shown = str(manifest.parent / pic_name)
        image = images.setdefault(key.path, _Image(shown, config.profile))
        image.uses.append(_Use(manifest, lineno, box))


def _fix_image(
    path: str, image: _Image, result: ImagesFixed, *, write: bool
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Fix one image; the sizes before and after when it was scaled (its Regions follow)."""
    try:
        info = os.stat(path)
        data = Path(path).read_bytes()
    except OSError as exc:
        result.problems.append(Change(image.shown, f"cannot be read: {exc.strerror or exc}"))
        return None
    content = read_content(Source.of_bytes(data))
    if content.width is None or content.height is None or content.corrupt is not None:
        return None  # the linter reports what is wrong with it; nothing to fix from here
    try:
        new, done, scaled = _fixed_bytes(data, content, image.profile)
    except (CannotEdit, CannotEncode) as exc:
        result.problems.append(Change(image.shown, f"not fixed: {exc}"))
        return None
    except Exception as exc:
        # Pillow and piexif raise what their codecs meet (OSError, ValueError, ...).
        result.problems.append(Change(image.shown, f"not fixed: {type(exc).__name__}: {exc}"))
        return None
    if new == data:
        return None
    problem = _check(new, content)
    if problem is not None:
        result.problems.append(Change(image.shown, f"not fixed: {problem}"))
        return None
    if write and not _replace(Path(path), new, info, image.shown, result):
        return None
    result.changes.extend(Change(image.shown, what) for what in done)
    if content.orientation in _TURNS:
        for use in image.uses:
            if use.region is not None:
                result.notes.append(
                    Change(
                        f"{use.manifest}:{use.line}",
                        "Region left as written: whether it was meant for the turned image "
                        "cannot be known",
                    )
                )
        return None
    return scaled


def _fixed_bytes(
    data: bytes, content: Content, profile: ServiceProfile
) -> tuple[bytes, list[str], tuple[tuple[int, int], tuple[int, int]] | None]:
    """The new bytes of the image, what was done, and the sizes before and after a scaling."""
    assert content.format is not None and content.width is not None
    assert content.height is not None
    fmt, orientation = content.format, content.orientation
    turn = orientation if orientation in _TURNS else None
    size = (content.width, content.height)
    if turn in _SWAPS_SIDES:
        size = (size[1], size[0])
    target = fitted(size, profile)
    done: list[str] = []
    new = data
    if turn is not None or target is not None:
        if fmt not in _EDITABLE and turn is not None:
            raise CannotEncode(f"a {fmt} image is not turned")
        encoded = reencode(data, fmt, orientation=turn, size=target)
        new = encoded.data
        if turn is not None:
            done.append(
                f"turned as EXIF Orientation {turn} said, the tag removed (re-encoded with "
                f"{encoded.how})"
            )
        if target is not None:
            done.append(f"scaled from {size[0]}x{size[1]} to {target[0]}x{target[1]} pixels")
    elif orientation is not None and fmt in _EDITABLE:
        new = remove_orientation(fmt, data)
        done.append(f"Orientation tag (value {orientation}) removed; the image data is unchanged")
    if len(new) > MAX_BYTES:
        before = len(new)
        encoded = shrink(new, fmt)
        new = encoded.data
        done.append(f"re-encoded ({encoded.how}) from {before:,} to {len(new):,} bytes")
    return new, done, (size, target) if target is not None else None


def fitted(size: tuple[int, int], profile: ServiceProfile) -> tuple[int, int] | None:
    """``size`` scaled down, keeping its aspect ratio, until both sides are within the
    service's maximum; None when they already are."""
    limit = profile.max_side - 1 if profile.max_exclusive else profile.max_side
    longest = max(size)
    if longest <= limit:
        return None
    width, height = size
    scaled = (round(width * limit / longest), round(height * limit / longest))
    return (max(1, min(limit, scaled[0])), max(1, min(limit, scaled[1])))


def scale_region(region: Region, before: tuple[int, int], after: tuple[int, int]) -> Region:
    """``region`` (x1, x2, y1, y2) on an image scaled from ``before`` to ``after``: rounded
    to integers, kept inside the image and not empty."""
    x1, x2, y1, y2 = region

    def axis(low: int, high: int, old: int, new: int) -> tuple[int, int]:
        high = min(new, round(high * new / old))
        low = min(round(low * new / old), max(0, high - 1))
        return low, max(high, low + 1)

    x1, x2 = axis(x1, x2, before[0], after[0])
    y1, y2 = axis(y1, y2, before[1], after[1])
    return x1, x2, y1, y2


def _check(new: bytes, old: Content) -> str | None:
    """Read the new bytes back: a sound image of the same format without rotation info."""
    content = read_content(Source.of_bytes(new))
    if content.corrupt is not None:
        return f"the re-encoded image would be corrupt ({content.corrupt})"
    if content.format != old.format:
        return f"the re-encoded image would be {content.format}"
    if content.orientation is not None:
        return "the Orientation tag would remain"
    return None


def _replace(
    path: Path, data: bytes, before: os.stat_result, shown: str, result: ImagesFixed
) -> bool:
    if file_identity(os.stat(path)) != file_identity(before):
        result.problems.append(Change(shown, "changed while it was fixed; left as it is"))
        return False
    if not write_atomically(path, data):
        result.problems.append(Change(shown, "cannot be written"))
        return False
    return True


def _edit_manifest(manifest: Path, state: _Manifest, result: ImagesFixed, *, write: bool) -> None:
    """Rewrite the Region value of each scaled line, and nothing else of the file."""
    lines = state.data.split(b"\n")
    for lineno, (old, new) in sorted(state.regions.items()):
        lines[lineno - 1] = _with_region(lines[lineno - 1], ",".join(map(str, new)))
        shown_old, shown_new = ",".join(map(str, old)), ",".join(map(str, new))
        result.changes.append(
            Change(f"{manifest}:{lineno}", f"Region {shown_old} scaled to {shown_new}")
        )
    data = b"\n".join(lines)
    if not write or data == state.data:
        return
    info = os.stat(manifest)
    if file_identity(info) != state.identity:
        result.problems.append(Change(str(manifest), "changed while it was fixed; left as it is"))
    elif not write_atomically(manifest, data):
        result.problems.append(Change(str(manifest), "cannot be written"))


def _with_region(line: bytes, region: str) -> bytes:
    text = line.decode("utf-8")
    obj = orjson.loads(line)
    members = scan_members(text, text.index("{"), obj)
    for member in reversed(members):
        if member.key == "Region" and isinstance(member.value, str):
            if parse_region(member.value) is None:
                continue
            text = text[: member.value_start] + f'"{region}"' + text[member.value_end :]
    return text.encode("utf-8")
