"""Image checks: every image an ADD line references is looked up under the image root, its
header read (never its pixels), in parallel and with an on-disk cache."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from metalint.images.model import ImageFacts, ImageRef

if TYPE_CHECKING:
    from metalint.images.stage import ImageStage

__all__ = ["ImageFacts", "ImageRef", "ImageStage"]


def __getattr__(name: str) -> Any:
    # The stage brings in worker pools and the cache; the rules, loaded on every start, only
    # need the small records above.
    if name == "ImageStage":
        from metalint.images.stage import ImageStage

        return ImageStage
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
