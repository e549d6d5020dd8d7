"""Whatever the bytes, the engine returns diagnostics with sane positions, and its fixes apply.

The manifest is user input of any size and origin: binary content, broken JSON and absurd
values must come back as findings, never as an exception.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metalint.config import Config
from metalint.diagnostics import Diagnostic, Span
from metalint.engine import lint_bytes
from metalint.fixes import apply_fixes
from metalint.line import LineContext
from metalint.service import Service

from .strategies import json_scalar, lines

CONFIG = Config(check_images=False)
PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
VALID_ADD = b'{"OperationType": "ADD", "ProductId": "1", "PicName": "a.jpg", "CustomContent": ""'


def line_lengths(data: bytes) -> list[int]:
    """Each line's length in characters without its ending, as the engine splits lines."""
    parts = data.split(b"\n")
    if len(parts) > 1 and parts[-1] == b"":
        parts.pop()
    lengths = []
    for i, part in enumerate(parts):
        if i < len(parts) - 1 or data.endswith(b"\n"):
            part = part.removesuffix(b"\r")
        lengths.append(len(part.decode("utf-8", "replace")))
    return lengths or [0]


def check_span(span: Span, lengths: list[int]) -> None:
    assert 1 <= span.line <= span.end_line <= len(lengths), span
    assert span.column >= 1 and span.end_column >= 1, span
    assert (span.end_line, span.end_column) >= (span.line, span.column), span
    assert span.column <= lengths[span.line - 1] + 2, (span, lengths[span.line - 1])
    assert span.end_column <= lengths[span.end_line - 1] + 2, (span, lengths[span.end_line - 1])


def lint_and_fix(data: bytes, config: Config = CONFIG) -> list[Diagnostic]:
    """Lint, check every position, apply every fix and lint the result again."""
    found = lint_bytes(data, config=config)
    lengths = line_lengths(data)
    for d in found:
        check_span(d.span, lengths)
        for related in d.related:
            check_span(related.span, lengths)
    fixed, applied = apply_fixes(data, found)
    assert applied <= sum(d.fix is not None for d in found)
    if applied:
        again = lint_bytes(fixed, config=config)
        relengths = line_lengths(fixed)
        for d in again:
            check_span(d.span, relengths)
    return found


# -- properties -------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    lint_and_fix(data)


FRAGMENTS = [
    b"{", b"}", b"[", b"]", b":", b",", b" ", b"\t", b"\r", b"\n", b"\r\n", b"\x00", b"\xff",
    b"\xef\xbb\xbf", b"\xe4\xb8\xad", b"\xe4\xb8", b'"', b"\\", b'"\\u00e9"', b'"\\/"',
    b'"OperationType"', b'"ADD"', b'"DELETE"', b'"add"', b'"ProductId"', b'"1"', b"1",
    b'"PicName"', b'"a.jpg"', b'"/a//b\\\\..\\\\c"', b'"oss://x/a.jpg"', b'"CustomContent"',
    b'""', b'"Region"', b'"20,40,60,80"', b'"60,40,20,80"', b'"Crop"', b"false", b"true",
    b"null", b'"IntAttr"', b"2147483648", b"1.5", b"-0", b"1e999", b"NaN", b"-Infinity",
    b'"CategoryId"', b"10", b'"StrAttr"', b'"50%"', b'"ProductID"', b'"cat_id"',
    VALID_ADD, VALID_ADD + b"}", b'{"OperationType": "DELETE", "ProductId": "1"}',
]  # fmt: skip


@PROPERTY_SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(b"".join))
def test_lines_of_json_fragments(data: bytes) -> None:
    lint_and_fix(data)


KEYS = st.sampled_from(
    ["OperationType", "ProductId", "PicName", "CustomContent", "CategoryId", "IntAttr",
     "StrAttr", "Crop", "Region", "operator", "x"]
)  # fmt: skip
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=12,
)


@PROPERTY_SETTINGS
@given(st.lists(json_values, min_size=1, max_size=4), st.sampled_from(list(Service)))
def test_arbitrary_json_values_as_lines(values: list[Any], service: Service) -> None:
    data = "".join(json.dumps(v, ensure_ascii=False) + "\n" for v in values).encode()
    lint_and_fix(data, Config(check_images=False, service=service))


@PROPERTY_SETTINGS
@given(st.lists(lines(), min_size=1, max_size=6), st.sampled_from(list(Service)))
def test_manifests_of_generated_lines(manifest: list[Any], service: Service) -> None:
    data = b"".join(line.data for line in manifest)
    lint_and_fix(data, Config(check_images=False, service=service))


# -- nasty inputs, one by one -----------------------------------------------------------------

