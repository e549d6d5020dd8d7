"""The engine end to end, images off: positions, between-line findings, file shapes, special
files, folders, configuration, the parallel scan and what the engine imports."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metalint import split
from metalint.config import Config, PerFileIgnore
from metalint.diagnostics import Diagnostic, Severity, Span
from metalint.engine import find_manifests, lint_bytes, lint_file, lint_paths
from metalint.run import Run
from metalint.service import Service

from .strategies import Line, lines

CONFIG = Config(check_images=False)


def lint(data: bytes | str, config: Config = CONFIG) -> list[Diagnostic]:
    return lint_bytes(data.encode() if isinstance(data, str) else data, config=config)


def codes(found: list[Diagnostic]) -> list[tuple[str, int]]:
    return [(d.code, d.span.line) for d in found]


def add(pid: str = "1", pic: str = "a.jpg", content: str = "", extra: str = "") -> str:
    return (
        f'{{"OperationType": "ADD", "ProductId": "{pid}", "PicName": "{pic}", '
        f'"CustomContent": "{content}"{extra}}}\n'
    )


def delete(pid: str = "1", pic: str | None = None) -> str:
    image = "" if pic is None else f', "PicName": "{pic}"'
    return f'{{"OperationType": "DELETE", "ProductId": "{pid}"{image}}}\n'


# -- positions --------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["商品", "😀😀", "é", "a"])
def test_columns_count_characters(prefix: str) -> None:
    line = f'{{"ProductId": "{prefix}", "OperationType": "DELETE", "IntAttr": "5"}}\n'
    found = {d.code: d for d in lint(line)}
    value_at = line.index('"5"') + 1
    assert found["ML103"].span == Span(1, value_at, 1, value_at + 3)
    assert found["ML112"].span.column == line.index('"IntAttr"') + 1


def test_columns_after_a_bom() -> None:
    found = {d.code: d.span for d in lint('\ufeff{"OperationType": "delete", "ProductId": "1"}\n')}
    assert found["ML003"] == Span(1, 1, 1, 2)
    assert found["ML102"] == Span(1, 20, 1, 28)


VALUE_SPANS = {"ML102", "ML103", "ML104", "ML105", "ML106", "ML108", "ML120", "ML121", "ML122"}
VALUE_SPANS |= {"ML123", "ML124"}
KEY_SPANS = {"ML109", "ML110", "ML111"}
MEMBER_SPANS = {"ML112", "ML113", "ML114"}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines(), st.sampled_from(list(Service)))
def test_spans_point_at_what_they_name(line: Line, service: Service) -> None:
    """A field finding's span is exactly the value that counts (the last of repeated keys),
    the key, or the whole member, counted in characters."""
    try:
        text = line.data.decode("utf-8")
    except UnicodeDecodeError:
        return  # a lone surrogate written raw: the line is not UTF-8, and has no fields
    raw = text.removesuffix("\n").removesuffix("\r") if text.endswith("\r\n") else text
    raw = raw.removesuffix("\n")
    try:
        obj = json.loads(raw)
    except ValueError:
        return
    if not isinstance(obj, dict):
        return
    for d in lint(line.data, Config(check_images=False, service=service)):
        source = raw[d.span.column - 1 : d.span.end_column - 1]
        if d.code in VALUE_SPANS:
            assert json.loads(source) == obj[d.key], (d.code, source)
        elif d.code in KEY_SPANS:
            assert json.loads(source) == d.key, (d.code, source)
        elif d.code in MEMBER_SPANS:
            key, colon, value = source.partition(":")
            assert colon and json.loads(key) == d.key, (d.code, source)
            json.loads(value)


def test_invalid_utf8_gives_line_and_byte() -> None:
    data = delete().encode() + '{"ProductId": "中'.encode() + b'\xff"}\n'
    [found] = [d for d in lint(data) if d.code == "ML002"]
    assert found.span == Span(2, 17, 2, 18)
    assert "byte 19" in found.message and "ff" in found.message
    assert found.severity is Severity.ERROR


def test_invalid_utf8_line_is_not_parsed_further() -> None:
    found = lint(b'{"OperationType": "add", "ProductId": 5, "x": "\xff"}\n')
    assert {d.code for d in found} == {"ML002", "ML011"}


# -- between lines ----------------------------------------------------------------------------


def test_duplicate_add_points_at_the_first_line() -> None:
    data = add(content="v1") + delete("2") + add(content="v2") + add(content="v3")
    found = [d for d in lint(data) if d.code == "ML201"]
    assert [d.span.line for d in found] == [3, 4]
    for d in found:
        assert [r.span.line for r in d.related] == [1]
        assert "line 1" in d.message


def test_exact_duplicate_lines() -> None:
    data = delete("9") + add() + delete("9") + add() + add()
    found = lint(data)
    assert codes([d for d in found if d.code.startswith("ML2")]) == [
        ("ML203", 3),
        ("ML203", 4),
        ("ML203", 5),
    ]
    assert {r.span.line for d in found for r in d.related} == {1, 2}


def test_add_then_delete_of_the_same_image() -> None:
    found = lint(add() + add("2") + delete("1", "a.jpg"))
    [conflict] = [d for d in found if d.code == "ML202"]
    assert conflict.span.line == 3 and conflict.related[0].span.line == 1


def test_delete_of_a_product_before_and_after_its_adds() -> None:
    data = add("1", "a.jpg") + add("1", "b.jpg") + delete("1") + add("1", "c.jpg") + add("2")
    found = [(d.span.line, d.related[0].span.line) for d in lint(data) if d.code == "ML202"]
    assert found == [(3, 1), (4, 3)]


def test_different_images_are_never_paired() -> None:
    data = add("1", "a.jpg") + add("1", "b.jpg") + add("2", "a.jpg") + add("1", "A.jpg")
    data += delete("1", "c.jpg") + delete("3") + add("11", "a.jpg") + delete("12")
    assert [d for d in lint(data) if d.code.startswith("ML2")] == []


def test_a_copy_of_a_later_add_is_a_duplicate_line() -> None:
    data = add(content="v1") + add(content="v2") + add(content="v2")
    found = [(d.code, d.span.line) for d in lint(data) if d.code == "ML203"]
    assert found == [("ML203", 3)]


def test_a_copy_of_a_later_delete_is_a_duplicate_line() -> None:
    data = delete("1", "a.jpg").replace(", ", ",") + delete("1", "a.jpg") * 2
    found = [(d.code, d.span.line) for d in lint(data) if d.code == "ML203"]
    assert found == [("ML203", 3)]


@pytest.mark.parametrize(
    "first",
    ["\ufeff" + add(), add().replace('"ADD"', '"\\u0041DD"')],
    ids=["bom", "escaped-add"],
)
def test_add_before_a_product_delete_on_a_slow_line(first: str) -> None:
    # ADDs before a whole-product DELETE are found in a second look at the file, which must
    # see the lines the slow path accepted: a byte-order mark, an escaped ADD.
    found = [(d.code, d.span.line) for d in lint(first + delete("1")) if d.code == "ML202"]
    assert found == [("ML202", 2)]


def test_add_before_an_image_delete_on_a_slow_line() -> None:
    found = lint("\ufeff" + add() + delete("1", "a.jpg"))
    assert [(d.code, d.span.line) for d in found if d.code == "ML202"] == [("ML202", 2)]


OPERATIONS = st.tuples(
    st.sampled_from(["ADD", "DELETE", "DELETE-product"]),
    st.sampled_from(["1", "2", "商"]),
    st.sampled_from(["a.jpg", "b.jpg"]),
    st.sampled_from(["", "v"]),
    st.sampled_from(["plain", "compact", "slow"]),
)


def render(op: str, pid: str, pic: str, content: str, style: str) -> str:
    obj: dict[str, str] = {"OperationType": op.split("-")[0], "ProductId": pid}
    if op != "DELETE-product":
        obj["PicName"] = pic
    if op == "ADD":
        obj["CustomContent"] = content
    if style == "slow":
        obj["Colour"] = content  # an unknown key sends the line to the slow path
    separators = (",", ":") if style == "compact" else (", ", ": ")
    return json.dumps(obj, ensure_ascii=False, separators=separators) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OPERATIONS, min_size=2, max_size=14))
def test_between_line_findings_match_a_brute_force_oracle(ops: list[tuple[str, ...]]) -> None:
    texts = [render(*op) for op in ops]
    found = [d for d in lint("".join(texts)) if d.code.startswith("ML2")]
    at = {(d.code, d.span.line) for d in found}
    kind = {n: op[0] for n, op in enumerate(ops, 1)}
    pid = {n: op[1] for n, op in enumerate(ops, 1)}
    pic = {n: (None if op[0] == "DELETE-product" else op[2]) for n, op in enumerate(ops, 1)}
    raw = {n: t for n, t in enumerate(texts, 1)}

    # Sound: every finding relates this line to an earlier one that it really concerns, and
    # points at the PicName (or, for a whole-product DELETE, the OperationType) or the line.
    for d in found:
        j, i = d.span.line, d.related[0].span.line
        assert i < j
        line = raw[j].rstrip("\n")
        source = line[d.span.column - 1 : d.span.end_column - 1]
        if d.code == "ML203":
            assert source == line
        else:
            assert json.loads(source) == json.loads(line)[d.key]
        if d.code == "ML203":
            assert raw[i] == raw[j]
        elif d.code == "ML201":
            assert kind[i] == kind[j] == "ADD" and (pid[i], pic[i]) == (pid[j], pic[j])
            assert raw[i] != raw[j]
        else:
            assert pid[i] == pid[j] and "ADD" in (kind[i], kind[j]) and kind[i] != kind[j]
            deleted = pic[i] if kind[i] != "ADD" else pic[j]
            assert deleted is None or pic[i] == pic[j]

    # Complete: every clear case is reported.
    def first(j: int, same: str) -> int | None:
        earlier = [i for i in range(1, j) if kind[i] == same and pid[i] == pid[j]]
        earlier = [i for i in earlier if same == "DELETE-product" or pic[i] == pic[j]]
        return earlier[0] if earlier else None

    for j in kind:
        if kind[j] == "ADD":
            if first(j, "ADD") is not None:
                assert ("ML201", j) in at or ("ML203", j) in at
            if first(j, "DELETE") is not None or first(j, "DELETE-product") is not None:
                assert ("ML202", j) in at
        elif kind[j] == "DELETE" and first(j, "ADD") is not None:
            assert ("ML202", j) in at
        if any(raw[i] == raw[j] for i in range(1, j)):
            assert ("ML203", j) in at
    for product in set(pid.values()):
        deletes = [j for j in kind if kind[j] == "DELETE-product" and pid[j] == product]
        if deletes and any(kind[i] == "ADD" and pid[i] == product for i in range(1, deletes[0])):
            assert ("ML202", deletes[0]) in at


# -- file shapes ------------------------------------------------------------------------------


def test_no_trailing_newline() -> None:
    assert lint(add().rstrip("\n")) == []
    assert codes(lint(delete() + delete().rstrip("\n"))) == [("ML203", 2)]


def test_crlf_file() -> None:
    data = (add() + delete("2")).replace("\n", "\r\n")
    assert codes(lint(data)) == [("ML009", 1), ("ML009", 2)]


def test_empty_file() -> None:
    [found] = lint(b"")
    assert (found.code, found.span, found.severity) == ("ML011", Span(1, 1, 1, 2), Severity.WARNING)


def test_file_of_blank_lines() -> None:
    assert codes(lint("\n \n\t\n")) == [
        ("ML008", 1),
        ("ML011", 1),
        ("ML008", 2),
        ("ML008", 3),
    ]


def test_diagnostics_are_sorted_by_position() -> None:
    found = lint(add(pid="1") + "\n" + '{"OperationType": "add"}\n' + add(pid="1"))
    assert [d.span for d in found] == sorted(d.span for d in found)


# -- files that are not manifests -------------------------------------------------------------


@pytest.fixture
def alarm() -> Iterator[None]:
    """Fail instead of hanging: reading a FIFO without a writer blocks forever."""

    def timeout(signum: int, frame: object) -> None:
        raise TimeoutError("lint_file hung")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def only_unreadable(found: list[Diagnostic], why: str) -> None:
    assert [(d.code, d.span, d.severity) for d in found] == [("ML012", Span(1, 1, 1, 2), "error")]
    assert why in found[0].message


@pytest.mark.usefixtures("alarm")
def test_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "increment.meta"
    os.mkfifo(fifo)
    only_unreadable(lint_file(fifo, CONFIG), "not a regular file")


@pytest.mark.usefixtures("alarm")
def test_folder_named_like_a_manifest(tmp_path: Path) -> None:
    folder = tmp_path / "increment.meta"
    folder.mkdir()
    only_unreadable(lint_file(folder, CONFIG), "not a regular file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files without permission")
def test_unreadable_file(tmp_path: Path) -> None:
    manifest = tmp_path / "increment.meta"
    manifest.write_text(delete())
    manifest.chmod(0)
    try:
        only_unreadable(lint_file(manifest, CONFIG), "ermission")
    finally:
        manifest.chmod(0o644)


def test_permission_error_while_opening(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The same path as test_unreadable_file, reachable when the tests run as root.
    import metalint.engine

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    manifest = tmp_path / "increment.meta"
    manifest.write_text(delete())
    monkeypatch.setattr(metalint.engine, "open", refuse, raising=False)
    only_unreadable(lint_file(manifest, CONFIG), "Permission denied")


def test_missing_file(tmp_path: Path) -> None:
    only_unreadable(lint_file(tmp_path / "increment.meta", CONFIG), "No such file")


def test_unreadable_can_be_disabled(tmp_path: Path) -> None:
    config = Config(check_images=False, disabled=frozenset({"ML012"}))
    assert lint_file(tmp_path / "increment.meta", config) == []


# -- folders ----------------------------------------------------------------------------------


def make_tree(root: Path) -> None:
    files = {
        "increment.meta": delete("1"),
        "a/increment.meta": add(pid="x", content="1") + add(pid="x", content="2"),
        "a/b/c/increment.meta": delete("3") + delete("3"),
        "a/Increment.meta": delete(),
        "b/increment.meta.txt": delete(),
        "b/increment.json": delete(),
        "b/notes.txt": "hello\n",
        "b/image.jpg": "",
        ".git/increment.meta": "not json\n",
        "a/.git/increment.meta": "not json\n",
        "node_modules/increment.meta": "not json\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_find_manifests(tmp_path: Path) -> None:
    make_tree(tmp_path)
    found = [(p.relative_to(tmp_path).as_posix(), m) for p, m in find_manifests(tmp_path)]
    assert found == [
        ("increment.meta", True),
        ("a/Increment.meta", False),
        ("a/increment.meta", True),
        ("a/b/c/increment.meta", True),
        ("b/increment.json", False),
        ("b/increment.meta.txt", False),
    ]


def test_lint_paths_on_a_folder(tmp_path: Path) -> None:
    make_tree(tmp_path)
    found = list(lint_paths([tmp_path], lambda _path: CONFIG))
    shown = sorted((Path(d.path).relative_to(tmp_path).as_posix(), d.code) for d in found)
    assert shown == [
        ("a/Increment.meta", "ML001"),
        ("a/b/c/increment.meta", "ML203"),
        ("a/increment.meta", "ML201"),
        ("b/increment.json", "ML001"),
        ("b/increment.meta.txt", "ML001"),
    ]


def test_lint_paths_on_files_named_explicitly(tmp_path: Path) -> None:
    make_tree(tmp_path)
    named = [tmp_path / "b/notes.txt", tmp_path / "increment.meta"]
    found = list(lint_paths(named, lambda _path: CONFIG))
    assert [(Path(d.path).name, d.code) for d in found] == [
        ("notes.txt", "ML001"),
        ("notes.txt", "ML005"),
        ("notes.txt", "ML011"),
    ]


def test_lint_paths_asks_for_each_file_s_config(tmp_path: Path) -> None:
    make_tree(tmp_path)
    asked: list[str] = []

    def config_for(path: Path) -> Config:
        asked.append(path.relative_to(tmp_path).as_posix())
        return CONFIG

    list(lint_paths([tmp_path], config_for))
    assert sorted(asked) == sorted(
        ["increment.meta", "a/Increment.meta", "a/increment.meta", "a/b/c/increment.meta",
         "b/increment.json", "b/increment.meta.txt"]
    )  # fmt: skip


# -- configuration ----------------------------------------------------------------------------

MIXED = '{"OperationType": "add", "ProductId": "1", "PicName": "a.jpg", "CustomContent": ""}  \n'


def test_disabled_rules_do_not_run() -> None:
    assert {d.code for d in lint(MIXED)} == {"ML010", "ML102", "ML011"}
    config = Config(check_images=False, disabled=frozenset({"ML010", "ML011"}))
    assert {d.code for d in lint(MIXED, config)} == {"ML102"}


def test_disabled_between_and_file_rules() -> None:
    config = Config(check_images=False, disabled=frozenset({"ML203", "ML011"}))
    assert lint(delete() * 2, config) == []
    assert lint(b"", config) == []


def test_severities_are_replaced() -> None:
    config = Config(
        check_images=False,
        severities={"ML102": Severity.WARNING, "ML010": Severity.ERROR, "ML203": Severity.INFO},
    )
    found = {d.code: d.severity for d in lint(MIXED + delete() * 2, config)}
    assert found == {"ML102": Severity.WARNING, "ML010": Severity.ERROR, "ML203": Severity.INFO}


def test_per_file_ignores(tmp_path: Path) -> None:
    make_tree(tmp_path)
    config = Config(
        check_images=False,
        base_dir=tmp_path,
        per_file_ignores=(
            PerFileIgnore("a/*/c/increment.meta", frozenset({"ML203"})),
            PerFileIgnore("Increment.meta", frozenset({"ML001"})),
        ),
    )
    found = list(lint_paths([tmp_path], lambda _path: config))
    shown = sorted((Path(d.path).relative_to(tmp_path).as_posix(), d.code) for d in found)
    assert shown == [
        ("a/increment.meta", "ML201"),
        ("b/increment.json", "ML001"),
        ("b/increment.meta.txt", "ML001"),
    ]


def test_for_path_leaves_other_files_alone() -> None:
    config = Config(per_file_ignores=(PerFileIgnore("x/*.meta", frozenset({"ML101"})),))
    assert config.for_path("y/increment.meta") is config
    assert config.for_path("x/increment.meta").disabled == frozenset({"ML101"})


# -- the parallel scan ------------------------------------------------------------------------


def big_manifest(lines: int) -> str:
    """Clean lines with, spread over the whole file: slow-path lines, duplicates of early
    lines near the end, DELETEs of early images and products late, a product deleted early
    and added late, and exact copies."""
    out = []
    for n in range(1, lines + 1):
        if n % 97 == 0:
            out.append(add(pid=f"p{n}", extra=', "Colour": "red"'))  # slow path
        elif n % 89 == 0:
            out.append(add(pid=f"p{n}", pic="/a.jpg"))  # slow path, fixable
        elif n == 5:
            out.append(delete("late"))
        elif n > lines - 40 and n % 4 == 0:
            out.append(add(pid=f"p{n - lines + 60}", content="again"))  # duplicate image
        elif n > lines - 40 and n % 4 == 1:
            out.append(delete(f"p{n - lines + 70}", "a.jpg"))  # ADD/DELETE conflict
        elif n > lines - 40 and n % 4 == 2:
            out.append(delete(f"p{n - lines + 80}"))  # a product added long before
        elif n > lines - 40 and n % 4 == 3:
            out.append(add(pid="late", pic=f"{n}.jpg"))  # the product deleted on line 5
        elif n == lines - 50:
            out.append(add(pid="p10"))  # an exact copy of line 10
        elif n > lines // 2 and n % 101 == 0:
            out.append(f'{{"operator": "DELETE", "item_id": "p{n - 1}"}}\n')  # the older format
        else:
            out.append(add(pid=f"p{n}"))
    return "".join(out)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the parallel scan needs two cores")
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parallel scan is Linux-only")
def test_parallel_scan_matches_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(split, "PARALLEL_MIN_BYTES", 4096)
    manifest = tmp_path / "increment.meta"
    manifest.write_text(big_manifest(1200))
    size = manifest.stat().st_size
    parallel = Config(check_images=False, jobs=2)
    assert split.parts(parallel, size, str(manifest)) == 2
    assert split.parts(Config(check_images=False, jobs=1), size, str(manifest)) == 1

    one = lint_file(manifest, Config(check_images=False, jobs=1))
    two = lint_file(manifest, parallel)
    assert two == one
    found = {d.code for d in one}
    assert {"ML015", "ML109", "ML121", "ML201", "ML202", "ML203"} <= found
    # The chunks' boundary falls inside the file, with findings on both sides of it.
    with manifest.open("rb") as stream:
        cut = split.boundaries(stream, size, 2)[1]
    boundary_line = manifest.read_bytes()[:cut].count(b"\n") + 1
    lines = {d.span.line for d in one}
    assert min(lines) < boundary_line < max(lines)
    assert any(r.span.line < boundary_line < d.span.line for d in one for r in d.related)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the parallel scan needs two cores")
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parallel scan is Linux-only")
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_parallel_scan_on_random_collisions(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(split, "PARALLEL_MIN_BYTES", 4096)
    rnd = random.Random(seed)
    ops = [
        (
            rnd.choice(["ADD", "ADD", "ADD", "DELETE", "DELETE-product"]),
            rnd.choice("123456") if rnd.random() < 0.3 else str(rnd.randrange(300)),
            rnd.choice(["a.jpg", "b.jpg"]),
            rnd.choice(["", "v"]),
            rnd.choice(["plain", "compact", "slow"]),
        )
        for _ in range(800)
    ]
    text = "".join(render(*op) for op in ops)
    manifest = tmp_path / "increment.meta"
    manifest.write_bytes(text.replace("\n", "\r\n" if seed == 3 else "\n").encode())
    parallel = Config(check_images=False, jobs=2)
    assert split.parts(parallel, manifest.stat().st_size, str(manifest)) == 2
    assert lint_file(manifest, parallel) == lint_file(manifest, Config(check_images=False, jobs=1))


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the parallel scan needs two cores")
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parallel scan is Linux-only")
def test_a_mostly_broken_file_is_split_sooner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(split, "SLOW_PARALLEL_MIN_BYTES", 4096)
    monkeypatch.setattr(split, "SAMPLE_BYTES", 2048)
    broken = tmp_path / "broken" / "increment.meta"
    clean = tmp_path / "clean" / "increment.meta"
    for path in (broken, clean):
        path.parent.mkdir()
    # Every line but each tenth is wrong: a number for ProductId.
    broken.write_text(
        "".join(
            add(pid=f"p{n}") if n % 10 == 0 else add(pid=f"p{n}").replace(f'"p{n}"', str(n))
            for n in range(1, 1201)
        )
    )
    clean.write_text(big_manifest(1200))
    parallel = Config(check_images=False, jobs=2)
    one = Config(check_images=False, jobs=1)
    for path, expected in ((broken, True), (clean, False)):
        with path.open("rb") as stream:
            run = Run(str(path), parallel)
            assert split.mostly_slow(stream, run) is expected
            assert stream.tell() == 0
    size = broken.stat().st_size
    assert split.parts(parallel, size, str(broken), mostly_slow=True) == 2
    assert split.parts(parallel, size, str(broken)) == 1
    assert lint_file(broken, parallel) == lint_file(broken, one)
    assert sum(d.code == "ML103" for d in lint_file(broken, one)) == 1080


# -- imports ----------------------------------------------------------------------------------


def test_engine_does_not_import_front_ends_or_pillow(tmp_path: Path) -> None:
    manifest = tmp_path / "increment.meta"
    manifest.write_text(add() + delete("2") + "oops\n")
    script = f"""
import sys
from pathlib import Path
from metalint.config import Config
from metalint.engine import lint_file
found = lint_file(Path({str(manifest)!r}), Config(check_images=False))
assert [d.code for d in found] == ["ML005"], found
heavy = {{"typer", "pygls", "rich", "PIL", "click", "lsprotocol"}}
print(sorted(m for m in sys.modules if m.split(".")[0] in heavy or m in heavy))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]", done.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parallel scan is Linux-only")
@pytest.mark.parametrize("cores", [4, 8])
def test_parallel_scan_with_many_workers(
    cores: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # More workers than this machine has cores: the split and the replay are what is tested,
    # and with six or more workers the parent's own piece shrinks to nothing.
    monkeypatch.setattr(split, "PARALLEL_MIN_BYTES", 4096)
    monkeypatch.setattr(split.os, "cpu_count", lambda: cores)
    manifest = tmp_path / "increment.meta"
    manifest.write_text(big_manifest(1200))
    many = Config(check_images=False, jobs=cores, use_cache=False)
    assert split.parts(many, manifest.stat().st_size, str(manifest)) == cores
    assert lint_file(manifest, many) == lint_file(
        manifest, Config(check_images=False, jobs=1, use_cache=False)
    )
