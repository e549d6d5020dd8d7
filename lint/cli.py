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
from typing import Annotated, Any, NamedTuple

import typer
import typer.core
import typer.main

from metalint import __version__
from metalint.config import Config
from metalint.configfile import ConfigError, ConfigResolver, Overrides, Selection
from metalint.diagnostics import Diagnostic, Severity
from metalint.progress import TerminalProgress
from metalint.report import FORMATS, ReportOptions, Totals
from metalint.report.base import SourceLines
from metalint.report.baseline import Baseline, BaselineError
from metalint.report.outputs import Output, OutputError, Outputs, parse_outputs
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
_SEVERITIES_FROM = {
    Severity.ERROR: (Severity.ERROR,),
    Severity.WARNING: (Severity.ERROR, Severity.WARNING),
    Severity.INFO: (Severity.ERROR, Severity.WARNING, Severity.INFO),
}
"""The severities that fail a run, for each ``--fail-on``."""

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

\b
Images:
  metalint fix-images PATH  turn, scale and shrink the images the manifests use

\b
Caches:
  metalint clean            remove the caches (image facts, lint results)

\b
The older manifest format (operator, item_id, pic_list, ...):
  metalint migrate PATH...  rewrite it in the current format (--diff to see the change)
To lint a file or folder named as a command ('rules', 'clean', ...), write './rules'.

\b
Exit status: 0 no error-severity finding, 1 at least one (see --fail-on),
2 usage, configuration or internal error.
"""


class ColorWhen(enum.StrEnum):
    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


class UsageError(Exception):
    """A command line that cannot be run; reported in one line, exit status 2."""


class _Command(typer.core.TyperCommand):
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
                exc.possibilities = _closest(exc.option_name, names)
            raise


def _closest(word: str, choices: list[str], cutoff: float = 0.75) -> list[str]:
    scored = [(difflib.SequenceMatcher(None, word, c).ratio(), c) for c in choices]
    best = max((score for score, _ in scored), default=0.0)
    return sorted(c for score, c in scored if score >= cutoff and score == best)


_CONTEXT = {"help_option_names": ["-h", "--help"]}
lint_app = typer.Typer(add_completion=False, rich_markup_mode=None, context_settings=_CONTEXT)
rules_app = typer.Typer(
    add_completion=False,
    rich_markup_mode=None,
    context_settings=_CONTEXT,
    help="Document metalint's rules.",
)


def _group() -> None:
    """metalint's commands besides linting."""


def _named_command_app() -> typer.Typer:
    """An app for ``metalint NAME ...`` whose one command keeps its name: typer runs the lone
    command of an app as the app itself, unless a callback makes the app a group."""
    app = typer.Typer(add_completion=False, rich_markup_mode=None, context_settings=_CONTEXT)
    app.callback()(_group)
    return app


server_app = _named_command_app()
fix_images_app = _named_command_app()
clean_app = _named_command_app()
migrate_app = _named_command_app()


def _fail(message: str) -> None:
    typer.echo(f"metalint: error: {message}", err=True)


def _selectors(values: list[str] | None) -> tuple[str, ...]:
    """Comma-separated selectors, from one or more uses of a flag."""
    return tuple(s.strip() for value in values or () for s in value.split(",") if s.strip())


def _version(value: bool) -> None:
    if value:
        typer.echo(f"metalint {__version__}")
        raise typer.Exit(EXIT_CLEAN)


def _default_format() -> str:
    # Annotations are what a GitHub Actions log is read for, as ruff decides too.
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def _check_rules_format(value: str) -> str:
    if value not in ("text", "json"):
        raise typer.BadParameter(f"{value!r} is not one of text, json")
    return value


def _use_color(when: ColorWhen) -> bool:
    if when is ColorWhen.AUTO:
        # https://no-color.org and https://force-color.org; NO_COLOR wins when both are set.
        if os.environ.get("NO_COLOR"):
            return False
        return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()
    return when is ColorWhen.ALWAYS


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


