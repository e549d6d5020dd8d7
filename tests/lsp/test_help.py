"""Hover, completion, inlay hints and document links."""

from __future__ import annotations

import struct
import zlib

import pytest
from lsprotocol import types

from .lspkit import BAD_OP, CLEAN, Session

pytestmark = pytest.mark.asyncio(loop_scope="module")


def png(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    body = zlib.compress(b"\0" * (width * 3 + 1) * height)
    idat = (
        struct.pack(">I", len(body))
        + b"IDAT"
        + body
        + struct.pack(">I", zlib.crc32(b"IDAT" + body))
    )
    end = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return b"\x89PNG\r\n\x1a\n" + ihdr + idat + end


async def hover(session: Session, uri: str, line: int, character: int) -> str | None:
    found = await session.client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri=uri), types.Position(line, character))
    )
    if found is None:
        return None
    assert isinstance(found.contents, types.MarkupContent)
    return found.contents.value


async def complete(session: Session, uri: str, line: int, character: int) -> list[str]:
    found = await session.client.text_document_completion_async(
        types.CompletionParams(
            types.TextDocumentIdentifier(uri=uri), types.Position(line, character)
        )
    )
    items = found.items if isinstance(found, types.CompletionList) else found or []
    return [i.label for i in sorted(items, key=lambda i: i.sort_text or i.label)]


async def test_hover_on_a_key_a_finding_a_category_and_an_image(session: Session) -> None:
    (session.root / "pics").mkdir()
    (session.root / "pics" / "a.png").write_bytes(png(120, 80))
    line = CLEAN.replace("a.jpg", "pics/a.png")[:-1] + ', "CategoryId": 4}'
    uri = session.open(f"{line}\n{BAD_OP}\n")
    await session.diagnostics(uri)
    key = await hover(session, uri, 0, line.index("ProductId") + 2)
    assert key and "**ProductId**" in key and "at most 256 characters" in key
    finding = await hover(session, uri, 1, BAD_OP.index("add"))
    assert finding and "ML102" in finding and "## What it does" in finding
    category = await hover(session, uri, 0, line.index(": 4}") + 2)
    assert category and "Shoes" in category
    image = await hover(session, uri, 0, line.index("pics/a.png") + 2)
    assert image and "PNG" in image and "120×80" in image  # noqa: RUF001
    assert await hover(session, uri, 5, 0) is None


async def test_completion_of_keys_values_and_images(session: Session) -> None:
    (session.root / "cat01").mkdir()
    for name in ("girl1.jpg", "girl2.jpg", "notes.txt"):
        (session.root / "cat01" / name).write_bytes(b"")
    uri = session.open('{"OperationType": "ADD", "\n{"OperationType": \n{"PicName": "cat01/gi\n')
    keys = await complete(session, uri, 0, len('{"OperationType": "ADD", "'))
    assert keys[:3] == ["ProductId", "PicName", "CustomContent"]
    assert "OperationType" not in keys and "CategoryId" in keys
    assert await complete(session, uri, 1, len('{"OperationType": ')) == ["ADD", "DELETE"]
    assert await complete(session, uri, 2, len('{"PicName": "cat01/gi')) == [
        "cat01/girl1.jpg",
        "cat01/girl2.jpg",
    ]


OLDER = '{"operator": "ADD", "item_id": "7", "cat_id": 4, "pic_list": ["pics/a.png", "b.jpg"]}'


async def test_hover_on_the_older_format(session: Session) -> None:
    (session.root / "pics").mkdir(exist_ok=True)
    (session.root / "pics" / "a.png").write_bytes(png(120, 80))
    uri = session.open(f"{OLDER}\n")
    await session.diagnostics(uri)
    key = await hover(session, uri, 0, OLDER.index("item_id") + 2)
    assert key and "**item_id**" in key and "required;" in key
    assert "`ProductId` in the current one" in key
    listed = await hover(session, uri, 0, OLDER.index("pic_list") + 2)
    assert listed and "1 or more entries" in listed and "required for ADD" in listed
    category = await hover(session, uri, 0, OLDER.index(": 4,") + 2)
    assert category and "cat_id 4: **Shoes**" in category
    # Each entry of pic_list is an image of its own.
    image = await hover(session, uri, 0, OLDER.index("pics/a.png") + 3)
    assert image and "PNG" in image and "120×80" in image  # noqa: RUF001
    missing = await hover(session, uri, 0, OLDER.index("b.jpg") + 1)
    assert missing == "`b.jpg`: missing"


