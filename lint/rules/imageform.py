"""Image rules (ML3xx): what the image is: its size on disk, its format and the extension that
names it, its resolution, the Region inside it, its pixel count, and BigTIFF."""

from __future__ import annotations

from metalint.diagnostics import Severity
from metalint.images.model import (
    BOMB_PIXELS,
    EXTENSION_FORMATS,
    FAMILIES,
    MAX_BYTES,
    SUPPORTED_FORMATS,
    ImageFacts,
    ImageRef,
)
from metalint.registry import Finding, Scope, rule
from metalint.rules.imagebase import Findings, on_picname
from metalint.service import ServiceProfile

_ACCEPTED = "PNG, JPEG, BMP, GIF, WEBP, TIFF or PPM"


@rule("ML303", "image-too-large", scope=Scope.IMAGE, severity=Severity.ERROR)
def image_too_large(facts: ImageFacts, ref: ImageRef, profile: ServiceProfile) -> Findings:
    """The image file is larger than 4 MB.

    ## What it does
    Reports an image file over 4,194,304 bytes.

    ## Why is this bad?
    The service refuses images larger than 4 MB; the line fails during the import.

    ## Example
    `big.jpg` is a 6 MB photograph straight from a camera:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "big.jpg", "CustomContent": ""}
    ```

    ## Use instead
    Re-encode or scale the image below 4 MB and keep the name:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "big.jpg", "CustomContent": ""}
    ```
    """
    if facts.size is not None and facts.size > MAX_BYTES:
        return (
            on_picname(
                f"image {ref.pic_name!r} is {facts.size:,} bytes; "
                f"the limit is {MAX_BYTES:,} bytes (4 MB)"
            ),
        )
    return ()


@rule(
    "ML304",
    "unsupported-image-format",
    scope=Scope.IMAGE,
    severity=Severity.ERROR,
    reads_image=True,
)
def unsupported_image_format(facts: ImageFacts, ref: ImageRef, profile: ServiceProfile) -> Findings:
    """The file's content is not an image format the service accepts.

    ## What it does
    Reads the format from the first bytes of the file (its magic number), whatever the
    extension says, and reports anything but PNG, JPEG, BMP, GIF, WEBP, TIFF or PPM.

    ## Why is this bad?
    The service cannot decode other formats (HEIC, AVIF, SVG, PDF...); renaming a file does not
    convert it.

    ## Example
    `photo.jpg` is really an HEIC file from a phone:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "photo.jpg", "CustomContent": ""}
    ```

    ## Use instead
    Convert the image to JPEG (or another accepted format):
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "photo.jpg", "CustomContent": ""}
    ```
    """
    content = facts.content
    if content is None or content.format in SUPPORTED_FORMATS:
        return ()
    if content.format is None and content.corrupt is not None:
        return ()  # an empty file: corrupt-image says so
    what = content.format or "not a recognised image format"
    return (on_picname(f"image {ref.pic_name!r} is {what}; the service accepts {_ACCEPTED}"),)


@rule("ML305", "extension-mismatch", scope=Scope.IMAGE, severity=Severity.WARNING, reads_image=True)
def extension_mismatch(facts: ImageFacts, ref: ImageRef, profile: ServiceProfile) -> Findings:
    """The extension of the PicName disagrees with the image's real format.

    ## What it does
    Compares the extension with the format read from the content: PNG bytes in `a.jpg`.

    ## Why is this bad?
    The service decodes by content and will usually accept the image, but tools that trust the
    extension (CDNs, browsers, other pipelines) may not, and the mistake hides a conversion
    that never happened.

    ## Example
    `a.jpg` holds a PNG image:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": ""}
    ```

    ## Use instead
    Name the file after its format (or convert it):
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.png", "CustomContent": ""}
    ```
    """
    content = facts.content
    if content is None or content.format not in SUPPORTED_FORMATS:
        return ()
    name = (facts.real_name or ref.pic_name).rpartition("/")[2]
    extension = name.rpartition(".")[2] if "." in name else ""
    promised = EXTENSION_FORMATS.get(extension.lower())
    if promised is not None and promised != FAMILIES.get(content.format, content.format):
        return (
            on_picname(
                f"image {ref.pic_name!r} has the extension .{extension} but holds a "
                f"{content.format} image"
            ),
        )
    return ()


