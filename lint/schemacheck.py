"""Compiled validators for the line schema.

Two questions are asked of a line. The fast one, asked of every line, is "could any enabled
rule find anything here?": the *clean* schema, the line schema plus the ``clean`` fragments of
the enabled rules (see ``metalint.registry.Trigger``), answers it with jsonschema-rs, which is
~40 times quicker than the reference implementation. Only lines it rejects are asked the slow
one, "what exactly is wrong?", whose detailed errors feed the field rules.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

import jsonschema_rs

from metalint.diagnostics import new_record
from metalint.jsontext import contains_non_finite
from metalint.older import CURRENT_FORMAT, OLDER_FORMAT, LineFormat
from metalint.registry import Fragment
from metalint.schema import line_schema, older_line_schema

_SURROGATES = re.compile("[\ud800-\udfff]")


class SchemaError(NamedTuple):
    kind: str
    """The JSON Schema keyword that failed: ``required``, ``type``, ``enum``, ``maxLength``..."""
    key: str | None
    """The top-level key concerned; for ``required`` the missing key, for
    ``additionalProperties`` the unexpected key."""


def _without_annotations(schema: dict[str, Any]) -> dict[str, Any]:
    for meta in ("$schema", "$id", "title", "description"):
        schema.pop(meta, None)
    for prop in schema.get("properties", {}).values():
        prop.pop("description", None)
    return schema


def merge(schema: dict[str, Any], fragment: Fragment) -> None:
    """Narrow ``schema`` in place by ``fragment``: a line must satisfy both.

    Keywords the schema lacks are added beside its own, subschemas of the same property (or
    of the same ``dependentSchemas`` key) are merged the same way, and two ``not pattern``s
    become one: jsonschema-rs validates the flat form several times faster than an ``allOf``
    of the two, on every line. Whatever would collide goes under ``allOf``.
    """
    extra: dict[str, Any] = {}
    for keyword, value in fragment.items():
        if keyword not in schema:
            schema[keyword] = copy.deepcopy(value)
        elif keyword in _SCHEMA_MAPS and isinstance(value, dict):
            closed = keyword == "properties" and "additionalProperties" in schema
            for name, sub in value.items():
                target = schema[keyword].get(name)
                if isinstance(target, dict) and isinstance(sub, dict):
                    merge(target, sub)
                elif target is None and not closed:
                    schema[keyword][name] = copy.deepcopy(sub)
                else:  # a new property of a closed object, or a boolean schema
                    extra.setdefault(keyword, {})[name] = copy.deepcopy(sub)
        elif keyword == "not" and _only_pattern(value) and _only_pattern(schema["not"]):
            # Not matching A and not matching B is not matching A|B: one regex search.
            schema["not"] = {"pattern": f"(?:{schema['not']['pattern']})|(?:{value['pattern']})"}
        else:
            extra[keyword] = copy.deepcopy(value)
    if extra:
        schema.setdefault("allOf", []).append(extra)


_SCHEMA_MAPS = ("properties", "dependentSchemas")
"""Keywords whose value maps names to subschemas that apply to the same instance."""


def _only_pattern(schema: Any) -> bool:
    return isinstance(schema, dict) and set(schema) == {"pattern"}


def clean_schema(fragments: Iterable[Fragment]) -> dict[str, Any]:
    """The line schema narrowed by ``fragments``: the lines on which no rule that declared
    them can fire."""
    schema = _without_annotations(copy.deepcopy(line_schema()))
    for fragment in fragments:
        merge(schema, fragment)
    return schema


@functools.cache
def _compiled(frozen: str) -> Any:
    import json

    return jsonschema_rs.validator_for(json.loads(frozen))


def clean_validator(fragments: Iterable[Fragment]) -> Any:
    """The compiled clean schema; the same fragments give the same validator."""
    import json

    return _compiled(json.dumps(clean_schema(fragments), sort_keys=True))


def fragment_validator(fragment: Fragment) -> Any:
    import json

    return _compiled(json.dumps(dict(fragment), sort_keys=True))


@functools.cache
def schema_for(form: LineFormat) -> dict[str, Any]:
    """The schema a line of this format is checked against. A mixed line is held to neither
    format's required keys (a rule of its own reports the mix), but each of its values to the
    rules of its own key."""
    if form is CURRENT_FORMAT:
        return line_schema()
    if form is OLDER_FORMAT:
        return older_line_schema()
    properties = {**line_schema()["properties"], **older_line_schema()["properties"]}
    return {"type": "object", "properties": properties, "additionalProperties": False}


@functools.cache
def _line_validator(form: LineFormat = LineFormat.CURRENT) -> Any:
    return jsonschema_rs.validator_for(schema_for(form))


def _for_validator(obj: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """``obj`` as jsonschema-rs can take it, and the original name of each changed key.

    Members holding NaN or Infinity are left out: JSON has no such numbers, a text rule reports
    them, and a type error on top would only repeat it. Nested arrays and objects are emptied:
    no property of the line schema looks inside one, and a deep one exceeds the validator's
    recursion limit. Lone surrogates (``"\\ud800"`` is valid JSON) cannot cross into Rust, so
    they stand as U+FFFD, which keeps every length and pattern verdict. A line orjson read has
    none of these but nesting, and is passed on as it is when it has no nesting either.
    """
    instance: dict[str, Any] | None = None
    names: dict[str, str] = {}
    for at, (key, value) in enumerate(obj.items()):
        kept: Any = value
        cls = value.__class__
        if cls is str:
            if not value.isascii() and _SURROGATES.search(value):
                kept = _SURROGATES.sub("\ufffd", value)
        elif cls is list:
            kept = _flat(value)
        elif cls is dict:
            kept = {}
        elif cls is not int and cls is not bool and contains_non_finite(value):
            kept = None
        name = key
        if not key.isascii() and _SURROGATES.search(key):
            name = _SURROGATES.sub("\ufffd", key)
            names[name] = key
        if instance is None and (kept is not value or name is not key):
            instance = dict(list(obj.items())[:at])
        if instance is not None and not (kept is None and value is not None):
            instance[name] = kept
    return (obj if instance is None else instance), names


def _flat(array: list[Any]) -> list[Any]:
    """``array`` one level deep, each element made fit as a member's value is: the older
    format's ``pic_list`` is checked element by element."""
    kept: list[Any] = []
    for value in array:
        cls = value.__class__
        if cls is str:
            if not value.isascii() and _SURROGATES.search(value):
                value = _SURROGATES.sub("\ufffd", value)
        elif cls is list:
            value = []
        elif cls is dict:
            value = {}
        elif cls is not int and cls is not bool and contains_non_finite(value):
            value = None
        kept.append(value)
    return kept


