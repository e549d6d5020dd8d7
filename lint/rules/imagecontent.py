"""Image rules (ML3xx): the image's data: EXIF rotation and orientation, hidden rotation,
corruption and tolerated damage."""

from __future__ import annotations

from metalint.diagnostics import Severity
from metalint.images.model import (
    ImageFacts,
    ImageRef,
)
from metalint.registry import Scope, rule
from metalint.rules.imagebase import NO_ROTATION, Findings, on_picname
from metalint.service import ServiceProfile


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
    if content is None or content.orientation is None or content.orientation in NO_ROTATION:
        return ()
    return (
        on_picname(
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
    if content is not None and content.orientation in NO_ROTATION:
        value = content.orientation
        return (on_picname(f"image {ref.pic_name!r} has an EXIF Orientation tag (value {value})"),)
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
        return (on_picname(f"image {ref.pic_name!r} is corrupt: {content.corrupt}"),)
    if content.undecodable is not None:
        return (
            on_picname(
                f"image {ref.pic_name!r} is corrupt: its pixels cannot be decoded: "
                f"{content.undecodable}"
            ),
        )
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
    if content.hidden_orientation in NO_ROTATION or content.hidden_orientation > 8:
        return ()
    return (
        on_picname(
            f"image {ref.pic_name!r} has Orientation {content.hidden_orientation} in "
            f"{content.hidden_in}: rotation information, though not where most decoders look"
        ),
    )


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
            on_picname(
                f"image {ref.pic_name!r} is damaged, though decoders read it: {content.damage}"
            ),
        )
    return ()
