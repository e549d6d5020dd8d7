"""PicName rules (ML12x): the image's OSS object key, relative to the manifest's folder.

Each image name of an older line's ``pic_list`` is checked as a PicName is."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import NamedTuple

from metalint.diagnostics import Fix, Severity, Span, TextEdit
from metalint.jsontext import to_json
from metalint.line import LineContext
from metalint.older import OLDER_FORMAT, OLDER_IMAGES
from metalint.registry import Finding, Fragment, Scope, older_format, rule, schema_errors, unclean

IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "bmp", "gif", "webp", "tiff", "tif", "ppm")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_WINDOWS_ABSOLUTE = re.compile(r"([A-Za-z]:[\\/]|\\\\)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _picname_never(pattern: str) -> Fragment:
    """A clean line's PicName does not match ``pattern``."""
    return {"properties": {"PicName": {"not": {"pattern": pattern}}}}


class _Name(NamedTuple):
    """An image name of the line and where it stands."""

    value: str
    span: Span
    key: str
    label: str
    """What the messages call it."""


def _names(ctx: LineContext) -> list[_Name]:
    """The line's PicName, or each image name of an older line's pic_list; empty ones are
    left to the length rule."""
    if ctx.format is OLDER_FORMAT:
        return [
            _Name(e.value, ctx.span(e.start, e.end), OLDER_IMAGES, "pic_list image")
            for e in ctx.elements(OLDER_IMAGES)
            if isinstance(e.value, str) and e.value
        ]
    value = (ctx.obj or {}).get("PicName")
    if not isinstance(value, str) or not value:
        return []
    return [_Name(value, ctx.value_span("PicName"), "PicName", "PicName")]


def extension(pic_name: str) -> str | None:
    """The extension of the last path segment, as written, or None when there is none."""
    last = pic_name.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[1] if "." in last else None


@rule(
    "ML120",
    "picname-extension",
    scope=Scope.FIELDS,
    severity=Severity.ERROR,
    triggers=[schema_errors("pattern"), older_format()],
    blocks_images=True,
)
def picname_extension(ctx: LineContext) -> Iterator[Finding]:
    """PicName has no image file extension, or one the service does not accept.

    ## What it does
    Reports a PicName whose last segment has no extension, or an extension other than png,
    jpg, jpeg, bmp, gif, webp, tiff, tif or ppm (in any case).

    ## Why is this bad?
    Image names must include their file extension (`girl_cloth10.jpg`, not `girl_cloth10`);
    the service does not recognise the object as an image otherwise.

    ## Example
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1006", "PicName": "girlCloth/girl_cloth10", "CustomContent": ""}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1006", "PicName": "girlCloth/girl_cloth10.jpg", "CustomContent": ""}
    ```
    """
    for name in _names(ctx):
        if name.value.endswith("/"):
            continue
        ext = extension(name.value)
        if ext is None:
            message = f"{name.label} {to_json(name.value)} has no file extension"
        elif ext.lower() not in IMAGE_EXTENSIONS:
            message = (
                f"{name.label} extension {ext!r} is not one the service accepts "
                f"({', '.join(IMAGE_EXTENSIONS)})"
            )
        else:
            continue
        yield Finding(message, name.span, key=name.key)


@rule(
    "ML121",
    "picname-slash",
    scope=Scope.FIELDS,
    severity=Severity.ERROR,
    fixable=True,
    triggers=[schema_errors("pattern"), unclean(_picname_never("^/")), older_format()],
    blocks_images=True,
)
def picname_slash(ctx: LineContext) -> Iterator[Finding]:
    """PicName starts or ends with a slash.

    ## What it does
    Reports a leading `/` (PicName is relative to the manifest's folder) and a trailing `/`
    (which names a folder, not an image).

    ## Why is this bad?
    The service looks the image up relative to the task's path; `/girlCloth/a.jpg` is not
    found.

    ## Example
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1006", "PicName": "/girlCloth/girl_cloth10.jpg", "CustomContent": ""}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1006", "PicName": "girlCloth/girl_cloth10.jpg", "CustomContent": ""}
    ```

    ## Fix
    Removes the leading slashes.
    """
    for name in _names(ctx):
        value = name.value
        if value.startswith("/"):
            fixed = value.lstrip("/")
            fix = None
            if fixed:
                fix = Fix("Remove the leading slash", (TextEdit(name.span, to_json(fixed)),))
            yield Finding(
                f"{name.label} {to_json(value)} starts with '/'; it must be "
                "relative to the folder of increment.meta",
                name.span,
                key=name.key,
                fix=fix,
            )
        if value.endswith("/") and value.strip("/"):
            yield Finding(
                f"{name.label} {to_json(value)} ends with '/': that names a folder, not an image",
                name.span,
                key=name.key,
            )


