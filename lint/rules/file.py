"""File and text rules (ML0xx): the name, the encoding, line endings and JSON syntax."""

from __future__ import annotations

import re
from collections.abc import Iterator

from metalint.diagnostics import FILE_SPAN, Fix, Severity, Span, TextEdit
from metalint.jsontext import Value, contains_non_finite, parse_values, skip_whitespace, to_json
from metalint.line import LineContext
from metalint.manifest import MANIFEST_NAME, FileFacts, is_near_miss
from metalint.registry import Finding, Guard, Scope, guarded, rule, unparsed


@rule("ML001", "file-name", scope=Scope.FILE, severity=Severity.ERROR)
def file_name(facts: FileFacts) -> Iterator[Finding]:
    """The manifest is not named exactly `increment.meta`.

    ## What it does
    Reports a manifest linted under another name, and files in a linted folder whose names are
    near misses of `increment.meta` (`Increment.meta`, `increment.meta.txt`, `increment.json`).

    ## Why is this bad?
    The batch task looks for a file named exactly `increment.meta` (the name is case-sensitive);
    a manifest under any other name is never read, so nothing is imported.

    ## Example
    A manifest saved as `Increment.meta` or `increment.json`.

    ## Use instead
    Rename the file to `increment.meta`, next to the images it references.
    """
    if facts.name == MANIFEST_NAME or facts.unreadable is not None:
        return
    if facts.explicit:
        yield Finding(
            f"file is named {facts.name!r}; the batch task only reads a file named "
            f"'{MANIFEST_NAME}'",
            FILE_SPAN,
        )
    elif is_near_miss(facts.name):
        yield Finding(
            f"{facts.name!r} looks like a manifest but the batch task only reads a file named "
            f"'{MANIFEST_NAME}'; rename it",
            FILE_SPAN,
        )


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
    "ML004",
    "multiple-values",
    scope=Scope.TEXT,
    severity=Severity.ERROR,
    fixable=True,
    triggers=[unparsed()],
)
def multiple_values(ctx: LineContext) -> Iterator[Finding]:
    """Several JSON values on one line, or a comma after the line's object.

    ## What it does
    Reports a line holding two or more operations: objects side by side (`{...}{...}`),
    separated by commas (`{...},{...}`) or wrapped in an array (`[{...},{...}]`); and a comma
    after the line's object (`{...},`), the one-object form of `{...},{...}`.

    ## Why is this bad?
    The manifest holds one JSON object per line. Several entries on one line make the whole
    operation fail, and a line that goes on after its object with a comma is no JSON object
    either: a strict parser rejects it.

    ## Example
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1"}{"OperationType": "DELETE", "ProductId": "2"}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1"}
    {"OperationType": "DELETE", "ProductId": "2"}
    ```

    ## Fix
    Puts each object on a line of its own (offered when every value is an object), and
    removes a comma after the last value.
    """
    text = ctx.text
    values = ctx.values
    if text is None or not values:
        return
    # A comma after the last value leaves as many separators as values (anything else after
    # it would be a syntax problem).
    comma = None
    if ctx.syntax_problem is None and len(ctx.separators) == len(values):
        comma = skip_whitespace(text, values[-1].end)
    parts: list[str] | None = None
    if len(values) > 1:
        parts = [text[v.start : v.end] for v in values]
        if not all(isinstance(v.value, dict) for v in values):
            parts = None
        where = Span.on_line(ctx.lineno, values[1].start, values[-1].end)
        message = f"{len(values)} JSON values on one line; put each operation on a line of its own"
    elif (
        ctx.syntax_problem is None
        and isinstance(values[0].value, list)
        and len(values[0].value) > 1
        and all(isinstance(v, dict) for v in values[0].value)
    ):
        array = values[0]
        parts = _element_texts(text, array.start, array.end) or [to_json(v) for v in array.value]
        where = Span.on_line(ctx.lineno, array.start, array.end)
        message = (
            f"an array of {len(array.value)} objects on one line; put each operation on a "
            "line of its own"
        )
    elif comma is not None:
        yield _comma_after(ctx, values[0], comma)
        return
    else:
        return
    fix = None
    if parts is not None:
        # The split takes a comma after the last value with it: left, it would end the last
        # line the split makes.
        end = values[-1].end if comma is None else comma + 1
        whole = Span.on_line(ctx.lineno, values[0].start, end)
        fix = Fix("Split into one object per line", (TextEdit(whole, "\n".join(parts)),))
    yield Finding(message, where, fix=fix)


