"""Hover: a rule's documentation on its finding, a key's from the schema (of either format),
a category's name on a CategoryId (or cat_id), and what metalint reads of the image a PicName
(or an entry of pic_list) names."""

from __future__ import annotations

from pathlib import Path

from metalint.config import Config
from metalint.diagnostics import Diagnostic
from metalint.images.lookup import Locator
from metalint.images.model import Lookup
from metalint.images.reader import read_file
from metalint.lsp.lines import Member, category_name, field_doc, list_entries, members
from metalint.older import OLDER_IMAGES
from metalint.rules import get_rule
from metalint.rules.fieldkeys import CATEGORY_KEYS


def rule_doc(d: Diagnostic) -> str:
    rule = get_rule(d.code)
    doc = rule.doc if rule is not None else ""
    return f"**{d.code} {d.name}** ({d.severity.value})\n\n{d.message}\n\n---\n\n{doc}"


def image_summary(root: Path, pic_name: str) -> str:
    """What the header of the image says, or why it could not be read."""
    try:
        facts, key = Locator(str(root)).locate(pic_name)
    except OSError as exc:
        return f"`{pic_name}`: cannot be looked up ({exc})"
    if facts.lookup is not Lookup.FOUND or key is None:
        why = facts.lookup.value.replace("-", " ")
        detail = f": {facts.detail}" if facts.detail else ""
        return f"`{pic_name}`: {why}{detail}"
    content = read_file(key.path)
    if isinstance(content, str):
        return f"`{pic_name}`: cannot be read ({content})"
    parts = [content.format or "unknown format", f"{key.size:,} bytes"]
    if content.width is not None and content.height is not None:
        parts.append(f"{content.width}×{content.height}")  # noqa: RUF001 - as image sizes are written
    parts.append(
        "no orientation tag"
        if content.orientation is None
        else f"orientation {content.orientation}"
    )
    if content.corrupt:
        parts.append(f"damaged: {content.corrupt}")
    return f"`{pic_name}`: " + ", ".join(parts)


def hover_at(
    path: Path,
    lineno: int,
    raw: bytes,
    index: int,
    config: Config,
    found: list[Diagnostic],
) -> tuple[str, tuple[int, int]] | None:
    """Markdown for the character at ``index`` (0-based, in the line's text) of line
    ``lineno`` (1-based), and the 0-based character range it is about."""
    column = index + 1
    here = [
        d
        for d in found
        if (d.span.line, d.span.column) <= (lineno, column) < (d.span.end_line, d.span.end_column)
    ]
    parts: list[str] = [rule_doc(d) for d in here]
    where: tuple[int, int] | None = None
    for member in members(path, lineno, raw, config):
        if member.key_start <= index < member.key_end:
            doc = field_doc(member.key)
            if doc is not None:
                parts.insert(0, doc)
                where = (member.key_start, member.key_end)
        elif member.value_start <= index < member.value_end:
            about = _value_doc(member, index, path, lineno, raw, config)
            if about is not None:
                parts.insert(0, about[0])
                where = about[1]
    if not parts:
        return None
    if where is None and here:
        span = here[0].span
        where = (span.column - 1, span.end_column - 1 if span.end_line == lineno else column)
    return "\n\n---\n\n".join(parts), where or (index, index + 1)


def _value_doc(
    member: Member, index: int, path: Path, lineno: int, raw: bytes, config: Config
) -> tuple[str, tuple[int, int]] | None:
    """Markdown for the value under ``index``, and the range it is about."""
    where = (member.value_start, member.value_end)
    if member.key in CATEGORY_KEYS:
        name = category_name(member.value)
        return (f"{member.key} {member.value}: **{name}**", where) if name else None
    if member.key == "PicName" and isinstance(member.value, str) and member.value:
        return image_summary(config.images_root or path.parent, member.value), where
    if member.key == OLDER_IMAGES:
        for name, start, end in list_entries(path, lineno, raw, OLDER_IMAGES, config):
            if start <= index < end and isinstance(name, str) and name:
                return image_summary(config.images_root or path.parent, name), (start, end)
    return None
