"""Linting one manifest: the slow path for the lines the scan could not vouch for, and the line
rules of one line, which the end of the file (``metalint.endpass``) runs on each slow line.

Every finding, whatever rule made it, becomes a Diagnostic here (``diagnostic``), and every
finding that came without a span gets it here too, from the line the end pass reads again.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from metalint.config import Config
from metalint.diagnostics import FILE_SPAN, Diagnostic, new_record
from metalint.fixes import fixed_lines
from metalint.images.model import ImageRef
from metalint.index import LineIndex, line_operations, operation_key
from metalint.line import LineContext
from metalint.manifest import FileFacts, FormatTally
from metalint.older import (
    OLDER_FORMAT,
    OLDER_IMAGES,
    OLDER_KEYS,
    OLDER_OPERATION,
    line_format,
)
from metalint.plan import Plan, plan_for
from metalint.region import parse_region
from metalint.registry import Finding, Rule
from metalint.scan import guards_hold

if TYPE_CHECKING:
    from metalint.images.stage import ImageStage


@dataclass(frozen=True, slots=True)
class LineVerdict:
    """What linting one line on its own found."""

    diagnostics: list[Diagnostic]
    obj: dict[str, Any] | None
    """The line's object, when the line is one."""
    operations: tuple[tuple[str, str, str | None], ...]
    """(ADD or DELETE, product, image or None) of each operation of a well-formed operation
    line: one on a line of the current format, one per image on a line of the older one."""
    blocked: bool
    """A rule found that the line's PicName cannot name an image of the bucket."""


