"""What is known of a manifest file as a whole: its name, and the facts the file rules read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from metalint.older import CURRENT_FORMAT, CURRENT_KEYS, OLDER_FORMAT, LineFormat

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
    older_lines: int = 0
    """Lines wholly in the older format."""
    current_lines: int = 0
    """Lines with a key of the current format and none of the older one."""
    first_older: int = 0
    first_current: int = 0
    """The number of the first line of each format; 0 when there is none."""


@dataclass(slots=True)
class FormatTally:
    """The formats of the lines the scan sent to the slow path (every line of the fast path
    is of the current format): how many of each, and the first."""

    older: int = 0
    current: int = 0
    first_older: int = 0
    first_current: int = 0

    def note(self, lineno: int, form: LineFormat, obj: dict[str, Any]) -> None:
        if form is OLDER_FORMAT:
            self.older += 1
            self.first_older = self.first_older or lineno
        elif form is CURRENT_FORMAT and not CURRENT_KEYS.isdisjoint(obj):
            self.current += 1
            self.first_current = self.first_current or lineno

    def absorb(self, other: FormatTally, lines_before: int) -> None:
        """Take in the tally of a later chunk of the file, whose lines count from its start."""
        if other.older and not self.first_older:
            self.first_older = other.first_older + lines_before
        if other.current and not self.first_current:
            self.first_current = other.first_current + lines_before
        self.older += other.older
        self.current += other.current
