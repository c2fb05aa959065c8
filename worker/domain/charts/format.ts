import { type Measure, type MeasureEntry, MEASURE_REGISTRY } from '../measure-registry.ts';

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

/** Each measure as its registry entry says it: shares print as percentages, net scores signed, means with two decimals. */
export const MEASURE_DISPLAY = Object.fromEntries(
  (MEASURE_REGISTRY as readonly MeasureEntry[]).map((entry): [Measure, MeasureDisplay] => {
    const { type } = entry.kind;
    const format = type === 'share' || type === 'shareAmong' ? percent : type === 'net' ? signed : mean;
    const meaning = entry.description ?? `${entry.title}, ${entry.scale.min} to ${entry.scale.max}`;
    return [entry.name as Measure, { title: entry.title, meaning, better: entry.direction, format }];
  }),
) as Record<Measure, MeasureDisplay>;

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
