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
from typing import Any

from metalint.older import OLDER_FORMAT, OLDER_KEYS, line_format, older_operations

_ADD, _DELETE_IMAGE, _DELETE_PRODUCT, _OTHER = 0, 1, 2, 3
_SLICE = 3 * 65536


KEY_MASK = (1 << 60) - 1
"""Keys are cut to 60 bits: an int below 2**60 takes 32 bytes, a full 64-bit hash 40, which is
8 MB a million images. Collisions stay negligible, and are harmless: a pair is only a
candidate, which the rules check against both lines."""


def operation_key(obj: dict[str, Any]) -> tuple[str, str, str | None] | None:
    """(OperationType, ProductId, PicName or None) of a well-formed operation line's object."""
    op, pid, pic = obj.get("OperationType"), obj.get("ProductId"), obj.get("PicName")
    if op not in ("ADD", "DELETE") or not isinstance(pid, str):
        return None
    if pic is not None and not isinstance(pic, str):
        return None
    if op == "ADD" and pic is None:
        return None
    return op, pid, pic


def line_operations(obj: dict[str, Any]) -> tuple[tuple[str, str, str | None], ...]:
    """Every operation of a well-formed operation line's object: one on a line of the current
    format, one per image on a line of the older format (see ``metalint.older``)."""
    if not OLDER_KEYS.isdisjoint(obj) and line_format(obj) is OLDER_FORMAT:
        return older_operations(obj)
    key = operation_key(obj)
    return () if key is None else (key,)


def image_key(pid: str, pic: str | None) -> int:
    return hash((pid, pic)) & KEY_MASK


def product_key(pid: str) -> int:
    return hash(pid) & KEY_MASK


class LineIndex:
    def __init__(self) -> None:
        self.adds: dict[int, int] = {}
        self.add_lines: array[int] = array("q")
        self.add_products: array[int] = array("q")
        """The line and product key of every ADD, in order: what a whole-product DELETE is
        checked against at the end, without reading the file again."""
        self.deleted_images: dict[int, int] = {}
        self.deleted_products: dict[int, int] = {}
        self.product_deletes: list[tuple[int, int]] = []
        """(line, product key) of every whole-product DELETE."""
        self.other_lines: dict[int, int] = {}
        """A hash of each distinct line that is no operation (a broken line), and its first
        line: copies of such lines are paired here, since no image key brings them together."""
        self.pairs: list[tuple[int, int]] = []
        """(later line, earlier line) pairs for the between-line rules to look at."""

    def add(self, lineno: int, key: int, pkey: int) -> None:
        first = self.adds.setdefault(key, lineno)
        if first != lineno:
            self.pairs.append((lineno, first))
        self.add_lines.append(lineno)
        self.add_products.append(pkey)
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
        # ADDs of the product before this line are paired at the end (``product_delete_pairs``):
        # a dictionary of every product seen would double the index's memory.
        first = self.deleted_products.setdefault(pkey, lineno)
        if first != lineno:
            self.pairs.append((lineno, first))
        self.product_deletes.append((lineno, pkey))

    def other_line(self, lineno: int, raw: bytes) -> None:
        self.other_line_key(lineno, hash(raw) & KEY_MASK)

    def other_line_key(self, lineno: int, key: int) -> None:
        first = self.other_lines.setdefault(key, lineno)
        if first != lineno:
            self.pairs.append((lineno, first))

    def product_delete_pairs(self) -> list[tuple[int, int]]:
        """(DELETE line, first earlier ADD line) for each whole-product DELETE of a product
        that an earlier line added (ADDs after a DELETE were paired as they came)."""
        if not self.product_deletes:
            return []
        wanted = {pkey for _, pkey in self.product_deletes}
        first_add: dict[int, int] = {}
        for lineno, pkey in zip(self.add_lines, self.add_products, strict=True):
            if pkey in wanted and pkey not in first_add:
                first_add[pkey] = lineno
        pairs = []
        for lineno, pkey in self.product_deletes:
            added = first_add.get(pkey)
            if added is not None and added < lineno:
                pairs.append((lineno, added))
        return pairs

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
            deletes = [i for i, kind in enumerate(map(and_, tags, repeat(3))) if kind]
            start = 0
            for stop in [*deletes, len(tags)]:
                if start < stop:
                    self._add_run(tags[start:stop], keys[start:stop], pkeys[start:stop])
                if stop < len(tags):
                    lineno, kind = tags[stop] >> 2, tags[stop] & 3
                    if kind == _DELETE_IMAGE:
                        self.delete_image(lineno, keys[stop])
                    elif kind == _DELETE_PRODUCT:
                        self.delete_product(lineno, pkeys[stop])
                    else:
                        self.other_line_key(lineno, keys[stop])
                start = stop + 1

    def _add_run(self, tags: list[int], keys: array[int], pkeys: array[int]) -> None:
        """Consecutive ADDs, each as ``add`` would take it, in a few C-level passes (no
        DELETE comes between them, so the deletes seen so far hold for the whole run)."""
        lines = list(map(rshift, tags, repeat(2)))
        self.add_lines.extend(lines)
        self.add_products.extend(pkeys)
        firsts = list(map(self.adds.setdefault, keys, lines))
        if firsts != lines:
            self.pairs.extend((ln, f) for ln, f in zip(lines, firsts, strict=True) if ln != f)
        for deleted, wanted in ((self.deleted_images, keys), (self.deleted_products, pkeys)):
            if deleted:
                earlier = map(deleted.get, wanted)
                self.pairs.extend(
                    (ln, e) for ln, e in zip(lines, earlier, strict=True) if e is not None
                )


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

    def other_line(self, lineno: int, raw: bytes) -> None:
        self.events.extend((lineno << 2 | _OTHER, hash(raw) & KEY_MASK, 0))
