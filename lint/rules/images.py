"""Image rules (ML3xx): what the image an ADD line references must be.

Each rule decides from the small, immutable facts the image stage gathered (see
``metalint.images``); the stage attaches the line and the code and the engine the span.
"""

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
    Lookup,
)
from metalint.registry import Finding, Scope, rule
from metalint.service import ServiceProfile

Findings = tuple[Finding, ...]
"""What an image rule returns: usually nothing, at most a finding or two. A finding's span is
left to the engine, which points at the value of its key."""


def _on_picname(message: str) -> Finding:
    return Finding(message, key="PicName")


_ACCEPTED = "PNG, JPEG, BMP, GIF, WEBP, TIFF or PPM"
_NO_ROTATION = (0, 1)
"""Orientation values that ask for no rotation: 1, and 0, which EXIF leaves undefined and
decoders treat as 1."""


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
        return (_on_picname(f"image {ref.pic_name!r} does not exist{suffix}"),)
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
            _on_picname(
                f"image {ref.pic_name!r} exists only as {facts.real_name!r}; "
                "OSS keys are case-sensitive"
            ),
        )
    return ()


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
            _on_picname(
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
    return (_on_picname(f"image {ref.pic_name!r} is {what}; the service accepts {_ACCEPTED}"),)


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
            _on_picname(
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
        _on_picname(
            f"image {ref.pic_name!r} is {content.width}x{content.height} pixels; the "
            f"{profile.service} service accepts {profile.range_text} on each side"
        ),
    )
    return ()


@rule("ML307", "exif-rotation", scope=Scope.IMAGE, severity=Severity.ERROR, reads_image=True)
def exif_rotation(facts: ImageFacts, ref: ImageRef, profile: ServiceProfile) -> Findings:
    """The image carries EXIF rotation information.

    ## What it does
    Reads the EXIF Orientation tag (JPEG APP1, PNG `eXIf`, WEBP `EXIF`, TIFF IFD0) and reports
    the values 2 to 8, that is, an image meant to be shown rotated or mirrored. The tag is
    read whatever integer type it is stored as (some writers use a signed one), and from the
    entries of an EXIF block that fit in it when the block claims more. Values 0 (undefined
    in EXIF) and 1 ask for no rotation: `exif-orientation-present` (ML308) reports them.

    ## Why is this bad?
    The service requires images without rotation information; it indexes the pixels as stored,
    so a photograph taken sideways is searched sideways.

    ## Example
    `phone.jpg` was taken in portrait and stores Orientation 6 (rotate 90°):
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "phone.jpg", "CustomContent": ""}
    ```

    ## Use instead
    Rotate the pixels and drop the tag (for example `exiftran -ai` or Pillow's
    `ImageOps.exif_transpose`), keeping the name:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "phone.jpg", "CustomContent": ""}
    ```
    """
    content = facts.content
    if content is None or content.orientation is None or content.orientation in _NO_ROTATION:
        return ()
    return (
        _on_picname(
            f"image {ref.pic_name!r} has EXIF Orientation {content.orientation}; the service "
            "requires images without rotation information"
        ),
    )
    return ()


@rule(
    "ML308",
    "exif-orientation-present",
    scope=Scope.IMAGE,
    severity=Severity.WARNING,
    reads_image=True,
)
def exif_orientation_present(facts: ImageFacts, ref: ImageRef, profile: ServiceProfile) -> Findings:
    """The image carries an EXIF Orientation tag, even if it says "no rotation".

    ## What it does
    Reports an Orientation tag whose value is 1 (upright) or 0 (undefined in EXIF; decoders
    show the image as stored, as for 1). Either way the tag is there and asks for no rotation.

    ## Why is this bad?
    The image is displayed correctly, but the service's rule asks for no rotation information
    at all; removing the tag avoids any doubt.

    ## Example
    `upright.jpg` stores Orientation 1:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "upright.jpg", "CustomContent": ""}
    ```

    ## Use instead
    Strip the Orientation tag (for example `exiftool -Orientation= upright.jpg`):
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "upright.jpg", "CustomContent": ""}
    ```
    """
    content = facts.content
    if content is not None and content.orientation in _NO_ROTATION:
        value = content.orientation
        return (_on_picname(f"image {ref.pic_name!r} has an EXIF Orientation tag (value {value})"),)
    return ()


@rule("ML309", "corrupt-image", scope=Scope.IMAGE, severity=Severity.ERROR, reads_image=True)
def corrupt_image(facts: ImageFacts, ref: ImageRef, profile: ServiceProfile) -> Findings:
    """The image is truncated or its structure cannot be parsed.

    ## What it does
    Walks the file's structure without decoding pixels: PNG chunks to `IEND`, JPEG markers and
    the final `EOI`, GIF blocks to the trailer, WEBP and BMP sizes against the file size, TIFF
    strips and offsets, the PPM data length. Before a file is called corrupt from its structure
    alone, Pillow decodes it: an image that Pillow decodes fully is not reported here (at most
    `tolerated-damage`, ML317, names what is wrong with it).

    With `--deep-images` (or `deep-images = true` in the configuration) every image is also
    decoded in full, which finds damage that no header shows: entropy-coded JPEG data that is
    cut or scrambled, a PNG whose image data fails its checksum or does not inflate.

    ## Why is this bad?
    An interrupted upload or copy leaves a file the service cannot decode; the line fails.

    ## Example
    `cut.png` lost its last kilobytes during a copy:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "cut.png", "CustomContent": ""}
    ```

    ## Use instead
    Copy the image again from its source:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "cut.png", "CustomContent": ""}
    ```
    """
    content = facts.content
    if content is None:
        return ()
    if content.corrupt is not None:
        return (_on_picname(f"image {ref.pic_name!r} is corrupt: {content.corrupt}"),)
    if content.undecodable is not None:
        return (
            _on_picname(
                f"image {ref.pic_name!r} is corrupt: its pixels cannot be decoded: "
                f"{content.undecodable}"
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
            _on_picname(
                f"image {ref.pic_name!r} claims {content.width}x{content.height} pixels "
                "in its header: a decompression bomb, not decoded"
            ),
        )
    width, height = content.canvas_width, content.canvas_height
    if width is not None and height is not None and width * height > BOMB_PIXELS:
        return (
            _on_picname(
                f"image {ref.pic_name!r} has an animation frame far outside its "
                f"{content.width}x{content.height} logical screen: decoders grow the canvas to "
                f"{width}x{height} pixels for it, a decompression bomb, not decoded"
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
        return (_on_picname(f"image {ref.pic_name!r} {facts.detail}; not followed"),)
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
        return (_on_picname(f"image {ref.pic_name!r} is {facts.detail}, not a regular file"),)
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
        return (_on_picname(f"image {ref.pic_name!r} cannot be read: {facts.detail}"),)
    return ()


@rule("ML315", "hidden-rotation", scope=Scope.IMAGE, severity=Severity.WARNING, reads_image=True)
def hidden_rotation(facts: ImageFacts, ref: ImageRef, profile: ServiceProfile) -> Findings:
    """The image carries rotation information outside EXIF.

    ## What it does
    Reports an Orientation of 2 to 8 held only in XMP (`tiff:Orientation`, in a PNG `iTXt`
    chunk, a JPEG APP1 segment or a WEBP `XMP` chunk) or in the raw EXIF profile that
    ImageMagick writes into a PNG text chunk (`Raw profile type exif`), for an image whose EXIF
    has no Orientation (that one is `exif-rotation`, ML307).

    ## Why is this bad?
    Most decoders do not look there and show the pixels as stored, but some tools do and
    turn the image: the service's rule asks for no rotation information at all, and which
    way the picture was meant to stand is unclear.

    ## Example
    `scan.png` was written by ImageMagick from a photograph with Orientation 6, which it kept
    as a raw EXIF profile in a text chunk:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "scan.png", "CustomContent": ""}
    ```

    ## Use instead
    Turn the pixels as intended and drop the metadata (for example `magick scan.png
    -auto-orient -strip scan.png`), keeping the name:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "scan.png", "CustomContent": ""}
    ```
    """
    content = facts.content
    if content is None or content.hidden_orientation is None:
        return ()
    if content.hidden_orientation in _NO_ROTATION or content.hidden_orientation > 8:
        return ()
    return (
        _on_picname(
            f"image {ref.pic_name!r} has Orientation {content.hidden_orientation} in "
            f"{content.hidden_in}: rotation information, though not where most decoders look"
        ),
    )


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
            _on_picname(
                f"image {ref.pic_name!r} is a BigTIFF, a TIFF variant that many decoders "
                "do not read"
            ),
        )
    return ()


@rule("ML317", "tolerated-damage", scope=Scope.IMAGE, severity=Severity.WARNING, reads_image=True)
def tolerated_damage(facts: ImageFacts, ref: ImageRef, profile: ServiceProfile) -> Findings:
    """The image is damaged in a way that decoders tolerate.

    ## What it does
    Reports a file whose structure is wrong but which Pillow decodes fully all the same:
    junk bytes between JPEG segments, a segment length a little short, an uncompressed TIFF
    whose strip sizes are wrong although its data is all there. An image that Pillow cannot
    decode is `corrupt-image` (ML309) instead.

    ## Why is this bad?
    libjpeg, libtiff and Pillow skip over the damage, so the service most likely decodes the
    image too; a stricter decoder may not, and the damage often means the file went through
    a faulty tool.

    ## Example
    `a.jpg` has five stray bytes between two of its segments:
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": ""}
    ```

    ## Use instead
    Re-save the image with a sound encoder (for example open and save it with Pillow):
    ```jsonl
    {"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": ""}
    ```
    """
    content = facts.content
    if content is not None and content.damage is not None and content.corrupt is None:
        return (
            _on_picname(
                f"image {ref.pic_name!r} is damaged, though decoders read it: {content.damage}"
            ),
        )
    return ()
