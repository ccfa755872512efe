// Who is signed in. The session itself is an HttpOnly cookie set by the backend; this module only mirrors the
// user it belongs to, fetched from GET /api/v1/auth/me.
import { reactive } from "vue";
import { rawFetch, type Schemas } from "@/api/client";
import { ApiError } from "@/kit/errors";

/** The signed-in user, as GET /api/v1/auth/me returns it (and POST /api/v1/auth/login within its session). */
export type SessionUser = Schemas["UserOut"];

export const session = reactive<{ user: SessionUser | null; checked: boolean }>({ user: null, checked: false });

function userOf(body: unknown): SessionUser {
  const b = body as Partial<Schemas["SessionOut"]> & SessionUser;
  return b.user ?? b;
}

/** Loads the current user once per page load; a 401 means "not signed in", not an error. */
export async function loadSession(force = false): Promise<SessionUser | null> {
  if (session.checked && !force) return session.user;
  try {
    const r = await rawFetch("/api/v1/auth/me");
    session.user = userOf(await r.json());
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
    session.user = null;
  } finally {
    session.checked = true;
  }
  return session.user;
}

export async function login(username: string, password: string): Promise<SessionUser> {
  const r = await rawFetch("/api/v1/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  session.user = userOf(await r.json());
  session.checked = true;
  return session.user;
}

export async function logout(): Promise<void> {
  try {
    await rawFetch("/api/v1/auth/logout", { method: "POST" });
  } finally {
    session.user = null;
    session.checked = true;
  }
}

export function forgetSession(): void {
  session.user = null;
  session.checked = true;
}