def validator_instance(obj: dict[str, Any], *, read_by_orjson: bool = False) -> dict[str, Any]:
    """``obj`` as the compiled validators can take it (see ``_for_validator``). An object
    orjson read holds no lone surrogate and no NaN: only nesting can stand in the way."""
    if read_by_orjson:
        for value in obj.values():
            cls = value.__class__
            if cls is list or cls is dict:
                break
        else:
            return obj
    return _for_validator(obj)[0]


def detailed_errors(
    obj: dict[str, Any],
    instance: dict[str, Any] | None = None,
    form: LineFormat = LineFormat.CURRENT,
) -> list[SchemaError]:
    """Every way ``obj`` departs from the schema of its format (``schema_for``), one error per
    failed keyword; ``instance`` is ``validator_instance(obj)`` when the caller has it already."""
    if instance is None:
        instance = validator_instance(obj)
    validator = _line_validator(form)
    if validator.is_valid(instance):
        return []  # one call: a slow line is as often valid, sent there by a rule's trigger
    errors = _decomposed(form).errors(instance)
    if errors is None:
        errors = _errors_of(validator.iter_errors(instance))
    if instance is obj:
        return errors
    names = {_SURROGATES.sub("\ufffd", k): k for k in obj if not k.isascii()}
    named = [e if e.key is None else SchemaError(e.kind, names.get(e.key, e.key)) for e in errors]
    # A required key present in obj was left out of the instance as NaN or Infinity.
    return [e for e in named if not (e.kind == "required" and e.key in obj)]


