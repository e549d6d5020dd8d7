"""The deep check: every image decoded in full, in the worker pool, cached, with the bomb
guard; it finds damage in the compressed data that the header check passes."""

from __future__ import annotations

import io
import json
import random
import struct
import zlib
from pathlib import Path

import pytest
from imagekit import EXTENSIONS, FORMATS, bomb_png, codes, encode, run_stage, stage_for, write
from PIL import Image

import metalint.images.stage as stage_module
from metalint.cli import main
from metalint.config import Config
from metalint.images import ImageRef

DEEP = Config(use_cache=False, deep_images=True)


def _noisy_jpeg() -> bytes:
    buffer = io.BytesIO()
    noise = Image.effect_noise((320, 200), 60)
    Image.merge("RGB", (noise, noise.rotate(90, expand=False), noise)).save(buffer, "JPEG")
    return buffer.getvalue()


def scrambled_jpeg() -> bytes:
    """A JPEG whose entropy-coded data has 2,000 random bytes in its middle."""
    data = bytearray(_noisy_jpeg())
    start = data.index(b"\xff\xda") + 200
    data[start : start + 2000] = random.Random(1).randbytes(2000)
    return bytes(data)


def _png_chunks(data: bytes) -> list[tuple[int, bytes]]:
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack_from(">I", data, offset)
        chunks.append((offset, data[offset + 4 : offset + 8]))
        offset += 12 + length
    return chunks


def png_with_broken_idat(*, keep_checksum: bool) -> bytes:
    """A PNG whose IDAT data has bytes flipped; with ``keep_checksum`` the chunk's CRC is
    made to match again, so only the compressed stream itself is broken."""
    data = bytearray(encode("PNG", (320, 200)))
    offset = next(at for at, kind in _png_chunks(bytes(data)) if kind == b"IDAT")
    (length,) = struct.unpack_from(">I", data, offset)
    for position in range(offset + 8 + length // 2, offset + 8 + length // 2 + 8):
        data[position] ^= 0x5A
    if keep_checksum:
        crc = zlib.crc32(bytes(data[offset + 4 : offset + 8 + length]))
        data[offset + 8 + length : offset + 12 + length] = struct.pack(">I", crc)
    return bytes(data)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("a.jpg", scrambled_jpeg),
        ("a.png", lambda: png_with_broken_idat(keep_checksum=False)),
        ("b.png", lambda: png_with_broken_idat(keep_checksum=True)),
    ],
    ids=["scrambled-jpeg", "idat-bad-checksum", "idat-bad-stream"],
)
def test_deep_check_finds_what_the_header_check_passes(root: Path, name: str, make: object) -> None:
    assert callable(make)
    write(root, name, make())
    assert run_stage(root, [name]) == []
    findings = run_stage(root, [name], DEEP)
    assert codes(findings) == {"ML309"}
    assert "cannot be decoded" in findings[0].message


@pytest.mark.parametrize("fmt", FORMATS)
def test_sound_images_pass_the_deep_check(root: Path, fmt: str) -> None:
    name = f"a.{EXTENSIONS[fmt]}"
    write(root, name, encode(fmt, (321, 203)))
    assert run_stage(root, [name], DEEP) == []


def test_noisy_sound_jpeg_passes(root: Path) -> None:
    write(root, "a.jpg", _noisy_jpeg())
    assert run_stage(root, ["a.jpg"], DEEP) == []


def test_bomb_is_not_decoded(root: Path) -> None:
    write(root, "bomb.png", bomb_png())
    assert codes(run_stage(root, ["bomb.png"], DEEP)) == {"ML306", "ML311"}


def test_deep_outcome_is_cached_and_a_plain_run_ignores_it(root: Path, tmp_path: Path) -> None:
    write(root, "a.jpg", scrambled_jpeg())
    write(root, "b.png", encode("PNG"))
    refs = [ImageRef(1, "a.jpg", None), ImageRef(2, "b.png", None)]

    def run(deep: bool) -> tuple[list[tuple[int, str]], int]:
        stage = stage_for(root, Config(cache_dir=tmp_path / "cache", deep_images=deep))
        for ref in refs:
            stage.add(ref)
        return [(f.line, f.code) for f in stage.finish()], stage.stats.read

    assert run(deep=False) == ([], 2)
    assert run(deep=True) == ([(1, "ML309")], 2)  # the plain entries do not answer for it
    assert run(deep=True) == ([(1, "ML309")], 0)
    assert run(deep=False) == ([], 0)


def test_deep_check_runs_in_the_worker_pool(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = []
    for index in range(12):
        names.append(f"{index}.jpg")
        write(root, names[-1], scrambled_jpeg() if index % 3 == 0 else encode("JPEG"))
    stage = stage_for(root, Config(use_cache=False, deep_images=True, jobs=2))
    for line, name in enumerate(names, start=1):
        stage.add(ImageRef(line, name, None))
    findings = list(stage.finish())
    assert stage.stats.by_workers == len(names) >= stage_module.DEEP_POOL_MIN
    assert [(f.line, f.code) for f in findings] == [
        (1, "ML309"),
        (4, "ML309"),
        (7, "ML309"),
        (10, "ML309"),
    ]


MANIFEST = '{"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": ""}\n'


@pytest.mark.parametrize("how", ["flag", "config"])
def test_deep_images_from_the_command_line_and_the_configuration(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    write(root, "a.jpg", scrambled_jpeg())
    (root / "increment.meta").write_text(MANIFEST)
    args = ["--format", "json", "--cache-dir", str(tmp_path / "cache"), str(root)]
    assert main(args) == 0
    capsys.readouterr()
    if how == "flag":
        args.insert(0, "--deep-images")
    else:
        (root / "metalint.toml").write_text("deep-images = true\n")
    assert main(args) == 1
    found = json.loads(capsys.readouterr().out)
    assert [(d["code"], d["line"]) for d in found] == [("ML309", 1)]


def test_deep_images_setting_must_be_a_boolean(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (root / "increment.meta").write_text(MANIFEST)
    (root / "metalint.toml").write_text('deep-images = "yes"\n')
    assert main([str(root)]) == 2
    assert "deep-images: expected true or false" in capsys.readouterr().err


def _pillow_imported(root: Path, *flags: str) -> bool:
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from metalint.cli import main\n"
        f"main(['--isolated', '--no-cache', '-q', *{list(flags)!r}, {str(root)!r}])\n"
        "print('PIL' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.splitlines()[-1] == "True"


def test_header_path_never_imports_pillow(root: Path) -> None:
    lines = []
    for index, fmt in enumerate(FORMATS):
        name = f"{index}.{EXTENSIONS[fmt]}"
        write(root, name, encode(fmt, orientation=6 if fmt == "JPEG" else None))
        lines.append(MANIFEST.replace('"a.jpg"', f'"{name}"').replace('"1"', f'"{index}"'))
    (root / "increment.meta").write_text("".join(lines))
    assert not _pillow_imported(root)
    assert _pillow_imported(root, "--deep-images")
