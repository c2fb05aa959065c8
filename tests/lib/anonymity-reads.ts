/**
 * What a tenant can read of its internal figures, as published cells: each answer the worker gives
 * with an internal figure that is not suppressed becomes the set of respondents it covers (the
 * period the answer states, the unit's subtree in the tree at the time of the read, the split).
 */
import { api } from '../api/helpers.ts';
import { measuresOf } from '../../worker/domain/measure-registry.ts';
import type { Cell, Respondent } from './anonymity-rank.ts';

export interface PublishedCell {
  source: string;
  covers: Cell;
}

interface Figure {
  n?: number;
  suppressed?: true;
}

/** The units at or below `unitId` in a tree given as child → parent. */
export function subtreeOf(parents: ReadonlyMap<string, string | null>, unitId: string): Set<string> {
  const inside = new Set([unitId]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [id, parentId] of parents) if (parentId !== null && inside.has(parentId) && !inside.has(id)) inside.add(id), (grew = true);
  }
  return inside;
}

function cell(source: string, period: { from: string; to: string }, units: Set<string> | null, split?: (r: Respondent) => boolean): PublishedCell {
  return {
    source,
    covers: (r) => period.from <= r.day && r.day < period.to && (units === null || units.has(r.unitId)) && (!split || split(r)),
  };
}

const published = (figure: Figure | null | undefined): figure is Figure & { n: number } =>
  figure != null && !figure.suppressed && typeof figure.n === 'number' && figure.n > 0;

/** GET /v1/scorecard?query: a cell per period whose internal figures are published. */
export async function scorecardCells(key: string, query: string, parents: ReadonlyMap<string, string | null>): Promise<PublishedCell[]> {
  const response = await api(`/v1/scorecard?${query}`, { key });
  if (response.status !== 200) return [];
  type Internal = { supportIndex: Figure };
  const body = (await response.json()) as {
    unitId: string | null;
    periods: { from: string; to: string; internal: Internal; byTenureBand?: Record<string, Internal>; byRole?: Record<string, Internal> }[];
  };
  const units = body.unitId === null ? null : subtreeOf(parents, body.unitId);
  return body.periods.flatMap((p) => {
    const source = `scorecard?${query} ${p.from}..${p.to}`;
    const splits = [
      ...Object.entries(p.byTenureBand ?? {}).map(([value, figures]) => [`tenureBand=${value}`, figures, (r: Respondent) => r.tenureBand === value] as const),
      ...Object.entries(p.byRole ?? {}).map(([value, figures]) => [`role=${value}`, figures, (r: Respondent) => r.role === value] as const),
    ];
    return [
      ...(published(p.internal.supportIndex) ? [cell(source, p, units)] : []),
      ...splits.flatMap(([name, figures, test]) => (published(figures.supportIndex) ? [cell(`${source} ${name}`, p, units, test)] : [])),
    ];
  });
}

/** GET /v1/diagnostics?query: the scope's cell and the tenure-band cells that are published. */
export async function diagnosticsCells(key: string, query: string, parents: ReadonlyMap<string, string | null>): Promise<PublishedCell[]> {
  const response = await api(`/v1/diagnostics?${query}`, { key });
  if (response.status !== 200) return [];
  const body = (await response.json()) as {
    unitId: string | null;
    period: { from: string; to: string };
    attitudeParadox: { supportIndex: Figure | null };
    attitudeDecay: { new: Figure | null; established: Figure | null };
    changes: { previousPeriod: { from: string; to: string }; figures: Record<'supportIndex' | 'enps', object | null> } | null;
  };
  const units = body.unitId === null ? null : subtreeOf(parents, body.unitId);
  const source = `diagnostics?${query}`;
  // A change of an internal figure is published from both periods' cells: each counts as published.
  const changed = body.changes && (['supportIndex', 'enps'] as const).some((figure) => {
    const change = body.changes!.figures[figure];
    return change !== null && !('suppressed' in change);
  });
  return [
    ...(published(body.attitudeParadox.supportIndex) ? [cell(source, body.period, units)] : []),
    ...(changed ? [cell(`${source} change`, body.period, units), cell(`${source} change, before`, body.changes!.previousPeriod, units)] : []),
    ...(['new', 'established'] as const).flatMap((band) =>
      published(body.attitudeDecay[band]) ? [cell(`${source} ${band}`, body.period, units, (r) => r.tenureBand === band)] : [],
    ),
  ];
}

