"""The ``metalint`` command: a thin shell that parses flags, runs the engine and reports.

``metalint [PATH ...]`` lints; ``metalint rule CODE`` and ``metalint rules`` document the rules.
The two are separate typer apps chosen by the first argument, so that paths stay the default
command (the contract of design.md) without a ``check`` subcommand in front of them.
"""

from __future__ import annotations

import difflib
import enum
import io
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main

from metalint import __version__
from metalint.configfile import ConfigError, ConfigResolver, Overrides, Selection
from metalint.diagnostics import Diagnostic
from metalint.progress import TerminalProgress
from metalint.report import FORMATS, ReportOptions, Totals, create_reporter
from metalint.report.base import SourceLines
from metalint.service import Service

EXIT_CLEAN = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2
STDIN = "-"
RULE_COMMANDS = frozenset({"rule", "rules"})
SERVER_COMMAND = "server"

_LINT_HELP = """Lint Alibaba Cloud Image Search increment.meta manifests.

PATH is a manifest or a folder (every increment.meta below it); the current folder when none
is given; '-' reads standard input.

\b
Rule documentation:
  metalint rule CODE|NAME   show what a rule checks, why, and how to fix it
  metalint rules            list every rule

\b
Editors:
  metalint server           the language server, over standard input and output
To lint a file or folder named 'rule', 'rules' or 'server', write './rules'.

\b
Exit status: 0 no error-severity finding, 1 at least one,
2 usage, configuration or internal error.
"""


class ColorWhen(enum.StrEnum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


class UsageError(Exception):
    """A command line that cannot be run; reported in one line, exit status 2."""


lint_app = typer.Typer(add_completion=False, rich_markup_mode=None)
rules_app = typer.Typer(
    add_completion=False, rich_markup_mode=None, help="Document metalint's rules."
)
server_app = typer.Typer(add_completion=False, rich_markup_mode=None)


def _fail(message: str) -> None:
    typer.echo(f"metalint: error: {message}", err=True)


def _selectors(values: list[str] | None) -> tuple[str, ...]:
    """Comma-separated selectors, from one or more uses of a flag."""
    return tuple(s.strip() for value in values or () for s in value.split(",") if s.strip())


def _version(value: bool) -> None:
    if value:
        typer.echo(f"metalint {__version__}")
        raise typer.Exit(EXIT_CLEAN)


def _check_format(value: str) -> str:
    if value not in FORMATS:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(FORMATS)}")
    return value


def _check_rules_format(value: str) -> str:
    if value not in ("text", "json"):
        raise typer.BadParameter(f"{value!r} is not one of text, json")
    return value


def _use_color(when: ColorWhen) -> bool:
    if when is ColorWhen.AUTO:
        return sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    return when is ColorWhen.ALWAYS


