"""The dependency rule as an import-linter contract type, so it covers every domain — today's and the next ones.

The rule (CONTRIBUTING.md, decision 0018): shared plumbing (``kit``, ``db``, ``rules_engine``, ``reference``)
imports no domain; ORM models, enums, schemas and exceptions may be shared; a domain's
``repository``, ``router``, ``tasks``, ``cli`` and ``demo`` modules are private to it (another domain reaches it
only through its ``service``); a router calls services, never a repository, its own included. Domains are
discovered from the package tree (every sub-package of the root that is not listed as shared plumbing), so a new
domain is checked the day its folder appears, without anyone editing the contract.

Roles are recognised at any depth inside a domain: ``orders/importing/router.py`` is a router and private like
``orders/router.py``; a role that became a package (``orders/service/…``, ``orders/router/…``) keeps its role.

Registered in ``pyproject.toml`` (``contract_types``); ``lint-imports`` puts the working directory on
``sys.path``, which is how it finds this module as ``scripts.import_contracts``.
"""

from __future__ import annotations

from typing import Any

from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def _is_kind(segment: str, kinds: set[str]) -> bool:
    """``repository`` and ``award_repository`` are both repositories; ``router`` and ``open311_router`` routers."""
    return segment in kinds or any(segment.endswith("_" + kind) for kind in kinds)


class DomainRuleContract(Contract):
    root = fields.StringField()
    shared = fields.ListField(subfield=fields.StringField())
    private = fields.ListField(subfield=fields.StringField())
    routers = fields.ListField(subfield=fields.StringField(), required=False)
    repositories = fields.ListField(subfield=fields.StringField(), required=False)
    plumbing = fields.ListField(subfield=fields.StringField(), required=False)

    def _domain(self, module: str) -> str | None:
        parts = module.split(".")
        if parts[0] != self.root or len(parts) < 3 or parts[1] in self.shared:
            return None  # top-level modules (srdi.main, srdi.cli) and shared plumbing are not domains
        return parts[1]

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        private = set(self.private)
        routers = set(self.routers or ["router"])
        repositories = set(self.repositories or ["repository"])
        plumbing = set(self.plumbing or [])
        violations: list[dict[str, Any]] = []
        for importer in sorted(graph.modules):
            home = self._domain(importer)
            parts = importer.split(".")
            if parts[0] != self.root:
                continue
            below_domains = len(parts) > 1 and parts[1] in plumbing
            # A role may be a folder (``router/…``) or sit in a sub-area folder (``importing/router``).
            importer_is_router = any(_is_kind(seg, routers) for seg in parts[2:])
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                there = self._domain(imported)
                if there is None:
                    continue
                inner = imported.split(".")[2:]
                lines = graph.get_import_details(importer=importer, imported=imported)
                line = lines[0]["line_number"] if lines else 0
                if below_domains:
                    why = f"{importer.split('.')[1]} is shared plumbing: it may not import the {there} domain"
                    violations.append({"importer": importer, "imported": imported, "line": line, "why": why})
                elif home is not None and home != there and any(_is_kind(s, private) for s in inner):
                    why = f"{imported} is private to the {there} domain: call {there}.service instead"
                    violations.append({"importer": importer, "imported": imported, "line": line, "why": why})
                elif importer_is_router and any(_is_kind(s, repositories) for s in inner):
                    why = "a router calls services, never a repository (not even its own)"
                    violations.append({"importer": importer, "imported": imported, "line": line, "why": why})
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for v in check.metadata["violations"]:
            output.print_error(f"{v['importer']} -> {v['imported']} (l.{v['line']}): {v['why']}", bold=False)
            output.new_line()
