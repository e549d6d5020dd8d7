"""The rule registry: every rule is declared once, with its code, name, scope and severity.

A rule's docstring is its only documentation. It is written under fixed headings (see
``DOC_SECTIONS``) and reused by ``metalint rule CODE``, SARIF rule metadata and editor hovers.
"""

from __future__ import annotations

import enum
import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from metalint.diagnostics import Fix, Related, Severity, Span

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


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule reports; the engine turns it into a Diagnostic with the rule's identity."""

    message: str
    span: Span
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

    @property
    def summary(self) -> str:
        return self.doc.split("\n", 1)[0].strip()

    def section(self, heading: str) -> str | None:
        """The text under ``## heading`` in the docstring, or None when the section is absent."""
        return doc_sections(self.doc).get(heading)


_RULES: dict[str, Rule] = {}
_BY_NAME: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    *,
    scope: Scope,
    severity: Severity,
    fixable: bool = False,
) -> Callable[[F], F]:
    """Register the decorated function as rule ``code``; a second rule with the same code or
    name is refused, so codes stay stable and unambiguous."""

    def register(check: F) -> F:
        if not _CODE.fullmatch(code):
            raise ValueError(f"rule code {code!r} is not of the form ML123")
        if not _NAME.fullmatch(name):
            raise ValueError(f"rule name {name!r} is not kebab-case")
        if code in _RULES:
            raise ValueError(f"rule code {code} is already registered to {_RULES[code].name}")
        if name in _BY_NAME:
            raise ValueError(f"rule name {name} is already registered to {_BY_NAME[name].code}")
        doc = inspect.cleandoc(check.__doc__ or "")
        if not doc:
            raise ValueError(f"rule {code} has no docstring")
        entry = Rule(code, name, scope, severity, fixable, check, doc)
        _RULES[code] = entry
        _BY_NAME[name] = entry
        return check

    return register


def _load_rule_modules() -> None:
    # Imported for their registrations; the registry is complete once these have run.
    from metalint.rules import between, fields, file, images, picname  # noqa: F401


def all_rules() -> list[Rule]:
    _load_rule_modules()
    return sorted(_RULES.values(), key=lambda r: r.code)


def get_rule(code_or_name: str) -> Rule | None:
    """Look a rule up by code (``ML101``, any case) or by name (``missing-field``)."""
    _load_rule_modules()
    return _RULES.get(code_or_name.upper()) or _BY_NAME.get(code_or_name.lower())


def rules_of(scope: Scope) -> Iterator[Rule]:
    return (r for r in all_rules() if r.scope is scope)


def match_selector(selector: str) -> list[Rule]:
    """Rules chosen by a selector: ``ALL``, a code, a code prefix (``ML1``) or a rule name."""
    wanted = selector.strip()
    if wanted.upper() == "ALL":
        return all_rules()
    named = get_rule(wanted)
    if named is not None:
        return [named]
    prefix = wanted.upper()
    if prefix.startswith("ML") and prefix[2:].isdigit():
        return [r for r in all_rules() if r.code.startswith(prefix)]
    return []


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
