"""Configuration files: discovery, every key, every error path, and the command line on top."""

from __future__ import annotations

from pathlib import Path

import pytest

from metalint.config import Config
from metalint.configfile import (
    ConfigError,
    ConfigResolver,
    Overrides,
    Selection,
    build_config,
    find_config_file,
    load_settings,
)
from metalint.diagnostics import Severity
from metalint.rules import all_rules
from metalint.service import Service

ALL_CODES = frozenset(rule.code for rule in all_rules())


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def config_from(tmp_path: Path, text: str, overrides: Overrides | None = None) -> Config:
    settings = load_settings(write(tmp_path / "metalint.toml", text))
    return build_config(settings, overrides or Overrides())


# -- discovery -------------------------------------------------------------------------------


def test_without_configuration_the_defaults_apply(tmp_path: Path) -> None:
    config = ConfigResolver(isolated=True)(tmp_path / "increment.meta")
    assert config.disabled == frozenset()
    assert config.service is Service.PRODUCT
    assert config.check_images


def test_metalint_toml_beats_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.metalint]\nservice = "cloth"\n')
    write(tmp_path / "metalint.toml", 'service = "generic"\n')
    assert find_config_file(tmp_path) == tmp_path / "metalint.toml"
    assert ConfigResolver()(tmp_path / "increment.meta").service is Service.GENERIC


def test_the_closest_file_wins(tmp_path: Path) -> None:
    write(tmp_path / "metalint.toml", 'service = "generic"\n')
    write(tmp_path / "a" / "pyproject.toml", '[tool.metalint]\nservice = "cloth"\n')
    resolver = ConfigResolver()
    assert resolver(tmp_path / "a" / "b" / "increment.meta").service is Service.CLOTH
    assert resolver(tmp_path / "c" / "increment.meta").service is Service.GENERIC


def test_a_pyproject_without_a_metalint_table_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "metalint.toml", 'service = "trademark"\n')
    write(tmp_path / "a" / "pyproject.toml", '[project]\nname = "x"\n')
    assert find_config_file(tmp_path / "a") == tmp_path / "metalint.toml"


def test_config_option_is_used_for_every_manifest(tmp_path: Path) -> None:
    write(tmp_path / "a" / "metalint.toml", 'service = "generic"\n')
    chosen = write(tmp_path / "elsewhere.toml", 'service = "furniture"\n')
    resolver = ConfigResolver(config_file=chosen)
    assert resolver(tmp_path / "a" / "increment.meta").service is Service.FURNITURE
    assert resolver(tmp_path / "a" / "increment.meta").base_dir == tmp_path


def test_isolated_ignores_every_file(tmp_path: Path) -> None:
    write(tmp_path / "metalint.toml", 'service = "generic"\nignore = ["ALL"]\n')
    config = ConfigResolver(isolated=True)(tmp_path / "increment.meta")
    assert config.service is Service.PRODUCT
    assert config.disabled == frozenset()


def test_resolver_remembers_manifests_and_reads_each_file_once(tmp_path: Path) -> None:
    write(tmp_path / "metalint.toml", 'service = "generic"\n')
    resolver = ConfigResolver()
    first = resolver(tmp_path / "increment.meta")
    write(tmp_path / "metalint.toml", "this is no longer TOML")
    assert resolver(tmp_path / "increment.meta") is first
    assert resolver.seen == [tmp_path / "increment.meta"] * 2


# -- values ----------------------------------------------------------------------------------


def test_every_key(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    config = config_from(
        tmp_path,
        """
        select = ["ALL"]
        ignore = ["ML3"]
        extend-select = ["ML301"]
        service = "cloth"
        images-root = "images"
        jobs = 3
        cache-dir = ".cache/metalint"
        [severity]
        ML123 = "error"
        duplicate-line = "info"
        [per-file-ignores]
        "legacy/*" = ["ML1", "duplicate-line"]
        """.replace("\n        ", "\n"),
    )
    assert config.service is Service.CLOTH
    assert config.images_root == (tmp_path / "images").resolve()
    assert config.cache_dir == (tmp_path / ".cache" / "metalint").resolve()
    assert config.jobs == 3
    assert config.base_dir == tmp_path.resolve()
    assert config.severities == {"ML123": Severity.ERROR, "ML203": Severity.INFO}
    assert config.enabled("ML301")
    assert not config.enabled("ML306")
    assert config.enabled("ML101")
    (entry,) = config.per_file_ignores
    assert entry.pattern == "legacy/*"
    assert "ML203" in entry.codes and "ML101" in entry.codes and "ML001" not in entry.codes
    legacy = config.for_path(str(tmp_path / "legacy" / "increment.meta"))
    assert not legacy.enabled("ML101")
    assert config.for_path(str(tmp_path / "new" / "increment.meta")).enabled("ML101")


def test_pyproject_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.metalint]\nignore = ["ML203"]\n')
    config = ConfigResolver()(tmp_path / "increment.meta")
    assert config.disabled == {"ML203"}


