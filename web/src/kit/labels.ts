// Chinese labels of the API's enum values, generated from the backend per enum (src/generated/labels.ts, see
// srdi.enum_labels). label() reads the registry's enums, whose values are shown on many pages without saying
// which enum they belong to (a tier, a size class, a provenance, an IP type …); a page that knows the enum uses
// its constant directly.
import * as L from "@/generated/labels";

const LABELS: Readonly<Record<string, string>> = {
  ...L.SizeClassLabels, ...L.ProvenanceLabels, ...L.TierLabels, ...L.RecognitionLevelLabels, ...L.RecognitionStatusLabels,
  ...L.IpTypeLabels, ...L.AwardKindLabels, ...L.ContestGroupLabels, ...L.RevocationReasonLabels, ...L.AwardLevelLabels,
  ...L.HonourKindLabels, ...L.RdInstitutionLevelLabels, ...L.CertificationKindLabels, ...L.ComplianceKindLabels,
  ...L.ProductFieldLabels, ...L.ImportModeLabels, ...L.ImportStatusLabels, ...L.ChangeEntityLabels, ...L.ChangeFieldLabels,
};

export function label(value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  return LABELS[value] ?? value;
}

/** The label of a value in one enum's generated map, or the value itself when the map does not name it. */
export function labelIn(map: Readonly<Record<string, string>>, value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  return map[value] ?? value;
}

/** The options of a select, in the enum's own order: [{ value, label }]. */
export function optionsOf<K extends string>(map: Readonly<Record<K, string>>): { value: K; label: string }[] {
  return (Object.entries(map) as [K, string][]).map(([value, label]) => ({ value, label }));
}

export const TIERS = ["innovative_sme", "srdi_sme", "little_giant", "tech_sme", "tech_innovative_sme", "single_champion"];
export const SIZE_CLASSES = ["large", "medium", "small", "micro"];

/** Element Plus tag colour per tier, so the same tier looks the same on every page. */
export function tierTagType(tier: string): "primary" | "success" | "warning" | "danger" | "info" {
  return ({ innovative_sme: "primary", srdi_sme: "success", little_giant: "danger", single_champion: "warning" } as const)[
    tier as "innovative_sme"
  ] ?? "info";
}
