"""PicName rules (ML12x): the image's OSS object key, relative to the manifest's folder."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from metalint.diagnostics import Fix, Severity, TextEdit
from metalint.jsontext import to_json
from metalint.line import LineContext
from metalint.registry import Finding, Fragment, Scope, rule, schema_errors, unclean

IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "bmp", "gif", "webp", "tiff", "tif", "ppm")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_WINDOWS_ABSOLUTE = re.compile(r"([A-Za-z]:[\\/]|\\\\)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _picname_never(pattern: str) -> Fragment:
    """A clean line's PicName does not match ``pattern``."""
    return {"properties": {"PicName": {"not": {"pattern": pattern}}}}


def _picname(ctx: LineContext) -> str | None:
    value = (ctx.obj or {}).get("PicName")
    return value if isinstance(value, str) and value else None


def extension(pic_name: str) -> str | None:
    """The extension of the last path segment, as written, or None when there is none."""
    last = pic_name.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[1] if "." in last else None


@rule(
    "ML120",
    "picname-extension",
    scope=Scope.FIELDS,
    severity=Severity.ERROR,
    triggers=[schema_errors("pattern")],
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
    name = _picname(ctx)
    if name is None or name.endswith("/"):
        return
    ext = extension(name)
    if ext is None:
        message = f"PicName {to_json(name)} has no file extension"
    elif ext.lower() not in IMAGE_EXTENSIONS:
        message = (
            f"PicName extension {ext!r} is not one the service accepts "
            f"({', '.join(IMAGE_EXTENSIONS)})"
        )
    else:
        return
    yield Finding(message, ctx.value_span("PicName"), key="PicName")


@rule(
    "ML121",
    "picname-slash",
    scope=Scope.FIELDS,
    severity=Severity.ERROR,
    fixable=True,
    triggers=[schema_errors("pattern"), unclean(_picname_never("^/"))],
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
    name = _picname(ctx)
    if name is None:
        return
    if name.startswith("/"):
        fixed = name.lstrip("/")
        fix = None
        if fixed:
            edit = TextEdit(ctx.value_span("PicName"), to_json(fixed))
            fix = Fix("Remove the leading slash", (edit,))
        yield Finding(
            f"PicName {to_json(name)} starts with '/'; it must be "
            "relative to the folder of increment.meta",
            ctx.value_span("PicName"),
            key="PicName",
            fix=fix,
        )
    if name.endswith("/") and name.strip("/"):
        yield Finding(
            f"PicName {to_json(name)} ends with '/': that names a folder, not an image",
            ctx.value_span("PicName"),
            key="PicName",
        )


@rule(
    "ML122",
    "picname-outside-bucket",
    scope=Scope.FIELDS,
    severity=Severity.ERROR,
    triggers=[unclean(_picname_never(r"\.\.|:|^\\\\"))],
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
    name = _picname(ctx)
    if name is None:
        return
    shown = to_json(name)
    span = ctx.value_span("PicName")
    if _SCHEME.match(name):
        scheme = name.split(":", 1)[0]
        yield Finding(
            f"PicName {shown} is a URL ({scheme}://); give the object key relative to the "
            "folder of increment.meta",
            span,
            key="PicName",
        )
    elif _WINDOWS_ABSOLUTE.match(name):
        yield Finding(
            f"PicName {shown} is an absolute Windows path; give the object key relative to "
            "the folder of increment.meta",
            span,
            key="PicName",
        )
    elif ".." in re.split(r"[/\\]", name):
        yield Finding(
            f"PicName {shown} has a '..' segment; images must be inside the folder of "
            "increment.meta",
            span,
            key="PicName",
        )


@rule(
    "ML123",
    "picname-backslash",
    scope=Scope.FIELDS,
    severity=Severity.WARNING,
    triggers=[unclean(_picname_never(r"\\"))],
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
    name = _picname(ctx)
    if name is None or "\\" not in name or _WINDOWS_ABSOLUTE.match(name):
        return
    yield Finding(
        f"PicName {to_json(name)} contains a backslash, which OSS "
        "takes literally; separate folders with '/'",
        ctx.value_span("PicName"),
        key="PicName",
    )


@rule(
    "ML124",
    "picname-invalid-segment",
    scope=Scope.FIELDS,
    severity=Severity.ERROR,
    triggers=[unclean(_picname_never(r"//|[\x00-\x1f\x7f-\x9f]"))],
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
    name = _picname(ctx)
    if name is None:
        return
    shown = json.dumps(name, ensure_ascii=True)
    span = ctx.value_span("PicName")
    if "//" in name.strip("/") and not _SCHEME.match(name):
        yield Finding(f"PicName {shown} has an empty folder segment ('//')", span, key="PicName")
    control = _CONTROL.search(name)
    if control:
        yield Finding(
            f"PicName {shown} contains the control character U+{ord(control.group()):04X}",
            span,
            key="PicName",
        )
