"""Syntax rules (ML0xx): a line as JSON: one object, nothing before or after it, and only the
numbers JSON has."""

from __future__ import annotations

from collections.abc import Iterator

from metalint.diagnostics import Fix, Severity, Span, TextEdit
from metalint.jsontext import Value, contains_non_finite, parse_values, skip_whitespace, to_json
from metalint.line import LineContext
from metalint.registry import Finding, Scope, rule, unparsed


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
