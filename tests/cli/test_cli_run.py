"""The lint command in process: exit statuses, paths, stdin, flags and the text format."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CLEAN_LINE, ERROR_LINE, REPO, WARNING_LINE, Invoke

from metalint import cli

Manifest = Callable[..., Path]
TEXT_LINE = re.compile(
    r"^(?P<path>.+):(?P<line>\d+):(?P<column>\d+): (?P<code>ML\d{3}) \[(?P<name>[a-z0-9-]+)\] "
    r"(?P<severity>error|warning|info): (?P<message>.+)$"
)


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No configuration file above tmp_path may change the outcome.
    monkeypatch.chdir(tmp_path)


def test_clean_manifest_exits_0(invoke: Invoke, manifest: Manifest) -> None:
    path = manifest(CLEAN_LINE)
    result = invoke("--no-images", "--isolated", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == "All clear: 1 file checked\n"


def test_errors_exit_1(invoke: Invoke, manifest: Manifest) -> None:
    path = manifest(CLEAN_LINE, ERROR_LINE)
    result = invoke("--no-images", "--isolated", str(path))
    assert result.exit_code == 1
    first = TEXT_LINE.match(result.stdout.splitlines()[0])
    assert first is not None
    assert first["path"] == str(path)
    assert (first["line"], first["code"], first["severity"]) == ("2", "ML102", "error")
    assert result.stdout.splitlines()[-2:] == [
        "1 error, 0 warnings, 0 info in 1 file",
        "1 fixable with --fix",
    ]


def test_warnings_alone_exit_0(invoke: Invoke, manifest: Manifest) -> None:
    result = invoke("--no-images", "--isolated", str(manifest(WARNING_LINE)))
    assert result.exit_code == 0
    assert "ML109 [unknown-field] warning:" in result.stdout
    assert result.stdout.endswith("0 errors, 1 warning, 0 info in 1 file\n")


def test_exit_zero(invoke: Invoke, manifest: Manifest) -> None:
    result = invoke("--no-images", "--isolated", "--exit-zero", str(manifest(ERROR_LINE)))
    assert result.exit_code == 0
    assert "ML102" in result.stdout


def test_configured_severity_decides_the_exit_status(
    invoke: Invoke, manifest: Manifest, tmp_path: Path
) -> None:
    path = manifest(WARNING_LINE)
    (tmp_path / "metalint.toml").write_text('[severity]\nunknown-field = "error"\n')
    result = invoke("--no-images", str(path))
    assert result.exit_code == 1
    assert "ML109 [unknown-field] error:" in result.stdout
    assert invoke("--no-images", "--isolated", str(path)).exit_code == 0


def test_quiet_prints_findings_only(invoke: Invoke, manifest: Manifest) -> None:
    result = invoke("--no-images", "--isolated", "-q", str(manifest(WARNING_LINE)))
    assert len(result.stdout.splitlines()) == 1
    assert invoke("--no-images", "--isolated", "-q", str(manifest(CLEAN_LINE))).stdout == ""


def test_select_and_ignore_flags(invoke: Invoke, manifest: Manifest) -> None:
    path = str(manifest(ERROR_LINE, WARNING_LINE))
    ignored = invoke("--no-images", "--isolated", "--ignore", "ML102,ML011", path)
    assert ignored.exit_code == 0
    assert "ML102" not in ignored.stdout
    selected = invoke("--no-images", "--isolated", "--select", "unknown-field", path)
    assert [m["code"] for m in map(TEXT_LINE.match, selected.stdout.splitlines()) if m] == ["ML109"]
    extended = invoke(
        "--no-images", "--isolated", "--select", "ML102", "--extend-select", "unknown-field", path
    )
    codes = {m["code"] for m in map(TEXT_LINE.match, extended.stdout.splitlines()) if m}
    assert codes == {"ML102", "ML109"}


# -- paths -----------------------------------------------------------------------------------


def test_no_path_means_the_current_folder(invoke: Invoke, manifest: Manifest) -> None:
    manifest(ERROR_LINE, folder="deep/down")
    result = invoke("--no-images", "--isolated")
    assert result.exit_code == 1
    assert result.stdout.startswith("deep/down/increment.meta:1:")


def test_folders_are_walked_and_near_misses_reported(
    invoke: Invoke, manifest: Manifest, tmp_path: Path
) -> None:
    manifest(CLEAN_LINE, folder="tree/a")
    manifest(CLEAN_LINE, folder="tree/b", name="Increment.meta")
    manifest(CLEAN_LINE, folder="tree/c", name="increment.meta.txt")
    manifest(CLEAN_LINE, folder="tree/d", name="increment.json")
    manifest(CLEAN_LINE, folder="tree/e", name="notes.txt")
    result = invoke("--no-images", "--isolated", "tree")
    assert result.exit_code == 1
    reported = sorted(
        (m["path"], m["code"]) for m in map(TEXT_LINE.match, result.stdout.splitlines()) if m
    )
    assert reported == [
        ("tree/b/Increment.meta", "ML001"),
        ("tree/c/increment.meta.txt", "ML001"),
        ("tree/d/increment.json", "ML001"),
    ]


def test_an_explicit_file_of_another_name_is_reported_and_linted(
    invoke: Invoke, manifest: Manifest
) -> None:
    path = manifest(ERROR_LINE, name="manifest.jsonl")
    result = invoke("--no-images", "--isolated", str(path))
    codes = [m["code"] for m in map(TEXT_LINE.match, result.stdout.splitlines()) if m]
    assert "ML001" in codes and "ML102" in codes


def test_no_manifest_found(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = invoke("--isolated", "empty")
    assert result.exit_code == 0
    assert result.stdout == "Nothing checked: no increment.meta found\n"
    assert result.stderr == ""
    as_json = invoke("--isolated", "--format", "json", "empty")
    assert as_json.stdout == "[]\n"
    assert "no increment.meta found" in as_json.stderr


def test_a_missing_path_is_a_finding_and_the_others_are_linted(
    invoke: Invoke, manifest: Manifest, tmp_path: Path
) -> None:
    good = manifest(ERROR_LINE)
    result = invoke("--no-images", "--isolated", "nothere", str(good))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "nothere:1:1: ML012 [unreadable-file] error: cannot read the manifest: "
        "No such file or directory"
    )
    assert any(f"{good}:1:19: ML102" in line for line in lines)


def test_a_manifest_reached_twice_is_linted_once(
    invoke: Invoke, manifest: Manifest, tmp_path: Path
) -> None:
    path = manifest(ERROR_LINE)
    folder = path.parent
    twice = [str(tmp_path), str(folder), str(path), str(folder / ".." / folder.name / path.name)]
    result = invoke("--no-images", "--isolated", *twice)
    found = [line.split(" [")[0] for line in result.stdout.splitlines()[:-2]]
    assert found == [f"{path}:1:1: ML011", f"{path}:1:19: ML102"]
    assert result.stdout.endswith("1 error, 1 warning, 0 info in 1 file\n1 fixable with --fix\n")


def test_unprintable_characters_of_a_path_are_escaped(invoke: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "a\nb"
    folder.mkdir()
    (folder / "increment.meta").write_text(ERROR_LINE + "\n", encoding="utf-8")
    result = invoke("--no-images", "--isolated", str(tmp_path))
    assert f"{tmp_path}/a\\nb/increment.meta:1:19: ML102" in result.stdout.splitlines()[1]


def test_help_names_every_path_and_takes_h(invoke: Invoke) -> None:
    for flag in ("-h", "--help"):
        result = invoke(flag)
        assert result.exit_code == 0
        assert "[OPTIONS] [PATH]...\n" in result.stdout.splitlines(keepends=True)[0]


# -- standard input --------------------------------------------------------------------------


def test_stdin_with_stdin_filename(invoke: Invoke, tmp_path: Path) -> None:
    data = f"{CLEAN_LINE}\n{ERROR_LINE}\n".encode()
    result = invoke(
        "--no-images", "--isolated", "--stdin-filename", "shop/increment.meta", "-", stdin=data
    )
    assert result.exit_code == 1
    assert result.stdout.startswith("shop/increment.meta:2:")


def test_stdin_filename_alone_reads_stdin(invoke: Invoke) -> None:
    data = f"{ERROR_LINE}\n".encode()
    result = invoke("--no-images", "--isolated", "--stdin-filename", "x/increment.meta", stdin=data)
    assert result.stdout.startswith("x/increment.meta:1:")


def test_stdin_without_a_name_is_shown_as_dash(invoke: Invoke) -> None:
    result = invoke("--no-images", "--isolated", "-", stdin=f"{ERROR_LINE}\n".encode())
    assert result.exit_code == 1
    assert result.stdout.startswith("-:1:")
    assert "ML001" not in result.stdout


def test_stdin_name_is_checked(invoke: Invoke) -> None:
    data = f"{CLEAN_LINE}\n".encode()
    result = invoke("--no-images", "--isolated", "--stdin-filename", "a/list.json", "-", stdin=data)
    assert "ML001 [file-name]" in result.stdout


def test_stdin_source_is_shown_from_memory(invoke: Invoke) -> None:
    data = f"{CLEAN_LINE}\n{ERROR_LINE}\n".encode()
    result = invoke("--no-images", "--isolated", "--color", "always", "-", stdin=data)
    assert '2 | {"OperationType": "add"' in re.sub(r"\033\[[0-9;]*m", "", result.stdout)


# -- usage errors (exit 2) -------------------------------------------------------------------

USAGE_ERRORS = [
    (["--format", "xml"], "'xml' is not one of text, full, concise, json, json-lines,"),
    (["--service", "shoes"], "--service"),
    (["--jobs", "0"], "--jobs"),
    (["--images-root", "nothere"], "'nothere' does not exist"),
    (["--color", "sometimes"], "--color"),
    (["--select", "ML999"], "unknown rule selector 'ML999'"),
    (["--ignore", "whatever"], "unknown rule selector 'whatever'"),
    (["--select", "missing-fiel"], "did you mean 'missing-field'?"),
    (["--select", "wrong_type"], "did you mean 'wrong-type'?"),
    (["--config", "missing.toml"], "configuration file not found"),
    (["-", "-"], "standard input ('-') can only be read once"),
    (["--stdin-filename", "a/increment.meta", "."], "pass '-' too"),
    (["--no-such-flag"], "No such option"),
]


@pytest.mark.parametrize(("args", "message"), USAGE_ERRORS)
def test_usage_errors_exit_2(invoke: Invoke, args: list[str], message: str) -> None:
    result = invoke(*args, stdin=b"")
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "unknown", "suggested"),
    [
        (["--frobnicate"], "--frobnicate", set()),
        (["--no-image"], "--no-image", {"--no-images"}),
        (["--baselin", "b.json"], "--baselin", {"--baseline"}),
        (["--unsafe-fix"], "--unsafe-fix", {"--unsafe-fixes"}),
        (["clean", "--cache-di", "x"], "--cache-di", {"--cache-dir"}),
    ],
)
def test_an_unknown_option_suggests_only_the_close_ones(
    invoke: Invoke, args: list[str], unknown: str, suggested: set[str]
) -> None:
    result = invoke(*args, stdin=b"")
    assert result.exit_code == 2
    # click words it "No such option: --x (Possible options: ...)" or "No such option '--x'.
    # Did you mean '--y'?", by version; the options it names are what counts.
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("Error: No such option") and unknown in error
    named = {word.strip("(),.?'") for word in error.split(unknown, 1)[1].split()}
    assert {word for word in named if word.startswith("-")} == suggested


def test_bad_configuration_file_exits_2(invoke: Invoke, manifest: Manifest, tmp_path: Path) -> None:
    path = manifest(CLEAN_LINE)
    (tmp_path / "bucket" / "metalint.toml").write_text("select = [\n")
    result = invoke("--no-images", str(path))
    assert result.exit_code == 2
    assert "metalint.toml: invalid TOML" in result.stderr


def test_main_returns_the_exit_status(
    manifest: Manifest, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--no-images", "--isolated", str(manifest(CLEAN_LINE))]) == 0
    assert cli.main(["--no-images", "--isolated", str(manifest(ERROR_LINE))]) == 1
    assert cli.main(["--format", "yaml"]) == 2
    assert cli.main(["--version"]) == 0
    assert cli.main(["--help"]) == 0
    assert "metalint rule CODE" in capsys.readouterr().out


def test_internal_errors_exit_2_without_a_traceback(
    manifest: Manifest, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.delenv("METALINT_DEBUG", raising=False)
    monkeypatch.setattr("metalint.engine.lint_paths", explode)
    assert cli.main(["--isolated", str(manifest(CLEAN_LINE))]) == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err
    assert "Traceback" not in err


# -- the text format -------------------------------------------------------------------------


def test_color_always_shows_the_source_and_a_marker(invoke: Invoke, manifest: Manifest) -> None:
    result = invoke("--no-images", "--isolated", "--color", "always", str(manifest(ERROR_LINE)))
    assert "\033[" in result.stdout
    plain = re.sub(r"\033\[[0-9;]*m", "", result.stdout).splitlines()
    source = next(i for i, line in enumerate(plain) if line.startswith("1 | "))
    marker = plain[source + 1]
    column = ERROR_LINE.index('"add"')
    assert marker == "  | " + " " * column + "^" * len('"add"')


@pytest.mark.parametrize(
    ("env", "coloured"),
    [({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False), ({}, False)],
)
def test_force_color_brings_colours_and_source_to_a_log(
    invoke: Invoke,
    manifest: Manifest,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    coloured: bool,
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = invoke("--no-images", "--isolated", str(manifest(ERROR_LINE)))
    assert ("\033[" in result.stdout) is coloured
    assert ("1 | " in re.sub(r"\033\[[0-9;]*m", "", result.stdout)) is coloured


@pytest.mark.parametrize(
    ("env", "args", "start"),
    [
        ({"GITHUB_ACTIONS": "true"}, [], "::error file="),
        (
            {"GITHUB_ACTIONS": "true"},
            ["--format", "concise"],
            "bucket/increment.meta:2:19: ML102 O",
        ),
        ({"METALINT_FORMAT": "json"}, [], "[\n"),
        ({"METALINT_FORMAT": "json", "GITHUB_ACTIONS": "true"}, [], "[\n"),
        ({"METALINT_FORMAT": "json"}, ["--format", "github"], "::error file="),
    ],
)
def test_the_default_format(
    invoke: Invoke,
    manifest: Manifest,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    args: list[str],
    start: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    path = manifest(CLEAN_LINE, ERROR_LINE)
    monkeypatch.chdir(path.parent.parent)
    result = invoke("--no-images", "--isolated", *args, "bucket")
    assert result.stdout.startswith(start), result.stdout


def test_color_never_is_plain(invoke: Invoke, manifest: Manifest) -> None:
    result = invoke("--no-images", "--isolated", "--color", "never", str(manifest(ERROR_LINE)))
    assert "\033[" not in result.stdout
    assert " | " not in result.stdout


def test_marker_under_wide_characters(invoke: Invoke, manifest: Manifest) -> None:
    line = '{"OperationType": "ADD", "ProductId": "商品", "PicName": "图.jpg", "Custom": "x"}'
    result = invoke("--no-images", "--isolated", "--color", "always", str(manifest(line)))
    plain = re.sub(r"\033\[[0-9;]*m", "", result.stdout).splitlines()
    source = next(i for i, text in enumerate(plain) if text.startswith("1 | "))
    marker = plain[source + 1]
    # Each CJK character takes two columns on a terminal; the marker must account for it.
    first = TEXT_LINE.match(plain[0])
    assert first is not None
    before = line[: int(first["column"]) - 1]
    wide = sum(1 for ch in before if "\u4e00" <= ch <= "\u9fff")
    assert marker.index("^") - len("  | ") == len(before) + wide


# -- configuration through the command line --------------------------------------------------


def test_per_file_ignores_apply_to_matching_manifests(
    invoke: Invoke, manifest: Manifest, tmp_path: Path
) -> None:
    manifest(ERROR_LINE, folder="legacy/shop")
    manifest(ERROR_LINE, folder="current")
    (tmp_path / "metalint.toml").write_text('[per-file-ignores]\n"legacy/*" = ["ML102"]\n')
    result = invoke("--no-images", ".")
    found = {(m["path"], m["code"]) for m in map(TEXT_LINE.match, result.stdout.splitlines()) if m}
    assert ("current/increment.meta", "ML102") in found
    assert ("legacy/shop/increment.meta", "ML102") not in found


def test_config_option_and_cli_overrides(
    invoke: Invoke, manifest: Manifest, tmp_path: Path
) -> None:
    path = str(manifest(WARNING_LINE))
    settings = tmp_path / "settings.toml"
    settings.write_text('[severity]\nML109 = "error"\n')
    assert invoke("--no-images", "--config", str(settings), path).exit_code == 1
    assert (
        invoke("--no-images", "--config", str(settings), "--ignore", "ML109", path).exit_code == 0
    )
    assert invoke("--no-images", "--isolated", "--config", str(settings), path).exit_code == 0


def test_images_are_checked_unless_no_images(invoke: Invoke, manifest: Manifest) -> None:
    path = str(manifest(CLEAN_LINE))
    checked = invoke("--isolated", "--no-cache", path)
    assert checked.exit_code == 1
    assert "ML301 [image-not-found]" in checked.stdout
    assert invoke("--isolated", "--no-images", path).exit_code == 0


def test_a_missing_image_says_where_it_was_looked_for(
    invoke: Invoke, manifest: Manifest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    manifest(CLEAN_LINE)
    (tmp_path / "images").mkdir()
    line = (CLEAN_LINE + "\n").encode()
    lint = ("--isolated", "--no-cache", "--format", "concise")
    found = {
        "folder": invoke(*lint, "bucket").stdout,
        "root": invoke(*lint, "--images-root", "images", "bucket").stdout,
        "stdin": invoke(*lint, "-", stdin=line).stdout,
        "placed": invoke(*lint, "--stdin-filename", "shop/increment.meta", "-", stdin=line).stdout,
    }
    missing = "ML301 image 'a.jpg' does not exist"
    assert f"{missing} (looked in bucket)" in found["folder"]
    assert f"{missing} (looked under the image root {tmp_path / 'images'})" in found["root"]
    # Standard input has no folder of its own: its images are looked for in the current one.
    assert f"{missing} (looked in the current folder)" in found["stdin"]
    assert f"{missing} (looked in shop)" in found["placed"]


def test_images_root(invoke: Invoke, manifest: Manifest, tmp_path: Path) -> None:
    path = str(manifest(CLEAN_LINE))
    images = tmp_path / "images"
    images.mkdir()
    (images / "a.jpg").write_bytes((REPO / "examples" / "bucket" / "bag1.jpg").read_bytes())
    result = invoke("--isolated", "--no-cache", "--images-root", str(images), path)
    assert result.exit_code == 0, result.stdout


def test_excluded_manifests_are_skipped_even_when_named(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "metalint.toml").write_text('exclude = ["legacy", "*.old.meta"]\n')
    for folder in ("shop", "legacy/2019"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "increment.meta").write_text(ERROR_LINE + "\n", encoding="utf-8")
    (tmp_path / "legacy" / "2019" / "a.jpg").write_bytes(b"")
    named = [
        str(tmp_path),
        str(tmp_path / "legacy" / "2019" / "increment.meta"),
        str(tmp_path / "legacy" / "2019" / "a.jpg"),
    ]
    result = invoke("--no-images", *named)
    paths = {line.split(":")[0] for line in result.stdout.splitlines()[:-2]}
    assert paths == {str(tmp_path / "shop" / "increment.meta")}
    assert "in 1 file" in result.stdout
