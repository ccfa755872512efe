// The typed API client: paths and shapes come from schema.d.ts, generated from the backend's OpenAPI document.
import createClient, { type Middleware } from "openapi-fetch";
import { ApiError, toApiError } from "@/kit/errors";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

/** Name of the readable cookie that carries the CSRF token (double-submit: echoed in X-CSRF-Token). */
export const CSRF_COOKIE = "srdi_csrf";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return null;
}

let unauthorizedHandler: (() => void) | null = null;
/** Called when a request answers 401 (the session expired): the router sends the user to the login page. */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    if (!SAFE_METHODS.has(request.method)) {
      const token = readCookie(CSRF_COOKIE);
      if (token) request.headers.set("X-CSRF-Token", token);
    }
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && !request.url.includes("/api/v1/auth/")) unauthorizedHandler?.();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
api.use(sessionMiddleware);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Awaits an api.GET/POST/… call and returns its data, or throws ApiError with the backend's Chinese message. */
export async function call<T>(request: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await request;
  } catch {
    throw new ApiError(0, "network_error", "无法连接服务器，请检查网络");
  }
  if (!result.response.ok || result.error !== undefined) throw toApiError(result.response.status, result.error);
  return result.data as T;
}

/** Plain fetch for endpoints the generated client cannot describe well (file uploads and downloads). */
export async function rawFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const method = (init.method ?? "GET").toUpperCase();
  if (!SAFE_METHODS.has(method)) {
    const token = readCookie(CSRF_COOKIE);
    if (token) headers.set("X-CSRF-Token", token);
  }
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "network_error", "无法连接服务器，请检查网络");
  }
  if (response.status === 401) unauthorizedHandler?.();
  if (!response.ok) {
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      /* a non-JSON error page: fall back to the status text */
    }
    throw toApiError(response.status, body);
  }
  return response;
}

/** Downloads a response as a file with the name the server gave (Content-Disposition) or `fallback`. */
export async function downloadResponse(response: Response, fallback: string): Promise<void> {
  const blob = await response.blob();
  const cd = response.headers.get("Content-Disposition") ?? "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  const name = star?.[1] ? decodeURIComponent(star[1]) : (plain?.[1] ?? fallback);
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
