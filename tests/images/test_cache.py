"""The on-disk cache: a warm run opens no image, a change invalidates, damage is ignored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from imagekit import encode, stage_for, write

from metalint.config import Config
from metalint.images import ImageRef, ImageStage
from metalint.images import stage as stage_module
from metalint.images.cache import _VERSION as CACHE_VERSION
from metalint.images.cache import CACHE_FILE
from metalint.images.stage import ImageFinding

NAMES = ["a.jpg", "b.png", "c.webp", "d.tiff"]


@pytest.fixture
def bucket(root: Path) -> Path:
    write(root, "a.jpg", encode("JPEG", orientation=6))
    write(root, "b.png", encode("PNG", (50, 300)))
    write(root, "c.webp", encode("WEBP"))
    write(root, "d.tiff", encode("TIFF", orientation=1))
    return root


def _run(root: Path, cache: Path | None) -> tuple[list[ImageFinding], ImageStage]:
    config = Config(cache_dir=cache) if cache else Config(use_cache=False)
    stage = stage_for(root, config)
    for line, name in enumerate(NAMES, start=1):
        stage.add(ImageRef(line, name, None))
    return list(stage.finish()), stage


def test_warm_run_reads_no_image(bucket: Path, tmp_path: Path) -> None:
    cold, first = _run(bucket, tmp_path / "cache")
    assert first.stats.read == len(NAMES)
    warm, second = _run(bucket, tmp_path / "cache")
    assert (second.stats.read, second.stats.cached) == (0, len(NAMES))
    assert warm == cold
    assert {f.code for f in warm} == {"ML307", "ML306", "ML308"}


def test_warm_run_opens_no_file(
    bucket: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proof beyond the counter: with reading made impossible, the cached facts still answer."""
    cold, _ = _run(bucket, tmp_path / "cache")

    def no_reading(paths: list[str], deep: bool) -> list[object]:
        raise AssertionError(f"a warm run read {paths}")

    monkeypatch.setattr(stage_module, "read_files", no_reading)
    warm, stage = _run(bucket, tmp_path / "cache")
    assert warm == cold
    assert stage.stats.read == 0


def test_rewrite_that_restores_size_and_mtime_invalidates(bucket: Path, tmp_path: Path) -> None:
    # A copy tool that keeps timestamps can leave size and mtime as they were; the ctime
    # still moves with the write.
    _run(bucket, tmp_path / "cache")
    info = os.stat(bucket / "a.jpg")
    replacement = encode("JPEG", orientation=3)
    assert len(replacement) == info.st_size
    (bucket / "a.jpg").write_bytes(replacement)
    os.utime(bucket / "a.jpg", ns=(info.st_atime_ns, info.st_mtime_ns))
    findings, stage = _run(bucket, tmp_path / "cache")
    assert stage.stats.read == 1
    assert any(f.code == "ML307" and "Orientation 3" in f.message for f in findings)


def test_changed_mtime_invalidates(bucket: Path, tmp_path: Path) -> None:
    _run(bucket, tmp_path / "cache")
    info = os.stat(bucket / "a.jpg")
    (bucket / "a.jpg").write_bytes(encode("JPEG", orientation=3))
    os.utime(bucket / "a.jpg", ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))
    findings, stage = _run(bucket, tmp_path / "cache")
    assert stage.stats.read == 1
    assert any(f.code == "ML307" and "Orientation 3" in f.message for f in findings)


