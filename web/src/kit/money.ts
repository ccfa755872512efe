// Money arrives from the API in yuan as exact decimal strings ("86000000.00"); officials read it in 万元.
// All arithmetic here is on BigInt so a displayed figure is never off by a float rounding error.
// Rounding is half-to-even, the same as srdi.kit.money.format_wan (Python Decimal's default), so the page
// and the exported files always show the same figure.

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

interface Scaled {
  units: bigint; // value × 10^scale
  scale: number;
}

export function parseDecimal(text: string): Scaled | null {
  const m = DECIMAL.exec(text.trim().replace(/[,，]/g, ""));
  if (!m) return null;
  const frac = m[3] ?? "";
  const units = BigInt((m[2] ?? "0") + frac) * (m[1] === "-" ? -1n : 1n);
  return { units, scale: frac.length };
}

function roundHalfEven(units: bigint, drop: number): bigint {
  if (drop <= 0) return units * 10n ** BigInt(-drop);
  const div = 10n ** BigInt(drop);
  const neg = units < 0n;
  const abs = neg ? -units : units;
  let q = abs / div;
  const r = abs % div;
  const twice = r * 2n;
  if (twice > div || (twice === div && q % 2n === 1n)) q += 1n;
  return neg ? -q : q;
}

function group(intDigits: string): string {
  return intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Formats value × 10^-scale with `places` decimals and thousands separators. */
function formatScaled(units: bigint, scale: number, places: number): string {
  const q = roundHalfEven(units, scale - places);
  const neg = q < 0n;
  const digits = (neg ? -q : q).toString().padStart(places + 1, "0");
  const intPart = digits.slice(0, digits.length - places);
  const fracPart = places > 0 ? "." + digits.slice(digits.length - places) : "";
  return (neg ? "-" : "") + group(intPart) + fracPart;
}

/** "86000000.00" (yuan) → "8,600.00" (万元, no unit). Null or unparsable → "—". */
export function wanNumber(yuan: string | number | null | undefined, places = 2): string {
  if (yuan === null || yuan === undefined || yuan === "") return "—";
  const d = parseDecimal(String(yuan));
  if (!d) return "—";
  // 1 万元 = 10^4 yuan: dividing by 10^4 is adding 4 to the scale.
  return formatScaled(d.units, d.scale + 4, places);
}

/** "86000000.00" (yuan) → "8,600.00 万元". */
export function formatWan(yuan: string | number | null | undefined, places = 2): string {
  const n = wanNumber(yuan, places);
  return n === "—" ? n : `${n} 万元`;
}

/** 万元 value for chart geometry only (bar heights); labels and tooltips use formatWan. */
export function wanForChart(yuan: string | null | undefined): number | null {
  if (yuan === null || yuan === undefined) return null;
  const d = parseDecimal(yuan);
  if (!d) return null;
  return Number(formatScaled(d.units, d.scale + 4, 6).replace(/,/g, ""));
}

/** What an official types in 万元 ("12.5") → the yuan string the API takes ("125000.00"); null if it is not a
 * number or has more precision than one fen (0.000001 万元), which is refused rather than rounded. */
export function wanInputToYuan(text: string): string | null {
  const d = parseDecimal(text);
  if (!d) return null;
  // yuan = 万元 × 10^4
  if (d.scale <= 4) return formatScaled(d.units * 10n ** BigInt(4 - d.scale), 0, 2).replace(/,/g, "");
  const yuanScale = d.scale - 4;
  if (yuanScale <= 2) return formatScaled(d.units, yuanScale, 2).replace(/,/g, "");
  const extra = 10n ** BigInt(yuanScale - 2);
  if (d.units % extra !== 0n) return null;
  return formatScaled(d.units / extra, 2, 2).replace(/,/g, "");
}

/** Ratio a/b as a percentage with `places` decimals, exact and rounded half-to-even; "—" if b is zero or missing. */
export function percent(a: string | null | undefined, b: string | null | undefined, places = 1): string {
  if (a == null || b == null) return "—";
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (!x || !y || y.units === 0n) return "—";
  // a/b × 100 × 10^places = (x.units × 10^(y.scale + 2 + places)) / (y.units × 10^x.scale)
  let num = x.units * 10n ** BigInt(y.scale + 2 + places);
  let den = y.units * 10n ** BigInt(x.scale);
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const neg = num < 0n;
  const abs = neg ? -num : num;
  let q = abs / den;
  const twice = (abs % den) * 2n;
  if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  return formatScaled(neg ? -q : q, places, places) + "%";
}
