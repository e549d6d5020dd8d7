"""The language server: open manifests, their diagnostics, and the editor's settings.

Handlers stay thin: the documents live in ``OpenDocument`` (``documents``), conversions to
LSP values in ``convert``, the other features in their own modules. Text notifications are
handled synchronously, in order, so edits always land on the text they were made against;
publishing waits for the document to be quiet for ``debounce`` milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import logging
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from metalint import __version__
from metalint.configfile import CONFIG_FILE_NAMES
from metalint.diagnostics import Diagnostic
from metalint.lsp import actions, convert, images
from metalint.lsp.convert import Positions
from metalint.lsp.documents import OpenDocument
from metalint.lsp.positions import Encoding
from metalint.lsp.protocol import Encoded, MetalintProtocol, Raw, RawList, encode
from metalint.lsp.settings import SECTION, Configurations, Settings, parse_settings
from metalint.lsp.symbols import SymbolCache
from metalint.manifest import MANIFEST_NAME, is_near_miss

log = logging.getLogger(__name__)
_tokens = itertools.count(1)

SETTINGS_WAIT = 2.0
"""Seconds a document opened before the editor's settings have arrived waits for them."""


class MetalintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("metalint", __version__, protocol_cls=MetalintProtocol)
        self.documents: dict[str, OpenDocument] = {}
        self.settings = Settings()
        self.configurations = Configurations(self.settings)
        self.settings_ready = asyncio.Event()
        self._timers: dict[str, asyncio.Task[None]] = {}
        self._builds: dict[str, asyncio.Task[None]] = {}
        self._cache: dict[str, tuple[int, Encoded]] = {}
        """The LSP diagnostics of each document, by the generation they were made for."""
        self._encoded: dict[str, dict[int, tuple[Diagnostic, bytes]]] = {}
        """Each document's diagnostics as last encoded, by the id of the Diagnostic."""
        self._image_checks: dict[str, asyncio.Task[None]] = {}
        self._symbols: dict[str, SymbolCache] = {}
        self._image_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="images")
        """One thread: the checks of several documents queue rather than compete with the
        main loop for the interpreter."""
        self._tasks: set[asyncio.Task[None]] = set()
        """Tasks nothing else holds on to, kept here until done (the loop keeps only weak
        references)."""

    @property
    def raw(self) -> MetalintProtocol:
        protocol = self.protocol
        assert isinstance(protocol, MetalintProtocol)
        return protocol

    # -- the client ---------------------------------------------------------------------------

    @property
    def encoding(self) -> Encoding:
        chosen = self.server_capabilities.position_encoding
        return "utf-16" if chosen is None else str(chosen)  # type: ignore[return-value]

    def capability(self, dotted: str) -> Any:
        value: Any = self.client_capabilities
        for name in dotted.split("."):
            value = getattr(value, name, None)
            if value is None:
                return None
        return value

    @property
    def pulls(self) -> bool:
        """Whether the client asks for diagnostics (``textDocument/diagnostic``) rather than
        waiting for them to be published."""
        return self.capability("text_document.diagnostic") is not None

    @property
    def root(self) -> Path | None:
        try:
            root = self.workspace.root_path
        except RuntimeError:
            return None
        return Path(root) if root else None

    def tell(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- settings -----------------------------------------------------------------------------

    async def load_settings(self, pushed: Any = None) -> None:
        """Take the editor's settings (pushed with ``didChangeConfiguration``, or asked for)
        and lint every open document again whose configuration they change."""
        raw = pushed
        if raw is None and self.capability("workspace.configuration"):
            try:
                # No time limit here: documents stop waiting for the settings after
                # SETTINGS_WAIT (see _build), and a limit would cancel the request's future,
                # which a late answer then fails to complete.
                answer = await self.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
                )
                raw = answer[0] if answer else None
            except Exception as exc:  # a client that cannot answer keeps the defaults
                log.warning("workspace/configuration failed: %s", exc)
        self.apply_settings(parse_settings(raw, self.root))

    def apply_settings(self, settings: Settings) -> None:
        for problem in settings.problems:
            self.tell(problem)
        images_switched = settings.images != self.settings.images
        self.settings = settings
        self.configurations = Configurations(settings)
        self._cache.clear()
        self._encoded.clear()  # the docs URL is in every diagnostic
        self.settings_ready.set()
        for doc in list(self.documents.values()):
            self.reconfigure(doc)
            if images_switched and doc.uri not in self._builds:
                self.check_images(doc)

    def reconfigure(self, doc: OpenDocument) -> None:
        config = self._config_for(doc.path)
        if config == doc.config:
            self.schedule(doc, 0)
            return
        doc.reconfigure(config)
        self._start_build(doc)

    def _config_for(self, path: Path) -> Any:
        config, problem = self.configurations.for_manifest(path)
        if problem is not None:
            self.tell(f"metalint: {problem}; linting without that file")
        return config

    # -- documents ----------------------------------------------------------------------------

    def open(self, item: types.TextDocumentItem) -> None:
        path = document_path(item.uri, self.root)
        if path is None:
            return
        if item.uri in self.documents:
            self.close(item.uri)
        config = self._config_for(path)
        doc = OpenDocument(item.uri, path, item.version, item.text, config, self.encoding)
        self.documents[item.uri] = doc
        self._start_build(doc)

    def _start_build(self, doc: OpenDocument) -> None:
        old = self._builds.pop(doc.uri, None)
        if old is not None:
            old.cancel()
        self._builds[doc.uri] = asyncio.ensure_future(self._build(doc))

    async def _build(self, doc: OpenDocument) -> None:
        if not self.settings_ready.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.settings_ready.wait(), SETTINGS_WAIT)
            if self.documents.get(doc.uri) is not doc:
                return
            config = self._config_for(doc.path)
            if config != doc.config:
                doc.reconfigure(config)
        self.publish(doc)
        published = doc.generation
        if doc.build_step():
            self._builds.pop(doc.uri, None)
            self.check_images(doc)
            return
        token = await self._progress(f"metalint: preparing {doc.path.name} for editing")
        while not doc.build_step():
            await asyncio.sleep(BETWEEN_SLICES)
            if self.documents.get(doc.uri) is not doc:
                break
        else:
            self._builds.pop(doc.uri, None)
            # The first findings came from the batch engine; encoding the Document's own now,
            # while the user reads them, spares the first edit from encoding every one.
            self._cache.pop(doc.uri, None)
            self.lsp_diagnostics(doc)
            if doc.generation != published:
                # Edited since: what was published is of the text as opened.
                self._publish_now(doc)
            settle_memory()
        if self.documents.get(doc.uri) is doc:
            self.check_images(doc)
        if token is not None:
            self.work_done_progress.end(token, types.WorkDoneProgressEnd())

    async def _progress(self, title: str) -> str | None:
        """A progress indicator in the client, when it shows them (None otherwise)."""
        if not self.capability("window.work_done_progress"):
            return None
        token = f"metalint-{next(_tokens)}"
        try:
            await self.work_done_progress.create_async(token)
        except Exception:
            return None
        self.work_done_progress.begin(token, types.WorkDoneProgressBegin(title=title))
        return token

    def check_images(self, doc: OpenDocument) -> None:
        """Start the image check of a document (again), in the background."""
        if not self.settings.images or not doc.path.parent.is_dir():
            if doc.images:
                doc.images = []
                doc.generation += 1
                self.schedule(doc, 0)
            return
        old = self._image_checks.pop(doc.uri, None)
        if old is not None:
            old.cancel()
        self._image_checks[doc.uri] = asyncio.ensure_future(self._check_images(doc))

    async def _check_images(self, doc: OpenDocument) -> None:
        loop = asyncio.get_running_loop()
        data = doc.data()
        found = await loop.run_in_executor(
            self._image_pool, images.check_images, doc, data, doc.config
        )
        if self.documents.get(doc.uri) is not doc:
            return  # closed, or opened again, meanwhile: nothing more is published
        self._image_checks.pop(doc.uri, None)
        if found == doc.images:
            return
        doc.images = found
        doc.generation += 1
        self.schedule(doc, 0)

    def saved(self, uri: str) -> None:
        doc = self.documents.get(uri)
        if doc is not None:
            self.check_images(doc)

    def files_changed(self, params: types.DidChangeWatchedFilesParams) -> None:
        """An image changed on disk: check the images of the documents again. A
        configuration file changed: configure every document again."""
        paths = [to_fs_path(change.uri) or "" for change in params.changes]
        if any(Path(p).name in CONFIG_FILE_NAMES for p in paths):
            self.apply_settings(self.settings)
        elif any(images.is_image(p) for p in paths):
            for doc in self.documents.values():
                self.check_images(doc)

    def change(self, params: types.DidChangeTextDocumentParams) -> None:
        doc = self.documents.get(params.text_document.uri)
        if doc is None:
            log.warning("change to a document that is not open: %s", params.text_document.uri)
            return
        for change in params.content_changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                doc.apply(change.range.start, change.range.end, change.text)
            else:
                doc.replace_all(change.text)
        doc.version = params.text_document.version
        self.schedule(doc)

    def close(self, uri: str) -> None:
        doc = self.documents.pop(uri, None)
        for tasks in (self._timers, self._builds, self._image_checks):
            task = tasks.pop(uri, None)
            if task is not None:
                task.cancel()
        self._cache.pop(uri, None)
        self._encoded.pop(uri, None)
        self._symbols.pop(uri, None)
        if doc is not None:
            release_memory()
        if doc is not None and not self.pulls:
            self.raw.notify_raw(
                types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, Raw(uri=uri, diagnostics=[])
            )

    # -- diagnostics --------------------------------------------------------------------------

    def schedule(self, doc: OpenDocument, delay_ms: int | None = None) -> None:
        """Publish the document's diagnostics once it has been left alone for the debounce
        delay; a later edit starts the wait again."""
        old = self._timers.pop(doc.uri, None)
        if old is not None:
            old.cancel()
        delay = self.settings.debounce_ms if delay_ms is None else delay_ms
        self._timers[doc.uri] = asyncio.ensure_future(self._publish_later(doc, delay / 1000))

    async def _publish_later(self, doc: OpenDocument, delay: float) -> None:
        await asyncio.sleep(delay)
        if self.documents.get(doc.uri) is not doc:
            return
        self._timers.pop(doc.uri, None)
        if doc.edited_while_building:
            return  # the build publishes when it is done, rather than waiting for it here
        self._publish_now(doc)

    def _publish_now(self, doc: OpenDocument) -> None:
        if self.pulls:
            self.refresh()
        else:
            self.publish(doc)

    def refresh(self) -> None:
        """Ask a pulling client to pull again (a change it did not make: settings, images)."""
        if self.capability("workspace.diagnostics.refresh_support"):
            self.workspace_diagnostic_refresh(None)

    def lsp_diagnostics(self, doc: OpenDocument) -> Encoded:
        """The document's diagnostics, encoded; each one the Document returns again since
        the last time is taken from then.

        The Document hands out the same Diagnostic object for as long as its line, its
        number and (for a pair) the other line stay as they are, so the object itself says
        that its LSP form, which depends on nothing else, is still right: an edit re-encodes
        the findings it changed or moved, not all of them.
        """
        cached = self._cache.get(doc.uri)
        if cached is not None and cached[0] == doc.generation:
            return cached[1]
        found = doc.diagnostics()
        cap = self.settings.max_diagnostics
        shown = found if not cap or len(found) <= cap else found[:cap]
        positions = Positions(doc.line, doc.encoding)
        docs_url = self.settings.docs_url
        before = self._encoded.get(doc.uri, {})
        kept: dict[int, tuple[Diagnostic, bytes]] = {}
        out = Encoded()
        for d in shown:
            hit = before.get(id(d))
            if hit is not None and hit[0] is d:
                data = hit[1]
            else:
                data = encode(convert.diagnostic(d, doc.uri, positions, docs_url))
            # Holding the object keeps its id from being reused by another.
            kept[id(d)] = (d, data)
            out.append(data)
        if len(shown) < len(found):
            at = positions.range(found[cap].span)
            out.append(encode(convert.more_diagnostic(len(found), cap, at)))
        self._encoded[doc.uri] = kept
        self._cache[doc.uri] = (doc.generation, out)
        return out

    def publish(self, doc: OpenDocument) -> None:
        if self.pulls:
            return
        self.raw.notify_raw(
            types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
            Raw(uri=doc.uri, version=doc.version, diagnostics=self.lsp_diagnostics(doc)),
        )

    def pull(self, params: types.DocumentDiagnosticParams) -> Raw:
        doc = self.documents.get(params.text_document.uri)
        if doc is None:
            return Raw(kind="full", items=[])
        result_id = f"{id(doc)}.{doc.generation}"
        if params.previous_result_id == result_id:
            return Raw(kind="unchanged", resultId=result_id)
        return Raw(kind="full", resultId=result_id, items=self.lsp_diagnostics(doc))

    # -- code actions -------------------------------------------------------------------------

    def code_actions(self, params: types.CodeActionParams) -> RawList | None:
        doc = self.documents.get(params.text_document.uri)
        if doc is None:
            return None
        only = [str(k) for k in params.context.only] if params.context.only else None
        lines = (params.range.start.line + 1, params.range.end.line + 1)
        resolvable = self.capability("text_document.code_action.resolve_support.properties")
        resolve = bool(resolvable) and "edit" in resolvable
        return RawList(
            actions.code_actions(
                doc.uri,
                doc.diagnostics(),
                Positions(doc.line, doc.encoding),
                self.settings.docs_url,
                lines,
                only,
                resolve,
            )
        )

    def resolve_code_action(self, action: types.CodeAction) -> Raw:
        data = action.data if isinstance(action.data, dict) else {}
        doc = self.documents.get(str(data.get("uri")))
        plain = Raw(title=action.title, kind=str(action.kind or ""), data=data)
        if doc is None:
            return plain
        return Raw(
            actions.resolve_action(plain, doc.diagnostics(), Positions(doc.line, doc.encoding))
        )

    # -- reading help ---------------------------------------------------------------------------

    async def symbols(self, params: types.DocumentSymbolParams) -> Encoded | None:
        """The document's operations, named by their ProductId (``symbols``), made in
        slices between which the server goes on answering; an edit meanwhile starts the
        pass again (the lines read so far are remembered)."""
        doc = self.documents.get(params.text_document.uri)
        if doc is None:
            return None
        cache = self._symbols.get(doc.uri)
        if cache is None:
            hierarchical = self.capability(
                "text_document.document_symbol.hierarchical_document_symbol_support"
            )
            cache = SymbolCache(doc.uri, doc.encoding, bool(hierarchical))
            self._symbols[doc.uri] = cache
        while True:
            generation = doc.generation
            cache.begin()
            out = Encoded()
            for first in range(0, len(doc), SYMBOL_SLICE_LINES):
                if first:
                    await asyncio.sleep(BETWEEN_SLICES)
                    if self.documents.get(doc.uri) is not doc:
                        return None
                    if doc.generation != generation:
                        break
                lines = range(first, min(first + SYMBOL_SLICE_LINES, len(doc)))
                out.extend(cache.symbols(lines, doc.line, doc.path, doc.config))
            else:
                cache.end()
                return out


