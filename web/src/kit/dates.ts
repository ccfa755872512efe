// Dates are shown as YYYY-MM-DD everywhere; timestamps in Beijing time (the platform's users are all in China).

const BEIJING = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** "2025-03-01" → "2025-03-01"; a datetime → its Beijing date; null → "—". */
export function formatDate(value: string | null | undefined): string {
  if (!value) return "—";
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  return formatDateTime(value).slice(0, 10);
}

/** ISO timestamp → "2025-03-01 14:05" in Beijing time. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return "—";
  const parts = Object.fromEntries(BEIJING.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** Today's date in Beijing as YYYY-MM-DD (the default as-of date of an evaluation). */
export function todayBeijing(): string {
  return formatDateTime(new Date().toISOString()).slice(0, 10);
}

/** A deadline that ends at 24:00 Beijing time → "2025-10-10 24:00" (the last day allowed, as people say it). */
export function formatDeadline(value: string | null | undefined): string {
  if (!value) return "—";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return "—";
  const end = formatDateTime(value);
  if (!end.endsWith(" 00:00")) return end;
  return `${formatDate(new Date(d.getTime() - 60_000).toISOString())} 24:00`;
}
