"""Dependency audit (QUALITY S4): pip-audit over the hashed lock file, npm audit over web/package-lock.json.

An audit that could not consult its advisory service must never read "no known vulnerabilities". Each tool is
first run on a canary — a dependency set with published advisories (jinja2 2.10: PYSEC-2019-217 and others;
lodash 4.17.15: GHSA-p6mc-m468-83gw) — and only if the canary is flagged is the real result believed.

Exit status: 0 audited, nothing known; 1 known vulnerabilities; 2 audit not performed (service unreachable, or
packages it could not audit). Run with ``make audit``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements-dev.lock"
PY_CANARY = "jinja2==2.10\n"
NPM_CANARY_PACKAGE = {"name": "audit-canary", "version": "1.0.0", "dependencies": {"lodash": "4.17.15"}}
NPM_CANARY_LOCK = {
    "name": "audit-canary",
    "version": "1.0.0",
    "lockfileVersion": 3,
    "requires": True,
    "packages": {
        "": {"name": "audit-canary", "version": "1.0.0", "dependencies": {"lodash": "4.17.15"}},
        "node_modules/lodash": {
            "version": "4.17.15",
            "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.15.tgz",
        },
    },
}
OK, VULNERABLE, NOT_PERFORMED = 0, 1, 2


def _pip_audit(requirements: Path, *extra: str) -> dict | None:
    exe = Path(sys.executable).with_name("pip-audit")
    cmd = [
        str(exe),
        "-r",
        str(requirements),
        "--disable-pip",
        "--progress-spinner",
        "off",
        "-f",
        "json",
        *extra,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        print(f"  pip-audit failed: {(proc.stderr or proc.stdout).strip()[-300:]}")
        return None


def python_audit() -> int:
    print("Python (pip-audit, requirements-dev.lock):")
    with tempfile.TemporaryDirectory() as tmp:
        canary = Path(tmp) / "canary.txt"
        canary.write_text(PY_CANARY)
        probe = _pip_audit(canary, "--no-deps")
    if probe is None or not any(d.get("vulns") for d in probe.get("dependencies", [])):
        print("  audit not performed: advisory service unreachable (the canary jinja2==2.10 was not flagged)")
        return NOT_PERFORMED
    result = _pip_audit(LOCK, "--require-hashes")
    if result is None:
        print("  audit not performed: pip-audit could not read the lock file")
        return NOT_PERFORMED
    deps = result.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    vulnerable = [d for d in deps if d.get("vulns")]
    for d in vulnerable:
        ids = ", ".join(v["id"] for v in d["vulns"])
        print(f"  VULNERABLE {d['name']} {d.get('version')}: {ids}")
    if skipped:
        print(
            f"  audit incomplete: {len(skipped)} of {len(deps)} packages not audited, e.g. {skipped[0]['name']}"
        )
    if vulnerable:
        return VULNERABLE
    if skipped:
        return NOT_PERFORMED
    print(f"  audited {len(deps)} packages: no known vulnerabilities")
    return OK


def _npm_audit(cwd: Path) -> tuple[dict | None, str]:
    proc = subprocess.run(
        ["npm", "audit", "--package-lock-only", "--json"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        return json.loads(proc.stdout), proc.stderr
    except json.JSONDecodeError:
        return None, proc.stderr or proc.stdout


def npm_audit() -> int:
    print("Web UI (npm audit, web/package-lock.json):")
    if shutil.which("npm") is None:
        print("  audit not performed: npm is not installed")
        return NOT_PERFORMED
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "package.json").write_text(json.dumps(NPM_CANARY_PACKAGE))
        Path(tmp, "package-lock.json").write_text(json.dumps(NPM_CANARY_LOCK))
        probe, err = _npm_audit(Path(tmp))
    flagged = probe is not None and probe.get("metadata", {}).get("vulnerabilities", {}).get("total", 0) > 0
    if not flagged:
        reason = (probe or {}).get("message") or err.strip()[-200:]
        print(f"  audit not performed: advisory service unreachable ({reason})")
        return NOT_PERFORMED
    result, err = _npm_audit(ROOT / "web")
    if result is None or "metadata" not in result:
        print(f"  audit not performed: {(result or {}).get('message') or err.strip()[-200:]}")
        return NOT_PERFORMED
    counts = result["metadata"]["vulnerabilities"]
    if counts.get("total", 0):
        print(f"  VULNERABLE: {json.dumps(counts)}")
        return VULNERABLE
    print(
        f"  audited {result['metadata'].get('dependencies', {}).get('total', '?')} packages: no known vulnerabilities"
    )
    return OK


def main() -> int:
    results = [python_audit(), npm_audit()]
    worst = VULNERABLE if VULNERABLE in results else max(results)
    if worst == NOT_PERFORMED:
        print("RESULT: audit not performed (or incomplete) — nothing above says the dependencies are clean")
    elif worst == VULNERABLE:
        print("RESULT: known vulnerabilities found")
    else:
        print("RESULT: audited, no known vulnerabilities")
    return worst


if __name__ == "__main__":
    sys.exit(main())
