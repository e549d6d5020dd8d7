"""The between-line index: which images were added and deleted, and on which line first.

It keeps one small integer per distinct image, not the lines themselves: a hash of
(ProductId, PicName) mapped to the first line that used it. Two lines whose hashes meet become a
*pair*; the between-line rules later read both lines and decide, so a hash collision can never
turn into a wrong finding.

A chunk of a file scanned in another process writes an ``IndexLog`` instead: the same events, in
order, as a flat array of integers that the parent replays into its index. The result is the
index a single process would have built.
"""

from __future__ import annotations

from array import array
from itertools import repeat
from operator import add, and_, rshift

_ADD, _DELETE_IMAGE, _DELETE_PRODUCT = 0, 1, 2
_SLICE = 3 * 65536


def image_key(pid: str, pic: str | None) -> int:
    return hash((pid, pic))


def product_key(pid: str) -> int:
    return hash(pid)


class LineIndex:
    def __init__(self) -> None:
        self.adds: dict[int, int] = {}
        self.deleted_images: dict[int, int] = {}
        self.deleted_products: dict[int, int] = {}
        self.pairs: list[tuple[int, int]] = []
        """(later line, earlier line) pairs for the between-line rules to look at."""

    @property
    def has_deletes(self) -> bool:
        return bool(self.deleted_images or self.deleted_products)

    def add(self, lineno: int, key: int, pkey: int) -> None:
        first = self.adds.setdefault(key, lineno)
        if first != lineno:
            self.pairs.append((lineno, first))
        if self.deleted_images or self.deleted_products:
            self.add_after_deletes(lineno, key, pkey)

    def add_after_deletes(self, lineno: int, key: int, pkey: int) -> None:
        for earlier in (self.deleted_images.get(key), self.deleted_products.get(pkey)):
            if earlier is not None:
                self.pairs.append((lineno, earlier))

    def delete_image(self, lineno: int, key: int) -> None:
        first = self.deleted_images.setdefault(key, lineno)
        if first != lineno:
            self.pairs.append((lineno, first))
        added = self.adds.get(key)
        if added is not None:
            self.pairs.append((lineno, added))

    def delete_product(self, lineno: int, pkey: int) -> None:
        # ADDs of the product before this line are found at the end of the file (see the
        # engine); keeping every product's key here would double the index's memory.
        first = self.deleted_products.setdefault(pkey, lineno)
        if first != lineno:
            self.pairs.append((lineno, first))

    def record(self, lineno: int, op: str, pid: str, pic: str | None) -> None:
        """Index one operation line, whatever path it took."""
        if op == "ADD":
            self.add(lineno, image_key(pid, pic), product_key(pid))
        elif pic is None:
            self.delete_product(lineno, product_key(pid))
        else:
            self.delete_image(lineno, image_key(pid, pic))

    def replay(self, events: array[int], lines_before: int = 0) -> None:
        """Apply the events an ``IndexLog`` wrote, in their order, to lines numbered from
        ``lines_before + 1``. Done a slice at a time to keep the working copies small."""
        shift = lines_before << 2
        for at in range(0, len(events), _SLICE):
            part = events[at : at + _SLICE]
            tags = list(map(add, part[0::3], repeat(shift)))
            keys, pkeys = part[1::3], part[2::3]
            if not self.has_deletes and not any(map(and_, tags, repeat(3))):
                # Only ADDs on either side: the whole slice in a few C-level passes.
                lines = list(map(rshift, tags, repeat(2)))
                firsts = list(map(self.adds.setdefault, keys, lines))
                if firsts != lines:
                    pairs = zip(lines, firsts, strict=True)
                    self.pairs.extend((ln, first) for ln, first in pairs if ln != first)
                continue
            for tag, key, pkey in zip(tags, keys, pkeys, strict=True):
                lineno, kind = tag >> 2, tag & 3
                if kind == _ADD:
                    self.add(lineno, key, pkey)
                elif kind == _DELETE_IMAGE:
                    self.delete_image(lineno, key)
                else:
                    self.delete_product(lineno, pkey)


class IndexLog(LineIndex):
    """Records index events for another process to replay, instead of indexing them."""

    def __init__(self) -> None:
        super().__init__()
        self.events: array[int] = array("q")

    def add(self, lineno: int, key: int, pkey: int) -> None:
        self.events.extend((lineno << 2 | _ADD, key, pkey))

    def delete_image(self, lineno: int, key: int) -> None:
        self.events.extend((lineno << 2 | _DELETE_IMAGE, key, 0))

    def delete_product(self, lineno: int, pkey: int) -> None:
        self.events.extend((lineno << 2 | _DELETE_PRODUCT, 0, pkey))
