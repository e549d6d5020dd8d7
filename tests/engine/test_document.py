"""The incremental document: after any sequence of edits its diagnostics are exactly what the
batch engine finds in its bytes, and an edit costs the lines it touches, not the document."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metalint.config import Config, PerFileIgnore
from metalint.diagnostics import Diagnostic
from metalint.document import Document, split_lines
from metalint.engine import lint_bytes
from metalint.index import LineIndex
from metalint.run import Run
from metalint.service import Service

from .strategies import lines

CONFIG = Config(check_images=False)
PATH = "increment.meta"
BOM = b"\xef\xbb\xbf"


def add(pid: str = "1", pic: str = "a.jpg", content: str = "", end: bytes = b"\n") -> bytes:
    return (
        f'{{"OperationType": "ADD", "ProductId": "{pid}", "PicName": "{pic}", '
        f'"CustomContent": "{content}"}}'
    ).encode() + end


def delete(pid: str = "1", pic: str | None = None, end: bytes = b"\n") -> bytes:
    image = "" if pic is None else f', "PicName": "{pic}"'
    return f'{{"OperationType": "DELETE", "ProductId": "{pid}"{image}}}'.encode() + end


def expected(doc: Document, config: Config = CONFIG, path: str = PATH) -> list[Diagnostic]:
    return lint_bytes(doc.data(), path, config)


def codes(found: list[Diagnostic]) -> list[tuple[str, int]]:
    return [(d.code, d.span.line) for d in found]


# -- random edit sequences ----------------------------------------------------------------------

PIDS = ["1", "2", "商品"]
PICS = ["a.jpg", "b.jpg"]
clean_lines = st.one_of(
    st.builds(
        add,
        st.sampled_from(PIDS),
        st.sampled_from(PICS),
        st.sampled_from(["", "v2"]),
        st.sampled_from([b"\n", b"\n", b"\r\n"]),
    ),
    st.builds(
        delete,
        st.sampled_from(PIDS),
        st.sampled_from([None, *PICS]),
        st.sampled_from([b"\n", b"\n", b"\r\n"]),
    ),
)
odd_lines = st.sampled_from(
    [
        b"\n",
        b"\r\n",
        b"  \n",
        b"not json\n",
        b'{"OperationType": "ADD", "ProductId": "1"\n',
        b'{"OperationType": "ADD", "ProductId": 1, "PicName": "a.jpg"}\n',
        b'{"OperationType": "UPDATE", "ProductId": "1"}\n',
        b"\xff\xfe\n",
        b'{"ProductId": "\xe9"}\n',
        b"[1, 2]\n",
        BOM + delete("1"),
        BOM + b"\n",
        add("2", "a.jpg", "v2 ", b" \n"),
        add("1", end=b""),
        b"no newline",
        b'{"operator": "ADD", "item_id": "1", "cust_content": "", "pic_list": ["a.jpg", "b.jpg"]}'
        b"\n",
        b'{"operator": "DELETE", "item_id": "1"}\n',
        b'{"operator": "DELETE", "item_id": "2", "pic_list": ["a.jpg"]}\n',
        b'{"operator": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": ""}\n',
    ]
)
any_line = st.one_of(clean_lines, clean_lines, odd_lines, lines().map(lambda line: line.data))


@st.composite
def edits(draw: st.DrawFn, count: int) -> tuple[int, int, list[bytes]]:
    kind = draw(st.sampled_from(["insert", "delete", "replace", "replace"]))
    start = draw(st.integers(0, count))
    if kind == "insert":
        return start, start, draw(st.lists(any_line, min_size=1, max_size=3))
    end = draw(st.integers(start, min(count, start + 3)))
    if kind == "delete":
        return start, end, []
    return start, end, draw(st.lists(any_line, min_size=0, max_size=3))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(any_line, max_size=10), st.sampled_from(list(Service)), st.data())
def test_random_edits_match_the_batch_engine(
    start: list[bytes], service: Service, data: st.DataObject
) -> None:
    config = Config(service=service, check_images=False)
    model = split_lines(b"".join(start))
    doc = Document(PATH, b"".join(model), config)
    assert doc.diagnostics() == lint_bytes(b"".join(model), PATH, config)
    for _ in range(data.draw(st.integers(1, 12), label="steps")):
        begin, end, new = data.draw(edits(len(model)), label="edit")
        doc.edit(begin, end, new)
        model[begin:end] = new
        model = split_lines(b"".join(model))
        assert doc.lines() == model
        assert doc.diagnostics() == lint_bytes(b"".join(model), PATH, config)


# -- plain cases --------------------------------------------------------------------------------


def test_a_duplicate_appears_and_disappears() -> None:
    doc = Document(PATH, add() + delete("2"), CONFIG)
    assert codes(doc.diagnostics()) == []
    doc.edit(2, 2, [add(content="v2")])
    assert codes(doc.diagnostics()) == [("ML201", 3)]
    doc.edit(2, 3, [add()])
    assert codes(doc.diagnostics()) == [("ML203", 3)]
    assert doc.diagnostics() == expected(doc)
    doc.edit(0, 1, [])
    assert codes(doc.diagnostics()) == []
    assert doc.diagnostics() == expected(doc)


def test_a_conflict_appears_as_a_delete_is_typed() -> None:
    doc = Document(PATH, add("7") + add("8"), CONFIG)
    doc.edit(2, 2, [b"\n"])
    typed = delete("7")[:-1]
    for at in range(1, len(typed) + 1):
        doc.edit(2, 3, [typed[:at] + b"\n"])
        assert doc.diagnostics() == expected(doc)
    assert codes(doc.diagnostics()) == [("ML202", 3)]
    assert "ADD on line 1" in doc.diagnostics()[0].message


def test_line_numbers_shift_after_an_insertion_above() -> None:
    doc = Document(PATH, add() + b"oops\n" + add(content="v2"), CONFIG)
    assert codes(doc.diagnostics()) == [("ML005", 2), ("ML201", 3)]
    doc.edit(1, 1, [delete("5"), delete("6")])
    found = doc.diagnostics()
    assert codes(found) == [("ML005", 4), ("ML201", 5)]
    assert "already added on line 1" in found[1].message
    doc.edit(0, 0, [b"\n"])
    found = doc.diagnostics()
    assert codes(found) == [("ML008", 1), ("ML005", 5), ("ML201", 6)]
    assert "already added on line 2" in found[2].message
    assert found[2].related[0].span.line == 2
    assert found == expected(doc)


def test_the_first_line_is_linted_as_first() -> None:
    doc = Document(PATH, BOM + delete(), CONFIG)
    assert codes(doc.diagnostics()) == [("ML003", 1)]
    doc.edit(0, 0, [add("2")])
    assert doc.diagnostics() == expected(doc)
    assert "ML003" not in {d.code for d in doc.diagnostics()}
    doc.edit(0, 1, [])
    assert codes(doc.diagnostics()) == [("ML003", 1)]


def test_lines_are_whole_lines_whatever_the_edit() -> None:
    doc = Document(PATH, add(end=b""), CONFIG)
    doc.edit(1, 1, [delete("2")])  # after a last line without an ending: joins it
    assert len(doc) == 1
    assert doc.diagnostics() == expected(doc)
    doc.edit(0, 1, [add() + delete("2")])  # two lines in one
    assert doc.lines() == [add(), delete("2")]
    doc.edit(0, 0, [b"partial"])  # no ending: joins the line below
    assert doc.lines() == [b"partial" + add(), delete("2")]
    assert doc.diagnostics() == expected(doc)
    with pytest.raises(IndexError):
        doc.edit(1, 3, [])


def test_empty_and_misnamed_documents() -> None:
    config = Config(
        check_images=False, per_file_ignores=(PerFileIgnore("*.txt", frozenset({"ML201"})),)
    )
    doc = Document("increment.txt", b"", config)
    assert doc.diagnostics() == expected(doc, config, "increment.txt")
    doc.edit(0, 0, [add(), add(content="v2"), b"\n"])
    assert doc.diagnostics() == expected(doc, config, "increment.txt")
    assert "ML201" not in {d.code for d in doc.diagnostics()}
    doc.edit(0, 3, [b"x\n"])
    assert doc.diagnostics() == expected(doc, config, "increment.txt")


# -- cost ---------------------------------------------------------------------------------------


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """From now on, how many lines ``Run.lint_line`` linted, how many a ``LineIndex`` was
    given, and how many pairs of lines the between-line rules were run on."""
    calls = {"linted": 0, "indexed": 0, "paired": 0}

    def counting(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def counted_call(*args: Any) -> Any:
            calls[name] += 1
            return method(*args)

        return counted_call

    monkeypatch.setattr(Run, "lint_line", counting("linted", Run.lint_line))
    monkeypatch.setattr(LineIndex, "record", counting("indexed", LineIndex.record))
    monkeypatch.setattr(LineIndex, "other_line", counting("indexed", LineIndex.other_line))
    monkeypatch.setattr(Document, "_render", counting("paired", Document._render))
    yield calls


def test_an_edit_costs_its_lines_not_the_document(counted: dict[str, int]) -> None:
    size = 20_000
    body = [add(str(n // 4), f"{n % 4}.jpg") if n % 50 else b"\n" for n in range(size)]
    body[101] = b"oops\n"
    doc = Document(PATH, b"".join(body), CONFIG)
    assert counted["linted"] == size
    assert codes(doc.diagnostics())[:4] == [
        ("ML008", 1),
        ("ML008", 51),
        ("ML008", 101),
        ("ML005", 102),
    ]

    for start, end, new, shows in [
        # A duplicate of the line above, then a conflict with lines 41 to 44.
        (15_002, 15_003, [add("3750", "1.jpg", "v2")], ("ML201", 15_003)),
        (15_002, 15_003, [delete("10")], ("ML202", 15_003)),
        # New lines: the rest moves down, and back.
        (10_001, 10_001, [add("x"), b"\n"], ("ML202", 15_005)),
        (10_001, 10_003, [], ("ML202", 15_003)),
        # The first of 400 blank lines goes and a copy of a broken line comes; then a line
        # at the top, where the old first line is linted again.
        (0, 1, [b"oops\n"], ("ML203", 102)),
        (0, 0, [b"\n"], ("ML203", 103)),
    ]:
        counted.update(linted=0, indexed=0, paired=0)
        doc.edit(start, end, new)
        assert counted["linted"] <= len(new) + 1
        # Only the groups the edit touched are paired again, and of the blank lines' group
        # only the pairs that changed: a handful of lines.
        assert counted["indexed"] <= 10
        assert counted["paired"] <= 6
        assert shows in codes(doc.diagnostics())
        assert doc.diagnostics() == expected(doc)
    assert len(doc) == size + 1
