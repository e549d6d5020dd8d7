"""The plain search for a key's span agrees with the parser on every line it accepts."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from metalint.config import Config
from metalint.line import LineContext

KEYS = ["OperationType", "ProductId", "PicName", "CustomContent", "CategoryId", "Region", "Crop"]
VALUES = st.sampled_from(
    ['"ADD"', '"a b"', "12", "-3", "true", "null", '"x:y"', '""', "1.5e3", '"{"', '"}"',
     '"a\\"b"', "[1,2]", '{"PicName": "n"}', '"PicName"', '"Region"', '"\\u00e9"', '"中文"']
)  # fmt: skip
SPACE = st.sampled_from(["", " ", "\t", "  "])


@st.composite
def object_lines(draw: st.DrawFn) -> str:
    members = draw(
        st.lists(st.tuples(st.sampled_from(KEYS), SPACE, SPACE, VALUES), min_size=1, max_size=6)
    )
    body = draw(st.sampled_from([",", ", "])).join(
        f'"{key}"{before}:{after}{value}' for key, before, after, value in members
    )
    return draw(SPACE) + "{" + body + draw(SPACE) + "}"


def parsed_spans(ctx: LineContext, key: str) -> tuple[object, object]:
    member = ctx.member(key)
    if member is None:
        return ctx.object_span, ctx.object_span
    return ctx.span(member.key_start, member.key_end), ctx.span(
        member.value_start, member.value_end
    )


@settings(max_examples=400, deadline=None)
@given(object_lines(), st.sampled_from(KEYS))
def test_flat_search_finds_what_the_parser_finds(line: str, key: str) -> None:
    json.loads(line)  # the strategy only builds valid JSON
    searched = LineContext("m", 1, line.encode(), b"\n", Config())
    parsed = LineContext("m", 1, line.encode(), b"\n", Config())
    assert (searched.key_span(key), searched.value_span(key)) == parsed_spans(parsed, key)
