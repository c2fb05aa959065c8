/**
 * Diagnostics (DOMAIN.md, "Attitude paradox", "Attitude decay", "Service-profit link"): why a
 * tenant's service culture stands where it does, from the rollup totals of one period. Pure: the
 * totals in, the figures and findings in plain language out.
 */
import { CUSTOMER_KINDS, SERVICE_COMPONENTS, TENURE_BANDS } from '../../db/schema.ts';
import { changeOf, type ChangeTest } from './change.ts';
import {
  EMPTY_EXTERNAL_TOTALS,
  EMPTY_INTERNAL_TOTALS,
  type ExternalTotals,
  type InternalTotals,
  measureEntry,
  sumTotals,
} from './measure-registry.ts';
import {
  type ExternalMeasures,
  externalMeasures,
  type InternalMeasures,
  internalMeasures,
  measureEstimate,
  MIN_GROUP_RESPONDENTS,
  pointOf,
  type RootCause,
  ROOT_CAUSES,
  type ServiceComponent,
} from './measures.ts';
import { type Decision, type Disclosure, type DisclosurePeriod, monthStart, type WithheldReason } from './disclosure.ts';
import { type Correlation, type MeanEstimate, pearson, type ShareEstimate, shareOf, Z95 } from './statistics.ts';

type CustomerKind = (typeof CUSTOMER_KINDS)[number];
type TenureBand = (typeof TENURE_BANDS)[number];

/** Totals of one customer kind over the units in scope. */
export interface ExternalKindTotals extends ExternalTotals {
  customerKind: CustomerKind;
}
/** Totals of one tenure band over the units in scope. */
export interface InternalBandTotals extends InternalTotals {
  tenureBand: TenureBand;
}
/** Totals of one unit. */
export interface ExternalUnitTotals extends ExternalTotals {
  unitId: string;
}
export interface InternalUnitTotals extends InternalTotals {
  unitId: string;
}

/**
 * The totals of a unit that linkedUnits' readers use (support index, CSAT, overall, the root causes
 * and the triad, for the link and key drivers): a unit's row carries only these, so that a tenant of
 * tens of thousands of units still fits in one database answer. A measure read from a unit's row
 * must have its columns here; the others read as 0.
 */
export const LINK_TOTALS = {
  external: ['ratings', 'satisfied', 'overallSum', 'overallSumSq'],
  internal: [
    'respondents',
    'supportTotalSum', 'supportTotalSumSq',
    'commitmentsSum', 'commitmentsSumSq',
    'internalCultureSum', 'internalCultureSumSq',
    'empowermentSum', 'empowermentSumSq',
    'recognitionSum', 'recognitionSumSq',
    'leadershipSupportSum', 'leadershipSupportSumSq',
    'knowledgeSum', 'knowledgeSumSq',
    'abilitySum', 'abilitySumSq',
    'willingnessSum', 'willingnessSumSq',
  ],
} as const satisfies { external: readonly (keyof ExternalTotals)[]; internal: readonly (keyof InternalTotals)[] };

/** Paradox: at least this share of dissatisfied clients blame attitude ("high blame")… */
export const HIGH_BLAME_SHARE = 0.6;
/** …while at least this share of staff rate their own willingness ≥ 4 ("high willingness")… */
export const HIGH_FAVOURABLE_WILLINGNESS = 0.6;
/** …and the support index (1-5) is below this, short of the scale's "agree" side ("low support"). */
export const LOW_SUPPORT_INDEX = 3.5;
/** A unit counts in the service-profit link with at least this many internal respondents… */
export const LINK_MIN_RESPONDENTS = 5;
/** …and this many external ratings in the period. */
export const LINK_MIN_RATINGS = 10;
/** Fewer qualifying units than this give no correlation: its interval would span almost everything. */
export const LINK_MIN_UNITS = 4;

const ROOT_CAUSE_LABELS: Record<RootCause, string> = {
  commitments: 'commitments',
  internalCulture: 'internal culture',
  empowerment: 'empowerment',
  recognition: 'recognition',
};

const ROOT_CAUSE_ADVICE: Record<RootCause, string> = {
  commitments: 'keep the promises made to staff — the training, tools and backing they need to serve.',
  internalCulture: 'serve the internal customer: units that support other units should treat them as clients.',
  empowerment: 'give front-line staff the authority to solve a client’s problem without escalating it.',
  recognition: 'recognize and reward good service, so that effort shows a result.',
};

