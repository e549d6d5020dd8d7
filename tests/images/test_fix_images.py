"""``metalint fix-images`` end to end on generated images: the files it writes, the manifest
Regions it scales, what it leaves alone, and the lint afterwards."""

from __future__ import annotations

import io
import os
import struct
from pathlib import Path

import piexif
import pytest
from imagekit import encode, write
from PIL import Image, ImageChops, ImageCms, ImageOps

from metalint.cli import main
from metalint.config import Config
from metalint.engine import lint_file

IMAGE_CODES = {"ML303", "ML306", "ML307", "ML308"}


def _picture(size: tuple[int, int]) -> Image.Image:
    """A picture with a different corner, so that a turn shows."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image.paste((255, 0, 0), (0, 0, size[0] // 4, size[1] // 4))
    return image


def _exif(orientation: int) -> bytes:
    return piexif.dump(
        {
            "0th": {piexif.ImageIFD.Orientation: orientation, piexif.ImageIFD.Artist: b"Studio"},
            "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2024:05:01 10:00:00"},
        }
    )


def _icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _saved(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _line(product: str, pic: str, region: str | None = None) -> str:
    extra = f', "Region": "{region}"' if region else ""
    return (
        f'{{"OperationType": "ADD", "ProductId": "{product}", "PicName": "{pic}", '
        f'"CustomContent": ""{extra}}}\n'
    )


@pytest.fixture
def bucket(root: Path) -> Path:
    picture = _picture((320, 200))
    write(root, "rot.jpg", _saved(picture, "JPEG", quality=90, exif=_exif(6), icc_profile=_icc()))
    write(root, "rot.png", _saved(picture, "PNG", exif=_exif(3)))
    write(root, "rot.webp", _saved(picture, "WEBP", lossless=True, exif=_exif(8)))
    write(root, "rot.tiff", _saved(picture, "TIFF", exif=_exif(5)))
    write(root, "one.jpg", _saved(picture, "JPEG", quality=90, exif=_exif(1)))
    write(root, "one.png", _saved(picture, "PNG", exif=_exif(1)))
    write(root, "one.webp", _saved(picture, "WEBP", quality=80, exif=_exif(1)))
    write(root, "wide.png", _saved(_picture((5000, 300)), "PNG"))
    write(root, "clean.jpg", encode("JPEG"))
    os.chmod(root / "rot.jpg", 0o640)
    lines = [
        _line("1", "rot.jpg"),
        _line("2", "rot.jpg", "10,100,10,100"),  # used twice: fixed once
        _line("3", "rot.png"),
        _line("4", "rot.webp"),
        _line("5", "rot.tiff"),
        _line("6", "one.jpg"),
        _line("7", "one.png"),
        _line("7b", "one.webp"),
        _line("8", "wide.png", "0,5000,0,300"),
        _line("9", "wide.png", "1000,2001,10,290"),
        _line("10", "clean.jpg"),
    ]
    (root / "increment.meta").write_text("".join(lines))
    return root


def _state(root: Path) -> dict[str, tuple[bytes, int, int]]:
    return {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode) for p in root.iterdir()
    }


def _image_codes(root: Path) -> set[str]:
    found = lint_file(root / "increment.meta", Config(use_cache=False))
    return {d.code for d in found} & IMAGE_CODES


def _scan_data(jpeg: bytes) -> bytes:
    return jpeg[jpeg.index(b"\xff\xda") :]


@pytest.mark.slow
def test_fix_images_end_to_end(bucket: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _state(bucket)
    originals = {name: Image.open(bucket / name) for name in ("rot.jpg", "rot.png", "rot.tiff")}
    assert _image_codes(bucket) == IMAGE_CODES - {"ML303"}

    assert main(["fix-images", str(bucket)]) == 0
    out = capsys.readouterr().out
    after = _state(bucket)

    # Turned, the tag gone, the other metadata kept; each image once, though used twice.
    for name, size in [("rot.jpg", (200, 320)), ("rot.png", (320, 200)), ("rot.webp", (200, 320))]:
        with Image.open(bucket / name) as image:
            assert image.size == size, name
            assert image.format == Image.open(io.BytesIO(before[name][0])).format
            exif = piexif.load(image.info["exif"])
            assert piexif.ImageIFD.Orientation not in exif["0th"]
            assert exif["0th"][piexif.ImageIFD.Artist] == b"Studio"
            assert exif["Exif"][piexif.ExifIFD.DateTimeOriginal] == b"2024:05:01 10:00:00"
    with Image.open(bucket / "rot.jpg") as turned:
        assert turned.info["icc_profile"] == originals["rot.jpg"].info["icc_profile"]
        # JPEG quality: the original's quantization tables, re-used.
        assert turned.quantization == originals["rot.jpg"].quantization
    with Image.open(bucket / "rot.png") as turned:
        expected = ImageOps.exif_transpose(originals["rot.png"]).convert("RGB")
        assert ImageChops.difference(turned.convert("RGB"), expected).getbbox() is None
    with Image.open(bucket / "rot.tiff") as turned:
        assert turned.size == (200, 320)
        assert 0x0112 not in turned.getexif()
    assert out.count("rot.jpg: turned") == 1
    assert after["rot.jpg"][2] == before["rot.jpg"][2]  # permissions kept

    # Orientation 1: the tag gone, the compressed data byte for byte the same.
    jpeg_before, jpeg_after = before["one.jpg"][0], after["one.jpg"][0]
    assert _scan_data(jpeg_after) == _scan_data(jpeg_before)
    assert piexif.ImageIFD.Orientation not in piexif.load(jpeg_after)["0th"]
    assert piexif.load(jpeg_after)["0th"][piexif.ImageIFD.Artist] == b"Studio"
    png_before, png_after = before["one.png"][0], after["one.png"][0]
    idat = png_before.index(b"IDAT") - 4
    assert png_after.endswith(png_before[idat:])
    assert 0x0112 not in Image.open(bucket / "one.png").getexif()
    webp_before, webp_after = before["one.webp"][0], after["one.webp"][0]
    vp8 = webp_before.index(b"VP8 ")
    vp8_end = vp8 + 8 + struct.unpack_from("<I", webp_before, vp8 + 4)[0]
    assert webp_before[vp8:vp8_end] in webp_after
    with Image.open(bucket / "one.webp") as image:
        assert 0x0112 not in image.getexif()
        assert image.getexif()[0x013B] == "Studio"

    # Scaled within 4096, and the Regions of both lines with it.
    with Image.open(bucket / "wide.png") as scaled:
        assert scaled.size == (4096, 246)
    manifest_before = before["increment.meta"][0].decode().splitlines()
    manifest_after = after["increment.meta"][0].decode().splitlines()
    assert len(manifest_after) == len(manifest_before)
    pairs = zip(manifest_before, manifest_after, strict=True)
    changed = [i for i, (a, b) in enumerate(pairs) if a != b]
    assert changed == [8, 9]
    assert manifest_after[8] == manifest_before[8].replace("0,5000,0,300", "0,4096,0,246")
    assert manifest_after[9] == manifest_before[9].replace("1000,2001,10,290", "819,1639,8,238")
    assert "Region left as written" in out  # line 2: a Region on a turned image

    # The image that needed nothing is not touched.
    assert after["clean.jpg"] == before["clean.jpg"]

    assert _image_codes(bucket) == set()

    # A second run changes nothing.
    assert main(["fix-images", str(bucket)]) == 0
    assert "no image needs fixing" in capsys.readouterr().err
    assert _state(bucket) == after


def test_dry_run_writes_nothing_and_lists_each_change(
    bucket: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _state(bucket)
    assert main(["fix-images", "--dry-run", str(bucket)]) == 0
    out = capsys.readouterr().out
    assert _state(bucket) == before
    names = ("rot.jpg", "rot.png", "rot.webp", "rot.tiff", "one.jpg", "one.png", "one.webp")
    for name in (*names, "wide.png"):
        assert f"{name}: would be " in out, name
    assert "increment.meta:9: would be Region 0,5000,0,300 scaled to 0,4096,0,246" in out
    assert "clean.jpg" not in out


@pytest.mark.slow
def test_jpeg_over_4_mb_is_re_encoded_to_fit(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    noise = Image.merge("RGB", [Image.effect_noise((2600, 2000), 80) for _ in range(3)])
    data = _saved(noise, "JPEG", quality=97, exif=_exif(1))
    assert len(data) > 4 * 1024 * 1024
    write(root, "large.jpg", data)
    (root / "increment.meta").write_text(_line("1", "large.jpg"))
    assert _image_codes(root) == {"ML303", "ML308"}
    assert main(["fix-images", str(root)]) == 0
    fixed = (root / "large.jpg").read_bytes()
    assert len(fixed) <= 4 * 1024 * 1024
    with Image.open(root / "large.jpg") as image:
        assert image.size == (2600, 2000)
        assert piexif.load(image.info["exif"])["0th"][piexif.ImageIFD.Artist] == b"Studio"
    assert "re-encoded (quality" in capsys.readouterr().out
    assert _image_codes(root) == set()


def test_format_that_cannot_shrink_is_reported(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    noise = Image.merge("RGB", [Image.effect_noise((1200, 1200), 80) for _ in range(3)])
    write(root, "big.bmp", _saved(noise, "BMP"))
    (root / "increment.meta").write_text(_line("1", "big.bmp"))
    before = _state(root)
    assert main(["fix-images", str(root)]) == 1
    assert "big.bmp: not fixed: a BMP image cannot be made smaller" in capsys.readouterr().err
    assert _state(root) == before


def test_tiff_orientation_1_is_removed_in_place(root: Path) -> None:
    data = _saved(_picture((120, 110)), "TIFF", exif=_exif(1))
    write(root, "a.tif", data)
    (root / "increment.meta").write_text(_line("1", "a.tif"))
    assert main(["fix-images", str(root)]) == 0
    fixed = (root / "a.tif").read_bytes()
    assert len(fixed) == len(data)
    with Image.open(root / "a.tif") as image:
        assert 0x0112 not in image.getexif()
        assert ImageChops.difference(image.convert("RGB"), _picture((120, 110))).getbbox() is None
    (ifd,) = struct.unpack_from("<I", fixed, 4)
    assert fixed[:ifd] == data[:ifd]  # the pixel data before IFD0 is untouched
