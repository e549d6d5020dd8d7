"""Hypothesis strategies for manifest lines: objects near the line schema, and their text.

Objects start valid (an ADD or a DELETE with some optional fields) and are then mutated: a
value swapped for a wrong one, a key dropped, an unknown or legacy key added. Their text is
what real writers produce: compact or spaced separators, white space before a colon, tabs,
escaped non-ASCII and slashes, lone surrogates, duplicate keys spliced in, a stray comma after
the object, and LF, CRLF or no line ending.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

CATEGORIES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 21, 22, 88888888]
INT_KEYS = ["IntAttr", "IntAttr2", "IntAttr3", "IntAttr4"]
STR_KEYS = ["StrAttr", "StrAttr2", "StrAttr3", "StrAttr4"]
UNKNOWN_KEYS = ["ProductID", "productId", "Picname", "Color", "cat_id", "operator", "pic_list", ""]

# The utf-8 codec rules out lone surrogates, which the validators cannot take: ``lines`` adds
# them to the text alone.
LONE_SURROGATES = ["\ud800", "\udc00b", "\ud83d\ud83d"]
short_text = st.text(st.characters(codec="utf-8"), max_size=12)
json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    short_text,
)
any_json: st.SearchStrategy[Any] = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(short_text, inner, max_size=3),
    max_leaves=6,
)

good_pic = st.sampled_from(
    [
        "a.jpg",
        "girl_cloth1.jpg",
        "girlCloth/girl_cloth10.jpg",
        "A.PNG",
        "x.Jpeg",
        "图片/照片.webp",
        "v1.2/a.tif",
        "😀.ppm",
    ]
)
bad_pic = st.sampled_from(
    [
        "", "a", "a.txt", "a.", "/a.jpg", "//a.jpg", "a/", "/", "a//b.jpg", "../a.jpg",
        "a/../b.jpg", "oss://b/a.jpg", "https://x/a.jpg", "a\\b.jpg", "C:\\a.jpg", "d:/a.jpg",
        "\\\\s\\a.jpg", "a\tb.jpg", "a.jpg\n", "a\x00.jpg", "a\x7f.jpg", "a.jpg ", "a:b.jpg",
        "a..b.jpg", "x" * 253 + ".jpg",
    ]
)  # fmt: skip
pic_name = st.one_of(good_pic, bad_pic, short_text.map(lambda s: s + ".jpg"), short_text)

region_numbers = st.tuples(*[st.integers(0, 120)] * 4).map(lambda t: ",".join(map(str, t)))
region = st.one_of(
    st.sampled_from(
        ["20,40,60,80", "0,1,0,1", "20,60,80,40", "60,20,40,80", "1,2,3", "", "20, 40,60,80",
         "-1,2,3,4", "1.5,2,3,4", "1,2,3,4\n"]
    ),
    region_numbers,
)  # fmt: skip
str_attr = st.one_of(
    short_text,
    st.sampled_from(
        ["50%", "a$b", "&", "¥", "a\\b", "￥", "s" * 128, "s" * 129, "😀" * 128, "😀" * 129]
    ),
)
int_attr = st.one_of(
    st.integers(-(2**31), 2**31 - 1),
    st.sampled_from(
        [2**31, -(2**31) - 1, 2**32, 10**30, "5", "2147483648", 1.5, 5.0, -0.0, 1e16, True]
    ),
)

GOOD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "ProductId": st.one_of(st.sampled_from(["1000", "商品", "p" * 256]), short_text.filter(bool)),
    "PicName": good_pic,
    "CustomContent": st.one_of(short_text, st.just("k1:v1,k2:v2,k3:v3")),
    "CategoryId": st.sampled_from(CATEGORIES),
    "Crop": st.booleans(),
    "Region": st.just("20,40,60,80"),
    **{k: st.integers(-(2**31), 2**31 - 1) for k in INT_KEYS},
    **{k: short_text.filter(lambda s: not set(s) & set("\\¥$&%")) for k in STR_KEYS},
}
ANY_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "OperationType": st.sampled_from(
        ["ADD", "DELETE", "add", "Add", "ADD ", "", "UPDATE", 1, "delete"]
    ),
    "ProductId": st.one_of(short_text, st.sampled_from(["", "p" * 257, "商" * 257]), st.integers()),
    "PicName": st.one_of(pic_name, st.none(), st.integers(0, 9)),
    "CustomContent": st.one_of(short_text, st.just("c" * 4097), st.integers(0, 9)),
    "CategoryId": st.one_of(
        st.integers(-3, 30),
        st.sampled_from([88888888, 88888887, "0", "15", "88888888", 1.5, 3.0, 88888888.0]),
    ),
    "Crop": st.one_of(st.booleans(), st.sampled_from(["false", "TRUE", 0, None])),
    "Region": st.one_of(region, st.just([20, 40, 60, 80]), st.integers(0, 99)),
    **{k: int_attr for k in INT_KEYS},
    **{k: str_attr for k in STR_KEYS},
}
OPTIONAL_KEYS = ["CategoryId", "Crop", "Region", *INT_KEYS, *STR_KEYS]


@st.composite
def line_objects(draw: st.DrawFn) -> dict[str, Any]:
    """A line object: valid to start with, then mutated zero to three times."""
    op = draw(st.sampled_from(["ADD", "DELETE"]))
    obj: dict[str, Any] = {"OperationType": op, "ProductId": draw(GOOD_VALUES["ProductId"])}
    if op == "ADD" or draw(st.booleans()):
        obj["PicName"] = draw(GOOD_VALUES["PicName"])
    if op == "ADD":
        obj["CustomContent"] = draw(GOOD_VALUES["CustomContent"])
        for key in draw(st.lists(st.sampled_from(OPTIONAL_KEYS), max_size=4, unique=True)):
            obj[key] = draw(GOOD_VALUES[key])
    for _ in range(draw(st.sampled_from([0, 0, 1, 2, 3]))):
        kind = draw(st.sampled_from(["value", "value", "drop", "unknown", "any"]))
        if kind == "value":
            key = draw(st.sampled_from(sorted(ANY_VALUES)))
            obj[key] = draw(ANY_VALUES[key])
        elif kind == "drop" and obj:
            obj.pop(draw(st.sampled_from(sorted(obj))))
        elif kind == "unknown":
            obj[draw(st.sampled_from(UNKNOWN_KEYS))] = draw(json_scalar)
        elif kind == "any":
            obj[draw(st.sampled_from(sorted(ANY_VALUES)))] = draw(any_json)
    order = draw(st.permutations(sorted(obj)))
    return {k: obj[k] for k in order}


SEPARATORS = [(",", ":"), (", ", ": "), (",", ": "), (", ", " : "), (",\t", ":\t"), (" ,", " :")]


@dataclass(frozen=True)
class Line:
    obj: dict[str, Any]
    text: str
    ending: str
    duplicated: str | None
    """The key spliced in a second time, if any."""

    @property
    def data(self) -> bytes:
        return (self.text + self.ending).encode("utf-8", "surrogatepass")


@st.composite
def lines(draw: st.DrawFn, objects: st.SearchStrategy[dict[str, Any]] | None = None) -> Line:
    """One manifest line as text, in the ways real writers write them."""
    obj = draw(objects if objects is not None else line_objects())
    strings = sorted(k for k, v in obj.items() if isinstance(v, str))
    if strings and draw(st.integers(0, 9)) == 0:
        key = draw(st.sampled_from(strings))
        obj = {**obj, key: obj[key] + draw(st.sampled_from(LONE_SURROGATES))}
    item, key = draw(st.sampled_from(SEPARATORS))
    text = json.dumps(obj, ensure_ascii=draw(st.booleans()), separators=(item, key))
    if draw(st.booleans()):
        text = text.replace("/", "\\/")
    duplicated = None
    if obj and draw(st.integers(0, 3)) == 0:
        duplicated = draw(st.sampled_from(sorted(obj)))
        value = draw(st.one_of(st.just(obj[duplicated]), ANY_VALUES.get(duplicated, json_scalar)))
        spliced = json.dumps({duplicated: value}, separators=(item, key))[1:-1]
        text = "{" + spliced + item + text[1:]
    if draw(st.integers(0, 7)) == 0:
        text = draw(st.sampled_from([" ", "\t", "  "])) + text
    if draw(st.integers(0, 11)) == 0:
        text += draw(st.sampled_from([",", " ,"]))
    if draw(st.integers(0, 7)) == 0:
        text += draw(st.sampled_from([" ", "\t", "\r"]))
    ending = draw(st.sampled_from(["\n", "\n", "\r\n", ""]))
    return Line(obj, text, ending, duplicated)
