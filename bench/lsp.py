"""Responsiveness of `metalint server` on a large manifest, through a real client process.

    python bench/lsp.py [--lines 100000] [--edits 20] [--pull] [--encoding utf-16]

Builds (once, under bench/.data/lsp/) two manifests of seed-like ADD lines as in throughput.py,
one with 1% and one with 10% of the lines broken (`"OperationType": "add"`), and for each
starts the server as a subprocess and speaks LSP to it over stdio, as an editor does (this
script is the client; it frames and parses messages itself, so that what is timed is the
server). It measures:

- open: from sending didOpen to receiving the first publishDiagnostics;
- ready: from didOpen to the end of the server's progress report for building the document
  for edits (the diagnostics of an edit that comes earlier are published then);
- early hover: an edit that writes the first character again, sent once the first
  diagnostics are in, then a hover request, timed from the edit to the hover's answer: how
  long the server keeps a user waiting while it prepares the document;
- edit: from sending a one-character didChange (on a line in the middle, which alternately
  breaks and mends the line) to receiving the diagnostics for that version, debounce
  included; the median and the worst of --edits edits, one at a time;
- the size of the last publish.

With --pull, the client announces pull diagnostics and the edit is timed to the answer of a
textDocument/diagnostic request sent right after the change (as VS Code does after its own
debounce, which is not counted).

Then, in this process, the cost of turning 10,000 findings into a publish: the server's own
conversion and encoding, against lsprotocol objects unstructured by pygls' converter and
dumped with the standard library (what a handler returning lsprotocol types costs).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from throughput import add_line, metalint_command, write_once

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data" / "lsp"
BROKEN = ('"OperationType": "ADD"', '"OperationType": "add"')


def build(lines: int, percent: int) -> Path:
    rnd = random.Random(20261202)
    flagged = set(random.Random(percent).sample(range(lines), lines * percent // 100))

    def line(i: int) -> str:
        text = add_line(i, rnd)
        return text.replace(*BROKEN, 1) if i in flagged else text

    return write_once(DATA / f"{lines}-{percent}pct" / "increment.meta", map(line, range(lines)))


class Client:
    """A minimal LSP client over a subprocess' pipes."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.next_id = 0
        self.waiting: dict[int, asyncio.Future[Any]] = {}
        self.notes: asyncio.Queue[tuple[float, dict[str, Any]]] = asyncio.Queue()
        self.sizes: dict[str, int] = {}
        self.reader = asyncio.ensure_future(self._read())

    def _write(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method: str, params: Any) -> float:
        sent = time.perf_counter()
        self._write({"jsonrpc": "2.0", "method": method, "params": params})
        return sent

    async def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiting[self.next_id] = future
        self._write({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return await future

    async def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while (header := await out.readline()) not in (b"\r\n", b""):
                if header.lower().startswith(b"content-length:"):
                    length = int(header.split(b":")[1])
            if not header:
                return
            body = await out.readexactly(length)
            at = time.perf_counter()
            message = json.loads(body)
            if "method" in message and "id" in message:
                self._answer(message)
            elif "method" in message:
                self.sizes[message["method"]] = len(body)
                await self.notes.put((at, message))
            else:
                self.waiting.pop(message["id"]).set_result(message.get("result"))

    def _answer(self, message: dict[str, Any]) -> None:
        result: Any = None
        if message["method"] == "workspace/configuration":
            # No images stand beside the generated manifest: with image checks on, every
            # line would draw ML301 and the capped list would be all of those.
            result = [{"images": False} for _ in message["params"]["items"]]
        self._write({"jsonrpc": "2.0", "id": message["id"], "result": result})

    async def wait_for(self, method: str, test: Any = None) -> tuple[float, dict[str, Any]]:
        while True:
            at, message = await self.notes.get()
            if message["method"] == method and (test is None or test(message["params"])):
                return at, message["params"]


def capabilities(pull: bool, encoding: str) -> dict[str, Any]:
    text: dict[str, Any] = {
        "synchronization": {"didSave": True},
        "publishDiagnostics": {"versionSupport": True, "relatedInformation": True},
    }
    if pull:
        text["diagnostic"] = {"dynamicRegistration": False}
    return {
        "general": {"positionEncodings": [encoding]},
        "window": {"workDoneProgress": True},
        "workspace": {"configuration": True},
        "textDocument": text,
    }


async def measure(path: Path, edits: int, pull: bool, encoding: str) -> dict[str, Any]:
    proc = await asyncio.create_subprocess_exec(
        *metalint_command(),
        "server",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=1 << 30,
    )
    client = Client(proc)
    await client.request(
        "initialize",
        {
            "processId": None,
            "rootUri": path.parent.as_uri(),
            "capabilities": capabilities(pull, encoding),
        },
    )
    client.notify("initialized", {})
    uri = path.as_uri()
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    item = {"uri": uri, "languageId": "metalint", "version": 1, "text": text}
    opened = client.notify("textDocument/didOpen", {"textDocument": item})
    found: list[Any]
    if pull:
        reply = await client.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})
        first = time.perf_counter()
        found = reply["items"]
    else:
        first, params = await client.wait_for("textDocument/publishDiagnostics")
        found = params["diagnostics"]
    middle = len(lines) // 2
    # While the document is still being prepared: an edit that leaves the text as it is (the
    # first character written again), then a hover, timed to its answer.
    rewrite = {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}}
    early = client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{**rewrite, "text": "{"}]},
    )
    await client.request(
        "textDocument/hover",
        {"textDocument": {"uri": uri}, "position": {"line": middle, "character": 2}},
    )
    hovered = time.perf_counter()
    ready, _ = await client.wait_for(
        "$/progress", lambda p: isinstance(p.get("value"), dict) and p["value"].get("kind") == "end"
    )
    column = lines[middle].index("OperationType") + len('OperationType": "') + 1
    times = []
    for step, version in enumerate(range(3, edits + 3)):
        new = "d" if step % 2 == 0 else "D"
        if lines[middle][column] != "D":
            new = "D" if step % 2 == 0 else "d"
        change = {
            "range": {
                "start": {"line": middle, "character": column},
                "end": {"line": middle, "character": column + 1},
            },
            "text": new,
        }
        sent = client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
        )
        if pull:
            reply = await client.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})
            got = time.perf_counter()
            found = reply["items"]
        else:
            got, params = await client.wait_for(
                "textDocument/publishDiagnostics", lambda p, v=version: p.get("version") == v
            )
            found = params["diagnostics"]
        times.append(got - sent)
        await asyncio.sleep(0.3)
    await client.request("shutdown", None)
    client.notify("exit", None)
    await proc.wait()
    return {
        "open": first - opened,
        "ready": ready - opened,
        "early_hover": hovered - early,
        "edit_median": statistics.median(times),
        "edit_max": max(times),
        "diagnostics": len(found),
        "publish_bytes": client.sizes.get("textDocument/publishDiagnostics", 0),
    }


