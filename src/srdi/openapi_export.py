"""Write the API's OpenAPI document to a file, for the web client's generated types.

``python -m srdi.openapi_export web/openapi.json`` then ``npm run gen:api`` in web/. Beside the document it
writes ``src/generated/labels.ts``: the Chinese labels of every backend enum, one constant per enum
(srdi.enum_labels), so the web UI shows the same words as the backend without a second copy to maintain. The
tests tests/test_openapi_client.py and tests/test_enum_labels.py fail when a committed file differs from a fresh
export.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def openapi_document() -> dict[str, Any]:
    from srdi.main import create_app

    return create_app().openapi()


LABELS_TS = Path("src") / "generated" / "labels.ts"  # relative to the directory of the OpenAPI document


def labels_typescript() -> str:
    from srdi.enum_labels import render_typescript

    return render_typescript()


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
    labels_file = out.parent / LABELS_TS
    labels_file.parent.mkdir(parents=True, exist_ok=True)
    labels_file.write_text(labels_typescript(), encoding="utf-8")
    print(f"wrote {out} and {labels_file}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
