/**
 * The demo tenant's living data: a retail chain's tree of units (46 touchpoints: 44 stores, a contact
 * centre and an online shop; three internal suppliers) and, per day, the ratings its customers and
 * staff would have given, drawn with the reference pool's model (`drawExternal`, `drawInternal`).
 * It tells the thesis' story over 13 months: customers blame attitude, staff stay willing, support
 * is weak (recognition weakest) and improves slowly; one store lags. Staff answer a monthly pulse
 * survey on the 1st (8 to 14 per unit), so the current month's internal figures are there from its
 * first day and no unit's month is suppressed.
 *
 * Every day is drawn from its own stream of a seed derived from the tenant id; ids are hashes of
 * tenant, day and position, so no two demo tenants (nor a demo and the pool) share one. A day is always drawn
 * whole, so it is the same day however many times it is written in pieces: `seedDemo` writes what occurred
 * since its last call, up to now (13 months on the first run, then the "top-up").
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { DAY_MS, drawExternal, drawInternal, type LatentUnit, type CustomerTraits } from './generate.ts';
import { addRatingsToRollups, copyRatings, copyRows } from './load.ts';
import { mulberry32, type Random, substream } from './random.ts';
import type { NewExternalRating } from '../../worker/db/external-ratings.ts';
import type { NewInternalRating } from '../../worker/db/internal-ratings.ts';

/** Months of history before the current one. */
export const DEMO_HISTORY_MONTHS = 12;
const CUSTOMERS: CustomerTraits = { recurringShare: 0.18, serviceOffset: 0.1, occasionalBlame: 0.95 };
/** Commitments, internal culture, empowerment, recognition, leadership support. */
const CAUSE_OFFSETS = [0.1, 0.05, -0.2, -0.6, 0.15];
/** How much the support culture improves from the first month to the current one. */
const IMPROVEMENT = 0.7;

interface DemoUnit {
  key: string;
  name: string;
  kind: LatentUnit['kind'];
  parent?: string;
  /** Support culture at the start of the history (pool scale: 0 is an average organization). */
  support?: number;
  willing?: boolean;
  /** External ratings on an average day. */
  daily?: number;
  /** Pulse survey respondents per month. */
  staff?: number;
}

/**
 * The chain's stores, with their cities' districts. Enough of them that the key drivers across units
 * (worker/domain/key-drivers.ts: at least 40 units with enough answers on both sides) have something to say.
 */
const STORES = [
  'Madrid – Serrano', 'Madrid – La Vaguada', 'Madrid – Alcalá', 'Barcelona – Passeig de Gràcia', 'Barcelona – Sants',
  'Sevilla – Nervión', 'Sevilla – Centro', 'Zaragoza', 'Málaga', 'Murcia', 'Palma', 'Las Palmas', 'Bilbao', 'Alicante',
  'Córdoba', 'Valladolid', 'Vigo', 'Gijón', 'A Coruña', 'Granada', 'Vitoria', 'Elche', 'Oviedo', 'Santa Cruz de Tenerife',
  'Pamplona', 'Almería', 'San Sebastián', 'Burgos', 'Santander', 'Castellón', 'Albacete', 'Logroño', 'Badajoz',
  'Salamanca', 'Huelva', 'Lleida', 'Tarragona', 'León', 'Cádiz', 'Jaén', 'Girona',
];

/** Each store's own support culture and staff, drawn once from a fixed stream: the same chain in every demo. */
function chainStores(): DemoUnit[] {
  const rng = mulberry32(substream(0x5c0de, 1));
  return STORES.map((name) => ({
    key: `store ${name}`,
    name: `${name} store`,
    kind: 'touchpoint' as const,
    parent: 'stores',
    support: -0.5 + rng.next(),
    willing: rng.chance(0.85),
    daily: 0.6 + 0.6 * rng.next(),
    staff: 8 + Math.floor(rng.next() * 5),
  }));
}