export interface Suppressed {
  suppressed: true;
  reason: string;
}

const SUPPRESSED: Record<WithheldReason, Suppressed> = {
  'too-few-respondents': {
    suppressed: true,
    reason: `Fewer than ${MIN_GROUP_RESPONDENTS} respondents: not shown, so that no answer can be traced to a person.`,
  },
  complementary: {
    suppressed: true,
    reason: `Withheld because, by subtraction from figures already published, it would reveal a group of fewer than ${MIN_GROUP_RESPONDENTS} respondents.`,
  },
  'period-open': { suppressed: true, reason: 'The period has not ended: internal figures are published once it has.' },
  'not-published': { suppressed: true, reason: 'Internal figures are published only for whole months, quarters and 12 months.' },
};

export interface Difference {
  estimate: number;
  standardError: number;
  interval: { low: number; high: number };
}

export type Verdict = 'organizational' | 'not-indicated' | 'insufficient-data';

export interface Finding {
  id: string;
  severity: 'high' | 'medium' | 'info';
  text: string;
  recommendation?: string;
  /** Paths of the figures in this response the finding rests on. */
  supportedBy: string[];
}

/** The figures whose change against the previous period diagnostics grade: the four indicators, CSAT and NPS, and two internal ones. */
export const CHANGE_FIGURES = {
  external: ['quality', 'quantity', 'opportunity', 'cost', 'csat', 'nps'],
  internal: ['supportIndex', 'enps'],
} as const;
export type ChangeFigure = (typeof CHANGE_FIGURES)['external' | 'internal'][number];

/** A figure in both periods and its change (worker/domain/change.ts): `significant` decides whether a finding says it moved. */
export interface FigureChange {
  previous: number;
  current: number;
  difference: number;
  interval: { low: number; high: number };
  significant: boolean;
  test: ChangeTest;
  pValue: number;
}

export interface Diagnostics {
  /**
   * Against the period of the same length just before: null where a period has nothing to compare;
   * an internal figure is withheld unless the disclosure rule publishes its cell in both periods.
   */
  changes: { previousPeriod: { from: string; to: string }; figures: Record<ChangeFigure, FigureChange | Suppressed | null> } | null;
  attitudeParadox: {
    blameShare: ShareEstimate | null;
    favourableWillingness: ShareEstimate | Suppressed | null;
    supportIndex: MeanEstimate | Suppressed | null;
    verdict: Verdict;
  };
  rootCauses: { means: Record<RootCause, MeanEstimate>; weakest: RootCause } | Suppressed | null;
  /** Support from leaders, 1-5: in the index, and a figure (and finding) of its own. */
  leadershipSupport: MeanEstimate | Suppressed | null;
  attitudeDecay: {
    new: MeanEstimate | Suppressed | null;
    established: MeanEstimate | Suppressed | null;
    difference: Difference | null;
  };
  blame: {
    /** Ratings with overall ≤ 3, the ones that may name a component. */
    unsatisfied: number;
    components: Record<ServiceComponent, { count: number; share: ShareEstimate | null }>;
    attitudeByCustomerKind: Record<CustomerKind, ShareEstimate | null> & { difference: Difference | null };
  };
  serviceProfitLink: { qualifyingUnits: number; correlation: Correlation | null; reason: string | null };
  findings: Finding[];
}

/**
 * What the service-profit link compares: the totals of the tenant's leaf units (none below them
 * today), one row per unit (or several, summed). Rows of other units must not be here; rows of
 * units short of the link's thresholds may be left out (worker/db/diagnostics.ts leaves them in
 * the database, so the read stays small at any tenant size).
 */
export interface LinkInput {
  external: readonly ExternalUnitTotals[];
  internal: readonly InternalUnitTotals[];
  period: DisclosurePeriod;
  /** Which internal cells may be published (worker/domain/disclosure.ts). */
  disclosure: Pick<Disclosure, 'decide'>;
}

export interface DiagnosticsInput extends LinkInput {
  /** The totals of the unit asked for and the units under it today (the whole tenant when `unitId` is null), by customer kind and by tenure band. */
  scope: { external: readonly ExternalKindTotals[]; internal: readonly InternalBandTotals[] };
  /** The same scope's totals in `previousPeriod(period)`; absent: no change is computed. */
  previous?: { external: ExternalTotals; internal: InternalTotals };
  /** The unit asked for, or null for the whole tenant. */
  unitId: string | null;
}

