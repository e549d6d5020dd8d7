"""Applying edits and fixes: positions in characters, overlaps, line endings, idempotence."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metalint.config import Config
from metalint.diagnostics import Diagnostic, Fix, Severity, Span, TextEdit
from metalint.engine import lint_bytes
from metalint.fixes import (
    FixError,
    apply_edits,
    apply_fixes,
    apply_fixes_streaming,
    chosen_fixes,
    fixed_lines,
)
from metalint.registry import Scope
from metalint.rules import rules_of
from metalint.service import Service

from .strategies import lines

CONFIG = Config(check_images=False)
LINE_CODES = {r.code for scope in (Scope.TEXT, Scope.FIELDS) for r in rules_of(scope)}


def edit(line: int, col: int, end_line: int, end_col: int, text: str) -> TextEdit:
    return TextEdit(Span(line, col, end_line, end_col), text)


def diagnostic(*edits: TextEdit) -> Diagnostic:
    return Diagnostic(
        "ML999", "test", Severity.WARNING, "m", "increment.meta", edits[0].span, fix=Fix("f", edits)
    )


# -- apply_edits ------------------------------------------------------------------------------


def test_replace_within_a_line() -> None:
    assert apply_edits(b"abc\ndef\n", [edit(2, 2, 2, 3, "X")]) == (b"abc\ndXf\n", 1)


def test_columns_count_characters_not_bytes() -> None:
    data = "中文😀x\n".encode()
    assert apply_edits(data, [edit(1, 3, 1, 4, "E")]) == ("中文Ex\n".encode(), 1)
    assert apply_edits(data, [edit(1, 2, 1, 2, "+")]) == ("中+文😀x\n".encode(), 1)


def test_overlapping_edit_is_left_out() -> None:
    fixed, applied = apply_edits(b"abcdef", [edit(1, 1, 1, 4, "X"), edit(1, 3, 1, 6, "Y")])
    assert (fixed, applied) == (b"Xdef", 1)


def test_two_insertions_at_one_point_keep_the_first() -> None:
    fixed, applied = apply_edits(b"abc", [edit(1, 2, 1, 2, "X"), edit(1, 2, 1, 2, "Y")])
    assert (fixed, applied) == (b"aXbc", 1)


def test_adjacent_edits_both_apply() -> None:
    fixed, applied = apply_edits(b"abcdef", [edit(1, 3, 1, 5, "Y"), edit(1, 1, 1, 3, "X")])
    assert (fixed, applied) == (b"XYef", 2)


def test_crlf_to_lf() -> None:
    data = b"ab\r\ncd\r\n"
    fixed, applied = apply_edits(data, [edit(1, 3, 2, 1, "\n"), edit(2, 3, 3, 1, "\n")])
    assert (fixed, applied) == (b"ab\ncd\n", 2)


def test_last_line_without_newline() -> None:
    assert apply_edits(b"ab\ncd", [edit(2, 3, 2, 3, "!")]) == (b"ab\ncd!", 1)
    # Deleting the last line with its newline: one past the last line is the end of the data.
    assert apply_edits(b"ab\ncd\n", [edit(2, 1, 3, 1, "")]) == (b"ab\n", 1)
    assert apply_edits(b"ab\ncd", [edit(2, 1, 3, 1, "")]) == (b"ab\n", 1)


# -- fixed_lines ------------------------------------------------------------------------------


def test_fixed_lines_agree_with_apply_edits_on_one_line() -> None:
    text, ending = '{"a": "中文", "b": 1}', b"\r\n"
    edits = [edit(3, 8, 3, 10, "x"), edit(3, 20, 4, 1, "\n")]
    raw = text.encode() + ending
    moved = [TextEdit(e.span.moved_down(-2), e.new_text) for e in edits]
    assert fixed_lines(text, ending, 3, edits) == [apply_edits(raw, moved)[0]]


@given(
    st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=12),
    st.sampled_from([b"\n", b"\r\n", b""]),
    st.data(),
)
def test_one_edit_within_a_line_agrees_with_apply_edits(
    text: str, ending: bytes, data: st.DataObject
) -> None:
    # The shortcut for the usual fix, one edit on the line, against the general splice.
    column = data.draw(st.integers(1, len(text) + 1))
    end_column = data.draw(st.integers(column, len(text) + 1))
    new_text = data.draw(st.sampled_from(["", "x", "中", "\n", "a\nb", "\r\n", "}\n"]))
    made = fixed_lines(text, ending, 4, [edit(4, column, 4, end_column, new_text)])
    whole = apply_edits(text.encode() + ending, [edit(1, column, 1, end_column, new_text)])[0]
    assert made == io.BytesIO(whole).readlines()  # split as the engine splits a file


def test_fixed_lines_split_and_delete() -> None:
    assert fixed_lines("{}{}", b"\n", 2, [edit(2, 1, 2, 5, "{}\n{}")]) == [b"{}\n", b"{}\n"]
    assert fixed_lines("  ", b"\n", 2, [edit(2, 1, 3, 1, "")]) == []
    assert fixed_lines("  ", b"", 2, [edit(2, 1, 2, 3, "")]) == []


def test_fixed_lines_refuse_what_they_cannot_make() -> None:
    assert fixed_lines("abc", b"\n", 1, [edit(2, 1, 2, 2, "")]) is None
    assert fixed_lines("abc", b"\n", 1, [edit(1, 6, 1, 6, "")]) is None
    # UTF-8 cannot hold a lone surrogate: a fix that writes one raw is no fix.
    assert fixed_lines("abc", b"\n", 1, [edit(1, 1, 1, 2, "\ud800")]) is None


def test_edits_that_do_not_fit_raise() -> None:
    with pytest.raises(FixError):
        apply_edits(b"ab\n", [edit(5, 1, 5, 2, "")])
    with pytest.raises(FixError):
        apply_edits(b"ab\n", [edit(1, 9, 1, 10, "")])
    with pytest.raises(FixError):
        apply_edits(b"abc\n", [edit(1, 3, 1, 2, "")])


def _by_every_pair(data: bytes, ranges: list[tuple[int, int, str]]) -> bytes:
    """The reference: each edit checked against every edit taken before it."""
    placed: list[tuple[int, int, str]] = []
    for begin, end, text in ranges:
        clash = any(
            (begin < o_end and o_begin < end) or begin == end == o_begin == o_end
            for o_begin, o_end, _ in placed
        )
        if not clash:
            placed.append((begin, end, text))
    out = data
    for begin, end, text in sorted(placed, reverse=True):
        out = out[:begin] + text.encode() + out[end:]
    return out


@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 6), st.sampled_from(["", "x", "yz"])),
        max_size=30,
    )
)
def test_overlaps_are_decided_as_against_every_edit_taken(
    raw: list[tuple[int, int, str]],
) -> None:
    data = bytes(range(97, 97 + 26)) * 2  # one line of 52 ASCII letters
    ranges = [(b, min(b + n, len(data)), t) for b, n, t in raw if b <= len(data)]
    edits = [edit(1, b + 1, 1, e + 1, t) for b, e, t in ranges]
    assert apply_edits(data, edits)[0] == _by_every_pair(data, ranges)


# -- apply_fixes ------------------------------------------------------------------------------


def test_a_fix_stands_or_falls_whole() -> None:
    first = diagnostic(edit(1, 1, 1, 3, "X"))
    second = diagnostic(edit(1, 5, 1, 6, "Y"), edit(1, 2, 1, 4, "Z"))  # overlaps the first
    fixed, applied = apply_fixes(b"abcdef", [first, second])
    assert (fixed, applied) == (b"Xcdef", 1)


def test_diagnostics_without_fixes_are_ignored() -> None:
    plain = Diagnostic("ML999", "t", Severity.ERROR, "m", "p", Span(1, 1, 1, 2))
    assert apply_fixes(b"abc", [plain]) == (b"abc", 0)


MESSY = (
    "\ufeff"
    '{"OperationType": "add", "ProductId": 1000, "PicName": "/商品/a.jpg", '
    '"CustomContent": ""}  \r\n'
    "\r\n"
    '{"OperationType": "DELETE", "ProductId": "1"}{"OperationType": "DELETE", "ProductId": "2"}\r\n'
    '{"OperationType": "DELETE", "ProductID": "3", "Crop": "false"}\r\n'
    '{"OperationType": "DELETE", "ProductId": "1"}\r\n'
    '{"OperationType": "DELETE", "ProductId": "1"}\r\n'
    '{"OperationType": "ADD", "ProductId": "😀", "PicName": "a.jpg", "CustomContent": "", '
    '"CategoryId": "3"}'
).encode()


def fix_until_stable(data: bytes, rounds: int = 6) -> tuple[bytes, int]:
    for n in range(rounds):
        fixed, applied = apply_fixes(data, lint_bytes(data, config=CONFIG))
        if not applied:
            return data, n
        data = fixed
    raise AssertionError(f"fixes still apply after {rounds} rounds")


def test_fixing_a_messy_manifest_settles() -> None:
    fixed, rounds = fix_until_stable(MESSY)
    # The second round removes line 5: once line 3 is split, it copies the new line 2.
    assert rounds == 2
    assert [d for d in lint_bytes(fixed, config=CONFIG) if d.fix is not None] == []
    assert (
        fixed
        == (
            '{"OperationType": "ADD", "ProductId": "1000", "PicName": "商品/a.jpg", '
            '"CustomContent": ""}\n'
            '{"OperationType": "DELETE", "ProductId": "1"}\n'
            '{"OperationType": "DELETE", "ProductId": "2"}\n'
            # DELETE ignores Crop: "false" made a boolean would still draw a finding.
            '{"OperationType": "DELETE", "ProductId": "3", "Crop": "false"}\n'
            '{"OperationType": "ADD", "ProductId": "😀", "PicName": "a.jpg", "CustomContent": "", '
            '"CategoryId": 3}'
        ).encode()
    )


def test_fixing_is_idempotent() -> None:
    fixed, _ = fix_until_stable(MESSY)
    assert apply_fixes(fixed, lint_bytes(fixed, config=CONFIG)) == (fixed, 0)


def split_lines(data: bytes) -> list[bytes]:
    """Lines with their endings, split on LF only, as the engine splits them."""
    return re.findall(rb"[^\n]*\n|[^\n]+$", data)


def fixable_lines(found: list[Diagnostic]) -> set[int]:
    """Lines a fix may touch: those of its edits' starts (an edit ending at column 1 of the
    next line only takes this line's ending)."""
    touched: set[int] = set()
    for d in found:
        if d.fix is None:
            continue
        for e in d.fix.edits:
            last = e.span.end_line - (1 if e.span.end_column == 1 else 0)
            touched.update(range(e.span.line, max(e.span.line, last) + 1))
    return touched


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines(), min_size=1, max_size=8))
def test_lines_without_a_fix_are_untouched(manifest: list[Any]) -> None:
    data = b"".join(line.data for line in manifest)
    found = lint_bytes(data, config=CONFIG)
    fixed, _ = apply_fixes(data, found)
    touched = fixable_lines(found)
    original = split_lines(data)
    kept = [line for n, line in enumerate(original, 1) if n not in touched]
    remaining = iter(split_lines(fixed))
    for line in kept:
        # Each untouched line, with its ending, is still there and in the same order.
        assert any(line == candidate for candidate in remaining), line


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines(), min_size=1, max_size=8), st.booleans())
def test_fixes_streamed_are_the_fixes_applied_in_memory(manifest: list[Any], unsafe: bool) -> None:
    # --fix copies a manifest line by line as its findings stream in: the same bytes as
    # applying the same fixes to the whole of it at once.
    data = b"".join(line.data for line in manifest)
    found = [d for d in lint_bytes(data, config=CONFIG) if d.fix and (d.fix.safe or unsafe)]
    out = io.BytesIO()
    applied, changed = apply_fixes_streaming(io.BytesIO(data), found, out)
    chosen = list(chosen_fixes(found))  # as an editor is offered them
    expected, _ = apply_edits(data, [e for fix in chosen for e in fix.edits])
    assert (out.getvalue(), applied) == (expected, len(chosen))
    assert changed == (expected != data)


