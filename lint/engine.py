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
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

import orjson

from metalint.config import DEFAULT_CONFIG, Config, caches_disabled_by_environment
from metalint.diagnostics import FILE_SPAN, Diagnostic
from metalint.index import LineIndex, product_key
from metalint.line import LineContext
from metalint.registry import Finding, Rule, Scope, get_rule, rules_of
from metalint.rules.between import operation_key
from metalint.rules.fields import parse_region
from metalint.rules.file import MANIFEST_NAME, FileFacts, is_near_miss
from metalint.scan import ChunkResult, scan_stream

if TYPE_CHECKING:
    from metalint.images import ImageStage
    from metalint.resultcache import ResultCache

SKIPPED_FOLDERS = frozenset((".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__"))
PICNAME_CODES = frozenset(("ML120", "ML121", "ML122", "ML123", "ML124"))

ProgressCallback = Callable[[int, int], None]


class Run:
    """The state of linting one manifest."""

    def __init__(
        self,
        path: str,
        config: Config,
        stage: ImageStage | None,
        index: LineIndex | None = None,
    ) -> None:
        self.path = path
        self.config = config
        self.stage = stage
        self.index = LineIndex() if index is None else index
        self.diagnostics: list[Diagnostic] = []
        self.slow_lines = 0
        self.slow_operations = 0
        self.text_rules = self._enabled(Scope.TEXT)
        self.field_rules = self._enabled(Scope.FIELDS)

    def _enabled(self, scope: Scope) -> list[Rule]:
        return [r for r in rules_of(scope) if self.config.enabled(r.code)]

    def emit(self, rule: Rule, finding: Finding) -> None:
        self.diagnostics.append(
            Diagnostic(
                code=rule.code,
                name=rule.name,
                severity=self.config.severity(rule.code, rule.severity),
                message=finding.message,
                path=self.path,
                span=finding.span,
                key=finding.key,
                fix=finding.fix,
                related=finding.related,
            )
        )

    # -- the slow path ------------------------------------------------------------------------

    def slow(self, lineno: int, raw: bytes) -> None:
        self.slow_lines += 1
        ctx = _context(self.path, lineno, raw, self.config)
        emitted: set[str] = set()
        for rule in self.text_rules:
            for finding in rule.check(ctx):
                self.emit(rule, finding)
                emitted.add(rule.code)
        if ctx.obj is None:
            return
        for rule in self.field_rules:
            for finding in rule.check(ctx):
                self.emit(rule, finding)
                emitted.add(rule.code)
        if ctx.operation in ("ADD", "DELETE"):
            self.slow_operations += 1
        key = operation_key(ctx)
        if key is None:
            return
        op, pid, pic = key
        self.index.record(lineno, op, pid, pic)
        if op == "ADD" and self.stage is not None and not emitted & PICNAME_CODES:
            from metalint.images import ImageRef

            assert pic is not None
            region = ctx.obj.get("Region")
            box = parse_region(region) if isinstance(region, str) else None
            self.stage.add(ImageRef(lineno, pic, box))

    def absorb(self, chunk: ChunkResult, lines_before: int) -> None:
        """Take in what another process found in the next chunk of the file, whose line
        numbers count from the chunk's start."""
        self.diagnostics.extend(d.moved_down(lines_before) for d in chunk.diagnostics)
        self.index.replay(chunk.events, lines_before)
        self.slow_lines += chunk.slow_lines
        self.slow_operations += chunk.slow_operations

    # -- the end of the file ------------------------------------------------------------------

    def finish(self, stream: IO[bytes]) -> None:
        image_findings = list(self.stage.finish()) if self.stage is not None else []
        index = self.index
        if index.deleted_products:
            index.pairs.extend(
                _adds_before_product_deletes(stream, index.deleted_products, self.path, self.config)
            )
        needed = {n for pair in index.pairs for n in pair} | {f.line for f in image_findings}
        if not needed:
            return
        contexts = _reread(stream, needed, self.path, self.config)
        pairs = set(index.pairs)
        pairs |= _copies_of_later_lines(pairs, contexts)
        pair_rules = self._enabled(Scope.BETWEEN)
        for later, earlier in sorted(pairs):
            for rule in pair_rules:
                for finding in rule.check(contexts[later], contexts[earlier]):
                    self.emit(rule, finding)
        image_rules = {r.code: r for r in self._enabled(Scope.IMAGE)}
        for found in image_findings:
            image_rule = image_rules.get(found.code)
            if image_rule is None:
                continue
            span = contexts[found.line].value_span(found.target)
            self.emit(image_rule, Finding(found.message, span, key=found.target))

    def file_findings(self, facts: FileFacts) -> None:
        for rule in self._enabled(Scope.FILE):
            for finding in rule.check(facts):
                self.emit(rule, finding)


def _context(path: str, lineno: int, raw: bytes, config: Config) -> LineContext:
    if raw.endswith(b"\r\n"):
        return LineContext(path, lineno, raw[:-2], b"\r\n", config)
    if raw.endswith(b"\n"):
        return LineContext(path, lineno, raw[:-1], b"\n", config)
    return LineContext(path, lineno, raw, b"", config)


def _copies_of_later_lines(
    pairs: set[tuple[int, int]], contexts: dict[int, LineContext]
) -> set[tuple[int, int]]:
    """(copy, earliest identical line) for lines the index paired only with the first line
    of their image, when they repeat a line that came after that first one.

    The index remembers one line per image, so of ``v1``, ``v2``, ``v2`` it pairs the last
    line with the first only; the lines paired with the same first line are the candidates.
    """
    followers: dict[int, list[int]] = {}
    for later, earlier in pairs:
        followers.setdefault(earlier, []).append(later)
    copies: set[tuple[int, int]] = set()
    for first, laters in followers.items():
        earliest = {contexts[first].raw: first}
        for later in sorted(laters):
            same = earliest.setdefault(contexts[later].raw, later)
            if same not in (later, first):
                copies.add((later, same))
    return copies


