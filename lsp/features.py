"""The LSP methods the server answers, each a thin handler over ``MetalintServer``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from metalint.lsp import actions, answers, images
from metalint.lsp.protocol import Encoded, Raw, RawList

if TYPE_CHECKING:
    # The server registers these handlers on itself; pygls passes it to each as ``ls``.
    from metalint.lsp.server import MetalintServer


def register(server: MetalintServer) -> None:
    @server.feature(types.INITIALIZED)
    async def initialized(ls: MetalintServer, params: types.InitializedParams) -> None:
        await ls.load_settings()
        wanted = []
        if ls.capability("workspace.did_change_configuration.dynamic_registration"):
            wanted.append(
                types.Registration(
                    id="metalint-configuration",
                    method=types.WORKSPACE_DID_CHANGE_CONFIGURATION,
                    register_options={"section": "metalint"},
                )
            )
        if ls.capability("workspace.did_change_watched_files.dynamic_registration"):
            globs = [images.WATCHED, "**/metalint.toml", "**/pyproject.toml"]
            wanted.append(
                types.Registration(
                    id="metalint-files",
                    method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options={"watchers": [{"globPattern": g} for g in globs]},
                )
            )
        if wanted:
            await ls.client_register_capability_async(types.RegistrationParams(wanted))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(
        ls: MetalintServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        ls.files_changed(params)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: MetalintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.saved(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(
        ls: MetalintServer, params: types.DidChangeConfigurationParams
    ) -> None:
        settings = params.settings
        pushed = settings.get("metalint") if isinstance(settings, dict) else None
        ls.spawn(ls.load_settings(pushed))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: MetalintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.open(params.text_document)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: MetalintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.change(params)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: MetalintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.close(params.text_document.uri)

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier="metalint", inter_file_dependencies=False, workspace_diagnostics=False
        ),
    )
    def diagnostic(ls: MetalintServer, params: types.DocumentDiagnosticParams) -> Raw:
        return ls.pull(params)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, actions.FIX_ALL],
            resolve_provider=True,
        ),
    )
    def code_action(ls: MetalintServer, params: types.CodeActionParams) -> RawList | None:
        return ls.code_actions(params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    def code_action_resolve(ls: MetalintServer, params: types.CodeAction) -> Raw:
        return ls.resolve_code_action(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: MetalintServer, params: types.HoverParams) -> Raw | None:
        return answers.hover(ls, params)

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=['"', ":", ",", "{", "/", " "]),
    )
    def on_completion(ls: MetalintServer, params: types.CompletionParams) -> RawList | None:
        return answers.completion(ls, params)

    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT)
    def on_inlay_hint(ls: MetalintServer, params: types.InlayHintParams) -> RawList | None:
        return answers.inlay_hints(ls, params)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK)
    def on_links(ls: MetalintServer, params: types.DocumentLinkParams) -> RawList | None:
        return answers.links(ls, params)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def on_symbols(ls: MetalintServer, params: types.DocumentSymbolParams) -> Encoded | None:
        return await ls.symbols(params)