@rule(
    "ML122",
    "picname-outside-bucket",
    scope=Scope.FIELDS,
    severity=Severity.ERROR,
    triggers=[unclean(_picname_never(r"\.\.|:|^\\\\")), older_format()],
    blocks_images=True,
)
def picname_outside_bucket(ctx: LineContext) -> Iterator[Finding]:
    """PicName points outside the manifest's folder.

    ## What it does
    Reports a `..` segment, a URL (`oss://`, `http://`, `https://` or any other scheme) and an
    absolute Windows path (`C:\\images\\a.jpg`).

    ## Why is this bad?
    PicName is an object key in the same bucket, relative to the folder of `increment.meta`.
    A URL or a path that climbs out is not found.

    ## Example
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "oss://bucket/images/a.jpg", "CustomContent": ""}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "images/a.jpg", "CustomContent": ""}
    ```
    """
    for name in _names(ctx):
        value = name.value
        shown = f"{name.label} {to_json(value)}"
        if _SCHEME.match(value):
            scheme = value.split(":", 1)[0]
            yield Finding(
                f"{shown} is a URL ({scheme}://); give the object key relative to the "
                "folder of increment.meta",
                name.span,
                key=name.key,
            )
        elif _WINDOWS_ABSOLUTE.match(value):
            yield Finding(
                f"{shown} is an absolute Windows path; give the object key relative to "
                "the folder of increment.meta",
                name.span,
                key=name.key,
            )
        elif ".." in re.split(r"[/\\]", value):
            yield Finding(
                f"{shown} has a '..' segment; images must be inside the folder of increment.meta",
                name.span,
                key=name.key,
            )


@rule(
    "ML123",
    "picname-backslash",
    scope=Scope.FIELDS,
    severity=Severity.WARNING,
    triggers=[unclean(_picname_never(r"\\")), older_format()],
    blocks_images=True,
)
def picname_backslash(ctx: LineContext) -> Iterator[Finding]:
    """PicName uses backslashes.

    ## What it does
    Reports a backslash in PicName, as in `girlCloth\\girl_cloth10.jpg`.

    ## Why is this bad?
    OSS keys use `/` between folders and take a backslash literally: the key
    `girlCloth\\girl_cloth10.jpg` is a single object name in the top folder, not an image in
    `girlCloth/`.

    ## Example
    A PicName written with Windows separators, `girlCloth\\girl_cloth10.jpg`.

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1006", "PicName": "girlCloth/girl_cloth10.jpg", "CustomContent": ""}
    ```
    """
    for name in _names(ctx):
        if "\\" not in name.value or _WINDOWS_ABSOLUTE.match(name.value):
            continue
        yield Finding(
            f"{name.label} {to_json(name.value)} contains a backslash, which OSS "
            "takes literally; separate folders with '/'",
            name.span,
            key=name.key,
        )


@rule(
    "ML124",
    "picname-invalid-segment",
    scope=Scope.FIELDS,
    severity=Severity.ERROR,
    triggers=[unclean(_picname_never(r"//|[\x00-\x1f\x7f-\x9f]")), older_format()],
    blocks_images=True,
)
def picname_invalid_segment(ctx: LineContext) -> Iterator[Finding]:
    """PicName has an empty folder segment or a control character.

    ## What it does
    Reports `//` inside PicName (an empty folder name) and control characters (tab, newline,
    NUL and the rest of U+0000 to U+001F, U+007F to U+009F).

    ## Why is this bad?
    Such keys are almost always the result of a bug in the script that wrote the manifest, and
    do not name the image that was meant.

    ## Example
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1006", "PicName": "girlCloth//girl_cloth10.jpg", "CustomContent": ""}
    ```

    ## Use instead
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1006", "PicName": "girlCloth/girl_cloth10.jpg", "CustomContent": ""}
    ```
    """
    for name in _names(ctx):
        value = name.value
        shown = f"{name.label} {json.dumps(value, ensure_ascii=True)}"
        if "//" in value.strip("/") and not _SCHEME.match(value):
            yield Finding(f"{shown} has an empty folder segment ('//')", name.span, key=name.key)
        control = _CONTROL.search(value)
        if control:
            yield Finding(
                f"{shown} contains the control character U+{ord(control.group()):04X}",
                name.span,
                key=name.key,
            )