/** Group units carry no ratings of their own: their figures are their children's (the scorecard's subtree). */
const UNITS: DemoUnit[] = [
  { key: 'service', name: 'Customer service', kind: 'touchpoint' },
  { key: 'stores', name: 'Stores', kind: 'touchpoint', parent: 'service' },
  { key: 'madrid', name: 'Madrid – Gran Vía store', kind: 'touchpoint', parent: 'stores', support: -0.1, willing: true, daily: 6, staff: 14 },
  { key: 'barcelona', name: 'Barcelona – Diagonal store', kind: 'touchpoint', parent: 'stores', support: 0.2, willing: true, daily: 5, staff: 12 },
  { key: 'valencia', name: 'Valencia store', kind: 'touchpoint', parent: 'stores', support: -0.9, willing: true, daily: 3, staff: 10 },
  ...chainStores(),
  { key: 'contact', name: 'Contact centre', kind: 'touchpoint', parent: 'service', support: -0.4, willing: false, daily: 7, staff: 13 },
  { key: 'online', name: 'Online shop', kind: 'touchpoint', parent: 'service', support: 0.3, willing: true, daily: 4, staff: 10 },
  { key: 'support', name: 'Operations support', kind: 'internal-supplier' },
  { key: 'it', name: 'IT helpdesk', kind: 'internal-supplier', parent: 'support', support: -0.3, willing: true, staff: 11 },
  { key: 'hr', name: 'HR and training', kind: 'internal-supplier', parent: 'support', support: -0.5, willing: true, staff: 10 },
  { key: 'logistics', name: 'Logistics', kind: 'internal-supplier', parent: 'support', support: 0, willing: true, staff: 12 },
];
/** The demo's units, groups included. */
export const DEMO_UNITS = UNITS.length;

/**
 * A UUID (v4-shaped) named by its parts. Not drawn from the streams: a 32-bit generator's streams can
 * overlap, and an overlap with a pool organization's stream repeated its rating ids.
 */
function demoId(...parts: (string | number)[]): string {
  const hex = createHash('sha256').update(parts.join('/')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[parseInt(hex[16]!, 16) % 4]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A 32-bit seed from the tenant id (FNV-1a over its characters). */
function seedOf(tenantId: string): number {
  let h = 0x811c9dc5;
  for (const c of tenantId) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

const dayNumber = (day: Date) => Math.floor(day.getTime() / DAY_MS);
const utcDay = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));

/** The first day of the demo's history: the 1st of the month `DEMO_HISTORY_MONTHS` before `now`'s. */
export function demoStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - DEMO_HISTORY_MONTHS, 1));
}

export function demoUnits(tenantId: string): { id: string; tenant_id: string; name: string; kind: DemoUnit['kind']; parent_id: string | null }[] {
  const ids = new Map(UNITS.map((unit) => [unit.key, demoId(tenantId, 'unit', unit.key)]));
  return UNITS.map((unit) => ({ id: ids.get(unit.key)!, tenant_id: tenantId, name: unit.name, kind: unit.kind, parent_id: unit.parent ? ids.get(unit.parent)! : null }));
}

/** The ratings of the whole of `day` (callers keep those that have occurred). */
export function demoDay(tenantId: string, day: Date, start: Date): { external: NewExternalRating[]; internal: NewInternalRating[] } {
  const rng: Random = mulberry32(substream(seedOf(tenantId), dayNumber(day)));
  const ids = new Map(demoUnits(tenantId).map((unit, i) => [UNITS[i]!.key, unit.id]));
  // 0 at the start of the history, 1 at its end (13 months later).
  const progress = Math.min(1, (day.getTime() - start.getTime()) / ((DEMO_HISTORY_MONTHS + 1) * 30.4 * DAY_MS));
  const weekend = [0, 6].includes(day.getUTCDay());
  const end = day.getTime() + DAY_MS;
  const external: NewExternalRating[] = [];
  const internal: NewInternalRating[] = [];
  for (const unit of UNITS.filter((u) => u.support !== undefined)) {
    const latent: LatentUnit = { id: ids.get(unit.key)!, name: unit.name, kind: unit.kind, support: unit.support! + IMPROVEMENT * progress, willing: unit.willing! };
    const daily = (unit.daily ?? 0) * (weekend ? 0.6 : 1);
    const count = Math.round(daily * (0.7 + 0.6 * rng.next()));
    for (let i = 0; i < count; i++) external.push({ ...drawExternal(rng, latent, CUSTOMERS, { start: day.getTime(), end }), id: demoId(tenantId, dayNumber(day), unit.key, 'external', i) });
    if (day.getUTCDate() === 1) {
      for (let i = 0; i < unit.staff!; i++) {
        const role = unit.kind === 'touchpoint' ? rng.weighted(['frontline', 'support', 'leader'] as const, [8, 1, 1]) : rng.weighted(['support', 'leader'] as const, [4, 1]);
        internal.push({ ...drawInternal(rng, latent, CAUSE_OFFSETS, { role, isNew: rng.chance(0.3), day }), id: demoId(tenantId, dayNumber(day), unit.key, 'internal', i) });
      }
    }
  }
  return { external, internal };
}

export interface SeedDemoResult {
  externalRatings: number;
  internalRatings: number;
  /** Whether this call created the units and the history. */
  created: boolean;
  /** Whether it wrote ratings of an ended month, which the benchmarks of ended periods read. */
  endedMonths: boolean;
}

