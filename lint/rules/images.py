"""Image rules (ML3xx): finding the image an ADD line names: that it exists under that exact
name, inside the image root, as a regular file that can be read.

Each rule decides from the small, immutable facts the image stage gathered (see
``metalint.images``); the stage attaches the line and the code and the engine the span.
"""

from __future__ import annotations

from metalint.diagnostics import Severity
from metalint.images.model import (
    ImageFacts,
    ImageRef,
    Lookup,
)
from metalint.registry import Scope, rule
from metalint.rules.imagebase import Findings, on_picname
from metalint.service import ServiceProfile


@rule("ML301", "image-not-found", scope=Scope.IMAGE, severity=Severity.ERROR)
def image_not_found(facts: ImageFacts, ref: ImageRef, profile: ServiceProfile) -> Findings:
    """The image an ADD line names does not exist.

    ## What it does
    Looks the PicName up relative to the folder that holds `increment.meta` (or the image root
    given with `images-root`) and reports a name with no file behind it.

    ## Why is this bad?
    The batch task fails the line hours into the import, and the product is added without the
    image.

    ## Example
    The folder holds `increment.meta` and nothing else:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "shoes/red.jpg", "CustomContent": ""}
    ```

    ## Use instead
    Upload `shoes/red.jpg` next to the manifest, or fix the name:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "shoes/red.jpg", "CustomContent": ""}
    ```
    """
    if facts.lookup is Lookup.MISSING:
        suffix = f" ({facts.detail})" if facts.detail else ""
        return (on_picname(f"image {ref.pic_name!r} does not exist{suffix}"),)
    return ()


@rule("ML302", "image-name-case", scope=Scope.IMAGE, severity=Severity.ERROR)
def image_name_case(facts: ImageFacts, ref: ImageRef, profile: ServiceProfile) -> Findings:
    """The image exists only under a name that differs in case.

    ## What it does
    Compares the PicName with the real directory listing, letter case included, even on a file
    system that ignores case.

    ## Why is this bad?
    OSS object keys are case-sensitive: `Shoes/Red.JPG` and `shoes/red.jpg` are two different
    keys, so the service does not find the image although a local check might.

    ## Example
    The image on disk is `shoes/red.jpg`:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "Shoes/Red.JPG", "CustomContent": ""}
    ```

    ## Use instead
    Write the name exactly as the file is named:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "shoes/red.jpg", "CustomContent": ""}
    ```
    """
    if facts.lookup is Lookup.CASE_MISMATCH:
        return (
            on_picname(
                f"image {ref.pic_name!r} exists only as {facts.real_name!r}; "
                "OSS keys are case-sensitive"
            ),
        )
    return ()


@rule("ML312", "image-outside-root", scope=Scope.IMAGE, severity=Severity.ERROR)
def image_outside_root(facts: ImageFacts, ref: ImageRef, profile: ServiceProfile) -> Findings:
    """The PicName leads outside the image root.

    ## What it does
    Reports a PicName that is absolute, contains a `..` segment, or passes through a symbolic
    link that resolves outside the folder of the manifest (or the image root). metalint does not
    follow it.

    ## Why is this bad?
    The service resolves PicName inside the bucket folder only; a local file outside it is not
    what will be uploaded, and a linter must not read arbitrary files on a manifest's say-so.

    ## Example
    `link.jpg` is a symbolic link to `/etc/passwd`:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "link.jpg", "CustomContent": ""}
    ```

    ## Use instead
    Put the image itself in the folder:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "images/a.jpg", "CustomContent": ""}
    ```
    """
    if facts.lookup is Lookup.OUTSIDE_ROOT:
        return (on_picname(f"image {ref.pic_name!r} {facts.detail}; not followed"),)
    return ()


@rule("ML313", "not-a-regular-file", scope=Scope.IMAGE, severity=Severity.ERROR)
def not_a_regular_file(facts: ImageFacts, ref: ImageRef, profile: ServiceProfile) -> Findings:
    """The PicName names a directory, a FIFO, a device or a socket.

    ## What it does
    Reports a PicName whose file is not a regular file; metalint never opens it.

    ## Why is this bad?
    Only regular files can be uploaded as images; reading a FIFO or a device could block or
    never end.

    ## Example
    `a.jpg` is a directory:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": ""}
    ```

    ## Use instead
    Point PicName at the image file inside it:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg/front.jpg", "CustomContent": ""}
    ```
    """
    if facts.lookup is Lookup.NOT_REGULAR:
        return (on_picname(f"image {ref.pic_name!r} is {facts.detail}, not a regular file"),)
    return ()


@rule("ML314", "unreadable-image", scope=Scope.IMAGE, severity=Severity.ERROR)
def unreadable_image(facts: ImageFacts, ref: ImageRef, profile: ServiceProfile) -> Findings:
    """The image exists but cannot be read.

    ## What it does
    Reports an image that the operating system refuses to open or read: missing permissions,
    an I/O error, a folder on the way that cannot be searched.

    ## Why is this bad?
    None of the other image checks can run, and the upload tool will most likely fail the same
    way.

    ## Example
    `a.jpg` has mode `000`:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": ""}
    ```

    ## Use instead
    Make the image readable (`chmod a+r a.jpg`):
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": ""}
    ```
    """
    if facts.lookup is Lookup.UNREADABLE:
        return (on_picname(f"image {ref.pic_name!r} cannot be read: {facts.detail}"),)
    return ()
