"""The fast path: one pass over every line, deciding which lines need the slow path.

Every line is parsed by orjson and checked by the compiled clean schema and the guards that
the enabled rules asked for (see ``metalint.registry.Trigger``); a line that passes cannot
draw any finding and only enters the between-line index. Anything else goes to the sink's
slow path. This loop is where a million-line manifest spends its time, so it binds what it
calls to locals and does nothing per line that can be skipped.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from typing import IO, Any, Protocol

import orjson

from metalint.images.model import ImageRef
from metalint.index import KEY_MASK, IndexLog, LineIndex
from metalint.region import REGION, less
from metalint.registry import Guard

NON_STRING_KEYS = frozenset(("CategoryId", "IntAttr", "IntAttr2", "IntAttr3", "IntAttr4", "Crop"))
"""Keys whose values are not strings on a valid line; every other value is a string."""
_LINE_ENDS = (b"}\n", b"}")
_REGION_DIGITS_UP_TO = 64
# Bound once: Python 3.11 does not specialize reading a member off its enum class, which then
# costs about as much as the rest of a guard's check.
_LINE_END = Guard.LINE_END
_KEY_COUNT = Guard.KEY_COUNT
_FRACTION = Guard.FRACTION
_REGION_ORDER = Guard.REGION_ORDER
BLOCK = 1 << 17
"""Bytes read at a time; each block's first line and offset are kept for reading lines again."""


class Sink(Protocol):
    """What the scan feeds: the per-manifest state of a run."""

    index: LineIndex
    images: Any
    """Something with ``add(ImageRef)``, or None when images are not checked."""

    def slow(self, lineno: int, raw: bytes, obj: Any) -> None:
        """Lint a line the fast path could not vouch for; ``obj`` is what orjson made of it,
        or None when orjson could not read it."""


def guards_hold(guards: frozenset[Guard], raw: bytes, obj: dict[str, Any]) -> list[Guard]:
    """Which of ``guards`` hold on a line with an object (the slow path's view of the checks
    the scan makes inline), in one pass over the values."""
    held = []
    if _LINE_END in guards and not raw.endswith(_LINE_ENDS):
        held.append(_LINE_END)
    if _KEY_COUNT in guards or _FRACTION in guards:
        # A string value brings 4 quotes with its key and any other flat value 2; a nested
        # value brings an unknown number, so the count cannot vouch for the keys.
        expected, nested, fraction = 0, False, False
        for key, value in obj.items():
            cls = value.__class__
            if cls is str:
                expected += 4
            elif cls is list or cls is dict:
                nested = True
            else:
                expected += 2
                fraction = fraction or (cls is float and key in NON_STRING_KEYS)
        if _KEY_COUNT in guards and (nested or raw.count(b'"') != expected):
            held.append(_KEY_COUNT)
        if _FRACTION in guards and fraction:
            held.append(_FRACTION)
    if _REGION_ORDER in guards and "Region" in obj and _region_out_of_order(obj["Region"]):
        held.append(_REGION_ORDER)
    return held


def _region_out_of_order(region: object) -> bool:
    if not isinstance(region, str):
        return False
    match = REGION.fullmatch(region)
    if match is None:
        return False  # the schema's pattern reports it
    x1, x2, y1, y2 = match.groups()
    return not (less(x1, x2) and less(y1, y2))


class Blocks:
    """The lines of a stream read a block at a time, remembering where each block starts, so
    that lines can be read again by offset (``reader``) without a second pass from the top."""

    def __init__(
        self, stream: IO[bytes], start: int = 0, end: int | None = None, path: str | None = None
    ) -> None:
        self._stream = stream
        self.path = path
        """The file on disk that ``stream`` reads, if it is one: other processes can then
        read its lines too."""
        self._start = start
        self._end = end
        self.starts: list[tuple[int, int]] = []
        """(first line number, byte offset) of every block read."""

    def lines(self, first_lineno: int = 1) -> Iterable[list[bytes]]:
        stream = self._stream
        stream.seek(self._start)
        at, lineno = self._start, first_lineno
        while self._end is None or at < self._end:
            # readlines stops once it has read *more* than its hint: one byte short of the end
            # stops it exactly at the end, which is a line start.
            hint = BLOCK if self._end is None else min(BLOCK, self._end - at) - 1
            block = stream.readlines(hint) if hint > 0 else [stream.readline()]
            if not block or not block[0]:
                return
            self.starts.append((lineno, at))
            yield block
            lineno += len(block)
            at = stream.tell()

    def reader(self, stream: IO[bytes] | None = None) -> Callable[[int], bytes]:
        """A function that reads a line again (with its ending) by its number, for numbers
        called in ascending order: each block that holds one is entered at its offset, and
        nothing else is read. ``stream`` reads the same file in place of this one's stream
        (another process's, or one beside it)."""
        starts = self.starts
        source = self._stream if stream is None else stream
        block = -1
        lineno = 0

        def read(target: int) -> bytes:
            nonlocal block, lineno
            if block + 1 < len(starts) and starts[block + 1][0] <= target:
                # Skip to the last block that starts at or before the target.
                block = bisect.bisect_right(starts, (target, 1 << 62)) - 1
                lineno, offset = starts[block]
                source.seek(offset)
            while lineno < target:
                source.readline()
                lineno += 1
            lineno += 1
            return source.readline()

        return read


