"""File rules (ML0xx): what is known of a whole manifest: its name, whether it can be read,
whether it holds any operation, and which format its lines are in."""

from __future__ import annotations

from collections.abc import Iterator

from metalint.diagnostics import FILE_SPAN, Severity
from metalint.manifest import MANIFEST_NAME, FileFacts, is_near_miss
from metalint.registry import Finding, Scope, rule


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
