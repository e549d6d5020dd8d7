"""The key suggested for an unknown key is the one difflib's ratio picks, whatever the shortcuts
that spare most comparisons on a line of thousands of unknown keys."""

from __future__ import annotations

import difflib
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from metalint.rules.fieldkeys import known_keys
from metalint.rules.keys import did_you_mean

KNOWN = known_keys()


def reference(key: str) -> str | None:
    """Every known key compared in full: the same letters in another case or without
    separators, else the first of the closest keys by ratio, if at least 0.8."""
    squashed = re.sub(r"[^a-z0-9]", "", key.lower())
    for known in KNOWN:
        if squashed == known.lower():
            return known
    best, best_ratio = None, 0.8
    for known in KNOWN:
        ratio = difflib.SequenceMatcher(None, squashed, known.lower()).ratio()
        if ratio >= best_ratio and (best is None or ratio > best_ratio):
            best, best_ratio = known, ratio
    return best


@st.composite
def misspelt(draw: st.DrawFn) -> str:
    """A known key with a few letters dropped, added or changed, or any short text."""
    if draw(st.booleans()):
        return draw(st.text(max_size=14))
    letters = list(draw(st.sampled_from(KNOWN)))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(letters)))
        change = draw(st.sampled_from(("drop", "add", "swap")))
        letter = draw(st.sampled_from("abcdeinprtACDIPRT_- 0123"))
        if change == "add" or not letters:
            letters.insert(at, letter)
        elif change == "drop":
            del letters[min(at, len(letters) - 1)]
        else:
            letters[min(at, len(letters) - 1)] = letter
    return "".join(letters)


@settings(max_examples=500, deadline=None)
@given(misspelt())
def test_the_suggestion_is_the_closest_key(key: str) -> None:
    assert did_you_mean(key) == reference(key)


def test_suggestions_of_common_mistakes() -> None:
    assert did_you_mean("productid") == "ProductId"
    assert did_you_mean("Pic_Name") == "PicName"
    assert did_you_mean("PicNme") == "PicName"
    assert did_you_mean("k12345") is None