def scan(
    blocks: Iterable[list[bytes]],
    sink: Sink,
    is_clean: Any,
    guards: frozenset[Guard],
    first_lineno: int = 1,
) -> int:
    """Run the fast path over ``blocks`` of lines; returns how many lines there were.

    ``is_clean`` is the compiled clean schema's ``is_valid``; ``guards`` the guards that some
    enabled rule asked for.
    """
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    non_string = NON_STRING_KEYS
    key_mask = KEY_MASK
    line_ends = _LINE_ENDS
    check_end = Guard.LINE_END in guards
    check_keys = Guard.KEY_COUNT in guards
    check_fraction = Guard.FRACTION in guards
    check_region = Guard.REGION_ORDER in guards
    index = sink.index
    logging = isinstance(index, IndexLog)
    log_extend = index.events.extend if isinstance(index, IndexLog) else None
    adds_setdefault = index.adds.setdefault
    add_lines = index.add_lines.append
    add_products = index.add_products.append
    pairs_append = index.pairs.append
    deleted_images = index.deleted_images
    deleted_products = index.deleted_products
    slow = sink.slow
    images_add = sink.images.add if sink.images is not None else None
    lineno = first_lineno - 1
    for block in blocks:
        for lineno, raw in enumerate(block, lineno + 1):  # noqa: B020
            try:
                obj = loads(raw)
            except decode_error:
                slow(lineno, raw, None)
                continue
            # The schema's "type": "object" comes first: the checks after it take a dict.
            if not is_clean(obj) or (check_end and not raw.endswith(line_ends)):
                slow(lineno, raw, obj)
                continue
            # On a clean line every quote delimits a key or a string value: each key brings
            # 4 quotes and each non-string value's key 2, so any other count means a key
            # repeated (and silently dropped by the parser).
            if non_string.isdisjoint(obj):
                if check_keys and 4 * len(obj) != raw.count(b'"'):
                    slow(lineno, raw, obj)
                    continue
            else:
                present = non_string.intersection(obj)
                if check_keys and 4 * len(obj) - raw.count(b'"') != 2 * len(present):
                    slow(lineno, raw, obj)
                    continue
                if check_fraction:
                    fraction = False
                    for k in present:
                        if obj[k].__class__ is float:
                            fraction = True
                    if fraction:
                        slow(lineno, raw, obj)
                        continue
            box = None
            if "Region" in obj:
                # The schema vouched for the digits and commas; only the order is left to
                # check (a Region too long for plain int() is left to the slow path).
                region = obj["Region"]
                if len(region) > _REGION_DIGITS_UP_TO:
                    slow(lineno, raw, obj)
                    continue
                x1, x2, y1, y2 = box = tuple(map(int, region.split(",")))
                if x1 >= x2 or y1 >= y2:
                    if check_region:
                        slow(lineno, raw, obj)
                        continue
                    box = None
            pid = obj["ProductId"]
            if obj["OperationType"] == "ADD":
                pic = obj["PicName"]
                key = hash((pid, pic)) & key_mask  # index.image_key, inlined
                pkey = hash(pid) & key_mask
                if logging:
                    log_extend((lineno << 2, key, pkey))  # type: ignore[misc]
                else:
                    first = adds_setdefault(key, lineno)
                    if first != lineno:
                        pairs_append((lineno, first))
                    add_lines(lineno)
                    add_products(pkey)
                    # LineIndex.add_after_deletes, unrolled: in a file that mixes ADDs with a
                    # few DELETEs it would run on nearly every line.
                    if deleted_images:
                        earlier = deleted_images.get(key)
                        if earlier is not None:
                            pairs_append((lineno, earlier))
                    if deleted_products:
                        earlier = deleted_products.get(pkey)
                        if earlier is not None:
                            pairs_append((lineno, earlier))
                if images_add is not None:
                    images_add(ImageRef(lineno, pic, box))  # type: ignore[arg-type]
            else:
                index.record(lineno, "DELETE", pid, obj.get("PicName"))
    return lineno - first_lineno + 1