# -- rule selection precedence ---------------------------------------------------------------

SELECTION_CASES = [
    # (file layer, command-line layer, code, expected to run)
    (Selection(), Selection(), "ML101", True),
    (Selection(select=("ML1",)), Selection(), "ML001", False),
    (Selection(select=("ML1",), ignore=("ML101",)), Selection(), "ML101", False),
    (Selection(select=("ML1",), ignore=("ML101",)), Selection(), "ML102", True),
    (Selection(ignore=("ML1",), extend_select=("ML101",)), Selection(), "ML101", True),
    (Selection(ignore=("ML1",), extend_select=("ML101",)), Selection(), "ML102", False),
    (Selection(select=("ML101",), ignore=("ML1",)), Selection(), "ML101", True),
    (Selection(ignore=("ALL",)), Selection(), "ML001", False),
    (Selection(select=("missing-field",)), Selection(), "ML101", True),
    (Selection(select=("missing-field",)), Selection(), "ML102", False),
    (Selection(select=("ml1",)), Selection(), "ML102", True),
    # The command line's --select replaces the file's select.
    (Selection(select=("ML1",)), Selection(select=("ML2",)), "ML101", False),
    (Selection(select=("ML1",)), Selection(select=("ML2",)), "ML203", True),
    (Selection(extend_select=("ML101",)), Selection(select=("ML2",)), "ML101", False),
    (Selection(extend_select=("ML101",)), Selection(extend_select=("ML2",)), "ML101", True),
    # A file's ignore stays in force unless the command line is at least as specific.
    (Selection(ignore=("ML101",)), Selection(extend_select=("ML1",)), "ML101", False),
    (Selection(ignore=("ML101",)), Selection(select=("ML101",)), "ML101", True),
    (Selection(ignore=("ML1",)), Selection(extend_select=("ML1",)), "ML102", True),
    (Selection(extend_select=("ML1",)), Selection(ignore=("ML1",)), "ML102", False),
    # Within one layer, an ignore beats a select of the same specificity.
    (Selection(), Selection(extend_select=("ML101",), ignore=("ML101",)), "ML101", False),
]


@pytest.mark.parametrize(("file_layer", "cli_layer", "code", "expected"), SELECTION_CASES)
def test_selection_precedence(
    tmp_path: Path, file_layer: Selection, cli_layer: Selection, code: str, expected: bool
) -> None:
    lines = []
    for key, value in (
        ("select", file_layer.select),
        ("extend-select", file_layer.extend_select),
        ("ignore", file_layer.ignore),
    ):
        if value is not None and (value or key == "select"):
            lines.append(f"{key} = {list(value)!r}".replace("'", '"'))
    config = config_from(tmp_path, "\n".join(lines) + "\n", Overrides(selection=cli_layer))
    assert config.enabled(code) is expected
    assert config.disabled <= ALL_CODES


# -- the command line on top -----------------------------------------------------------------


def test_overrides_beat_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("METALINT_NO_CACHE", raising=False)
    (tmp_path / "img").mkdir()
    text = 'service = "cloth"\njobs = 2\nimages-root = "img"\n'
    overrides = Overrides(
        service=Service.TRADEMARK,
        check_images=False,
        images_root=Path("/elsewhere"),
        jobs=5,
        use_cache=False,
    )
    config = config_from(tmp_path, text, overrides)
    assert config.service is Service.TRADEMARK
    assert not config.check_images
    assert config.images_root == Path("/elsewhere")
    assert config.jobs == 5
    assert not config.use_cache
    assert config_from(tmp_path, text).use_cache