NASTY = {
    "empty": b"",
    "one newline": b"\n",
    "a lone CR": b"\r",
    "a lone CR between lines": b'{"OperationType": "DELETE", "ProductId": "1"}\r{}\n',
    "many blank lines": b"\n" * 1000,
    "NUL bytes": b"\x00\x00\n\x00",
    "NUL inside a value": VALID_ADD.replace(b'"1"', b'"1\x00"') + b"}\n",
    "BOM only": b"\xef\xbb\xbf",
    "BOM then invalid UTF-8": b"\xef\xbb\xbf\xff{}\n",
    "BOM on the second line": b"{}\n\xef\xbb\xbf{}\n",
    "invalid UTF-8 in every line": b"\xff\n\xc3\n\xed\xa0\x80\n",
    "array 10000 deep": b"[" * 10000 + b"]" * 10000 + b"\n",
    "object 10000 deep": b'{"a":' * 10000 + b"1" + b"}" * 10000 + b"\n",
    "unclosed array 10000 deep": b"[" * 10000 + b"\n",
    "1e999": VALID_ADD + b', "IntAttr": 1e999}\n',
    "-1e999 as ProductId": b'{"OperationType": "DELETE", "ProductId": -1e999}\n',
    "-0": VALID_ADD + b', "IntAttr": -0, "CategoryId": -0}\n',
    "integer of 4000 digits": VALID_ADD + b', "IntAttr": ' + b"9" * 4000 + b"}\n",
    "NaN everywhere": b'{"OperationType": NaN, "ProductId": Infinity, "PicName": -Infinity}\n',
    "lone surrogate in ProductId": b'{"OperationType": "DELETE", "ProductId": "\\ud800"}\n',
    "surrogate pair": VALID_ADD.replace(b'"a.jpg"', b'"\\ud83d\\ude00.jpg"') + b"}\n",
    "1 MB line": VALID_ADD.replace(b'""', b'"' + b"x" * 1_000_000 + b'"') + b"}\n",
    "1 MB of spaces": b" " * 1_000_000 + b"\n",
    "10000 values on a line": b"{}" * 10000 + b"\n",
    "array of 10000 objects": b"[" + b",".join([b"{}"] * 10000) + b"]\n",
    "Region with huge numbers": VALID_ADD + b', "Region": "' + b"9" * 400 + b',1,2,3"}\n',
    "only a CRLF": b"\r\n",
    "CR CR LF": b'{"OperationType": "DELETE", "ProductId": "1"}\r\r\n',
    # These raised before commit 0b8ecd7.
    "array 300 deep in a member": b'{"OperationType": "DELETE", "ProductId": "1", "X": '
    + b"[" * 300
    + b"]" * 300
    + b"}\n",
    "array 600 deep in CustomContent": VALID_ADD.replace(b'""', b"[" * 600 + b"]" * 600) + b"}\n",
    "lone surrogate in PicName": VALID_ADD.replace(b'"a.jpg"', b'"\\ud800.jpg"') + b"}\n",
    "integer of 5000 digits": VALID_ADD + b', "IntAttr": ' + b"9" * 5000 + b"}\n",
    "Region of 5000 digits on a clean line": VALID_ADD
    + b', "Region": "'
    + b"9" * 5000
    + b',1,2,3"}\n',
    "Region of 5000 digits on a slow line": VALID_ADD
    + b', "Colour": 1, "Region": "1,'
    + b"9" * 5000
    + b',2,3"}\n',
    "lone surrogate as a key": b'{"OperationType": "DELETE", "ProductId": "1", "\\udc00": 1}\n',
    # ML103 turned the string into an int to offer its fix, and raised past 4300 digits.
    "IntAttr as a string of 5000 digits": VALID_ADD + b', "IntAttr": "' + b"9" * 5000 + b'"}\n',
    "CategoryId as a string of 5000 digits": VALID_ADD
    + b', "CategoryId": "'
    + b"9" * 5000
    + b'"}\n',
}


@pytest.mark.parametrize("data", list(NASTY.values()), ids=list(NASTY))
def test_nasty_input(data: bytes) -> None:
    lint_and_fix(data)


def test_members_of_a_line_nested_deeper_than_python_decodes() -> None:
    # orjson releases before its own depth limit read such a line, so the engine gets an
    # object that Python's decoder, used for spans, cannot decode again.
    depth = 10_000
    text = '{"Colour": ' + '{"a":' * depth + "1" + "}" * depth + ', "ProductId": "1"}'
    deep: dict[str, Any] = {"a": 1}
    for _ in range(depth - 1):
        deep = {"a": deep}
    obj = {"Colour": deep, "ProductId": "1"}
    ctx = LineContext.of("increment.meta", 1, text.encode() + b"\n", CONFIG, obj)
    colour, product = ctx.members
    assert (colour.key, colour.value_end) == ("Colour", text.index(', "ProductId"'))
    assert colour.value is deep
    assert (product.key, product.value) == ("ProductId", "1")