/**
 * GET /v1/key-drivers/respondents?query: the cell it analyses, when not withheld. Its weights are
 * not linear in the answers, but its `respondents` is the cell's count, and an attacker who could
 * recover sums from the weights would hold at most this cell's (count, sum): counted as published.
 */
export async function respondentDriversCells(key: string, query: string, parents: ReadonlyMap<string, string | null>): Promise<PublishedCell[]> {
  const response = await api(`/v1/key-drivers/respondents?${query}`, { key });
  if (response.status !== 200) return [];
  const body = (await response.json()) as { unitId: string | null; period: { from: string; to: string }; respondents: number | null };
  if (body.respondents === null || body.respondents === 0) return [];
  return [cell(`key-drivers/respondents?${query}`, body.period, body.unitId === null ? null : subtreeOf(parents, body.unitId))];
}

/**
 * GET /v1/key-drivers?query: across units, each taking part with its own unit means. The answer
 * says how many units took part, not which, so every leaf unit counts as published when any did:
 * more cells than the truth, which can only make the rank test stricter.
 */
export async function keyDriversCells(key: string, query: string, parents: ReadonlyMap<string, string | null>): Promise<PublishedCell[]> {
  const response = await api(`/v1/key-drivers?${query}`, { key });
  if (response.status !== 200) return [];
  const body = (await response.json()) as { period: { from: string; to: string }; units: number };
  if (body.units === 0) return [];
  const withChildren = new Set([...parents.values()].filter((parent) => parent !== null));
  return [...parents.keys()].filter((id) => !withChildren.has(id)).map((id) => cell(`key-drivers?${query} unit ${id}`, body.period, new Set([id])));
}

/**
 * GET /v1/benchmarks of each internal measure for one kind of period: the tenant's own value is its
 * whole cell of the snapshot's period (eNPS's covers those who answered recommendEmployer: every
 * respondent of tests/api/helpers.ts `internalRating` does).
 */
export async function benchmarkCells(key: string, periodKind: 'month' | 'quarter' | 'rolling12'): Promise<PublishedCell[]> {
  const cells: PublishedCell[] = [];
  for (const measure of measuresOf('internal')) {
    const response = await api(`/v1/benchmarks?measure=${measure}&cohort=all&period=${periodKind}`, { key });
    if (response.status !== 200) continue;
    const body = (await response.json()) as { period: { start: string; end: string }; own: { value?: number } };
    if (typeof body.own.value === 'number') cells.push(cell(`benchmarks?measure=${measure}&period=${periodKind}`, { from: body.period.start, to: body.period.end }, null));
  }
  return cells;
}

/** GET /v1/heatmap?query (every page): a cell per unit whose internal figures are published, covering its subtree. */
export async function heatmapCells(key: string, query: string, parents: ReadonlyMap<string, string | null>): Promise<PublishedCell[]> {
  const cells: PublishedCell[] = [];
  let cursor: string | null = null;
  do {
    const response = await api(`/v1/heatmap?${query}&limit=100${cursor ? `&cursor=${cursor}` : ''}`, { key });
    if (response.status !== 200) return cells;
    const body = (await response.json()) as { period: { from: string; to: string }; data: { unit: { id: string }; cells: { supportIndex: { value: number | null; n: number | null } } }[]; nextCursor: string | null };
    for (const row of body.data) {
      if (row.cells.supportIndex.value !== null && (row.cells.supportIndex.n ?? 0) > 0) cells.push(cell(`heatmap?${query} ${row.unit.id}`, body.period, subtreeOf(parents, row.unit.id)));
    }
    cursor = body.nextCursor;
  } while (cursor);
  return cells;
}
