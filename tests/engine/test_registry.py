"""The registry's contract with the fast path: a line rule says how it can fire, the fast path
derives its clean schema and guards from what the enabled rules say, and a rule of one
function plus its triggers fires where it should, clean lines included.

Besides these, every rule's docstring example runs through the whole engine
(``test_rule_docs.py``): a rule whose example is a line the schema accepts fails there unless
its triggers cover that line.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from metalint.config import Config
from metalint.diagnostics import Severity
from metalint.engine import lint_bytes
from metalint.line import LineContext
from metalint.plan import plan_for
from metalint.registry import (
    Finding,
    Guard,
    Scope,
    rule,
    schema_errors,
    unclean,
    unparsed,
    unregister,
)
from metalint.rules import all_rules, get_rule

CLEAN = b'{"OperationType":"ADD","ProductId":"1","PicName":"a.jpg","CustomContent":"TODO: ask"}\n'
DONE = b'{"OperationType":"ADD","ProductId":"1","PicName":"a.jpg","CustomContent":"k1:v1"}\n'
NO_IMAGES = Config(check_images=False)
DOC = """{summary}

## What it does
Reports a placeholder left in CustomContent.

## Why is this bad?
Search results would show it.

## Example
```jsonl
{line}
```

## Use instead
```jsonl
{fixed}
```
"""


def _todo(ctx: LineContext) -> Iterator[Finding]:
    content = (ctx.obj or {}).get("CustomContent")
    if isinstance(content, str) and "TODO" in content:
        yield Finding("CustomContent holds a TODO", ctx.value_span("CustomContent"))


def _register(code: str, triggers: list) -> None:  # type: ignore[type-arg]
    def check(ctx: LineContext) -> Iterator[Finding]:
        return _todo(ctx)

    check.__doc__ = DOC.format(
        summary="CustomContent holds a TODO.",
        line=CLEAN.decode().strip(),
        fixed=DONE.decode().strip(),
    )
    rule(code, f"todo-{code.lower()}", scope=Scope.FIELDS, severity=Severity.WARNING,
         triggers=triggers)(check)  # fmt: skip


@pytest.fixture
def throwaway() -> Iterator[str]:
    code = "ML199"
    yield code
    if get_rule(code) is not None:
        unregister(code)


def codes(data: bytes, config: Config = NO_IMAGES) -> list[str]:
    return [d.code for d in lint_bytes(data, config=config)]


def test_a_rule_with_a_clean_fragment_fires_on_a_schema_valid_line(throwaway: str) -> None:
    assert codes(CLEAN) == []
    _register(throwaway, [unclean({"properties": {"CustomContent": {"not": {"pattern": "TODO"}}}})])
    assert codes(CLEAN) == [throwaway]
    assert codes(DONE) == []
    # Disabled, its fragment leaves the fast path too: the line is clean again.
    assert codes(CLEAN, Config(check_images=False, disabled=frozenset({throwaway}))) == []


def test_a_rule_that_misstates_its_triggers_never_sees_the_clean_line(throwaway: str) -> None:
    # Declaring only schema errors is a promise that a schema-valid line never draws it; the
    # fast path keeps that promise for the rule, which is why the contract must be right.
    _register(throwaway, [schema_errors("type")])
    assert codes(CLEAN) == []
    broken = CLEAN.replace(b'"ProductId":"1"', b'"ProductId":1')
    assert throwaway in codes(broken)


def test_unregistering_restores_the_plan(throwaway: str) -> None:
    before = plan_for(NO_IMAGES).line.fragments
    _register(throwaway, [unclean({"properties": {"CustomContent": {"not": {"pattern": "TODO"}}}})])
    assert len(plan_for(NO_IMAGES).line.fragments) == len(before) + 1
    unregister(throwaway)
    assert plan_for(NO_IMAGES).line.fragments == before
    assert codes(CLEAN) == []


def test_a_line_rule_without_triggers_is_refused(throwaway: str) -> None:
    with pytest.raises(ValueError, match="declares its triggers"):
        _register(throwaway, [])
    assert get_rule(throwaway) is None


def test_triggers_on_a_rule_that_sees_no_line_are_refused() -> None:
    def check(*args: object) -> Iterator[Finding]:
        """Something about the whole file."""
        return iter(())

    with pytest.raises(ValueError, match="only a line rule"):
        rule("ML098", "whole-file", scope=Scope.FILE, severity=Severity.INFO,
             triggers=[unparsed()])(check)  # fmt: skip
    assert get_rule("ML098") is None


def test_a_duplicate_code_or_name_is_refused(throwaway: str) -> None:
    with pytest.raises(ValueError, match="already registered"):
        rule("ML101", "another-name", scope=Scope.FIELDS, severity=Severity.ERROR,
             triggers=[schema_errors("required")])(_todo)  # fmt: skip
    with pytest.raises(ValueError, match="already registered"):
        rule(throwaway, "missing-field", scope=Scope.FIELDS, severity=Severity.ERROR,
             triggers=[schema_errors("required")])(_todo)  # fmt: skip


def test_every_line_rule_declares_triggers_and_no_other_rule_does() -> None:
    for found in all_rules():
        line_rule = found.scope in (Scope.TEXT, Scope.FIELDS)
        assert bool(found.triggers) == line_rule, found.code


def test_guards_come_from_the_enabled_rules() -> None:
    assert Guard.KEY_COUNT in plan_for(NO_IMAGES).line.guards
    without = Config(check_images=False, disabled=frozenset({"ML110"}))
    assert Guard.KEY_COUNT not in plan_for(without).line.guards
    repeated = b'{"OperationType":"DELETE","ProductId":"1","ProductId":"2"}\n'
    assert codes(repeated) == ["ML110"]
    assert codes(repeated, without) == []
