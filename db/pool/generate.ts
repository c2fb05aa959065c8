/**
 * The reference pool (DOMAIN.md, "The reference pool"): 252 organizations, about 10,000 employees
 * and their customers, drawn from a seed. Each organization draws from its own stream, so the
 * first N organizations of any pool are the same, and latent traits per organization and unit
 * drive every score, so the thesis shows in the data:
 *   - support culture (org level, varied by unit) lifts the five support scores, the unit's
 *     customer satisfaction (the service-profit link) and, a little, willingness;
 *   - most units' staff are willing (willingness ≥ 4) whatever their support, so most attitude
 *     blames fall where attitude is in fact right; new staff start more willing;
 *   - occasional customers who leave dissatisfied nearly all blame attitude; recurring ones,
 *     rarer and less often dissatisfied, seldom do.
 */
import { getTableColumns } from 'drizzle-orm';
import { answerColumns, type Side } from '../../worker/domain/measure-registry.ts';
import { externalRatings, INDUSTRIES, internalRatings, SERVICE_COMPONENTS, type SIZE_BANDS, type Tenant } from '../schema.ts';
import type { NewExternalRating } from '../../worker/db/external-ratings.ts';
import type { NewInternalRating } from '../../worker/db/internal-ratings.ts';
import { mulberry32, type Random, substream } from './random.ts';

export const POOL_ORGANIZATIONS = 252;
export const DEFAULT_POOL_SEED = 20_261_123;
/** Every pool tenant's name starts with this. */
export const POOL_NAME_PREFIX = 'Pool ';

export const DAY_MS = 86_400_000;
const REGIONS = ['ES', 'MX', 'CO', 'AR', 'CL', 'PE', 'US'] as const;
const REGION_WEIGHTS = [30, 20, 15, 10, 10, 8, 7];
const SIZE_BAND_WEIGHTS = [20, 35, 30, 15];
/** Employees surveyed per size band: [low, high]; about 40 on average, so 252 organizations ≈ 10,000. */
const EMPLOYEES: Record<(typeof SIZE_BANDS)[number], [number, number]> = { '1-49': [12, 25], '50-249': [25, 45], '250-999': [35, 60], '1000+': [50, 75] };
const CHANNELS = ['in-person', 'phone', 'email', 'chat', 'web', 'mobile-app'] as const;
const CHANNEL_WEIGHTS = [35, 25, 10, 10, 12, 8];
const NOT_PEOPLE = SERVICE_COMPONENTS.filter((c) => c !== 'people');

export interface PoolUnit {
  id: string;
  name: string;
  kind: 'touchpoint' | 'internal-supplier';
}

export interface PoolOrganization {
  tenant: Pick<Tenant, 'id' | 'name' | 'industry' | 'sizeBand' | 'region' | 'benchmarkOptIn'>;
  units: PoolUnit[];
  employees: number;
  external: NewExternalRating[];
  internal: NewInternalRating[];
}

/** The pool covers [from, to): the four complete quarters before `now`'s quarter, and that quarter up to `now`'s day. */
export function poolPeriod(now: Date): { from: Date; to: Date } {
  const quarterStartMonth = Math.floor(now.getUTCMonth() / 3) * 3;
  return {
    from: new Date(Date.UTC(now.getUTCFullYear(), quarterStartMonth - 12, 1)),
    to: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())),
  };
}

/** The id of organization `index`: its stream's first draw, so it is known without generating the rest. */
export function poolTenantId(seed: number, index: number): string {
  return mulberry32(substream(seed, index)).uuid();
}

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
export const score = (x: number, low = 1, high = 5) => Math.min(high, Math.max(low, Math.round(x)));

/** Calendar months overlapping the period, each clipped to it. */
function months({ from, to }: { from: Date; to: Date }): { start: number; end: number }[] {
  const result = [];
  for (let m = new Date(from); m < to; m = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1))) {
    const next = Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1);
    result.push({ start: m.getTime(), end: Math.min(next, to.getTime()) });
  }
  return result;
}

