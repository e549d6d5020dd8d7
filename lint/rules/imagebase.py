"""What the image rules share: the shape of their answer, and the orientations that ask for no
rotation."""

from __future__ import annotations

from metalint.registry import Finding

Findings = tuple[Finding, ...]
"""What an image rule returns: usually nothing, at most a finding or two. A finding's span is
left to the engine, which points at the value of its key."""


def on_picname(message: str) -> Finding:
    """A finding about the image that PicName names, pointed at PicName."""
    return Finding(message, key="PicName")


NO_ROTATION = (0, 1)
"""Orientation values that ask for no rotation: 1, and 0, which EXIF leaves undefined and
decoders treat as 1."""
