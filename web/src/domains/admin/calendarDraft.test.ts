import { describe, expect, it } from "vitest";
import { holidayDays, merged, problems, weekday } from "./calendarDraft";

describe("calendar editor", () => {
  it("expands a holiday range into days off, weekends included", () => {
    const days = holidayDays("2027-02-06", "2027-02-13", "春节");
    expect(days.map((d) => d.date)).toEqual([
      "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12", "2027-02-13",
    ]);
    expect(days.every((d) => d.is_off_day && d.name === "春节")).toBe(true);
    expect(weekday("2027-02-06")).toBe("周六");
  });

  it("accepts a year with holidays and a weekend make-up day", () => {
    const days = merged(holidayDays("2027-02-06", "2027-02-13", "春节"), [
      { date: "2027-02-14", is_off_day: false, name: "春节" },
      { date: "2027-01-01", is_off_day: true, name: "元旦" },
    ]);
    expect(days[0].date).toBe("2027-01-01");
    expect(problems(2027, days)).toEqual([]);
  });

  it("names every problem the server would refuse", () => {
    expect(
      problems(2027, [
        { date: "2028-01-01", is_off_day: true, name: "元旦" },
        { date: "2027-03-01", is_off_day: false, name: "春节" },
        { date: "2027-03-01", is_off_day: false, name: " " },
      ]),
    ).toEqual([
      "日期 2028-01-01 不在 2027 年内",
      "2027-03-01（周一）本是工作日，调休上班日只能是周六或周日",
      "日期 2027-03-01 重复",
      "2027-03-01（周一）本是工作日，调休上班日只能是周六或周日",
      "2027-03-01 未填写节日名称",
    ]);
    expect(problems(2027, [{ date: "2027-02-20", is_off_day: false, name: "春节" }])).toEqual([
      "2027 年的安排至少应有一天放假（如元旦），请按国务院办公厅通知录入",
    ]);
  });
});