const PERIOD_MONTHS: Record<DisclosurePeriod['kind'], number> = { month: 1, quarter: 3, rolling12: 12 };

/** The period of the same kind just before `period`: what its figures' changes are measured against. */
export function previousPeriod(period: DisclosurePeriod): DisclosurePeriod {
  return { kind: period.kind, from: monthStart(new Date(`${period.from}T00:00:00Z`), -PERIOD_MONTHS[period.kind]), to: period.from };
}

function differenceOf(a: number, seA: number, b: number, seB: number): Difference {
  const standardError = Math.sqrt(seA * seA + seB * seB);
  const estimate = a - b;
  return { estimate, standardError, interval: { low: estimate - Z95 * standardError, high: estimate + Z95 * standardError } };
}

/** Difference of two independent shares, with the unpooled (Wald) standard error. */
function shareDifference(a: ShareEstimate | null, b: ShareEstimate | null): Difference | null {
  if (!a || !b) return null;
  const se = (s: ShareEstimate) => Math.sqrt((s.share * (1 - s.share)) / s.n);
  return differenceOf(a.share, se(a), b.share, se(b));
}

const isShown = <T extends object>(value: T | Suppressed | null): value is T => value !== null && !('suppressed' in value);
const percent = (share: number) => `${Math.round(share * 100)}%`;
const score = (mean: number) => mean.toFixed(1);
/** Clearly away from zero: the 95% interval excludes it. */
const significant = (d: Difference | null): d is Difference => d !== null && (d.interval.low > 0 || d.interval.high < 0);

export function diagnose({ scope, unitId, previous, ...link }: DiagnosticsInput): Diagnostics {
  const { period, disclosure } = link;
  const { external: ext, internal: int } = scope;

  // Internal figures, each only where the disclosure rule publishes its cell.
  const withheld = (decision: Decision) => (decision.published ? undefined : decision.reason);
  const staffHidden = withheld(disclosure.decide({ period, unitId }));
  const staff = internalMeasures(sumTotals(int, EMPTY_INTERNAL_TOTALS));
  const hiddenOr = <T>(reason: WithheldReason | undefined, value: T) => (reason ? SUPPRESSED[reason] : value);
  const weakest = staff.weakestRootCause;
  const rootCauses = hiddenOr(
    staffHidden,
    weakest && { means: Object.fromEntries(ROOT_CAUSES.map((cause) => [cause, staff.rootCauses[cause]!])) as Record<RootCause, MeanEstimate>, weakest },
  );

  // Withheld with the whole scope too: an empty band would otherwise tell the other holds everyone.
  const willingnessOf = (band: TenureBand) =>
    hiddenOr(
      staffHidden ?? withheld(disclosure.decide({ period, unitId, split: { dimension: 'tenureBand', value: band } })),
      internalMeasures(sumTotals(int.filter((row) => row.tenureBand === band), EMPTY_INTERNAL_TOTALS)).willingness,
    );
  const newStaff = willingnessOf('new');
  const established = willingnessOf('established');
  const decayDifference =
    isShown(newStaff) && isShown(established) && newStaff.standardError !== null && established.standardError !== null
      ? differenceOf(newStaff.mean, newStaff.standardError, established.mean, established.standardError)
      : null;

  // External figures: clients are not protected by the respondent threshold.
  const clientTotals = sumTotals(ext, EMPTY_EXTERNAL_TOTALS);
  const clients = externalMeasures(clientTotals);
  const unsatisfied = clientTotals.ratings - clientTotals.satisfied;
  const components = Object.fromEntries(
    SERVICE_COMPONENTS.map((component) => {
      const count = clients.blameByComponent[component];
      return [component, { count, share: shareOf(count, unsatisfied) }];
    }),
  ) as Diagnostics['blame']['components'];
  const byKind = Object.fromEntries(
    CUSTOMER_KINDS.map((kind) => [kind, externalMeasures(sumTotals(ext.filter((row) => row.customerKind === kind), EMPTY_EXTERNAL_TOTALS)).attitudeBlameShare]),
  ) as Record<CustomerKind, ShareEstimate | null>;

  const blameShare = clients.attitudeBlameShare;
  const favourableWillingness = hiddenOr(staffHidden, staff.willingnessFavourable);
  const supportIndex = hiddenOr(staffHidden, staff.supportIndex);
  const verdict: Verdict =
    !blameShare || !isShown(favourableWillingness) || !isShown(supportIndex)
      ? 'insufficient-data'
      : blameShare.share >= HIGH_BLAME_SHARE && favourableWillingness.share >= HIGH_FAVOURABLE_WILLINGNESS && supportIndex.mean < LOW_SUPPORT_INDEX
        ? 'organizational'
        : 'not-indicated';

  const changes = previous ? changesOf({ current: { external: clientTotals, internal: sumTotals(int, EMPTY_INTERNAL_TOTALS) }, previous, period, unitId, disclosure }) : null;

  const diagnostics: Omit<Diagnostics, 'findings'> = {
    changes,
    attitudeParadox: { blameShare, favourableWillingness, supportIndex, verdict },
    rootCauses,
    leadershipSupport: hiddenOr(staffHidden, staff.leadershipSupport),
    attitudeDecay: { new: newStaff, established, difference: decayDifference },
    blame: { unsatisfied, components, attitudeByCustomerKind: { ...byKind, difference: shareDifference(byKind.occasional, byKind.recurring) } },
    serviceProfitLink: serviceProfitLink(link),
  };
  return { ...diagnostics, findings: findingsOf(diagnostics) };
}