@lint_app.command(help=_LINT_HELP)
def lint(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PATH", show_default=False, help="Manifests or folders; '-' is stdin."
        ),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            callback=_check_format,
            metavar="FORMAT",
            help=f"Output format: {', '.join(FORMATS)}.",
        ),
    ] = "text",
    service: Annotated[
        Service | None,
        typer.Option(help="The Image Search service type (default: product).", show_default=False),
    ] = None,
    no_images: Annotated[bool, typer.Option("--no-images", help="Skip every image check.")] = False,
    images_root: Annotated[
        Path | None,
        typer.Option(
            help="Look images up under DIR instead of the manifest's folder.",
            metavar="DIR",
            file_okay=False,
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            metavar="N",
            help="Worker processes for image checks and large manifests (default: one per core).",
        ),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option("--no-cache", help="Bypass caches (also METALINT_NO_CACHE=1)."),
    ] = False,
    select: Annotated[
        list[str] | None,
        typer.Option(
            metavar="CODES",
            help="Run only these rules (codes, prefixes, names, ALL; comma-separated).",
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(metavar="CODES", help="Do not run these rules (comma-separated)."),
    ] = None,
    extend_select: Annotated[
        list[str] | None,
        typer.Option(
            metavar="CODES", help="Run these rules on top of the selection (comma-separated)."
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Use this configuration file for every manifest.", dir_okay=False
        ),
    ] = None,
    isolated: Annotated[
        bool, typer.Option("--isolated", help="Ignore every configuration file.")
    ] = False,
    stdin_filename: Annotated[
        str | None,
        typer.Option(
            metavar="NAME", help="Where the manifest read from '-' lives (for names and images)."
        ),
    ] = None,
    color: Annotated[
        ColorWhen, typer.Option(help="Colour the text output: auto (on a terminal), always, never.")
    ] = ColorWhen.AUTO,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when errors are found.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print the findings only, no summary.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    overrides = Overrides(
        selection=Selection(
            _selectors(select) if select else None,
            _selectors(extend_select),
            _selectors(ignore),
        ),
        service=service,
        check_images=False if no_images else None,
        images_root=images_root.resolve() if images_root is not None else None,
        jobs=jobs,
        use_cache=False if no_cache else None,
    )
    try:
        targets = _targets(paths or [], stdin_filename)
        resolver = ConfigResolver(overrides, config_file=config, isolated=isolated)
        options = ReportOptions(
            color=_use_color(color),
            show_source=color is ColorWhen.ALWAYS or sys.stdout.isatty(),
            quiet=quiet,
        )
        code = _run(targets, resolver, output_format, options, stdin_filename)
    except (UsageError, ConfigError) as exc:
        _fail(str(exc))
        raise typer.Exit(EXIT_USAGE) from None
    raise typer.Exit(EXIT_CLEAN if exit_zero else code)


def _targets(paths: Sequence[str], stdin_filename: str | None) -> list[str]:
    if not paths:
        return [STDIN] if stdin_filename is not None else ["."]
    if paths.count(STDIN) > 1:
        raise UsageError("standard input ('-') can only be read once")
    if stdin_filename is not None and STDIN not in paths:
        raise UsageError("--stdin-filename names the manifest read from '-'; pass '-' too")
    missing = [p for p in paths if p != STDIN and not os.path.exists(p)]
    if missing:
        raise UsageError(f"no such file or folder: {missing[0]}")
    return list(paths)


def _run(
    targets: list[str],
    resolver: ConfigResolver,
    output_format: str,
    options: ReportOptions,
    stdin_filename: str | None,
) -> int:
    if isinstance(sys.stdout, io.TextIOWrapper):
        # A manifest's text may not fit the terminal's encoding; a finding must still print.
        sys.stdout.reconfigure(errors="backslashreplace")
    stdin_data = sys.stdin.buffer.read() if STDIN in targets else None
    shown_stdin = stdin_filename or STDIN
    in_memory = {shown_stdin: stdin_data} if stdin_data is not None else {}
    sources = SourceLines(in_memory)
    options = replace(options, sources=sources)
    reporter = create_reporter(output_format, sys.stdout, options)
    totals = Totals()
    progress = TerminalProgress(sys.stderr)
    try:
        for diagnostic in _diagnostics(targets, resolver, stdin_data, stdin_filename, progress):
            progress.close()
            totals.count(diagnostic)
            reporter.add(diagnostic)
    finally:
        progress.close()
        sources.close()
    totals.files = len(resolver.seen) + (stdin_data is not None)
    reporter.finish(totals)
    if totals.files == 0 and not options.quiet:
        typer.echo("metalint: warning: no increment.meta found", err=True)
    return EXIT_ERRORS if totals.errors else EXIT_CLEAN


def _diagnostics(
    targets: Iterable[str],
    resolver: ConfigResolver,
    stdin_data: bytes | None,
    stdin_filename: str | None,
    progress: TerminalProgress,
) -> Iterator[Diagnostic]:
    from metalint.engine import lint_bytes, lint_paths

    for target in targets:
        if target != STDIN:
            yield from lint_paths([Path(target)], resolver, progress)
            continue
        assert stdin_data is not None
        name = stdin_filename or "increment.meta"
        folder = Path(name).parent
        config = resolver.for_folder(folder)
        found = lint_bytes(stdin_data, name, config, manifest_dir=folder.resolve())
        yield from found if stdin_filename else (_renamed(d, STDIN) for d in found)


def _renamed(diagnostic: Diagnostic, path: str) -> Diagnostic:
    """Standard input without --stdin-filename is linted as increment.meta but shown as '-'."""
    related = tuple(r._replace(path=path) for r in diagnostic.related)
    return diagnostic._replace(path=path, related=related)


# -- rule documentation ----------------------------------------------------------------------


@rules_app.command("rule")
def rule_command(
    code: Annotated[str, typer.Argument(metavar="CODE|NAME", help="A rule code or name.")],
) -> None:
    """Show a rule's documentation: what it checks, why, an example and the fix."""
    from metalint.rules import all_rules, get_rule

    found = get_rule(code)
    if found is None:
        names = [r.code for r in all_rules()] + [r.name for r in all_rules()]
        close = difflib.get_close_matches(code, names, n=1)
        hint = f"; did you mean {close[0]}?" if close else "; see 'metalint rules'"
        _fail(f"unknown rule {code!r}{hint}")
        raise typer.Exit(EXIT_USAGE)
    typer.echo(f"{found.code} {found.name}")
    typer.echo(f"Severity: {found.severity.value}")
    typer.echo(f"Scope: {found.scope.value}")
    typer.echo(f"Fixable: {'yes' if found.fixable else 'no'}")
    typer.echo()
    typer.echo(found.doc)


@rules_app.command("rules")
def rules_command(
    output_format: Annotated[
        str,
        typer.Option(
            "--format", metavar="FORMAT", help="text or json.", callback=_check_rules_format
        ),
    ] = "text",
) -> None:
    """List every rule: code, name, default severity, whether it is fixable, and a summary."""
    from metalint.rules import all_rules

    rules = all_rules()
    if output_format == "json":
        import json

        rows: list[dict[str, Any]] = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.value,
                "scope": r.scope.value,
                "fixable": r.fixable,
                "summary": r.summary,
            }
            for r in rules
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    width = max(len(r.name) for r in rules)
    typer.echo(f"{'code':<6} {'name':<{width}} {'severity':<8} {'fix':<3} summary")
    for r in rules:
        fix = "yes" if r.fixable else "-"
        typer.echo(f"{r.code:<6} {r.name:<{width}} {r.severity.value:<8} {fix:<3} {r.summary}")


