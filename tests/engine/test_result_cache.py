"""The whole-result cache of ``lint_file``: a warm run reads neither the manifest nor any image
and returns what a fresh lint would; every change it depends on makes it lint again."""

from __future__ import annotations

import builtins
import io
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import piexif
import pytest
from PIL import Image

import metalint
from metalint import resultcache
from metalint.config import Config, PerFileIgnore
from metalint.diagnostics import Diagnostic, Fix, Related, Severity, Span, TextEdit
from metalint.engine import lint_file
from metalint.service import Service

HOUR = 3600


def _image(fmt: str, size: tuple[int, int], orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 80, 40))
    options: dict[str, Any] = {}
    if orientation is not None:
        options["exif"] = piexif.dump({"0th": {piexif.ImageIFD.Orientation: orientation}})
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _line(pic: str, pid: str = "1", op: str = "ADD") -> str:
    return orjson.dumps(
        {"OperationType": op, "ProductId": pid, "PicName": pic, "CustomContent": "x"}
    ).decode()


def _age(*paths: Path) -> None:
    """Set the mtimes of ``paths`` and of everything below them an hour back, when they are
    recent: files modified within seconds of a run are not cached (see ``resultcache.RACY_NS``).
    Files already old are left alone: setting an mtime changes the ctime, which the cache sees.
    """
    past = time.time() - HOUR
    for path in paths:
        targets = [path] + (list(path.rglob("*")) if path.is_dir() else [])
        for target in targets:
            if target.lstat().st_mtime > past + HOUR / 2:
                os.utime(target, (past, past), follow_symlinks=False)


class World:
    """A bucket with images and a manifest, a cache folder, and ways to lint."""

    def __init__(self, tmp_path: Path) -> None:
        self.bucket = tmp_path / "bucket"
        self.bucket.mkdir()
        self.cache = tmp_path / "cache"
        self.manifest = self.bucket / "increment.meta"
        (self.bucket / "good.jpg").write_bytes(_image("JPEG", (800, 800)))
        (self.bucket / "small.png").write_bytes(_image("PNG", (40, 300)))
        (self.bucket / "Upper.jpg").write_bytes(_image("JPEG", (800, 800), orientation=6))
        (self.bucket / "sub").mkdir()
        (self.bucket / "sub" / "deep.jpg").write_bytes(_image("JPEG", (900, 700)))
        self.write(
            _line("good.jpg", "1"),
            _line("small.png", "2"),
            _line("upper.jpg", "3"),
            _line("sub/deep.jpg", "4"),
            _line("missing.jpg", "5"),
            _line("good.jpg", "1"),
            '{"OperationType": "add", "ProductId": "9", "PicName": "good.jpg"}',
        )
        _age(self.bucket)

    def write(self, *lines: str) -> None:
        self.manifest.write_text("".join(line + "\n" for line in lines))

    def config(self, **changes: Any) -> Config:
        return Config(cache_dir=self.cache, **changes)

    def lint(self, **changes: Any) -> list[Diagnostic]:
        return lint_file(self.manifest, self.config(**changes))

    def fresh(self, **changes: Any) -> list[Diagnostic]:
        return lint_file(self.manifest, self.config(use_cache=False, **changes))

    def entries(self) -> list[Path]:
        folder = self.cache / resultcache.FOLDER
        return sorted(folder.glob("*.json")) if folder.exists() else []


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


@contextmanager
def no_reads(monkeypatch: pytest.MonkeyPatch, bucket: Path) -> Iterator[list[str]]:
    """Make opening anything under ``bucket`` (the manifest, an image) fail the test, and
    reading image headers too; yields what was opened under it (nothing, if it passes)."""
    opened: list[str] = []
    real_open = builtins.open
    inside = str(bucket)

    def guarded_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, (str, os.PathLike)) and os.fspath(file).startswith(inside):
            opened.append(os.fspath(file))
            raise AssertionError(f"opened {file}")
        return real_open(file, *args, **kwargs)

    def no_read_files(paths: list[str], deep: bool) -> list[Any]:
        opened.extend(paths)
        raise AssertionError(f"read images {paths}")

    with monkeypatch.context() as patch:
        patch.setattr(builtins, "open", guarded_open)
        patch.setattr("metalint.images.stage.read_files", no_read_files)
        yield opened


def _codes(diagnostics: list[Diagnostic]) -> list[tuple[int, str]]:
    return [(d.span.line, d.code) for d in diagnostics]


# -- warm runs ----------------------------------------------------------------------------------


