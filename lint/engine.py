"""The rule engine: streams a manifest once and returns every diagnostic.

Each line first takes the fast path: orjson parses it and the compiled *clean* schema (see
``schemacheck``) says whether any rule could find anything there. Almost every line of a real
manifest is clean, and costs only that plus an entry in the between-line index. The rare line
that is not takes the slow path, where every text and field rule runs on a ``LineContext`` with
positions. Findings that involve other lines or the images (duplicates, conflicts, image
checks) are collected by line number and given their spans in one more read of just those
lines at the end, so memory stays bounded by the index, not by the file.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from metalint import endpass
from metalint.config import DEFAULT_CONFIG, Config
from metalint.diagnostics import Diagnostic
from metalint.imagetargets import by_manifest, is_image_path, lines_using, picname_of
from metalint.manifest import MANIFEST_NAME, FileFacts, is_near_miss
from metalint.run import Run
from metalint.split import scan_manifest

if TYPE_CHECKING:
    from metalint.images import ImageStage
    from metalint.resultcache import ResultCache

SKIPPED_FOLDERS = frozenset((".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__"))

ProgressCallback = Callable[[int, int], None]


def _lint_run(
    stream: IO[bytes],
    path: str,
    config: Config,
    *,
    name: str,
    explicit: bool,
    manifest_dir: Path | None,
    progress: ProgressCallback | None = None,
    disk_path: str | None = None,
    record: bool = False,
) -> tuple[Iterator[Diagnostic], ImageStage | None]:
    """Scan the manifest; the diagnostics, streamed in order as long as ``stream`` stays open,
    and the image stage when images were checked (made with ``record``: it then knows what
    its findings depended on)."""
    run = Run(path, config)
    stage = None
    if config.check_images and manifest_dir is not None:
        from metalint.images import ImageStage

        stage = ImageStage(manifest_dir, run.config, run.plan.image, progress, record=record)
        run.images = stage
    lines, blocks = scan_manifest(stream, run, disk_path)
    return endpass.findings(run, blocks, run.file_facts(name, explicit, lines)), stage


def lint_bytes(
    data: bytes,
    path: str = MANIFEST_NAME,
    config: Config = DEFAULT_CONFIG,
    manifest_dir: Path | None = None,
) -> list[Diagnostic]:
    """Lint a manifest held in memory (standard input, an editor's buffer).

    Images are checked relative to ``manifest_dir`` when it is given and images are enabled.
    """
    return list(iter_lint_bytes(data, path, config, manifest_dir))


def iter_lint_bytes(
    data: bytes,
    path: str = MANIFEST_NAME,
    config: Config = DEFAULT_CONFIG,
    manifest_dir: Path | None = None,
) -> Iterator[Diagnostic]:
    """``lint_bytes``, its findings streamed in order as they are made."""
    with io.BytesIO(data) as stream:
        yield from iter_lint_stream(stream, path, config, manifest_dir=manifest_dir)


def iter_lint_stream(
    stream: IO[bytes],
    path: str,
    config: Config,
    *,
    manifest_dir: Path | None = None,
    disk_path: str | None = None,
) -> Iterator[Diagnostic]:
    """Lint the manifest that ``stream`` reads as the manifest at ``path`` (its name and its
    per-file configuration), its findings streamed in order while the stream stays open.
    ``disk_path`` is the file the stream reads, when it is one: other processes can then
    share the work."""
    found, _ = _lint_run(
        stream,
        path,
        config,
        name=Path(path).name,
        explicit=True,
        manifest_dir=manifest_dir,
        disk_path=disk_path,
    )
    yield from found


def lint_file(
    path: Path,
    config: Config = DEFAULT_CONFIG,
    *,
    explicit: bool = True,
    progress: ProgressCallback | None = None,
) -> list[Diagnostic]:
    """Lint the manifest at ``path``; see ``iter_lint_file``."""
    return list(iter_lint_file(path, config, explicit=explicit, progress=progress))


def iter_lint_file(
    path: Path,
    config: Config = DEFAULT_CONFIG,
    *,
    explicit: bool = True,
    progress: ProgressCallback | None = None,
) -> Iterator[Diagnostic]:
    """Lint the manifest at ``path``, streaming it, and its findings in order as they are
    made; images are found next to it.

    With ``config.use_cache``, the result is kept on disk and returned again, without reading
    the manifest or any image, while nothing it depended on has changed: see
    ``metalint.resultcache``.
    """
    shown = str(path)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            yield from _unreadable(shown, config, "it is not a regular file")
            return
        cache = _result_cache(path, shown, explicit, config)
        kept = cache.get(info) if cache is not None else None
        if kept is not None:
            yield from kept
            return
        stream = open(path, "rb")  # noqa: SIM115 - the findings are streamed from it
    except OSError as exc:
        yield from _unreadable(shown, config, exc.strerror or str(exc))
        return
    with stream:
        try:
            found, stage = _lint_run(
                stream,
                shown,
                config,
                name=path.name,
                explicit=explicit,
                manifest_dir=path.parent,
                progress=progress,
                disk_path=str(path),
                record=cache is not None,
            )
        except OSError as exc:
            yield from _unreadable(shown, config, exc.strerror or str(exc))
            return
        if cache is None:
            yield from found
            return
        collected: list[Diagnostic] | None = []
        for diagnostic in found:
            if collected is not None:
                collected.append(diagnostic)
                if len(collected) > cache.max_diagnostics:
                    collected = None  # too many to keep: stream the rest
            yield diagnostic
    if collected is not None:
        if stage is None:
            cache.put(info, collected, None, None)
        else:
            cache.put(info, collected, stage.dependencies(), stage.root)


def _result_cache(path: Path, shown: str, explicit: bool, config: Config) -> ResultCache | None:
    if not config.use_cache:
        return None
    from metalint import resultcache

    try:
        return resultcache.ResultCache(path, shown, explicit, config)
    except Exception:
        return None


def _unreadable(path: str, config: Config, why: str) -> list[Diagnostic]:
    facts = FileFacts(path, Path(path).name, True, False, 0, 0, False, unreadable=why)
    return _file_findings(Run(path, config), facts)


def find_manifests(folder: Path) -> Iterator[tuple[Path, bool]]:
    """Every ``increment.meta`` below ``folder`` (True) and every near miss (False), sorted."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_FOLDERS)
        for name in sorted(files):
            if name == MANIFEST_NAME:
                yield Path(root, name), True
            elif is_near_miss(name):
                yield Path(root, name), False


def lint_paths(
    paths: Sequence[Path],
    config_for: Callable[[Path], Config],
    progress: ProgressCallback | None = None,
) -> Iterator[Diagnostic]:
    """Lint files and folders: a folder means every ``increment.meta`` below it, and near-miss
    names found there are reported without being read as manifests. An image stands for the
    lines of its manifest that use it (see ``imagetargets``). A file reached twice (named
    twice, or inside a folder also named) is linted the first time only."""
    seen: set[Path] = set()

    def first_time(path: Path) -> bool:
        real = path.resolve()
        if real in seen:
            return False
        seen.add(real)
        return True

    images = [p for p in paths if is_image_path(p)]
    for path in paths:
        if path.is_dir():
            for found, is_manifest in find_manifests(path):
                if not first_time(found):
                    continue
                config = config_for(found)
                if config.excludes(found):
                    continue
                if is_manifest:
                    yield from iter_lint_file(found, config, explicit=False, progress=progress)
                else:
                    yield from _near_miss(found, config)
        elif path not in images and first_time(path):
            config = config_for(path)
            if not config.excludes(path):
                yield from iter_lint_file(path, config, explicit=True, progress=progress)
    # Images last: a manifest linted above already reported all of its findings.
    for manifest, its_images in by_manifest(images).items():
        if first_time(manifest):
            config = config_for(manifest)
            if config.excludes(manifest):
                continue
            kept = [image for image in its_images if not config.excludes(image)]
            names = {picname_of(image, manifest, config) for image in kept}
            using = lines_using(manifest, {name for name in names if name is not None})
            if using:
                linted = iter_lint_file(manifest, config, progress=progress)
                yield from (d for d in linted if d.span.line in using)


def manifests_under(paths: Sequence[Path]) -> Iterator[Path]:
    """The manifests that linting ``paths`` reads, each once, in the order it reads them:
    files as given, and every ``increment.meta`` below a folder."""
    seen: set[Path] = set()
    for path in paths:
        found = (
            (f for f, is_manifest in find_manifests(path) if is_manifest)
            if path.is_dir()
            else (path,)
        )
        for manifest in found:
            real = manifest.resolve()
            if real not in seen and manifest.exists():
                seen.add(real)
                yield manifest


def _near_miss(path: Path, config: Config) -> list[Diagnostic]:
    facts = FileFacts(str(path), path.name, False, False, 0, 0, True)
    return _file_findings(Run(str(path), config), facts)


def _file_findings(run: Run, facts: FileFacts) -> list[Diagnostic]:
    return [run.diagnostic(rule, found) for rule in run.plan.file for found in rule.check(facts)]
