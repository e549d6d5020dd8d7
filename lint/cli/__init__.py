"""The ``metalint`` command: a thin shell that parses flags, runs the engine and reports.

``metalint [PATH ...]`` lints; ``metalint rule CODE`` and ``metalint rules`` document the rules.
The two are separate typer apps chosen by the first argument, so that paths stay the default
command (the contract of design.md) without a ``check`` subcommand in front of them.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence

import typer
import typer.main

from metalint.cli.commands import clean_app, fix_images_app, migrate_app, rules_app, server_app
from metalint.cli.lint import lint_app
from metalint.cli.shell import (
    CLEAN_COMMAND,
    EXIT_CLEAN,
    EXIT_USAGE,
    FIX_IMAGES_COMMAND,
    MIGRATE_COMMAND,
    RULE_COMMANDS,
    SERVER_COMMAND,
    fail,
)

GC_THRESHOLD = 100_000
"""New container objects between two runs of the youngest generation's cycle collector."""

# -- entry point -----------------------------------------------------------------------------


def app_for(args: Sequence[str]) -> typer.Typer:
    """The app that runs ``args``: the command the first word names, linting otherwise."""
    commands = {
        **dict.fromkeys(RULE_COMMANDS, rules_app),
        SERVER_COMMAND: server_app,
        CLEAN_COMMAND: clean_app,
        MIGRATE_COMMAND: migrate_app,
        FIX_IMAGES_COMMAND: fix_images_app,
    }
    return commands.get(args[0], lint_app) if args else lint_app


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status (the console script exits with it)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and app_for(args) is not lint_app and os.path.exists(args[0]):
        typer.echo(
            f"metalint: note: '{args[0]}' is a command; "
            f"to lint the path '{args[0]}', write './{args[0]}'",
            err=True,
        )
    command = typer.main.get_command(app_for(args))
    thresholds = gc.get_threshold()
    # A lint makes a few dozen small containers for each line it has a finding on, and nearly
    # all die young without a cycle; at the default threshold (700) the cycle collector then
    # runs every few lines, which cost a 300,000-line broken manifest 15% of its time with
    # two processes (bench/broken.py). Rarer collections free the same memory.
    gc.set_threshold(GC_THRESHOLD, *thresholds[1:])
    try:
        # Standalone mode prints usage errors the click way and ends in SystemExit with the status.
        command.main(args=args, prog_name="metalint")
    except SystemExit as exit_:
        if exit_.code is None:
            return EXIT_CLEAN
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    except Exception as exc:
        if os.environ.get("METALINT_DEBUG"):
            raise
        fail(f"internal error: {type(exc).__name__}: {exc}")
        typer.echo("metalint: set METALINT_DEBUG=1 for a traceback, and please report it", err=True)
        return EXIT_USAGE
    finally:
        gc.set_threshold(*thresholds)
    return EXIT_CLEAN
