"""``metalint [PATH ...]``: lint manifests and report, fix or compare with a baseline."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Annotated, NamedTuple

import typer

from metalint import __version__
from metalint.cli.shell import (
    CONTEXT,
    EXIT_CLEAN,
    EXIT_ERRORS,
    EXIT_USAGE,
    STDIN,
    ColorWhen,
    Command,
    ConfigFileOption,
    ImagesRootOption,
    IsolatedOption,
    ServiceOption,
    UsageError,
    fail,
    print_diff,
    terminated_as_exit,
)
from metalint.config import Config
from metalint.configfile import ConfigError, ConfigResolver, Overrides, Selection
from metalint.diagnostics import Diagnostic, Severity
from metalint.progress import TerminalProgress
from metalint.report import FORMATS, ReportOptions, Totals
from metalint.report.base import SourceLines
from metalint.report.baseline import Baseline, BaselineError
from metalint.report.outputs import Output, OutputError, Outputs, parse_outputs

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


lint_app = typer.Typer(add_completion=False, rich_markup_mode=None, context_settings=CONTEXT)


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


def _use_color(when: ColorWhen) -> bool:
    if when is ColorWhen.AUTO:
        # https://no-color.org and https://force-color.org; NO_COLOR wins when both are set.
        if os.environ.get("NO_COLOR"):
            return False
        return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()
    return when is ColorWhen.ALWAYS


@lint_app.command(help=_LINT_HELP, cls=Command)
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
        fail(str(exc))
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
    from metalint.fixfile import FileChanged, fix_data, fix_file

    files = fixes = 0
    # A fix writes temporary files beside the manifest: a termination must remove them.
    with terminated_as_exit():
        for path in manifests_under([Path(t) for t in targets]):
            config = resolver.for_folder(path.parent)
            if config.excludes(path):
                continue
            try:
                if diff:
                    fixed = fix_data(path.read_bytes(), str(path), config, unsafe=unsafe)
                    applied = fixed.applied
                    if applied:
                        print_diff(path, fixed.original, fixed.data)
                else:
                    applied = fix_file(path, config, unsafe=unsafe)
            except FileChanged:
                typer.echo(
                    f"metalint: warning: {path} changed while it was fixed; left as it is", err=True
                )
                continue
            except OSError as exc:
                raise UsageError(f"cannot fix {path}: {exc.strerror or exc}") from None
            if applied:
                files += 1
                fixes += applied
    if fixes and not diff and not quiet:
        typer.echo(
            f"metalint: fixed {fixes} {'finding' if fixes == 1 else 'findings'} in "
            f"{files} {'file' if files == 1 else 'files'}",
            err=True,
        )
    return files


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
