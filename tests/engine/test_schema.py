"""The line schema: well-formed and documented, agreeing with the reference validator, and
never letting the fast path call a line clean that a rule would flag."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metalint.config import Config
from metalint.diagnostics import Severity
from metalint.engine import lint_bytes
from metalint.line import LineContext
from metalint.plan import plan_for
from metalint.registry import Scope
from metalint.rules import rules_of
from metalint.schema import line_schema
from metalint.schemacheck import (
    _decomposed,
    _errors_of,
    _line_validator,
    clean_schema,
    detailed_errors,
)
from metalint.service import Service

from .strategies import Line, line_objects, lines

SEED = Path(__file__).parent.parent / "fixtures" / "seed-example.meta"
LINE_RULES = [*rules_of(Scope.TEXT), *rules_of(Scope.FIELDS)]
LINE_CODES = {r.code for r in LINE_RULES}
PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(line_schema())


@pytest.mark.parametrize("service", list(Service))
def test_clean_schemas_are_valid(service: Service) -> None:
    fragments = plan_for(Config(service=service)).line.fragments
    jsonschema.Draft202012Validator.check_schema(clean_schema(fragments))


def test_every_property_is_described() -> None:
    schema = line_schema()
    assert schema["description"]
    for key, prop in schema["properties"].items():
        assert prop.get("description", "").strip(), f"{key} has no description"


def test_required_keys_follow_the_seed() -> None:
    schema = line_schema()
    assert schema["required"] == ["OperationType", "ProductId"]
    assert schema["then"]["required"] == ["PicName", "CustomContent"]
    assert schema["properties"]["ProductId"]["maxLength"] == 256


def test_seed_example_is_clean() -> None:
    data = SEED.read_bytes()
    assert data.count(b"\n") == 9
    assert lint_bytes(data, config=Config(check_images=False)) == []


@pytest.mark.parametrize("service", list(Service))
def test_seed_example_has_no_error_on_any_service(service: Service) -> None:
    found = lint_bytes(SEED.read_bytes(), config=Config(check_images=False, service=service))
    assert [d for d in found if d.severity is Severity.ERROR] == []


# -- the reference validator ------------------------------------------------------------------


def _ecma_anchors(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with each pattern's final ``$`` made an end-of-string anchor.

    JSON Schema patterns are ECMA-262 regular expressions, where ``$`` matches only at the end;
    python-jsonschema hands them to ``re.search``, where ``$`` also matches before a final
    newline, so it would accept ``"a.jpg\\n"`` as a PicName.
    """
    fixed = copy.deepcopy(schema)
    for prop in fixed["properties"].values():
        if "pattern" in prop:
            prop["pattern"] = re.sub(r"\$$", r"\\Z", prop["pattern"])
    return fixed


REFERENCE = jsonschema.Draft202012Validator(_ecma_anchors(line_schema()))


@pytest.mark.parametrize(
    "value", ["a.jpg", "a.jpg\n", "A.JPEG", "a.txt", "a.tif", "jpg", "a.jpg.txt", "a.ppm"]
)
def test_picname_pattern_agrees(value: str) -> None:
    obj = {"OperationType": "DELETE", "ProductId": "1", "PicName": value}
    assert (detailed_errors(obj) == []) == REFERENCE.is_valid(obj)


@PROPERTY_SETTINGS
@given(line_objects())
def test_detailed_errors_agree_with_python_jsonschema(obj: dict[str, Any]) -> None:
    assert (detailed_errors(obj) == []) == REFERENCE.is_valid(obj), list(REFERENCE.iter_errors(obj))


@PROPERTY_SETTINGS
@given(line_objects())
def test_keyword_by_keyword_errors_are_the_validator_s(obj: dict[str, Any]) -> None:
    # The errors found keyword by keyword are exactly those iter_errors reports.
    decomposed = _decomposed().errors(obj)
    assert decomposed is not None
    reported = _errors_of(_line_validator().iter_errors(obj))
    assert sorted(decomposed, key=repr) == sorted(reported, key=repr)