export interface LatentUnit extends PoolUnit {
  /** Support culture where this unit's staff work: the org's, varied by unit. */
  support: number;
  /** Whether most of its staff are willing. */
  willing: boolean;
  /**
   * What else this unit's customers meet (its product, premises, queues), independent of support:
   * most of a unit's CSAT is not its staff's support, so the support→CSAT link is modest (see
   * CALIBRATION.serviceSpread). Absent: 0.
   */
  service?: number;
}

/**
 * The knobs the calibration table (db/pool/calibration.ts, `npm run pool:calibration`) was tuned
 * with. supportLoading and serviceSpread set the unit-level support→CSAT correlation (Harter,
 * Schmidt & Hayes 2002: about .32); employerCentre sets where eNPS sits (typical organizations
 * between −10 and +30). The attitude-blame figures of the seed articles come from the willingness
 * and blame parameters below and hold with these.
 *
 * dissatisfiedCentre and occasionalBlame set how far organizations' blame shares spread below 100%
 * (issue 14: the benchmark's p90 must be below 1). With each dissatisfied customer blaming
 * independently with mean probability p, an organization with n dissatisfied customers sits at 100%
 * with probability at least pⁿ (more when organizations differ in p): 0.91¹⁰ ≈ 0.39, 0.91³⁰ ≈ 0.06.
 * So more dissatisfied answers per organization (the centre, −1.9 before: about twice as many now)
 * and a narrow spread of the occasional customers' blame (0.94-1 before) bring the quarter's share
 * of organizations at 100% below a tenth; the unwilling units' penalty rose with them (0.75 before)
 * so that about 77% of blames still fall where staff are willing.
 */
export const CALIBRATION = {
  supportLoading: 0.3,
  serviceSpread: 0.75,
  employerCentre: 7.7,
  unwillingPenalty: 1,
  dissatisfiedCentre: -1.2,
  /** Each organization's chance that a dissatisfied occasional customer blames attitude: uniform in [low, high]. */
  occasionalBlame: { low: 0.955, high: 0.975 },
} as const;

/** What drives an organization's customers' answers besides its units' latent traits. */
export interface CustomerTraits {
  /** Share of recurring customers. */
  recurringShare: number;
  /** Service level beyond support culture (product, prices, facilities). */
  serviceOffset: number;
  /** Chance that a dissatisfied occasional customer blames attitude. */
  occasionalBlame: number;
}

/**
 * `rating` with every answer column of the measure registry (./worker/domain/measure-registry.ts) that
 * the caller did not draw itself: `position` (0 worst experience, 1 best) with noise, turned where
 * lower is better; a nullable column is left out 30% of the time. Drawn on a stream of the rating's
 * own, so the calibrated draws keep their values, and a measure added to the registry is generated
 * with no edit here.
 */
export function withRegistryAnswers<R extends { id: string }>(side: Side, rating: R, position: number): R {
  const rng = mulberry32(Number.parseInt(rating.id.slice(0, 8), 16));
  const answers = rating as Record<string, unknown>;
  for (const { name, nullable, bounds: { min, max }, direction } of ANSWERS[side]) {
    if (name in answers) continue;
    const toward = direction === 'lower' ? 1 - position : position;
    // Three uniforms summed: close enough to a normal draw.
    const noise = rng.next() + rng.next() + rng.next() - 1.5;
    answers[name] = nullable && rng.chance(0.3) ? null : score(min + (toward + 0.3 * noise) * (max - min), min, max);
  }
  return rating;
}

/** Each side's registry answers with their column names, worked out once: the pool draws about 200,000 ratings. */
const ANSWERS = Object.fromEntries(
  (['external', 'internal'] as const).map((side) => {
    const columns = getTableColumns(side === 'external' ? externalRatings : internalRatings) as Record<string, { name: string; notNull: boolean }>;
    return [side, answerColumns(side).map((answer) => ({ ...answer, name: columns[answer.column]!.name, nullable: !columns[answer.column]!.notNull }))];
  }),
) as Record<Side, (ReturnType<typeof answerColumns>[number] & { name: string; nullable: boolean })[]>;

