"""Runs the web UI's unit tests (vitest: exact 万元 money formatting, dates) when the front end is installed."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from srdi.config import REPO_ROOT

WEB = REPO_ROOT / "web"


def test_web_kit_unit_tests_pass_under_vitest() -> None:
    vitest = WEB / "node_modules" / ".bin" / "vitest"
    if not shutil.which("node") or not vitest.exists():
        pytest.skip("web unit tests need Node and `npm ci` in web/ (make web does both)")
    proc = subprocess.run(
        [str(vitest), "run", "--reporter=dot"], cwd=WEB, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
