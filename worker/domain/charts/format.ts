import type { Measure } from '../measures.ts';

/**
 * How a manager reads each measure: a human title, how its values print (shares as percentages, net
 * scores signed) and which way is better.
 */
export interface MeasureDisplay {
  title: string;
  /** One line saying what the number is. */
  meaning: string;
  better: 'higher' | 'lower';
  format(value: number): string;
}

const mean = (value: number) => value.toFixed(2);
/** A share 0-1 as a percentage, e.g. 0.533 → "53.3%". */
export const percent = (value: number) => `${Number((value * 100).toFixed(1))}%`;
const signed = (value: number) => `${value > 0 ? '+' : value < 0 ? '−' : ''}${Number(Math.abs(value).toFixed(1))}`;

export const MEASURE_DISPLAY: Record<Measure, MeasureDisplay> = {
  quality: { title: 'Quality', meaning: 'Mean client score for quality, 1 to 5', better: 'higher', format: mean },
  quantity: { title: 'Quantity', meaning: 'Mean client score for quantity, 1 to 5', better: 'higher', format: mean },
  opportunity: { title: 'Timeliness', meaning: 'Mean client score for opportunity (timeliness), 1 to 5', better: 'higher', format: mean },
  cost: { title: 'Cost', meaning: 'Mean client score for cost, 1 to 5', better: 'higher', format: mean },
  overall: { title: 'Overall satisfaction', meaning: 'Mean overall client score, 1 to 5', better: 'higher', format: mean },
  csat: { title: 'Customer satisfaction (CSAT)', meaning: 'Share of clients scoring 4 or 5 overall', better: 'higher', format: percent },
  nps: { title: 'Net Promoter Score', meaning: 'Promoters minus detractors, −100 to +100', better: 'higher', format: signed },
  enps: { title: 'Employee Net Promoter Score', meaning: 'Staff promoters minus detractors, −100 to +100', better: 'higher', format: signed },
  supportIndex: { title: 'Internal support', meaning: 'Mean of the five support scores staff give, 1 to 5', better: 'higher', format: mean },
  willingness: { title: 'Staff willingness', meaning: 'Mean self-assessed willingness, 1 to 5', better: 'higher', format: mean },
  attitudeBlameShare: { title: 'Complaints blaming attitude', meaning: 'Share of dissatisfied clients who blame staff attitude', better: 'lower', format: percent },
  leadershipSupport: { title: 'Support from leaders', meaning: 'Mean score staff give their leaders’ support, 1 to 5', better: 'higher', format: mean },
};

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const parse = (date: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d));
};
const dayName = (date: Date) => `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]!.slice(0, 3)} ${date.getUTCFullYear()}`;

/**
 * A half-open period [from, to) as people say it: "November 2026" for 2026-11-01 – 2026-12-01,
 * "Q4 2026" for a calendar quarter, "October 2025 – September 2026" for whole months, else the
 * first and last day it includes.
 */
export function periodLabel(from: string, to: string, style: 'long' | 'short' = 'long'): string {
  const start = parse(from);
  const last = new Date(parse(to).getTime() - 86_400_000);
  const months = (last.getUTCFullYear() - start.getUTCFullYear()) * 12 + last.getUTCMonth() - start.getUTCMonth() + 1;
  const wholeMonths = start.getUTCDate() === 1 && parse(to).getUTCDate() === 1;
  const month = (date: Date) => (style === 'long' ? MONTHS[date.getUTCMonth()]! : MONTHS[date.getUTCMonth()]!.slice(0, 3));
  if (wholeMonths && months === 1) return `${month(start)} ${start.getUTCFullYear()}`;
  if (wholeMonths && months === 3 && start.getUTCMonth() % 3 === 0) return `Q${start.getUTCMonth() / 3 + 1} ${start.getUTCFullYear()}`;
  if (wholeMonths) return `${month(start)} ${start.getUTCFullYear()} – ${month(last)} ${last.getUTCFullYear()}`;
  return `${dayName(start)} – ${dayName(last)}`;
}
