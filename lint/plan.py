"""Which rules run, and on which lines: the enabled rules of a configuration, with the fast
path's clean schema and guards derived from their triggers.

A plan is made once per configuration and service and shared by every manifest linted with
it; disabling a rule takes its fragment and guard out of the fast path, so its lines stay on
the fast path too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from metalint.config import Config
from metalint.diagnostics import Severity
from metalint.registry import Fragment, Guard, Rule, Scope, generation
from metalint.rules import all_rules
from metalint.schemacheck import clean_validator, fragment_validator
from metalint.service import PROFILES, Service


@dataclass(frozen=True, slots=True)
class LinePlan:
    """The enabled line rules, indexed by what makes each of them run."""

    is_clean: Callable[[Any], bool]
    """The compiled clean schema's ``is_valid``."""
    fragments: tuple[Fragment, ...]
    """The enabled rules' fragments, from which the clean schema is made."""
    guards: frozenset[Guard]
    # The rules each trigger runs, by their place in code order (the order in which they
    # run): a line's rules are gathered by updating one such dict from another.
    on_unparsed: dict[int, Rule]
    on_errors: dict[str, dict[int, Rule]]
    on_guard: dict[Guard, dict[int, Rule]]
    on_older: dict[int, Rule]
    on_fragment: tuple[tuple[Callable[[Any], bool], int, Rule], ...]
    """Each rule's fragment's ``is_valid``, the rule's place and the rule."""
    fragments_hold: Callable[[Any], bool]
    """Whether a line satisfies every fragment at once: one call that spares the rest on
    the usual slow line, whose trouble is elsewhere."""


@dataclass(frozen=True, slots=True)
class Plan:
    line: LinePlan
    between: tuple[Rule, ...]
    image: tuple[Rule, ...]
    file: tuple[Rule, ...]
    severities: dict[str, Severity]
    """Every enabled rule's severity in this configuration, by code."""


def plan_for(config: Config) -> Plan:
    codes = tuple(r.code for r in all_rules() if config.enabled(r.code))
    severities = tuple(sorted(config.severities.items()))
    return _plan(config.service, codes, severities, generation())


@functools.lru_cache(maxsize=64)
def _plan(
    service: Service,
    codes: tuple[str, ...],
    severities: tuple[tuple[str, Severity], ...],
    registry_generation: int,
) -> Plan:
    profile = PROFILES[service]
    wanted = set(codes)
    rules = [r for r in all_rules() if r.code in wanted]
    replaced = dict(severities)
    by_scope = {scope: tuple(r for r in rules if r.scope is scope) for scope in Scope}
    line_rules = by_scope[Scope.TEXT] + by_scope[Scope.FIELDS]
    fragments = []
    on_fragment = []
    on_errors: dict[str, dict[int, Rule]] = {}
    on_guard: dict[Guard, dict[int, Rule]] = {}
    on_unparsed = {}
    on_older = {}
    for place, rule in enumerate(line_rules):
        for trigger in rule.triggers:
            if trigger.unparsed:
                on_unparsed[place] = rule
            if trigger.older:
                on_older[place] = rule
            for kind in trigger.errors:
                on_errors.setdefault(kind, {})[place] = rule
            if trigger.guard is not None:
                on_guard.setdefault(trigger.guard, {})[place] = rule
            fragment = trigger.fragment(profile)
            if fragment is not None:
                fragments.append(fragment)
                on_fragment.append((fragment_validator(fragment).is_valid, place, rule))
    line = LinePlan(
        is_clean=clean_validator(fragments).is_valid,
        fragments=tuple(fragments),
        guards=frozenset(on_guard),
        on_unparsed=on_unparsed,
        on_errors=on_errors,
        on_guard=on_guard,
        on_older=on_older,
        on_fragment=tuple(on_fragment),
        fragments_hold=fragment_validator({"allOf": fragments}).is_valid if fragments else _always,
    )
    return Plan(
        line=line,
        between=by_scope[Scope.BETWEEN],
        image=by_scope[Scope.IMAGE],
        file=by_scope[Scope.FILE],
        severities={r.code: replaced.get(r.code, r.severity) for r in rules},
    )


def _always(instance: Any) -> bool:
    return True

