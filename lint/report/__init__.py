"""Output formats: one small module per format, all behind the ``Reporter`` protocol.

A format is registered by name with the module and class that implement it; the module is only
imported when that format is asked for, so adding formats costs nothing at start-up.
"""

from __future__ import annotations

import importlib
from typing import TextIO

from metalint.report.base import Reporter, ReportOptions, Totals

FORMATS: dict[str, tuple[str, str]] = {
    "text": ("metalint.report.text", "TextReporter"),
    "full": ("metalint.report.text", "FullReporter"),
    "concise": ("metalint.report.text", "ConciseReporter"),
    "json": ("metalint.report.json", "JsonReporter"),
    "json-lines": ("metalint.report.json", "JsonLinesReporter"),
    "github": ("metalint.report.github", "GithubReporter"),
    "gitlab": ("metalint.report.gitlab", "GitlabReporter"),
    "junit": ("metalint.report.junit", "JunitReporter"),
    "sarif": ("metalint.report.sarif", "SarifReporter"),
}
"""Format name → (module, class). The class takes ``(out, options)``."""


_SUMMARIES = {"statistics": ("metalint.report.statistics", "StatisticsReporter")}
"""Reports that are no format of the findings themselves (``--statistics``)."""


def create_reporter(fmt: str, out: TextIO, options: ReportOptions) -> Reporter:
    try:
        module_name, class_name = FORMATS.get(fmt) or _SUMMARIES[fmt]
    except KeyError:
        raise ValueError(f"unknown output format {fmt!r}") from None
    factory = getattr(importlib.import_module(module_name), class_name)
    reporter: Reporter = factory(out, options)
    return reporter


__all__ = ["FORMATS", "ReportOptions", "Reporter", "Totals", "create_reporter"]
