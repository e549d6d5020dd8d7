"""Rules between lines (ML2xx): duplicates and operations that undo each other.

The engine indexes every ADD and DELETE as it streams the file and hands each rule a pair of
lines that may be related, the later first; the rule decides whether the pair is a finding.
A line of the older format is an operation on each image of its ``pic_list``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from metalint.diagnostics import Fix, Related, Severity, Span
from metalint.index import line_operations
from metalint.jsontext import to_json
from metalint.line import LineContext
from metalint.older import OLDER_IMAGES, OLDER_OPERATION, LineFormat
from metalint.registry import Finding, Scope, rule


class _Operation(NamedTuple):
    op: str
    pid: str
    pic: str | None
    span: Span
    """Where a finding about it points: the image's name, or the operation of a DELETE of
    every image of the product."""
    key: str


def _operations(ctx: LineContext) -> list[_Operation]:
    found = line_operations(ctx.obj or {})
    if not found:
        return []
    if ctx.format is LineFormat.OLDER:
        spans: dict[str, Span] = {}
        for entry in ctx.elements(OLDER_IMAGES):
            if isinstance(entry.value, str):
                spans.setdefault(entry.value, ctx.span(entry.start, entry.end))
        whole = ctx.value_span(OLDER_OPERATION)
        return [
            _Operation(op, pid, pic, whole, OLDER_OPERATION)
            if pic is None
            else _Operation(op, pid, pic, spans.get(pic, whole), OLDER_IMAGES)
            for op, pid, pic in found
        ]
    op, pid, pic = found[0]
    target = "PicName" if op == "ADD" or pic is not None else "OperationType"
    return [_Operation(op, pid, pic, ctx.value_span(target), target)]


def _related(earlier: LineContext, message: str) -> tuple[Related, ...]:
    return (Related(earlier.path, earlier.line_span, message),)


def _image(pid: str, pic: str | None) -> str:
    shown = to_json(pid)
    if pic is None:
        return f"every image of product {shown}"
    return f"image {to_json(pic)} of product {shown}"


@rule("ML201", "duplicate-image", scope=Scope.BETWEEN, severity=Severity.WARNING)
def duplicate_image(later: LineContext, earlier: LineContext) -> Iterator[Finding]:
    """The same ProductId and PicName are added twice.

    ## What it does
    Reports an ADD whose ProductId and PicName an earlier ADD of the same file already used,
    and points at that earlier line.

    ## Why is this bad?
    Lines are applied in order and the later ADD silently overwrites the earlier image with
    its own CustomContent, attributes and Region: one of the two lines is lost.

    ## Example
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1000", "PicName": "a.jpg", "CustomContent": "v1"}
    {"OperationType": "ADD", "ProductId": "1000", "PicName": "a.jpg", "CustomContent": "v2"}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1000", "PicName": "a.jpg", "CustomContent": "v2"}
    ```
    """
    if later.raw == earlier.raw:
        return
    added = {(o.pid, o.pic) for o in _operations(earlier) if o.op == "ADD"}
    for now in _operations(later):
        if now.op == "ADD" and (now.pid, now.pic) in added:
            yield Finding(
                f"{_image(now.pid, now.pic)} is already added on line {earlier.lineno}; this "
                "line overwrites it",
                now.span,
                key=now.key,
                related=_related(earlier, "first added here"),
            )


@rule("ML202", "add-delete-conflict", scope=Scope.BETWEEN, severity=Severity.WARNING)
def add_delete_conflict(later: LineContext, earlier: LineContext) -> Iterator[Finding]:
    """The same image is both added and deleted in one file.

    ## What it does
    Reports an ADD and a DELETE of the same ProductId and PicName in one manifest, or an ADD of
    a product that a DELETE without PicName removes entirely.

    ## Why is this bad?
    The outcome depends on the order of the lines, which is easy to get wrong when the file is
    generated or merged; usually one of the two lines is a mistake.

    ## Example
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1005", "PicName": "a.jpg", "CustomContent": ""}
    {"OperationType": "DELETE", "ProductId": "1005"}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1005"}
    ```
    """
    befores = _operations(earlier)
    for now in _operations(later):
        for before in befores:
            if now.pid != before.pid or now.op == before.op:
                continue
            delete = now if now.op == "DELETE" else before
            add = before if delete is now else now
            if delete.pic is not None and delete.pic != add.pic:
                continue
            yield Finding(
                f"{now.op} of {_image(now.pid, now.pic)} conflicts with the {before.op} on "
                f"line {earlier.lineno}; the result depends on the order of the lines",
                now.span,
                key=now.key,
                related=_related(earlier, f"{before.op} here"),
            )
            break


@rule("ML203", "duplicate-line", scope=Scope.BETWEEN, severity=Severity.WARNING, fixable=True)
def duplicate_line(later: LineContext, earlier: LineContext) -> Iterator[Finding]:
    """The exact same line twice.

    ## What it does
    Reports a line identical, byte for byte, to an earlier line of the same file.

    ## Why is this bad?
    The copy does nothing useful and is usually a sign that two exports were concatenated.

    ## Example
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1005"}
    {"OperationType": "DELETE", "ProductId": "1005"}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1005"}
    ```

    ## Fix
    Deletes the copy.
    """
    if later.raw != earlier.raw or later.text is None or not later.raw.strip():
        return
    yield Finding(
        f"line is identical to line {earlier.lineno}",
        later.line_span,
        fix=Fix("Delete the duplicate line", (later.delete_edit(),)),
        related=_related(earlier, "first occurrence"),
    )
