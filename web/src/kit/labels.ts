// Chinese labels of the API's enum values, exported from the backend (web/labels.json, see srdi.openapi_export).
import labels from "../../labels.json";

const LABELS: Record<string, string> = labels;

export function label(value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  return LABELS[value] ?? value;
}

export const TIERS = ["innovative_sme", "srdi_sme", "little_giant", "tech_sme", "tech_innovative_sme", "single_champion"];
export const SIZE_CLASSES = ["large", "medium", "small", "micro"];

/** Element Plus tag colour per tier, so the same tier looks the same on every page. */
export function tierTagType(tier: string): "primary" | "success" | "warning" | "danger" | "info" {
  return ({ innovative_sme: "primary", srdi_sme: "success", little_giant: "danger", single_champion: "warning" } as const)[
    tier as "innovative_sme"
  ] ?? "info";
}
