"""Fixtures: one server per test module and client profile (starting one takes a second or
more, most of it importing lsprotocol), and for each test a session in a folder of its own of
that server's workspace (see ``lspkit``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
import pytest_lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from .lspkit import PROFILES, SERVER, Session, make_client, start


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=make_client),
    params=sorted(PROFILES),
    scope="module",
)
async def client(
    lsp_client: LanguageClient,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[None]:
    root = tmp_path_factory.mktemp("workspace")
    lsp_client.session = await start(lsp_client, root, request.param)  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def session(client: LanguageClient, request: pytest.FixtureRequest) -> Session:
    shared: Session = client.session  # type: ignore[attr-defined]
    folder = shared.root / request.node.name.replace("[", "-").replace("]", "")
    folder.mkdir()
    return replace(shared, root=folder, versions={})
