"""``metalint server``: the command that starts the language server."""

from __future__ import annotations

import subprocess
import sys

from metalint.cli import app_for, server_app


def test_the_server_command_is_its_own_app_and_in_the_help() -> None:
    assert app_for(["server"]) is server_app
    help_text = subprocess.run(
        [sys.executable, "-m", "metalint", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "metalint server" in help_text


def test_it_ends_when_its_input_ends() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "metalint", "server", "--stdio"],
        input=b"",
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
