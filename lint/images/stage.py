"""The image stage: collects references from the engine, probes each distinct image once."""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Iterator

from metalint.config import Config
from metalint.images.model import ImageFinding, ImageRef


class ImageStage:
    def __init__(
        self,
        manifest_dir: pathlib.Path,
        config: Config,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self._root = config.images_root or manifest_dir
        self._config = config
        self._progress = progress
        self._refs: list[ImageRef] = []

    def add(self, ref: ImageRef) -> None:
        self._refs.append(ref)

    def finish(self) -> Iterator[ImageFinding]:
        return iter(())
