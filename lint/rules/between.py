"""Rules between lines (ML2xx): duplicates and operations that undo each other.

The engine indexes every ADD and DELETE as it streams the file and hands each rule a pair of
lines that may be related, the later first; the rule decides whether the pair is a finding.
"""

from __future__ import annotations

from collections.abc import Iterator

from metalint.diagnostics import Fix, Related, Severity
from metalint.index import operation_key
from metalint.jsontext import to_json
from metalint.line import LineContext
from metalint.registry import Finding, Scope, rule


def _operation(ctx: LineContext) -> tuple[str, str, str | None] | None:
    return operation_key(ctx.obj or {})


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
    now, before = _operation(later), _operation(earlier)
    if now is None or now != before or now[0] != "ADD" or later.raw == earlier.raw:
        return
    yield Finding(
        f"{_image(now[1], now[2])} is already added on line {earlier.lineno}; this line "
        "overwrites it",
        later.value_span("PicName"),
        key="PicName",
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
    now, before = _operation(later), _operation(earlier)
    if now is None or before is None or now[1] != before[1] or now[0] == before[0]:
        return
    delete = now if now[0] == "DELETE" else before
    add = before if delete is now else now
    if delete[2] is not None and delete[2] != add[2]:
        return
    target = "PicName" if now[0] == "ADD" or now[2] is not None else "OperationType"
    yield Finding(
        f"{now[0]} of {_image(now[1], now[2])} conflicts with the {before[0]} on line "
        f"{earlier.lineno}; the result depends on the order of the lines",
        later.value_span(target),
        key=target,
        related=_related(earlier, f"{before[0]} here"),
    )


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
