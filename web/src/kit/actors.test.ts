import { describe, expect, it } from "vitest";
import { actorName } from "./actors";

describe("actorName", () => {
  it("names the demo data's writer as the system and leaves people's names alone", () => {
    expect(actorName("srdi demo")).toBe("系统（演示数据）");
    expect(actorName("demo-district")).toBe("demo-district");
    expect(actorName(null)).toBe("—");
  });
});
