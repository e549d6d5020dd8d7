"""Every format: dimensions and orientation read from the header, damage detected."""

from __future__ import annotations

from pathlib import Path

import pytest
from imagekit import EXIF_FORMATS, EXTENSIONS, FORMATS, bomb_png, codes, encode, run_stage, write

from metalint.images import ImageRef
from metalint.images.header import Source
from metalint.images.readers import read_content

ORIENTATIONS = [None, 1, 2, 3, 4, 5, 6, 7, 8]


@pytest.mark.parametrize("fmt", FORMATS)
def test_sound_image_is_clean(root: Path, fmt: str) -> None:
    write(root, f"a.{EXTENSIONS[fmt]}", encode(fmt, (321, 203)))
    assert run_stage(root, [f"a.{EXTENSIONS[fmt]}"]) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_dimensions_come_from_the_header(fmt: str) -> None:
    content = read_content(Source.of_bytes(encode(fmt, (321, 203))))
    assert (content.format, content.width, content.height) == (fmt, 321, 203)
    assert content.corrupt is None


@pytest.mark.parametrize("orientation", ORIENTATIONS)
@pytest.mark.parametrize("fmt", EXIF_FORMATS)
def test_orientation(root: Path, fmt: str, orientation: int | None) -> None:
    name = f"a.{EXTENSIONS[fmt]}"
    write(root, name, encode(fmt, orientation=orientation))
    found = codes(run_stage(root, [name]))
    if orientation is None:
        assert found == set()
    elif orientation == 1:
        assert found == {"ML308"}
    else:
        assert found == {"ML307"}


@pytest.mark.parametrize("fmt", sorted(set(FORMATS) - set(EXIF_FORMATS)))
def test_formats_without_exif_have_no_orientation(fmt: str) -> None:
    assert read_content(Source.of_bytes(encode(fmt))).orientation is None


def test_rotation_message_names_the_value(root: Path) -> None:
    write(root, "a.jpg", encode("JPEG", orientation=6))
    (finding,) = run_stage(root, ["a.jpg"])
    assert finding.code == "ML307"
    assert "Orientation 6" in finding.message
    assert "'a.jpg'" in finding.message
    assert finding.target == "PicName"


