"""Whatever the bytes, the stage answers with findings or none, never an exception; and the
worker pool gives the same answers as reading in-process."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imagekit import EXTENSIONS, FORMATS, bomb_png, encode, run_stage, stage_for, write

import metalint.images.stage as stage_module
from metalint.config import Config
from metalint.images import ImageRef
from metalint.images.header import Source
from metalint.images.readers import read_content

SAMPLES = [
    encode(fmt, (130, 120), 6 if fmt in ("JPEG", "PNG", "WEBP", "TIFF") else None)
    for fmt in FORMATS
] + [bomb_png()]
NAMES = [f"x.{ext}" for ext in EXTENSIONS.values()]


def _mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(0, 4))):
        position = draw(st.integers(0, len(data) - 1))
        data[position] = draw(st.integers(0, 255))
    cut = draw(st.integers(0, len(data)))
    return bytes(data[:cut]) if draw(st.booleans()) else bytes(data)


mutated = st.composite(_mutated)()
anything = st.one_of(st.binary(max_size=2048), mutated)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=anything)
def test_header_readers_never_raise(data: bytes) -> None:
    content = read_content(Source.of_bytes(data))
    assert content.corrupt is None or isinstance(content.corrupt, str)


@settings(max_examples=150, deadline=None)
@given(data=anything, name=st.sampled_from(NAMES), region=st.booleans())
def test_stage_never_raises(data: bytes, name: str, region: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write(root, name, data)
        box = (0, 100, 0, 100) if region else None
        findings = run_stage(root, [ImageRef(1, name, box)])
    for finding in findings:
        assert finding.code.startswith("ML3")
        assert finding.line == 1
        assert finding.message


@settings(max_examples=100, deadline=None)
@given(name=st.text(max_size=40))
def test_any_pic_name_is_answered(name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        findings = run_stage(Path(folder), [name])
    assert all(f.code in {"ML301", "ML302", "ML312", "ML313", "ML314"} for f in findings)


@pytest.mark.parametrize(
    "name", ["\ud800.jpg", "a" * 300 + ".jpg", "a/" * 100 + "b.jpg", "~/a.jpg", ".", "a/./b.png"]
)
def test_strange_names(root: Path, name: str) -> None:
    assert {f.code for f in run_stage(root, [name])} <= {"ML301", "ML313", "ML314"}


def _corpus(root: Path) -> list[str]:
    names = []
    for index in range(60):
        fmt = FORMATS[index % len(FORMATS)]
        name = f"{index // 10}/{index}.{EXTENSIONS[fmt]}"
        data = encode(fmt, (90 + index, 120))
        write(root, name, data[: len(data) // 2] if index % 7 == 0 else data)
        names.append(name)
    return [*names, "missing.jpg", *names[:10]]


def test_worker_pool_matches_reading_in_process(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = _corpus(root)
    serial = run_stage(root, names, Config(use_cache=False, jobs=1))
    monkeypatch.setattr(stage_module, "POOL_MIN", 1)
    monkeypatch.setattr(stage_module, "BATCH", 4)
    stage = stage_for(root, Config(use_cache=False, jobs=2))
    for line, name in enumerate(names, start=1):
        stage.add(ImageRef(line, name, None))
    pooled = list(stage.finish())
    assert pooled == serial
    assert stage.stats.read == stage.stats.by_workers == 60
    assert len({f.code for f in serial}) >= 3


def test_progress_reports_every_image(root: Path) -> None:
    for index in range(5):
        write(root, f"{index}.png", encode("PNG"))
    calls: list[tuple[int, int]] = []
    stage = stage_for(root, Config(use_cache=False), progress=lambda d, t: calls.append((d, t)))
    for index in range(5):
        stage.add(ImageRef(index + 1, f"{index}.png", None))
    list(stage.finish())
    assert calls
    assert calls[-1] == (5, 5)
    assert all(done <= total for done, total in calls)