class Run:
    """The state of linting one manifest.

    The scan hands the run every line it could not vouch for (``slow``); the run indexes it
    and keeps only its number. The findings are made at the end (``endpass.findings``), in
    one read of just the lines that have any, and streamed in order: a manifest with a mistake
    on every line costs memory for its line numbers, not for its findings.
    """

    def __init__(
        self,
        path: str,
        config: Config,
        images: ImageStage | None = None,
        index: LineIndex | None = None,
    ) -> None:
        self.path = path
        # The one place where per-file ignores apply: every finding is made by a Run.
        self.config = config.for_path(path)
        self.plan: Plan = plan_for(self.config)
        self.images = images
        self.index = LineIndex() if index is None else index
        self.slow_numbers: array[int] = array("q")
        """The lines the scan sent to the slow path, in order."""
        self.slow_operations = 0
        self.formats = FormatTally()
        """The formats of the slow lines; every other line is of the current format."""

    @property
    def slow_lines(self) -> int:
        return len(self.slow_numbers)

    def diagnostic(
        self, rule: Rule, finding: Finding, ctx: LineContext | None = None
    ) -> Diagnostic:
        """The finding as a Diagnostic of this manifest; a finding without a span points at
        the value of its key on the line, or at the whole line."""
        message, span, key, fix, related = finding
        if span is None:
            if ctx is None:
                span = FILE_SPAN
            elif key is not None:
                span = ctx.value_span(key)
            else:
                span = ctx.line_span
        code = rule.code
        severity = self.plan.severities[code]
        return new_record(
            Diagnostic, (code, rule.name, severity, message, self.path, span, key, fix, related)
        )

    # -- the slow path, during the scan ------------------------------------------------------

    def slow(self, lineno: int, raw: bytes, obj: Any) -> None:
        """Index a line the fast path could not vouch for; its findings come at the end."""
        self.slow_numbers.append(lineno)
        parsed = obj.__class__ is dict
        ctx = None
        if parsed:
            line_obj = obj
        elif obj is None:  # orjson could not read it; the positional parser may
            ctx = LineContext.of(self.path, lineno, raw, self.config)
            line_obj = ctx.obj
        else:  # a JSON value, but no object
            line_obj = None
        if line_obj is None:
            self.index.other_line(lineno, _without_ending(raw))
            return
        form = line_format(line_obj)
        self.formats.note(lineno, form, line_obj)
        if form is OLDER_FORMAT:
            self._slow_older(lineno, raw, line_obj, ctx, parsed)
            return
        if line_obj.get("OperationType") in ("ADD", "DELETE"):
            self.slow_operations += 1
        key = operation_key(line_obj)
        if key is None:
            self.index.other_line(lineno, _without_ending(raw))
            return
        op, pid, pic = key
        self.index.record(lineno, op, pid, pic)
        if op == "ADD" and self.images is not None:
            if ctx is None:
                ctx = LineContext.of(self.path, lineno, raw, self.config, line_obj)
            if not self._blocks_image(ctx, raw, parsed):
                assert pic is not None
                region = line_obj.get("Region")
                box = parse_region(region) if isinstance(region, str) else None
                self.images.add(ImageRef(lineno, pic, box))

    def _slow_older(
        self, lineno: int, raw: bytes, obj: dict[str, Any], ctx: LineContext | None, parsed: bool
    ) -> None:
        """Index a line of the older format: an operation for each image of its pic_list."""
        if obj.get(OLDER_OPERATION) in ("ADD", "DELETE"):
            self.slow_operations += 1
        operations = line_operations(obj)
        if not operations:
            self.index.other_line(lineno, _without_ending(raw))
            return
        for op, pid, pic in operations:
            self.index.record(lineno, op, pid, pic)
        if operations[0][0] == "ADD" and self.images is not None:
            if ctx is None:
                ctx = LineContext.of(self.path, lineno, raw, self.config, obj)
            for name in self._older_images(ctx, raw, parsed):
                self.images.add(ImageRef(lineno, name, None))

    def _older_images(self, ctx: LineContext, raw: bytes, parsed: bool) -> list[str]:
        """The distinct image names of an older line's pic_list that can name an image of the
        bucket: a rule that keeps an image from being looked up points at its entry."""
        blocked = {
            found.span
            for rule in self._rules_for(ctx, raw, unparsed=not parsed)
            if rule.blocks_images
            for found in rule.check(ctx)
        }
        names: dict[str, None] = {}
        for entry in ctx.elements(OLDER_IMAGES):
            value = entry.value
            if value.__class__ is str and value and ctx.span(entry.start, entry.end) not in blocked:
                names[value] = None
        return list(names)

    def _blocks_image(self, ctx: LineContext, raw: bytes, parsed: bool) -> bool:
        return any(
            rule.blocks_images and any(True for _ in rule.check(ctx))
            for rule in self._rules_for(ctx, raw, unparsed=not parsed)
        )

    def check(self, ctx: LineContext, raw: bytes, parsed: bool, out: list[Diagnostic]) -> bool:
        """Run the line rules whose triggers hold on this line into ``out``; whether a rule
        that fired keeps the line's image from being looked up."""
        blocked = False
        start = len(out)
        fixed = False
        for rule in self._rules_for(ctx, raw, unparsed=not parsed):
            for finding in rule.check(ctx):
                out.append(self.diagnostic(rule, finding))
                blocked = blocked or rule.blocks_images
                fixed = fixed or finding.fix is not None
        if fixed:
            self._withhold_trading_fixes(ctx, out, start)
        return blocked

    def _withhold_trading_fixes(self, ctx: LineContext, out: list[Diagnostic], start: int) -> None:
        """Take the fix off every finding of ``out[start:]`` (the line's) whose fix would
        trade one finding for another, so that no rule has to foresee what the others say
        about the line it makes: ``"CategoryId": "15"`` written as 15 is no category either.

        A fix of a value (a finding with a key) must leave that key clean, and any key the
        fix brings into the object (a renamed key) too; findings on other keys may come and
        go, as a fixed OperationType rightly lets the ADD's rules speak. A fix of the line's
        text (a finding without a key: a byte-order mark, a line ending) must leave one such
        finding of its own rule fewer and add none of another: the others have fixes of
        their own. This runs only on a line where a fix is offered, and costs a fast-path
        check when the fixed line is clean; the lines a fix makes are linted without judging
        their own fixes.
        """
        text = ctx.text
        for at in range(start, len(out)):
            found = out[at]
            if found.fix is None:
                continue
            made = None
            if text is not None:
                made = fixed_lines(text, ctx.ending, ctx.lineno, found.fix.edits)
            if made is None:
                out[at] = found._replace(fix=None)
                continue
            if len(made) == 1 and self._read(made[0])[1]:
                continue  # the usual fix: the line it makes is clean
            drawn: list[tuple[str, str | None]] = []
            touched = {found.key}
            for offset, raw in enumerate(made):
                codes_keys, obj = self._drawn(ctx.lineno + offset, raw)
                drawn += codes_keys
                if codes_keys and len(made) == 1 and obj is not None and ctx.obj is not None:
                    touched.update(obj.keys() - ctx.obj.keys())
            if drawn and _trades(found, drawn, touched, out[start:]):
                out[at] = found._replace(fix=None)

    def _drawn(self, lineno: int, raw: bytes) -> tuple[list[tuple[str, str | None]], Any]:
        """The code and key of every finding the line rules make on ``raw`` as line
        ``lineno``, their fixes not judged, and the line's object (None when it is none)."""
        obj, clean = self._read(raw)
        if clean:
            return [], obj
        ctx = LineContext.of(self.path, lineno, raw, self.config, obj)
        rules = self._rules_for(ctx, raw, unparsed=obj is None)
        return [(rule.code, f.key) for rule in rules for f in rule.check(ctx)], ctx.obj

    def _read(self, raw: bytes) -> tuple[dict[str, Any] | None, bool]:
        """The object orjson reads on the line (None when it reads none), and whether the
        fast path calls the line clean."""
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None, False
        if obj.__class__ is not dict:
            return None, False
        plan = self.plan.line
        return obj, plan.is_clean(obj) and not guards_hold(plan.guards, raw, obj)

    def context(self, lineno: int, raw: bytes) -> tuple[LineContext, bool]:
        """A line read again, and whether orjson read it as an object."""
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            obj = None
        parsed = obj.__class__ is dict
        return LineContext.of(self.path, lineno, raw, self.config, obj if parsed else None), parsed

    def lint_line(self, lineno: int, raw: bytes) -> LineVerdict:
        """One line on its own, as the scan and the slow path together see it, without
        touching the index: what an editor's incremental lint re-checks after an edit.
        ``raw`` carries the line's ending, if it has one."""
        obj, clean = self._read(raw)
        if clean:
            assert obj is not None
            return LineVerdict([], obj, line_operations(obj), blocked=False)
        ctx = LineContext.of(self.path, lineno, raw, self.config, obj)
        found: list[Diagnostic] = []
        blocked = self.check(ctx, raw, obj is not None, found)
        line_obj = ctx.obj
        operations = line_operations(line_obj) if line_obj is not None else ()
        return LineVerdict(found, line_obj, operations, blocked)

    def _rules_for(self, ctx: LineContext, raw: bytes, *, unparsed: bool) -> Iterable[Rule]:
        """The line rules one of whose triggers holds on this line, in code order."""
        plan = self.plan.line
        chosen: dict[int, Rule] = {}  # the rules to run, by their place in code order
        if unparsed:
            chosen.update(plan.on_unparsed)
        obj = ctx.obj
        if obj is not None:
            on_errors = plan.on_errors
            for error in ctx.schema_errors:
                found = on_errors.get(error.kind)
                if found is not None:
                    chosen.update(found)
            if plan.guards:
                for guard in guards_hold(plan.guards, raw, obj):
                    chosen.update(plan.on_guard[guard])
            if plan.on_older and not OLDER_KEYS.isdisjoint(obj):
                chosen.update(plan.on_older)
            instance = ctx.validator_instance
            if plan.on_fragment and not plan.fragments_hold(instance):
                for is_valid, place, rule in plan.on_fragment:
                    if place not in chosen and not is_valid(instance):
                        chosen[place] = rule
        if len(chosen) < 2:
            return chosen.values()
        return map(chosen.__getitem__, sorted(chosen))

    def absorb(
        self,
        slow_numbers: array[int],
        slow_operations: int,
        formats: FormatTally,
        lines_before: int,
    ) -> None:
        """Take in the slow lines another process found in a later chunk of the file, whose
        line numbers count from the chunk's start."""
        self.slow_numbers.extend(n + lines_before for n in slow_numbers)
        self.slow_operations += slow_operations
        self.formats.absorb(formats, lines_before)

    def file_facts(self, name: str, explicit: bool, lines: int) -> FileFacts:
        """What the file rules know once the scan has read ``lines`` lines."""
        operations = lines - self.slow_lines + self.slow_operations
        formats = self.formats
        fast = lines - self.slow_lines
        first_fast = 0
        if fast:
            # The first line missing from the slow lines, which are in order.
            first_fast = 1
            for lineno in self.slow_numbers:
                if lineno != first_fast:
                    break
                first_fast += 1
        firsts = [n for n in (first_fast, formats.first_current) if n]
        return FileFacts(
            self.path,
            name,
            explicit,
            True,
            lines,
            operations,
            lines > 0,
            older_lines=formats.older,
            current_lines=formats.current + fast,
            first_older=formats.first_older,
            first_current=min(firsts, default=0),
        )


def _trades(
    found: Diagnostic,
    drawn: list[tuple[str, str | None]],
    touched: set[str | None],
    line_findings: list[Diagnostic],
) -> bool:
    """Whether the findings ``drawn`` by the lines that ``found``'s fix makes are a trade
    (see ``Run._withhold_trading_fixes``)."""
    if found.key is not None:
        return any(key in touched for _, key in drawn)
    before = Counter(d.code for d in line_findings if d.key is None)
    after = Counter(code for code, key in drawn if key is None)
    return after[found.code] >= before[found.code] or any(
        n > before[code] for code, n in after.items()
    )


def _without_ending(raw: bytes) -> bytes:
    if raw.endswith(b"\r\n"):
        return raw[:-2]
    return raw[:-1] if raw.endswith(b"\n") else raw
