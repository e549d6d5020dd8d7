"""Image checks: every image an ADD line references is looked up under the image root, its
header read (never its pixels), in parallel and with an on-disk cache."""

from __future__ import annotations

from metalint.images.model import ImageFacts, ImageFinding, ImageRef
from metalint.images.stage import ImageStage

__all__ = ["ImageFacts", "ImageFinding", "ImageRef", "ImageStage"]
