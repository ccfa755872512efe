// Whether the server runs in demo mode (SRDI_DEMO_MODE): the demo-account list answers only then (404 otherwise).
// Asked once per page load; every page, signed in or not, shows a banner while it is on.
import { reactive } from "vue";
import { rawFetch } from "@/api/client";

export const demoMode = reactive({ on: false, checked: false });

export async function loadDemoMode(): Promise<boolean> {
  if (demoMode.checked) return demoMode.on;
  try {
    const r = await rawFetch("/api/v1/auth/demo-accounts");
    await r.arrayBuffer(); // read the answer to its end, so the request is finished (the list itself is unused)
    demoMode.on = r.ok;
  } catch {
    demoMode.on = false; // 404 (not demo mode) or unreachable
  } finally {
    demoMode.checked = true;
  }
  return demoMode.on;
}
