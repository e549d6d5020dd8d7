"""pygls' protocol, adjusted where the defaults cost a large manifest dearly.

* Text synchronisation: pygls keeps its own copy of every open document and applies an
  incremental change by rewriting the whole text, which for 100,000 lines costs more than the
  lint of the edit. The server keeps the text in its ``Document`` instead, so the three
  notifications go straight to its handlers.
* Output: diagnostics and other large results are built as plain dictionaries (``Raw``) and
  written with orjson, not unstructured by cattrs and dumped by the standard library.
* Position encoding: pygls takes the first encoding the client lists; the server prefers
  UTF-8 or UTF-32 when offered, as its columns are nearly free to convert to them.
* A request whose params do not fit its method is answered with an Invalid Params error:
  pygls only logs it, and the client waits for the answer for ever.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any

import orjson
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.protocol import LanguageServerProtocol, lsp_method

from metalint.lsp.positions import ENCODINGS


class Raw(dict[str, Any]):
    """A result or notification already in its JSON form. Its last value may be
    ``Encoded``."""


class RawList(list[Any]):
    """A result that is a JSON array of plain values (``Raw`` for arrays)."""


class Encoded(list[bytes]):
    """A JSON array whose elements are encoded already (diagnostics, kept encoded from one
    publish to the next: an edit re-encodes only those it changed)."""


def encode(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:
        # orjson refuses lone surrogates, which a client may send in its text; the standard
        # library escapes them.
        return json.dumps(value).encode("ascii")


def _encode(message: Raw) -> bytes:
    inner_key = "params" if "params" in message else "result"
    inner = message.get(inner_key)
    if isinstance(inner, Encoded):
        # A result that is the array itself: the message's last bytes are "[]}".
        shell = encode(Raw(message, **{inner_key: []}))
        return b"".join((shell[:-3], b"[", b",".join(inner), b"]}"))
    if not isinstance(inner, dict) or not inner:
        return encode(message)
    last = next(reversed(inner))
    items = inner[last]
    if not isinstance(items, Encoded):
        return encode(message)
    # Encoded with an empty array in the last place, which the message's last bytes are,
    # then the array's elements put in: keys keep their order, so "[]}}" closes it.
    shell = encode(Raw(message, **{inner_key: {**inner, last: []}}))
    assert shell.endswith(b"[]}}")
    return b"".join((shell[:-4], b"[", b",".join(items), b"]}}"))


_ANSWERED = object()
"""What a request that was answered as it was read becomes: nothing is left to handle."""


class MetalintProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if "method" not in data or "id" not in data:
                raise  # a notification or a response: nobody waits for an answer
            method = data["method"]
            message = f"{error.message} for {method}" if isinstance(method, str) else error.message
            answer = JsonRpcException(message, error.code, error.data)
            self._send_response(data["id"], error=answer.to_response_error())
            return _ANSWERED

    def handle_message(self, message: Any) -> None:
        if message is not _ANSWERED:
            super().handle_message(message)

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(
        self, params: types.InitializeParams
    ) -> Generator[Any, Any, types.InitializeResult]:
        general = params.capabilities.general
        if general is not None and general.position_encodings:
            rank: dict[str, int] = {name: i for i, name in enumerate(ENCODINGS)}
            general.position_encodings = sorted(
                general.position_encodings, key=lambda e: rank.get(str(e), len(rank))
            )
        result = yield from super().lsp_initialize(params)
        return result

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(
        self, params: types.DidOpenTextDocumentParams
    ) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(
        self, params: types.DidCloseTextDocumentParams
    ) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None

    def notify_raw(self, method: str, params: Raw) -> None:
        self._send_data(Raw(jsonrpc="2.0", method=method, params=params))

    def _send_response(self, msg_id: Any, result: Any = None, error: Any = None) -> None:
        if error is None and isinstance(result, Raw | RawList | Encoded):
            self._send_data(Raw(jsonrpc="2.0", id=msg_id, result=result))
            self._result_types.pop(msg_id, None)
            return
        super()._send_response(msg_id, result, error)

    def _send_data(self, data: Any) -> None:
        if not isinstance(data, Raw):
            super()._send_data(data)
            return
        if self.writer is None:
            return
        body = _encode(data)
        header = f"Content-Length: {len(body)}\r\n\r\n".encode("ascii")
        self.writer.write(header + body)