/** Each change figure against the previous period; internal ones only where both periods' cells are published. */
function changesOf({
  current,
  previous,
  period,
  unitId,
  disclosure,
}: {
  current: { external: ExternalTotals; internal: InternalTotals };
  previous: { external: ExternalTotals; internal: InternalTotals };
  period: DisclosurePeriod;
  unitId: string | null;
  disclosure: Pick<Disclosure, 'decide'>;
}): NonNullable<Diagnostics['changes']> {
  const before = previousPeriod(period);
  const withheld = [period, before].map((p) => disclosure.decide({ period: p, unitId })).find((decision) => !decision.published);
  const changeFor = (figure: ChangeFigure): FigureChange | null => {
    const latest = measureEstimate(figure, current.external, current.internal);
    const earlier = measureEstimate(figure, previous.external, previous.internal);
    const change = latest && earlier && changeOf(latest, earlier);
    if (!latest || !earlier || !change) return null;
    const { difference, interval, significant, test, pValue } = change;
    return { previous: pointOf(earlier), current: pointOf(latest), difference, interval, significant, test, pValue };
  };
  const figures = Object.fromEntries([
    ...CHANGE_FIGURES.external.map((figure) => [figure, changeFor(figure)]),
    ...CHANGE_FIGURES.internal.map((figure) => [figure, withheld?.published === false ? SUPPRESSED[withheld.reason] : changeFor(figure)]),
  ]) as Record<ChangeFigure, FigureChange | Suppressed | null>;
  return { previousPeriod: { from: before.from, to: before.to }, figures };
}

function byUnit<T extends { unitId: string }>(rows: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(row.unitId, [...(groups.get(row.unitId) ?? []), row]);
  return groups;
}

/**
 * The leaf units with enough answers on both sides in the period, each with its staff's and clients'
 * measures. A unit counts only if its own internal cell is published, so what is computed across
 * them rests on published figures alone and reveals nothing they do not (the service-profit link,
 * key drivers).
 */
export function linkedUnits({ external, internal, period, disclosure }: LinkInput): { id: string; staff: InternalMeasures; clients: ExternalMeasures }[] {
  // Grouped once: a tenant may have thousands of leaves.
  const staffRows = byUnit(internal);
  const clientRows = byUnit(external);
  const linked = [];
  for (const [id, rows] of staffRows) {
    if (!disclosure.decide({ period, unitId: id }).published) continue;
    const staff = internalMeasures(sumTotals(rows, EMPTY_INTERNAL_TOTALS));
    const clients = externalMeasures(sumTotals(clientRows.get(id) ?? [], EMPTY_EXTERNAL_TOTALS));
    if (staff.respondents < LINK_MIN_RESPONDENTS || clients.ratings < LINK_MIN_RATINGS) continue;
    linked.push({ id, staff, clients });
  }
  return linked;
}