def _errors_of(found: Iterable[Any]) -> list[SchemaError]:
    errors: list[SchemaError] = []
    for error in found:
        kind = error.kind.name  # the keyword that failed, named by jsonschema-rs itself
        path = error.instance_path
        if kind == "required":
            errors.append(SchemaError("required", str(error.kind.property)))
        elif kind == "additionalProperties":
            errors.extend(SchemaError(kind, str(name)) for name in error.kind.unexpected)
        else:
            errors.append(SchemaError(kind, str(path[0]) if path else None))
    return errors


class _Decomposed:
    """The line schema's errors found keyword by keyword: each property's subschema is asked
    whether the value is valid (one quick call), and only a failing one keyword by keyword;
    ``required``, ``additionalProperties`` and an ``if``/``then`` of required keys are read
    from the schema and checked as set operations. ``iter_errors`` builds an error object
    with its message and paths for each failure, which costs several times more on a line
    with a mistake. A schema using anything else is left to ``iter_errors``.
    """

    _TOP = frozenset(("type", "properties", "required", "additionalProperties", "if", "then"))

    def __init__(self, schema: dict[str, Any]) -> None:
        self.supported = (
            set(schema) - {"$schema", "$id", "title", "description"} <= self._TOP
            and schema.get("type") == "object"
            and schema.get("additionalProperties", False) is False
            and set(schema.get("then", {})) <= {"required"}
        )
        props = schema.get("properties", {})
        self.closed = "additionalProperties" in schema
        self.required = tuple(schema.get("required", ()))
        self.then_required = tuple(schema.get("then", {}).get("required", ()))
        # As sets too: nearly every line has them all, which one comparison tells.
        self.required_keys = frozenset(self.required)
        self.then_required_keys = frozenset(self.then_required)
        self.condition = (
            jsonschema_rs.validator_for(schema["if"]).is_valid if "if" in schema else None
        )
        self.valid: dict[str, Any] = {}
        self.keywords: dict[str, tuple[tuple[str, Any], ...]] = {}
        for key, sub in props.items():
            sub = {k: v for k, v in sub.items() if k != "description"}
            self.valid[key] = jsonschema_rs.validator_for(sub).is_valid
            self.keywords[key] = tuple(
                (keyword, jsonschema_rs.validator_for({keyword: value}).is_valid)
                for keyword, value in sub.items()
            )

    def errors(self, instance: dict[str, Any]) -> list[SchemaError] | None:
        if not self.supported:
            return None
        keys = instance.keys()
        errors = []
        if not keys >= self.required_keys:
            errors = [SchemaError("required", k) for k in self.required if k not in keys]
        if not keys >= self.then_required_keys and self.condition and self.condition(instance):
            errors += [SchemaError("required", k) for k in self.then_required if k not in keys]
        valid = self.valid
        unexpected = []
        for key, value in instance.items():
            check = valid.get(key)
            if check is None:
                unexpected.append(key)
            elif not check(value):
                errors += [
                    new_record(SchemaError, (kw, key))
                    for kw, ok in self.keywords[key]
                    if not ok(value)
                ]
        if self.closed and unexpected:
            errors += [SchemaError("additionalProperties", k) for k in unexpected]
        return errors


@functools.cache
def _decomposed(form: LineFormat = LineFormat.CURRENT) -> _Decomposed:
    return _Decomposed(schema_for(form))
