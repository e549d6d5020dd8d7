"""The older manifest format as a whole: well-formed files, its schema against the current
one, and the same findings whichever path a line takes."""

from __future__ import annotations

import json

import pytest

from metalint.config import Config
from metalint.diagnostics import Diagnostic
from metalint.document import Document
from metalint.engine import lint_bytes
from metalint.index import line_operations
from metalint.older import COUNTERPARTS, CURRENT_KEYS, OLDER_KEYS, LineFormat, line_format
from metalint.schema import line_schema, older_line_schema

CONFIG = Config(check_images=False)


def older(op: str, item: object, pics: list[str] | None = None, **more: object) -> str:
    obj: dict[str, object] = {"operator": op, "item_id": item}
    if op == "ADD":
        obj["cust_content"] = "this is product 1000"
    obj.update(more)
    if pics is not None:
        obj["pic_list"] = pics
    return json.dumps(obj, ensure_ascii=False)


def lint(*lines: str) -> list[Diagnostic]:
    return lint_bytes(("\n".join(lines) + "\n").encode(), config=CONFIG)


def codes(found: list[Diagnostic]) -> list[tuple[str, int]]:
    return [(d.code, d.span.line) for d in found]


WELL_FORMED = {
    "an ADD of one image": [older("ADD", "1000", ["001.jpg"], cat_id=88888888)],
    "an ADD of several images": [
        older("ADD", "1000", ["001.jpg", "a/002.png", "003.JPEG"], int_attr=7, str_attr="red")
    ],
    "a DELETE of some images": [older("DELETE", "1000", ["001.jpg", "002.png"])],
    "a DELETE of the whole product": [older("DELETE", "1005")],
    "the issue's file": [
        '{"operator":"ADD","item_id":"1000","cat_id":88888888,"cust_content":"this is '
        'product 1000","pic_list":["001.jpg"]}',
        '{"operator":"DELETE","item_id":"1005"}',
    ],
    "twelve DELETEs": [older("DELETE", str(n)) for n in range(12)],
}


@pytest.mark.parametrize("lines", WELL_FORMED.values(), ids=list(WELL_FORMED))
def test_a_well_formed_older_file_draws_only_the_file_note(lines: list[str]) -> None:
    assert codes(lint(*lines)) == [("ML014", 1)]


def test_one_note_for_the_file_not_one_per_line_or_key() -> None:
    lines = [
        older("ADD", str(n), [f"{n}.jpg"], cat_id=0, int_attr=1, str_attr="x") for n in range(5)
    ]
    found = lint(*lines)
    assert codes(found) == [("ML014", 1)]
    assert "5 lines" in found[0].message and "metalint migrate" in found[0].message


def test_every_mistake_of_an_older_line_is_found_where_it_is() -> None:
    line = (
        '{"operator": "Add", "item_id": 1000, "cat_id": 15, "cust_content": "", '
        '"pic_list": ["ok.jpg", "/lead.jpg", "noext", 5], "int_attr": 99999999999, '
        '"str_attr": "a&b"}'
    )
    found = lint(line)
    shown = {(d.code, line[d.span.column - 1 : d.span.end_column - 1]) for d in found}
    assert shown == {
        ("ML011", "{"),  # "Add" is no operation
        ("ML014", "{"),
        ("ML102", '"Add"'),
        ("ML103", "1000"),
        ("ML105", "15"),
        ("ML121", '"/lead.jpg"'),
        ("ML120", '"noext"'),
        ("ML103", "5"),
        ("ML106", "99999999999"),
        ("ML107", "&"),
    }


def test_the_older_schema_holds_each_value_to_its_counterpart() -> None:
    current = line_schema()["properties"]
    for key, prop in older_line_schema()["properties"].items():
        counterpart = current[COUNTERPARTS[key]]
        if key == "pic_list":
            assert prop["type"] == "array"
            prop = prop["items"]
        strip = {k: v for k, v in prop.items() if k != "description"}
        assert strip == {k: v for k, v in counterpart.items() if k != "description"}, key
    assert set(older_line_schema()["properties"]) == OLDER_KEYS


def test_lines_are_told_apart_by_their_keys() -> None:
    assert line_format({"operator": "ADD"}) is LineFormat.OLDER
    assert line_format({"OperationType": "ADD"}) is LineFormat.CURRENT
    assert line_format({"operator": "ADD", "ProductId": "1"}) is LineFormat.MIXED
    assert line_format({}) is LineFormat.CURRENT
    assert line_format({"Colour": "red", "pic_list": []}) is LineFormat.OLDER
    assert OLDER_KEYS.isdisjoint(CURRENT_KEYS)


def test_an_older_line_is_an_operation_per_image() -> None:
    obj = json.loads(older("ADD", "1", ["a.jpg", "b.jpg", "a.jpg", 3]))  # type: ignore[list-item]
    assert line_operations(obj) == (("ADD", "1", "a.jpg"), ("ADD", "1", "b.jpg"))
    assert line_operations(json.loads(older("DELETE", "1"))) == (("DELETE", "1", None),)
    assert line_operations(json.loads(older("ADD", "1"))) == ()
    assert line_operations(json.loads(older("DELETE", 1))) == ()


def test_a_mixed_line_and_a_mixed_file() -> None:
    found = lint(
        older("ADD", "1", ["a.jpg"]),
        '{"OperationType": "DELETE", "ProductId": "2"}',
        '{"operator": "ADD", "pic_list": ["a.jpg"], "ProductId": "1000", "CustomContent": ""}',
        older("DELETE", "3"),
    )
    assert codes(found) == [("ML015", 1), ("ML111", 3)]
    assert "line 1 is in the older format (2 in all), line 2 in the current one (1 in all)" in (
        found[0].message
    )


def test_the_editor_s_document_agrees_with_the_batch_engine() -> None:
    lines = [
        older("ADD", "1", ["a.jpg", "b.jpg"]) + "\n",
        older("DELETE", "1", ["b.jpg"]) + "\n",
        older("ADD", 5, ["/c.jpg"]) + "\n",
    ]
    doc = Document("increment.meta", "".join(lines).encode(), CONFIG)
    assert doc.diagnostics() == lint_bytes(doc.data(), "increment.meta", CONFIG)
    doc.edit(1, 1, [b'{"OperationType": "DELETE", "ProductId": "1"}\n'])
    assert doc.diagnostics() == lint_bytes(doc.data(), "increment.meta", CONFIG)
    assert "ML015" in {d.code for d in doc.diagnostics()}
    doc.edit(1, 2, [])
    assert doc.diagnostics() == lint_bytes(doc.data(), "increment.meta", CONFIG)
    assert "ML014" in {d.code for d in doc.diagnostics()}
