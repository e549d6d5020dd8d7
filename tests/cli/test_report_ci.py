"""The formats CI servers read: GitLab Code Quality, JUnit, and JSON lines, read back by their
consumers' rules."""

from __future__ import annotations

import json
from pathlib import Path

import junitparser
import pytest
from conftest import CLEAN_LINE, ERROR_LINE, WARNING_LINE, Invoke


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def run(invoke: Invoke, fmt: str, *paths: str) -> str:
    result = invoke("--format", fmt, "--no-images", "--isolated", *paths)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def write(path: Path, *lines: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def test_gitlab_issues_have_the_fields_code_quality_reads(invoke: Invoke, tmp_path: Path) -> None:
    write(tmp_path / "shop" / "increment.meta", CLEAN_LINE, ERROR_LINE, WARNING_LINE)
    issues = json.loads(run(invoke, "gitlab", str(tmp_path / "shop")))
    assert [i["check_name"] for i in issues] == [
        "ML102 invalid-operation-type",
        "ML109 unknown-field",
    ]
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["location"]["path"] == "shop/increment.meta"  # within the checkout
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
    assert [i["location"]["lines"]["begin"] for i in issues] == [2, 3]
    assert [i["severity"] for i in issues] == ["major", "minor"]


def test_gitlab_fingerprints_are_unique_and_survive_lines_inserted_above(
    invoke: Invoke, tmp_path: Path
) -> None:
    manifest = tmp_path / "increment.meta"
    # The same mistake twice on identical lines, and once more on another line.
    other = ERROR_LINE.replace('"2"', '"9"')
    write(manifest, CLEAN_LINE, ERROR_LINE, ERROR_LINE, other)
    before = json.loads(run(invoke, "gitlab", "increment.meta"))
    fingerprints = [i["fingerprint"] for i in before]
    assert len(set(fingerprints)) == len(fingerprints)
    inserted = [CLEAN_LINE.replace('"1"', '"5"'), CLEAN_LINE.replace('"1"', '"6"')]
    write(manifest, *inserted, CLEAN_LINE, ERROR_LINE, ERROR_LINE, other)
    after = json.loads(run(invoke, "gitlab", "increment.meta"))
    assert [i["location"]["lines"]["begin"] for i in after] == [
        i["location"]["lines"]["begin"] + 2 for i in before
    ]
    assert [i["fingerprint"] for i in after] == fingerprints


def test_junit_is_read_by_a_junit_consumer(invoke: Invoke, tmp_path: Path) -> None:
    write(tmp_path / "a" / "increment.meta", ERROR_LINE, WARNING_LINE.replace('"3"', '"4"'))
    write(tmp_path / "b" / "increment.meta", CLEAN_LINE)
    report = tmp_path / "report.xml"
    report.write_text(run(invoke, "junit", "a", "b"), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(report))
    suites = list(xml)
    assert [s.name for s in suites] == ["a/increment.meta"]
    cases = list(suites[0])
    assert len(cases) == suites[0].tests == suites[0].failures == 2
    failures = [result for case in cases for result in case.result]
    assert all(isinstance(f, junitparser.Failure) for f in failures)
    assert [f.type for f in failures] == ["ML102 error", "ML109 warning"]
    assert "a/increment.meta:1:19" in cases[0].name


def test_junit_without_findings_is_one_passing_case(invoke: Invoke, tmp_path: Path) -> None:
    write(tmp_path / "increment.meta", CLEAN_LINE)
    report = tmp_path / "report.xml"
    report.write_text(run(invoke, "junit", "."), encoding="utf-8")
    (suite,) = junitparser.JUnitXml.fromfile(str(report))
    (case,) = suite
    assert suite.failures == 0 and case.is_passed


def test_junit_holds_text_xml_cannot(invoke: Invoke, tmp_path: Path) -> None:
    # XML 1.0 has no way to write a control character, which a file name may hold.
    write(tmp_path / "a\x01b" / "increment.meta", ERROR_LINE)
    report = tmp_path / "report.xml"
    report.write_text(run(invoke, "junit", "."), encoding="utf-8")
    (suite,) = junitparser.JUnitXml.fromfile(str(report))
    assert suite.name == "a\\u0001b/increment.meta"


def test_json_lines_are_the_json_elements(invoke: Invoke, tmp_path: Path) -> None:
    write(tmp_path / "increment.meta", *[ERROR_LINE.replace('"2"', f'"{i}"') for i in range(300)])
    as_array = json.loads(run(invoke, "json", "."))
    lines = run(invoke, "json-lines", ".").splitlines()
    assert [json.loads(line) for line in lines] == as_array
    assert len(lines) == 301  # 300 ML102 and the file's ML011
