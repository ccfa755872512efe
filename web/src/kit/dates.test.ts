import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, formatDeadline } from "./dates";

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

describe("a working-day deadline ends at 24:00 Beijing time of its last day", () => {
  it("midnight after 10 October is shown as 10 October 24:00", () =>
    expect(formatDeadline("2025-10-10T16:00:00Z")).toBe("2025-10-10 24:00"));
  it("any other time is shown as it is", () => expect(formatDeadline("2025-10-10T08:00:00Z")).toBe("2025-10-10 16:00"));
  it("missing shows a dash", () => expect(formatDeadline(null)).toBe("—"));
});
