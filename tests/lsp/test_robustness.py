"""Malformed input and hostile clients: none of it crashes the server or stops it answering,
and no diagnostics of a stale version are ever published."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from .lspkit import BAD_OP, CLEAN, Session

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def still_answers(session: Session) -> None:
    uri = session.open(f"{CLEAN}\n{BAD_OP}\n", name="increment.meta", folder="probe")
    assert [d.code for d in await session.diagnostics(uri)] == ["ML102"]
    session.close(uri)


async def test_invalid_json_and_binary_content(session: Session) -> None:
    text = (
        '{"OperationType": "ADD", \x00\x01\x7f\ud800 "x\n\ufeff{}\n[1, 2]\n' + "\x89PNG\r\n\x1a\n"
    )
    uri = session.open(text)
    found = await session.diagnostics(uri)
    assert found and all(d.source == "metalint" for d in found)
    session.edit(uri, (0, 5), (2, 1), "\ud83d")
    await session.diagnostics(uri)
    await still_answers(session)


async def test_edits_to_closed_and_unknown_documents(session: Session) -> None:
    uri = session.open(f"{CLEAN}\n")
    await session.diagnostics(uri)
    session.close(uri)
    session.edit(uri, (0, 0), (0, 0), "x")
    session.close(uri)
    never = session.root.joinpath("never-opened/increment.meta").as_uri()
    session.versions[never] = 1
    session.edit(never, (0, 0), (0, 0), "x")
    await still_answers(session)


async def test_ranges_outside_the_document_are_clamped(session: Session) -> None:
    uri = session.open(f"{CLEAN}\n")
    await session.diagnostics(uri)
    session.edit(uri, (5, 3), (9, 0), f"{BAD_OP}\n")
    session.edit(uri, (0, 500), (0, 900), "")
    session.edit(uri, (0, 10), (0, 2), "")
    found = await session.diagnostics(uri)
    assert all(d.range.start.line <= 2 for d in found)
    await still_answers(session)


async def test_out_of_order_versions_publish_the_text_as_last_sent(session: Session) -> None:
    uri = session.open(f"{CLEAN}\n{BAD_OP}\n")
    await session.diagnostics(uri)
    at = BAD_OP.index("add")
    session.edit(uri, (1, at), (1, at + 3), "ADD", version=7)
    session.edit(uri, (1, at), (1, at + 3), "Add", version=3)
    found = await session.diagnostics(uri, version=3, until=bool)
    assert [d.code for d in found] == ["ML102"]
    assert '"Add"' in found[0].message


async def test_a_storm_of_edits_publishes_only_the_last_version(session: Session) -> None:
    uri = session.open(f"{CLEAN}\n{BAD_OP}\n")
    await session.diagnostics(uri)
    for _ in range(150):
        session.edit(uri, (0, 0), (0, 0), "x")
        session.edit(uri, (0, 0), (0, 1), "")
    last = session.versions[uri]
    found = await session.diagnostics(uri)
    assert [d.code for d in found] == ["ML102"]
    if not session.pulls:
        await asyncio.sleep(0.3)
        versions = [p.version for p in session.published if p.uri == uri]
        # Debounced: the storm is published once, at its last version.
        assert versions[-1] == last
        assert len(versions) <= 3


async def test_cancelled_requests_leave_it_answering(session: Session) -> None:
    uri = session.open(f"{CLEAN}\n{BAD_OP}\n")
    await session.diagnostics(uri)
    futures = []
    for i in range(20):
        futures.append(
            session.client.protocol.send_request(
                types.TEXT_DOCUMENT_DIAGNOSTIC,
                types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri)),
                msg_id=f"cancelled-{i}",
            )
        )
        session.client.protocol.notify(
            types.CANCEL_REQUEST, types.CancelParams(id=f"cancelled-{i}")
        )
        session.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="unknown"))
    # Each is answered, with its result or as cancelled; either way the server goes on.
    await asyncio.gather(*(asyncio.wrap_future(f) for f in futures), return_exceptions=True)
    await still_answers(session)


@pytest.mark.slow
async def test_a_50_mb_line(session: Session) -> None:
    big = (
        '{"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "'
        + "x" * 50_000_000
        + '"}'
    )
    uri = session.open(f"{big}\n{BAD_OP}\n")
    found = await session.diagnostics(uri, until=lambda f: "ML102" in [d.code for d in f])
    assert "ML104" in [d.code for d in found]  # CustomContent over 4096 characters
    session.edit(uri, (0, 10), (0, 11), "X")
    await session.diagnostics(uri)
    session.close(uri)
    await still_answers(session)
