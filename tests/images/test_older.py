"""The images of an older line's pic_list, checked like an ADD's image, each finding on the
entry that names the image."""

from __future__ import annotations

import json
from pathlib import Path

from imagekit import encode, write

from metalint.config import Config
from metalint.engine import lint_file


def _manifest(root: Path, *lines: dict[str, object]) -> Path:
    path = root / "increment.meta"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def _older_add(item: str, *pics: str) -> dict[str, object]:
    return {"operator": "ADD", "item_id": item, "cust_content": "", "pic_list": list(pics)}


def test_every_image_of_pic_list_is_checked(root: Path, tmp_path: Path) -> None:
    write(root, "ok.jpg", encode("JPEG", (320, 200)))
    write(root, "rotated.jpg", encode("JPEG", (320, 200), orientation=6))
    write(root, "small.png", encode("PNG", (50, 50)))
    write(root, "Case.jpg", encode("JPEG", (320, 200)))
    path = _manifest(
        root,
        _older_add("1", "ok.jpg", "rotated.jpg", "missing.jpg"),
        _older_add("2", "small.png", "case.jpg", "ok.jpg"),
        {"operator": "DELETE", "item_id": "3", "pic_list": ["gone.jpg"]},
    )
    found = lint_file(path, Config(cache_dir=tmp_path / "cache"))
    lines = path.read_text().splitlines()
    images = {
        (d.span.line, d.code, lines[d.span.line - 1][d.span.column - 1 : d.span.end_column - 1])
        for d in found
        if d.code.startswith("ML3")
    }
    assert images == {
        (1, "ML307", '"rotated.jpg"'),
        (1, "ML301", '"missing.jpg"'),
        (2, "ML306", '"small.png"'),
        (2, "ML302", '"case.jpg"'),
    }
    assert all(d.key == "pic_list" for d in found if d.code.startswith("ML3"))


def test_a_name_the_rules_refuse_is_not_looked_up(root: Path, tmp_path: Path) -> None:
    write(root, "ok.jpg", encode("JPEG", (320, 200)))
    path = _manifest(root, _older_add("1", "/lead.jpg", "ok.jpg", "noext", "ok.jpg"))
    found = lint_file(path, Config(cache_dir=tmp_path / "cache"))
    assert sorted(d.code for d in found if d.code != "ML014") == ["ML120", "ML121"]


def test_all_images_found(root: Path, tmp_path: Path) -> None:
    for name in ("a.jpg", "sub/b.png", "c.webp"):
        write(root, name, encode(name.rsplit(".", 1)[1].upper().replace("JPG", "JPEG"), (320, 200)))
    path = _manifest(root, _older_add("1", "a.jpg", "sub/b.png"), _older_add("2", "c.webp"))
    found = lint_file(path, Config(cache_dir=tmp_path / "cache"))
    assert [d.code for d in found] == ["ML014"]