/** Across the linked units, whatever unit was asked for: a tenant-wide figure. */
function serviceProfitLink(input: LinkInput): Diagnostics['serviceProfitLink'] {
  const linked = linkedUnits(input);
  const supportIndexes = linked.map((unit) => unit.staff.supportIndex!.mean);
  const csats = linked.map((unit) => unit.clients.csat!.share);
  const qualifyingUnits = linked.length;
  if (qualifyingUnits < LINK_MIN_UNITS) {
    return {
      qualifyingUnits,
      correlation: null,
      reason: `Needs at least ${LINK_MIN_UNITS} units (with no units below them) with ${LINK_MIN_RESPONDENTS}+ internal respondents, published, and ${LINK_MIN_RATINGS}+ external ratings in the period; ${qualifyingUnits} of the tenant’s units do.`,
    };
  }
  const correlation = pearson(supportIndexes, csats);
  return { qualifyingUnits, correlation, reason: correlation ? null : 'The units’ support index or CSAT does not vary, so there is no correlation.' };
}

function findingsOf(d: Omit<Diagnostics, 'findings'>): Finding[] {
  const findings: Finding[] = [];
  const { blameShare, favourableWillingness, supportIndex, verdict } = d.attitudeParadox;
  const weakest = isShown(d.rootCauses) ? { cause: d.rootCauses.weakest, mean: d.rootCauses.means[d.rootCauses.weakest].mean } : null;
  const fix = weakest && {
    recommendation: `Fix ${ROOT_CAUSE_LABELS[weakest.cause]} (the weakest root cause, ${score(weakest.mean)} of 5): ${ROOT_CAUSE_ADVICE[weakest.cause]}`,
    path: `rootCauses.means.${weakest.cause}`,
  };

  if (verdict === 'organizational' && blameShare && isShown(favourableWillingness) && isShown(supportIndex) && fix && weakest) {
    findings.push({
      id: 'attitude-paradox',
      severity: 'high',
      text:
        `Clients blame attitude (${percent(blameShare.share)} of dissatisfied clients), yet ${percent(favourableWillingness.share)} of ` +
        `staff are willing and the support index is ${score(supportIndex.mean)}: the cause is organizational, not the people. ` +
        `Fix ${ROOT_CAUSE_LABELS[weakest.cause]} (weakest, ${score(weakest.mean)}).`,
      recommendation: fix.recommendation,
      supportedBy: ['attitudeParadox.blameShare', 'attitudeParadox.favourableWillingness', 'attitudeParadox.supportIndex', fix.path],
    });
  } else if (fix && weakest && weakest.mean < LOW_SUPPORT_INDEX) {
    findings.push({
      id: 'weakest-root-cause',
      severity: 'medium',
      text: `Staff rate ${ROOT_CAUSE_LABELS[weakest.cause]} lowest of the four root causes (${score(weakest.mean)} of 5).`,
      recommendation: fix.recommendation,
      supportedBy: [fix.path],
    });
  }

  if (isShown(d.leadershipSupport) && d.leadershipSupport.mean < LOW_SUPPORT_INDEX) {
    findings.push({
      id: 'leadership-support',
      severity: 'medium',
      text: `Staff rate the support they get from their leaders ${score(d.leadershipSupport.mean)} of 5: willingness without direction fades.`,
      recommendation: 'Give leaders time and a mandate to back their teams: regular one-to-ones, decisions taken where the work is, obstacles removed.',
      supportedBy: ['leadershipSupport'],
    });
  }

  const { new: newStaff, established, difference } = d.attitudeDecay;
  if (significant(difference) && difference.estimate > 0 && isShown(newStaff) && isShown(established)) {
    findings.push({
      id: 'attitude-decay',
      severity: 'medium',
      text:
        `New staff are more willing (${score(newStaff.mean)}) than established staff (${score(established.mean)}): ` +
        'willingness fades when it gets no direction or support.',
      ...(fix ? { recommendation: fix.recommendation } : {}),
      supportedBy: ['attitudeDecay.new', 'attitudeDecay.established', 'attitudeDecay.difference', ...(fix ? [fix.path] : [])],
    });
  }

  const { occasional, recurring, difference: kindDifference } = d.blame.attitudeByCustomerKind;
  if (significant(kindDifference) && kindDifference.estimate > 0 && occasional && recurring) {
    findings.push({
      id: 'occasional-vs-recurring',
      severity: 'info',
      text:
        `Occasional clients blame attitude far more (${percent(occasional.share)}) than recurring ones (${percent(recurring.share)}), ` +
        'who see the organization over time: the blame says more about single encounters than about the staff.',
      supportedBy: ['blame.attitudeByCustomerKind.occasional', 'blame.attitudeByCustomerKind.recurring', 'blame.attitudeByCustomerKind.difference'],
    });
  }

  const [topComponent, top] = Object.entries(d.blame.components).reduce((a, b) => (b[1].count > a[1].count ? b : a));
  if (top.count > 0 && top.share) {
    findings.push({
      id: 'most-blamed-component',
      severity: 'info',
      text: `Of the ${d.blame.unsatisfied} ratings of 3 or less, ${percent(top.share.share)} name ${topComponent} as what went wrong.`,
      supportedBy: [`blame.components.${topComponent}`],
    });
  }

  const { correlation } = d.serviceProfitLink;
  if (correlation?.interval && correlation.interval.low > 0) {
    findings.push({
      id: 'service-profit-link',
      severity: 'info',
      text:
        `Units whose staff get more support have more satisfied clients (r = ${correlation.r.toFixed(2)} across ` +
        `${correlation.n} units): support for staff shows in client satisfaction.`,
      supportedBy: ['serviceProfitLink.correlation'],
    });
  }
  return [...findings, ...changeFindings(d.changes)];
}

