"""Linting one manifest: the slow path for the lines the scan could not vouch for, and the end
of the file, where the findings between lines and about images get their spans.

Every finding, whatever rule made it, becomes a Diagnostic here (``emit``), and every finding
that came without a span gets it here too, from a second read of just the lines concerned.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from metalint.config import Config
from metalint.diagnostics import Diagnostic, Span
from metalint.index import LineIndex, operation_key
from metalint.line import LineContext
from metalint.manifest import FileFacts
from metalint.plan import Plan, plan_for
from metalint.region import parse_region
from metalint.registry import Finding, Rule
from metalint.scan import Blocks, guards_hold

if TYPE_CHECKING:
    from metalint.images.stage import ImageStage

@dataclass(frozen=True, slots=True)
class LineVerdict:
    """What linting one line on its own found."""

    diagnostics: list[Diagnostic]
    obj: dict[str, Any] | None
    """The line's object, when the line is one."""
    operation: tuple[str, str, str | None] | None
    """(OperationType, ProductId, PicName or None) of a well-formed operation line."""
    blocked: bool
    """A rule found that the line's PicName cannot name an image of the bucket."""


class Run:
    """The state of linting one manifest."""

    def __init__(
        self,
        path: str,
        config: Config,
        images: ImageStage | None = None,
        index: LineIndex | None = None,
    ) -> None:
        self.path = path
        # The one place where per-file ignores apply: every finding is emitted by a Run.
        self.config = config.for_path(path)
        self.plan: Plan = plan_for(self.config)
        self.images = images
        self.index = LineIndex() if index is None else index
        self.diagnostics: list[Diagnostic] = []
        self.slow_lines = 0
        self.slow_operations = 0

    def emit(self, rule: Rule, finding: Finding, ctx: LineContext | None = None) -> None:
        span = finding.span
        if span is None:
            if ctx is None:
                span = Span(1, 1, 1, 2)
            elif finding.key is not None:
                span = ctx.value_span(finding.key)
            else:
                span = ctx.line_span
        self.diagnostics.append(
            Diagnostic(
                rule.code,
                rule.name,
                self.plan.severities[rule.code],
                finding.message,
                self.path,
                span,
                finding.key,
                finding.fix,
                finding.related,
            )
        )

    # -- the slow path ------------------------------------------------------------------------

    def slow(self, lineno: int, raw: bytes, obj: Any) -> None:
        self.slow_lines += 1
        ctx, blocked = self._check(lineno, raw, obj)
        line_obj = ctx.obj
        if line_obj is None:
            self.index.other_line(lineno, ctx.raw)
            return
        if ctx.operation in ("ADD", "DELETE"):
            self.slow_operations += 1
        key = operation_key(line_obj)
        if key is None:
            self.index.other_line(lineno, ctx.raw)
            return
        op, pid, pic = key
        self.index.record(lineno, op, pid, pic)
        if op == "ADD" and self.images is not None and not blocked:
            from metalint.images import ImageRef

            assert pic is not None
            region = line_obj.get("Region")
            box = parse_region(region) if isinstance(region, str) else None
            self.images.add(ImageRef(lineno, pic, box))

    def _check(self, lineno: int, raw: bytes, obj: Any) -> tuple[LineContext, bool]:
        """Run the line rules whose triggers hold on this line; the line's context, and
        whether a rule that fired keeps its image from being looked up."""
        parsed = obj.__class__ is dict
        ctx = LineContext.of(self.path, lineno, raw, self.config, obj if parsed else None)
        blocked = False
        for rule in self._rules_for(ctx, raw, unparsed=not parsed):
            for finding in rule.check(ctx):
                self.emit(rule, finding)
                blocked = blocked or rule.blocks_images
        return ctx, blocked

    def lint_line(self, lineno: int, raw: bytes) -> LineVerdict:
        """One line on its own, as the scan and the slow path together see it, without
        touching the index: what an editor's incremental lint re-checks after an edit.
        ``raw`` carries the line's ending, if it has one."""
        before = len(self.diagnostics)
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            obj = None
        plan = self.plan.line
        if obj.__class__ is dict and plan.is_clean(obj) and not guards_hold(plan.guards, raw, obj):
            return LineVerdict([], obj, operation_key(obj), blocked=False)
        ctx, blocked = self._check(lineno, raw, obj)
        found = self.diagnostics[before:]
        del self.diagnostics[before:]
        line_obj = ctx.obj
        key = operation_key(line_obj) if line_obj is not None else None
        return LineVerdict(found, line_obj, key, blocked)

    def _rules_for(self, ctx: LineContext, raw: bytes, *, unparsed: bool) -> Iterable[Rule]:
        """The line rules one of whose triggers holds on this line, in code order."""
        plan = self.plan.line
        chosen: dict[str, Rule] = {}
        if unparsed:
            chosen.update((r.code, r) for r in plan.on_unparsed)
        obj = ctx.obj
        if obj is not None:
            for error in ctx.schema_errors:
                chosen.update((r.code, r) for r in plan.on_errors.get(error.kind, ()))
            for guard in guards_hold(plan.guards, raw, obj):
                chosen.update((r.code, r) for r in plan.on_guard[guard])
            instance = ctx.validator_instance
            if plan.on_fragment and not plan.fragments_hold(instance):
                for is_valid, rule in plan.on_fragment:
                    if rule.code not in chosen and not is_valid(instance):
                        chosen[rule.code] = rule
        order = plan.order
        return sorted(chosen.values(), key=lambda r: order[r.code])

    def absorb(self, diagnostics: list[Diagnostic], lines_before: int) -> None:
        """Take in what another process found in a later chunk of the file, whose line
        numbers count from the chunk's start."""
        self.diagnostics.extend(d.moved_down(lines_before) for d in diagnostics)

    # -- the end of the file ------------------------------------------------------------------

    def finish(self, blocks: Blocks) -> None:
        image_findings = list(self.images.finish()) if self.images is not None else []
        index = self.index
        pairs = set(index.pairs)
        pairs.update(index.product_delete_pairs())
        needed = {n for pair in pairs for n in pair} | {f.line for f in image_findings}
        if not needed:
            return
        contexts = {
            lineno: LineContext.of(self.path, lineno, raw, self.config)
            for lineno, raw in blocks.reread(needed).items()
        }
        pairs |= _copies_of_later_lines(pairs, contexts)
        for later, earlier in sorted(pairs):
            for rule in self.plan.between:
                for finding in rule.check(contexts[later], contexts[earlier]):
                    self.emit(rule, finding, contexts[later])
        for found in image_findings:
            self.emit(found.rule, found.finding, contexts[found.line])

    def file_findings(self, facts: FileFacts) -> None:
        for rule in self.plan.file:
            for finding in rule.check(facts):
                self.emit(rule, finding)

    def sorted_diagnostics(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=lambda d: (d.span, d.code))


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
