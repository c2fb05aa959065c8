import type { Bucket } from '../../db/rollup-totals.ts';
import { ProblemError } from '../../http/problem.ts';

export const INTERVALS = ['week', 'month', 'quarter', 'rolling12'] as const;
export type Interval = (typeof INTERVALS)[number];

/** Days 'YYYY-MM-DD', `from` inclusive, `to` exclusive. */
export interface Period {
  from: string;
  to: string;
}

export const MAX_PERIODS = 36;
/** Periods shown when `from` is not given: about half a year, or a year of quarters. */
const DEFAULT_PERIODS: Record<Bucket, number> = { week: 12, month: 6, quarter: 4 };

const day = (date: Date) => date.toISOString().slice(0, 10);
const parse = (value: string) => new Date(`${value}T00:00:00Z`);

/** The first day (UTC) of the week (ISO, Monday), month or quarter holding `date`, as Postgres' date_trunc. */
function startOf(bucket: Bucket, date: Date): Date {
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  if (bucket === 'week') return new Date(Date.UTC(year, month, date.getUTCDate() - ((date.getUTCDay() + 6) % 7)));
  return new Date(Date.UTC(year, bucket === 'quarter' ? month - (month % 3) : month, 1));
}

function shift(bucket: Bucket, date: Date, count: number): Date {
  if (bucket === 'week') return new Date(date.getTime() + count * 7 * 86_400_000);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + count * (bucket === 'quarter' ? 3 : 1), date.getUTCDate()));
}

function invalid(pointer: string, detail: string): ProblemError {
  return new ProblemError('invalidParameters', `${detail}.`, { errors: [{ location: 'query', pointer, detail }] });
}

export interface PeriodPlan {
  /** The periods reported, oldest first. */
  periods: Period[];
  /** The period before the first, for its trend. */
  previous: Period;
  /** The rollup bucket each period is made of. */
  bucket: Bucket;
  kind: Interval;
}

/** `date` if a period starts on it, else the start of the next period: a period is always whole. */
function ceilTo(bucket: Bucket, date: Date): Date {
  const start = startOf(bucket, date);
  return start.getTime() === date.getTime() ? start : shift(bucket, start, 1);
}

/**
 * The periods a scorecard query asks for, always whole (the answer names them): `from` is moved back
 * to the start of its week, month or quarter and `to` forward to the end of its own, so that no
 * window can differ from another by a few days. Without them: the last complete periods.
 * `rolling12` is the 12 complete months before the start of `to`'s month.
 */
export function planPeriods(query: { from?: string; to?: string; interval: Interval }, today: Date): PeriodPlan {
  if (query.interval === 'rolling12') {
    if (query.from !== undefined) throw invalid('/from', 'rolling12 is the 12 months before `to`; it takes no `from`');
    const end = startOf('month', query.to ? parse(query.to) : today);
    const start = shift('month', end, -12);
    return { bucket: 'month', kind: 'rolling12', periods: [{ from: day(start), to: day(end) }], previous: { from: day(shift('month', start, -12)), to: day(start) } };
  }
  const bucket = query.interval;
  const end = query.to ? ceilTo(bucket, parse(query.to)) : startOf(bucket, today);
  const start = startOf(bucket, query.from ? parse(query.from) : shift(bucket, end, -DEFAULT_PERIODS[bucket]));
  if (start >= end) throw invalid('/from', '`from` must be before `to`');
  const periods: Period[] = [];
  for (let cursor = start; cursor < end; cursor = shift(bucket, cursor, 1)) {
    if (periods.length === MAX_PERIODS) throw invalid('/from', `At most ${MAX_PERIODS} periods (${bucket}s) at once`);
    const next = shift(bucket, cursor, 1);
    periods.push({ from: day(cursor), to: day(next) });
  }
  return { bucket, kind: bucket, periods, previous: { from: day(shift(bucket, start, -1)), to: day(start) } };
}

/** Whether the rollup bucket that starts on `bucketStart` belongs to `period`. */
export function holds(period: Period, bucketStart: string): boolean {
  return period.from <= bucketStart && bucketStart < period.to;
}
