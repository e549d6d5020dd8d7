"""The progress line: shown on a terminal's standard error during a long run, never elsewhere."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from metalint import progress as progress_module
from metalint.progress import TerminalProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_the_count_then_a_clean_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    stream = Terminal()
    progress = TerminalProgress(stream)
    progress(1, 3)
    progress(3, 3)
    progress.close()
    written = stream.getvalue()
    assert "\rimages 1/3" in written
    assert "\rimages 3/3" in written
    assert written.endswith("\r" + " " * len("images 3/3") + "\r")


def test_a_quick_run_prints_nothing() -> None:
    stream = Terminal()
    progress = TerminalProgress(stream)
    progress(1, 3)
    progress.close()
    assert stream.getvalue() == ""


def test_a_pipe_or_file_gets_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    stream = io.StringIO()
    progress = TerminalProgress(stream)
    progress(1, 3)
    progress.close()
    assert stream.getvalue() == ""


RUN_WITHOUT_DELAY = (
    "import sys, metalint.progress as p; p.DELAY = 0.0; from metalint.cli import main; "
    "sys.argv = ['metalint', '--isolated', '--no-cache', sys.argv[1]]; raise SystemExit(main())"
)


@pytest.mark.slow
def test_the_command_shows_progress_on_a_real_terminal(tmp_path: Path) -> None:
    # `script` gives metalint a real pseudo-terminal for its standard streams.
    lines = []
    for n in range(40):
        Image.new("RGB", (120, 120), (n, 0, 0)).save(tmp_path / f"{n}.jpg")
        lines.append(
            f'{{"OperationType": "ADD", "ProductId": "{n}", "PicName": "{n}.jpg", '
            '"CustomContent": ""}'
        )
    (tmp_path / "increment.meta").write_text("\n".join(lines) + "\n")
    command = f'{sys.executable} -c "{RUN_WITHOUT_DELAY}" {tmp_path}'
    shown = subprocess.run(
        ["script", "-qec", command, "/dev/null"], capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0, shown.stdout
    assert "images 40/40" in shown.stdout
    piped = subprocess.run(
        [sys.executable, "-c", RUN_WITHOUT_DELAY, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert piped.returncode == 0
    assert "images" not in piped.stderr
