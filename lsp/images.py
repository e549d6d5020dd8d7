"""Image checks in the background: the batch engine with images on, in a worker thread, so
that typing is never held up by the file system; only its image findings are kept.

The check runs on open and on save, and again when an image file changes on disk. Its
findings are tied to the text of their lines as it was when the check started
(``OpenDocument.images``): an edit since hides the findings of the lines it touched until
the next check.
"""

from __future__ import annotations

from dataclasses import replace

from metalint.config import Config
from metalint.diagnostics import Diagnostic
from metalint.document import split_lines
from metalint.engine import lint_bytes
from metalint.lsp.documents import OpenDocument
from metalint.registry import Scope
from metalint.rules import get_rule

IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "bmp", "gif", "webp", "tif", "tiff", "ppm")
WATCHED = "**/*.{" + ",".join(IMAGE_EXTENSIONS + tuple(e.upper() for e in IMAGE_EXTENSIONS)) + "}"
"""The glob registered with ``workspace/didChangeWatchedFiles`` for images."""


def is_image(path: str) -> bool:
    return path.rpartition(".")[2].lower() in IMAGE_EXTENSIONS


def _is_image_rule(code: str) -> bool:
    rule = get_rule(code)
    return rule is not None and rule.scope is Scope.IMAGE


def check_images(doc: OpenDocument, data: bytes, config: Config) -> list[tuple[Diagnostic, bytes]]:
    """The image findings of ``data`` (the document's text when the check was started), each
    with its line's bytes; run in a worker thread."""
    images = replace(config, check_images=True)
    found = lint_bytes(data, str(doc.path), images, manifest_dir=doc.path.parent)
    lines = split_lines(data)
    return [
        (d, lines[d.span.line - 1] if d.span.line <= len(lines) else b"")
        for d in found
        if _is_image_rule(d.code)
    ]
