"""Compiled validators for the line schema.

Two questions are asked of a line. The fast one, asked of every line, is "could any rule find
anything here?": a stricter *clean* schema (the line schema plus the conditions under which the
warning and info rules fire) answers it with jsonschema-rs, which is ~40 times quicker than the
reference implementation. Only lines it rejects are asked the slow one, "what exactly is wrong?",
whose detailed errors feed the field rules.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from typing import Any

from metalint.line import contains_non_finite
from metalint.schema import line_schema
from metalint.service import PROFILES, Service

DELETE_KEYS = ("OperationType", "ProductId", "PicName")
"""The keys a DELETE line uses; anything else on a DELETE line is ignored by the service."""

SUSPICIOUS_PICNAME = r"[\\:\x00-\x1f\x7f-\x9f]|//|\.\.|^/"
"""Anything in a PicName that one of the PicName rules may object to. Deliberately wider than
the rules: a match sends the line to the slow path, where the rules decide."""


_SURROGATES = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class SchemaError:
    kind: str
    """The JSON Schema keyword that failed: ``required``, ``type``, ``enum``, ``maxLength``..."""
    key: str | None
    """The top-level key concerned; for ``required`` the missing key, for
    ``additionalProperties`` the unexpected key."""
    message: str


def clean_schema(service: Service) -> dict[str, Any]:
    """The line schema narrowed to lines on which no rule at all would report anything.

    The narrowing is merged into the line schema rather than wrapped around it with ``allOf``:
    jsonschema-rs validates the flat form about a fifth faster, on every line.
    """
    profile = PROFILES[service]
    schema = copy.deepcopy(line_schema())
    for meta in ("$schema", "$id", "title", "description"):
        schema.pop(meta, None)
    for prop in schema["properties"].values():
        prop.pop("description", None)
    # PicName: anything a PicName rule might object to.
    schema["properties"]["PicName"]["not"] = {"pattern": SUSPICIOUS_PICNAME}
    # The line schema's "if" asks whether the line is an ADD; on a valid line "else" is DELETE,
    # which must carry nothing that DELETE ignores.
    schema["else"] = {"propertyNames": {"enum": list(DELETE_KEYS)}}
    # A Region with Crop false contradicts itself.
    schema["dependentSchemas"] = {"Region": {"properties": {"Crop": {"const": True}}}}
    ignored = []
    if not profile.honours_category:
        ignored.append("CategoryId")
    if not profile.honours_crop_region:
        ignored += ["Crop", "Region"]
    if ignored:
        schema["allOf"] = [{"not": {"required": [key]}} for key in ignored]
    return schema


@functools.cache
def clean_validator(service: Service) -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(clean_schema(service))


@functools.cache
def _line_validator() -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(line_schema())


def _for_validator(obj: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """``obj`` as jsonschema-rs can take it, and the original name of each key.

    Members holding NaN or Infinity are left out: JSON has no such numbers, a text rule reports
    them, and a type error on top would only repeat it. Nested arrays and objects are emptied:
    no property of the line schema looks inside one, and a deep one exceeds the validator's
    recursion limit. Lone surrogates (``"\\ud800"`` is valid JSON) cannot cross into Rust, so
    they stand as U+FFFD, which keeps every length and pattern verdict.
    """
    instance: dict[str, Any] = {}
    names: dict[str, str] = {}
    for key, value in obj.items():
        if contains_non_finite(value):
            continue
        if isinstance(value, list):
            value = []
        elif isinstance(value, dict):
            value = {}
        elif isinstance(value, str):
            value = _SURROGATES.sub("\ufffd", value)
        name = _SURROGATES.sub("\ufffd", key)
        names[name] = key
        instance[name] = value
    return instance, names


def detailed_errors(obj: dict[str, Any]) -> list[SchemaError]:
    """Every way ``obj`` departs from the line schema, one error per failed keyword."""
    instance, names = _for_validator(obj)
    errors: list[SchemaError] = []
    for error in _line_validator().iter_errors(instance):
        kind = type(error.kind).__name__
        path = list(error.instance_path)
        key: str | None = names.get(str(path[0])) if path else None
        if kind == "Required":
            key = str(error.kind.property)
            if key in obj:  # present, but left out above as NaN or Infinity
                continue
            errors.append(SchemaError("required", key, error.message))
        elif kind == "AdditionalProperties":
            errors.extend(
                SchemaError("additionalProperties", names.get(str(name), str(name)), error.message)
                for name in error.kind.unexpected
            )
        else:
            errors.append(SchemaError(kind[0].lower() + kind[1:], key, error.message))
    return errors
