"""An image named on the command line, as pre-commit names a changed one: the findings of the
lines of its manifest that use it."""

from __future__ import annotations

from pathlib import Path

import piexif
import pytest
from conftest import Invoke
from PIL import Image

LINE = '{{"OperationType": "ADD", "ProductId": "{n}", "PicName": "{pic}", "CustomContent": ""}}'


@pytest.fixture
def bucket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "bucket"
    (folder / "shoes").mkdir(parents=True)
    rotated = piexif.dump({"0th": {piexif.ImageIFD.Orientation: 6}})
    Image.new("RGB", (120, 120)).save(folder / "shoes" / "red.jpg", exif=rotated)
    Image.new("RGB", (120, 120)).save(folder / "blue.JPG", exif=rotated)
    Image.new("RGB", (120, 120)).save(folder / "unused.png")
    lines = [
        LINE.format(n=1, pic="shoes/red.jpg"),
        LINE.format(n=2, pic="blue.JPG"),
        LINE.format(n=3, pic="shoes/red.jpg"),
        '{"OperationType": "add", "ProductId": "4"}',
    ]
    (folder / "increment.meta").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def places(invoke: Invoke, *paths: str) -> list[str]:
    result = invoke("--isolated", "--no-cache", "--format", "concise", "-q", *paths)
    return [line.split(" ")[0] + " " + line.split(" ")[1] for line in result.stdout.splitlines()]


def test_an_image_brings_the_findings_of_the_lines_that_use_it(
    invoke: Invoke, bucket: Path
) -> None:
    assert places(invoke, "bucket/shoes/red.jpg") == [
        "bucket/increment.meta:1:55: ML307",
        "bucket/increment.meta:3:55: ML307",
    ]


def test_several_images_of_one_manifest_lint_it_once(invoke: Invoke, bucket: Path) -> None:
    found = places(invoke, "bucket/shoes/red.jpg", "bucket/blue.JPG")
    assert [p.split(":")[1] for p in found] == ["1", "2", "3"]


def test_an_image_no_line_uses_draws_nothing(invoke: Invoke, bucket: Path, tmp_path: Path) -> None:
    assert places(invoke, "bucket/unused.png") == []
    Image.new("RGB", (10, 10)).save(tmp_path / "alone.png")  # no manifest above it at all
    assert places(invoke, "alone.png") == []


def test_the_manifest_named_too_reports_everything_once(invoke: Invoke, bucket: Path) -> None:
    found = places(invoke, "bucket/shoes/red.jpg", "bucket/increment.meta")
    assert len(found) == len(set(found))
    assert any(":4:" in p for p in found)  # the line that uses no image


def test_an_image_in_an_older_pic_list(invoke: Invoke, bucket: Path) -> None:
    (bucket / "increment.meta").write_text(
        '{"operator": "ADD", "item_id": "1", "cust_content": "", "pic_list": ["blue.JPG", '
        '"shoes/red.jpg"]}\n{"operator": "DELETE", "item_id": "2"}\n',
        encoding="utf-8",
    )
    # The findings of the whole line that names it, the file's note on line 1 among them.
    assert places(invoke, "bucket/shoes/red.jpg") == [
        "bucket/increment.meta:1:1: ML014",
        "bucket/increment.meta:1:70: ML307",
        "bucket/increment.meta:1:82: ML307",
    ]
