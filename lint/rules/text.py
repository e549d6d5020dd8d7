"""Text rules (ML0xx): a line as bytes and characters: its encoding, a byte-order mark, blank
lines, line endings, trailing whitespace, lone surrogates."""

from __future__ import annotations

import re
from collections.abc import Iterator

from metalint.diagnostics import Fix, Severity, Span, TextEdit
from metalint.jsontext import to_json
from metalint.line import LineContext
from metalint.registry import Finding, Guard, Scope, guarded, rule, unparsed


@rule(
    "ML002",
    "invalid-utf8",
    scope=Scope.TEXT,
    severity=Severity.ERROR,
    triggers=[unparsed()],
)
def invalid_utf8(ctx: LineContext) -> Iterator[Finding]:
    """The line is not valid UTF-8.

    ## What it does
    Reports the first byte of a line that does not decode as UTF-8, with its byte column.

    ## Why is this bad?
    The service reads the manifest as UTF-8 JSON; a line in another encoding (GBK, Latin-1) or
    with binary content fails to parse, and so does its operation.

    ## Example
    A line saved in GBK or Latin-1, where a product name holds non-ASCII characters.

    ## Use instead
    Save the manifest as UTF-8 (without a byte-order mark).
    """
    error = ctx.decode_error
    if error is None:
        return
    prefix = ctx.raw[: error.start].decode("utf-8")
    column = len(prefix)
    bad = ctx.raw[error.start : error.end].hex(" ")
    yield Finding(
        f"invalid UTF-8 at byte {error.start + 1} (bytes {bad}): save the manifest as UTF-8",
        Span.on_line(ctx.lineno, column, column + 1),
    )


@rule(
    "ML003",
    "byte-order-mark",
    scope=Scope.TEXT,
    severity=Severity.WARNING,
    fixable=True,
    triggers=[unparsed()],
)
def byte_order_mark(ctx: LineContext) -> Iterator[Finding]:
    """The file starts with a UTF-8 byte-order mark.

    ## What it does
    Reports the invisible byte-order mark (U+FEFF) at the very start of the manifest.

    ## Why is this bad?
    Strict JSON parsers do not accept a byte-order mark, so the first line may fail to parse.

    ## Example
    A manifest saved by an editor as "UTF-8 with BOM".

    ## Use instead
    Save as plain UTF-8.

    ## Fix
    Removes the byte-order mark, and any copies of it that follow (a file saved "with BOM"
    twice starts with two).
    """
    if ctx.has_bom and ctx.text is not None:
        marks = ctx.content_start
        edit = TextEdit(Span(1, 1, 1, marks + 1), "")
        what = "a UTF-8 byte-order mark" if marks == 1 else f"{marks} UTF-8 byte-order marks"
        yield Finding(
            f"the file starts with {what}; strict JSON parsers reject it",
            Span(1, 1, 1, 2),
            fix=Fix("Remove the byte-order mark", (edit,)),
        )


@rule(
    "ML008",
    "blank-line",
    scope=Scope.TEXT,
    severity=Severity.WARNING,
    fixable=True,
    triggers=[unparsed()],
)
def blank_line(ctx: LineContext) -> Iterator[Finding]:
    """A blank line.

    ## What it does
    Reports an empty line, or one holding only white space.

    ## Why is this bad?
    The documentation defines the manifest as one JSON object per line and does not say how
    blank lines are treated; a strict reader counts them as invalid operations.

    ## Example
    A manifest with an empty line between two operations.

    ## Use instead
    Remove the blank line.

    ## Fix
    Deletes the line.
    """
    if ctx.is_blank:
        yield Finding(
            "blank line; every line of the manifest should hold one operation",
            ctx.line_span,
            fix=Fix("Delete the blank line", (ctx.delete_edit(),)),
        )