def _comma_after(ctx: LineContext, value: Value, comma: int) -> Finding:
    what = "object" if isinstance(value.value, dict) else "value"
    # Only what follows the value goes, so that the fixes of its members do not overlap.
    after = Span.on_line(ctx.lineno, value.end, comma + 1)
    return Finding(
        f"a comma after the line's {what}: a line holds one object and nothing after it",
        Span.on_line(ctx.lineno, comma, comma + 1),
        fix=Fix("Remove the comma", (TextEdit(after, ""),)),
    )


def _element_texts(text: str, start: int, end: int) -> list[str] | None:
    """The source text of each element of the array at ``start:end``, as written."""
    inner = text[start + 1 : end - 1]
    values, separators, problem = parse_values(inner, 0)
    if problem is not None or any(s != "," for s in separators):
        return None
    return [inner[v.start : v.end] for v in values]


@rule(
    "ML005",
    "invalid-json",
    scope=Scope.TEXT,
    severity=Severity.ERROR,
    triggers=[unparsed()],
)
def invalid_json(ctx: LineContext) -> Iterator[Finding]:
    """The line is not valid JSON.

    ## What it does
    Reports the first JSON syntax error of a line, at the column where parsing stopped.

    ## Why is this bad?
    A line that does not parse is an operation the service cannot perform: the image is not
    imported (or not deleted).

    ## Example
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1005",}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1005"}
    ```
    """
    problem = ctx.syntax_problem
    if problem is None or ctx.text is None:
        return
    text = ctx.text
    found = repr(text[problem.offset]) if problem.offset < len(text) else "end of line"
    yield Finding(
        f"invalid JSON: {problem.message} (found {found})",
        Span.on_line(ctx.lineno, problem.offset, problem.offset + 1),
    )


@rule(
    "ML006",
    "not-an-object",
    scope=Scope.TEXT,
    severity=Severity.ERROR,
    triggers=[unparsed()],
)
def not_an_object(ctx: LineContext) -> Iterator[Finding]:
    """The line is JSON, but not an object.

    ## What it does
    Reports a line whose value is an array, a string, a number, `true`, `false` or `null`.

    ## Why is this bad?
    Every line describes one operation as a JSON object with OperationType, ProductId and the
    other fields; any other value is rejected.

    ## Example
    ```jsonl
    ["ADD", "1000", "girl_cloth1.jpg"]
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1000", "PicName": "girl_cloth1.jpg", "CustomContent": ""}
    ```
    """
    if ctx.syntax_problem is not None or len(ctx.values) != 1:
        return
    only = ctx.values[0]
    if isinstance(only.value, dict):
        return
    several = isinstance(only.value, list) and len(only.value) > 1
    if several and all(isinstance(v, dict) for v in only.value):
        return  # several objects: multiple-values says it better
    kind = _json_kind(only.value)
    yield Finding(
        f"the line is {kind}, not a JSON object: each line must be one object",
        Span.on_line(ctx.lineno, only.start, only.end),
    )


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"