@lint_app.command(help=_LINT_HELP, cls=_Command)
def lint(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[PATH]...", show_default=False, help="Manifests or folders; '-' is stdin."
        ),
    ] = None,
    output_formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            envvar="METALINT_FORMAT",
            show_envvar=True,
            show_default=False,
            metavar="FORMAT[:PATH]",
            help=(
                f"Output format: {', '.join(FORMATS)} (default: text; github in GitHub "
                "Actions). With :PATH, written to PATH; repeat for several outputs."
            ),
        ),
    ] = None,
    output_file: Annotated[
        Path | None,
        typer.Option(
            "--output-file",
            "-o",
            metavar="PATH",
            dir_okay=False,
            help="Write the output to PATH instead of standard output.",
        ),
    ] = None,
    fix: Annotated[
        bool, typer.Option("--fix", help="Apply every safe fix, then report what is left.")
    ] = False,
    unsafe_fixes: Annotated[
        bool,
        typer.Option("--unsafe-fixes", help="With --fix or --diff, apply unsafe fixes too."),
    ] = False,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff",
            help="Print the fixes as a unified diff instead of writing them (exit 1 if any).",
        ),
    ] = False,
    exit_non_zero_on_fix: Annotated[
        bool,
        typer.Option("--exit-non-zero-on-fix", help="With --fix, exit 1 when a file was fixed."),
    ] = False,
    statistics: Annotated[
        bool,
        typer.Option(
            "--statistics", help="Print how many findings each rule made instead of the findings."
        ),
    ] = False,
    fail_on: Annotated[
        Severity,
        typer.Option(
            "--fail-on", help="The least severity that makes the exit status 1.", show_default=True
        ),
    ] = Severity.ERROR,
    service: ServiceOption = None,
    no_images: Annotated[bool, typer.Option("--no-images", help="Skip every image check.")] = False,
    deep_images: Annotated[
        bool,
        typer.Option(
            "--deep-images", help="Decode every image in full, to find damage no header shows."
        ),
    ] = False,
    images_root: ImagesRootOption = None,
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
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            metavar="DIR",
            file_okay=False,
            help="Keep the caches in DIR (default: the cache-dir setting, or ~/.cache/metalint).",
        ),
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option(
            "--write-baseline",
            metavar="FILE",
            dir_okay=False,
            help="Record every finding in FILE instead of reporting it, and exit 0.",
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            metavar="FILE",
            dir_okay=False,
            help="Leave out the findings recorded in FILE by --write-baseline.",
        ),
    ] = None,
    show_settings: Annotated[
        bool,
        typer.Option(
            "--show-settings",
            help="Print the configuration that applies to the first PATH, and exit.",
        ),
    ] = False,
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
    config: ConfigFileOption = None,
    isolated: IsolatedOption = False,
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
        deep_images=True if deep_images else None,
        images_root=images_root.resolve() if images_root is not None else None,
        jobs=jobs,
        use_cache=False if no_cache else None,
        cache_dir=cache_dir.resolve() if cache_dir is not None else None,
    )
    try:
        targets = _targets(paths or [], stdin_filename)
        resolver = ConfigResolver(overrides, config_file=config, isolated=isolated)
        use_color = _use_color(color)
        options = ReportOptions(
            color=use_color,
            # Source lines go with colours (so FORCE_COLOR brings them to a CI log) and to a
            # terminal even without colours.
            show_source=use_color or sys.stdout.isatty(),
            quiet=quiet,
        )
        if show_settings:
            _show_settings(Path(targets[0] if targets[0] != STDIN else "."), resolver)
            raise typer.Exit(EXIT_CLEAN)
        outputs = parse_outputs(output_formats or [_default_format()], output_file)
        if write_baseline is not None and baseline is not None:
            raise UsageError("--write-baseline records every finding anew; it takes no --baseline")
        if fix or diff:
            if STDIN in targets:
                raise UsageError("--fix and --diff take files and folders, not standard input")
            changed = _fix(targets, resolver, unsafe=unsafe_fixes, diff=diff, quiet=quiet)
            if diff:
                raise typer.Exit(EXIT_ERRORS if changed else EXIT_CLEAN)
            resolver = ConfigResolver(overrides, config_file=config, isolated=isolated)
        else:
            changed = 0
        baselines = Baselines(read=baseline, write=write_baseline)
        code = _run(
            targets, resolver, outputs, options, stdin_filename, statistics, fail_on, baselines
        )
        if exit_non_zero_on_fix and changed:
            code = EXIT_ERRORS
    except (UsageError, ConfigError, OutputError, BaselineError) as exc:
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
    # A path that does not exist is a finding of its own (ML012), and the others are linted.
    return list(paths)


