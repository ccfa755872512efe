"""The fault-injection hook kills a process at exactly the named point and hit (QUALITY R8)."""

from __future__ import annotations

import os
import subprocess
import sys

from srdi.kit.faults import FAULT_ENV, FAULT_EXIT_CODE

SCRIPT = """
from srdi.kit.faults import fault_point
for i in range(1, 6):
    print(i, flush=True)
    fault_point("demo.after_step")
print("finished", flush=True)
"""


def _run(spec: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != FAULT_ENV}
    if spec is not None:
        env[FAULT_ENV] = spec
    return subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60)


def test_unarmed_points_do_nothing() -> None:
    out = _run(None)
    assert out.returncode == 0
    assert out.stdout.split() == ["1", "2", "3", "4", "5", "finished"]


def test_the_process_dies_at_the_third_hit() -> None:
    out = _run("demo.after_step:3")
    assert out.returncode == FAULT_EXIT_CODE
    assert out.stdout.split() == ["1", "2", "3"]
    assert "demo.after_step" in out.stderr


def test_another_point_name_is_not_armed() -> None:
    assert _run("other.point").returncode == 0