@rule(
    "ML007",
    "non-finite-number",
    scope=Scope.TEXT,
    severity=Severity.ERROR,
    triggers=[unparsed()],
)
def non_finite_number(ctx: LineContext) -> Iterator[Finding]:
    """`NaN`, `Infinity` or `-Infinity` on a line.

    ## What it does
    Reports the non-standard number literals that some JSON writers emit.

    ## Why is this bad?
    JSON has no such numbers; strict parsers, the service's among them, reject the whole line.

    ## Example
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "", "IntAttr": NaN}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": ""}
    ```
    """
    if ctx.object_value is None:
        return
    for member in ctx.members:
        if contains_non_finite(member.value):
            source = (ctx.text or "")[member.value_start : member.value_end]
            why = (
                "which is not a JSON number"
                if any(word in source for word in ("NaN", "Infinity"))
                else "a number too large for any parser: it becomes infinity"
            )
            yield Finding(
                f"{member.key} is {source}, {why}",
                ctx.span(member.value_start, member.value_end),
                key=member.key,
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


@rule("ML011", "no-operations", scope=Scope.FILE, severity=Severity.WARNING)
def no_operations(facts: FileFacts) -> Iterator[Finding]:
    """The manifest holds no ADD or DELETE operation.

    ## What it does
    Reports an empty manifest, or one in which no line is a recognisable ADD or DELETE.

    ## Why is this bad?
    A batch task over such a file does nothing, which is rarely what was meant.

    ## Example
    An empty `increment.meta`.

    ## Use instead
    ```jsonl
    {"OperationType": "DELETE", "ProductId": "1005"}
    ```
    """
    if not facts.linted or facts.operations:
        return
    if not facts.has_content:
        yield Finding("the manifest is empty: the batch task would do nothing", FILE_SPAN)
    else:
        yield Finding(
            "no line is an ADD or DELETE operation: the batch task would do nothing", FILE_SPAN
        )


@rule("ML014", "older-format", scope=Scope.FILE, severity=Severity.WARNING)
def older_format(facts: FileFacts) -> Iterator[Finding]:
    """The manifest is written in the service's older format.

    ## What it does
    Reports, once for the whole file, a manifest whose lines are all in the older format:
    `operator`, `item_id`, `cat_id`, `cust_content`, `pic_list` (one line per product, with
    all of its images), `int_attr` and `str_attr`. Its lines are linted by that format's own
    rules (`schema/increment-line-older.schema.json`): the same value rules as their
    counterparts in the current format, every image of `pic_list` checked like an ADD's
    image, and duplicates and conflicts found between (`item_id`, image) pairs.

    ## Why is this bad?
    What is known: Alibaba Cloud's own open-source manifest generator writes this format,
    public posts show it importing as late as 2020, and the service's current error list still
    names its fields (`NoPicList`, `InvalidPicList`, `NoSpecifiedItemId`). Where the evidence
    ends: the current documentation shows only the current keys, so nothing says how long the
    service will read the older ones, nor what limits it applies to them; metalint holds each
    older key to the limits of its current counterpart.

    ## Example
    ```jsonl
    {"operator": "ADD", "item_id": "1000", "cat_id": 0, "cust_content": "k1:v1", "pic_list": ["girl_cloth1.jpg", "girl_cloth2.jpg"]}
    ```

    ## Use instead
    Run `metalint migrate increment.meta` (with `--diff` to see the change first): one line per
    image, in the current format.
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1000", "PicName": "girl_cloth1.jpg", "CustomContent": "k1:v1", "CategoryId": 0}
    {"OperationType": "ADD", "ProductId": "1000", "PicName": "girl_cloth2.jpg", "CustomContent": "k1:v1", "CategoryId": 0}
    ```
    """
    if facts.older_lines and not facts.current_lines:
        lines = "1 line" if facts.older_lines == 1 else f"{facts.older_lines} lines"
        yield Finding(
            f"the manifest is in the service's older format ({lines} of 'operator', "
            "'item_id', 'pic_list', ...), which the current documentation no longer shows; "
            "'metalint migrate' rewrites it in the current format",
            FILE_SPAN,
        )


@rule("ML015", "mixed-format-file", scope=Scope.FILE, severity=Severity.WARNING)
def mixed_format_file(facts: FileFacts) -> Iterator[Finding]:
    """The manifest has lines of the older format and lines of the current one.

    ## What it does
    Reports, once for the whole file, a manifest in which some lines use the older keys
    (`operator`, `item_id`, `pic_list`, ...) and others the current ones (`OperationType`,
    `ProductId`, `PicName`, ...), and names the first line of each. Every line is linted by the
    rules of its own format; a single line that mixes the two is `mixed-format` (ML111).

    ## Why is this bad?
    Nothing documents a manifest that mixes the formats: the current documentation shows only
    the current one, and whether the service reads the format line by line or from the first
    line is not known. A mix is usually two exports joined together.

    ## Example
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1000", "PicName": "girl_cloth1.jpg", "CustomContent": ""}
    {"operator": "DELETE", "item_id": "1005"}
    ```

    ## Use instead
    Run `metalint migrate increment.meta`, which rewrites the older lines and leaves the
    others as they are.
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1000", "PicName": "girl_cloth1.jpg", "CustomContent": ""}
    {"OperationType": "DELETE", "ProductId": "1005"}
    ```
    """
    if facts.older_lines and facts.current_lines:
        yield Finding(
            f"the manifest mixes the two formats: line {facts.first_older} is in the older "
            f"format ({facts.older_lines} in all), line {facts.first_current} in the current "
            f"one ({facts.current_lines} in all); 'metalint migrate' rewrites the older lines",
            FILE_SPAN,
        )


@rule("ML012", "unreadable-file", scope=Scope.FILE, severity=Severity.ERROR)
def unreadable_file(facts: FileFacts) -> Iterator[Finding]:
    """The manifest cannot be read.

    ## What it does
    Reports a manifest path that is not a regular file (a folder, a FIFO, a device) or that
    cannot be opened (no permission, an I/O error). The engine reports it directly, before any
    line is read; nothing in a readable file triggers it.

    ## Why is this bad?
    Nothing in it can be checked, and the batch task cannot read it either.

    ## Example
    An `increment.meta` without read permission.

    ## Use instead
    Make the manifest a readable regular file.
    """
    if facts.unreadable is not None:
        yield Finding(f"cannot read the manifest: {facts.unreadable}", FILE_SPAN)
