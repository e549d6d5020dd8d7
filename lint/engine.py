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
from typing import IO, TYPE_CHECKING, Any

import orjson

from metalint.config import DEFAULT_CONFIG, Config
from metalint.diagnostics import FILE_SPAN, Diagnostic
from metalint.line import LineContext
from metalint.registry import Finding, Rule, Scope, get_rule, rules_of
from metalint.rules.between import operation_key
from metalint.rules.fields import parse_region
from metalint.rules.file import MANIFEST_NAME, FileFacts, is_near_miss
from metalint.schemacheck import clean_validator

if TYPE_CHECKING:
    from metalint.images import ImageStage

NON_STRING_KEYS = frozenset(("CategoryId", "IntAttr", "IntAttr2", "IntAttr3", "IntAttr4", "Crop"))
"""Keys whose values are not strings on a valid line; every other value is a string."""

SKIPPED_FOLDERS = frozenset((".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__"))
PICNAME_CODES = frozenset(("ML120", "ML121", "ML122", "ML123", "ML124"))

ProgressCallback = Callable[[int, int], None]


class _Run:
    """The state of linting one manifest."""

    def __init__(self, path: str, config: Config, stage: ImageStage | None) -> None:
        self.path = path
        self.config = config
        self.stage = stage
        self.diagnostics: list[Diagnostic] = []
        self.adds: dict[int, int] = {}
        self.deleted_images: dict[int, int] = {}
        self.deleted_products: dict[int, int] = {}
        self.pairs: list[tuple[int, int]] = []
        """(later line, earlier line) pairs that a between-line rule should look at."""
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
        self.index(lineno, op, pid, pic)
        if op == "ADD" and self.stage is not None and not emitted & PICNAME_CODES:
            from metalint.images import ImageRef

            assert pic is not None
            region = ctx.obj.get("Region")
            box = parse_region(region) if isinstance(region, str) else None
            self.stage.add(ImageRef(lineno, pic, box))

    # -- the between-line index ---------------------------------------------------------------

    def index(self, lineno: int, op: str, pid: str, pic: str | None) -> None:
        if op == "ADD":
            key = hash((pid, pic))
            first = self.adds.setdefault(key, lineno)
            if first != lineno:
                self.pairs.append((lineno, first))
            if self.deleted_images or self.deleted_products:
                self.add_after_deletes(lineno, pid, key)
        elif pic is None:
            first = self.deleted_products.setdefault(hash(pid), lineno)
            if first != lineno:
                self.pairs.append((lineno, first))
        else:
            key = hash((pid, pic))
            first = self.deleted_images.setdefault(key, lineno)
            if first != lineno:
                self.pairs.append((lineno, first))
            added = self.adds.get(key)
            if added is not None:
                self.pairs.append((lineno, added))

    def add_after_deletes(self, lineno: int, pid: str, key: int) -> None:
        for earlier in (self.deleted_images.get(key), self.deleted_products.get(hash(pid))):
            if earlier is not None:
                self.pairs.append((lineno, earlier))

    # -- the end of the file ------------------------------------------------------------------

    def finish(self, stream: IO[bytes]) -> None:
        image_findings = list(self.stage.finish()) if self.stage is not None else []
        if self.deleted_products:
            self.pairs.extend(_adds_before_product_deletes(stream, self.deleted_products))
        needed = {n for pair in self.pairs for n in pair} | {f.line for f in image_findings}
        if not needed:
            return
        contexts = _reread(stream, needed, self.path, self.config)
        pair_rules = self._enabled(Scope.BETWEEN)
        for later, earlier in sorted(set(self.pairs)):
            for rule in pair_rules:
                for finding in rule.check(contexts[later], contexts[earlier]):
                    self.emit(rule, finding)
        for found in image_findings:
            rule = get_rule(found.code)
            if rule is None or not self.config.enabled(rule.code):
                continue
            ctx = contexts[found.line]
            span = ctx.value_span(found.target)
            self.emit(rule, Finding(found.message, span, key=found.target))

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
    stream: IO[bytes], deleted_products: dict[int, int]
) -> Iterator[tuple[int, int]]:
    """(DELETE line, first earlier ADD line) for each product deleted after it was added.

    ADDs that come after such a DELETE are paired as they stream by; the ones before it need
    this second look, which only files deleting whole products pay for.
    """
    stream.seek(0)
    last = max(deleted_products.values())
    paired: set[int] = set()
    for lineno, raw in enumerate(stream, 1):
        if lineno >= last:
            break
        if b"ADD" not in raw:
            continue
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            continue
        if obj.__class__ is not dict or obj.get("OperationType") != "ADD":
            continue
        pid = obj.get("ProductId")
        if not isinstance(pid, str):
            continue
        key = hash(pid)
        delete_line = deleted_products.get(key)
        if delete_line is not None and lineno < delete_line and key not in paired:
            paired.add(key)
            yield (delete_line, lineno)


