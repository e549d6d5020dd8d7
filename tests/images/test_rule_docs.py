"""Each image rule is documented under the fixed headings, with manifest lines as examples."""

from __future__ import annotations

import json
import re

import pytest

from metalint.registry import DOC_SECTIONS, Scope
from metalint.rules import rules_of

IMAGE_RULES = list(rules_of(Scope.IMAGE))
_BLOCK = re.compile(r"```jsonl\n(.*?)\n```", re.DOTALL)


def test_codes_are_ml301_to_ml317() -> None:
    assert [r.code for r in IMAGE_RULES] == [f"ML3{n:02}" for n in range(1, 18)]


@pytest.mark.parametrize("rule", IMAGE_RULES, ids=lambda r: r.code)
def test_docstring_sections(rule: object) -> None:
    from metalint.registry import Rule

    assert isinstance(rule, Rule)
    headings = [line[3:].strip() for line in rule.doc.splitlines() if line.startswith("## ")]
    assert headings[: len(DOC_SECTIONS)] == list(DOC_SECTIONS)
    for heading in ("Example", "Use instead"):
        section = rule.section(heading)
        assert section is not None
        blocks = _BLOCK.findall(section)
        assert blocks, f"{rule.code}: no jsonl block under {heading}"
        prose = _BLOCK.sub("", section).strip()
        assert prose, f"{rule.code}: {heading} does not describe the image"
        for line in blocks[0].splitlines():
            assert json.loads(line)["OperationType"] == "ADD"
