// The working-day calendar editor's rules, kept apart from the page so vitest checks them: the same checks the
// server makes (srdi.appeal.service.set_calendar_year), so an administrator sees every problem before saving.

export interface DraftDay {
  date: string; // YYYY-MM-DD
  is_off_day: boolean;
  name: string;
}

const WEEKDAY = ["日", "一", "二", "三", "四", "五", "六"];

function dow(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay();
}

export function weekday(day: string): string {
  return "周" + WEEKDAY[dow(day)];
}

export function isWeekend(day: string): boolean {
  return dow(day) === 0 || dow(day) === 6;
}

/** Every date from ``from`` to ``to`` inclusive, as days off named ``name`` (weekends inside included). */
export function holidayDays(from: string, to: string, name: string): DraftDay[] {
  const out: DraftDay[] = [];
  const end = new Date(`${to}T00:00:00Z`);
  for (let d = new Date(`${from}T00:00:00Z`); d <= end && out.length < 60; d.setUTCDate(d.getUTCDate() + 1)) {
    out.push({ date: d.toISOString().slice(0, 10), is_off_day: true, name });
  }
  return out;
}

/** Adds ``more`` to ``days`` in date order. */
export function merged(days: DraftDay[], more: DraftDay[]): DraftDay[] {
  return [...days, ...more].sort((a, b) => a.date.localeCompare(b.date));
}

/** What the server would refuse, in its words. */
export function problems(year: number, days: DraftDay[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const d of days) {
    if (!d.date.startsWith(`${year}-`)) out.push(`日期 ${d.date} 不在 ${year} 年内`);
    if (seen.has(d.date)) out.push(`日期 ${d.date} 重复`);
    seen.add(d.date);
    if (!d.is_off_day && !isWeekend(d.date)) out.push(`${d.date}（${weekday(d.date)}）本是工作日，调休上班日只能是周六或周日`);
    if (!d.name.trim()) out.push(`${d.date} 未填写节日名称`);
  }
  if (days.length && !days.some((d) => d.is_off_day)) out.push(`${year} 年的安排至少应有一天放假（如元旦），请按国务院办公厅通知录入`);
  return out;
}
