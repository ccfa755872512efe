import { describe, expect, it } from "vitest";
import { formatWan, percent, wanForChart, wanInputToYuan, wanNumber } from "./money";

describe("formatWan shows yuan strings in 万元 exactly", () => {
  it("round figures", () => {
    expect(formatWan("86000000.00")).toBe("8,600.00 万元");
    expect(formatWan("0.00")).toBe("0.00 万元");
    expect(formatWan("10000")).toBe("1.00 万元");
  });
  it("values that binary floats get wrong stay exact", () => {
    // 0.1 + 0.2 style trap: 7542.00 yuan is exactly 0.7542 万元 → 0.75
    expect(formatWan("7542.00")).toBe("0.75 万元");
    expect(formatWan("123456789012345678.99")).toBe("12,345,678,901,234.57 万元");
  });
  it("rounds half to even like the backend's format_wan", () => {
    expect(formatWan("125.00")).toBe("0.01 万元"); // 0.0125 → 0.01 (2 is even)
    expect(formatWan("150.00")).toBe("0.02 万元"); // 0.015 → 0.02 (1 is odd)
    expect(formatWan("250.00")).toBe("0.02 万元"); // 0.025 → 0.02
    expect(formatWan("250.01")).toBe("0.03 万元"); // just past the tie
  });
  it("negative profits keep their sign", () => {
    expect(formatWan("-3500000.50")).toBe("-350.00 万元");
    expect(formatWan("-150.00")).toBe("-0.02 万元");
    expect(formatWan("-50.00")).toBe("0.00 万元"); // no "-0.00"
  });
  it("missing or unparsable values show a dash", () => {
    expect(formatWan(null)).toBe("—");
    expect(formatWan(undefined)).toBe("—");
    expect(formatWan("abc")).toBe("—");
    expect(wanNumber("")).toBe("—");
  });
});

describe("wanInputToYuan converts what an official types", () => {
  it("exact conversions", () => {
    expect(wanInputToYuan("12.5")).toBe("125000.00");
    expect(wanInputToYuan("1,234.567891")).toBe("12345678.91");
    expect(wanInputToYuan("0")).toBe("0.00");
    expect(wanInputToYuan("-3")).toBe("-30000.00");
  });
  it("refuses more precision than one fen instead of rounding", () => {
    expect(wanInputToYuan("0.0000001")).toBeNull();
    expect(wanInputToYuan("1.2345678")).toBeNull();
    expect(wanInputToYuan("1.2345670")).toBe("12345.67");
    expect(wanInputToYuan("十万")).toBeNull();
  });
});

describe("percent", () => {
  it("R&D intensity exactly on a band edge", () => {
    expect(percent("754200.00", "7542000.00", 2)).toBe("10.00%");
    expect(percent("1", "3", 1)).toBe("33.3%");
    expect(percent("1", "0")).toBe("—");
    expect(percent("1", "8", 1)).toBe("12.5%");
    expect(percent("3", "16", 2)).toBe("18.75%");
    expect(percent("1", "16", 2)).toBe("6.25%");
    expect(percent("1", "16", 1)).toBe("6.2%");
  });
});

describe("wanForChart", () => {
  it("gives a number for bar heights", () => {
    expect(wanForChart("86000000.00")).toBe(8600);
    expect(wanForChart(null)).toBeNull();
  });
});