/** How a figure and a change of it read: a mean to 2 decimals, a share in %, a net score in points (changes of both in points). */
function formatter(figure: ChangeFigure): { value: (x: number) => string; change: (x: number) => string; unit: string } {
  const signed = (text: string, negative: boolean, sign = '+') => `${negative ? '−' : text.match(/[1-9]/) ? sign : ''}${text}`;
  const rounded = (x: number) => signed(Math.abs(Math.round(x)).toString(), Math.round(x) < 0);
  switch (measureEntry(figure).kind.type) {
    case 'share':
    case 'shareAmong':
      return { value: percent, change: (x) => rounded(100 * x), unit: ' points' };
    case 'net':
      return { value: (x) => signed(Math.abs(Math.round(x)).toString(), Math.round(x) < 0, ''), change: rounded, unit: ' points' };
    default:
      return { value: (x) => x.toFixed(2), change: (x) => signed(Math.abs(x).toFixed(2), x < 0 && Math.abs(x) >= 0.005), unit: '' };
  }
}

/**
 * Period over period: a figure is said to have risen or fallen only when its change is significant
 * (its 95% interval excludes 0); the others are named together as no real change. Withheld and
 * empty figures say nothing.
 */
function changeFindings(changes: Diagnostics['changes']): Finding[] {
  if (!changes) return [];
  const shown = (Object.entries(changes.figures) as [ChangeFigure, FigureChange | Suppressed | null][]).filter(
    (entry): entry is [ChangeFigure, FigureChange] => isShown(entry[1]),
  );
  const findings: Finding[] = shown
    .filter(([, change]) => change.significant)
    .map(([figure, change]) => {
      const format = formatter(figure);
      const better = (measureEntry(figure).direction === 'lower' ? -1 : 1) * change.difference > 0;
      return {
        id: `change-${figure}`,
        severity: better ? 'info' : 'medium',
        text:
          `${measureEntry(figure).title} ${change.difference > 0 ? 'rose' : 'fell'} from ${format.value(change.previous)} to ${format.value(change.current)} ` +
          `against the previous period (${format.change(change.difference)}${format.unit}, 95% interval ${format.change(change.interval.low)} to ${format.change(change.interval.high)}): ` +
          `a real change${better ? '' : ' for the worse'}, not chance.`,
        supportedBy: [`changes.figures.${figure}`],
      };
    });
  const steady = shown.filter(([, change]) => !change.significant);
  if (steady.length > 0) {
    const titles = steady.map(([figure]) => measureEntry(figure).title);
    const list = titles.length === 1 ? titles[0] : `${titles.slice(0, -1).join(', ')} and ${titles.at(-1)}`;
    findings.push({
      id: 'no-real-change',
      severity: 'info',
      text: `No real change against the previous period in ${list}: the differences are within what chance alone would give.`,
      supportedBy: steady.map(([figure]) => `changes.figures.${figure}`),
    });
  }
  return findings;
}