@rule(
    "ML009",
    "crlf-line-ending",
    scope=Scope.TEXT,
    severity=Severity.WARNING,
    fixable=True,
    triggers=[unparsed(), guarded(Guard.LINE_END)],
)
def crlf_line_ending(ctx: LineContext) -> Iterator[Finding]:
    """A Windows (CRLF) line ending.

    ## What it does
    Reports a line that ends with a carriage return before its newline.

    ## Why is this bad?
    The service's documentation does not say that it accepts CRLF; a reader that splits on the
    newline alone leaves the carriage return in the line.

    ## Example
    A manifest saved on Windows with CRLF line endings.

    ## Use instead
    Save with LF (Unix) line endings.

    ## Fix
    Replaces the CRLF with LF.
    """
    if ctx.ending == b"\r\n" and ctx.text is not None:
        end = len(ctx.text) + 1
        edit = TextEdit(Span(ctx.lineno, end, ctx.lineno + 1, 1), "\n")
        yield Finding(
            "line ends with CRLF; use LF line endings",
            Span(ctx.lineno, end, ctx.lineno, end + 1),
            fix=Fix("Use an LF line ending", (edit,)),
        )


@rule(
    "ML010",
    "trailing-whitespace",
    scope=Scope.TEXT,
    severity=Severity.WARNING,
    fixable=True,
    triggers=[unparsed(), guarded(Guard.LINE_END)],
)
def trailing_whitespace(ctx: LineContext) -> Iterator[Finding]:
    """White space after the end of the JSON object.

    ## What it does
    Reports spaces, tabs or a stray carriage return at the end of a line.

    ## Why is this bad?
    Invisible trailing characters are not documented as accepted and make diffs noisy.

    ## Example
    A line ending in `}   ` instead of `}`.

    ## Use instead
    End the line at the closing brace.

    ## Fix
    Removes the trailing white space.
    """
    text = ctx.text
    if text is None or ctx.is_blank:
        return
    stripped = len(text.rstrip(" \t\r\f\v"))
    if stripped < len(text):
        span = Span(ctx.lineno, stripped + 1, ctx.lineno, len(text) + 1)
        yield Finding(
            f"{len(text) - stripped} trailing white-space character(s)",
            span,
            fix=Fix("Remove trailing white space", (TextEdit(span, ""),)),
        )


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
"""What a lone surrogate is written as on a line that is UTF-8: an escape, since UTF-8 text
cannot hold the code point itself. A pair is two such escapes, which the parser joins."""
_SURROGATE = re.compile("[\ud800-\udfff]")


@rule(
    "ML013",
    "lone-surrogate",
    scope=Scope.TEXT,
    severity=Severity.ERROR,
    triggers=[unparsed()],
)
def lone_surrogate(ctx: LineContext) -> Iterator[Finding]:
    """A string holds an escaped lone surrogate, which UTF-8 cannot encode.

    ## What it does
    Reports a value or key holding an escape such as `\\ud800` that is half of a UTF-16
    surrogate pair without its other half, in any string of the value (`"\\ud83d\\ude00"`, a
    whole pair, is the emoji it stands for, and fine).

    ## Why is this bad?
    JSON's grammar allows the escape, but it stands for no character: the string cannot be
    written as UTF-8, which the service reads, and OSS object keys, PicName among them, are
    UTF-8. Strict parsers reject the line; others replace the character, so that the value
    stored is not the one written.

    ## Example
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "\\ud800"}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "\\ud83d\\ude00"}
    ```
    Write the character that was meant, or its whole surrogate pair.
    """
    text = ctx.text
    if text is None or not _ESCAPED_SURROGATE.search(text):
        return
    for member in ctx.members:
        if _SURROGATE.search(member.key):
            yield Finding(
                f"the key {to_json(member.key)} holds {_first_surrogate(member.key)}, a lone "
                "surrogate, which UTF-8 cannot encode",
                ctx.span(member.key_start, member.key_end),
                key=member.key,
            )
        found = _surrogate_in(member.value)
        if found is not None:
            yield Finding(
                f"{to_json(member.key)[1:-1]} holds {_first_surrogate(found)}, a lone "
                "surrogate, which UTF-8 cannot encode",
                ctx.span(member.value_start, member.value_end),
                key=member.key,
            )


def _surrogate_in(value: object) -> str | None:
    """The first string of ``value``, or of a key in it, that holds a lone surrogate
    (iterative: values nest deeply)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return item
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None


def _first_surrogate(text: str) -> str:
    found = _SURROGATE.search(text)
    assert found is not None
    return f"\\u{ord(found.group()):04x}"
