"""Code actions: the engine's fixes as quick fixes, a fix-all for fix-on-save, and fixing every
finding of one rule in the file.

Every action carries the edits of the engine's ``Fix`` records, the ones ``--fix`` applies, so
editor and command line fix alike. Fixes are chosen the way ``metalint.fixes.apply_fixes``
chooses them: in order, whole, and leaving out one that overlaps a fix already taken (the
next lint offers it again).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from metalint.diagnostics import Diagnostic, TextEdit
from metalint.fixes import chosen_fixes
from metalint.lsp import convert
from metalint.lsp.convert import Json, Positions

QUICK_FIX = "quickfix"
FIX_ALL = "source.fixAll.metalint"
"""The kind editors ask for on save (VS Code: ``"editor.codeActionsOnSave"``)."""


def chosen_edits(found: Iterable[Diagnostic]) -> tuple[list[TextEdit], int]:
    """The edits of every fix that fits with those before it, and how many fixes that is."""
    fixes = list(chosen_fixes(found))
    return [edit for fix in fixes for edit in fix.edits], len(fixes)


def _wants(only: list[str] | None, kind: str) -> bool:
    """Whether a request limited to the kinds ``only`` wants actions of ``kind`` (a kind
    covers the kinds below it: ``source`` covers ``source.fixAll.metalint``)."""
    return only is None or any(kind == k or kind.startswith(k + ".") for k in only)


def _edit(uri: str, edits: list[TextEdit], positions: Positions) -> Json:
    return {"changes": {uri: convert.text_edits(edits, positions)}}


def _on_lines(d: Diagnostic, first: int, last: int) -> bool:
    """Whether a diagnostic touches the 1-based lines ``first`` to ``last``."""
    return d.span.line <= last and d.span.end_line >= first


def code_actions(
    uri: str,
    found: list[Diagnostic],
    positions: Positions,
    docs_url: str,
    request_lines: tuple[int, int],
    only: list[str] | None,
    resolve: bool,
) -> list[Json]:
    """The actions for a request about the 1-based lines ``request_lines``. With ``resolve``
    the actions over the whole file come without their edits, which ``resolve_action``
    adds when the user picks one."""
    actions: list[Json] = []
    if _wants(only, QUICK_FIX):
        here = [d for d in found if d.fix is not None and _on_lines(d, *request_lines)]
        rules_done: set[str] = set()
        for d in here:
            assert d.fix is not None
            actions.append(
                {
                    "title": f"{d.fix.description} ({d.code})",
                    "kind": QUICK_FIX,
                    "diagnostics": [convert.diagnostic(d, uri, positions, docs_url)],
                    # A safe fix is the one to take; an unsafe one (a guessed key) is a choice.
                    "isPreferred": d.fix.safe,
                    "edit": _edit(uri, list(d.fix.edits), positions),
                }
            )
        for d in here:
            if d.code in rules_done:
                continue
            rules_done.add(d.code)
            same = [other for other in found if other.code == d.code and other.fix is not None]
            if len(same) < 2:
                continue
            action: Json = {
                "title": f"Fix all {d.code} ({d.name}) in the file: {len(same)} findings",
                "kind": QUICK_FIX,
                "data": {"uri": uri, "code": d.code},
            }
            if not resolve:
                action["edit"] = _edit(uri, chosen_edits(same)[0], positions)
            actions.append(action)
    safe = [d for d in found if d.fix is not None and d.fix.safe]
    if _wants(only, FIX_ALL) and only is not None and safe:
        # Only when asked for by kind (on save, or from a "source action" menu): offered
        # with every quick fix it would clutter the list. Like --fix, it takes the safe
        # fixes only: on save nobody is asked.
        action = {"title": "Fix all metalint findings", "kind": FIX_ALL, "data": {"uri": uri}}
        if not resolve:
            action["edit"] = _edit(uri, chosen_edits(safe)[0], positions)
        actions.append(action)
    return actions


def resolve_action(action: dict[str, Any], found: list[Diagnostic], positions: Positions) -> Json:
    """An action from ``code_actions`` with its edits filled in, for the text as it is now."""
    data = action.get("data") or {}
    uri = str(data.get("uri"))
    code = data.get("code")
    if code is None:
        chosen = [d for d in found if d.fix is not None and d.fix.safe]
    else:
        chosen = [d for d in found if d.code == code]
    out = dict(action)
    out["edit"] = _edit(uri, chosen_edits(chosen)[0], positions)
    return out