# -- the language server ---------------------------------------------------------------------


@server_app.callback()
def _server_group() -> None:
    """A callback makes the one-command app a group, so that its command is named 'server'."""


@server_app.command("server")
def server_command(
    stdio: Annotated[
        bool,
        typer.Option(
            "--stdio",
            help="Talk over standard input and output (the default and only way).",
            show_default=False,
        ),
    ] = True,
) -> None:
    """Run the metalint language server over standard input and output.

    Editors start it and speak the Language Server Protocol to it: diagnostics as you type,
    quick fixes, hover and completion for increment.meta files. Its settings come from the
    same configuration files as the command line and from the editor (section 'metalint').
    """
    from metalint.lsp.main import serve

    raise typer.Exit(serve())


# -- entry point -----------------------------------------------------------------------------


def app_for(args: Sequence[str]) -> typer.Typer:
    """The app that runs ``args``: rule documentation or the language server when the first
    word asks for it, linting otherwise."""
    if args and args[0] in RULE_COMMANDS:
        return rules_app
    if args and args[0] == SERVER_COMMAND:
        return server_app
    return lint_app


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status (the console script exits with it)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in {*RULE_COMMANDS, SERVER_COMMAND} and os.path.exists(args[0]):
        typer.echo(
            f"metalint: note: '{args[0]}' is a command; "
            f"to lint the path '{args[0]}', write './{args[0]}'",
            err=True,
        )
    command = typer.main.get_command(app_for(args))
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
        _fail(f"internal error: {type(exc).__name__}: {exc}")
        typer.echo("metalint: set METALINT_DEBUG=1 for a traceback, and please report it", err=True)
        return EXIT_USAGE
    return EXIT_CLEAN
