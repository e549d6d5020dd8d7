"""Shapes of file met in real-world images (a comparison with Pillow and piexif on outside
samples found them), each rebuilt here from generated images: what metalint reports for them,
with Pillow as the oracle where it has an answer."""

from __future__ import annotations

import io
from pathlib import Path

import piexif
import pytest
from imagekit import (
    codes,
    encode,
    exif_claiming_entries,
    gif_with_frame_at,
    jpeg_with_exif,
    jpeg_with_segment,
    png_text,
    png_with_chunk,
    raw_profile_exif,
    run_stage,
    short_segment,
    tiff_file,
    write,
    xmp_packet,
)
from PIL import Image

from metalint.images.header import Source
from metalint.images.readers import read_content


def _pillow(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# -- JPEG --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "segment",
    [
        b"hello",
        short_segment(0xED, b"Photoshop 3.0\x00" + bytes(40), short_by=1),
        short_segment(0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x01", short_by=3),
    ],
    ids=["junk-between-segments", "short-app13", "short-app14"],
)
def test_jpeg_damage_that_libjpeg_skips_is_a_warning(root: Path, segment: bytes) -> None:
    data = jpeg_with_segment(encode("JPEG"), segment)
    assert _pillow(data).size == (320, 200)
    content = read_content(Source.of_bytes(data))
    assert (content.width, content.height, content.corrupt) == (320, 200, None)
    write(root, "a.jpg", data)
    findings = run_stage(root, ["a.jpg"])
    assert codes(findings) == {"ML317"}
    assert "junk before the marker" in findings[0].message


def test_jpeg_junk_that_pillow_cannot_decode_past_is_corrupt(root: Path) -> None:
    data = encode("JPEG")
    sos = data.index(b"\xff\xda")
    write(root, "a.jpg", jpeg_with_segment(data[:sos], b"hello") + b"\xff\xd9")
    assert codes(run_stage(root, ["a.jpg"])) == {"ML309"}


def test_exif_claiming_more_entries_than_fit_keeps_those_that_do(root: Path) -> None:
    data = jpeg_with_exif(exif_claiming_entries(1, claimed=40))
    assert _pillow(data).getexif()[0x0112] == 1
    write(root, "a.jpg", data)
    assert codes(run_stage(root, ["a.jpg"])) == {"ML308"}


def test_orientation_zero_is_a_warning_like_one(root: Path) -> None:
    write(root, "a.jpg", encode("JPEG", orientation=0))
    findings = run_stage(root, ["a.jpg"])
    assert codes(findings) == {"ML308"}
    assert "value 0" in findings[0].message


# -- GIF ---------------------------------------------------------------------------------------


def test_gif_under_64_bytes_with_its_trailer_is_sound() -> None:
    # Written by hand: how small Pillow's own GIF comes out depends on its version.
    data = (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00"
        b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )
    assert len(data) < 64 and _pillow(data).size == (1, 1)
    content = read_content(Source.of_bytes(data))
    assert (content.format, content.width, content.height, content.corrupt) == ("GIF", 1, 1, None)


def test_gif_frame_far_outside_the_screen_is_a_bomb(root: Path) -> None:
    data = gif_with_frame_at(60_000, 60_000)
    assert _pillow(data).size == (320, 200)  # the first frame: the canvas grows on seek
    write(root, "a.gif", data)
    findings = run_stage(root, ["a.gif"])
    assert codes(findings) == {"ML311"}
    assert "60010x60010" in findings[0].message


def test_gif_frame_a_little_outside_the_screen_is_left_alone(root: Path) -> None:
    write(root, "a.gif", gif_with_frame_at(315, 195))
    assert run_stage(root, ["a.gif"]) == []


def test_gif_cut_inside_its_image_data_is_corrupt() -> None:
    data = encode("GIF")
    content = read_content(Source.of_bytes(data[:-40] + b";"))
    assert content.corrupt is not None


# -- TIFF --------------------------------------------------------------------------------------


def test_tiff_image_width_given_twice_keeps_the_first(root: Path) -> None:
    # libtiff and current Pillow keep the first ImageWidth (Pillow 9, the floor, kept the last).
    data = tiff_file(88, 590, extra=[(256, 3, [590])])
    write(root, "a.tif", data)
    findings = run_stage(root, ["a.tif"])
    assert codes(findings) == {"ML306"}
    assert "88x590" in findings[0].message


@pytest.mark.parametrize("kind", [8, 9], ids=["SSHORT", "SLONG"])
def test_tiff_orientation_in_a_signed_type_is_read(root: Path, kind: int) -> None:
    data = tiff_file(120, 110, extra=[(0x0112, kind, [6])])
    assert Image.open(io.BytesIO(data)).getexif()[0x0112] == 6
    write(root, "a.tif", data)
    assert codes(run_stage(root, ["a.tif"])) == {"ML307"}


def test_uncompressed_tiff_with_bogus_strip_byte_counts_is_a_warning(root: Path) -> None:
    data = tiff_file(120, 110, replace={279: (4, [10_000_000])})
    assert _pillow(data).size == (120, 110)
    write(root, "a.tif", data)
    findings = run_stage(root, ["a.tif"])
    assert codes(findings) == {"ML317"}
    assert "StripByteCounts" in findings[0].message


def test_uncompressed_tiff_with_bogus_counts_and_missing_data_is_corrupt(root: Path) -> None:
    data = tiff_file(120, 110, replace={279: (4, [10_000_000])})
    write(root, "a.tif", data[: len(data) // 2])
    assert codes(run_stage(root, ["a.tif"])) == {"ML309"}


def test_tiff_with_65535_samples_per_pixel_is_corrupt(root: Path) -> None:
    write(root, "a.tif", tiff_file(120, 110, replace={277: (3, [65535])}))
    findings = run_stage(root, ["a.tif"])
    assert codes(findings) == {"ML309"}
    assert "SamplesPerPixel is 65535" in findings[0].message


def test_tiff_rows_per_strip_past_2_31_with_39_strips_is_corrupt(root: Path) -> None:
    strips = 39
    data = tiff_file(
        120,
        110,
        replace={
            278: (4, [2**31 + 7]),
            273: (4, [8 + 16 * i for i in range(strips)]),
            279: (4, [16] * strips),
        },
    )
    with pytest.raises(Exception):  # noqa: B017  (Pillow's error type varies with the codec)
        _pillow(data)
    write(root, "a.tif", data)
    findings = run_stage(root, ["a.tif"])
    assert codes(findings) == {"ML309"}
    assert "39 strips" in findings[0].message


def test_bigtiff_is_read_and_warned_about(root: Path) -> None:
    data = tiff_file(120, 110, big=True)
    assert _pillow(data).size == (120, 110)
    content = read_content(Source.of_bytes(data))
    assert (content.format, content.width, content.height) == ("BigTIFF", 120, 110)
    write(root, "a.tif", data)
    write(root, "b.tif", tiff_file(120, 110, big=True, extra=[(0x0112, 3, [6])]))
    findings = run_stage(root, ["a.tif", "b.tif"])
    assert [(f.line, f.code) for f in findings] == [(1, "ML316"), (2, "ML307"), (2, "ML316")]


# -- orientation outside EXIF ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chunk", "where"),
    [
        (png_text(b"iTXt", b"XML:com.adobe.xmp", xmp_packet(6)), "XMP"),
        (png_text(b"tEXt", b"XML:com.adobe.xmp", xmp_packet(6)), "XMP"),
        (png_text(b"zTXt", b"Raw profile type exif", raw_profile_exif(6)), "Raw profile"),
        (png_text(b"tEXt", b"Raw profile type exif", raw_profile_exif(6)), "Raw profile"),
    ],
    ids=["xmp-itxt", "xmp-text", "raw-profile-ztxt", "raw-profile-text"],
)
def test_png_orientation_outside_exif_is_a_warning(root: Path, chunk: bytes, where: str) -> None:
    write(root, "a.png", png_with_chunk(chunk))
    findings = run_stage(root, ["a.png"])
    assert codes(findings) == {"ML315"}
    assert "Orientation 6" in findings[0].message and where in findings[0].message


def test_orientation_1_outside_exif_draws_nothing(root: Path) -> None:
    write(root, "a.png", png_with_chunk(png_text(b"iTXt", b"XML:com.adobe.xmp", xmp_packet(1))))
    assert run_stage(root, ["a.png"]) == []


def test_exif_orientation_wins_over_xmp(root: Path) -> None:
    data = encode("JPEG", orientation=3)
    xmp = b"http://ns.adobe.com/xap/1.0/\x00" + xmp_packet(6)
    segment = b"\xff\xe1" + (2 + len(xmp)).to_bytes(2, "big")
    write(root, "a.jpg", jpeg_with_segment(data, segment + xmp))
    findings = run_stage(root, ["a.jpg"])
    assert codes(findings) == {"ML307"}
    assert "Orientation 3" in findings[0].message


def test_jpeg_and_webp_xmp_orientation(root: Path) -> None:
    xmp = b"http://ns.adobe.com/xap/1.0/\x00" + xmp_packet(8)
    segment = b"\xff\xe1" + (2 + len(xmp)).to_bytes(2, "big") + xmp
    write(root, "a.jpg", jpeg_with_segment(encode("JPEG"), segment))
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200)).save(buffer, "WEBP", xmp=xmp_packet(8))
    write(root, "b.webp", buffer.getvalue())
    findings = run_stage(root, ["a.jpg", "b.webp"])
    assert [(f.line, f.code) for f in findings] == [(1, "ML315"), (2, "ML315")]


