"""What every command of ``metalint`` shares: exit statuses, the command class whose
unknown-option errors suggest what was meant, the options of more than one command, how an
error and a diff are shown, and how a termination ends a command that writes files."""

from __future__ import annotations

import contextlib
import difflib
import enum
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core

from metalint.service import Service

EXIT_CLEAN = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2
STDIN = "-"
RULE_COMMANDS = frozenset({"rule", "rules"})
SERVER_COMMAND = "server"
FIX_IMAGES_COMMAND = "fix-images"
CLEAN_COMMAND = "clean"
MIGRATE_COMMAND = "migrate"


class ColorWhen(enum.StrEnum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


class UsageError(Exception):
    """A command line that cannot be run; reported in one line, exit status 2."""


class Command(typer.core.TyperCommand):
    """A command whose unknown-option error suggests only what was likely meant."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except Exception as exc:
            # click's NoSuchOption; typer 0.28 and later carry their own copy of click, so the
            # class is told by its fields. click offers every option difflib finds at all
            # ('--frobnicate': '--format'); the closest, when close, are what was meant.
            if hasattr(exc, "option_name") and hasattr(exc, "possibilities"):
                names = [name for param in self.params for name in getattr(param, "opts", ())]
                exc.possibilities = closest(exc.option_name, names)
            raise


def closest(word: str, choices: list[str], cutoff: float = 0.75) -> list[str]:
    scored = [(difflib.SequenceMatcher(None, word, c).ratio(), c) for c in choices]
    best = max((score for score, _ in scored), default=0.0)
    return sorted(c for score, c in scored if score >= cutoff and score == best)


CONTEXT = {"help_option_names": ["-h", "--help"]}


def _group() -> None:
    """metalint's commands besides linting."""


def named_command_app() -> typer.Typer:
    """An app for ``metalint NAME ...`` whose one command keeps its name: typer runs the lone
    command of an app as the app itself, unless a callback makes the app a group."""
    app = typer.Typer(add_completion=False, rich_markup_mode=None, context_settings=CONTEXT)
    app.callback()(_group)
    return app


def fail(message: str) -> None:
    typer.echo(f"metalint: error: {message}", err=True)


# Options that linting and fix-images share.
ServiceOption = Annotated[
    Service | None,
    typer.Option(help="The Image Search service type (default: product).", show_default=False),
]
ImagesRootOption = Annotated[
    Path | None,
    typer.Option(
        help="Look images up under DIR instead of the manifest's folder.",
        metavar="DIR",
        exists=True,
        file_okay=False,
    ),
]
ConfigFileOption = Annotated[
    Path | None,
    typer.Option(
        metavar="FILE", help="Use this configuration file for every manifest.", dir_okay=False
    ),
]
IsolatedOption = Annotated[
    bool, typer.Option("--isolated", help="Ignore every configuration file.")
]


def print_diff(path: Path, before: bytes, after: bytes) -> None:
    """The change to one manifest, as a unified diff for ``git apply``, on standard output."""
    from metalint.fixfile import unified_diff

    sys.stdout.flush()
    sys.stdout.buffer.write(unified_diff(str(path), before, after))
    sys.stdout.buffer.flush()


@contextlib.contextmanager
def terminated_as_exit() -> Iterator[None]:
    """SIGTERM (a CI job's time limit, ``kill``) ends the command as an exit while it lasts,
    so that the temporary files it has begun beside a manifest are removed on the way out:
    Python's default is to die on the spot. The status is 128 plus the signal, as a shell
    reports it."""

    def leave(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, leave)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
