"""Columns between the engine's model and the client's position encoding.

The engine counts columns in characters (code points) of a line decoded as UTF-8, and in bytes
on a line that is not UTF-8 (the only findings there say where the bad byte is). A client counts
in UTF-16 code units unless it offered UTF-8 or UTF-32 at initialization. A line of ASCII text
needs no conversion at all, and almost every manifest line is ASCII, so every function here
checks that first.

The server encodes the client's text with ``surrogatepass``: a lone surrogate the client sent
(it can, in a JSON string) reaches the engine as bytes that are not UTF-8, and decoding with the
same handler gives the client's characters back, so positions still line up with its text.
"""

from __future__ import annotations

from typing import Literal

Encoding = Literal["utf-8", "utf-16", "utf-32"]

ENCODINGS: tuple[Encoding, ...] = ("utf-8", "utf-32", "utf-16")
"""The encodings the server speaks, in its order of preference: UTF-8 and UTF-32 cost nothing
on ASCII lines and little on the others; UTF-16 is every client's fallback."""

_ENDINGS = (b"\r\n", b"\n")


def bare(raw: bytes) -> bytes:
    """A line without its ending, as the client sees the line (LSP ends lines at ``\\r\\n``
    as well as ``\\n``)."""
    for ending in _ENDINGS:
        if raw.endswith(ending):
            return raw[: -len(ending)]
    return raw


def to_bytes(text: str) -> bytes:
    """The client's text as the engine reads it."""
    return text.encode("utf-8", "surrogatepass")


def decode(raw: bytes) -> str:
    """A line's bytes (from ``to_bytes``) as the client's characters."""
    return raw.decode("utf-8", "surrogatepass")


def _units(text: str, encoding: Encoding) -> int:
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def engine_to_client(raw: bytes, column: int, encoding: Encoding) -> int:
    """The client's 0-based character offset of the engine's 1-based ``column`` on a line.

    A column past the end of the line (an end column is exclusive, and a span may cover the
    line's ending) counts one unit per column beyond, which clients clamp to the line's end.
    """
    offset = column - 1
    if offset <= 0:
        return 0
    if raw.isascii():
        return offset
    line = bare(raw)
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        # The engine counted bytes here; a cut in the middle of a character cannot be
        # shown in the client's units, so it rounds down to that character's start.
        head = line[:offset].decode("utf-8", "ignore")
        if encoding == "utf-8":
            return offset
        return _units(head, encoding) + max(0, offset - len(line))
    head = text[:offset]
    return _units(head, encoding) + max(0, offset - len(text))


def client_to_index(text: str, units: int, encoding: Encoding) -> int:
    """The index into ``text`` (one line, without its ending) of a client's offset ``units``;
    an offset past the end, or inside a character, lands after it, as LSP asks."""
    if units <= 0:
        return 0
    if encoding == "utf-32" or text.isascii():
        return min(units, len(text))
    if encoding == "utf-8":
        size = 0
        for index, char in enumerate(text):
            if size >= units:
                return index
            size += len(char.encode("utf-8", "surrogatepass"))
        return len(text)
    size = 0
    for index, char in enumerate(text):
        if size >= units:
            return index
        size += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def line_length(raw: bytes, encoding: Encoding) -> int:
    """A line's length in the client's units, without its ending."""
    line = bare(raw)
    if line.isascii():
        return len(line)
    return _units(decode(line), encoding)
