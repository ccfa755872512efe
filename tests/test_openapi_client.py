"""The web UI's typed API client is generated from the OpenAPI document; these tests fail when it is stale."""

from __future__ import annotations

import hashlib
import json

from srdi.config import REPO_ROOT
from srdi.openapi_export import openapi_document, render

WEB = REPO_ROOT / "web"
REGENERATE = (
    "regenerate with: .venv/bin/python -m srdi.openapi_export web/openapi.json && (cd web && npm run gen:api)"
)


def test_committed_openapi_json_matches_a_fresh_export_of_the_running_app() -> None:
    committed = (WEB / "openapi.json").read_text(encoding="utf-8")
    fresh = render(openapi_document())
    if committed != fresh:
        old_paths = set(json.loads(committed)["paths"])
        new_paths = set(json.loads(fresh)["paths"])
        raise AssertionError(
            "web/openapi.json is stale "
            f"(paths added: {sorted(new_paths - old_paths)}, removed: {sorted(old_paths - new_paths)}); "
            + REGENERATE
        )


def test_generated_typescript_schema_was_built_from_the_committed_openapi_json() -> None:
    digest = hashlib.sha256((WEB / "openapi.json").read_bytes()).hexdigest()
    first_line = (WEB / "src" / "api" / "schema.d.ts").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == f"// openapi.json sha256: {digest}", (
        "web/src/api/schema.d.ts is stale; " + REGENERATE
    )


# The enum labels' generated file is checked by tests/test_enum_labels.py.