def _run(
    targets: list[str],
    resolver: ConfigResolver,
    outputs: list[Output],
    options: ReportOptions,
    stdin_filename: str | None,
    statistics: bool,
    fail_on: Severity,
    baselines: Baselines,
) -> int:
    if isinstance(sys.stdout, io.TextIOWrapper):
        # A manifest's text may not fit the terminal's encoding; a finding must still print.
        sys.stdout.reconfigure(errors="backslashreplace")
    stdin_data = sys.stdin.buffer.read() if STDIN in targets else None
    shown_stdin = stdin_filename or STDIN
    in_memory = {shown_stdin: stdin_data} if stdin_data is not None else {}
    sources = SourceLines(in_memory)
    options = replace(options, sources=sources)
    recorded = Baseline.read(baselines.read, sources) if baselines.read else None
    recording = Baseline(baselines.write, sources) if baselines.write else None
    reporter = Outputs(outputs, sys.stdout, options, statistics=statistics)
    totals = Totals()
    progress = TerminalProgress(sys.stderr)
    try:
        found = _diagnostics(targets, resolver, stdin_data, stdin_filename, progress)
        if recorded is not None:
            found = recorded.new_findings(found)
        for diagnostic in found:
            progress.close()
            if recording is not None:
                recording.record(diagnostic)
                continue
            totals.count(diagnostic)
            reporter.add(diagnostic)
    finally:
        progress.close()
        sources.close()
    totals.files = len(resolver.seen) + (stdin_data is not None)
    if recording is not None:
        count = recording.write()
        typer.echo(
            f"metalint: recorded {count} {'finding' if count == 1 else 'findings'} in "
            f"{recording.file}",
            err=True,
        )
        return EXIT_CLEAN
    if recorded is not None:
        totals.baselined = recorded.matched
    reporter.finish(totals)
    if recorded is not None:
        _report_stale(recorded)
    text_on_stdout = any(o.path is None and o.format == "text" for o in outputs)
    if totals.files == 0 and not text_on_stdout and not options.quiet:
        # The text summary says so itself; other formats keep standard output for data.
        typer.echo("metalint: warning: no increment.meta found", err=True)
    failing = _SEVERITIES_FROM[fail_on]
    return EXIT_ERRORS if any(totals.by_severity[s] for s in failing) else EXIT_CLEAN


class Baselines(NamedTuple):
    read: Path | None
    write: Path | None


def _report_stale(baseline: Baseline, shown: int = 5) -> None:
    """Say which recorded findings no run found any more: the baseline hides less than it
    claims, and rewriting it keeps it honest."""
    stale = baseline.stale()
    if not stale:
        return
    total = sum(s.findings for s in stale)
    listed = ", ".join(
        f"{s.path} {s.code}" + (f" x{s.findings}" if s.findings > 1 else "") for s in stale[:shown]
    )
    more = f", and {len(stale) - shown} more" if len(stale) > shown else ""
    typer.echo(
        f"metalint: note: {total} {'finding' if total == 1 else 'findings'} of the baseline "
        f"{baseline.file} {'was' if total == 1 else 'were'} not found (fixed, or the line "
        f"changed): {listed}{more}; --write-baseline {baseline.file} records the findings "
        "as they are now",
        err=True,
    )


def _show_settings(path: Path, resolver: ConfigResolver) -> None:
    """The resolved configuration, one ``name  value`` a line, for a person to read."""
    from metalint.images.cache import default_cache_dir
    from metalint.rules import all_rules

    folder = path if path.is_dir() else path.parent
    config = resolver.for_folder(folder)
    source = resolver.file_for(folder)
    enabled = [r.code for r in all_rules() if config.enabled(r.code)]
    disabled = [r.code for r in all_rules() if not config.enabled(r.code)]
    ignores = {entry.pattern: sorted(entry.codes) for entry in config.per_file_ignores}
    severities = ", ".join(f"{c} = {s.value}" for c, s in sorted(config.severities.items()))
    settings = {
        "configuration file": str(source) if source else "none",
        "service": config.service.value,
        "enabled rules": f"{len(enabled)}: {' '.join(enabled)}",
        "disabled rules": " ".join(disabled) or "none",
        "severities": severities or "the rules' own",
        "per-file ignores": ", ".join(f"{p}: {' '.join(c)}" for p, c in ignores.items()) or "none",
        "exclude": ", ".join(config.exclude) or "none",
        "images": _images_setting(config),
        "images root": str(config.images_root) if config.images_root else "each manifest's folder",
        "jobs": str(config.jobs) if config.jobs else "one per core",
        "cache": str(config.cache_dir or default_cache_dir()) if config.use_cache else "off",
    }
    width = max(map(len, settings))
    for name, value in settings.items():
        typer.echo(f"{name:<{width}}  {value}")


def _images_setting(config: Config) -> str:
    if not config.check_images:
        return "not checked"
    return "checked, decoded in full" if config.deep_images else "checked"


