import { describe, expect, it } from "vitest";
import { AppealStatusLabels, PurposeLabels, TierLabels } from "@/generated/labels";
import { label, labelIn, optionsOf } from "./labels";

describe("labels come from the backend's enums", () => {
  it("label() names the registry's values and shows an unknown value as it is", () => {
    expect(label("little_giant")).toBe(TierLabels.little_giant);
    expect(label("little_giant")).toBe("专精特新“小巨人”企业");
    expect(label("self_reported")).toBe("企业自报");
    expect(label("no_such_value")).toBe("no_such_value");
    expect(label(null)).toBe("—");
    expect(label("")).toBe("—");
  });
  it("labelIn() reads one enum's constant", () => {
    expect(labelIn(AppealStatusLabels, "rejected")).toBe("不予受理");
    expect(labelIn(AppealStatusLabels, "later")).toBe("later");
    expect(labelIn(AppealStatusLabels, undefined)).toBe("—");
  });
  it("optionsOf() keeps the enum's own order", () => {
    expect(optionsOf(PurposeLabels)).toEqual([
      { value: "new_application", label: "新申报" },
      { value: "re_review", label: "复核" },
    ]);
  });
});
