"""The server's answers to the requests that help reading a manifest: hover, completion,
inlay hints and document links, each about one open document, in the client's units."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types

from metalint.lsp import lines
from metalint.lsp.completion import complete
from metalint.lsp.documents import OpenDocument
from metalint.lsp.hover import hover_at
from metalint.lsp.positions import client_to_index, engine_to_client
from metalint.lsp.protocol import Raw, RawList
from metalint.rules.fieldkeys import CATEGORY_KEYS

if TYPE_CHECKING:
    from metalint.lsp.server import MetalintServer

LINKED_LINES_UP_TO = 20_000
"""Lines searched for PicNames to link: a link costs a file system lookup, and clients ask
for the links of the whole document at once."""


def _client_column(doc: OpenDocument, no: int, index: int) -> int:
    return engine_to_client(doc.line(no), index + 1, doc.encoding)


def hover(ls: MetalintServer, params: types.HoverParams) -> Raw | None:
    doc = ls.documents.get(params.text_document.uri)
    no = params.position.line
    if doc is None or no >= len(doc):
        return None
    text = doc.text_line(no)
    index = client_to_index(text, params.position.character, doc.encoding)
    found = hover_at(doc.path, no + 1, doc.line(no), index, doc.config, doc.diagnostics_at_hand())
    if found is None:
        return None
    markdown, (start, end) = found
    return Raw(
        contents={"kind": "markdown", "value": markdown},
        range={
            "start": {"line": no, "character": _client_column(doc, no, start)},
            "end": {"line": no, "character": _client_column(doc, no, end)},
        },
    )


def completion(ls: MetalintServer, params: types.CompletionParams) -> RawList | None:
    doc = ls.documents.get(params.text_document.uri)
    no = params.position.line
    if doc is None:
        return None
    text = doc.text_line(no) if no < len(doc) else ""
    index = client_to_index(text, params.position.character, doc.encoding)
    snippets = bool(ls.capability("text_document.completion.completion_item.snippet_support"))
    root = doc.config.images_root or doc.path.parent
    out = RawList()
    for item in complete(text, index, root, snippets):
        end = index + (item.insert.endswith('"') and text[index : index + 1] == '"')
        entry: dict[str, Any] = {
            "label": item.label,
            "sortText": item.sort,
            "filterText": text[item.start : index] + item.label
            if item.start < index and text[item.start] == '"'
            else item.label,
            "insertTextFormat": 2 if item.snippet else 1,
            "textEdit": {
                "range": {
                    "start": {
                        "line": no,
                        "character": _client_column(doc, no, item.start),
                    },
                    "end": {"line": no, "character": _client_column(doc, no, end)},
                },
                "newText": item.insert,
            },
        }
        if item.detail:
            entry["detail"] = item.detail
        if item.doc:
            entry["documentation"] = {"kind": "markdown", "value": item.doc}
        out.append(entry)
    return out


def inlay_hints(ls: MetalintServer, params: types.InlayHintParams) -> RawList | None:
    """The category's name after each CategoryId (or cat_id) value in the range shown."""
    doc = ls.documents.get(params.text_document.uri)
    if doc is None:
        return None
    out = RawList()
    last = min(params.range.end.line, len(doc) - 1)
    for no in range(max(0, params.range.start.line), last + 1):
        raw = doc.line(no)
        if b'"CategoryId"' not in raw and b'"cat_id"' not in raw:
            continue
        for member in lines.members(doc.path, no + 1, raw, doc.config):
            name = lines.category_name(member.value) if member.key in CATEGORY_KEYS else None
            if name is not None:
                at = _client_column(doc, no, member.value_end)
                out.append(
                    {
                        "position": {"line": no, "character": at},
                        "label": f"▸ {name}",
                        "kind": 1,
                        "paddingLeft": True,
                    }
                )
    return out


def links(ls: MetalintServer, params: types.DocumentLinkParams) -> RawList | None:
    """A link from each PicName to its image file, when the file exists."""
    doc = ls.documents.get(params.text_document.uri)
    if doc is None:
        return None
    root = doc.config.images_root or doc.path.parent
    out = RawList()
    for no in range(min(len(doc), LINKED_LINES_UP_TO)):
        raw = doc.line(no)
        if b'"PicName"' not in raw:
            continue
        for member in lines.members(doc.path, no + 1, raw, doc.config):
            if member.key != "PicName" or not isinstance(member.value, str):
                continue
            target = root / member.value
            if member.value and target.is_file():
                out.append(
                    {
                        "range": {
                            "start": {
                                "line": no,
                                "character": _client_column(doc, no, member.value_start + 1),
                            },
                            "end": {
                                "line": no,
                                "character": _client_column(doc, no, member.value_end - 1),
                            },
                        },
                        "target": target.resolve().as_uri(),
                    }
                )
    return out