def test_warm_run_returns_the_same_without_reading(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = world.lint()
    assert cold == world.fresh()
    codes = {d.code for d in cold}
    assert {"ML301", "ML302", "ML306", "ML307"} <= codes, codes
    assert len(world.entries()) == 1
    with no_reads(monkeypatch, world.bucket) as opened:
        warm = world.lint()
    assert opened == []
    assert warm == cold


def test_warm_run_with_images_off_reads_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = world.lint(check_images=False)
    assert not any(d.code.startswith("ML3") for d in cold)
    with no_reads(monkeypatch, world.bucket) as opened:
        assert world.lint(check_images=False) == cold
    assert opened == []


def test_entry_is_the_named_file_and_holds_the_dependencies(world: World) -> None:
    world.lint()
    (entry,) = world.entries()
    document = orjson.loads(entry.read_bytes())
    paths = {path for _, path, _ in document["depends"]}
    bucket = os.path.realpath(world.bucket)
    assert os.path.join(bucket, "good.jpg") in paths
    assert os.path.join(bucket, "sub", "deep.jpg") in paths
    assert os.path.join(bucket, "missing.jpg") in paths
    kinds = {kind for kind, path, _ in document["depends"] if path == bucket}
    assert kinds == {"r", "s"}  # its real path, and its stat before its names were listed


# -- what makes it lint again -------------------------------------------------------------------


def _warm(world: World, **changes: Any) -> list[Diagnostic]:
    result = world.lint(**changes)
    assert world.entries(), "the result should have been kept"
    assert world.lint(**changes) == result
    return result


def test_manifest_edited_same_size(world: World) -> None:
    before = _warm(world)
    text = world.manifest.read_text()
    world.manifest.write_text(text.replace('"add"', '"ADD"'))
    assert world.manifest.stat().st_size == len(text)
    after = world.lint()
    assert after == world.fresh() != before


def test_manifest_edited_same_size_and_mtime(world: World) -> None:
    """Only the ctime (and perhaps the inode) tells this one; it must still be seen."""
    before = _warm(world)
    info = world.manifest.stat()
    text = world.manifest.read_text()
    world.manifest.write_text(text.replace('"add"', '"ADD"'))
    os.utime(world.manifest, ns=(info.st_atime_ns, info.st_mtime_ns))
    after = world.lint()
    assert after == world.fresh() != before


def test_config_changes(world: World) -> None:
    base = _warm(world)
    for changes in (
        {"service": Service.GENERIC},
        {"disabled": frozenset({"ML301"})},
        {"severities": {"ML301": Severity.WARNING}},
        {"per_file_ignores": (PerFileIgnore("increment.meta", frozenset({"ML302"})),)},
        {"check_images": False},
        {"images_root": world.bucket / "sub"},
    ):
        changed = world.lint(**changes)
        assert changed == world.fresh(**changes), changes
        assert changed != base, changes
        assert world.lint(**changes) == changed
    assert world.lint() == base
    assert world.lint(jobs=1) == base


def test_image_replaced(world: World) -> None:
    before = _warm(world)
    (world.bucket / "small.png").write_bytes(_image("PNG", (800, 800)))
    after = world.lint()
    assert after == world.fresh()
    assert (2, "ML306") in _codes(before)
    assert (2, "ML306") not in _codes(after)


def test_image_touched(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _warm(world)
    past = time.time() - 2 * HOUR
    os.utime(world.bucket / "small.png", (past, past))
    with no_reads(monkeypatch, world.bucket) as opened, pytest.raises(AssertionError):
        world.lint()
    assert opened  # linted again, though the answer is the same
    assert world.lint() == world.fresh() == before


def test_image_rewritten_same_size(world: World) -> None:
    _warm(world)
    (world.bucket / "small.png").write_bytes(_image("PNG", (800, 300)))  # smaller file, say
    _age(world.bucket / "small.png")
    before = _warm(world)
    path = world.bucket / "small.png"
    size = path.stat().st_size
    data = _image("PNG", (40, 300))
    path.write_bytes(data[:size].ljust(size, b"\0"))  # same size, new content
    os.utime(path)
    assert path.stat().st_size == size
    after = world.lint()
    assert after == world.fresh() != before


def test_missing_image_added(world: World) -> None:
    before = _warm(world)
    assert (5, "ML301") in _codes(before)
    (world.bucket / "missing.jpg").write_bytes(_image("JPEG", (800, 800)))
    after = world.lint()
    assert after == world.fresh()
    assert (5, "ML301") not in _codes(after)


def test_image_renamed_to_fix_its_case(world: World) -> None:
    before = _warm(world)
    assert (3, "ML302") in _codes(before)
    (world.bucket / "Upper.jpg").rename(world.bucket / "upper.jpg")
    after = world.lint()
    assert after == world.fresh()
    assert (3, "ML302") not in _codes(after)


def test_other_case_added(world: World) -> None:
    """Only the folder's listing tells this one: ``upper.jpg`` is still missing under its own
    name, ``Upper.jpg`` unchanged, but the name the listing offers first is now another."""
    before = _warm(world)
    (world.bucket / "UPPER.jpg").write_bytes(_image("JPEG", (800, 800)))
    _age(world.bucket / "UPPER.jpg")
    after = world.lint()
    assert after == world.fresh() != before
    assert any("UPPER.jpg" in d.message for d in after if d.code == "ML302")


def test_image_deleted(world: World) -> None:
    before = _warm(world)
    (world.bucket / "sub" / "deep.jpg").unlink()
    after = world.lint()
    assert after == world.fresh()
    assert (4, "ML301") not in _codes(before)
    assert (4, "ML301") in _codes(after)


def test_symlink_retargeted(world: World) -> None:
    (world.bucket / "big.jpg").write_bytes(_image("JPEG", (800, 800)))
    (world.bucket / "tiny.jpg").write_bytes(_image("JPEG", (30, 30)))
    (world.bucket / "link.jpg").symlink_to("big.jpg")
    world.write(_line("link.jpg"))
    _age(world.bucket)
    before = _warm(world)
    assert "ML306" not in {d.code for d in before}
    (world.bucket / "link.jpg").unlink()
    (world.bucket / "link.jpg").symlink_to("tiny.jpg")
    _age(world.bucket)  # even with every mtime set back, the link's inode and ctime differ
    after = world.lint()
    assert after == world.fresh()
    assert "ML306" in {d.code for d in after}


def test_symlinked_folder_retargeted(world: World, tmp_path: Path) -> None:
    """A folder component that is a link: its ``realpath`` is part of what was observed."""
    for name, size in (("one", (800, 800)), ("two", (30, 30))):
        (world.bucket / name).mkdir()
        (world.bucket / name / "p.jpg").write_bytes(_image("JPEG", size))
    (world.bucket / "cur").symlink_to("one")
    world.write(_line("cur/p.jpg"))
    _age(world.bucket)
    before = _warm(world)
    (world.bucket / "cur").unlink()
    (world.bucket / "cur").symlink_to("two")
    _age(world.bucket)
    after = world.lint()
    assert after == world.fresh() != before


def test_version_changed(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _warm(world)
    monkeypatch.setattr(metalint, "__version__", "99.0.0")
    with no_reads(monkeypatch, world.bucket) as opened, pytest.raises(AssertionError):
        world.lint()
    assert opened  # it did not trust the old entry
    assert world.lint() == before
    assert len(world.entries()) == 2  # another key, another file


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"not json",
        b"[]",
        b'{"key": 1}',
        None,  # the right key, garbage diagnostics
    ],
)
def test_corrupt_entry(world: World, damage: bytes | None) -> None:
    before = _warm(world)
    (entry,) = world.entries()
    if damage is None:
        document = orjson.loads(entry.read_bytes())
        document["diagnostics"] = [["ML301", 5, "error"]]
        damage = orjson.dumps(document)
    entry.write_bytes(damage)
    assert world.lint() == before
    assert world.lint() == before
    assert orjson.loads(entry.read_bytes())["key"]  # rewritten whole


def test_use_cache_false_and_environment_bypass(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.lint(use_cache=False)
    assert world.entries() == []
    monkeypatch.setenv("METALINT_NO_CACHE", "1")
    world.lint()
    assert world.entries() == []
    monkeypatch.delenv("METALINT_NO_CACHE")
    before = world.lint()
    assert len(world.entries()) == 1
    monkeypatch.setenv("METALINT_NO_CACHE", "1")
    with no_reads(monkeypatch, world.bucket) as opened, pytest.raises(AssertionError):
        world.lint()  # it reads, though the entry would do
    assert opened
    monkeypatch.setenv("METALINT_NO_CACHE", "0")
    assert world.lint() == before


def test_images_off_still_sees_the_manifest_change(world: World) -> None:
    before = _warm(world, check_images=False)
    world.write(_line("good.jpg"))
    after = world.lint(check_images=False)
    assert after == world.fresh(check_images=False) != before


def test_recent_files_are_not_kept(world: World) -> None:
    world.write(_line("good.jpg"))  # modified just now
    world.lint()
    assert world.entries() == []
    _age(world.manifest)
    (world.bucket / "good.jpg").touch()
    world.lint()
    assert world.entries() == []
    _age(world.bucket)
    world.lint()
    assert len(world.entries()) == 1


def test_unreadable_image_is_not_kept(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """An image that could not be read may be readable next time: such results are not kept.
    (As root, permissions cannot make a file unreadable: the reader is made to fail instead.)"""
    path = world.bucket / "good.jpg"
    if os.geteuid() == 0:
        monkeypatch.setattr(
            "metalint.images.stage.read_files",
            lambda paths, deep: ["Permission denied"] * len(paths),
        )
    else:
        path.chmod(0)
    try:
        result = world.lint()
        assert "ML314" in {d.code for d in result}
        assert world.entries() == []
    finally:
        path.chmod(0o644)


def test_shown_path_is_part_of_the_key(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    absolute = lint_file(world.manifest, world.config())
    monkeypatch.chdir(world.bucket)
    relative = lint_file(Path("increment.meta"), world.config())
    assert {d.path for d in relative} == {"increment.meta"}
    assert {d.path for d in absolute} == {str(world.manifest)}
    assert lint_file(Path("increment.meta"), world.config()) == relative


# -- the serialization --------------------------------------------------------------------------


def test_diagnostics_round_trip() -> None:
    span = Span(3, 4, 3, 9)
    full = Diagnostic(
        "ML101",
        "name",
        Severity.WARNING,
        'message with "quotes" and ünïcode \x00',
        "a/increment.meta",
        span,
        key="PicName",
        fix=Fix("replace it", (TextEdit(span, "x"), TextEdit(Span(4, 1, 5, 1), ""))),
        related=(Related("a/increment.meta", Span(1, 1, 1, 2), "first here"),),
    )
    bare = Diagnostic("ML012", "n", Severity.INFO, "m", "p", Span(1, 1, 1, 2))
    for items in ([full, bare], [bare], []):
        assert resultcache.decode(resultcache.encode(items)) == items


def test_real_diagnostics_round_trip(world: World) -> None:
    world.write(
        _line("good.jpg", "1"),
        _line("good.jpg", "1"),
        '{"OperationType": "ADD", "ProductId": "2", "PicName": "a b.jpg", "customcontent": 1}',
        '{"OperationType": "add", "ProductId": " 3", "PicName": "small.png", "Region": "1,2"}',
    )
    diagnostics = world.fresh()
    assert any(d.fix is not None for d in diagnostics)
    assert any(d.related for d in diagnostics)
    assert resultcache.decode(resultcache.encode(diagnostics)) == diagnostics


# -- property-ish: random manifests, random mutations -------------------------------------------

_NAMES = ["good.jpg", "small.png", "upper.jpg", "Upper.jpg", "sub/deep.jpg", "new.jpg", "x.png"]


def _mutations(world: World, rng: random.Random) -> list[Callable[[], None]]:
    bucket = world.bucket

    def edit_manifest() -> None:
        world.write(*(_line(rng.choice(_NAMES), str(n)) for n in range(rng.randint(0, 6))))

    def add_image() -> None:
        name = rng.choice(["new.jpg", "x.png", "sub/new.jpg"])
        size = rng.choice([(30, 30), (800, 800)])
        (bucket / name).write_bytes(_image("PNG" if name.endswith("png") else "JPEG", size))

    def remove_image() -> None:
        present = [p for p in bucket.rglob("*") if p.is_file() and p.name != "increment.meta"]
        if present:
            rng.choice(present).unlink()

    def rename_image() -> None:
        present = [p for p in bucket.glob("*.*") if p.is_file() and p.name != "increment.meta"]
        if present:
            path = rng.choice(present)
            path.rename(path.with_name(path.name.swapcase()))

    def replace_image() -> None:
        present = [p for p in bucket.rglob("*.jpg") if p.is_file()]
        if present:
            size = rng.choice([(30, 30), (800, 800), (900, 600)])
            rng.choice(present).write_bytes(_image("JPEG", size, rng.choice([None, 6])))

    return [edit_manifest, add_image, remove_image, rename_image, replace_image]


@pytest.mark.parametrize("seed", range(6))
def test_random_mutations_warm_equals_fresh(world: World, seed: int) -> None:
    rng = random.Random(seed)
    world.write(*(_line(rng.choice(_NAMES), str(n)) for n in range(rng.randint(1, 8))))
    _age(world.bucket)
    for _ in range(5):
        assert world.lint() == world.fresh()
        assert world.lint() == world.fresh()
        for _ in range(rng.randint(1, 2)):
            rng.choice(_mutations(world, rng))()
        if rng.random() < 0.7:
            _age(world.bucket)  # as if long ago: the entry is kept and must be checked
        assert world.lint() == world.fresh()
