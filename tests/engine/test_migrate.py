"""Migrating the older format: what each line becomes, what is left, and a property test that
any valid older file becomes a current one with the same operations and no new errors."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metalint.config import Config
from metalint.diagnostics import Severity
from metalint.engine import lint_bytes
from metalint.fixfile import FileChanged
from metalint.index import line_operations
from metalint.migrate import migrate_data, migrate_file

CONFIG = Config(check_images=False)


def lines_of(data: bytes) -> list[str]:
    return data.decode().splitlines()


def test_an_add_of_several_images_becomes_a_line_each() -> None:
    data = (
        b'{"operator":"ADD","item_id":"1000","cat_id":88888888,"cust_content":"this is product '
        b'1000","pic_list":["001.jpg","002.jpg"],"int_attr":3,"str_attr":"red"}\n'
    )
    migrated = migrate_data(data)
    assert [json.loads(line) for line in lines_of(migrated.data)] == [
        {
            "OperationType": "ADD", "ProductId": "1000", "PicName": pic, "CategoryId": 88888888,
            "CustomContent": "this is product 1000", "IntAttr": 3, "StrAttr": "red",
        }
        for pic in ("001.jpg", "002.jpg")
    ]  # fmt: skip
    assert (migrated.migrated, migrated.written, migrated.left) == (1, 2, ())


def test_deletes_with_and_without_images_and_a_numeric_item_id() -> None:
    data = (
        b'{"operator": "DELETE", "item_id": 1005}\n'
        b'{"operator": "DELETE", "item_id": "7", "pic_list": ["a.jpg", "b.jpg", "a.jpg"]}\n'
    )
    assert lines_of(migrate_data(data).data) == [
        '{"OperationType": "DELETE", "ProductId": "1005"}',
        '{"OperationType": "DELETE", "ProductId": "7", "PicName": "a.jpg"}',
        '{"OperationType": "DELETE", "ProductId": "7", "PicName": "b.jpg"}',
    ]


def test_other_lines_keep_their_bytes_and_their_place() -> None:
    current = b'{"OperationType": "DELETE", "ProductId": "1"}  \r\n'
    data = (
        b"\xef\xbb\xbf" + b'{"operator": "DELETE", "item_id": "2"}\r\n'
        + current
        + b"\n"
        + b"not json\n"
        + b'{"operator": "ADD", "item_id": "3", "cust_content": "", "pic_list": ["x.jpg", "y.jpg"]}'
    )  # fmt: skip
    migrated = migrate_data(data)
    assert migrated.data == (
        b"\xef\xbb\xbf" + b'{"OperationType": "DELETE", "ProductId": "2"}\r\n'
        + current
        + b"\n"
        + b"not json\n"
        + b'{"OperationType": "ADD", "ProductId": "3", "PicName": "x.jpg", "CustomContent": ""}\n'
        + b'{"OperationType": "ADD", "ProductId": "3", "PicName": "y.jpg", "CustomContent": ""}'
    )  # fmt: skip
    assert migrate_data(migrated.data).data == migrated.data


def test_values_are_carried_over_as_they_are() -> None:
    data = (
        '{"operator": "add", "item_id": "商品", "cat_id": "3", "cust_content": "\\ud800", '
        '"pic_list": ["/a.jpg"], "Colour": "red"}\n'
    )
    migrated = migrate_data(data.encode())
    assert lines_of(migrated.data) == [
        '{"OperationType": "add", "ProductId": "商品", "PicName": "/a.jpg", "CategoryId": "3", '
        '"CustomContent": "\\ud800", "Colour": "red"}'
    ]
    before = {(d.code, d.key) for d in lint_bytes(data.encode(), config=CONFIG)}
    after = {(d.code, d.key) for d in lint_bytes(migrated.data, config=CONFIG)}
    assert {"ML102", "ML103", "ML121", "ML013", "ML109"} <= {code for code, _ in after}
    assert {code for code, _ in before} - {"ML014"} == {code for code, _ in after}


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ('{"operator": "ADD", "ProductId": "1", "pic_list": ["a.jpg"]}', "mixes the two formats"),
        ('{"operator": "ADD", "item_id": "1", "cust_content": ""}', "names no image"),
        ('{"operator": "DELETE", "item_id": "1", "pic_list": []}', "not a list of image names"),
        ('{"operator": "DELETE", "item_id": "1", "pic_list": "a.jpg"}', "not a list of image"),
        ('{"item_id": "1", "pic_list": ["a.jpg"]}', "without 'operator' or 'item_id'"),
        ('{"operator": "DELETE", "item_id": "1"},', "not one JSON object"),
    ],
)
def test_a_line_that_cannot_be_rewritten_is_left_and_reported(line: str, why: str) -> None:
    data = f'{{"operator": "DELETE", "item_id": "0"}}\n{line}\n'.encode()
    migrated = migrate_data(data)
    assert lines_of(migrated.data)[1] == line
    assert [(left.line, why in left.why) for left in migrated.left] == [(2, True)]


def test_a_current_file_is_left_alone() -> None:
    data = Path(__file__).parents[1].joinpath("fixtures", "seed-example.meta").read_bytes()
    assert migrate_data(data) == (data, data, 0, 0, ())


def test_the_file_is_replaced_with_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "increment.meta"
    path.write_bytes(b'{"operator": "DELETE", "item_id": "1"}\n')
    path.chmod(0o640)
    assert migrate_file(path, write=False).migrated == 1
    assert path.read_bytes() == b'{"operator": "DELETE", "item_id": "1"}\n'
    migrate_file(path)
    assert path.read_bytes() == b'{"OperationType": "DELETE", "ProductId": "1"}\n'
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["increment.meta"]


def test_a_file_changed_meanwhile_is_left_as_the_other_writer_left_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import metalint.migrate as migrate

    path = tmp_path / "increment.meta"
    path.write_bytes(b'{"operator": "DELETE", "item_id": "1"}\n')
    original = migrate.migrate_data

    def another_writer_meanwhile(data: bytes) -> migrate.Migrated:
        result = original(data)
        path.write_bytes(b'{"operator": "DELETE", "item_id": "2"}\n')
        return result

    monkeypatch.setattr(migrate, "migrate_data", another_writer_meanwhile)
    with pytest.raises(FileChanged):
        migrate_file(path)
    assert path.read_bytes() == b'{"operator": "DELETE", "item_id": "2"}\n'


# -- the property ---------------------------------------------------------------------------

CATEGORIES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 21, 22, 88888888]
product = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8),
    st.integers(0, 10**12),
)
image = st.builds(
    lambda folder, stem, ext: f"{folder}{stem}.{ext}",
    st.sampled_from(["", "shoes/", "图片/"]),
    st.text("abcXYZ019_-", min_size=1, max_size=6),
    st.sampled_from(["jpg", "JPG", "png", "jpeg", "webp", "tif"]),
)
content = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
attr = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=10).filter(
    lambda s: not set(s) & set("\\¥$&%")
)


@st.composite
def older_line(draw: st.DrawFn) -> dict[str, object]:
    op = draw(st.sampled_from(["ADD", "DELETE"]))
    obj: dict[str, object] = {"operator": op, "item_id": draw(product)}
    if op == "ADD":
        obj["cust_content"] = draw(content)
        for key, values in (
            ("cat_id", st.sampled_from(CATEGORIES)),
            ("int_attr", st.integers(-(2**31), 2**31 - 1)),
            ("str_attr", attr),
        ):
            if draw(st.booleans()):
                obj[key] = draw(values)
    if op == "ADD" or draw(st.booleans()):
        obj["pic_list"] = draw(st.lists(image, min_size=1, max_size=4))
    return dict(sorted(obj.items(), key=lambda _: draw(st.floats(0, 1))))


def operations(data: bytes) -> Iterator[tuple[str, str, str | None]]:
    for raw in data.splitlines():
        obj = json.loads(raw)
        if isinstance(obj.get("item_id"), int):
            obj["item_id"] = str(obj["item_id"])  # what the quoting fix makes of it
        yield from line_operations(obj)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(older_line(), min_size=1, max_size=6),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_migrating_a_valid_older_file(
    objects: list[dict[str, object]], ending: str, compact: bool
) -> None:
    separators = (",", ":") if compact else (", ", ": ")
    text = ending.join(json.dumps(o, ensure_ascii=False, separators=separators) for o in objects)
    data = (text + ending).encode()
    errors_before = {
        (d.code, d.message)
        for d in lint_bytes(data, config=CONFIG)
        if d.severity is Severity.ERROR and d.code != "ML103"  # a numeric item_id
    }
    assert errors_before == set()

    migrated = migrate_data(data)
    assert migrated.left == ()
    assert list(operations(migrated.data)) == list(operations(data))
    found = lint_bytes(migrated.data, config=CONFIG)
    assert [d for d in found if d.severity is Severity.ERROR] == []
    assert "ML014" not in {d.code for d in found}
    assert migrate_data(migrated.data).data == migrated.data
