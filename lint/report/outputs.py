"""Where the findings go: one format on standard output and any number written to files.

``--format NAME`` writes to standard output, ``--format NAME:PATH`` to PATH; a run may ask for
several, each fed the same findings in the same order. A file is written once, when the run
is over, and atomically: a reader (or an upload step that runs after a killed job) finds the
previous report or the complete new one.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple, TextIO

from metalint.atomic import write_atomically
from metalint.diagnostics import Diagnostic
from metalint.report import FORMATS, create_reporter
from metalint.report.base import Reporter, ReportOptions, Totals


class OutputError(Exception):
    """An output that cannot be asked for or written; the message says which and why."""


class Output(NamedTuple):
    format: str
    path: Path | None
    """None for standard output."""


def parse_outputs(values: list[str], output_file: Path | None) -> list[Output]:
    """The outputs that ``--format`` values (``NAME`` or ``NAME:PATH``) and ``--output-file``
    ask for."""
    outputs = []
    for value in values:
        name, colon, path = value.partition(":")
        if name not in FORMATS:
            raise OutputError(f"--format: {name!r} is not one of {', '.join(FORMATS)}")
        if colon and not path:
            raise OutputError(f"--format {value}: no path after ':'")
        outputs.append(Output(name, Path(path) if colon else None))
    to_stdout = [o for o in outputs if o.path is None]
    if len(to_stdout) > 1:
        names = ", ".join(o.format for o in to_stdout)
        raise OutputError(
            f"--format: {names} would all write to standard output; write all but one to a "
            "file, as NAME:PATH"
        )
    if output_file is not None:
        if len(outputs) != 1 or outputs[0].path is not None:
            raise OutputError(
                "--output-file takes the place of standard output for a single --format"
            )
        outputs = [Output(outputs[0].format, output_file)]
    return outputs


class Outputs:
    """Every output of a run behind one ``add`` and ``finish``."""

    def __init__(
        self, outputs: list[Output], stdout: TextIO, options: ReportOptions, *, statistics: bool
    ) -> None:
        # A file gets no colours and no source lines but those its format always shows.
        in_file = replace(options, color=False, show_source=False)
        self._reporters: list[Reporter] = []
        self._files: list[tuple[Path, io.StringIO]] = []
        for output in outputs:
            if output.path is None:
                fmt = "statistics" if statistics else output.format
                self._reporters.append(create_reporter(fmt, stdout, options))
            else:
                buffer = io.StringIO()
                self._files.append((output.path, buffer))
                self._reporters.append(create_reporter(output.format, buffer, in_file))
        if statistics and all(o.path is not None for o in outputs):
            self._reporters.append(create_reporter("statistics", stdout, options))

    def add(self, diagnostic: Diagnostic) -> None:
        for reporter in self._reporters:
            reporter.add(diagnostic)

    def finish(self, totals: Totals) -> None:
        for reporter in self._reporters:
            reporter.finish(totals)
        for path, buffer in self._files:
            data = buffer.getvalue().encode("utf-8", "backslashreplace")
            if not write_atomically(path, data):
                raise OutputError(f"cannot write {path}")
