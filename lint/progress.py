"""A progress line on a terminal's standard error, for runs long enough to need one."""

from __future__ import annotations

import time
from typing import TextIO

DELAY = 0.5
"""Seconds before the line first shows: a quick run prints nothing."""
INTERVAL = 0.1


class TerminalProgress:
    """Called as ``progress(done, total)`` by the image stage; writes ``images 812/2000`` over
    itself on ``stream`` and clears it on ``close``. Silent unless ``stream`` is a terminal."""

    def __init__(self, stream: TextIO, label: str = "images") -> None:
        self.stream = stream
        self.label = label
        self.enabled = stream.isatty()
        self.started = time.monotonic()
        self.shown_at = 0.0
        self.width = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < DELAY or (now - self.shown_at < INTERVAL and done < total):
            return
        self.shown_at = now
        text = f"{self.label} {done}/{total}"
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def close(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0
