"""Configuration: the closest configuration file, and the editor's settings on top."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types

from .lspkit import BAD_OP, CLEAN, QUIET, Session
from .test_help import png

pytestmark = pytest.mark.asyncio(loop_scope="module")

UNKNOWN_KEY = CLEAN[:-1] + ', "ProductID": "9"}'


@pytest_asyncio.fixture(loop_scope="module")
async def configure(session: Session) -> AsyncIterator[Any]:
    """Change the editor's settings the way the profile's client does: VS Code announces a
    change and is asked for the section, Neovim pushes the settings themselves."""

    def change(settings: dict[str, Any]) -> None:
        settings = {**QUIET, **settings}
        session.client.set_configuration(settings, section="metalint")
        pushed = None if not session.pulls else {"metalint": settings}
        session.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings=pushed)
        )

    yield change
    change({})


async def test_the_closest_configuration_file_governs(session: Session) -> None:
    session.write('ignore = ["ML102"]\n', name="metalint.toml", folder="quiet")
    quiet = session.open(f"{BAD_OP}\n{UNKNOWN_KEY}\n", folder="quiet")
    loud = session.open(f"{BAD_OP}\n{UNKNOWN_KEY}\n", folder="loud")
    assert [d.code for d in await session.diagnostics(quiet)] == ["ML109"]
    assert [d.code for d in await session.diagnostics(loud)] == ["ML102", "ML109"]


async def test_pyproject_severity_comes_through(session: Session) -> None:
    session.write('[tool.metalint.severity]\nML109 = "error"\n', name="pyproject.toml")
    uri = session.open(f"{UNKNOWN_KEY}\n")
    (d,) = await session.diagnostics(uri)
    assert (d.code, d.severity) == ("ML109", types.DiagnosticSeverity.Error)


async def test_settings_select_and_ignore_rules(session: Session, configure: Any) -> None:
    uri = session.open(f"{BAD_OP}\n{UNKNOWN_KEY}\n")
    assert [d.code for d in await session.diagnostics(uri)] == ["ML102", "ML109"]
    configure({"ignore": ["ML109"]})
    assert await session.diagnostics(uri, until=lambda f: len(f) == 1)
    configure({"select": ["ML109"]})
    found = await session.diagnostics(uri, until=lambda f: [d.code for d in f] == ["ML109"])
    assert found


async def test_a_bad_setting_is_left_out_with_a_message(session: Session, configure: Any) -> None:
    uri = session.open(f"{CLEAN}\n{BAD_OP}\n")
    assert await session.diagnostics(uri, until=bool)
    before = len(session.client.messages)
    configure({"service": "sofa", "ignore": ["ML102"]})
    assert await session.diagnostics(uri, until=lambda f: not f) == []
    assert any("sofa" in m.message for m in session.client.messages[before:])


async def test_images_are_checked_in_the_background_and_again_when_replaced(
    session: Session, configure: Any
) -> None:
    image = session.root / "a.jpg"
    image.write_bytes(png(60, 60))
    configure({"images": True})
    uri = session.open(f"{CLEAN}\n")
    found = await session.diagnostics(uri, until=lambda f: "ML306" in [d.code for d in f])
    (small,) = [d for d in found if d.code == "ML306"]
    assert small.range.start.line == 0
    image.write_bytes(png(200, 200))
    session.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(uri=image.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    found = await session.diagnostics(uri, until=lambda f: "ML306" not in [d.code for d in f])
    assert "ML306" not in [d.code for d in found]


async def test_a_document_closed_during_its_image_check_publishes_nothing_more(
    session: Session, configure: Any
) -> None:
    configure({"images": True})
    uri = session.open(f"{CLEAN}\n" * 2000)
    session.close(uri)
    await asyncio.sleep(1.5)
    after_close = [p for p in session.published if p.uri == uri]
    if after_close:
        assert not after_close[-1].diagnostics
