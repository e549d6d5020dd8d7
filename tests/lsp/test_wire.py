"""The server on the wire, spoken to byte by byte: messages that are not JSON, not UTF-8 or
not JSON-RPC leave it answering, a request it cannot read gets an error for its answer, and a
client of the fewest capabilities (no hierarchical symbols, nothing announced) is served in the
older forms."""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .lspkit import BAD_OP, CLEAN, SERVER


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def send(pipe: IO[bytes], message: dict[str, Any]) -> None:
    pipe.write(frame(json.dumps({"jsonrpc": "2.0", **message}).encode()))
    pipe.flush()


def answer(pipe: IO[bytes], msg_id: int) -> dict[str, Any]:
    """Read messages until the response to ``msg_id``."""
    while True:
        length = 0
        while (header := pipe.readline()) not in (b"\r\n", b""):
            if header.lower().startswith(b"content-length:"):
                length = int(header.split(b":")[1])
        assert header, "the server closed its output"
        message: dict[str, Any] = json.loads(pipe.read(length))
        if message.get("id") == msg_id and "method" not in message:
            return message


@contextlib.contextmanager
def _killed_after(seconds: float, server: subprocess.Popen[bytes]) -> Iterator[None]:
    """Kill ``server`` if it is still running after ``seconds``: a request left unanswered
    then fails the test (its output closes) instead of hanging it."""
    timer = threading.Timer(seconds, server.kill)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def test_malformed_messages_and_a_bare_client(tmp_path: Path) -> None:
    manifest = tmp_path / "increment.meta"
    uri = manifest.as_uri()
    with (
        subprocess.Popen(
            SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        ) as server,
        _killed_after(60, server),
    ):
        assert server.stdin is not None and server.stdout is not None
        send(server.stdin, {"id": 1, "method": "initialize", "params": {"capabilities": {}}})
        assert "capabilities" in answer(server.stdout, 1)["result"]
        send(server.stdin, {"method": "initialized", "params": {}})
        for garbage in (
            b"{not json",
            b'{"jsonrpc": "2.0", "method": "\xff\xfe"}',
            b"[1, 2, 3]",
            b'"a string"',
            b'{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"x": 1}}',
            b'{"jsonrpc": "1.0", "id": 99, "method": "shutdown"}',
        ):
            server.stdin.write(frame(garbage))
        item = {"uri": uri, "languageId": "metalint", "version": 1, "text": f"{CLEAN}\n{BAD_OP}\n"}
        send(server.stdin, {"method": "textDocument/didOpen", "params": {"textDocument": item}})
        doc = {"textDocument": {"uri": uri}}
        send(server.stdin, {"id": 2, "method": "textDocument/documentSymbol", "params": doc})
        symbols = answer(server.stdout, 2)["result"]
        # No hierarchicalDocumentSymbolSupport: SymbolInformation, each with its location.
        assert [(s["name"], s["containerName"]) for s in symbols] == [
            ("1", "ADD a.jpg"),
            ("2", "add b.jpg"),
        ]
        assert symbols[1]["location"] == {
            "uri": uri,
            "range": {
                "start": {"line": 1, "character": 0},
                "end": {"line": 1, "character": len(BAD_OP)},
            },
        }
        # Requests whose params do not fit their method: each is answered, with the error
        # JSON-RPC names, and the server goes on answering.
        for msg_id, method, params in (
            (3, "textDocument/hover", doc),
            (4, "textDocument/completion", {"textDocument": {"uri": 5}, "position": {}}),
            (5, "textDocument/documentSymbol", None),
        ):
            send(server.stdin, {"id": msg_id, "method": method, "params": params})
            error = answer(server.stdout, msg_id)["error"]
            assert error == {"code": -32602, "message": f"Invalid Params for {method}"}
        at = {"line": 1, "character": 2}
        send(
            server.stdin,
            {"id": 6, "method": "textDocument/hover", "params": {**doc, "position": at}},
        )
        assert "contents" in answer(server.stdout, 6)["result"]
        send(server.stdin, {"id": 7, "method": "shutdown"})
        assert answer(server.stdout, 7)["result"] is None
        send(server.stdin, {"method": "exit"})
        assert server.wait(timeout=30) == 0
