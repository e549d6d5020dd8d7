"""The commands besides linting: the rules' documentation, the language server, fixing images,
removing the caches and migrating the older format. Each is an app of its own, chosen by the
first word (see ``metalint.cli.app_for``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from metalint.cli.shell import (
    CONTEXT,
    EXIT_CLEAN,
    EXIT_ERRORS,
    EXIT_USAGE,
    Command,
    ConfigFileOption,
    ImagesRootOption,
    IsolatedOption,
    ServiceOption,
    fail,
    named_command_app,
    print_diff,
)
from metalint.config import Config
from metalint.configfile import ConfigError, ConfigResolver, Overrides

rules_app = typer.Typer(
    add_completion=False,
    rich_markup_mode=None,
    context_settings=CONTEXT,
    help="Document metalint's rules.",
)


server_app = named_command_app()
fix_images_app = named_command_app()
clean_app = named_command_app()
migrate_app = named_command_app()


def _manifests_kept(
    paths: list[Path], overrides: Overrides, config_file: Path | None, isolated: bool
) -> list[tuple[Path, Config]]:
    """The manifests under ``paths``, each with its configuration, but for those that the
    configuration's exclude leaves out, as linting leaves them out. A configuration that
    cannot be read ends the command: a usage error."""
    from metalint.engine import manifests_under

    try:
        resolver = ConfigResolver(overrides, config_file=config_file, isolated=isolated)
        found = [(path, resolver.for_folder(path.parent)) for path in manifests_under(paths)]
    except ConfigError as exc:
        fail(str(exc))
        raise typer.Exit(EXIT_USAGE) from None
    return [(path, config) for path, config in found if not config.excludes(path)]


def _check_rules_format(value: str) -> str:
    if value not in ("text", "json"):
        raise typer.BadParameter(f"{value!r} is not one of text, json")
    return value


# -- rule documentation ----------------------------------------------------------------------


@rules_app.command("rule", cls=Command)
def rule_command(
    code: Annotated[str, typer.Argument(metavar="CODE|NAME", help="A rule code or name.")],
) -> None:
    """Show a rule's documentation: what it checks, why, an example and the fix."""
    from metalint.rules import closest_rule, get_rule

    found = get_rule(code)
    if found is None:
        close = closest_rule(code)
        hint = f"; did you mean {close}?" if close else "; see 'metalint rules'"
        fail(f"unknown rule {code!r}{hint}")
        raise typer.Exit(EXIT_USAGE)
    typer.echo(f"{found.code} {found.name}")
    typer.echo(f"Severity: {found.severity.value}")
    typer.echo(f"Scope: {found.scope.value}")
    typer.echo(f"Fixable: {'yes' if found.fixable else 'no'}")
    typer.echo()
    typer.echo(found.doc)


@rules_app.command("rules", cls=Command)
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


@server_app.command("server", cls=Command)
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


@fix_images_app.command("fix-images", cls=Command)
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
    from metalint.fiximages import fix_images

    overrides = Overrides(
        service=service, images_root=images_root.resolve() if images_root else None
    )
    manifests = _manifests_kept(paths or [Path(".")], overrides, config, isolated)
    result = fix_images(manifests, write=not dry_run)
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


@clean_app.command("clean", cls=Command)
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
            fail(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
    folder = cache_dir or default_cache_dir()
    try:
        removed = remove_caches(folder)
    except OSError as exc:
        fail(f"cannot remove the caches in {folder}: {exc.strerror or exc}")
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


@migrate_app.command("migrate", cls=Command)
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
    config: ConfigFileOption = None,
    isolated: IsolatedOption = False,
) -> None:
    """Rewrite manifests of the older format (operator, item_id, pic_list, ...) in the current
    one: a line per image of pic_list, the order of the operations kept.

    Lines of the current format are left as they are, so a second run changes nothing. A line
    that cannot be rewritten (one that mixes the two formats, an ADD without pic_list) is left
    as it is and reported. Each file is replaced atomically, its permissions kept. A manifest
    that the configuration's exclude leaves out of linting is left out here too.

    \b
    Exit status: 0 every older line rewritten (or nothing to do), 1 a line left as it was or
    a file that changed on disk meanwhile, 2 usage error or a file that cannot be written.
    """
    from metalint.fixfile import FileChanged
    from metalint.migrate import migrate_file

    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        fail(f"{missing[0]}: no such file or folder")
        raise typer.Exit(EXIT_USAGE)
    manifests = _manifests_kept([Path(p) for p in paths], Overrides(), config, isolated)
    status, files, lines, written = EXIT_CLEAN, 0, 0, 0
    for path, _ in manifests:
        try:
            migrated = migrate_file(path, write=not diff)
        except FileChanged:
            typer.echo(f"metalint: warning: {path} changed while it was migrated; left as it is")
            status = EXIT_ERRORS
            continue
        except OSError as exc:
            fail(f"cannot migrate {path}: {exc.strerror or exc}")
            raise typer.Exit(EXIT_USAGE) from None
        for line, why in migrated.left:
            typer.echo(f"{path}:{line}: left as it is: {why}", err=True)
            status = EXIT_ERRORS
        if not migrated.migrated:
            continue
        files, lines, written = files + 1, lines + migrated.migrated, written + migrated.written
        if diff:
            print_diff(path, migrated.original, migrated.data)
    if lines and not diff and not quiet:
        typer.echo(
            f"metalint: migrated {lines} {'line' if lines == 1 else 'lines'} of the older "
            f"format into {written} in {files} {'file' if files == 1 else 'files'}",
            err=True,
        )
    raise typer.Exit(status)