BETWEEN_SLICES = 0.001
"""Seconds a long task leaves the event loop between two slices of its work. pygls reads
each message in several round trips to a thread (each header line, then the body), so a bare
yield lets one step through a slice: a request waited half a second behind a document's build
(measured with a 100,000-line manifest); a millisecond lets a message through whole.
"""
SYMBOL_SLICE_LINES = 8192
"""Lines whose symbols are made between two looks at other messages: 50 to 100 ms the
first time, a few ms after."""


def settle_memory() -> None:
    """Take what is alive now out of the garbage collector's sight: a large document is a
    few hundred thousand objects, which every full collection would walk again, a pause of
    a few hundred milliseconds between an edit and its diagnostics."""
    gc.collect()
    gc.freeze()


def release_memory() -> None:
    """Let the collector see everything again, so that a closed document's cycles (its lines
    and their groups refer to each other) are freed, and settle what is left."""
    gc.unfreeze()
    settle_memory()


def document_path(uri: str, root: Path | None) -> Path | None:
    """Where a document lives, for its name, its configuration and its images; None for a
    document the server does not lint (neither ``increment.meta`` nor a near miss)."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        fs = to_fs_path(uri)
        path = Path(fs) if fs else Path(unquote(parsed.path))
    else:
        # An unsaved buffer: named by the last segment of its URI, placed in the workspace.
        name = unquote(parsed.path).rstrip("/").rsplit("/", 1)[-1] or MANIFEST_NAME
        path = (root or Path.cwd()) / name
    if path.name != MANIFEST_NAME and not is_near_miss(path.name):
        return None
    return path