def _scan(stream: IO[bytes], run: _Run) -> int:
    """The fast path over every line; returns the number of lines."""
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    is_clean = clean_validator(run.config.service).is_valid
    non_string = NON_STRING_KEYS
    adds_setdefault = run.adds.setdefault
    pairs_append = run.pairs.append
    deleted_images = run.deleted_images
    deleted_products = run.deleted_products
    slow = run.slow
    stage_add = None
    image_ref: Any = None
    if run.stage is not None:
        from metalint.images import ImageRef as image_ref

        stage_add = run.stage.add
    lineno = 0
    for raw in stream:
        lineno += 1
        try:
            obj = loads(raw)
        except decode_error:
            slow(lineno, raw)
            continue
        if (
            obj.__class__ is not dict
            or (raw[-2:] != b"}\n" and raw[-1:] != b"}")
            or b"\\" in raw
            # Without backslashes every quote delimits a key or a string value, so a count off
            # from the parsed object's means a key repeated (and dropped by the parser).
            or raw.count(b'"') != 4 * len(obj) - 2 * len(obj.keys() & non_string)
            or not is_clean(obj)
        ):
            slow(lineno, raw)
            continue
        region = obj.get("Region")
        box = None
        if region is not None:
            box = parse_region(region)
            if box is None:
                slow(lineno, raw)
                continue
        pid = obj["ProductId"]
        if obj["OperationType"] == "ADD":
            pic = obj["PicName"]
            key = hash((pid, pic))
            first = adds_setdefault(key, lineno)
            if first != lineno:
                pairs_append((lineno, first))
            if deleted_images or deleted_products:
                run.add_after_deletes(lineno, pid, key)
            if stage_add is not None:
                stage_add(image_ref(lineno, pic, box))
        else:
            run.index(lineno, "DELETE", pid, obj.get("PicName"))
    return lineno


def _lint_stream(
    stream: IO[bytes],
    path: str,
    config: Config,
    *,
    name: str,
    explicit: bool,
    manifest_dir: Path | None,
    progress: ProgressCallback | None = None,
) -> list[Diagnostic]:
    stage = None
    if config.check_images and manifest_dir is not None:
        from metalint.images import ImageStage

        stage = ImageStage(manifest_dir, config, progress)
    run = _Run(path, config, stage)
    lines = _scan(stream, run)
    run.finish(stream)
    operations = lines - run.slow_lines + run.slow_operations
    run.file_findings(FileFacts(path, name, explicit, True, lines, operations, lines > 0))
    return sorted(run.diagnostics, key=lambda d: (d.span, d.code))


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
        return _lint_stream(
            stream, path, config, name=name, explicit=True, manifest_dir=manifest_dir
        )


def lint_file(
    path: Path,
    config: Config = DEFAULT_CONFIG,
    *,
    explicit: bool = True,
    progress: ProgressCallback | None = None,
) -> list[Diagnostic]:
    """Lint the manifest at ``path``, streaming it; images are found next to it."""
    config = config.for_path(str(path))
    shown = str(path)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return _unreadable(shown, config, "it is not a regular file")
        with open(path, "rb") as stream:
            return _lint_stream(
                stream,
                shown,
                config,
                name=path.name,
                explicit=explicit,
                manifest_dir=path.parent,
                progress=progress,
            )
    except OSError as exc:
        return _unreadable(shown, config, exc.strerror or str(exc))


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
    run = _Run(str(path), config, None)
    run.file_findings(FileFacts(str(path), path.name, False, False, 0, 0, True))
    return run.diagnostics