def test_piexif_reads_the_raw_profile_blob() -> None:
    """The oracle for the generated raw profile: its digits are the EXIF piexif writes."""
    text = raw_profile_exif(5).decode().strip().split("\n")
    blob = bytes.fromhex("".join(text[2:]))
    assert piexif.load(blob[6:])["0th"][piexif.ImageIFD.Orientation] == 5


def test_header_pillow_reads_where_the_readers_cannot_gives_the_size(root: Path) -> None:
    """A 0x0 logical screen: Pillow grows it to the frame and decodes the image, so the
    damage is tolerated and the size is Pillow's."""
    data = bytearray(encode("GIF", (90, 80)))
    data[6:10] = bytes(4)
    write(root, "a.gif", bytes(data))
    findings = run_stage(root, ["a.gif"])
    assert [f.code for f in findings] == ["ML306", "ML317"]
    assert "90x80" in findings[0].message
    assert "logical screen is 0x0" in findings[1].message


def test_gif_walk_across_windows(root: Path) -> None:
    """A GIF larger than the reader's window: its sub-blocks are walked across windows, and
    a cut anywhere in them is found."""
    import random

    noise = Image.frombytes("L", (1200, 1200), random.Random(3).randbytes(1200 * 1200))
    buffer = io.BytesIO()
    noise.convert("P").save(buffer, "GIF")
    data = buffer.getvalue()
    assert len(data) > 3 * 256 * 1024
    assert read_content(Source.of_bytes(data)).corrupt is None
    for cut in (300_000, 600_000, len(data) - 3):
        assert read_content(Source.of_bytes(data[:cut] + b";")).corrupt is not None, cut
