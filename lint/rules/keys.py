"""Field rules (ML109 to ML111): the keys of one line: unknown ones, repeated ones, and keys of
both formats on one line."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Iterator

from metalint.diagnostics import Fix, Related, Severity, TextEdit
from metalint.jsontext import Member, shown, to_json
from metalint.line import LineContext
from metalint.older import COUNTERPARTS, CURRENT_KEYS, MIXED_FORMAT, OLDER_KEYS
from metalint.registry import (
    Finding,
    Guard,
    Scope,
    guarded,
    older_format,
    rule,
    schema_errors,
)
from metalint.rules.fieldkeys import (
    errors_of,
    known_keys,
    properties_of,
)


@rule(
    "ML109",
    "unknown-field",
    scope=Scope.FIELDS,
    severity=Severity.WARNING,
    fixable=True,
    triggers=[schema_errors("additionalProperties")],
)
def unknown_field(ctx: LineContext) -> Iterator[Finding]:
    """A key the service does not know.

    ## What it does
    Reports keys that are not part of the manifest format, with the key that was probably meant
    (keys are case-sensitive: `ProductID`, `productId` and `Picname` are all unknown).

    ## Why is this bad?
    The service ignores unknown keys, so a misspelt key silently loses its value, or leaves a
    required key missing.

    ## Example
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1004", "Picname": "fengyi.jpg"}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1004", "PicName": "fengyi.jpg"}
    ```

    ## The older format
    On a line of the older format the keys meant are looked for among that format's keys
    (`itemId` is `item_id`).

    ## Fix
    Renames the key when the intended key is clear and not already present.
    """
    obj = ctx.obj or {}
    known = tuple(properties_of(ctx))
    for error in errors_of(ctx, "additionalProperties"):
        key = error.key
        if key is None:
            continue
        meant = did_you_mean(key, known)
        fix = None
        hint = ""
        if meant is not None:
            hint = f"; did you mean {meant!r}?"
            if meant not in obj:
                edit = TextEdit(ctx.key_span(key), to_json(meant))
                # A guess at what was meant: a person confirms it (--unsafe-fixes).
                fix = Fix(f"Rename to {meant!r}", (edit,), safe=False)
        yield Finding(
            f"unknown key {key!r}{hint} (the service ignores it)",
            ctx.key_span(key),
            key=key,
            fix=fix,
        )


_MEANT_CUTOFF = 0.8


@functools.cache
def _matchers(
    keys: tuple[str, ...],
) -> tuple[tuple[str, int, frozenset[str], difflib.SequenceMatcher[str]], ...]:
    """A matcher per known key, lower-cased, each prepared once with the key's length and
    letters: a line of thousands of unknown keys compares every one with every known key."""
    return tuple(
        (k, len(k), frozenset(k.lower()), difflib.SequenceMatcher(None, "", k.lower()))
        for k in keys
    )


@functools.cache
def _known_by_squashed(keys: tuple[str, ...]) -> dict[str, str]:
    return {_SEPARATORS.sub("", k.lower()): k for k in keys}


_SEPARATORS = re.compile(r"[^a-z0-9]")


def did_you_mean(key: str, keys: tuple[str, ...] | None = None) -> str | None:
    """The key of ``keys`` (the current format's, unless given) a misspelt or miscased key
    most probably stands for: the same letters in another case or without separators, or the
    closest key by difflib's ratio, if close enough (what ``difflib.get_close_matches`` picks,
    with the matchers kept)."""
    keys = tuple(known_keys()) if keys is None else keys
    squashed = _SEPARATORS.sub("", key.lower())
    exact = _known_by_squashed(keys).get(squashed)
    if exact is not None:
        return exact
    size = len(squashed)
    letters = frozenset(squashed)
    best, best_ratio = None, _MEANT_CUTOFF
    for known, known_size, known_letters, matcher in _matchers(keys):
        # Bounds on difflib's ratio, 2 * matches / total, that need no call: matches are at
        # most the shorter length (real_quick_ratio) and at most the characters the two
        # share. On a line of thousands of unknown keys they rule out nearly every pair.
        total = size + known_size
        if 2.0 * min(size, known_size) / total < best_ratio:
            continue
        shared = sum(map(squashed.count, letters & known_letters))
        if 2.0 * shared / total < best_ratio:
            continue
        matcher.set_seq1(squashed)
        if matcher.quick_ratio() >= best_ratio and matcher.ratio() >= best_ratio:
            ratio = matcher.ratio()
            if best is None or ratio > best_ratio:
                best, best_ratio = known, ratio
    return best


@rule(
    "ML110",
    "duplicate-key",
    scope=Scope.FIELDS,
    severity=Severity.WARNING,
    triggers=[guarded(Guard.KEY_COUNT)],
)
def duplicate_key(ctx: LineContext) -> Iterator[Finding]:
    """The same key twice in one object.

    ## What it does
    Reports every repetition of a key within one line.

    ## Why is this bad?
    JSON parsers silently keep one of the values (usually the last), so the other is lost
    without a word.

    ## Example
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1004", "ProductId": "1005"}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1005"}
    ```
    """
    first: dict[str, Member] = {}
    for m in ctx.members:
        if m.key not in first:
            first[m.key] = m
            continue
        earlier = first[m.key]
        yield Finding(
            f"key {m.key!r} appears more than once; parsers keep the last value "
            f"({shown(ctx.obj[m.key] if ctx.obj else m.value)}) and drop "
            f"{shown(earlier.value)}",
            ctx.span(m.key_start, m.key_end),
            key=m.key,
            related=(
                Related(
                    ctx.path,
                    ctx.span(earlier.key_start, earlier.key_end),
                    f"first {m.key!r} here",
                ),
            ),
        )


@rule(
    "ML111",
    "mixed-format",
    scope=Scope.FIELDS,
    severity=Severity.ERROR,
    triggers=[older_format()],
)
def mixed_format(ctx: LineContext) -> Iterator[Finding]:
    """A line mixes keys of the older manifest format with keys of the current one.

    ## What it does
    Reports a line that holds keys of the older format (`operator`, `item_id`, `cat_id`,
    `cust_content`, `pic_list`, `int_attr`, `str_attr`) beside keys of the current one, and
    says which keys belong to which format. It points at the first key of the format the line
    has fewer keys of. Each value is still checked by the rules of its own key.

    ## Why is this bad?
    Each format is documented, or known, on its own only: on a line with both `item_id` and
    ProductId, or both `pic_list` and PicName, nothing says which one the service reads, and
    a line with `operator` but ProductId is complete in neither format.

    ## Example
    ```jsonl
    {"operator": "ADD", "ProductId": "1000", "PicName": "girl_cloth1.jpg", "CustomContent": ""}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1000", "PicName": "girl_cloth1.jpg", "CustomContent": ""}
    ```

    ## The older format
    A line wholly in the older format is no mistake of this rule: `older-format` (ML014) notes
    the file once, and `metalint migrate` rewrites it in the current format.
    """
    if ctx.format is not MIXED_FORMAT:
        return
    older = [m for m in ctx.members if m.key in OLDER_KEYS]
    current = [m for m in ctx.members if m.key in CURRENT_KEYS]
    fewer = older if len(older) <= len(current) else current
    yield Finding(
        f"the line mixes the two manifest formats: {_keys(older)} of the older format, "
        f"{_keys(current)} of the current one; write it in one format (in the current one, "
        f"{_counterparts(older)})",
        ctx.span(fewer[0].key_start, fewer[0].key_end) if fewer else ctx.object_span,
        key=fewer[0].key if fewer else None,
    )


def _keys(members: Iterable[Member]) -> str:
    return ", ".join(repr(key) for key in dict.fromkeys(m.key for m in members))


def _counterparts(members: Iterable[Member]) -> str:
    keys = dict.fromkeys(m.key for m in members)
    return ", ".join(f"{key!r} is {COUNTERPARTS[key]!r}" for key in keys)
