"""Rule families, one module each: the file, a line's text and its JSON syntax; the fields of
a line (types, values, keys, what the service ignores); PicName; between lines; the images
(finding them, what they are, their data).

This package is the catalogue: importing it registers every rule, and the rest of the code
looks rules up here.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from metalint.registry import Rule, Scope, registered, registered_rule
from metalint.rules import (
    between,
    fields,
    file,
    ignored,
    imagecontent,
    imageform,
    images,
    keys,
    picname,
    syntax,
    text,
    values,
)

FAMILIES = (
    file,
    text,
    syntax,
    fields,
    values,
    keys,
    ignored,
    picname,
    between,
    images,
    imageform,
    imagecontent,
)


def all_rules() -> list[Rule]:
    return registered()


def get_rule(code_or_name: str) -> Rule | None:
    """Look a rule up by code (``ML101``, any case) or by name (``missing-field``)."""
    return registered_rule(code_or_name)


def rules_of(scope: Scope) -> Iterator[Rule]:
    return (r for r in registered() if r.scope is scope)


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


def closest_rule(word: str) -> str | None:
    """The rule name that ``word`` most probably misspells, if one is close: a suggestion is
    worth giving only when it is likely what was meant. Codes differ by a digit or two from
    many others, so a mistyped code draws none."""
    wanted = word.strip().lower().replace("_", "-")
    if wanted.startswith("ml") and wanted[2:].isdigit():
        return None
    close = difflib.get_close_matches(wanted, [r.name for r in all_rules()], n=1, cutoff=0.75)
    return close[0] if close else None
