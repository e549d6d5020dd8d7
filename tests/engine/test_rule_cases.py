"""Every rule's cases, as data: one TOML file per rule in ``tests/cases/``, run by one test.

A case holds a manifest (``manifest``, or ``manifest_hex`` for bytes TOML cannot carry), an
optional ``service``, the findings of that rule it must produce (``expect``, empty for a passing
near miss) and optionally ``fixed``: the manifest after applying that rule's fixes once. Cases
with a ``filename`` are written to disk under that name and linted as a file, or, with
``in_folder = true``, found by linting the folder that holds them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from metalint.config import Config
from metalint.diagnostics import Diagnostic
from metalint.engine import lint_bytes, lint_file, lint_paths
from metalint.fixes import apply_fixes
from metalint.registry import Scope
from metalint.rules import all_rules, get_rule
from metalint.service import Service

CASES_DIR = Path(__file__).parent.parent / "cases"
CASE_KEYS = {
    "name", "manifest", "manifest_hex", "service", "filename", "in_folder", "expect", "fixed",
    "unfixable",
}  # fmt: skip
EXPECT_KEYS = {"line", "column", "end_line", "end_column", "message"}


@dataclass(frozen=True)
class Case:
    code: str
    name: str
    data: bytes
    service: Service
    expect: list[dict[str, Any]]
    fixed: bytes | None
    unfixable: bool = False
    """The case's findings must come without a fix."""
    filename: str | None = None
    in_folder: bool = False
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


def load_case(code: str, raw: dict[str, Any]) -> Case:
    unknown = set(raw) - CASE_KEYS
    assert not unknown, f"{code} case {raw.get('name')!r}: unknown fields {sorted(unknown)}"
    assert ("manifest" in raw) != ("manifest_hex" in raw), f"{code}: manifest or manifest_hex"
    if "manifest_hex" in raw:
        data = bytes.fromhex("".join(raw["manifest_hex"].split()))
    else:
        data = raw["manifest"].encode("utf-8")
    for finding in raw.get("expect", []):
        assert set(finding) <= EXPECT_KEYS, f"{code} {raw['name']!r}: {sorted(finding)}"
        assert {"line", "column", "end_line", "end_column"} <= set(finding)
    fixed = raw.get("fixed")
    return Case(
        code=code,
        name=raw["name"],
        data=data,
        service=Service(raw.get("service", "product")),
        expect=list(raw.get("expect", [])),
        fixed=None if fixed is None else fixed.encode("utf-8"),
        unfixable=bool(raw.get("unfixable", False)),
        filename=raw.get("filename"),
        in_folder=bool(raw.get("in_folder", False)),
        raw=raw,
    )


def load_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(CASES_DIR.glob("*.toml")):
        with path.open("rb") as handle:
            document = tomllib.load(handle)
        assert set(document) == {"case"}, f"{path.name}: only [[case]] tables are expected"
        cases.extend(load_case(path.stem, raw) for raw in document["case"])
    return cases


CASES = load_cases()


def config_for(case: Case) -> Config:
    return Config(check_images=False, service=case.service)


def run_case(case: Case, tmp_path: Path) -> list[Diagnostic]:
    config = config_for(case)
    if case.filename is None:
        return lint_bytes(case.data, config=config)
    target = tmp_path / case.filename
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(case.data)
    if case.in_folder:
        return list(lint_paths([tmp_path], lambda _path: config))
    return lint_file(target, config)


def position(d: Diagnostic) -> tuple[int, int, int, int]:
    return (d.span.line, d.span.column, d.span.end_line, d.span.end_column)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.code}-{c.name}")
def test_rule_case(case: Case, tmp_path: Path) -> None:
    found = [d for d in run_case(case, tmp_path) if d.code == case.code]
    expected = sorted((f["line"], f["column"], f["end_line"], f["end_column"]) for f in case.expect)
    assert sorted(position(d) for d in found) == expected, [(position(d), d.message) for d in found]
    for wanted in case.expect:
        if "message" not in wanted:
            continue
        where = (wanted["line"], wanted["column"], wanted["end_line"], wanted["end_column"])
        messages = [d.message for d in found if position(d) == where]
        assert any(wanted["message"] in m for m in messages), (wanted["message"], messages)
    if case.unfixable:
        assert [d.fix for d in found if d.fix is not None] == []
    if case.fixed is not None:
        fixed, applied = apply_fixes(case.data, found)
        assert applied > 0
        assert fixed == case.fixed
        after = lint_bytes(fixed, config=config_for(case))
        assert not [d for d in after if d.code == case.code]
        # A fix of a value leaves its key clean.
        keys = {d.key for d in found if d.fix is not None and d.key is not None}
        assert [(d.code, d.key) for d in after if d.key in keys] == []


def test_cases_exist_for_every_rule() -> None:
    wanted = {r.code for r in all_rules() if r.scope is not Scope.IMAGE} - {"ML012"}
    have = {path.stem for path in CASES_DIR.glob("*.toml")}
    assert wanted - have == set(), "rules without a case file"
    assert {c for c in have if get_rule(c) is None} == set(), "case files for no rule"


@pytest.mark.parametrize("code", sorted({c.code for c in CASES}))
def test_every_case_file_has_failing_and_passing_cases(code: str) -> None:
    mine = [c for c in CASES if c.code == code]
    assert any(c.expect for c in mine), f"{code}: no failing case"
    assert any(not c.expect for c in mine), f"{code}: no passing case"
    rule = get_rule(code)
    assert rule is not None
    if rule.fixable:
        assert any(c.fixed is not None for c in mine), f"{code}: fixable, but no fix case"