def test_changed_size_invalidates(bucket: Path, tmp_path: Path) -> None:
    _run(bucket, tmp_path / "cache")
    info = os.stat(bucket / "b.png")
    (bucket / "b.png").write_bytes(encode("PNG", (300, 300)))
    os.utime(bucket / "b.png", ns=(info.st_atime_ns, info.st_mtime_ns))
    findings, stage = _run(bucket, tmp_path / "cache")
    assert stage.stats.read == 1
    assert "ML306" not in {f.code for f in findings}


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{not json",
        b"[]",
        b'{"version": 1, "entries": []}',
        b'{"version": 99, "entries": {}}',
        b'{"version": 1, "entries": {"x": [1, 2, "PNG", "wide", null, null, null]}}',
        bytes(range(256)),
    ],
)
def test_damaged_cache_is_ignored_and_replaced(bucket: Path, tmp_path: Path, damage: bytes) -> None:
    cold, _ = _run(bucket, None)
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / CACHE_FILE).write_bytes(damage)
    findings, stage = _run(bucket, tmp_path / "cache")
    assert findings == cold
    assert stage.stats.read == len(NAMES)
    document = json.loads((tmp_path / "cache" / CACHE_FILE).read_bytes())
    assert len(document["entries"]) == len(NAMES)


def test_matching_key_is_trusted_without_reading(bucket: Path, tmp_path: Path) -> None:
    """An entry lying about a file (same key, other facts) is used: the key is the contract."""
    _run(bucket, tmp_path / "cache")
    path = tmp_path / "cache" / CACHE_FILE
    document = json.loads(path.read_bytes())
    key = next(k for k in document["entries"] if k.endswith("a.jpg"))
    document["entries"][key][7] = None  # the orientation: no rotation after all
    path.write_text(json.dumps(document))
    findings, stage = _run(bucket, tmp_path / "cache")
    assert stage.stats.read == 0
    assert "ML307" not in {f.code for f in findings}


def test_no_cache_setting_bypasses_it(bucket: Path, tmp_path: Path) -> None:
    _run(bucket, tmp_path / "cache")
    stage = stage_for(bucket, Config(use_cache=False, cache_dir=tmp_path / "cache"))
    stage.add(ImageRef(1, "a.jpg", None))
    list(stage.finish())
    assert stage.stats.read == 1


def test_no_cache_environment_variable(
    bucket: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METALINT_NO_CACHE", "1")
    _run(bucket, tmp_path / "cache")
    _, stage = _run(bucket, tmp_path / "cache")
    assert stage.stats.read == len(NAMES)
    assert not (tmp_path / "cache" / CACHE_FILE).exists()


def test_default_cache_dir_follows_xdg(
    bucket: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    stage = stage_for(bucket, Config())
    stage.add(ImageRef(1, "a.jpg", None))
    list(stage.finish())
    assert (tmp_path / "xdg" / "metalint" / CACHE_FILE).is_file()


def test_unwritable_cache_dir_is_not_an_error(bucket: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    findings, _ = _run(bucket, blocker / "cache")
    assert findings == _run(bucket, None)[0]


_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from metalint.config import Config
    from metalint.images import ImageRef, ImageStage
    from metalint.plan import plan_for

    root, cache, prefix = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    config = Config(cache_dir=cache)
    for round in range(15):
        stage = ImageStage(root, config, plan_for(config).image)
        for line in range(40):
            stage.add(ImageRef(line + 1, f"{prefix}{(line + round) % 40}.png", None))
        list(stage.finish())
    """
)


def test_two_processes_writing_at_once_leave_a_valid_cache(root: Path, tmp_path: Path) -> None:
    image = encode("PNG", (120, 120))
    for index in range(40):
        write(root, f"p{index}.png", image)
        write(root, f"q{index}.png", image)
    cache = tmp_path / "cache"
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(root), str(cache), prefix])
        for prefix in ("p", "q")
    ]
    reads = 0
    while any(w.poll() is None for w in writers):
        if (cache / CACHE_FILE).exists():
            document = json.loads((cache / CACHE_FILE).read_bytes())
            assert document["version"] == CACHE_VERSION
            reads += 1
    assert [w.wait() for w in writers] == [0, 0]
    assert reads > 0
    document = json.loads((cache / CACHE_FILE).read_bytes())
    assert 40 <= len(document["entries"]) <= 80
    assert not [p for p in cache.iterdir() if p.name != CACHE_FILE]
