"""One manifest line on the slow path: decoded, parsed, validated with detail, and located.

Only lines that the fast path could not vouch for get here, but a broken generator sends every
line of a file, so each answer is computed once, on first use, and the common case (a line
orjson could read, with a mistake in a value) never parses the line a second time: its spans
come from a plain search of the text.
"""

from __future__ import annotations

import re
from typing import Any

from metalint.config import Config
from metalint.diagnostics import Span, TextEdit, new_record
from metalint.jsontext import (
    WHITESPACE,
    Member,
    SyntaxProblem,
    Value,
    parse_values,
    scan_members,
)
from metalint.older import CURRENT_FORMAT, OLDER_OPERATION, line_format
from metalint.schemacheck import SchemaError, detailed_errors, validator_instance

_VALUE_AFTER_KEY = re.compile(r'[ \t\r\n]*:[ \t\r\n]*("[^"]*"|[^ \t\r\n,}]*)')
"""The colon after a key and the value after it, on a line without escapes (a string ends at
its next quote) or nesting."""
_span_on_line = Span.on_line
"""Bound once: reading a classmethod off its class makes a new bound method each time, and
every finding on a line asks for a span."""
_FLAT_KEYS_UP_TO = 32
"""Beyond this many keys a line's members are scanned once instead of searched key by key,
which would cost the line's length for every key."""
_UNSET: Any = object()