@pytest.mark.parametrize(("value", "cached"), [("1", False), ("", True), ("0", True)])
def test_no_cache_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, cached: bool
) -> None:
    monkeypatch.setenv("METALINT_NO_CACHE", value)
    assert config_from(tmp_path, "").use_cache is cached


# -- errors ----------------------------------------------------------------------------------

ERROR_CASES = [
    # (file name, contents, words the message must contain)
    ("metalint.toml", "selec = []\n", ["selec", "unknown setting", "did you mean 'select'"]),
    ("metalint.toml", "colour = 1\n", ["colour", "unknown setting", "known:"]),
    ("metalint.toml", 'select = "ML1"\n', ["select", "list of strings"]),
    ("metalint.toml", "ignore = [1]\n", ["ignore", "list of strings"]),
    ("metalint.toml", 'extend-select = ["ML999"]\n', ["extend-select", "ML999"]),
    ("metalint.toml", 'select = ["no-such-rule"]\n', ["select", "unknown rule selector"]),
    ("metalint.toml", 'ignore = ["ML9"]\n', ["ignore", "'ML9'"]),
    ("metalint.toml", 'severity = "error"\n', ["severity", "table"]),
    ("metalint.toml", '[severity]\nML999 = "error"\n', ["severity", "unknown rule 'ML999'"]),
    ("metalint.toml", '[severity]\nML101 = "fatal"\n', ["severity.ML101", "'fatal'"]),
    ("metalint.toml", '[severity]\nML1 = "info"\n', ["severity", "unknown rule 'ML1'"]),
    ("metalint.toml", 'per-file-ignores = ["x"]\n', ["per-file-ignores", "table"]),
    ("metalint.toml", '[per-file-ignores]\n"a/*" = "ML1"\n', ['"a/*"', "list of strings"]),
    ("metalint.toml", '[per-file-ignores]\n"a/*" = ["XX"]\n', ['"a/*"', "'XX'"]),
    ("metalint.toml", 'service = "shoes"\n', ["service", "product, generic", "'shoes'"]),
    ("metalint.toml", "service = 1\n", ["service", "1"]),
    ("metalint.toml", "images-root = 3\n", ["images-root", "folder path"]),
    ("metalint.toml", 'images-root = ""\n', ["images-root", "folder path"]),
    ("metalint.toml", 'images-root = "nothere"\n', ["images-root", "nothere is not a folder"]),
    ("metalint.toml", "cache-dir = []\n", ["cache-dir", "folder path"]),
    ("metalint.toml", "jobs = 0\n", ["jobs", "positive integer"]),
    ("metalint.toml", "jobs = true\n", ["jobs", "positive integer"]),
    ("metalint.toml", 'jobs = "2"\n', ["jobs", "positive integer"]),
    ("metalint.toml", "select = [\n", ["invalid TOML"]),
    ("pyproject.toml", "[tool]\nmetalint = 1\n", ["[tool.metalint] must be a table"]),
    ("pyproject.toml", "[tool.metalint]\njobs = -1\n", ["tool.metalint.jobs", "positive"]),
]


@pytest.mark.parametrize(("name", "text", "words"), ERROR_CASES)
def test_configuration_errors_name_the_file_and_key(
    tmp_path: Path, name: str, text: str, words: list[str]
) -> None:
    path = write(tmp_path / name, text)
    with pytest.raises(ConfigError) as caught:
        ConfigResolver()(tmp_path / "increment.meta")
    message = str(caught.value)
    assert str(path) in message
    for word in words:
        assert word in message


def test_config_option_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        ConfigResolver(config_file=tmp_path / "missing.toml")
    write(tmp_path / "pyproject.toml", "[project]\n")
    with pytest.raises(ConfigError, match=r"no \[tool.metalint\] table"):
        ConfigResolver(config_file=tmp_path / "pyproject.toml")


@pytest.mark.parametrize(
    ("selection", "flag"),
    [
        (Selection(select=("XX",)), "--select"),
        (Selection(extend_select=("ML99",)), "--extend-select"),
        (Selection(ignore=("nope",)), "--ignore"),
    ],
)
def test_unknown_selectors_on_the_command_line(selection: Selection, flag: str) -> None:
    with pytest.raises(ConfigError, match=flag):
        ConfigResolver(Overrides(selection=selection), isolated=True)