/**
 * Writes the demo tenant's units (first run) and every rating that has occurred by `now` and is not
 * written yet, with their rollups, in one transaction, as the tables' owner (see load.ts).
 */
export async function seedDemo(databaseUrl: string, tenantId: string, now = new Date()): Promise<SeedDemoResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('begin');
    // Serializes two top-ups of the same tenant (a restart while the timer fires).
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [tenantId]);
    // What is written ends at the last rating that occurred (external) and the last pulse day (internal).
    const { rows } = await client.query<{ first: string | null; external: string | null; internal: string | null; units: string[] }>(
      `select (min(occurred_at) at time zone 'UTC')::date::text as first, to_json(max(occurred_at)) #>> '{}' as external,
              (select max(occurred_on)::text from internal_ratings where tenant_id = $1) as internal,
              array(select id::text from units where tenant_id = $1) as units
       from external_ratings where tenant_id = $1`,
      [tenantId],
    );
    const created = rows[0]!.units.length === 0;
    const firstWritten = rows[0]!.first;
    // The improvement runs from the first day ever written, so a top-up continues the same story.
    const start = firstWritten ? new Date(`${firstWritten}T00:00:00Z`) : demoStart(now);
    // All of them on a first run; a demo made by an older version of this file gets the units it lacks.
    const existing = new Set(rows[0]!.units);
    const missing = demoUnits(tenantId).filter((unit) => !existing.has(unit.id));
    if (missing.length > 0) {
      await copyRows(client, 'units', missing);
      // The story's units existed before their first rating, as units created through the API do: the tree's
      // history (read by the disclosure rule, worker/domain/disclosure.ts) dates them at the story's start, not today.
      const ids = missing.map((unit) => unit.id);
      await client.query('delete from unit_parent_history where tenant_id = $1 and unit_id = any($2::uuid[])', [tenantId, ids]);
      await client.query(
        `insert into unit_parent_history (tenant_id, unit_id, parent_id, valid_from)
         select tenant_id, id, parent_id, $2 from units where tenant_id = $1 and id = any($3::uuid[])`,
        [tenantId, new Date(start.getTime() - DAY_MS).toISOString(), ids],
      );
    }
    const written = { external: rows[0]!.external, internal: rows[0]!.internal };
    const after = { external: written.external ? Date.parse(written.external) : -Infinity, internal: written.internal ?? '' };
    const month = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    let externalRatings = 0;
    let endedMonths = false;
    const internal: NewInternalRating[] = [];
    // Drawn day by day as the COPY takes them (Postgres parses one slice while the next is drawn); each day's
    // staff pulse is kept for the internal COPY, which copyRatings runs after this one.
    const external = function* () {
      for (let day = written.external ? utcDay(new Date(after.external)) : start; day <= now; day = new Date(day.getTime() + DAY_MS)) {
        const drawn = demoDay(tenantId, day, start);
        for (const rating of drawn.internal) {
          if (rating.occurred_on <= after.internal || Date.parse(rating.occurred_on) > now.getTime()) continue;
          internal.push(rating);
          endedMonths ||= Date.parse(rating.occurred_on) < month;
        }
        for (const rating of drawn.external) {
          const at = Date.parse(rating.occurred_at);
          if (at <= after.external || at > now.getTime()) continue;
          externalRatings++;
          endedMonths ||= at < month;
          yield rating;
        }
      }
    };
    await copyRatings(client, [{ tenantId, external: external(), internal }], now);
    if (externalRatings + internal.length > 0) await addRatingsToRollups(client, [tenantId], written);
    await client.query('commit');
    return { externalRatings, internalRatings: internal.length, created, endedMonths };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * Which months lack a published benchmark snapshot: the last complete one (`lastComplete`: the run that ranks
 * the demo must run, e.g. after a stop that interrupted it) and those of the demo's history (the 12 before it,
 * oldest last), each as the instant to run the job at: the job computes the month before it. A snapshot staged
 * by an interrupted run and never published does not count.
 */
export async function monthsWithoutSnapshot(databaseUrl: string, now = new Date()): Promise<{ lastComplete: boolean; earlier: Date[] }> {
  const month = (back: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ start: string }>(`select period_start::text as start from benchmark_snapshots where period_kind = 'month' and published_at is not null`);
    const done = new Set(rows.map((row) => row.start));
    const missing = (start: Date) => !done.has(start.toISOString().slice(0, 10));
    return {
      lastComplete: missing(month(1)),
      earlier: Array.from({ length: DEMO_HISTORY_MONTHS }, (_, i) => month(2 + i))
        .filter(missing)
        .map((start) => new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1, 12))),
    };
  } finally {
    await client.end();
  }
}