class LineContext:
    """Everything a text or field rule may ask about one line: its text, object and format
    read when it is made, the rest computed on first use."""

    __slots__ = (
        "_all_offsets",
        "_errors",
        "_members",
        "_offsets_by_key",
        "_parsed",
        "_plain",
        "config",
        "ending",
        "format",
        "lineno",
        "obj",
        "path",
        "raw",
        "text",
        "validator_instance",
    )

    def __init__(
        self,
        path: str,
        lineno: int,
        raw: bytes,
        ending: bytes,
        config: Config,
        obj: dict[str, Any] | None = None,
    ) -> None:
        """``obj`` is the line's object when orjson has already read it, which vouches for
        the line being UTF-8 and exactly one JSON object; without it the line is parsed
        here."""
        self.path = path
        self.lineno = lineno
        self.raw = raw
        """The line's bytes without its ending."""
        self.ending = ending
        """``b"\\n"``, ``b"\\r\\n"`` or ``b""`` on a last line without a newline."""
        self.config = config
        self._parsed: tuple[list[Value], list[str], SyntaxProblem | None] = _UNSET
        self._members: list[Member] = _UNSET
        self._offsets_by_key: dict[str, tuple[int, int, int, int]] | None = None
        self._all_offsets = False
        self._plain: bool = _UNSET
        self._errors: list[SchemaError] = _UNSET
        # Every rule reads the text, the object and the format, so they are read here, once,
        # rather than behind a property that each reading would call.
        self.text: str | None
        """The decoded line, or None when it is not UTF-8."""
        self.obj: dict[str, Any] | None
        """The object as a JSON parser sees it (the last of duplicated keys wins)."""
        self.validator_instance: dict[str, Any] | None
        """The object as the compiled validators take it (see ``metalint.schemacheck``)."""
        if obj is not None:
            self.text = text = raw.decode("utf-8")
            start = len(text) - len(text.lstrip(WHITESPACE))
            end = len(text.rstrip(WHITESPACE))
            self._parsed = [new_record(Value, (obj, start, end))], [], None
            self.obj = obj
            # Only a nested value can stand in the way of an object orjson read, and a line
            # without a bracket after its opening brace has none: one search tells. The same
            # search tells most of whether spans can be found by a plain search (``_is_plain``).
            self.validator_instance = obj
            if "[" in text or text.find("{", start + 1) >= 0:
                self.validator_instance = validator_instance(obj, read_by_orjson=True)
                self._plain = False
            else:
                self._plain = len(obj) <= _FLAT_KEYS_UP_TO and "\\" not in text
        else:
            try:
                self.text = raw.decode("utf-8")
            except UnicodeDecodeError:
                self.text = None
            found = self.object_value
            self.obj = None if found is None else found.value
            self.validator_instance = None if self.obj is None else validator_instance(self.obj)
        self.format = CURRENT_FORMAT if self.obj is None else line_format(self.obj)
        """The line's format, by its keys (see ``metalint.older``)."""

    @classmethod
    def of(
        cls, path: str, lineno: int, raw: bytes, config: Config, obj: dict[str, Any] | None = None
    ) -> LineContext:
        """The context of a line read with its ending."""
        if raw.endswith(b"\r\n"):
            return cls(path, lineno, raw[:-2], b"\r\n", config, obj)
        if raw.endswith(b"\n"):
            return cls(path, lineno, raw[:-1], b"\n", config, obj)
        return cls(path, lineno, raw, b"", config, obj)

    # -- text -------------------------------------------------------------------------------

    @property
    def decode_error(self) -> UnicodeDecodeError | None:
        if self.text is not None:
            return None
        try:
            self.raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return exc
        return None

    @property
    def has_bom(self) -> bool:
        return self.lineno == 1 and self.raw.startswith(b"\xef\xbb\xbf")

    @property
    def content_start(self) -> int:
        """Where the JSON starts: after any byte-order marks on the first line."""
        if not self.has_bom or self.text is None:
            return 0
        return len(self.text) - len(self.text.lstrip("\ufeff"))

    def span(self, start: int, end: int) -> Span:
        """A span from 0-based character offsets of this line."""
        return _span_on_line(self.lineno, start, end)

    @property
    def line_span(self) -> Span:
        return Span.whole_line(self.lineno, len(self.text or ""))

    def delete_edit(self) -> TextEdit:
        """The edit that removes this line with its ending (a last line without a newline
        is emptied, leaving the newline of the line before it as the file's end)."""
        if self.ending:
            return TextEdit(Span(self.lineno, 1, self.lineno + 1, 1), "")
        return TextEdit(Span(self.lineno, 1, self.lineno, len(self.text or "") + 1), "")

    # -- JSON -------------------------------------------------------------------------------

    def _values(self) -> tuple[list[Value], list[str], SyntaxProblem | None]:
        if self._parsed is _UNSET:
            text = self.text
            self._parsed = [], [], None
            if text is not None:
                self._parsed = parse_values(text, self.content_start)
        return self._parsed

    @property
    def values(self) -> list[Value]:
        return self._values()[0]

    @property
    def separators(self) -> list[str]:
        return self._values()[1]

    @property
    def syntax_problem(self) -> SyntaxProblem | None:
        return self._values()[2]

    @property
    def is_blank(self) -> bool:
        return self.text is not None and not self.text[self.content_start :].strip(WHITESPACE)

    @property
    def object_value(self) -> Value | None:
        """The line's value when the line is exactly one JSON object."""
        values, _, problem = self._values()
        if problem is None and len(values) == 1 and isinstance(values[0].value, dict):
            return values[0]
        return None

    @property
    def members(self) -> list[Member]:
        """The object's members in source order, repeated keys included."""
        if self._members is _UNSET:
            found = self.object_value
            text = self.text
            self._members = (
                []
                if found is None or text is None
                else scan_members(text, found.start, found.value)
            )
        return self._members

    def member(self, key: str) -> Member | None:
        """The member that counts for ``key``: the last one, as parsers keep the last."""
        found = None
        for m in self.members:
            if m.key == key:
                found = m
        return found

    def key_span(self, key: str) -> Span:
        offsets = self.offsets(key)
        return self.object_span if offsets is None else self.span(offsets[0], offsets[1])

    def value_span(self, key: str) -> Span:
        offsets = self.offsets(key)
        return self.object_span if offsets is None else self.span(offsets[2], offsets[3])

    def member_span(self, key: str) -> Span:
        offsets = self.offsets(key)
        return self.object_span if offsets is None else self.span(offsets[0], offsets[3])

    def value_source(self, key: str) -> str:
        """The value of ``key`` as written on the line."""
        offsets = self.offsets(key)
        return "" if offsets is None else (self.text or "")[offsets[2] : offsets[3]]

    def offsets(self, key: str) -> tuple[int, int, int, int] | None:
        """Where the member that counts for ``key`` stands: key start and end, value start
        and end; None when the line has no such key."""
        obj = self.obj
        if obj is None or key not in obj:
            return None
        known = self._offsets_by_key
        if known is None:
            known = self._offsets_by_key = {}
        elif key in known:
            return known[key]
        if self._is_plain():
            flat = self._flat_offsets(key)
            if flat is not None:
                known[key] = flat
                return flat
        if not self._all_offsets:
            known.update(
                (m.key, (m.key_start, m.key_end, m.value_start, m.value_end)) for m in self.members
            )
            self._all_offsets = True
        return known.get(key)

    def _is_plain(self) -> bool:
        """Whether spans can be found by a plain search: most lines that need one are flat
        objects without escapes, where a quoted word followed by a colon can only be a key
        and a string value ends at the next quote. Anything less plain is parsed."""
        if self._plain is _UNSET:
            text = self.text
            found = self.object_value
            self._plain = (
                text is not None
                and found is not None
                and len(found.value) <= _FLAT_KEYS_UP_TO
                and "\\" not in text
                and "[" not in text
                and text.find("{", found.start + 1) < 0
            )
        return self._plain

    def _flat_offsets(self, key: str) -> tuple[int, int, int, int] | None:
        text = self.text
        assert text is not None
        # The last occurrence: it is the one a parser keeps. Not followed by a colon, it is a
        # string value that happens to read like the key: let the parser decide.
        quoted = f'"{key}"'
        key_start = text.rfind(quoted)
        if key_start < 0:
            return None
        key_end = key_start + len(quoted)
        value = _VALUE_AFTER_KEY.match(text, key_end)
        if value is None:
            return None
        start, end = value.span(1)
        return key_start, key_end, start, end

    @property
    def object_span(self) -> Span:
        """The opening brace: where a finding about the whole object points."""
        found = self.object_value
        if found is None:
            return self.line_span
        return self.span(found.start, found.start + 1)

    def elements(self, key: str) -> list[Value]:
        """The elements of the array that ``key`` holds, each where it stands on the line;
        none when the value is no array (or the line is not JSON the parser reads)."""
        offsets = self.offsets(key)
        text = self.text
        if offsets is None or text is None or not text.startswith("[", offsets[2]):
            return []
        values, separators, problem = parse_values(text[: offsets[3] - 1], offsets[2] + 1)
        if problem is not None or any(s != "," for s in separators):
            return []
        return values

    @property
    def operation(self) -> str | None:
        obj = self.obj or {}
        op = obj.get("OperationType", obj.get(OLDER_OPERATION))
        return op if isinstance(op, str) else None

    @property
    def schema_errors(self) -> list[SchemaError]:
        """The errors of this object against the schema of its format."""
        if self._errors is _UNSET:
            obj = self.obj
            instance = self.validator_instance
            self._errors = (
                []
                if obj is None or instance is None
                else detailed_errors(obj, instance, self.format)
            )
        return self._errors
