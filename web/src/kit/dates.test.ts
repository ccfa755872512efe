import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime } from "./dates";

describe("dates are YYYY-MM-DD in Beijing time", () => {
  it("plain dates pass through", () => expect(formatDate("2025-03-01")).toBe("2025-03-01"));
  it("a UTC evening is the next day in Beijing", () => {
    expect(formatDateTime("2025-12-31T17:30:00Z")).toBe("2026-01-01 01:30");
    expect(formatDate("2025-12-31T17:30:00+00:00")).toBe("2026-01-01");
  });
  it("missing values show a dash", () => {
    expect(formatDate(null)).toBe("—");
    expect(formatDateTime("not a date")).toBe("—");
  });
});
