"""An image named where a manifest is expected, as pre-commit passes a changed image: the
findings that concern it are those of the manifest that uses it, on the lines that use it.

The manifest is the nearest ``increment.meta`` in the image's folder or above it; the image
is used by the ADD lines whose PicName (or, in the older format, an entry of whose pic_list)
names it relative to the manifest's folder (or to the configured images root). An image that
no manifest names draws nothing.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from pathlib import Path

import orjson

from metalint.config import Config
from metalint.images.model import EXTENSION_FORMATS
from metalint.manifest import MANIFEST_NAME
from metalint.older import OLDER_IMAGES


def is_image_path(path: Path) -> bool:
    """A file whose extension is one a PicName may have, in any letter case."""
    return path.suffix[1:].lower() in EXTENSION_FORMATS and not path.is_dir()


def manifest_for(image: Path) -> Path | None:
    """The nearest manifest in the image's folder or a folder above it, shown relative to the
    current folder when it is below it."""
    folder = image.absolute().parent
    for candidate in (folder, *folder.parents):
        manifest = candidate / MANIFEST_NAME
        if manifest.is_file():
            try:
                return manifest.relative_to(Path.cwd())
            except ValueError:
                return manifest
    return None


def picname_of(image: Path, manifest: Path, config: Config) -> str | None:
    """How a PicName names ``image``, seen from ``manifest``; None when it cannot."""
    root = config.images_root or manifest.absolute().parent
    try:
        return image.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return None


def lines_using(manifest: Path, names: Iterable[str]) -> set[int]:
    """The numbers of the ADD lines whose PicName, or an entry of whose pic_list, is one of
    ``names``."""
    wanted = set(names)
    found = set()
    with open(manifest, "rb") as stream:
        for lineno, raw in enumerate(stream, start=1):
            if b"PicName" not in raw and b"pic_list" not in raw:
                continue
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(obj, dict):
                continue
            listed = obj.get(OLDER_IMAGES)
            pics = listed if isinstance(listed, list) else [obj.get("PicName")]
            if any(isinstance(p, str) and posixpath.normpath(p) in wanted for p in pics):
                found.add(lineno)
    return found


def by_manifest(images: Iterable[Path]) -> dict[Path, list[Path]]:
    """The images of each manifest that images may belong to."""
    groups: dict[Path, list[Path]] = {}
    for image in images:
        manifest = manifest_for(image)
        if manifest is not None:
            groups.setdefault(manifest, []).append(image)
    return groups
