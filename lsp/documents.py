"""An open manifest: the engine's ``Document`` kept in step with the client's edits.

The client's changes come as ranges in its position encoding; each is turned into an edit of
whole lines (``Document.edit``), so a keystroke re-lints the line it touched and the lines that
pair with it, never the document.

Opening a large manifest is the one moment the whole text is linted. The first findings come
from the batch engine (``lint_bytes``), whose fast path is several times cheaper per line than
building a ``Document``; the ``Document`` is then built in slices of lines between which the
server goes on answering (``build_step``). An edit that arrives before it is done lands on the
lines where they are, built or not, and the build goes on: the document's findings are then
those of the whole Document, which the server publishes once it is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from metalint.config import Config
from metalint.diagnostics import Diagnostic
from metalint.document import Document, split_lines
from metalint.engine import lint_bytes
from metalint.lsp.positions import Encoding, bare, client_to_index, decode, to_bytes

SLICE_LINES = 4096
"""Lines added to a Document under construction per step: about 40 ms of work, so a request
that comes in meanwhile waits no longer than that."""


class OpenDocument:
    """One document the client has open, and what the server knows of it."""

    def __init__(
        self, uri: str, path: Path, version: int, text: str, config: Config, encoding: Encoding
    ) -> None:
        self.uri = uri
        self.path = path
        self.version = version
        self.config = config
        self.encoding = encoding
        self.generation = 0
        """Counts changes of what the document's diagnostics depend on: its text, its
        configuration, its images. A pull's result id is made from it."""
        self.images: list[tuple[Diagnostic, bytes]] = []
        """The image findings of the last image check, each with the bytes of its line then:
        shown while that line still reads the same at the same place."""
        self._pending: list[bytes] = split_lines(to_bytes(text))
        """The lines not yet in the Document, which holds those before them."""
        self._first: list[Diagnostic] | None = None
        self._edited_early = False
        self._doc = Document(str(path), b"", config)

    # -- building -------------------------------------------------------------------------

    @property
    def built(self) -> bool:
        return not self._pending

    @property
    def edited_while_building(self) -> bool:
        """Whether the text changed before the Document was built: the batch engine's
        findings are then of another text, and the Document's come once it is built."""
        return self._edited_early

    def first_diagnostics(self) -> list[Diagnostic]:
        """The findings of the text as opened, from the batch engine (images off), while the
        Document is still being built."""
        if self._first is None:
            self._first = lint_bytes(self.data(), str(self.path), self.config)
        return self._first

    def build_step(self) -> bool:
        """Add the next slice of lines to the Document; whether it is complete."""
        if self._pending:
            step, self._pending = self._pending[:SLICE_LINES], self._pending[SLICE_LINES:]
            self._doc.edit(len(self._doc), len(self._doc), step)
        if not self._pending:
            self._built()
        return not self._pending

    def finish_building(self) -> None:
        if self._pending:
            self._doc.edit(len(self._doc), len(self._doc), self._pending)
            self._pending = []
            self._built()

    def _built(self) -> None:
        self._first = None
        self._edited_early = False

    # -- reading --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._doc) + len(self._pending)

    def line(self, no: int) -> bytes:
        """Line ``no`` (0-based) with its ending; ``b""`` past the end."""
        built = len(self._doc)
        if no < built:
            return self._doc.line(no)
        no -= built
        return self._pending[no] if no < len(self._pending) else b""

    def text_line(self, no: int) -> str:
        """Line ``no`` as the client sees it, without its ending."""
        return decode(bare(self.line(no)))

    def data(self) -> bytes:
        return self._doc.data() + b"".join(self._pending)

    def diagnostics_at_hand(self) -> list[Diagnostic]:
        """The findings, unless the text was edited before the Document was built: none
        then, rather than finishing the build for them (hover shows what it can without)."""
        return [] if self._edited_early else self.diagnostics()

    def diagnostics(self) -> list[Diagnostic]:
        if self._edited_early:
            # Asked before the build is done: its findings must be of the text as it is now.
            self.finish_building()
        found = self.first_diagnostics() if self._pending else self._doc.diagnostics()
        if not self.images:
            return found
        count = len(self)
        still = [
            d
            for d, raw in self.images
            if d.span.line <= count and self.line(d.span.line - 1) == raw
        ]
        return sorted(found + still, key=lambda d: (d.span, d.code)) if still else found

    # -- editing --------------------------------------------------------------------------

    def replace_all(self, text: str) -> None:
        """The whole text replaced (a client that syncs full documents): only the lines
        between the common start and the common end are edited."""
        new = split_lines(to_bytes(text))
        old_count = len(self)
        head = 0
        limit = min(old_count, len(new))
        while head < limit and self.line(head) == new[head]:
            head += 1
        tail = 0
        while tail < limit - head and self.line(old_count - 1 - tail) == new[len(new) - 1 - tail]:
            tail += 1
        if head == old_count == len(new):
            return
        self._edit(head, old_count - tail, new[head : len(new) - tail])

    def apply(self, start: Any, end: Any, text: str) -> None:
        """Replace the text from LSP position ``start`` to ``end`` (each with ``line`` and
        ``character``) with ``text``. Positions past the end are clamped to it, as LSP
        allows."""
        count = len(self)
        first, last = _clamp(start, end, count)
        if first[0] >= count:
            # Appending after the last line.
            before = after = ""
            lines_from = lines_to = count
        else:
            start_text = self.text_line(first[0])
            before = start_text[: client_to_index(start_text, first[1], self.encoding)]
            if last[0] >= count:
                after, lines_to = "", count
            else:
                end_raw = self.line(last[0])
                end_text = decode(bare(end_raw))
                after = end_text[client_to_index(end_text, last[1], self.encoding) :]
                after += decode(end_raw[len(bare(end_raw)) :])
                lines_to = last[0] + 1
            lines_from = first[0]
        joined = to_bytes(before + text + after)
        if first[0] >= count and count and not self.line(count - 1).endswith(b"\n"):
            # Text after a last line without an ending continues that line.
            lines_from = count - 1
            joined = self.line(count - 1) + joined
        self._edit(lines_from, lines_to, split_lines(joined) if joined else [])

    def _edit(self, start: int, end: int, lines: list[bytes]) -> None:
        """Lines ``start`` to ``end`` (0-based, end excluded) replaced by ``lines``: in the
        Document where it holds them, among the lines still to add where it does not."""
        built = len(self._doc)
        if self._pending:
            if built:
                self._edited_early = True
            else:  # nothing built yet: the batch engine lints the text as it is now
                self._first = None
            if start >= built:
                self._pending[start - built : end - built] = lines
                self.generation += 1
                return
            if end > built:
                # The edit reaches past the built lines: the Document takes those it needs.
                self._doc.edit(built, built, self._pending[: end - built])
                del self._pending[: end - built]
                if not self._pending:
                    self._built()
        self._doc.edit(start, end, lines)
        self.generation += 1

    def reconfigure(self, config: Config) -> None:
        """Lint the text again under another configuration."""
        lines = self._doc.lines() + self._pending
        self.config = config
        self._doc = Document(str(self.path), b"", config)
        self._pending = lines
        self._first = None
        self._edited_early = False
        self.generation += 1


def _clamp(start: Any, end: Any, count: int) -> tuple[tuple[int, int], tuple[int, int]]:
    first = (max(0, start.line), max(0, start.character))
    last = (max(0, end.line), max(0, end.character))
    if last < first:
        first, last = last, first
    if first[0] > count:
        first = (count, 0)
    if last[0] > count:
        last = (count, 0)
    return first, last