@rule(
    "ML306", "resolution-out-of-range", scope=Scope.IMAGE, severity=Severity.ERROR, reads_image=True
)
def resolution_out_of_range(facts: ImageFacts, ref: ImageRef, profile: ServiceProfile) -> Findings:
    """The image's width or height is outside the range the service type accepts.

    ## What it does
    Reads the dimensions from the header and checks both sides against the service type:
    100 to 4096 pixels for product, generic, furniture and hardware; 200 to below 4096 for
    trademark; 448 to 4096 for cloth.

    ## Why is this bad?
    The service refuses the image and the line fails during the import.

    ## Example
    `thumb.jpg` is 64x64 pixels:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "thumb.jpg", "CustomContent": ""}
    ```

    ## Use instead
    Use the full-size image, 100 pixels or more on each side:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "full.jpg", "CustomContent": ""}
    ```
    """
    content = facts.content
    if content is None or content.width is None or content.height is None:
        return ()
    if profile.side_ok(content.width) and profile.side_ok(content.height):
        return ()
    return (
        on_picname(
            f"image {ref.pic_name!r} is {content.width}x{content.height} pixels; the "
            f"{profile.service} service accepts {profile.range_text} on each side"
        ),
    )
    return ()


@rule("ML310", "region-outside-image", scope=Scope.IMAGE, severity=Severity.ERROR, reads_image=True)
def region_outside_image(facts: ImageFacts, ref: ImageRef, profile: ServiceProfile) -> Findings:
    """The Region extends beyond the image.

    ## What it does
    Compares the Region `x1,x2,y1,y2` with the image's width and height from its header.

    ## Why is this bad?
    The service cannot crop outside the image; the subject it should index is not where the
    Region says.

    ## Example
    `a.jpg` is 800x600 pixels:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "", "Region": "0,900,0,500"}
    ```

    ## Use instead
    Keep the Region inside the image:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "", "Region": "0,800,0,500"}
    ```
    """
    content = facts.content
    if ref.region is None or content is None or content.width is None or content.height is None:
        return ()
    x1, x2, y1, y2 = ref.region
    if x2 > content.width or y2 > content.height or x1 >= content.width or y1 >= content.height:
        return (
            Finding(
                f"Region {x1},{x2},{y1},{y2} lies outside the {content.width}x{content.height} "
                f"image {ref.pic_name!r}",
                key="Region",
            ),
        )
    return ()


@rule("ML311", "decompression-bomb", scope=Scope.IMAGE, severity=Severity.ERROR, reads_image=True)
def decompression_bomb(facts: ImageFacts, ref: ImageRef, profile: ServiceProfile) -> Findings:
    """The image header claims enormous dimensions.

    ## What it does
    Reports, from the header alone and without decoding anything, an image claiming more than
    89,478,485 pixels (Pillow's decompression-bomb threshold).

    A GIF animation frame placed far outside the logical screen counts too, when the canvas
    that holds every frame passes the threshold: decoders (Pillow among them) grow the canvas
    to hold such a frame, so a small file decodes to gigapixels. A frame a little outside the
    screen is left alone: decoders either clip it or grow the canvas by that little, and the
    size checked against the service's range stays the logical screen's.

    ## Why is this bad?
    A small file that decodes to gigabytes of pixels exhausts the memory of whatever decodes it;
    it is either corrupt or hostile, and far beyond what the service accepts.

    ## Example
    `tiny.png` is 200 bytes whose header claims 100000x100000 pixels:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "tiny.png", "CustomContent": ""}
    ```

    ## Use instead
    Replace it with a real image within the service's resolution range:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "real.png", "CustomContent": ""}
    ```
    """
    content = facts.content
    if content is None or content.width is None or content.height is None:
        return ()
    if content.width * content.height > BOMB_PIXELS:
        return (
            on_picname(
                f"image {ref.pic_name!r} claims {content.width}x{content.height} pixels "
                "in its header: a decompression bomb, not decoded"
            ),
        )
    width, height = content.canvas_width, content.canvas_height
    if width is not None and height is not None and width * height > BOMB_PIXELS:
        return (
            on_picname(
                f"image {ref.pic_name!r} has an animation frame far outside its "
                f"{content.width}x{content.height} logical screen: decoders grow the canvas to "
                f"{width}x{height} pixels for it, a decompression bomb, not decoded"
            ),
        )
    return ()


@rule("ML316", "bigtiff", scope=Scope.IMAGE, severity=Severity.WARNING, reads_image=True)
def bigtiff(facts: ImageFacts, ref: ImageRef, profile: ServiceProfile) -> Findings:
    """The image is a BigTIFF.

    ## What it does
    Reports a TIFF file in the BigTIFF variant (64-bit offsets, magic number 43). Its size,
    orientation and data are checked as for any TIFF.

    ## Why is this bad?
    Pillow and libtiff read it, but many decoders do not: whether the service does is not
    documented.

    ## Example
    `scan.tif` was written by a scanner as BigTIFF:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "scan.tif", "CustomContent": ""}
    ```

    ## Use instead
    Save the image as a classic TIFF (`tiffcp scan.tif classic.tif` writes one unless given
    `-8`), or as PNG or JPEG, keeping the name:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "scan.tif", "CustomContent": ""}
    ```
    """
    content = facts.content
    if content is not None and content.format == "BigTIFF":
        return (
            on_picname(
                f"image {ref.pic_name!r} is a BigTIFF, a TIFF variant that many decoders "
                "do not read"
            ),
        )
    return ()
