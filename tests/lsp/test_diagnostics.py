"""Diagnostics through the protocol: pushed or pulled, versioned, exact, cleared on close."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from metalint.config import Config
from metalint.engine import lint_bytes
from metalint.lsp.documents import SLICE_LINES

from .lspkit import BAD_OP, CLEAN, Session

NO_IMAGES = Config(check_images=False)

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_a_finding_arrives_with_its_range_code_and_documentation(session: Session) -> None:
    uri = session.open(f"{CLEAN}\n{BAD_OP}\n")
    found = await session.diagnostics(uri)
    assert [d.code for d in found] == ["ML102"]
    (d,) = found
    assert d.source == "metalint"
    assert d.severity == types.DiagnosticSeverity.Error
    start = BAD_OP.index('"add"')
    assert d.range == types.Range(types.Position(1, start), types.Position(1, start + len('"add"')))
    assert d.code_description is not None and "ML102" in d.code_description.href
    assert '"add"' in d.message


async def test_an_edit_brings_diagnostics_for_its_version(session: Session) -> None:
    uri = session.open(f"{CLEAN}\n{BAD_OP}\n")
    assert [d.code for d in await session.diagnostics(uri)] == ["ML102"]
    at = BAD_OP.index("add")
    session.edit(uri, (1, at), (1, at + 3), "ADD")
    assert await session.diagnostics(uri, until=lambda found: not found) == []
    session.edit(uri, (0, 0), (0, 0), "[")
    found = await session.diagnostics(uri, until=bool)
    assert {d.range.start.line for d in found} == {0}


async def test_edits_while_a_large_document_is_prepared_land_where_they_were_made(
    session: Session,
) -> None:
    # Open a manifest large enough to be built in many slices, and once its first findings
    # are in, edit it: at its start, past what can be built yet, and across the two, before
    # the build is done. The diagnostics of the last version are those of its whole text.
    count = 10 * SLICE_LINES
    lines = [CLEAN.replace('"1"', f'"{n}"').replace("a.jpg", f"{n}.jpg") for n in range(count)]
    uri = session.open("\n".join(lines) + "\n")
    assert await session.diagnostics(uri) == []
    far = count - 10
    session.edit(uri, (far, 0), (far + 1, 0), BAD_OP + "\n")
    session.edit(uri, (0, 0), (0, 0), lines[far - 1] + "\n")  # a copy of a line not yet built
    session.edit(uri, (5, 3), (count - 100, 3), "")  # joins line 5 with one far down
    text = "\n".join([lines[far - 1], *lines[:far], BAD_OP, *lines[far + 1 :]]) + "\n"
    rows = text.split("\n")
    rows[5 : count - 99] = [rows[5][:3] + rows[count - 100][3:]]
    text = "\n".join(rows)
    expected = {(d.span.line - 1, d.code) for d in lint_bytes(text.encode(), config=NO_IMAGES)}
    assert {"ML102", "ML203"} <= {code for _, code in expected}
    found = await session.diagnostics(uri, until=lambda found: len(found) == len(expected))
    assert {(d.range.start.line, d.code) for d in found} == expected


async def test_closing_clears_the_diagnostics(session: Session) -> None:
    uri = session.open(f"{BAD_OP}\n")
    assert await session.diagnostics(uri)
    session.close(uri)
    if session.pulls:
        return
    loop_wait = 0
    while not any(p.uri == uri and not p.diagnostics for p in session.published):
        loop_wait += 1
        assert loop_wait < 500
        await __import__("asyncio").sleep(0.01)


def _units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode())
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le")) // 2


async def test_ranges_on_a_line_of_cjk_and_emoji_are_in_the_negotiated_encoding(
    session: Session,
) -> None:
    line = (
        '{"OperationType": "ADD", "ProductId": "商品😀", "PicName": "图/😀.jpg",'
        ' "CustomContent": "x", "Crop": "false"}'
    )
    uri = session.open(f"{line}\n")
    (d,) = await session.diagnostics(uri)
    assert d.code == "ML103"
    start = line.index('"false"')
    assert session.encoding == ("utf-8" if session.pulls else "utf-16")
    expected = _units(line[:start], session.encoding)
    assert d.range.start == types.Position(0, expected)
    assert d.range.end == types.Position(0, expected + len('"false"'))


async def test_an_edit_after_emoji_lands_where_the_client_meant(session: Session) -> None:
    line = '{"OperationType": "add", "ProductId": "😀😀", "PicName": "a.jpg", "CustomContent": "x"}'
    uri = session.open(f"{CLEAN}\n{line}\n")
    assert [d.code for d in await session.diagnostics(uri)] == ["ML102"]
    # Replace the second emoji by "b", in the client's units.
    at = line.index("😀") + 1
    start = _units(line[:at], session.encoding)
    session.edit(uri, (1, start), (1, start + _units("😀", session.encoding)), "b")
    session.edit(uri, (1, line.index("add")), (1, line.index("add") + 3), "ADD")
    assert await session.diagnostics(uri, until=lambda found: not found) == []


async def test_a_duplicate_points_at_the_earlier_line(session: Session) -> None:
    uri = session.open(f"{CLEAN}\n{BAD_OP}\n{CLEAN}\n")
    found = await session.diagnostics(uri)
    (dup,) = [d for d in found if d.code == "ML203"]
    assert dup.range.start.line == 2
    (related,) = dup.related_information or []
    assert related.location.uri == uri
    assert related.location.range.start.line == 0


async def test_a_near_miss_name_gets_ml001_and_other_names_nothing(session: Session) -> None:
    uri = session.open(f"{CLEAN}\n", name="increment.meta.txt")
    assert "ML001" in [d.code for d in await session.diagnostics(uri)]
    other = session.open(f"{BAD_OP}\n", name="notes.json")
    if session.pulls:
        report = await session.pull(other)
        assert list(report.items) == []
    await asyncio.sleep(0.3)
    assert not any(p.uri == other for p in session.published)


async def test_full_text_changes_are_taken_too(session: Session) -> None:
    uri = session.open(f"{CLEAN}\n{CLEAN}\n")
    assert [d.code for d in await session.diagnostics(uri)] == ["ML203"]
    session.replace(uri, f"{CLEAN}\n{BAD_OP}\n")
    found = await session.diagnostics(uri, until=lambda f: [d.code for d in f] == ["ML102"])
    assert found[0].range.start.line == 1
