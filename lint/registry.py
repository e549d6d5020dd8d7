"""The rule registry: every rule is declared once, with its code, name, scope, severity and,
for a line rule, the contract it keeps with the fast path.

A rule's docstring is its only documentation. It is written under fixed headings (see
``DOC_SECTIONS``) and reused by ``metalint rule CODE``, SARIF rule metadata and editor hovers.
The registry holds no rule itself: ``metalint.rules`` imports the families, which register
their rules here, and is where the rest of the code looks rules up.
"""

from __future__ import annotations

import enum
import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from metalint.diagnostics import Fix, Related, Severity, Span
from metalint.service import ServiceProfile

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
"""Headings every rule's docstring must carry, as ``## Heading`` lines, in this order."""

_CODE = re.compile(r"ML[0-9]{3}")
_NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


class Scope(enum.StrEnum):
    FILE = "file"
    """Facts about a whole file: its name, whether it holds any operation."""
    TEXT = "text"
    """One line as bytes and text: encoding, line endings, JSON syntax."""
    FIELDS = "fields"
    """The fields of one parsed line."""
    BETWEEN = "between"
    """Relations between lines: duplicates, conflicting operations."""
    IMAGE = "image"
    """The image a line references."""


LINE_SCOPES = frozenset((Scope.TEXT, Scope.FIELDS))


class Guard(enum.StrEnum):
    """A condition on a line's bytes and parsed object that no JSON Schema can state; the
    scan checks each one that an enabled rule asks for, on every line the schemas accept."""

    LINE_END = "line-end"
    """The line does not end with ``}`` and then a newline or the end of the file."""
    KEY_COUNT = "key-count"
    """The line's quotes do not add up to its keys: a key is repeated (or a string holds an
    escaped quote)."""
    FRACTION = "fraction"
    """A value that is not a string is a JSON number with a fraction or an exponent."""
    REGION_ORDER = "region-order"
    """Region's corners are out of order (x1 >= x2 or y1 >= y2)."""


Fragment = Mapping[str, Any]
"""A piece of JSON Schema, merged by ``allOf`` into the fast path's clean schema."""


@dataclass(frozen=True, slots=True)
class Trigger:
    """One way a line rule can fire; a rule declares every way it has.

    The fast path only shows a rule the lines it cannot call clean, so these declarations are
    the whole contract between the two: a line that orjson reads, that the line schema and
    every enabled rule's ``clean`` fragment accept, and that trips no enabled rule's ``guard``,
    draws nothing. On the slow path a rule runs only on lines where one of its triggers holds.
    """

    unparsed: bool = False
    """Fires on lines that orjson cannot read (not UTF-8, invalid JSON, a byte-order mark)."""
    errors: frozenset[str] = frozenset()
    """Fires on lines that the line schema rejects with one of these error kinds
    (``type``, ``enum``, ``required``...; see ``metalint.schemacheck``)."""
    clean: Fragment | Callable[[ServiceProfile], Fragment | None] | None = None
    """Fires on lines that fail this fragment, which may depend on the service type."""
    guard: Guard | None = None
    """Fires on lines where this guard holds."""
    older: bool = False
    """Fires on every line with a key of the older format (see ``metalint.older``): such a
    line never passes the fast path, and its values are not where the fragments look."""

    def fragment(self, profile: ServiceProfile) -> Fragment | None:
        return self.clean(profile) if callable(self.clean) else self.clean


def unparsed() -> Trigger:
    return Trigger(unparsed=True)


def schema_errors(*kinds: str) -> Trigger:
    return Trigger(errors=frozenset(kinds))


def unclean(fragment: Fragment | Callable[[ServiceProfile], Fragment | None]) -> Trigger:
    return Trigger(clean=fragment)


def guarded(guard: Guard) -> Trigger:
    return Trigger(guard=guard)


def older_format() -> Trigger:
    return Trigger(older=True)


