"""What is known of a manifest file as a whole: its name, and the facts the file rules read."""

from __future__ import annotations

import re
from dataclasses import dataclass

MANIFEST_NAME = "increment.meta"
_NEAR_MISS = re.compile(r"increment[._ -]?(meta|json|jsonl|ndjson|txt)(\.[a-z0-9]+)*")


def is_near_miss(name: str) -> bool:
    """A file name someone probably meant to be ``increment.meta``."""
    return name != MANIFEST_NAME and bool(_NEAR_MISS.fullmatch(name.lower()))


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What the file rules know once a file has been read."""

    path: str
    name: str
    explicit: bool
    """True when the user named this file; False when it was found in a folder."""
    linted: bool
    """False for a near miss found in a folder: reported, not read as a manifest."""
    lines: int
    operations: int
    """Lines whose OperationType is ADD or DELETE."""
    has_content: bool
    unreadable: str | None = None
    """Why the file could not be read, when it could not."""