def test_a_fix_that_reaches_back_is_left_for_the_next_round() -> None:
    data = b"abc\ndef\nghi\n"
    later = diagnostic(edit(3, 1, 3, 2, "G"))
    earlier = diagnostic(edit(1, 1, 1, 2, "A"))
    across = diagnostic(edit(3, 3, 4, 1, "!\n"), edit(2, 1, 2, 1, ">"))
    out = io.BytesIO()
    assert apply_fixes_streaming(io.BytesIO(data), [later, earlier, across], out) == (1, True)
    assert out.getvalue() == b"abc\ndef\nGhi\n"
    out = io.BytesIO()
    assert apply_fixes_streaming(io.BytesIO(data), [across], out) == (1, True)
    assert out.getvalue() == b"abc\n>def\ngh!\n"


def added_keys(data: bytes, fixed: bytes) -> set[str]:
    """The keys that the fixed line's object has and the original line's has not."""
    try:
        old, new = json.loads(data), json.loads(fixed)
    except ValueError:
        return set()
    if not isinstance(old, dict) or not isinstance(new, dict):
        return set()
    return set(new) - set(old)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines(), st.sampled_from(list(Service)))
def test_no_fix_trades_a_finding_for_another(line: Any, service: Service) -> None:
    # Each fix on its own, on the line it makes.
    config = Config(check_images=False, service=service)
    found = [d for d in lint_bytes(line.data, config=config) if d.code in LINE_CODES]
    before = Counter((d.code, d.key) for d in found)
    for d in found:
        if d.fix is None:
            continue
        fixed, applied = apply_fixes(line.data, [d])
        assert applied == 1
        after = Counter(
            (a.code, a.key) for a in lint_bytes(fixed, config=config) if a.code in LINE_CODES
        )
        if d.key is not None:
            # A value's fix leaves its key clean, and a key it brings in.
            touched = {d.key} | added_keys(line.data, fixed)
            assert [k for k in after if k[1] in touched] == [], d
        else:
            # A fix of the text takes its finding away and adds none of another rule.
            assert after[(d.code, None)] < before[(d.code, None)], d
            assert Counter({k: n for k, n in after.items() if k[1] is None}) <= before, d


@pytest.mark.parametrize(
    "data",
    [
        b'{"OperationType": "DELETE", "ProductId": "1"}\r\n\xd6\xd0\r\n',
        b'{"OperationType": "DELETE", "ProductId": "1"}\n\n\xff\n',
        b'{"OperationType": "DELETE", "ProductId": "1"}\n{"OperationType": "DELETE", '
        b'"ProductId": "1"}\n\xff',
    ],
    ids=["crlf", "blank-line", "duplicate-line"],
)
def test_fix_next_to_a_line_that_is_not_utf8(data: bytes) -> None:
    # An edit that ends at column 1 of the next line must not need to decode that line.
    found = lint_bytes(data, config=CONFIG)
    assert any(d.fix for d in found)
    fixed, applied = apply_fixes(data, found)
    assert applied >= 1
    assert fixed.endswith(split_lines(data)[-1])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines(), min_size=1, max_size=6))
def test_fixes_settle(manifest: list[Any]) -> None:
    data = b"".join(line.data for line in manifest)
    fixed, _ = fix_until_stable(data, rounds=4)
    assert [d for d in lint_bytes(fixed, config=CONFIG) if d.fix is not None] == []
