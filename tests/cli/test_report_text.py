"""The text reporter on its own: source lines, markers, long lines and the summary."""

from __future__ import annotations

import io
from pathlib import Path

from metalint.diagnostics import FILE_SPAN, Diagnostic, Related, Severity, Span
from metalint.report import ReportOptions, Totals, create_reporter
from metalint.report.base import SourceLines


def diagnostic(
    path: str, span: Span, code: str = "ML102", related: tuple[Related, ...] = ()
) -> Diagnostic:
    return Diagnostic(code, "some-rule", Severity.ERROR, "bad", path, span, related=related)


def render(diagnostics: list[Diagnostic], sources: SourceLines, files: int = 1) -> list[str]:
    out = io.StringIO()
    options = ReportOptions(color=False, show_source=True, sources=sources)
    reporter = create_reporter("text", out, options)
    totals = Totals(files=files)
    for d in diagnostics:
        totals.count(d)
        reporter.add(d)
    reporter.finish(totals)
    sources.close()
    return out.getvalue().splitlines()


def test_a_long_line_is_cut_around_the_span() -> None:
    line = '{"CustomContent": "' + "x" * 500 + '", "OperationType": "add"}'
    start = line.index('"add"')
    lines = render(
        [diagnostic("m", Span.on_line(1, start, start + 5))], SourceLines({"m": line.encode()})
    )
    shown, marker = lines[1], lines[2]
    assert shown.startswith("1 | …") and len(shown) < 120
    assert shown[marker.index("^") : marker.index("^") + 5] == '"add"'
    assert marker.count("^") == 5


def test_lines_are_found_again_when_out_of_order(tmp_path: Path) -> None:
    path = tmp_path / "increment.meta"
    path.write_text("first\nsecond\nthird\n")
    found = [
        diagnostic(str(path), Span(3, 1, 3, 6)),
        diagnostic(str(path), Span(1, 1, 1, 6)),
        diagnostic(str(path), Span(9, 1, 9, 2)),
    ]
    lines = render(found, SourceLines())
    assert "3 | third" in lines
    assert "1 | first" in lines
    assert not any(line.startswith("9 |") for line in lines)


def test_a_span_over_two_lines_is_marked_to_the_end_of_the_first(tmp_path: Path) -> None:
    lines = render([diagnostic("m", Span(1, 3, 2, 1))], SourceLines({"m": b"abcdef\nnext\n"}))
    assert lines[1:3] == ["1 | abcdef", "  |   ^^^^"]


def test_a_byte_order_mark_and_tabs_keep_the_marker_aligned() -> None:
    data = '\ufeff{"a":\t"add"}'.encode()
    start = data.decode().index('"add"')
    lines = render([diagnostic("m", Span.on_line(1, start, start + 5))], SourceLines({"m": data}))
    assert lines[1] == '1 | {"a": "add"}'
    assert lines[2] == "  |       ^^^^^"


def test_file_level_findings_show_no_source_and_related_notes_show() -> None:
    related = (Related("m", Span(1, 1, 1, 2), "first occurrence"),)
    found = [
        diagnostic("m", FILE_SPAN, code="ML001"),
        diagnostic("m", Span(2, 1, 2, 2), code="ML203", related=related),
    ]
    lines = render(found, SourceLines({"m": b"one\ntwo\n"}))
    assert not any(line.startswith("1 |") for line in lines)
    assert "  note: m:1:1: first occurrence" in lines


def test_summary_words() -> None:
    one = diagnostic("m", Span(1, 1, 1, 2))
    assert render([one], SourceLines(), files=1)[-1] == "1 error, 0 warnings, 0 info in 1 file"
    assert render([], SourceLines(), files=3) == ["All clear: 3 files checked"]
