"""Looking images up safely: exact case, inside the root, regular files only, never a crash."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from imagekit import codes, encode, run_stage, stage_for, write

from metalint.config import Config
from metalint.images import ImageRef
from metalint.images.reader import read_file


def test_missing_image(root: Path) -> None:
    findings = run_stage(root, ["shoes/red.jpg"])
    assert [(f.code, f.line, f.target) for f in findings] == [("ML301", 1, "PicName")]
    assert "'shoes/red.jpg'" in findings[0].message


def test_case_mismatch_in_the_file_name(root: Path) -> None:
    write(root, "shoes/red.jpg", encode("JPEG"))
    findings = run_stage(root, ["shoes/Red.jpg"])
    assert codes(findings) == {"ML302"}
    assert "'shoes/red.jpg'" in findings[0].message


def test_case_mismatch_in_a_folder_name(root: Path) -> None:
    write(root, "Shoes/red.jpg", encode("JPEG"))
    findings = run_stage(root, ["shoes/red.jpg"])
    assert codes(findings) == {"ML302"}
    assert "'Shoes/red.jpg'" in findings[0].message


def test_case_mismatch_still_checks_the_image(root: Path) -> None:
    write(root, "a.jpg", encode("JPEG", (50, 50)))
    assert codes(run_stage(root, ["A.jpg"])) == {"ML302", "ML306"}


def test_exact_name_beside_a_case_twin_is_fine(root: Path) -> None:
    write(root, "a.jpg", encode("JPEG"))
    write(root, "A.jpg", encode("JPEG", (50, 50)))
    assert run_stage(root, ["a.jpg"]) == []


def test_symlink_escaping_the_root_is_not_followed(root: Path, tmp_path: Path) -> None:
    secret = write(tmp_path, "secret.jpg", encode("JPEG", (50, 50)))
    (root / "link.jpg").symlink_to(secret)
    findings = run_stage(root, ["link.jpg"])
    assert codes(findings) == {"ML312"}


def test_symlinked_folder_escaping_the_root(root: Path, tmp_path: Path) -> None:
    write(tmp_path, "outside/a.jpg", encode("JPEG"))
    (root / "images").symlink_to(tmp_path / "outside")
    assert codes(run_stage(root, ["images/a.jpg"])) == {"ML312"}


def test_symlink_inside_the_root_is_followed(root: Path) -> None:
    write(root, "real/a.jpg", encode("JPEG", orientation=6))
    (root / "link.jpg").symlink_to(root / "real" / "a.jpg")
    assert codes(run_stage(root, ["link.jpg"])) == {"ML307"}


def test_broken_symlink_is_missing(root: Path) -> None:
    (root / "gone.jpg").symlink_to(root / "nowhere.jpg")
    findings = run_stage(root, ["gone.jpg"])
    assert codes(findings) == {"ML301"}
    assert "broken symbolic link" in findings[0].message


@pytest.mark.parametrize("name", ["../a.jpg", "x/../../a.jpg", "/etc/passwd.jpg", "C:\\a.jpg"])
def test_names_leaving_the_root_are_not_followed(root: Path, name: str) -> None:
    write(root.parent, "a.jpg", encode("JPEG"))
    assert codes(run_stage(root, [name])) == {"ML312"}


def test_fifo_is_reported_and_never_opened(root: Path) -> None:
    os.mkfifo(root / "pipe.jpg")
    findings = run_stage(root, ["pipe.jpg"])
    assert codes(findings) == {"ML313"}
    assert "FIFO" in findings[0].message


def test_directory_named_like_an_image(root: Path) -> None:
    (root / "a.jpg").mkdir()
    findings = run_stage(root, ["a.jpg"])
    assert codes(findings) == {"ML313"}
    assert "directory" in findings[0].message


def test_device_named_like_an_image(root: Path) -> None:
    (root / "null.jpg").symlink_to("/dev/null")
    # /dev/null is outside the root: the link is not followed, let alone opened.
    assert codes(run_stage(root, ["null.jpg"])) == {"ML312"}
    assert codes(run_stage(Path("/dev"), ["null"])) == {"ML313"}


def test_reader_refuses_a_fifo_without_blocking(root: Path) -> None:
    os.mkfifo(root / "pipe.jpg")
    assert read_file(str(root / "pipe.jpg")) == "no longer a regular file"


def test_reader_does_not_follow_a_final_symlink(root: Path) -> None:
    write(root, "a.jpg", encode("JPEG"))
    (root / "link.jpg").symlink_to(root / "a.jpg")
    assert isinstance(read_file(str(root / "link.jpg")), str)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(root: Path) -> None:
    path = write(root, "a.jpg", encode("JPEG"))
    path.chmod(0)
    try:
        findings = run_stage(root, ["a.jpg"])
    finally:
        path.chmod(0o644)
    assert codes(findings) == {"ML314"}
    assert "Permission denied" in findings[0].message


@pytest.mark.skipif(os.geteuid() == 0, reason="root searches folders whatever their mode")
def test_unsearchable_folder(root: Path) -> None:
    write(root, "locked/a.jpg", encode("JPEG"))
    (root / "locked").chmod(0)
    try:
        findings = run_stage(root, ["locked/a.jpg"])
    finally:
        (root / "locked").chmod(0o755)
    assert codes(findings) == {"ML314"}


def test_images_root_replaces_the_manifest_folder(root: Path, tmp_path: Path) -> None:
    write(tmp_path / "elsewhere", "a.jpg", encode("JPEG", (50, 50)))
    config = Config(images_root=tmp_path / "elsewhere", use_cache=False)
    assert codes(run_stage(root, ["a.jpg"], config)) == {"ML306"}


def test_each_image_is_read_once_and_reported_on_every_line(root: Path) -> None:

    write(root, "a.jpg", encode("JPEG", orientation=3))
    stage = stage_for(root, Config(use_cache=False))
    for line in (1, 5, 9):
        stage.add(ImageRef(line, "a.jpg", None))
    findings = list(stage.finish())
    assert [(f.line, f.code) for f in findings] == [(1, "ML307"), (5, "ML307"), (9, "ML307")]
    assert stage.stats.read == 1


def test_disabled_rules_are_skipped(root: Path) -> None:

    write(root, "a.jpg", encode("JPEG", (50, 50), orientation=6))
    disabled = frozenset(f"ML3{n:02}" for n in [*range(4, 12), *range(15, 18)])
    stage = stage_for(root, Config(use_cache=False, disabled=disabled))
    stage.add(ImageRef(1, "a.jpg", None))
    stage.add(ImageRef(2, "b.jpg", None))
    assert [(f.line, f.code) for f in stage.finish()] == [(2, "ML301")]
    assert stage.stats.read == 0


def _as_nobody(root: Path, names: list[str]) -> list[str]:
    """The codes a stage reports when run by an unprivileged user, in a forked child (root can
    read everything, so a permission test means something only without root's privileges)."""
    import json

    import metalint.images.readers  # noqa: F401  (imported here: nobody cannot read the stdlib's home)

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(read_end)
            os.setgid(65534)
            os.setuid(65534)
            found = sorted(f.code for f in run_stage(root, names))
            os.write(write_end, json.dumps(found).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        output = pipe.read()
    os.waitpid(pid, 0)
    return list(json.loads(output))


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop privileges")
def test_unreadable_file_and_folder_as_an_unprivileged_user() -> None:
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp())
    try:
        folder.chmod(0o755)
        write(folder, "a.jpg", encode("JPEG")).chmod(0o600)
        write(folder, "locked/b.jpg", encode("JPEG"))
        (folder / "locked").chmod(0o700)
        write(folder, "ok.jpg", encode("JPEG")).chmod(0o644)
        assert _as_nobody(folder, ["a.jpg", "locked/b.jpg", "ok.jpg"]) == ["ML314", "ML314"]
    finally:
        shutil.rmtree(folder)


def _case_insensitive(lstat: Callable[[str], os.stat_result]) -> Callable[[str], os.stat_result]:
    """``lstat`` as on a case-insensitive file system (macOS, Windows by default): a name in any
    case finds the file, while directory listings keep the names as they were created."""

    def real_case(path: str) -> str:
        try:
            lstat(path)
            return path
        except FileNotFoundError:
            folder, _, name = path.rpartition(os.sep)
            real_folder = real_case(folder)
            for candidate in os.listdir(real_folder):
                if candidate.casefold() == name.casefold():
                    return real_folder + os.sep + candidate
            raise

    return lambda path: lstat(real_case(path))


def test_case_mismatch_on_a_case_insensitive_file_system(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the wrong case still opens the file, the real listing decides."""
    import metalint.images.lookup as lookup

    write(root, "Shoes/red.jpg", encode("JPEG"))
    write(root, "Shoes/blue.jpg", encode("JPEG"))
    monkeypatch.setattr(lookup.os, "lstat", _case_insensitive(os.lstat))
    findings = run_stage(root, ["shoes/RED.jpg", "Shoes/blue.jpg"])
    assert [(f.line, f.code) for f in findings] == [(1, "ML302")]
    assert "'Shoes/red.jpg'" in findings[0].message