def _fix(
    targets: list[str], resolver: ConfigResolver, *, unsafe: bool, diff: bool, quiet: bool
) -> int:
    """Fix every manifest under ``targets``, or print the fixes as a diff; how many files
    changed (or would)."""
    from metalint.engine import manifests_under
    from metalint.fixfile import FileChanged, fix_file

    files = fixes = 0
    for path in manifests_under([Path(t) for t in targets]):
        config = resolver.for_folder(path.parent)
        if config.excludes(path):
            continue
        try:
            fixed = fix_file(path, config, unsafe=unsafe, write=not diff)
        except FileChanged:
            typer.echo(
                f"metalint: warning: {path} changed while it was fixed; left as it is", err=True
            )
            continue
        except OSError as exc:
            raise UsageError(f"cannot fix {path}: {exc.strerror or exc}") from None
        if not fixed.applied:
            continue
        files += 1
        fixes += fixed.applied
        if diff:
            _print_diff(path, fixed.original, fixed.data)
    if fixes and not diff and not quiet:
        typer.echo(
            f"metalint: fixed {fixes} {'finding' if fixes == 1 else 'findings'} in "
            f"{files} {'file' if files == 1 else 'files'}",
            err=True,
        )
    return files


def _print_diff(path: Path, before: bytes, after: bytes) -> None:
    """The change to one manifest, as a unified diff for ``git apply``, on standard output."""
    from metalint.fixfile import unified_diff

    sys.stdout.flush()
    sys.stdout.buffer.write(unified_diff(str(path), before, after))
    sys.stdout.buffer.flush()


def _diagnostics(
    targets: Iterable[str],
    resolver: ConfigResolver,
    stdin_data: bytes | None,
    stdin_filename: str | None,
    progress: TerminalProgress,
) -> Iterator[Diagnostic]:
    from metalint.engine import lint_bytes, lint_paths

    # Paths together, so that images are told apart from the manifests that use them.
    yield from lint_paths([Path(t) for t in targets if t != STDIN], resolver, progress)
    for target in targets:
        if target != STDIN:
            continue
        assert stdin_data is not None
        name = stdin_filename or "increment.meta"
        folder = Path(name).parent
        config = resolver.for_folder(folder)
        found = lint_bytes(stdin_data, name, config, manifest_dir=folder)
        yield from found if stdin_filename else (_renamed(d, STDIN) for d in found)


def _renamed(diagnostic: Diagnostic, path: str) -> Diagnostic:
    """Standard input without --stdin-filename is linted as increment.meta but shown as '-'."""
    related = tuple(r._replace(path=path) for r in diagnostic.related)
    return diagnostic._replace(path=path, related=related)


# -- rule documentation ----------------------------------------------------------------------


@rules_app.command("rule", cls=_Command)
def rule_command(
    code: Annotated[str, typer.Argument(metavar="CODE|NAME", help="A rule code or name.")],
) -> None:
    """Show a rule's documentation: what it checks, why, an example and the fix."""
    from metalint.rules import closest_rule, get_rule

    found = get_rule(code)
    if found is None:
        close = closest_rule(code)
        hint = f"; did you mean {close}?" if close else "; see 'metalint rules'"
        _fail(f"unknown rule {code!r}{hint}")
        raise typer.Exit(EXIT_USAGE)
    typer.echo(f"{found.code} {found.name}")
    typer.echo(f"Severity: {found.severity.value}")
    typer.echo(f"Scope: {found.scope.value}")
    typer.echo(f"Fixable: {'yes' if found.fixable else 'no'}")
    typer.echo()
    typer.echo(found.doc)


@rules_app.command("rules", cls=_Command)
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


@server_app.command("server", cls=_Command)
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


# -- fixing images ---------------------------------------------------------------------------


@fix_images_app.command("fix-images", cls=_Command)
def fix_images_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[PATH]...", show_default=False, help="Manifests or folders."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Write nothing; list what would change.")
    ] = False,
    service: ServiceOption = None,
    images_root: ImagesRootOption = None,
    config: ConfigFileOption = None,
    isolated: IsolatedOption = False,
) -> None:
    """Fix the images that the manifests under PATH use (the current folder when none is
    given): turn images with EXIF rotation and drop the tag, drop an Orientation 1 tag without
    re-encoding, scale a side over the service's maximum down (and every Region that uses the
    image with it), re-encode a file over 4 MB to fit. Exit status 1 when something could not
    be fixed."""
    from metalint.engine import manifests_under
    from metalint.fiximages import fix_images

    overrides = Overrides(
        service=service, images_root=images_root.resolve() if images_root else None
    )
    try:
        resolver = ConfigResolver(overrides, config_file=config, isolated=isolated)
        manifests = [
            (path, resolver.for_folder(path.parent))
            for path in manifests_under(paths or [Path(".")])
        ]
    except ConfigError as exc:
        _fail(str(exc))
        raise typer.Exit(EXIT_USAGE) from None
    result = fix_images(
        [(path, found) for path, found in manifests if not found.excludes(path)],
        write=not dry_run,
    )
    for change in result.changes:
        typer.echo(f"{change.path}: {'would be ' if dry_run else ''}{change.what}")
    for note in result.notes:
        typer.echo(f"{note.path}: note: {note.what}")
    for problem in result.problems:
        typer.echo(f"{problem.path}: {problem.what}", err=True)
    if not result.changes and not result.problems:
        typer.echo("metalint: no image needs fixing", err=True)
    raise typer.Exit(EXIT_ERRORS if result.problems else EXIT_CLEAN)


