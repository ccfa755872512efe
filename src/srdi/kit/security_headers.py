"""Security headers on every answer, as pure ASGI middleware (QUALITY S2).

The Content-Security-Policy allows nothing inline and no other origin: the built web UI is one script and one
style sheet from ``/assets`` (Vite), and Element Plus sets its dynamic styles through the CSSOM
(``element.style``), which ``style-src`` does not govern (measured with the browser tests, tests/e2e). FastAPI's
``/docs`` page loads Swagger UI from a CDN with an inline start script: under this policy it does not render in a
browser; it is off in production, and the API description is in ``web/openapi.json`` and ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from srdi.kit.limits import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Content-Security-Policy": CSP,
}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.production = production
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(self.headers)
        if scope.get("path", "").startswith("/api/"):
            # API answers carry personal and financial data: never keep them in a shared or browser cache.
            extra.append((b"cache-control", b"no-store"))
        if self.production:
            # Production runs behind HTTPS only (cookies are Secure there); tell browsers never to downgrade.
            extra.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", ())}
                message["headers"] = [*message.get("headers", ()), *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)