async def test_completion_on_the_older_format(session: Session) -> None:
    (session.root / "cat02").mkdir()
    (session.root / "cat02" / "shoe.jpg").write_bytes(b"")
    lines = [
        '{"operator": "ADD", "',
        '{"operator": ',
        '{"item_id": "1", "cat_id": ',
        '{"operator": "ADD", "pic_list": ["cat02/s',
        '{"operator": "ADD", "pic_list": ["a.jpg", "cat02/',
    ]
    uri = session.open("\n".join(lines) + "\n")
    keys = await complete(session, uri, 0, len(lines[0]))
    assert keys[:3] == ["item_id", "cust_content", "pic_list"]
    assert "operator" not in keys and "ProductId" not in keys and "cat_id" in keys
    assert await complete(session, uri, 1, len(lines[1])) == ["ADD", "DELETE"]
    assert (await complete(session, uri, 2, len(lines[2])))[:2] == ["0", "1"]
    assert await complete(session, uri, 3, len(lines[3])) == ["cat02/shoe.jpg"]
    assert await complete(session, uri, 4, len(lines[4])) == ["cat02/shoe.jpg"]


async def test_inlay_hints_name_the_category(session: Session) -> None:
    line = CLEAN[:-1] + ', "CategoryId": 0}'
    uri = session.open(f"{line}\n")
    hints = await session.client.text_document_inlay_hint_async(
        types.InlayHintParams(
            types.TextDocumentIdentifier(uri=uri),
            types.Range(types.Position(0, 0), types.Position(1, 0)),
        )
    )
    assert hints is not None
    (hint,) = hints
    assert hint.label == "▸ Tops"
    assert hint.position == types.Position(0, line.index("0}") + 1)


async def test_links_from_pic_names_to_their_files(session: Session) -> None:
    (session.root / "a.jpg").write_bytes(b"")
    uri = session.open(f"{CLEAN}\n{BAD_OP}\n")
    links = await session.client.text_document_document_link_async(
        types.DocumentLinkParams(types.TextDocumentIdentifier(uri=uri))
    )
    assert links is not None
    (link,) = links
    assert link.target == (session.root / "a.jpg").resolve().as_uri()
    assert link.range.start == types.Position(0, CLEAN.index("a.jpg"))


async def test_symbols_list_the_operations_by_product(session: Session) -> None:
    delete = '{"OperationType": "DELETE", "ProductId": "商品😀"}'
    uri = session.open(f"{CLEAN}\nnot json\n{delete}\n{BAD_OP}\n")
    found = await session.client.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(uri=uri))
    )
    assert found is not None
    assert all(isinstance(s, types.DocumentSymbol) for s in found)
    symbols = [s for s in found if isinstance(s, types.DocumentSymbol)]
    assert [(s.name, s.detail, s.range.start.line) for s in symbols] == [
        ("1", "ADD a.jpg", 0),
        ("商品😀", "DELETE the whole product", 2),
        ("2", "add b.jpg", 3),
    ]
    name = delete.index("商品")
    units = len(delete[:name].encode("utf-8")) if session.encoding == "utf-8" else name
    width = {"utf-8": len("商品😀".encode()), "utf-16": 4, "utf-32": 3}[session.encoding]
    # The selection is the ProductId's value, quotes included, in the client's units.
    assert symbols[1].selection_range == types.Range(
        types.Position(2, units - 1), types.Position(2, units + width + 1)
    )
    assert symbols[1].kind == types.SymbolKind.Null
    # After an edit, the symbols follow the text.
    session.edit(uri, (1, 0), (2, 0), "")
    found = await session.client.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(uri=uri))
    )
    assert [s.range.start.line for s in found or []] == [0, 1, 2]
