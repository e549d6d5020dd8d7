"""Document symbols: the manifest's operations, one a line, named by their ProductId, so that
an editor's outline (sorted by name) lists them product by product and jumps to each.

Editors ask for the symbols of the whole document again after every edit, and a manifest may
have 100,000 lines. So each line's symbol is kept encoded, with its line number left as a
``%d`` to fill in (``SymbolCache``, by the line's bytes): a request after a one-line edit reads
that one line again, and every other line costs a lookup and a formatting. The server makes
them in slices, answering other messages in between (a first pass over 100,000 lines takes
a second or two).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from metalint.config import Config
from metalint.line import LineContext
from metalint.lsp.positions import Encoding, engine_to_client, line_length
from metalint.lsp.protocol import encode

ADD_KIND = 19
"""LSP's SymbolKind Object: an ADD puts an image of the product in the index."""
DELETE_KIND = 21
"""SymbolKind Null: a DELETE takes images of the product out."""


@dataclass(frozen=True, slots=True)
class Operation:
    """What one line does, and where its ProductId's value stands (0-based characters in
    the line's text)."""

    product: str
    detail: str
    kind: int
    name_start: int
    name_end: int


def _text(value: Any) -> str:
    return value if isinstance(value, str) else encode(value).decode()


def _plain_offsets(raw: bytes, key: str, value: Any) -> tuple[int, int] | None:
    """Where ``key``'s value stands, found by a search of the bytes: for an ASCII line that
    names the key once and writes the value as orjson would, which is nearly every line."""
    needle = b'"%s"' % key.encode()
    if not raw.isascii() or raw.count(needle) != 1:
        return None
    at = raw.find(needle) + len(needle)
    at = len(raw) - len(raw[at:].lstrip(b" \t"))
    if raw[at : at + 1] != b":":
        return None
    at = len(raw) - len(raw[at + 1 :].lstrip(b" \t"))
    written = orjson.dumps(value)
    return (at, at + len(written)) if raw.startswith(written, at) else None


def operation_of(path: Path, raw: bytes, config: Config) -> Operation | None:
    """The operation of a line that is a JSON object naming a product; None otherwise."""
    # The engine's scanner only for what orjson cannot read or the search cannot place:
    # building its context costs more than the rest.
    ctx = None
    obj: Any
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        ctx = LineContext.of(str(path), 1, raw, config)
        obj = ctx.obj
    if not isinstance(obj, dict):
        return None
    key = "ProductId" if "ProductId" in obj else "item_id"
    if key not in obj:
        return None
    offsets = _plain_offsets(raw, key, obj[key])
    if offsets is None:
        ctx = ctx or LineContext.of(str(path), 1, raw, config)
        located = ctx.offsets(key)
        if located is None:
            return None
        offsets = located[2], located[3]
    op = obj.get("OperationType", obj.get("operator"))
    pics = obj.get("PicName", obj.get("pic_list"))
    if isinstance(pics, list):
        pics = ", ".join(_text(p) for p in pics)
    elif pics is None and op == "DELETE":
        pics = "the whole product"
    detail = " ".join(_text(part) for part in (op, pics) if part is not None)
    kind = DELETE_KIND if op == "DELETE" else ADD_KIND
    return Operation(_text(obj[key]) or '""', detail, kind, *offsets)


def _json(value: Any) -> bytes:
    """``value`` encoded, its ``%`` doubled for the template's formatting."""
    return encode(value).replace(b"%", b"%%")


@dataclass(frozen=True, slots=True)
class _Template:
    encoded: bytes
    """The symbol's JSON, ``%d`` for each place of its line number."""
    places: int


def _template(
    found: Operation, raw: bytes, encoding: Encoding, uri: str, hierarchical: bool
) -> _Template:
    end = line_length(raw, encoding)
    whole = b'{"start":{"line":%%d,"character":0},"end":{"line":%%d,"character":%d}}' % end
    if not hierarchical:
        # A client without DocumentSymbol support takes the older SymbolInformation.
        return _Template(
            b'{"name":%b,"kind":%d,"containerName":%b,"location":{"uri":%b,"range":%b}}'
            % (_json(found.product), found.kind, _json(found.detail), _json(uri), whole),
            2,
        )
    start = engine_to_client(raw, found.name_start + 1, encoding)
    stop = engine_to_client(raw, found.name_end + 1, encoding)
    name = b'{"start":{"line":%%d,"character":%d},"end":{"line":%%d,"character":%d}}' % (
        start,
        stop,
    )
    return _Template(
        b'{"name":%b,"detail":%b,"kind":%d,"range":%b,"selectionRange":%b}'
        % (_json(found.product), _json(found.detail), found.kind, whole, name),
        4,
    )


class SymbolCache:
    """The encoded symbol of each line text of one document, as of its last full pass."""

    def __init__(self, uri: str, encoding: Encoding, hierarchical: bool) -> None:
        self.uri = uri
        self.encoding = encoding
        self.hierarchical = hierarchical
        self._by_text: dict[bytes, _Template | None] = {}
        self._seen: dict[bytes, _Template | None] = {}

    def begin(self) -> None:
        """Start a pass over the document; lines of texts it does not see are forgotten
        at its ``end``."""
        self._seen = {}

    def symbols(
        self, lines: range, line_of: Callable[[int], bytes], path: Path, config: Config
    ) -> list[bytes]:
        """The symbols of the lines numbered ``lines`` (0-based) that ``line_of`` returns."""
        before, seen = self._by_text, self._seen
        out: list[bytes] = []
        missing = object()
        for no in lines:
            raw = line_of(no)
            template: Any = seen.get(raw, missing)
            if template is missing:
                template = before.get(raw, missing)
                if template is missing:
                    found = operation_of(path, raw, config)
                    template = None
                    if found is not None:
                        template = _template(found, raw, self.encoding, self.uri, self.hierarchical)
                seen[raw] = template
            if template is not None:
                out.append(template.encoded % ((no,) * template.places))
        return out

    def end(self) -> None:
        self._by_text, self._seen = self._seen, {}
