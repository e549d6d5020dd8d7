"""How a large manifest is cut for the parallel scan: whole lines, in order, nothing lost."""

from __future__ import annotations

import io
from itertools import pairwise

import pytest

from metalint.scan import Blocks
from metalint.split import boundaries


@pytest.mark.parametrize("workers", [1, 2, 3, 7, 15, 63])
@pytest.mark.parametrize("trailing_newline", [True, False])
def test_cuts_fall_on_line_starts_and_cover_the_file(workers: int, trailing_newline: bool) -> None:
    lines = [b'{"n": %d, "pad": "%s"}\n' % (n, b"x" * (n % 37)) for n in range(2000)]
    data = b"".join(lines)
    if not trailing_newline:
        data = data[:-1]
    stream = io.BytesIO(data)
    cuts = boundaries(stream, len(data), workers)
    assert cuts[0] == 0 and cuts[-1] == len(data)
    assert all(a < b for a, b in pairwise(cuts))
    assert all(data[cut - 1 : cut] == b"\n" for cut in cuts[1:-1])
    pieces = [
        [ln for block in Blocks(stream, a, b).lines() for ln in block] for a, b in pairwise(cuts)
    ]
    assert b"".join(line for piece in pieces for line in piece) == data
