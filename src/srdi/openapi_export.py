"""Write the API's OpenAPI document to a file, for the web client's generated types.

``python -m srdi.openapi_export web/openapi.json`` then ``npm run gen:api`` in web/. Beside the document it
writes ``labels.json``: the Chinese labels of the enum values the API returns (identifiers of docs/glossary.md → UI text),
so the web UI shows the same words as the backend without a second copy to maintain. The test
tests/test_openapi_client.py fails when either committed file differs from a fresh export.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def openapi_document() -> dict[str, Any]:
    from srdi.main import create_app

    return create_app().openapi()


def labels() -> dict[str, str]:
    from srdi.enterprise.enums import LABELS

    return dict(sorted(LABELS.items()))


def render(doc: dict[str, Any]) -> str:
    """Stable text form: UTF-8 Chinese kept readable, two-space indent, trailing newline."""
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m srdi.openapi_export OUTPUT.json", file=sys.stderr)
        return 2
    out = Path(args[0])
    out.write_text(render(openapi_document()), encoding="utf-8")
    (out.parent / "labels.json").write_text(render(labels()), encoding="utf-8")
    print(f"wrote {out} and {out.parent / 'labels.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
