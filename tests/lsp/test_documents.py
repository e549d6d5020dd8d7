"""An open document edited while its Document is still being built: each edit lands on the
lines where they are, built or not, and the findings are those of the whole text."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metalint.config import Config
from metalint.engine import lint_bytes
from metalint.lsp import documents
from metalint.lsp.documents import OpenDocument

from .lspkit import BAD_OP, CLEAN

CONFIG = Config(check_images=False)
LINES = [CLEAN, BAD_OP, CLEAN.replace('"1"', '"3"'), "", "not json", CLEAN + " "]


def position(line: int, character: int) -> SimpleNamespace:
    return SimpleNamespace(line=line, character=character)


def expected(text: str) -> list[tuple[int, int, str]]:
    return [(d.span.line, d.span.column, d.code) for d in lint_bytes(text.encode(), config=CONFIG)]


def apply(text: str, start: tuple[int, int], end: tuple[int, int], new: str) -> str:
    rows = text.split("\n")

    def offset(line: int, character: int) -> int:
        if line >= len(rows):
            return len(text)
        return sum(len(r) + 1 for r in rows[:line]) + min(character, len(rows[line]))

    a, b = sorted((offset(*start), offset(*end)))
    return text[:a] + new + text[b:]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.sampled_from(LINES), min_size=1, max_size=14),
    st.lists(
        st.tuples(
            st.integers(0, 3),  # build steps before the edit
            st.integers(0, 15),
            st.integers(0, 90),
            st.integers(0, 15),
            st.integers(0, 90),
            st.sampled_from(["", "x", "\n", BAD_OP + "\n", CLEAN + "\n" + CLEAN]),
        ),
        max_size=5,
    ),
)
def test_edits_during_the_build_land_on_the_whole_text(
    monkeypatch: pytest.MonkeyPatch, opened: list[str], edits: list[tuple]
) -> None:
    monkeypatch.setattr(documents, "SLICE_LINES", 2)  # the same for every example
    text = "\n".join(opened) + "\n"
    doc = OpenDocument(
        "file:///m/increment.meta", Path("/m/increment.meta"), 1, text, CONFIG, "utf-16"
    )
    assert found(doc) == expected(text)  # the server publishes them on open
    for steps, line, character, end_line, end_character, new in edits:
        for _ in range(steps):
            doc.build_step()
        doc.apply(position(line, character), position(end_line, end_character), new)
        text = apply(text, (line, character), (end_line, end_character), new)
        assert doc.data() == text.encode()
        if steps % 2:
            assert found(doc) == expected(text)
    while not doc.build_step():
        pass
    assert found(doc) == expected(text)


def found(doc: OpenDocument) -> list[tuple[int, int, str]]:
    return [(d.span.line, d.span.column, d.code) for d in doc.diagnostics()]
