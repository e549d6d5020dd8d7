"""Every rule's docstring is its documentation: fixed headings, and examples that run.

The bad example under ``## Example`` must raise the rule's code, and the good one under
``## Use instead`` must be free of it and of any error. Image rules (ML3xx) are checked for
their headings only: their examples need images on disk (see ``tests/images``).
"""

from __future__ import annotations

import re

import pytest

from metalint.config import Config
from metalint.diagnostics import Severity
from metalint.engine import lint_bytes
from metalint.registry import DOC_SECTIONS, Rule, Scope, doc_sections
from metalint.rules import all_rules
from metalint.service import Service

ALL_RULES = all_rules()
LINE_RULES = [r for r in ALL_RULES if r.scope is not Scope.IMAGE]
_BLOCK = re.compile(r"```jsonl\n(.*?)\n```", re.DOTALL)
_SERVICE = re.compile(r'service = "([a-z]+)"')
FILE_LEVEL = {"ML011", "ML014"}
"""A one-line example holding no valid operation also draws no-operations, and one in the older
format older-format; that is the file speaking, not the example."""


def headings(rule: Rule) -> list[str]:
    return [line[3:].strip() for line in rule.doc.splitlines() if line.startswith("## ")]


def blocks(section: str | None) -> list[str]:
    return _BLOCK.findall(section or "")


def config_for(section: str) -> Config:
    named = _SERVICE.search(section)
    service = Service(named.group(1)) if named else Service.PRODUCT
    return Config(check_images=False, service=service)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_summary_is_one_line(rule: Rule) -> None:
    first, _, rest = rule.doc.partition("\n")
    assert first.strip() and not first.startswith("#")
    assert rule.summary == first.strip()
    assert rest.startswith("\n"), f"{rule.code}: the summary must be followed by a blank line"
    assert first.rstrip().endswith("."), f"{rule.code}: the summary is a sentence"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_sections_in_order(rule: Rule) -> None:
    found = headings(rule)
    assert found[: len(DOC_SECTIONS)] == list(DOC_SECTIONS)
    assert len(set(found)) == len(found), f"{rule.code}: a heading appears twice"
    for heading in DOC_SECTIONS:
        assert doc_sections(rule.doc)[heading], f"{rule.code}: {heading} is empty"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_fixable_rules_document_the_fix(rule: Rule) -> None:
    if rule.fixable:
        assert rule.section("Fix"), f"{rule.code} is fixable but has no ## Fix section"
    else:
        assert rule.section("Fix") is None, f"{rule.code} documents a fix it does not offer"


EXAMPLES = [
    pytest.param(rule, block, id=f"{rule.code}-{n}")
    for rule in LINE_RULES
    for n, block in enumerate(blocks(rule.section("Example")))
]
REMEDIES = [
    pytest.param(rule, block, id=f"{rule.code}-{n}")
    for rule in LINE_RULES
    for n, block in enumerate(blocks(rule.section("Use instead")))
]


@pytest.mark.parametrize(("rule", "block"), EXAMPLES)
def test_example_raises_the_rule(rule: Rule, block: str) -> None:
    config = config_for(rule.section("Example") or "")
    found = lint_bytes((block + "\n").encode("utf-8"), config=config)
    others = FILE_LEVEL - {rule.code}
    assert {d.code for d in found} - others == {rule.code}, [(d.code, d.message) for d in found]


@pytest.mark.parametrize(("rule", "block"), REMEDIES)
def test_use_instead_is_clean(rule: Rule, block: str) -> None:
    config = config_for(rule.section("Example") or "")
    found = lint_bytes((block + "\n").encode("utf-8"), config=config)
    assert rule.code not in {d.code for d in found}
    assert [d for d in found if d.severity is Severity.ERROR] == []


def test_most_line_rules_have_runnable_examples() -> None:
    # Rules about the file name, encoding, endings and white space describe their example in
    # words: a jsonl block cannot show them. Every other rule must show one.
    described = {"ML001", "ML002", "ML003", "ML008", "ML009", "ML010", "ML011", "ML012", "ML123"}
    with_block = {p.values[0].code for p in EXAMPLES}  # type: ignore[union-attr]
    assert {r.code for r in LINE_RULES} - described <= with_block


# Severities and fixes as domain.md (sections 1-4) gives them; None where it names none.
DOMAIN = {
    "ML001": ("error", False), "ML002": ("error", False), "ML003": ("warning", True),
    "ML004": ("error", True), "ML005": ("error", False), "ML006": ("error", False),
    "ML007": ("error", False), "ML008": ("warning", True), "ML009": ("warning", True),
    "ML010": ("warning", True), "ML011": ("warning", False), "ML012": (None, False),
    "ML013": ("error", False), "ML014": ("warning", False), "ML015": ("warning", False),
    "ML101": ("error", False), "ML102": ("error", True), "ML103": ("error", True),
    "ML104": ("error", False), "ML105": ("error", False), "ML106": ("error", False),
    "ML107": ("error", False), "ML108": ("error", False), "ML109": ("warning", None),
    "ML110": ("warning", False), "ML111": ("error", False), "ML112": ("info", False),
    "ML113": ("warning", False), "ML114": ("info", False), "ML120": ("error", False),
    "ML121": ("error", True), "ML122": ("error", False), "ML123": ("warning", False),
    "ML124": ("error", False), "ML201": ("warning", False), "ML202": ("warning", False),
    "ML203": ("warning", True),
}  # fmt: skip


def test_line_rules_are_the_domain_s() -> None:
    assert {r.code for r in LINE_RULES} == set(DOMAIN)


@pytest.mark.parametrize("rule", LINE_RULES, ids=lambda r: r.code)
def test_severity_and_fix_follow_the_domain(rule: Rule) -> None:
    severity, fixable = DOMAIN[rule.code]
    if severity is not None:
        assert rule.severity == severity
    if fixable is not None:
        assert rule.fixable is fixable


def test_newer_attributes_are_noted_in_the_rule_docs() -> None:
    docs = " ".join(r.doc for r in LINE_RULES)
    assert "newer instances" in docs