class Finding(NamedTuple):
    """What a rule reports; the engine turns it into a Diagnostic with the rule's identity.

    ``span`` is None when the rule knows which value it is about but not where it stands on
    the line (image rules, which see facts, not text): the engine then points at the value
    of ``key``.
    """

    message: str
    span: Span | None = None
    key: str | None = None
    fix: Fix | None = None
    related: tuple[Related, ...] = ()


F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    scope: Scope
    severity: Severity
    fixable: bool
    check: Callable[..., Iterable[Finding]]
    doc: str
    triggers: tuple[Trigger, ...] = ()
    """For a line rule: every way it can fire (see ``Trigger``)."""
    blocks_images: bool = False
    """When this rule fires on a line, the line's image is not looked up: its PicName cannot
    name an object of the bucket."""
    reads_image: bool = False
    """An image rule that needs the image's header, not only the lookup."""

    @property
    def summary(self) -> str:
        return self.doc.split("\n", 1)[0].strip()

    def section(self, heading: str) -> str | None:
        """The text under ``## heading`` in the docstring, or None when the section is absent."""
        return doc_sections(self.doc).get(heading)


_RULES: dict[str, Rule] = {}
_BY_NAME: dict[str, Rule] = {}
_generation = 0
"""Counts changes to the registry, so that what is derived from it can tell it is stale."""


def rule(
    code: str,
    name: str,
    *,
    scope: Scope,
    severity: Severity,
    fixable: bool = False,
    triggers: Iterable[Trigger] = (),
    blocks_images: bool = False,
    reads_image: bool = False,
) -> Callable[[F], F]:
    """Register the decorated function as rule ``code``. A second rule with the same code or
    name is refused, so codes stay stable and unambiguous, and so is a line rule that does
    not say how it can fire, since the fast path would never show it a line."""
    declared = tuple(triggers)

    def register(check: F) -> F:
        if not _CODE.fullmatch(code):
            raise ValueError(f"rule code {code!r} is not of the form ML123")
        if not _NAME.fullmatch(name):
            raise ValueError(f"rule name {name!r} is not kebab-case")
        if code in _RULES:
            raise ValueError(f"rule code {code} is already registered to {_RULES[code].name}")
        if name in _BY_NAME:
            raise ValueError(f"rule name {name} is already registered to {_BY_NAME[name].code}")
        if (scope in LINE_SCOPES) != bool(declared):
            raise ValueError(
                f"rule {code}: a line rule declares its triggers, and only a line rule does"
            )
        if reads_image and scope is not Scope.IMAGE:
            raise ValueError(f"rule {code}: only an image rule reads images")
        doc = inspect.cleandoc(check.__doc__ or "")
        if not doc:
            raise ValueError(f"rule {code} has no docstring")
        entry = Rule(
            code, name, scope, severity, fixable, check, doc, declared, blocks_images, reads_image
        )
        _RULES[code] = entry
        _BY_NAME[name] = entry
        _changed()
        return check

    return register


def unregister(code: str) -> None:
    """Take a rule out again (for tests that register a rule of their own)."""
    entry = _RULES.pop(code)
    del _BY_NAME[entry.name]
    _changed()


def _changed() -> None:
    global _generation
    _generation += 1


def generation() -> int:
    return _generation


def registered() -> list[Rule]:
    """The rules registered so far, by code; ``metalint.rules.all_rules`` is the whole set."""
    return sorted(_RULES.values(), key=lambda r: r.code)


def registered_rule(code_or_name: str) -> Rule | None:
    return _RULES.get(code_or_name.upper()) or _BY_NAME.get(code_or_name.lower())


def doc_sections(doc: str) -> dict[str, str]:
    """Split a rule docstring into its ``## Heading`` sections."""
    sections: dict[str, str] = {}
    heading: str | None = None
    body: list[str] = []
    for line in doc.splitlines():
        if line.startswith("## "):
            if heading is not None:
                sections[heading] = "\n".join(body).strip()
            heading, body = line[3:].strip(), []
        elif heading is not None:
            body.append(line)
    if heading is not None:
        sections[heading] = "\n".join(body).strip()
    return sections