/** One external rating of `unit`, at a time drawn in [start, end). */
export function drawExternal(rng: Random, unit: LatentUnit, traits: CustomerTraits, { start, end }: { start: number; end: number }): NewExternalRating {
  const recurring = rng.chance(traits.recurringShare);
  const level = CALIBRATION.supportLoading * unit.support + (unit.service ?? 0) + (unit.willing ? 0 : -CALIBRATION.unwillingPenalty) + traits.serviceOffset;
  const dissatisfied = sigmoid(CALIBRATION.dissatisfiedCentre - level) * (recurring ? 0.35 : 1);
  const satisfied = sigmoid(0.9 + level + (recurring ? 0.3 : 0));
  const u = rng.next() * Math.max(1, dissatisfied + satisfied);
  const overall = u < dissatisfied ? (rng.chance(0.4) ? 1 : 2) : u < dissatisfied + satisfied ? (rng.chance(0.55) ? 4 : 5) : 3;
  const indicator = (missing: number) => (rng.chance(missing) ? null : score(overall + 0.8 * rng.normal()));
  const quality = indicator(0.05);
  const quantity = indicator(0.3);
  const opportunity = indicator(0.15);
  const cost = indicator(0.35);
  const blamesAttitude = overall <= 2 ? rng.chance(recurring ? 0.1 : traits.occasionalBlame) : null;
  const blamedComponent =
    blamesAttitude === true ? (rng.chance(0.75) ? 'people' : rng.pick(NOT_PEOPLE))
    : blamesAttitude === false || (overall === 3 && rng.chance(0.3)) ? rng.pick(NOT_PEOPLE)
    : null;
  const rating: NewExternalRating = {
    id: rng.uuid(),
    unit_id: unit.id,
    occurred_at: new Date(Math.floor(start + rng.next() * (end - start))).toISOString(),
    // At least one indicator, as the API requires.
    quality: (quality ?? quantity ?? opportunity ?? cost ?? null) === null ? score(overall) : quality,
    quantity,
    opportunity,
    cost,
    overall,
    recommend: rng.chance(0.85) ? score(2 * overall + 0.3 + 1.3 * rng.normal(), 0, 10) : null,
    customer_kind: recurring ? 'recurring' : 'occasional',
    channel: rng.weighted(CHANNELS, CHANNEL_WEIGHTS),
    blamed_component: blamedComponent,
    blames_attitude: blamesAttitude,
    comment: null,
    customer_ref_hash: null,
  };
  return withRegistryAnswers('external', rating, (overall - 1) / 4);
}

/** One employee's internal rating in `unit` on `day`; `causeOffsets` shift the five root causes. */
export function drawInternal(
  rng: Random,
  unit: LatentUnit,
  causeOffsets: readonly number[],
  { role, isNew, day }: { role: NewInternalRating['role']; isNew: boolean; day: Date },
): NewInternalRating {
  const support = (offset: number) => score(3 + 0.75 * unit.support + offset + 0.8 * rng.normal());
  const rating: NewInternalRating = {
    id: rng.uuid(),
    unit_id: unit.id,
    occurred_on: day.toISOString().slice(0, 10),
    commitments: support(causeOffsets[0]!),
    internal_culture: support(causeOffsets[1]!),
    empowerment: support(causeOffsets[2]!),
    recognition: support(causeOffsets[3]!),
    leadership_support: support(causeOffsets[4]!),
    knowledge: score(3.8 + 0.25 * unit.support + 0.7 * rng.normal()),
    ability: score(3.5 + 0.35 * unit.support + 0.7 * rng.normal()),
    willingness: score((unit.willing ? 4.35 : 2.9) + (isNew ? 0.4 : 0) + 0.1 * unit.support + 0.7 * rng.normal()),
    tenure_band: isNew ? 'new' : 'established',
    role,
    recommend_employer: rng.chance(0.8) ? score(CALIBRATION.employerCentre + 1.2 * unit.support + 1.8 * rng.normal(), 0, 10) : null,
  };
  return withRegistryAnswers('internal', rating, sigmoid(unit.support));
}

