"""The dependency rule's contract (scripts/import_contracts.py, decision 0018) catches each kind of breach, in a
domain nobody listed: it finds domains from the package tree, so the next domain is checked the day it exists."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CONFIG = """
[importlinter]
root_package = shop
contract_types =
    domain_rule: scripts.import_contracts.DomainRuleContract

[importlinter:contract:rule]
name = the dependency rule
type = domain_rule
root = shop
shared =
    kit
private =
    repository
    router
    tasks
    cli
    demo
plumbing =
    kit
"""


def _package(tmp: Path, files: dict[str, str]) -> Path:
    for rel, body in {"shop/__init__.py": "", **files}.items():
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body), encoding="utf-8")
        init = path.parent / "__init__.py"
        if not init.exists():
            init.write_text("", encoding="utf-8")
    (tmp / ".importlinter").write_text(CONFIG, encoding="utf-8")
    return tmp


def _lint(tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": f"{tmp}:{ROOT}", "PATH": "/usr/bin:/bin", "COLUMNS": "400"}
    return subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), str(tmp / ".importlinter"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )


BASE = {
    "shop/orders/models.py": "X = 1\n",
    "shop/orders/repository.py": "from shop.orders import models\n",
    "shop/orders/service.py": "from shop.orders import repository\n",
    "shop/orders/router.py": "from shop.orders import service\n",
    "shop/kit/money.py": "Y = 2\n",
}


def test_a_tree_that_keeps_the_rule_passes(tmp_path):
    files = {**BASE, "shop/billing/service.py": "from shop.orders import service, models\n"}
    run = _lint(_package(tmp_path, files))
    assert run.returncode == 0, run.stdout + run.stderr


def test_another_domains_repository_is_refused(tmp_path):
    files = {**BASE, "shop/billing/service.py": "from shop.orders import repository\n"}
    run = _lint(_package(tmp_path, files))
    assert run.returncode == 1
    assert "shop.billing.service -> shop.orders.repository" in run.stdout
    assert "private to the orders domain" in run.stdout


def test_a_router_reaching_its_own_repository_is_refused(tmp_path):
    files = {**BASE, "shop/orders/export_router.py": "from shop.orders import repository\n"}
    run = _lint(_package(tmp_path, files))
    assert run.returncode == 1
    assert "a router calls services, never a repository" in run.stdout


def test_plumbing_importing_a_domain_is_refused(tmp_path):
    files = {**BASE, "shop/kit/money.py": "from shop.orders import models\n"}
    run = _lint(_package(tmp_path, files))
    assert run.returncode == 1
    assert "kit is shared plumbing" in run.stdout


def test_roles_inside_folders_keep_their_rule(tmp_path):
    # A sub-area folder with its own roles, and a role that became a package (CONTRIBUTING: roles as folders).
    files = {
        **BASE,
        "shop/orders/importing/service.py": "from shop.orders import repository\n",
        "shop/orders/importing/router.py": "from shop.orders.importing import service\n",
        "shop/orders/service/__init__.py": "from shop.orders.service.pricing import price\n",
        "shop/orders/service/pricing.py": "from shop.orders import repository\nprice = 1\n",
    }
    assert _lint(_package(tmp_path / "ok", files)).returncode == 0
    bad = {
        **files,
        "shop/billing/service.py": "from shop.orders.importing import router\n",
        "shop/orders/router/__init__.py": "",
        "shop/orders/router/export.py": "from shop.orders import repository\n",
    }
    del bad["shop/orders/router.py"]
    run = _lint(_package(tmp_path / "bad", bad))
    assert run.returncode == 1
    assert "shop.billing.service -> shop.orders.importing.router" in run.stdout
    assert "shop.orders.router.export -> shop.orders.repository" in run.stdout
