import { type Measure, MEASURE_RANGES } from './measures.ts';

/*
 * The pool's disclosure mechanism (README, "What the pool reveals"). Every participant's value of a
 * measure in a period is perturbed once, with Laplace noise of scale NOISE_SCALE × the measure's range,
 * before any statistic is computed; every distribution and rank any tenant can read is computed from
 * those perturbed values only (plus, for a rank, the reader's own true value, which it knows). So no
 * combination of reads (cohorts, measures, its own value moved up and down, attribute changes,
 * reruns of the job) tells a tenant more about a peer than that peer's perturbed value.
 *
 * The draw is an HMAC of HASH_SECRET, the period, the tenant and the measure: the same in every cohort
 * and every rerun of the period, so re-reading or recomputing cannot average it away, and a peer's
 * draw does not change when the reader changes its own value (a fresh draw per run would let a tenant
 * average ~30 daily reruns of a month).
 */

/** Laplace scale as a share of the measure's range: 0.1 on a 1-5 mean, 0.025 on a share, 5 points of a net score. */
export const NOISE_SCALE = 0.025;

const encoder = new TextEncoder();

export type NoiseKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** The key of every draw: HMAC(HASH_SECRET, "benchmark-noise"), so draws are unrelated to other keyed hashes. */
export async function noiseKey(secret: string): Promise<NoiseKey> {
  const raw = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const derived = await crypto.subtle.sign('HMAC', raw, encoder.encode('benchmark-noise'));
  return crypto.subtle.importKey('raw', derived, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

/** A uniform draw in (0, 1) from 48 bits of HMAC(key, label); never 0 or 1, so the Laplace inverse is finite. */
export async function uniformDraw(key: NoiseKey, label: string): Promise<number> {
  const bytes = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(label)));
  let value = 0;
  for (let i = 0; i < 6; i++) value = value * 256 + bytes[i]!;
  return (value + 0.5) / 2 ** 48;
}

/** The draw's label: one per period, tenant and measure (not per cohort, so cohorts cannot be averaged either). */
export function drawLabel(period: { kind: string; start: string }, tenantId: string, measure: Measure): string {
  return `${period.kind}:${period.start}:${tenantId}:${measure}`;
}

/** Laplace(0, scale) by the inverse CDF of a uniform draw `u` in (0, 1). */
export function laplace(u: number, scale: number): number {
  const centred = u - 0.5;
  return -scale * Math.sign(centred) * Math.log(1 - 2 * Math.abs(centred));
}

/**
 * Folds `value` back into [low, high] by reflection at the bounds: published values stay possible
 * values of the measure, and none piles up on a bound (clamping would keep every 100% at exactly 1).
 */
export function reflectInto(value: number, low: number, high: number): number {
  const width = high - low;
  const folded = (((value - low) % (2 * width)) + 2 * width) % (2 * width);
  return low + (folded <= width ? folded : 2 * width - folded);
}

/** The published stand-in for a participant's value: value + Laplace noise, reflected into the measure's range. */
export function perturb(measure: Measure, value: number, u: number): number {
  const { min, max } = MEASURE_RANGES[measure];
  return reflectInto(value + laplace(u, NOISE_SCALE * (max - min)), min, max);
}