@pytest.mark.parametrize("fmt", FORMATS)
def test_truncated_file_is_corrupt(root: Path, fmt: str) -> None:
    data = encode(fmt, (320, 200))
    write(root, f"a.{EXTENSIONS[fmt]}", data[: len(data) * 2 // 3])
    findings = run_stage(root, [f"a.{EXTENSIONS[fmt]}"])
    assert codes(findings) == {"ML309"}, findings
    assert "truncated" in findings[0].message


@pytest.mark.parametrize("fmt", FORMATS)
def test_file_cut_inside_the_header_is_corrupt(root: Path, fmt: str) -> None:
    write(root, f"a.{EXTENSIONS[fmt]}", encode(fmt)[:12])
    assert codes(run_stage(root, [f"a.{EXTENSIONS[fmt]}"])) == {"ML309"}


def _damage(fmt: str, data: bytes) -> bytes:
    """``data`` with its header broken in a way particular to ``fmt``."""
    raw = bytearray(data)
    if fmt == "PNG":
        raw[20] ^= 0xFF  # the IHDR checksum no longer matches
    elif fmt == "JPEG":
        start = data.index(b"\xff\xc0")
        raw[start + 1] = 0xFE  # the frame header becomes a comment: no SOF
    elif fmt == "GIF":
        # An LZW code size past 12 bits (Pillow grows a 0x0 logical screen to the frame, so
        # that is no damage to a decoder).
        raw[13 + 3 * 2 ** ((data[10] & 7) + 1) + 10] = 13
    elif fmt == "BMP":
        raw[14:18] = (99).to_bytes(4, "little")  # an unknown DIB header size
    elif fmt == "TIFF":
        raw[4:8] = (len(data) + 10).to_bytes(4, "little" if data[:2] == b"II" else "big")
    elif fmt == "WEBP":
        chunk = data.index(b"VP8")
        raw[chunk : chunk + 4] = b"XXXX"  # no image chunk left
    elif fmt == "PPM":
        raw[:2] = b"P6"
        raw[data.index(b"255")] = ord("x")  # the maximum value is not a number
    return bytes(raw)


@pytest.mark.parametrize("fmt", FORMATS)
def test_broken_header_is_corrupt(root: Path, fmt: str) -> None:
    write(root, f"a.{EXTENSIONS[fmt]}", _damage(fmt, encode(fmt)))
    assert codes(run_stage(root, [f"a.{EXTENSIONS[fmt]}"])) == {"ML309"}


def test_empty_file_is_corrupt(root: Path) -> None:
    write(root, "a.png", b"")
    findings = run_stage(root, ["a.png"])
    assert codes(findings) == {"ML309"}
    assert "empty" in findings[0].message


def test_png_bomb_is_reported_from_the_header(root: Path) -> None:
    write(root, "bomb.png", bomb_png())
    findings = run_stage(root, ["bomb.png"])
    assert {"ML311", "ML306"} <= codes(findings)
    bomb = next(f for f in findings if f.code == "ML311")
    assert "100000x100000" in bomb.message


def test_large_but_plausible_image_is_no_bomb(root: Path) -> None:
    write(root, "big.png", bomb_png(9000, 9000))
    assert codes(run_stage(root, ["big.png"])) == {"ML306"}


@pytest.mark.parametrize(
    ("head", "what"),
    [
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "HEIC"),
        (b"%PDF-1.7\n", "PDF"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "SVG"),
        (b"hello, world", "not a recognised image format"),
    ],
)
def test_unsupported_format(root: Path, head: bytes, what: str) -> None:
    write(root, "a.jpg", head + bytes(100))
    findings = run_stage(root, ["a.jpg"])
    assert codes(findings) == {"ML304"}
    assert what in findings[0].message


@pytest.mark.parametrize("fmt", FORMATS)
def test_extension_disagreeing_with_content(root: Path, fmt: str) -> None:
    other = "png" if fmt != "PNG" else "jpg"
    write(root, f"a.{other}", encode(fmt))
    findings = run_stage(root, [f"a.{other}"])
    assert codes(findings) == {"ML305"}
    assert fmt in findings[0].message


@pytest.mark.parametrize("name", ["a.JPG", "a.jpeg", "a.Jpeg"])
def test_extension_spellings_of_jpeg_agree(root: Path, name: str) -> None:
    write(root, name, encode("JPEG"))
    assert run_stage(root, [name]) == []


@pytest.mark.parametrize(
    ("region", "outside"),
    [
        ((0, 320, 0, 200), False),
        ((10, 300, 20, 190), False),
        ((0, 321, 0, 200), True),
        ((0, 320, 0, 201), True),
        ((320, 330, 0, 10), True),
    ],
)
def test_region_against_the_image(
    root: Path, region: tuple[int, int, int, int], outside: bool
) -> None:
    write(root, "a.png", encode("PNG", (320, 200)))
    findings = run_stage(root, [ImageRef(1, "a.png", region)])
    if outside:
        assert [(f.code, f.target) for f in findings] == [("ML310", "Region")]
        assert "320x200" in findings[0].message
    else:
        assert findings == []


def test_jpeg_with_a_trailer_after_its_end_is_sound(root: Path) -> None:
    write(root, "a.jpg", encode("JPEG") + b"SEFT" + bytes(20_000))
    assert run_stage(root, ["a.jpg"]) == []


def test_gif_padded_after_its_trailer_is_sound(root: Path) -> None:
    write(root, "a.gif", encode("GIF") + bytes(16))
    assert run_stage(root, ["a.gif"]) == []


def test_truncated_jpeg_is_caught_despite_its_exif_thumbnail(root: Path) -> None:
    """The thumbnail in APP1 ends with its own FFD9; only the bytes after the SOS count."""
    import io

    import piexif
    from PIL import Image

    thumbnail = encode("JPEG", (40, 30))
    exif = piexif.dump(
        {"0th": {}, "1st": {piexif.ImageIFD.XResolution: (72, 1)}, "thumbnail": thumbnail}
    )
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (1, 2, 3)).save(buffer, "JPEG", exif=exif)
    data = buffer.getvalue()
    write(root, "a.jpg", data[: len(data) - 100])
    assert codes(run_stage(root, ["a.jpg"])) == {"ML309"}


def test_exif_orientation_agrees_with_piexif() -> None:
    """piexif as the oracle for the EXIF blobs the header readers decode themselves."""
    import piexif

    from metalint.images.tiff import exif_orientation

    for orientation in range(1, 9):
        for order in ("<", ">"):
            blob = piexif.dump({"0th": {piexif.ImageIFD.Orientation: orientation}})
            if order == ">":
                blob = _big_endian_exif(orientation)
            expected = piexif.load(blob)["0th"][piexif.ImageIFD.Orientation]
            assert exif_orientation(blob) == expected == orientation


def _big_endian_exif(orientation: int) -> bytes:
    import struct

    entry = struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0)
    return b"Exif\x00\x00MM\x00*" + struct.pack(">IH", 8, 1) + entry + struct.pack(">I", 0)