@PROPERTY_SETTINGS
@given(line_objects())
def test_detailed_errors_name_the_failing_keys(obj: dict[str, Any]) -> None:
    rs_keys = {e.key for e in detailed_errors(obj) if e.kind not in ("required", "if", "then")}
    py_keys = {
        str(e.path[0]) if e.path else None
        for e in REFERENCE.iter_errors(obj)
        if e.validator not in ("required", "if", "then")
    }
    if None in py_keys:  # additionalProperties: the reference reports it on the object
        py_keys.discard(None)
        py_keys |= set(obj) - set(line_schema()["properties"])
    assert rs_keys == py_keys


# -- the fast path ----------------------------------------------------------------------------


def by_engine(data: bytes, config: Config) -> set[tuple[str, int, int]]:
    return {
        (d.code, d.span.line, d.span.column)
        for d in lint_bytes(data, config=config)
        if d.code in LINE_CODES
    }


def split_ending(data: bytes) -> tuple[bytes, bytes]:
    """A line's bytes and its ending (a text ending in CR before an LF ends in CRLF)."""
    for ending in (b"\r\n", b"\n"):
        if data.endswith(ending):
            return data[: -len(ending)], ending
    return data, b""


def by_rules(line: Line, config: Config) -> set[tuple[str, int, int]]:
    raw, ending = split_ending(line.data)
    ctx = LineContext("increment.meta", 1, raw, ending, config)
    return {(rule.code, f.span.line, f.span.column) for rule in LINE_RULES for f in rule.check(ctx)}


@PROPERTY_SETTINGS
@given(lines(), st.sampled_from(list(Service)))
def test_fast_path_agrees_with_the_rules(line: Line, service: Service) -> None:
    config = Config(check_images=False, service=service)
    assert by_engine(line.data, config) == by_rules(line, config)


VALID_ADD = '"OperationType":"ADD","ProductId":"1","PicName":"a.jpg","CustomContent":""'


@pytest.mark.parametrize(
    "text",
    [
        "{" + VALID_ADD + ',"IntAttr":1,"IntAttr":2}',
        "{" + VALID_ADD + ',"IntAttr":1,"CategoryId":0,"PicName":"b.jpg"}',
        "{" + VALID_ADD + ',"Crop":true,"Crop":false}',
        '{"CustomContent":6,' + VALID_ADD + ',"IntAttr3":-784}',
    ],
)
def test_fast_path_sees_duplicate_keys(text: str) -> None:
    # The fast path counts quotes to spot a repeated key; integer and boolean values bring
    # fewer quotes, and the counts once cancelled out.
    line = Line({}, text, "\n", None)
    config = Config(check_images=False)
    assert by_engine(line.data, config) == by_rules(line, config)
    assert "ML110" in {code for code, _, _ in by_engine(line.data, config)}


@pytest.mark.parametrize(
    "text",
    [
        "{" + VALID_ADD + "}",
        "{" + VALID_ADD + ',"CustomContent":""}',
        "{" + VALID_ADD + ',"IntAttr":1,"PicName":"b.jpg"}',
        "{" + VALID_ADD + ',"Region":"20,40,60,80","Crop":false}',
        "{" + VALID_ADD + ',"Region":"60,40,20,80"}',
        "{" + VALID_ADD.replace('"a.jpg"', '"a\\/b.jpg"') + "}",
        '{"OperationType" :"DELETE","ProductId":"1"}',
        '{"OperationType":"DELETE",\t"ProductId":"1"}',
        '\ufeff{"OperationType":"DELETE","ProductId":"1"}',
        # The schema's integer admits 1.0: the fraction guard sends these to the rules.
        "{" + VALID_ADD + ',"IntAttr":1.0}',
        "{" + VALID_ADD + ',"IntAttr2":1e3,"CategoryId":88888888.0}',
    ],
)
@pytest.mark.parametrize("ending", ["\n", "\r\n", ""])
def test_fast_path_on_known_lines(text: str, ending: str) -> None:
    line = Line({}, text, ending, None)
    for service in Service:
        config = Config(check_images=False, service=service)
        assert by_engine(line.data, config) == by_rules(line, config)