# -- the caches -----------------------------------------------------------------------------


@clean_app.command("clean", cls=_Command)
def clean_command(
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            metavar="DIR",
            file_okay=False,
            help="The cache folder (default: the cache-dir setting here, or ~/.cache/metalint).",
        ),
    ] = None,
) -> None:
    """Remove metalint's caches: the image facts and the lint results kept between runs.

    Only what metalint writes is removed from the folder; a folder left empty goes too.
    """
    from metalint.cachedir import remove_caches
    from metalint.images.cache import default_cache_dir

    if cache_dir is None:
        try:
            cache_dir = ConfigResolver(Overrides()).for_folder(Path.cwd()).cache_dir
        except ConfigError as exc:
            _fail(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
    folder = cache_dir or default_cache_dir()
    try:
        removed = remove_caches(folder)
    except OSError as exc:
        _fail(f"cannot remove the caches in {folder}: {exc.strerror or exc}")
        raise typer.Exit(EXIT_USAGE) from None
    if removed.files:
        size = (
            f"{removed.bytes / 1e6:.1f} MB"
            if removed.bytes >= 100_000
            else f"{removed.bytes} bytes"
        )
        files = "1 file" if removed.files == 1 else f"{removed.files} files"
        typer.echo(f"metalint: removed the caches in {folder} ({files}, {size})")
    else:
        typer.echo(f"metalint: no caches in {folder}")


# -- migrating the older format --------------------------------------------------------------


@migrate_app.command("migrate", cls=_Command)
def migrate_command(
    paths: Annotated[
        list[str],
        typer.Argument(metavar="PATH...", show_default=False, help="Manifests or folders."),
    ],
    diff: Annotated[
        bool,
        typer.Option("--diff", help="Print the change as a unified diff and write nothing."),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary.")] = False,
) -> None:
    """Rewrite manifests of the older format (operator, item_id, pic_list, ...) in the current
    one: a line per image of pic_list, the order of the operations kept.

    Lines of the current format are left as they are, so a second run changes nothing. A line
    that cannot be rewritten (one that mixes the two formats, an ADD without pic_list) is left
    as it is and reported. Each file is replaced atomically, its permissions kept.

    \b
    Exit status: 0 every older line rewritten (or nothing to do), 1 a line left as it was or
    a file that changed on disk meanwhile, 2 usage error or a file that cannot be written.
    """
    from metalint.engine import manifests_under
    from metalint.fixfile import FileChanged
    from metalint.migrate import migrate_file

    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        _fail(f"{missing[0]}: no such file or folder")
        raise typer.Exit(EXIT_USAGE)
    status, files, lines, written = EXIT_CLEAN, 0, 0, 0
    for path in manifests_under([Path(p) for p in paths]):
        try:
            migrated = migrate_file(path, write=not diff)
        except FileChanged:
            typer.echo(f"metalint: warning: {path} changed while it was migrated; left as it is")
            status = EXIT_ERRORS
            continue
        except OSError as exc:
            _fail(f"cannot migrate {path}: {exc.strerror or exc}")
            raise typer.Exit(EXIT_USAGE) from None
        for line, why in migrated.left:
            typer.echo(f"{path}:{line}: left as it is: {why}", err=True)
            status = EXIT_ERRORS
        if not migrated.migrated:
            continue
        files, lines, written = files + 1, lines + migrated.migrated, written + migrated.written
        if diff:
            _print_diff(path, migrated.original, migrated.data)
    if lines and not diff and not quiet:
        typer.echo(
            f"metalint: migrated {lines} {'line' if lines == 1 else 'lines'} of the older "
            f"format into {written} in {files} {'file' if files == 1 else 'files'}",
            err=True,
        )
    raise typer.Exit(status)


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