def _reread(
    stream: IO[bytes], needed: set[int], path: str, config: Config
) -> dict[int, LineContext]:
    stream.seek(0)
    last = max(needed)
    contexts: dict[int, LineContext] = {}
    for lineno, raw in enumerate(stream, 1):
        if lineno in needed:
            contexts[lineno] = _context(path, lineno, raw, config)
        if lineno >= last:
            break
    return contexts


def _adds_before_product_deletes(
    stream: IO[bytes], deleted_products: dict[int, int], path: str, config: Config
) -> Iterator[tuple[int, int]]:
    """(DELETE line, first earlier ADD line) for each product deleted after it was added.

    ADDs that come after such a DELETE are paired as they stream by; the ones before it need
    this second look, which only files deleting whole products pay for. A line orjson cannot
    read (a byte-order mark, say) is read as the slow path reads it, so that the two agree.
    """
    stream.seek(0)
    last = max(deleted_products.values())
    paired: set[int] = set()
    for lineno, raw in enumerate(stream, 1):
        if lineno >= last:
            break
        if b"ADD" not in raw and b"\\" not in raw:
            continue
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            obj = _context(path, lineno, raw, config).obj
        if obj.__class__ is not dict or obj.get("OperationType") != "ADD":
            continue
        pid, pic = obj.get("ProductId"), obj.get("PicName")
        if not isinstance(pid, str) or not isinstance(pic, str):
            continue
        key = product_key(pid)
        delete_line = deleted_products.get(key)
        if delete_line is not None and lineno < delete_line and key not in paired:
            paired.add(key)
            yield (delete_line, lineno)


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
) -> tuple[list[Diagnostic], ImageStage | None]:
    """The diagnostics, and the image stage when images were checked (made with ``record``:
    it then knows what its findings depended on)."""
    stage = None
    if config.check_images and manifest_dir is not None:
        from metalint.images import ImageStage

        stage = ImageStage(manifest_dir, config, progress, record=record)
    run = Run(path, config, stage)
    lines = scan_stream(stream, run, disk_path)
    run.finish(stream)
    operations = lines - run.slow_lines + run.slow_operations
    run.file_findings(FileFacts(path, name, explicit, True, lines, operations, lines > 0))
    return sorted(run.diagnostics, key=lambda d: (d.span, d.code)), stage


def lint_bytes(
    data: bytes,
    path: str = MANIFEST_NAME,
    config: Config = DEFAULT_CONFIG,
    manifest_dir: Path | None = None,
) -> list[Diagnostic]:
    """Lint a manifest held in memory (standard input, an editor's buffer).

    Images are checked relative to ``manifest_dir`` when it is given and images are enabled.
    """
    name = Path(path).name
    with io.BytesIO(data) as stream:
        return _lint_run(
            stream, path, config, name=name, explicit=True, manifest_dir=manifest_dir
        )[0]


def lint_file(
    path: Path,
    config: Config = DEFAULT_CONFIG,
    *,
    explicit: bool = True,
    progress: ProgressCallback | None = None,
) -> list[Diagnostic]:
    """Lint the manifest at ``path``, streaming it; images are found next to it.

    With ``config.use_cache`` (and ``METALINT_NO_CACHE`` unset), the result is kept on disk and
    returned again, without reading the manifest or any image, while nothing it depended on has
    changed: see ``metalint.resultcache``.
    """
    config = config.for_path(str(path))
    shown = str(path)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return _unreadable(shown, config, "it is not a regular file")
        cache = _result_cache(path, shown, explicit, config)
        if cache is not None:
            kept = cache.get(info)
            if kept is not None:
                return kept
        with open(path, "rb") as stream:
            diagnostics, stage = _lint_run(
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
        if cache is not None:
            if stage is None:
                cache.put(info, diagnostics, None, None)
            else:
                cache.put(info, diagnostics, stage.dependencies(), stage.root)
        return diagnostics
    except OSError as exc:
        return _unreadable(shown, config, exc.strerror or str(exc))


def _result_cache(path: Path, shown: str, explicit: bool, config: Config) -> ResultCache | None:
    if not config.use_cache or caches_disabled_by_environment():
        return None
    from metalint import resultcache

    try:
        return resultcache.ResultCache(path, shown, explicit, config)
    except Exception:
        return None


def _unreadable(path: str, config: Config, why: str) -> list[Diagnostic]:
    rule = get_rule("ML012")
    assert rule is not None
    if not config.enabled(rule.code):
        return []
    return [
        Diagnostic(
            rule.code,
            rule.name,
            config.severity(rule.code, rule.severity),
            f"cannot read the manifest: {why}",
            path,
            FILE_SPAN,
        )
    ]


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
    names found there are reported without being read as manifests."""
    for path in paths:
        if path.is_dir():
            for found, is_manifest in find_manifests(path):
                config = config_for(found)
                if is_manifest:
                    yield from lint_file(found, config, explicit=False, progress=progress)
                else:
                    yield from _near_miss(found, config.for_path(str(found)))
        else:
            yield from lint_file(path, config_for(path), explicit=True, progress=progress)


def _near_miss(path: Path, config: Config) -> Iterable[Diagnostic]:
    run = Run(str(path), config, None)
    run.file_findings(FileFacts(str(path), path.name, False, False, 0, 0, True))
    return run.diagnostics