export function generateOrganization(seed: number, index: number, now: Date): PoolOrganization {
  const rng: Random = mulberry32(substream(seed, index));
  const id = rng.uuid();
  const industry = rng.weighted(INDUSTRIES, INDUSTRIES.map((i) => (i === 'other' ? 2 : 4)));
  const sizeBand = rng.weighted(['1-49', '50-249', '250-999', '1000+'] as const, SIZE_BAND_WEIGHTS);
  const region = rng.weighted(REGIONS, REGION_WEIGHTS);
  const tenant = {
    id,
    name: `${POOL_NAME_PREFIX}${String(index + 1).padStart(3, '0')} (${industry}, ${region})`,
    industry,
    sizeBand,
    region,
    benchmarkOptIn: rng.chance(0.96),
  };

  const culture = rng.normal();
  /** Per root cause, so organizations differ in their weakest one. */
  const causeOffsets = Array.from({ length: 5 }, () => 0.35 * rng.normal());
  const serviceOffset = 0.25 * rng.normal();
  const { low, high } = CALIBRATION.occasionalBlame;
  const occasionalBlame = low + (high - low) * rng.next();
  const recurringShare = 0.1 + 0.16 * rng.next();

  const touchpoints = sizeBand === '1-49' ? 2 : rng.int(2, 4);
  const units: LatentUnit[] = Array.from({ length: touchpoints + rng.int(1, 2) }, (_, i) => {
    const kind = i < touchpoints ? 'touchpoint' : 'internal-supplier';
    const support = culture + 0.5 * rng.normal();
    return {
      id: rng.uuid(),
      name: kind === 'touchpoint' ? `Touchpoint ${i + 1}` : `Internal supplier ${i - touchpoints + 1}`,
      kind,
      support,
      willing: !rng.chance(sigmoid(-1.93 - 0.6 * support)),
      service: CALIBRATION.serviceSpread * rng.normal(),
    };
  });

  const period = poolPeriod(now);
  const spans = months(period);
  const internal: NewInternalRating[] = [];
  const [fewest, most] = EMPLOYEES[sizeBand];
  const employees = rng.int(fewest, most);
  for (let e = 0; e < employees; e++) {
    const unit = rng.weighted(units, units.map((u) => (u.kind === 'touchpoint' ? 3 : 1)));
    const role = unit.kind === 'touchpoint' ? rng.weighted(['frontline', 'support', 'leader'] as const, [8, 1, 1]) : rng.weighted(['support', 'leader'] as const, [4, 1]);
    // A third joined during the period or shortly before it, so they are new for their first year.
    const hired = rng.chance(0.3) ? period.from.getTime() + (rng.next() * (period.to.getTime() - period.from.getTime() + 180 * DAY_MS) - 180 * DAY_MS) : -Infinity;
    for (const { start, end } of spans) {
      if (!rng.chance(0.35 * ((end - start) / (30 * DAY_MS)))) continue;
      const at = start + rng.next() * (end - start);
      if (at < hired) continue;
      const isNew = at - hired < 365 * DAY_MS;
      internal.push(drawInternal(rng, unit, causeOffsets, { role, isNew, day: new Date(at) }));
    }
  }

  const external: NewExternalRating[] = [];
  const monthly = sizeBand === '1-49' ? rng.int(24, 40) : rng.int(32, 60);
  const customerUnits = units.filter((u) => u.kind === 'touchpoint');
  for (const { start, end } of spans) {
    const count = Math.round(monthly * ((end - start) / (30 * DAY_MS)) * (0.85 + 0.3 * rng.next()));
    for (let r = 0; r < count; r++) {
      const unit = rng.pick(customerUnits);
      external.push(drawExternal(rng, unit, { recurringShare, serviceOffset, occasionalBlame }, { start, end }));
    }
  }

  return { tenant, units: units.map(({ id, name, kind }) => ({ id, name, kind })), employees, external, internal };
}

/** Organizations 0 … count − 1 of the pool of `seed`, one at a time (a whole pool is ~200,000 rows). */
export function* generatePool(seed: number, now: Date, count = POOL_ORGANIZATIONS): Generator<PoolOrganization> {
  for (let index = 0; index < count; index++) yield generateOrganization(seed, index, now);
}
