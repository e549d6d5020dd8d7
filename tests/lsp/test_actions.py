"""Code actions: quick fixes, fixing one rule in the whole file, and fix-all for fix-on-save;
their edits, applied by the client, leave a text that lints clean of those findings."""

from __future__ import annotations

import pytest
from lsprotocol import types

from .lspkit import BAD_OP, CLEAN, Session, apply_edits

pytestmark = pytest.mark.asyncio(loop_scope="module")

BAD_OP_2 = BAD_OP.replace('"2"', '"3"').replace("b.jpg", "c.jpg")
CRLF = CLEAN.replace('"1"', '"4"').replace("a.jpg", "d.jpg")


async def actions(
    session: Session, uri: str, line: int, only: list[str] | None = None
) -> list[types.CodeAction]:
    found = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(line, 0), types.Position(line, 1)),
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
    )
    return [a for a in found or [] if isinstance(a, types.CodeAction)]


async def edited(session: Session, action: types.CodeAction, text: str) -> str:
    if action.edit is None:
        action = await session.client.code_action_resolve_async(action)
    assert action.edit is not None and action.edit.changes is not None
    (edits,) = action.edit.changes.values()
    return apply_edits(text, list(edits), session.encoding)


async def codes_after(session: Session, text: str) -> list[str]:
    uri = session.open(text, folder="after")
    found = [d.code for d in await session.diagnostics(uri)]
    session.close(uri)
    return found


async def test_a_quick_fix_for_the_finding_on_the_line(session: Session) -> None:
    text = f"{CLEAN}\n{BAD_OP}\n"
    uri = session.open(text)
    assert [d.code for d in await session.diagnostics(uri)] == ["ML102"]
    (fix,) = await actions(session, uri, 1)
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert fix.diagnostics and fix.diagnostics[0].code == "ML102"
    assert await codes_after(session, await edited(session, fix, text)) == []


async def test_fix_all_of_one_rule_in_the_file(session: Session) -> None:
    text = f"{CLEAN}\n{BAD_OP}\n{BAD_OP_2}\n{CRLF}\r\n"
    uri = session.open(text)
    assert [d.code for d in await session.diagnostics(uri)] == ["ML102", "ML102", "ML009"]
    offered = await actions(session, uri, 1)
    (every,) = [a for a in offered if a.title.startswith("Fix all ML102")]
    assert await codes_after(session, await edited(session, every, text)) == ["ML009"]


async def test_fix_all_on_save_fixes_every_rule(session: Session) -> None:
    text = f"{CLEAN}\n{BAD_OP}\n{CLEAN}\n{CRLF}\r\n"
    uri = session.open(text)
    assert len(await session.diagnostics(uri)) == 3
    (fix_all,) = await actions(session, uri, 0, only=["source.fixAll.metalint"])
    assert fix_all.kind == "source.fixAll.metalint"
    assert await codes_after(session, await edited(session, fix_all, text)) == []
    assert await actions(session, uri, 0, only=["source.organizeImports"]) == []


async def test_a_fix_on_a_line_with_emoji(session: Session) -> None:
    line = BAD_OP.replace('"x"', '"😀 héllo"')
    text = f"{CLEAN}\n{line}\n"
    uri = session.open(text)
    assert [d.code for d in await session.diagnostics(uri)] == ["ML102"]
    (fix,) = await actions(session, uri, 1)
    assert await codes_after(session, await edited(session, fix, text)) == []
