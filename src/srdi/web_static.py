"""Serving the built web UI: precompressed copies and cache headers.

``web/scripts/compress.mjs`` writes ``x.js.br`` and ``x.js.gz`` next to every text asset at build time. A browser that
accepts brotli or gzip gets the smaller copy (``Content-Encoding``), with ``Vary: Accept-Encoding`` so shared caches
keep the variants apart. Files under ``/assets`` carry a content hash in their name (Vite), so they never change:
``Cache-Control: public, max-age=31536000, immutable``. ``index.html`` names the current hashes and must be checked
on every load: ``no-cache``.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Preferred first: brotli is about 15–20 % smaller than gzip on the bundles (see docs/decisions).
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


def _accepted(request: Request) -> set[str]:
    header = request.headers.get("accept-encoding", "")
    out: set[str] = set()
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if params.strip().replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            continue
        if name:
            out.add(name.strip().lower())
    return out


def file_response(request: Request, path: Path, *, cache_control: str) -> FileResponse:
    """``path`` itself or its precompressed copy when the browser accepts it; headers set for caching."""
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    headers = {"Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    accepted = _accepted(request)
    for encoding, suffix in ENCODINGS:
        variant = path.with_name(path.name + suffix)
        if encoding in accepted and variant.is_file():
            headers["Content-Encoding"] = encoding
            return FileResponse(variant, media_type=media_type, headers=headers)
    return FileResponse(path, media_type=media_type, headers=headers)


def asset_path(dist: Path, path: str) -> Path | None:
    """The file ``path`` names inside ``dist``, or None when it does not exist or lies outside."""
    if not path:
        return None
    root = dist.resolve()
    candidate = (dist / path).resolve()
    if candidate.is_file() and root in candidate.parents:
        return candidate
    return None