def serialization(path: Path) -> dict[str, float]:
    """Seconds to turn the findings of ``path`` into a publish: the server's way, and through
    lsprotocol objects and pygls' converter."""
    import orjson
    from lsprotocol import types
    from pygls.protocol import default_converter

    from metalint.config import Config
    from metalint.engine import lint_bytes
    from metalint.lsp import convert
    from metalint.lsp.documents import OpenDocument

    data = path.read_bytes()
    config = Config(check_images=False)
    doc = OpenDocument(path.as_uri(), path, 1, data.decode(), config, "utf-16")
    doc.finish_building()
    found = lint_bytes(data, str(path), config)
    positions = convert.Positions(doc.line, "utf-16")
    start = time.perf_counter()
    ours = convert.diagnostics(found, doc.uri, positions, convert.DEFAULT_DOCS_URL)
    orjson.dumps({"uri": doc.uri, "diagnostics": ours})
    server_way = time.perf_counter() - start
    converter = default_converter()
    start = time.perf_counter()
    objects = [converter.structure(d, types.Diagnostic) for d in ours]
    structured = time.perf_counter() - start
    params = types.PublishDiagnosticsParams(uri=doc.uri, diagnostics=objects)
    start = time.perf_counter()
    json.dumps(converter.unstructure(params))
    pygls_way = time.perf_counter() - start
    return {
        "findings": len(found),
        "server": server_way,
        "lsprotocol_unstructure_dump": pygls_way,
        "lsprotocol_structure": structured,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--pull", action="store_true", help="pull diagnostics instead of pushes")
    parser.add_argument("--encoding", default="utf-16", choices=("utf-8", "utf-16", "utf-32"))
    args = parser.parse_args()
    for percent in (1, 10):
        path = build(args.lines, percent)
        figures = asyncio.run(measure(path, args.edits, args.pull, args.encoding))
        print(
            f"{args.lines:,} lines, {percent}% flagged ({figures['diagnostics']:,} diagnostics, "
            f"publish {figures['publish_bytes'] / 1e6:.1f} MB): "
            f"first diagnostics {figures['open']:.2f} s, ready for edits {figures['ready']:.2f} s, "
            f"an edit and a hover before that: answered in {figures['early_hover'] * 1000:.0f} ms, "
            f"edit to diagnostics median {figures['edit_median'] * 1000:.0f} ms, "
            f"worst {figures['edit_max'] * 1000:.0f} ms"
        )
    cost = serialization(build(args.lines, 10))
    print(
        f"serializing {cost['findings']:,} findings: server {cost['server'] * 1000:.0f} ms; "
        f"as lsprotocol objects, unstructure + json.dumps "
        f"{cost['lsprotocol_unstructure_dump'] * 1000:.0f} ms "
        f"(structuring them {cost['lsprotocol_structure'] * 1000:.0f} ms)"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
