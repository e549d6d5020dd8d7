"""Driving the language server over stdio with pytest-lsp's client, as an editor drives it.

Every test runs twice: with VS Code's capabilities (diagnostics published, UTF-16
positions) and with Neovim's (0.11: diagnostics pulled, UTF-8 positions). ``Session`` wraps the
client with what the tests do again and again: open a manifest, edit it, get its diagnostics
for a given version whichever way the client gets them.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER = [sys.executable, "-m", "metalint", "server"]
PROFILES = {"vscode": "visual-studio-code@v1.65.2", "neovim": "neovim@v0.11.0"}
WAIT = 30.0
QUIET = {"images": False}
"""The settings tests start with: image checks would add their findings a moment after the
others, so only the tests of images turn them on."""

CLEAN = '{"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": "x"}'
BAD_OP = '{"OperationType": "add", "ProductId": "2", "PicName": "b.jpg", "CustomContent": "x"}'


def make_client() -> LanguageClient:
    """pytest-lsp's client, keeping every publish (the default keeps the last per document),
    so a test can wait for the one of a given version."""
    client = LanguageClient(converter_factory=default_converter)
    features = {
        method: handler
        for method, handler in DEFAULT_CLIENT_FEATURES.items()
        if method != types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
    }
    register_lsp_features(client, features)
    client.published = []  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(c: LanguageClient, params: types.RegistrationParams) -> None:
        c.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(c: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        c.diagnostics[params.uri] = params.diagnostics
        c.published.append(params)  # type: ignore[attr-defined]

    return client


@dataclass
class Session:
    client: LanguageClient
    root: Path
    pulls: bool
    encoding: str
    versions: dict[str, int] = field(default_factory=dict)
    results: dict[str, str | None] = field(default_factory=dict)

    @property
    def published(self) -> list[types.PublishDiagnosticsParams]:
        return self.client.published  # type: ignore[attr-defined, no-any-return]

    def write(self, text: str, name: str = "increment.meta", folder: str = ".") -> str:
        path = self.root / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        return path.as_uri()

    def open(self, text: str, name: str = "increment.meta", folder: str = ".") -> str:
        uri = self.write(text, name, folder)
        self.versions[uri] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id="metalint", version=1, text=text)
            )
        )
        return uri

    def edit(
        self,
        uri: str,
        start: tuple[int, int],
        end: tuple[int, int],
        text: str,
        version: int | None = None,
    ) -> int:
        version = self.versions[uri] + 1 if version is None else version
        self.versions[uri] = version
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(*start), types.Position(*end)), text=text
        )
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version), [change]
            )
        )
        return version

    def replace(self, uri: str, text: str) -> int:
        version = self.versions[uri] = self.versions[uri] + 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        return version

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri))
        )

    async def pull(self, uri: str, previous: str | None = None) -> Any:
        return await self.client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(
                text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=previous
            )
        )

    async def diagnostics(
        self,
        uri: str,
        version: int | None = None,
        until: Callable[[list[types.Diagnostic]], bool] | None = None,
    ) -> list[types.Diagnostic]:
        """The document's diagnostics for ``version`` (its latest when None): pulled, or
        the publish for that version waited for; ``until`` waits for a later answer."""
        version = self.versions[uri] if version is None else version
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT
        while loop.time() < deadline:
            if self.pulls:
                await asyncio.sleep(0.2)  # past the debounce, as an editor pulls
                report = await self.pull(uri)
                found = list(report.items)
            else:
                done = [p for p in self.published if p.uri == uri and p.version == version]
                if not done:
                    await asyncio.sleep(0.02)
                    continue
                found = list(done[-1].diagnostics)
            if until is None or until(found):
                return found
            await asyncio.sleep(0.1)
        raise AssertionError(f"no diagnostics for {uri} version {version}")


async def start(
    client: LanguageClient, root: Path, profile: str, settings: dict[str, Any] | None = None
) -> Session:
    capabilities = client_capabilities(PROFILES.get(profile, profile))
    client.set_configuration(settings or QUIET, section="metalint")
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="root")],
        )
    )
    encoding = str(result.capabilities.position_encoding or "utf-16")
    return Session(client, root, capabilities.text_document.diagnostic is not None, encoding)


def offset(text: str, position: types.Position, encoding: str) -> int:
    """The index into ``text`` of an LSP position in ``encoding`` (lines end at ``\n``)."""
    lines = text.split("\n")
    if position.line >= len(lines):
        return len(text)
    start = sum(len(line) + 1 for line in lines[: position.line])
    line, units, index = lines[position.line], 0, 0
    while index < len(line) and units < position.character:
        char = line[index]
        units += {"utf-8": len(char.encode()), "utf-32": 1}.get(
            encoding, 2 if ord(char) > 0xFFFF else 1
        )
        index += 1
    return start + index


def apply_edits(text: str, edits: list[types.TextEdit], encoding: str) -> str:
    """``text`` with LSP edits applied, as an editor applies a WorkspaceEdit."""
    placed = sorted(
        (
            (offset(text, e.range.start, encoding), offset(text, e.range.end, encoding), e.new_text)
            for e in edits
        ),
        reverse=True,
    )
    for start, end, new in placed:
        text = text[:start] + new + text[end:]
    return text


def missing_tool(message: str) -> None:
    """Skip a test whose outside tool is missing; fail it under CI, which installs every tool
    the tests use (``.ci/run``), so that a skip there cannot hide a broken setup."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
