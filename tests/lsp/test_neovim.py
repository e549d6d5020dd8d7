"""A real Neovim, headless, with the README's setup of its built-in client (``neovim/init.lua``),
opens a manifest; ``neovim/probe.lua`` reads the diagnostics Neovim shows (``vim.diagnostic``),
edits the buffer and saves it, and writes down what it saw.

Debian's ``neovim`` (0.7) gets diagnostics published and counts columns in UTF-16 code units on
the wire; ``vim.diagnostic`` turns them into byte columns of the buffer's line, which is what
is compared here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from .lspkit import BAD_OP, CLEAN, missing_tool

HERE = Path(__file__).resolve().parent / "neovim"
WIDE = (
    '{"OperationType": "ADD", "ProductId": "商品😀", "PicName": "a.jpg", "CustomContent": "x",'
    ' "Crop": "false"}'
)
MISSING = CLEAN.replace('"1"', '"5"').replace("a.jpg", "c.jpg")


def require_neovim() -> str:
    found = shutil.which("nvim")
    if found is None:
        missing_tool("Neovim is not installed (Debian: apt-get install neovim)")
    assert found is not None
    return found


def run_neovim(manifest: Path, stages: list[dict[str, Any]]) -> dict[str, Any]:
    out = manifest.parent / "probe.json"
    probe = {"out": str(out), "stages": stages}
    env = {
        **os.environ,
        # `metalint` as the README's setup calls it: the one installed beside this Python.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "METALINT_PROBE": json.dumps(probe),
        "XDG_CONFIG_HOME": str(manifest.parent / "config"),
        "XDG_DATA_HOME": str(manifest.parent / "data"),
        "XDG_STATE_HOME": str(manifest.parent / "state"),
        "XDG_CACHE_HOME": str(manifest.parent / "cache"),
    }
    done = subprocess.run(
        [
            require_neovim(),
            "--headless",
            "-n",
            "-i",
            "NONE",
            "-u",
            str(HERE / "init.lua"),
            str(manifest),
            "-c",
            f"luafile {HERE / 'probe.lua'}",
        ],
        cwd=manifest.parent,
        env=env,
        capture_output=True,
        timeout=180,
    )
    assert out.exists(), done.stderr.decode(errors="replace")
    seen: dict[str, Any] = json.loads(out.read_text())
    return seen


def stage(codes: list[str], edit: list[Any] | None = None, command: str | None = None) -> Any:
    return {"codes": sorted(codes), "edit": edit, "command": command}


@pytest.mark.slow
def test_neovim_shows_the_findings_and_follows_edits_and_saves(tmp_path: Path) -> None:
    Image.new("RGB", (200, 200), "white").save(tmp_path / "a.jpg", "JPEG")
    manifest = tmp_path / "increment.meta"
    manifest.write_text(f"{CLEAN}\n{BAD_OP}\n{WIDE}\n{MISSING}\n", encoding="utf-8")
    op = BAD_OP.index("add")
    seen = run_neovim(
        manifest,
        [
            # Opened: the line findings, and the image one (c.jpg is missing) once the
            # background check is done.
            stage(["ML102", "ML103", "ML301"]),
            # "add" made "ADD": its finding goes; the line's image is looked for at the next
            # image check, which saving starts.
            stage(["ML103", "ML301"], edit=[1, op, 1, op + 3, "ADD"]),
            stage(["ML103", "ML301", "ML301"], command="write"),
        ],
    )
    assert seen["clients"] == ["metalint"]
    assert [s["reached"] for s in seen["stages"]] == [True, True, True], seen
    opened = {d["code"]: d for d in seen["stages"][0]["diagnostics"]}
    assert all(d["source"] == "metalint" for d in opened.values())
    assert (opened["ML102"]["lnum"], opened["ML102"]["col"], opened["ML102"]["end_col"]) == (
        1,
        op - 1,
        op + 4,
    )
    assert opened["ML102"]["severity"] == 1  # vim.diagnostic.severity.ERROR
    # On the line of CJK text and emoji, Neovim's byte columns land on "false" exactly.
    false_at = len(WIDE[: WIDE.index('"false"')].encode())
    ml103 = opened["ML103"]
    assert (ml103["lnum"], ml103["col"], ml103["end_col"]) == (2, false_at, false_at + 7)
    assert opened["ML301"]["lnum"] == 3
    saved = seen["stages"][2]["diagnostics"]
    assert [d["lnum"] for d in saved if d["code"] == "ML301"] == [1, 3]
    assert manifest.read_text(encoding="utf-8").splitlines()[1] == BAD_OP.replace("add", "ADD")


@pytest.mark.slow
def test_neovim_gets_ml001_for_a_near_miss_name(tmp_path: Path) -> None:
    manifest = tmp_path / "increment.meta.txt"
    manifest.write_text(f"{CLEAN}\n", encoding="utf-8")
    Image.new("RGB", (200, 200), "white").save(tmp_path / "a.jpg", "JPEG")
    seen = run_neovim(manifest, [stage(["ML001"])])
    assert seen["stages"][0]["reached"], seen
    (d,) = seen["stages"][0]["diagnostics"]
    assert (d["lnum"], d["col"]) == (0, 0)
